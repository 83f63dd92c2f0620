"""A spaCy Matcher for the stance cues whose word sets are checked in Cython, not in Python.

spaCy's Matcher checks ``{"LOWER": {"IN": [...]}}`` by calling a Python predicate for every
token and every such set, whether or not a match could start there: with about a hundred sets,
that was nearly all of the stance stage's time. :func:`compile_matcher` adds the same patterns,
in the same order and under the same keys, with each word set rewritten into a form the
Matcher checks without Python:

* a lexeme flag (``vocab.add_flag``): the set becomes a bit of each word, tested as
  ``{flag_id: True}`` (``NOT_IN``: ``False``). A LOWER set is a property of the lexeme; so is
  a LEMMA set, because the stance rules' lemma is a lookup of the lower-case form
  (``StanceRules.parse``). A vocabulary has 63 flag bits, some taken by spaCy's own.
* when the flags run short, a pattern that opens with a small set becomes one pattern per word
  (exact values are matched in Cython). At most one of them can start at a token, and the rest
  of the pattern is the same, so the matches and their order are the same.

Sets left over (flags all taken) stay Python predicates; they are only reached after the
pattern's first token matched, so they cost little. The matches are those of the plain
Matcher, in the same order: ``tests/test_stance_matcher.py`` checks it.
"""
from __future__ import annotations

from collections import Counter
from typing import Any, Mapping, Sequence

from spacy.attrs import LOWER, ORTH
from spacy.matcher import Matcher
from spacy.strings import get_string_id
from spacy.tokens import Doc
from spacy.vocab import Vocab

from pipeline.stance_anchors import Anchors, Placed, exact, pattern_anchors

# The attributes whose word sets depend on the lexeme only; the value is what the flag getter
# compares: the orth string itself or its lower-case form (LEMMA: through the lemma table).
_LEXEME_ATTRS = {"LOWER": "lower", "LEMMA": "lemma", "TEXT": "orth", "ORTH": "orth"}
_SET_OPS = {"IN": True, "NOT_IN": False}  # the flag value a token must have
WordSet = tuple[str, str, tuple[str, ...]]  # (kind, op, words)


class WordSetFlag:
    """Flag getter: whether a word's lower-case form (or its orth) hashes into ``ids``.

    Compared by value, so a second compile over the same vocabulary reuses the flag.
    """

    def __init__(self, ids: frozenset[int], lower: bool) -> None:
        self.ids = ids
        self.lower = lower

    def __call__(self, text: str) -> bool:
        """Whether the word ``text`` (a lexeme's orth) is in the set."""
        return get_string_id(text.lower() if self.lower else text) in self.ids

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, WordSetFlag) and other.ids == self.ids
                and other.lower == self.lower)

    def __hash__(self) -> int:
        return hash((self.ids, self.lower))


def _word_ids(kind: str, words: Sequence[str], lemmas: Mapping[int, str] | None,
              by_lemma: dict[str, set[int]] | None) -> frozenset[int]:
    """Hashes of the lower-case forms (or orths) a set accepts."""
    ids = {get_string_id(word) for word in words}
    if kind != "lemma":
        return frozenset(ids)
    assert lemmas is not None and by_lemma is not None
    # a form in the table has the table's lemma; any other form is its own lemma
    found = {key for word in words for key in by_lemma.get(word, ())}
    return frozenset(found | {i for i in ids if i not in lemmas})


def _set_of(attr: str, value: Any) -> WordSet | None:
    """(kind, op, words) when ``attr: value`` is a word set a flag can stand for."""
    kind = _LEXEME_ATTRS.get(attr.upper()) if isinstance(attr, str) else None
    if kind is None or not isinstance(value, dict) or len(value) != 1:
        return None
    ((op, words),) = value.items()
    if op not in _SET_OPS or not isinstance(words, list) or not all(
            isinstance(word, str) for word in words):
        return None
    return kind, op, tuple(words)


class _Flags:
    """The flags of one vocabulary: reused when equal, added while bits are free."""

    def __init__(self, vocab: Vocab) -> None:
        self.vocab = vocab
        self.added: dict[int, WordSetFlag] = {}

    def has(self, getter: WordSetFlag) -> bool:
        return any(bit < 64 and existing == getter
                   for bit, existing in self.vocab.lex_attr_getters.items())

    def get(self, getter: WordSetFlag) -> int | None:
        getters = self.vocab.lex_attr_getters
        for bit, existing in getters.items():
            if bit < 64 and existing == getter:
                return bit
        free = [bit for bit in range(1, 64) if bit not in getters]
        if not free:
            return None
        getters[free[0]] = getter  # new lexemes get the flag from here on
        self.added[free[0]] = getter
        return free[0]

    def free(self) -> int:
        return sum(1 for bit in range(1, 64) if bit not in self.vocab.lex_attr_getters)

    def set_existing(self) -> None:
        """Set the added flags on the lexemes already in the vocabulary, in one pass."""
        if not self.added:
            return
        mask = sum(1 << bit for bit in self.added)
        # the bits each word hash sets: one dict look-up per lexeme, not a call per flag
        by_form: dict[bool, dict[int, int]] = {True: {}, False: {}}
        for bit, getter in self.added.items():
            for word in getter.ids:
                by_form[getter.lower][word] = by_form[getter.lower].get(word, 0) | 1 << bit
        lowers, orths = by_form[True], by_form[False]
        for lex in self.vocab:
            bits = lowers.get(lex.lower, 0) | orths.get(lex.orth, 0) if lowers or orths else 0
            if lex.flags & mask != bits:
                lex.flags = (lex.flags & ~mask) | bits


def compile_matcher(vocab: Vocab, patterns: Sequence[tuple[str, list[dict[str, Any]]]],
                    lemmas: Mapping[int, str] | None = None) -> CueMatcher:
    """A Matcher with ``patterns`` (key, token pattern), word sets compiled as above.

    Args:
        vocab: the vocabulary of the docs to match (its flags are added to).
        patterns: (key, token pattern) in order, each already valid for a validating
            Matcher (the compiled ones are added without validation: flag ids are ints).
        lemmas: the lemma lookup table (hash of the lower-case form -> lemma) when the docs'
            lemmas are that lookup of each token's lower-case form; without it LEMMA sets stay
            Python predicates.
    """
    uses: Counter[WordSet] = Counter()
    openers: dict[WordSet, bool] = {}  # sets patterns open with -> whether it can expand
    for _key, tokens in patterns:
        for position, spec in enumerate(tokens):
            for attr, value in spec.items():
                found = _set_of(attr, value)
                if found is None or (found[0] == "lemma" and lemmas is None):
                    continue
                uses[found] += 1
                if position == 0:
                    alone = len(spec) == 1 and found[1] == "IN"
                    openers[found] = openers.get(found, True) and alone
    by_lemma: dict[str, set[int]] = {}
    for key, lemma in (lemmas or {}).items():
        by_lemma.setdefault(lemma, set()).add(key)
    getters = {found: WordSetFlag(_word_ids(found[0], found[2], lemmas, by_lemma),
                                  lower=found[0] != "orth") for found in uses}
    flags = _Flags(vocab)
    # Sets a pattern opens with are checked at every token: flags go to those first, and the
    # smallest of them become one pattern per word when the free bits would not cover them all.
    new = [found for found in openers if not flags.has(getters[found])]
    short = max(0, len(new) - flags.free())
    expand = set(sorted((f for f in new if openers[f]), key=lambda f: len(f[2]))[:short])
    order = sorted(uses, key=lambda f: (f not in openers or f in expand, -uses[f]))
    bit_of: dict[WordSet, int] = {}
    for found in order:
        bit = None if found in expand else flags.get(getters[found])
        if bit is not None:
            bit_of[found] = bit
    flags.set_existing()
    def lemma_forms(word: str) -> frozenset[int]:
        return _word_ids("lemma", [word], lemmas, by_lemma)

    forms = lemma_forms if lemmas is not None else None
    compiled = [(key, rewritten, pattern_anchors(rewritten, tokens, forms), exact(tokens, forms))
                for key, tokens in patterns for rewritten in _rewritten(tokens, bit_of, expand)]
    return CueMatcher(vocab, compiled)


class CueMatcher:
    """Matches of the compiled patterns, by a Matcher of only those that may match the doc.

    A pattern one of whose anchor words (``pipeline.stance_anchors``) is missing from the doc
    adds no match and leaves the other patterns' matches, and their order, as they were; so a
    Matcher of the other patterns (in the same order) finds the same matches, in the same
    order. Those Matchers are kept per set of patterns (a few hundred sets cover a wave).
    """

    def __init__(self, vocab: Vocab,
                 patterns: Sequence[tuple[str, list[dict[Any, Any]], list[Placed], bool]]
                 ) -> None:
        self.vocab = vocab
        self.patterns = [(key, tokens) for key, tokens, _, _ in patterns]
        self.anchors = Anchors([anchors for _, _, anchors, _ in patterns],
                               [is_exact for _, _, _, is_exact in patterns])
        self._keys = [vocab.strings.add(key) for key, _ in self.patterns]  # the Matcher's ids
        # patterns that read the doc's lemmas (a lemma the flags do not stand for)
        self.lemma_patterns = sum(1 << i for i, (_, tokens) in enumerate(self.patterns)
                                  if any(isinstance(attr, str) and attr.upper() == "LEMMA"
                                         for spec in tokens for attr in spec))
        self._matchers: dict[int, Matcher] = {}

    def _matcher(self, mask: int) -> Matcher:
        matcher = self._matchers.get(mask)
        if matcher is None:
            if len(self._matchers) >= 4096:  # a bound on memory; rebuilding is cheap
                self._matchers.clear()
            matcher = self._matchers[mask] = Matcher(self.vocab, validate=False)
            for i, (key, tokens) in enumerate(self.patterns):
                if mask >> i & 1:
                    matcher.add(key, [tokens])
        return matcher

    def possible(self, doc: Doc, columns: tuple[list[int], list[int]] | None = None) -> int:
        """Bit mask of the patterns (by index) that may match ``doc``; lemmas not needed.

        ``columns``: :meth:`columns` of ``doc``, if the caller has them.
        """
        return self.anchors.possible(*(columns or self.columns(doc)))

    @staticmethod
    def columns(doc: Doc) -> tuple[list[int], list[int]]:
        """The ``LOWER`` and ``ORTH`` ids of ``doc``'s tokens."""
        return doc.to_array(LOWER).tolist(), doc.to_array(ORTH).tolist()

    def needs_lemmas(self, mask: int) -> bool:
        """Whether :meth:`run` with ``mask`` reads the doc's lemmas (spaCy's Matcher does)."""
        return bool(mask & self.lemma_patterns) and bool(mask & ~self.anchors.exact)

    def run(self, doc: Doc, mask: int, columns: tuple[list[int], list[int]] | None = None
            ) -> list[tuple[int, int, int]]:
        """(match id, start, end) of the patterns in ``mask`` (of :meth:`possible`).

        ``columns``: :meth:`columns` of ``doc``, if the caller has them.

        When all of them are exact (their anchors are their whole test) without spaCy's
        Matcher; else by a Matcher of those patterns, with ``doc``'s lemmas when
        :meth:`needs_lemmas`.
        """
        if not mask:
            return []
        columns = columns or self.columns(doc)
        if not mask & ~self.anchors.exact:
            return self.anchors.matches(*columns, mask, self._keys)
        # No match starts before the earliest token a pattern may start at: the Matcher's
        # states from there on, and so its matches and their order, are those over the doc.
        first = self.anchors.earliest(mask, *columns)
        if not first:
            return self._matcher(mask)(doc)
        return [(key, start + first, end + first)
                for key, start, end in self._matcher(mask)(doc[first:])]

    def __call__(self, doc: Doc) -> list[tuple[int, int, int]]:
        """(match id, start, end) of every match, as the plain Matcher gives them."""
        return self.run(doc, self.possible(doc))


def _rewritten(tokens: list[dict[str, Any]], bit_of: Mapping[WordSet, int],
               expand: set[WordSet]) -> list[list[dict[str, Any]]]:
    """The patterns standing for ``tokens``: its sets as flags, or one pattern per word."""
    specs: list[dict[Any, Any]] = []
    for spec in tokens:
        out: dict[Any, Any] = {}
        for attr, value in spec.items():
            found = _set_of(attr, value)
            if found is not None and found in bit_of:
                out[bit_of[found]] = _SET_OPS[found[1]]
            else:
                out[attr] = value
        specs.append(out)
    first = tokens[0]
    if len(first) == 1:
        ((attr, value),) = first.items()
        found = _set_of(attr, value)
        if found is not None and found in expand and found not in bit_of:
            return [[{attr: word}, *specs[1:]] for word in dict.fromkeys(found[2])]
    return [specs]
