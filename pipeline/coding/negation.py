"""A spaCy component that flags code matches standing in the scope of a negation.

In the NegEx tradition: a cue shortly before the match ("no", "lack of", "without") or just
after it ("is not available", "isn't") negates it, unless a scope terminator ("but", "however",
";") comes between. A negated match is kept and flagged: "not available locally" is a gap.
"""

from __future__ import annotations

from itertools import product

from spacy.attrs import LOWER
from spacy.language import Language
from spacy.strings import hash_string
from spacy.tokens import Doc, Span

SPANS_KEY = "codes"

PRE_CUES = ["no", "not", "n't", "never", "without", "lack", "lacking", "absence", "none",
            "nor", "neither", "cannot", "unable", "nobody"]
POST_CUES = ["not", "n't", "never", "unavailable", "lacking", "absent", "missing", "nonexistent",
             "non-existent"]
TERMINATORS = ["but", "however", "although", "though", "yet", "whereas", "while", "except",
               "apart", "aside", "which", "who", ";", ":", ".", "!", "?", "(", ")"]
PSEUDO_FOLLOWERS = ["only", "just", "doubt", "question", "matter", "surprise"]

if not Span.has_extension("negated"):
    Span.set_extension("negated", default=False)
if not Span.has_extension("negation_cue"):
    Span.set_extension("negation_cue", default=None)


def _hashes(words: set[str]) -> frozenset[int]:
    """Hashes of every lower-case form that reads as one of ``words`` once ’ is taken as '.

    Cues and terminators are compared on a token's ``LOWER`` hash; "n't" is also "n’t".
    """
    forms = set()
    for word in words:
        if "’" in word:  # a form with ’ is read as ', so it can never equal this word
            continue
        parts = word.split("'")
        for marks in product("'’", repeat=len(parts) - 1):
            forms.add("".join(part + mark for part, mark in zip(parts, (*marks, ""), strict=True)))
    return frozenset(hash_string(form) for form in forms)


class NegationDetector:
    """Sets ``span._.negated`` (and ``span._.negation_cue``) on the spans in ``doc.spans[key]``."""

    def __init__(self, name: str, *, spans_key: str, pre_window: int, post_window: int,
                 pre_cues: list[str], post_cues: list[str], terminators: list[str]) -> None:
        self.name = name
        self.spans_key = spans_key
        self.pre_window = pre_window
        self.post_window = post_window
        self.pre_cues = {c.lower() for c in pre_cues}
        self.post_cues = {c.lower() for c in post_cues}
        self.terminators = {t.lower() for t in terminators}
        # the words as hashes of tokens' lower-case forms: no Token object per word looked at
        self._pre, self._post = _hashes(self.pre_cues), _hashes(self.post_cues)
        self._stops = _hashes(self.terminators)
        self._pseudo = frozenset(hash_string(w) for w in PSEUDO_FOLLOWERS)

    def _cue(self, doc: Doc, lower: list[int], indices: range, cues: frozenset[int]
             ) -> str | None:
        for i in indices:
            word = lower[i]
            if word in self._stops:
                return None
            if word in cues and (i + 1 >= len(lower) or lower[i + 1] not in self._pseudo):
                return doc[i].text
        return None

    def __call__(self, doc: Doc) -> Doc:
        """Flag each span of ``doc.spans[spans_key]`` that a negation cue scopes over."""
        spans = doc.spans.get(self.spans_key, [])
        for span, cue in zip(spans, self.cues(doc), strict=True):
            extension = span._  # spaCy makes a new accessor object on every ``span._``
            extension.negated = cue is not None
            extension.negation_cue = cue
        return doc

    def cues(self, doc: Doc) -> list[str | None]:
        """The negation cue scoping over each span of ``doc.spans[spans_key]``, or None.

        What :meth:`__call__` sets on the spans, without setting it: a caller that only reads
        the flags saves two extension objects per span.
        """
        spans = doc.spans.get(self.spans_key, [])
        if not len(spans):
            return []
        sentences = doc.has_annotation("SENT_START")  # once per doc, not per span
        lower = doc.to_array(LOWER).tolist()
        found: list[str | None] = []
        for span in spans:
            sentence_start = span.sent.start if sentences else 0
            sentence_end = span.sent.end if sentences else len(doc)
            first = max(sentence_start, span.start - self.pre_window)
            before = range(span.start - 1, first - 1, -1)
            after = range(span.end, min(sentence_end, span.end + self.post_window))
            found.append(self._cue(doc, lower, before, self._pre)
                         or self._cue(doc, lower, after, self._post))
        return found


@Language.factory(
    "wavecoder_negation",
    default_config={
        "spans_key": SPANS_KEY,
        "pre_window": 6,
        "post_window": 3,
        "pre_cues": PRE_CUES,
        "post_cues": POST_CUES,
        "terminators": TERMINATORS,
    },
)
def make_negation_detector(nlp: Language, name: str, spans_key: str, pre_window: int,
                           post_window: int, pre_cues: list[str], post_cues: list[str],
                           terminators: list[str]) -> NegationDetector:
    """spaCy factory for :class:`NegationDetector`."""
    return NegationDetector(name, spans_key=spans_key, pre_window=pre_window,
                            post_window=post_window, pre_cues=pre_cues, post_cues=post_cues,
                            terminators=terminators)
