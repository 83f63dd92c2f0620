"""Presidio recognisers for the identifiers UK treatment-service answers carry.

Presidio's own recognisers are kept where they fit (its UK postcode pattern, its email pattern),
with the changes this domain needs: a UK phone recogniser that knows +44, 07xxx and 020 layouts,
an NHS number recogniser that insists on the 3-3-4 layout and the modulus-11 check digit, street
addresses, names after a title or a cue ("my keyworker Chidi"), and an email check that never
fetches the public-suffix list from the internet.
"""

from __future__ import annotations

import re
from functools import lru_cache

from presidio_analyzer import LocalRecognizer, Pattern, PatternRecognizer, RecognizerResult
from presidio_analyzer.predefined_recognizers import EmailRecognizer, UkPostcodeRecognizer

from pipeline.redact.identifiers import (
    ADDRESS,
    EMAIL,
    NHS_NUMBER,
    PERSON,
    PHONE,
    POSTCODE,
    STREET_TYPES,
    TITLES,
    nhs_number_is_valid,
    phone_key,
)

# Case matters for names and streets: Presidio's default flags ignore case, which would make
# "[A-Z][a-z]+" match every word.
_CASED = re.MULTILINE
# A capitalised word: "Chidi", "O'Neill", "McDonald", "Wiśniewska" (regex module: \p classes).
_NAME = r"[A-Z](?:['’][A-Z])?\p{Ll}+(?:(?:[A-Z]|['’\-][A-Z]?)\p{Ll}+)*"
_NAME2 = rf"{_NAME}(?:[ ]{_NAME})?"
# Capitalised words that follow a cue but are not names ("my GP The ...", "called Monday").
_NOT_NAMES = (
    "The", "A", "An", "And", "But", "Or", "So", "Then", "He", "She", "They", "It", "I", "We",
    "You", "His", "Her", "Their", "My", "Our", "Your", "This", "That", "There", "Who", "When",
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "Mum", "Dad",
    "Yeah", "Yes", "No", "Not", "Just", "Proper", "Honestly", "Because", "At", "In", "On", "From",
)
_CUES = (
    "keyworker", "key worker", "worker", "GP", "doctor", "nurse", "counsellor", "mentor",
    "officer", "partner", "boyfriend", "girlfriend", "husband", "wife", "son", "daughter", "mum",
    "dad", "mother", "father", "brother", "sister", "cousin", "friend", "sponsor", "lad", "guy",
    "woman", "man", "bloke", "called", "named", "ask for", "Ask for",
)


def _alternatives(words: tuple[str, ...]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


class NhsNumberRecognizer(PatternRecognizer):
    """NHS numbers: ten digits, spaced 3-3-4 (spaces or hyphens, used consistently) or not."""

    def __init__(self) -> None:
        super().__init__(
            supported_entity=NHS_NUMBER, name="NhsNumberRecognizer",
            patterns=[Pattern("NHS 3-3-4", r"(?<![\d+])\d{3}([ \-]?)\d{3}\1\d{4}(?![\d])", 0.4)],
            context=["nhs", "number", "chi"], global_regex_flags=_CASED)

    def validate_result(self, pattern_text: str) -> bool:
        """Only numbers whose check digit is right are NHS numbers."""
        return nhs_number_is_valid(re.sub(r"\D", "", pattern_text))


class UkPhoneRecognizer(PatternRecognizer):
    """UK phone numbers: +44 or 0 then 9-10 digits, in the groupings people write."""

    _REGEX = (r"(?<![\w+])(?:\+44[ \-]?(?:\(0\)[ \-]?)?|\(0|0)"
              r"\d{1,4}\)?(?:[ \-]?\d{2,4}){1,3}(?![\d])")

    def __init__(self) -> None:
        super().__init__(
            supported_entity=PHONE, name="UkPhoneRecognizer",
            patterns=[Pattern("UK phone", self._REGEX, 0.5)],
            context=["phone", "mobile", "number", "call", "ring", "text", "tel", "contact"],
            global_regex_flags=_CASED)

    def validate_result(self, pattern_text: str) -> bool:
        """A national number of 10 or 11 digits (with its 0) outside the 00 international range."""
        digits = phone_key(pattern_text)
        return digits.startswith("0") and not digits.startswith("00") and len(digits) in (10, 11)


@lru_cache(maxsize=1)
def _offline_tld_extract():  # noqa: ANN202 - tldextract's type, imported lazily
    import tldextract

    # The bundled public-suffix snapshot only: no URL to fetch, no cache directory to write.
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, fallback_to_snapshot=True)


class OfflineEmailRecognizer(EmailRecognizer):
    """Presidio's email recogniser whose domain check never calls out.

    Presidio validates a match with ``tldextract.extract``, whose default extractor downloads the
    public-suffix list on first use; this one reads the snapshot tldextract ships.
    """

    def __init__(self) -> None:
        super().__init__(supported_entity=EMAIL, name="OfflineEmailRecognizer")

    def validate_result(self, pattern_text: str) -> bool:
        """The part after ``@`` ends in a known public suffix."""
        return _offline_tld_extract()(pattern_text).fqdn != ""


def postcode_recognizer() -> PatternRecognizer:
    """Presidio's UK postcode pattern at a usable score (it ships at 0.1, below any threshold)."""
    regex = UkPostcodeRecognizer.PATTERNS[0].regex
    return UkPostcodeRecognizer(patterns=[Pattern("UK postcode", regex, 0.6)],
                                supported_entity=POSTCODE)


def address_recognizer() -> PatternRecognizer:
    """A house number (and flat) followed by one to three capitalised words and a street type."""
    flat = r"(?:(?:Flat|Apartment|Apt|Unit|Room)[ ]\d{1,4}[A-Za-z]?,?[ ])?"
    street = rf"{_NAME}(?:[ ]{_NAME}){{0,2}}"
    regex = (rf"\b{flat}\d{{1,4}}[A-Za-z]?,?[ ]{street}[ ](?:{_alternatives(STREET_TYPES)})"
             r"\b\.?")
    return PatternRecognizer(
        supported_entity=ADDRESS, name="StreetAddressRecognizer",
        patterns=[Pattern("UK street address", regex, 0.6)],
        context=["live", "address", "moved", "flat", "house", "letters"],
        global_regex_flags=_CASED)


def name_recognizers() -> list[PatternRecognizer]:
    """Names after a title ("Dr Patel") or a cue ("my keyworker Chidi", "a lad called Femi").

    The title stays outside the span so the placeholder reads ``Dr [PERSON_1]``.
    """
    not_name = rf"(?!(?:{_alternatives(_NOT_NAMES)})\b)"
    titled = rf"(?<=\b(?:{_alternatives(TITLES)})[ ]){not_name}{_NAME2}\b"
    cued = rf"(?<=\b(?:{_alternatives(_CUES)}),?[ ](?:is[ ]|was[ ])?){not_name}{_NAME2}\b"
    return [
        PatternRecognizer(supported_entity=PERSON, name="TitledNameRecognizer",
                          patterns=[Pattern("title + name", titled, 0.8)],
                          global_regex_flags=_CASED),
        PatternRecognizer(supported_entity=PERSON, name="CuedNameRecognizer",
                          patterns=[Pattern("cue + name", cued, 0.6)],
                          global_regex_flags=_CASED),
    ]


def pattern_recognizers() -> list[PatternRecognizer]:
    """Every pattern recogniser redaction uses (the NER model's names come on top)."""
    return [NhsNumberRecognizer(), UkPhoneRecognizer(), OfflineEmailRecognizer(),
            postcode_recognizer(), address_recognizer(), *name_recognizers(),
            speaker_label_recognizer()]


# spaCy entity labels that mark a capitalised word as something other than a person. Places are
# not among them: the small model calls many unfamiliar names places, so the wave-level vote
# (pipeline.redact.stage) decides those.
_NOT_PERSON_LABELS = frozenset({
    "DATE", "TIME", "NORP", "EVENT", "LANGUAGE", "LAW", "MONEY", "CARDINAL",
    "ORDINAL", "QUANTITY", "PERCENT"})


class ProperNounRecognizer(LocalRecognizer):
    """Runs of proper nouns inside a sentence that the tagger sees and NER does not place.

    spaCy's small model tags unfamiliar names ("Oluwaseun", "Wojciech") as proper nouns but
    often labels them ORG, FAC or GPE, or nothing. A capitalised proper noun that does not start
    a sentence or a line, is not an acronym and is not part of a date or number entity is taken
    as a name at a low score; the keep list, organisation words and the wave's place vote remove
    services, agencies and places afterwards.
    """

    def __init__(self, score: float = 0.4) -> None:
        self.score = score
        super().__init__(supported_entities=[PERSON], name="ProperNounRecognizer")

    def load(self) -> None:
        """Nothing to load: the tagger's output comes with the NLP artifacts."""

    def analyze(self, text: str, entities: list[str], nlp_artifacts=None):  # noqa: ANN001, ANN201
        """Presidio results for each run of candidate proper nouns in the tagged text."""
        doc = getattr(nlp_artifacts, "tokens", None)
        if doc is None or PERSON not in entities or not doc.has_annotation("TAG"):
            return []
        placed = {t.i for ent in doc.ents if ent.label_ in _NOT_PERSON_LABELS for t in ent}
        results, run = [], []
        for token in [*doc, None]:
            if token is not None and self._candidate(token, placed, bool(run)):
                run.append(token)
                continue
            if run:
                results.append(RecognizerResult(PERSON, run[0].idx, run[-1].idx + len(run[-1]),
                                                self.score))
                run = []
        return results

    @staticmethod
    def _candidate(token, placed: set[int], inside: bool) -> bool:  # noqa: ANN001
        """Whether ``token`` starts (or, ``inside`` a run, continues) a name."""
        word = token.text
        if token.pos_ != "PROPN" or token.i in placed or len(word) < 2:
            return False
        if not word[0].isupper() or word.isupper() or not any(c.islower() for c in word):
            return False
        if inside:
            return True
        previous = token.nbor(-1) if token.i > 0 else None
        starts_line = previous is None or "\n" in previous.text or previous.text in ".!?"
        if not (token.is_sent_start or starts_line):
            return True
        # At a sentence start one capitalised word says nothing ("Damp everywhere."); two proper
        # nouns in a row ("Femi Nowak said ...") are most often a full name.
        following = token.nbor(1) if token.i + 1 < len(token.doc) else None
        return following is not None and following.pos_ == "PROPN" and following.text[:1].isupper()


# Words that label a transcript line without naming anyone.
_ROLE_LABELS = (
    "Interviewer", "Respondent", "Interviewee", "Participant", "Facilitator", "Moderator",
    "Speaker", "Client", "Note", "Notes", "Transcript", "Date", "Time", "Location", "Site",
    "Question", "Answer", "Keyworker", "Researcher", "Other", "Unknown", "Inaudible",
)


def speaker_label_recognizer() -> PatternRecognizer:
    """A name used as a transcript's speaker label: ``Jane Smith: ...`` at the start of a line."""
    roles = rf"(?!(?:{_alternatives(_ROLE_LABELS)})\b)"
    regex = rf"^[ \t]*\K{roles}{_NAME}(?:[ ]{_NAME}){{0,2}}(?=[ \t]*:)"
    return PatternRecognizer(supported_entity=PERSON, name="SpeakerLabelRecognizer",
                             patterns=[Pattern("speaker label", regex, 0.6)],
                             global_regex_flags=_CASED)
