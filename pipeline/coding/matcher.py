"""A spaCy component that finds codebook patterns and puts them in ``doc.spans["codes"]``.

The codebook is data: it enters at ``initialize(codebook=...)``, never through the component's
config. Phrase patterns are matched on lower-case (``LOWER``) or lemma (``LEMMA``) forms with
``PhraseMatcher``; token patterns with ``Matcher``, validated so a bad pattern fails at load with
the code and pattern named. Each span's label is ``"<code_id>|<pattern_id>"``.

Only the ``LOWER`` phrases need no lemmas; :meth:`CodebookMatcher.needs_lemmas` tells, from the
patterns' anchor words (:mod:`pipeline.coding.anchors`), whether a doc could match any lemma or
token pattern, so the rule coder lemmatises and runs those matchers only where one could.
"""

from __future__ import annotations

from typing import Callable, Iterable

from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Span, SpanGroup

from pipeline.coding.anchors import (
    Anchor,
    LemmaForms,
    forms,
    phrase_anchors,
    possible,
    token_anchors,
)
from pipeline.coding.negation import SPANS_KEY
from pipeline.coding.regex_tokens import bounded_regexes
from pipeline.config import Codebook, Pattern
from pipeline.text import matchable

LABEL_SEPARATOR = "|"


def pattern_id(code_id: str, index: int, pattern: Pattern) -> str:
    """The id reported for a pattern: its own, the phrase, or the code id and position."""
    if pattern.id:
        return f"{code_id}:{pattern.id}"
    if pattern.phrase is not None:
        return f"{code_id}:{pattern.phrase.strip().lower()}"
    return f"{code_id}#{index}"


class CodebookMatcher:
    """Matches every pattern of a codebook; spans carry ``code|pattern`` labels."""

    def __init__(self, nlp: Language, name: str, *, spans_key: str) -> None:
        self.nlp = nlp
        self.name = name
        self.spans_key = spans_key
        self.confidence: dict[str, float] = {}
        # anchors of the lemma and token patterns; None: unknown, always lemmatise and match
        self.lemma_token_anchors: list[list[Anchor] | None] | None = None
        self._reset()

    def _reset(self) -> None:
        vocab = self.nlp.vocab
        self.lower = PhraseMatcher(vocab, attr="LOWER")
        self.lemma = PhraseMatcher(vocab, attr="LEMMA")
        self.tokens = Matcher(vocab, validate=True)

    def _lemmatised(self, text: str) -> Doc:
        doc = self.nlp.make_doc(matchable(text))
        if "lemmatizer" in self.nlp.pipe_names:
            doc = self.nlp.get_pipe("lemmatizer")(doc)
        return doc

    def initialize(self, get_examples: Callable[[], Iterable[object]] | None = None, *,
                   nlp: Language | None = None, codebook: Codebook | None = None) -> None:
        """Compile ``codebook``'s patterns into the matchers, replacing any earlier ones."""
        if codebook is None:
            raise ValueError(f"{self.name}: initialize() needs a codebook")
        self._reset()
        self.confidence = {}
        anchors: list[list[Anchor] | None] = []
        lemma_forms = self._lemma_forms()
        for code, _parent in codebook.walk():
            for index, pattern in enumerate(code.patterns):
                key = f"{code.id}{LABEL_SEPARATOR}{pattern_id(code.id, index, pattern)}"
                self.confidence[key] = pattern.confidence
                if pattern.tokens is not None:
                    where = f"codebook '{codebook.id}', code '{code.id}', patterns[{index}]"
                    try:  # REGEX predicates with a time limit (pipeline.coding.regex_tokens)
                        self.tokens.add(key, [bounded_regexes(pattern.tokens, where)])
                    except (ValueError, KeyError) as exc:
                        raise ValueError(f"{where}: invalid token pattern: {exc}") from None
                    anchors.append(token_anchors(pattern.tokens, lemma_forms) if lemma_forms
                                   else None)
                elif pattern.attr == "LEMMA":
                    phrase = self._lemmatised(str(pattern.phrase))
                    self.lemma.add(key, [phrase])
                    anchors.append(phrase_anchors(phrase, lemma=True, lemma_forms=lemma_forms)
                                   if lemma_forms else None)
                else:
                    self.lower.add(key, [self.nlp.make_doc(matchable(str(pattern.phrase)))])

        self.lemma_token_anchors = anchors

    def _lemma_forms(self) -> LemmaForms | None:
        """The lookup lemmatizer's words by lemma; None without one (lemmas then stay unset)."""
        if "lemmatizer" not in self.nlp.pipe_names:
            return None
        lemmatizer = self.nlp.get_pipe("lemmatizer")
        if getattr(lemmatizer, "mode", None) != "lookup":
            return None
        return LemmaForms(lemmatizer.lookups.get_table("lemma_lookup", {}))  # type: ignore

    def needs_lemmas(self, doc: Doc) -> bool:
        """Whether a lemma or token pattern could match ``doc`` (False: only phrases on LOWER).

        Exact: when False, lemmatising ``doc`` and running those matchers would find nothing.
        """
        if self.lemma_token_anchors is None:
            return True
        found = forms(doc)
        return any(possible(anchors, found) for anchors in self.lemma_token_anchors)

    def __call__(self, doc: Doc) -> Doc:
        """Add a span per match to ``doc.spans[spans_key]`` (overlaps allowed across codes)."""
        return self.match(doc)

    def match(self, doc: Doc, *, lemmas_and_tokens: bool = True) -> Doc:
        """:meth:`__call__`; without the lemma and token matchers if they would find nothing."""
        strings = self.nlp.vocab.strings
        found: set[tuple[int, int, str]] = set()
        matchers = (self.lower, self.lemma, self.tokens) if lemmas_and_tokens else (self.lower,)
        for matcher in matchers:
            for match_id, start, end in matcher(doc):
                found.add((start, end, strings[match_id]))
        spans = [Span(doc, start, end, label=key) for start, end, key in sorted(found)]
        doc.spans[self.spans_key] = SpanGroup(doc, name=self.spans_key, spans=spans)
        return doc


@Language.factory("wavecoder_codebook", default_config={"spans_key": SPANS_KEY})
def make_codebook_matcher(nlp: Language, name: str, spans_key: str) -> CodebookMatcher:
    """spaCy factory for :class:`CodebookMatcher`; call ``initialize(codebook=...)`` before use."""
    return CodebookMatcher(nlp, name, spans_key=spans_key)
