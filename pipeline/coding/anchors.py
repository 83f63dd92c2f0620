"""Anchor words: a cheap, exact test of whether a segment could match a codebook pattern.

Most of the rule coder's time went to the lemmatizer and the token ``Matcher`` (wildcards and
``IN`` predicates over every token), although only a few patterns need either and most segments
hold none of their words. A pattern's *anchors* are, for each token it cannot match without,
the forms that token may take: a ``LOWER`` value as the lower-case form, an ``ORTH``/``TEXT``
value as the text, and for a ``LEMMA`` every text the lookup lemmatizer maps to that lemma. A
match needs one form of every anchor among the segment's tokens (their ``LOWER`` and ``ORTH``
hashes, one set), and those do not depend on the lemmatizer; so a segment that fails every
pattern's test would get no match from those patterns anyway, and skipping their matchers
changes nothing. A pattern whose tokens give no anchor (only ``REGEX``, ``NOT_IN``, optional
tokens) is always run.
"""

from __future__ import annotations

import re
from typing import Any, Iterable, Mapping

from spacy.attrs import LOWER, ORTH
from spacy.strings import hash_string
from spacy.tokens import Doc

Anchor = frozenset[int]  # hashes of the forms (lower-case or text) one token may take
_MANDATORY_COUNT = re.compile(r"\{\s*([1-9]\d*)\s*(,\s*\d*\s*)?\}")  # "{2}", "{1,3}", "{2,}"


def _mandatory(spec: Mapping[str, Any]) -> bool:
    """Whether a pattern cannot match without this token (its ``OP`` needs at least one)."""
    op = spec.get("OP")
    return op is None or op == "+" or (isinstance(op, str)
                                       and _MANDATORY_COUNT.fullmatch(op) is not None)


def _values(value: Any) -> list[str] | None:
    """The strings a predicate allows, for a plain value or ``{"IN": [...]}``; else None."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict) and set(value) == {"IN"} and isinstance(value["IN"], list) \
            and all(isinstance(v, str) for v in value["IN"]):
        return list(value["IN"])
    return None


class LemmaForms:
    """The texts the lookup lemmatizer maps to a lemma: ``lemma = table.get(text, text)``.

    spaCy's lookup ``Table`` keys are the hashes of the texts, so forms are text hashes.
    """

    def __init__(self, table: Mapping[int, str]) -> None:
        self._keys = set(table)
        self._forms: dict[str, set[int]] = {}
        for key, lemma in table.items():
            self._forms.setdefault(str(lemma), set()).add(int(key))

    def __call__(self, lemma: str) -> set[int]:
        """Every token text (hash) whose lemma is ``lemma``: itself too, unless remapped."""
        forms = set(self._forms.get(lemma, ()))
        if hash_string(lemma) not in self._keys:
            forms.add(hash_string(lemma))
        return forms


def _hashes(words: Iterable[str]) -> Anchor:
    return frozenset(hash_string(w) for w in words)


def token_anchors(tokens: list[dict[str, Any]], lemma_forms: LemmaForms) -> list[Anchor] | None:
    """The anchors of a ``Matcher`` token pattern, or None when it has none (always run it)."""
    anchors = []
    for spec in tokens:
        if not _mandatory(spec):
            continue
        for attribute, value in spec.items():
            words = _values(value)
            if words is None:
                continue
            name = attribute.upper()
            if name in ("LOWER", "ORTH", "TEXT"):  # the Matcher compares the value's hash
                anchors.append(_hashes(words))
            elif name == "LEMMA":
                anchors.append(frozenset(f for w in words for f in lemma_forms(w)))
            else:
                continue
            break  # one anchor per token is enough
    return anchors or None


def phrase_anchors(pattern: Doc, *, lemma: bool, lemma_forms: LemmaForms) -> list[Anchor]:
    """The anchors of a ``PhraseMatcher`` pattern on ``LOWER`` or (``lemma``) ``LEMMA``."""
    if lemma:
        return [frozenset(lemma_forms(t.lemma_)) for t in pattern]
    return [frozenset([t.lower]) for t in pattern]


def forms(doc: Doc) -> set[int]:
    """The hashes of ``doc``'s tokens' lower-case forms and texts, in one set.

    One set for both kinds only lets a test pass more often (when a lower-case form equals
    some token's text), never fail where a match is possible: the test stays exact.
    """
    return set(doc.to_array([LOWER, ORTH]).ravel().tolist()) if len(doc) else set()


def possible(anchors: list[Anchor] | None, found: set[int]) -> bool:
    """Whether a pattern with ``anchors`` may match a doc whose :func:`forms` are ``found``."""
    return anchors is None or all(not anchor.isdisjoint(found) for anchor in anchors)


def gate(patterns: list[list[Anchor] | None]) -> frozenset[int] | None:
    """Words at least one of which a doc must hold for any of ``patterns`` to be possible.

    The union of each pattern's smallest anchor (every anchor of a pattern must be met, so
    meeting none of these rules out all of them at once, in one set test per doc). None when
    some pattern is always possible (no anchors known), so nothing can be ruled out this way.
    """
    words: set[int] = set()
    for anchors in patterns:
        if not anchors:  # None (unknown) or no anchor at all: always possible
            return None
        words.update(min(anchors, key=len))
    return frozenset(words)

