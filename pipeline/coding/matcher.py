"""A spaCy component that finds codebook patterns and puts them in ``doc.spans["codes"]``.

The codebook is data: it enters at ``initialize(codebook=...)``, never through the component's
config. Phrase patterns are matched on lower-case (``LOWER``) or lemma (``LEMMA``) forms with
``PhraseMatcher``; token patterns with ``Matcher``, validated so a bad pattern fails at load with
the code and pattern named. Each span's label is ``"<code_id>|<pattern_id>"``.

Only the ``LOWER`` phrases need no lemmas; :meth:`CodebookMatcher.plan` tells, from the
patterns' anchor words (:mod:`pipeline.coding.anchors`), which lemma or token patterns a doc
could match, so the rule coder lemmatises and runs those matchers only where one could.
"""

from __future__ import annotations

from typing import Callable, Iterable, NamedTuple

from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Span, SpanGroup

from pipeline.coding.anchors import (
    Anchor,
    LemmaForms,
    forms,
    gate,
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


class Plan(NamedTuple):
    """What a doc needs beyond the ``LOWER`` phrases: lemmas, and some token patterns.

    ``lemmatise`` also runs the lemma phrases; ``token_matchers`` holds one ``Matcher`` per token
    pattern whose anchors the doc holds.
    """

    lemmatise: bool
    token_matchers: list[Matcher]


NOTHING_BEYOND_LOWER = Plan(False, [])
"""The plan of a doc no lemma or token pattern could match."""


class CodebookMatcher:
    """Matches every pattern of a codebook; spans carry ``code|pattern`` labels."""

    def __init__(self, nlp: Language, name: str, *, spans_key: str) -> None:
        self.nlp = nlp
        self.name = name
        self.spans_key = spans_key
        self.confidence: dict[str, float] = {}
        # anchors of the lemma phrases, and each token pattern alone in a Matcher with its anchors
        self._lemma_anchors: list[list[Anchor] | None] = []
        self._token_alone: list[tuple[Matcher, list[Anchor] | None]] = []
        self._gate: frozenset[int] | None = frozenset()  # see anchors.gate
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
        self._lemma_anchors, self._token_alone = [], []
        lemma_forms = self._lemma_forms()  # None: no lookup lemmatizer, every pattern runs
        for code, _parent in codebook.walk():
            for index, pattern in enumerate(code.patterns):
                key = f"{code.id}{LABEL_SEPARATOR}{pattern_id(code.id, index, pattern)}"
                self.confidence[key] = pattern.confidence
                if pattern.tokens is not None:
                    where = f"codebook '{codebook.id}', code '{code.id}', patterns[{index}]"
                    try:  # REGEX predicates with a time limit (pipeline.coding.regex_tokens)
                        bounded = bounded_regexes(pattern.tokens, where)
                        self.tokens.add(key, [bounded])
                    except (ValueError, KeyError) as exc:
                        raise ValueError(f"{where}: invalid token pattern: {exc}") from None
                    alone = Matcher(self.nlp.vocab)  # matches as in self.tokens: no greedy
                    alone.add(key, [bounded])
                    self._token_alone.append((alone, token_anchors(pattern.tokens, lemma_forms)
                                              if lemma_forms else None))
                elif pattern.attr == "LEMMA":
                    phrase = self._lemmatised(str(pattern.phrase))
                    self.lemma.add(key, [phrase])
                    self._lemma_anchors.append(phrase_anchors(
                        phrase, lemma=True, lemma_forms=lemma_forms) if lemma_forms else None)
                else:
                    self.lower.add(key, [self.nlp.make_doc(matchable(str(pattern.phrase)))])
        self._gate = gate(self._lemma_anchors + [anchors for _, anchors in self._token_alone])

    def _lemma_forms(self) -> LemmaForms | None:
        """The lookup lemmatizer's words by lemma; None without one (lemmas then stay unset)."""
        if "lemmatizer" not in self.nlp.pipe_names:
            return None
        lemmatizer = self.nlp.get_pipe("lemmatizer")
        if getattr(lemmatizer, "mode", None) != "lookup":
            return None
        return LemmaForms(lemmatizer.lookups.get_table("lemma_lookup", {}))  # type: ignore

    def plan(self, doc: Doc) -> Plan:
        """Which lemma and token patterns could match ``doc`` (a tokenised, unlemmatised doc).

        Exact: the lemma phrases left out when ``lemmatise`` is False, and the token patterns
        left out of ``token_matchers``, would find nothing in ``doc``. Token patterns may test
        lemmas, so any token pattern to run means lemmatising.
        """
        found = forms(doc)
        if self._gate is not None and self._gate.isdisjoint(found):
            return NOTHING_BEYOND_LOWER  # most segments: one set test instead of one a pattern
        token_matchers = [m for m, anchors in self._token_alone if possible(anchors, found)]
        lemmatise = bool(token_matchers) or any(possible(anchors, found)
                                                for anchors in self._lemma_anchors)
        return Plan(lemmatise, token_matchers)

    def needs_lemmas(self, doc: Doc) -> bool:
        """Whether a lemma or token pattern could match ``doc`` (False: only phrases on LOWER)."""
        return self.plan(doc).lemmatise

    def __call__(self, doc: Doc) -> Doc:
        """Add a span per match to ``doc.spans[spans_key]`` (overlaps allowed across codes)."""
        return self.match(doc)

    def match(self, doc: Doc, plan: Plan | None = None) -> Doc:
        """:meth:`__call__`, running beside the ``LOWER`` phrases only what ``plan`` names.

        ``plan`` comes from :meth:`plan` (with lemmas set when it says so); without one, every
        matcher runs.
        """
        strings = self.nlp.vocab.strings
        found: set[tuple[int, int, str]] = set()
        if plan is None:
            matchers = [self.lower, self.lemma, self.tokens]
        else:
            matchers = [self.lower, *([self.lemma] if plan.lemmatise else []),
                        *plan.token_matchers]
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
