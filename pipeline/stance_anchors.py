"""Anchor words of the stance cues: which cues could match a segment, from its words alone.

A cue's token pattern cannot match without each of its mandatory tokens (no ``OP``, or one
that needs at least one token), and such a token that tests ``LOWER``, ``TEXT``/``ORTH`` or
``LEMMA`` against a word or an ``IN`` list takes one of a known set of forms: its *anchor*.
The stance rules' lemma is the lookup table's lemma of the lower-case form
(``StanceRules.parse``), so a ``LEMMA`` anchor is the set of lower-case forms the table maps to
those lemmas (and a lemma the table does not key, itself): the same sets the lexeme flags of
``pipeline.stance_matcher`` stand for. A cue one of whose anchors has no form among a
segment's tokens matches nothing there.

A pattern that matches nothing in a doc adds no match, and the Matcher's states of one
pattern never touch another's (each state is kept, advanced or dropped on its own, in order):
so leaving such patterns out of the Matcher leaves the other matches and their order as they
were. That is what :class:`Anchors` decides, as one bit mask, with a dict look-up per token.
"""
from __future__ import annotations

import re
from functools import reduce
from itertools import repeat
from operator import or_
from typing import Any, Callable, Mapping, Sequence

from spacy.strings import get_string_id

Anchor = tuple[str, frozenset[int]]  # ("lower" or "orth", the word ids a token may have)
Placed = tuple[str, frozenset[int], int, int]  # an anchor, its fewest and most tokens in
LemmaForms = Callable[[str], frozenset[int]]
_MANDATORY_COUNT = re.compile(r"\{\s*([1-9]\d*)\s*(,\s*\d*\s*)?\}")  # "{2}", "{1,3}", "{2,}"
_COUNT = re.compile(r"\{\s*(\d*)\s*(,)?\s*(\d*)\s*\}")  # "{2}", "{0,3}", "{2,}", "{,3}"
_FAR = 1 << 30  # no bound on a pattern's length
_KINDS = {"LOWER": "lower", "TEXT": "orth", "ORTH": "orth", "LEMMA": "lemma"}


def _op(spec: Mapping[Any, Any]) -> Any:
    """A spec's ``OP`` (spaCy reads the key in any case), or None."""
    return next((value for key, value in spec.items()
                 if isinstance(key, str) and key.upper() == "OP"), None)


def mandatory(spec: Mapping[Any, Any]) -> bool:
    """Whether a pattern cannot match without this token (its ``OP`` needs at least one)."""
    op = _op(spec)
    return op is None or op == "+" or (isinstance(op, str)
                                       and _MANDATORY_COUNT.fullmatch(op) is not None)


def spec_anchor(spec: Mapping[Any, Any], lemma_forms: LemmaForms | None) -> Anchor | None:
    """The forms one token spec accepts, from a word or ``IN`` list it tests; else None.

    ``lemma_forms`` (a lemma -> the lower-case form ids whose lemma it is) is needed for a
    ``LEMMA`` test; without it such a test gives no anchor.
    """
    for attr, value in spec.items():
        kind = _KINDS.get(attr.upper()) if isinstance(attr, str) else None
        if kind is None:
            continue  # flag ids (ints), OP, other attributes
        if isinstance(value, str):
            words = [value]
        elif (isinstance(value, dict) and list(value) == ["IN"] and isinstance(value["IN"], list)
              and all(isinstance(word, str) for word in value["IN"])):
            words = value["IN"]
        else:
            continue
        if kind != "lemma":
            return kind, frozenset(get_string_id(word) for word in words)
        if lemma_forms is not None:
            return "lower", frozenset(form for word in words for form in lemma_forms(word))
    return None


def _counts(op: Any) -> tuple[int, int]:
    """The fewest and most tokens a spec with ``op`` takes (_FAR: no bound)."""
    if op is None or op == "!":
        return 1, 1
    found = _COUNT.fullmatch(op) if isinstance(op, str) else None
    if found is None:
        return {"?": (0, 1), "*": (0, _FAR), "+": (1, _FAR)}.get(op, (0, _FAR))
    low, comma, high = found.groups()
    if not low and not comma:
        return 0, _FAR
    if not comma:
        return int(low), int(low)
    return int(low or 0), int(high) if high else _FAR


def pattern_anchors(rewritten: Sequence[Mapping[Any, Any]],
                    original: Sequence[Mapping[Any, Any]],
                    lemma_forms: LemmaForms | None) -> list[Placed]:
    """Anchors of a compiled pattern: one per mandatory token that has one, with its place.

    Each from the compiled spec (a word, where a set was spelled out word by word) or else
    from the cue's own spec at that position (``original``, which decides what is mandatory
    and how many tokens each spec takes). The place is the fewest and most tokens between
    the match's start and that token.
    """
    anchors = []
    low = high = 0
    for spec, cue_spec in zip(rewritten, original, strict=True):
        if mandatory(cue_spec):
            anchor = spec_anchor(spec, lemma_forms) or spec_anchor(cue_spec, lemma_forms)
            if anchor is not None:
                anchors.append((*anchor, low, high))
        fewest, most = _counts(_op(cue_spec))
        low, high = low + fewest, min(_FAR, high + most)
    return anchors


def exact(original: Sequence[Mapping[Any, Any]], lemma_forms: LemmaForms | None) -> bool:
    """Whether a cue's anchors are its whole test: each token one word or ``IN`` list, no OP.

    Such a pattern matches exactly where consecutive tokens have forms in its anchors.
    """
    return all(len(spec) == 1 and spec_anchor(spec, lemma_forms) is not None
               for spec in original)


class Anchors:
    """The patterns (by index) whose every anchor has a form among a doc's tokens.

    Patterns whose anchors are their whole test (:func:`exact`) are also matched here, without
    spaCy's Matcher, in the Matcher's order.
    """

    def __init__(self, anchors: Sequence[Sequence[Placed]],
                 exact: Sequence[bool] = ()) -> None:
        # one bit per (pattern, anchor): a word sets the bits of the anchors it satisfies
        self._slots: dict[str, dict[int, int]] = {"lower": {}, "orth": {}}
        self._needs: list[tuple[int, int]] = []  # (the pattern's anchor bits, its own bit)
        self._owner: list[int] = []  # the pattern of each anchor bit
        slot = 0
        for i, of_pattern in enumerate(anchors):
            need = 0
            for kind, ids, _, _ in of_pattern:
                table = self._slots[kind]
                for word in ids:
                    table[word] = table.get(word, 0) | 1 << slot
                need |= 1 << slot
                self._owner.append(i)
                slot += 1
            self._needs.append((need, 1 << i))
        self._always = sum(bit for need, bit in self._needs if not need)  # no anchor: any doc
        self._exact = [[(kind == "orth", ids) for kind, ids, _, _ in of_pattern]
                       if i < len(exact) and exact[i] else None
                       for i, of_pattern in enumerate(anchors)]
        # the other patterns' anchors with their places, for a test of order and distance
        self._placed = [None if self._exact[i] is not None or len(of_pattern) < 2 else
                        [(kind == "orth", ids, low, high) for kind, ids, low, high in of_pattern]
                        for i, of_pattern in enumerate(anchors)]
        # the anchor a pattern's match starts with (the fewest and most tokens before it: 0)
        self._starts = [(of_pattern[0][0] == "orth", of_pattern[0][1])
                        if of_pattern and of_pattern[0][2:] == (0, 0) else None
                        for of_pattern in anchors]
        self.exact = sum(1 << i for i, found in enumerate(self._exact) if found is not None)

    def possible(self, lowers: list[int], orths: list[int]) -> int:
        """Bit mask of the patterns that may match a doc with these tokens; the others cannot.

        ``lowers`` and ``orths``: the doc's ``LOWER`` and ``ORTH`` ids.
        """
        # the anchor bits of every token, or-ed together in C (map and reduce)
        found = reduce(or_, map(self._slots["lower"].get, lowers, repeat(0)), 0)
        if self._slots["orth"]:
            found |= reduce(or_, map(self._slots["orth"].get, orths, repeat(0)), 0)
        mask, owner, needs = self._always, self._owner, self._needs
        rest = found
        while rest:  # only a pattern with one anchor found may have them all
            i = owner[(rest & -rest).bit_length() - 1]
            need, bit = needs[i]
            if found & need == need and self._placeable(i, lowers, orths):
                mask |= bit
            rest &= ~need  # the pattern's bits: done
        return mask

    def earliest(self, mask: int, lowers: list[int], orths: list[int]) -> int:
        """The first token at which a pattern in ``mask`` may start a match (0: any).

        Only a pattern whose first token is an anchor says where it may start.
        """
        columns, earliest = (lowers, orths), len(lowers)
        rest = mask
        while rest and earliest:
            low = rest & -rest
            rest ^= low
            start = self._starts[low.bit_length() - 1]
            if start is None:
                return 0
            orth, ids = start
            earliest = next((at for at, word in enumerate(columns[orth][:earliest])
                             if word in ids), earliest)
        return earliest

    def _placeable(self, i: int, lowers: list[int], orths: list[int]) -> bool:
        """Whether pattern ``i``'s anchors occur in its order, at distances it allows.

        A match puts its first anchor's token somewhere, every later anchor's token after it
        and within the fewest and most tokens the pattern allows between them: without such
        tokens, no match.
        """
        placed = self._placed[i]
        if placed is None:
            return True
        columns = (lowers, orths)
        (orth, first, low0, high0), rest = placed[0], placed[1:]
        size = len(lowers)
        for start, word in enumerate(columns[orth]):
            if word in first and all(
                    any(columns[orth_k][at] in ids for at in range(
                        max(start + 1, start + low - high0), min(size, start + high - low0 + 1)))
                    for orth_k, ids, low, high in rest):
                return True
        return False

    def matches(self, lowers: list[int], orths: list[int], mask: int, keys: Sequence[int]
                ) -> list[tuple[int, int, int]]:
        """(key, start, end) of the exact patterns in ``mask``, as spaCy's Matcher orders them.

        ``lowers``, ``orths``: the doc's ``LOWER`` and ``ORTH`` ids; ``keys``: the patterns'
        match ids. For patterns without operators the Matcher keeps its states in order of
        start, then pattern (each token adds one per pattern, after the older ones; a state
        is only ever dropped or advanced in place) and adds a match when its last token is
        read: so by end, start and pattern. A repeated (key, start, end) is dropped, as the
        Matcher does.
        """
        columns = (lowers, orths)
        found = []
        rest = mask
        while rest:
            low = rest & -rest
            rest ^= low
            anchors = self._exact[low.bit_length() - 1]
            assert anchors is not None, "only exact patterns are matched here"
            i, size = low.bit_length() - 1, len(anchors)
            (orth, first), others = anchors[0], anchors[1:]
            words = columns[orth]
            if not others:  # one token: the commonest cue
                found.extend((start + 1, start, i) for start, word in enumerate(words)
                             if word in first)
                continue
            for start in range(len(words) - size + 1):
                if words[start] in first and all(
                        columns[orth_k][start + k] in ids
                        for k, (orth_k, ids) in enumerate(others, 1)):
                    found.append((start + size, start, i))
        found.sort()
        out, seen = [], set()
        for end, start, i in found:
            match = (keys[i], start, end)
            if match not in seen:
                seen.add(match)
                out.append(match)
        return out
