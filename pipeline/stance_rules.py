"""Stance cues: the cue file read and validated, and the rules that find cues in a segment.

The cue file (``models/stance/cues.yaml``) is data: Matcher patterns, each setting a stance, a
direction or both, and the word lists for negators, clause openers and problems.
:class:`StanceRules` parses a segment and lists its cues (:class:`Hit`) with their clauses;
:mod:`pipeline.stance` chooses, for each coding, the cue that speaks for its evidence.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Literal

import numpy
from pydantic import BaseModel, ConfigDict, Field
from spacy.attrs import IDX, IS_PUNCT, LEMMA, LENGTH, LOWER, ORTH, SPACY
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.strings import get_string_id
from spacy.tokens import Doc

from pipeline.config import ConfigError, read_yaml, token_pattern_problems
from pipeline.nlp import load_nlp
from pipeline.stance_matcher import compile_matcher
from pipeline.text import matchable

CUES_PATH = Path(__file__).resolve().parent.parent / "models" / "stance" / "cues.yaml"
NEEDED, GAP, AVAILABLE = "needed", "gap", "available"
IMPROVED, WORSENED, SAME = "improved", "worsened", "same"
# Openers of clauses that give a time or cause; their cues never speak for another clause.
SUBORDINATE = {"since", "because", "once", "when", "until", "unless", "although", "though",
               "whereas", "while", "where", "who"}
PREPOSITIONS = {"in", "of", "for", "at", "on", "with", "among", "amongst", "across", "from",
                "by", "to", "into", "within", "around", "about", "over", "under", "after"}
_SUBORDINATE = {get_string_id(word) for word in SUBORDINATE}
_DASH, _AND, _COMMA, _OF = (get_string_id(word) for word in ("-", "and", ",", "of"))
MEASURES = {"number", "numbers", "level", "levels", "rate", "rates", "amount", "proportion",
            "share", "count", "cost", "costs"}


def _ids(words: Iterable[str]) -> frozenset[int]:
    return frozenset(get_string_id(word) for word in words)


_PREPOSITIONS, _MEASURES = _ids(PREPOSITIONS), _ids(MEASURES)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Cue(_Strict):
    """One cue: a Matcher pattern and what it says."""

    id: str
    tokens: list[dict[str, Any]] = Field(min_length=1)
    stance: Literal["needed", "gap", "available"] | None = None
    direction: Literal["improved", "worsened", "same", "up", "down"] | None = None
    weak: bool = False
    negatable: bool = True
    not_after: list[str] = []
    not_before: list[str] = []


class CueTable(_Strict):
    """The cue file: word lists and cues."""

    version: str
    negators: list[str]
    clause_openers: list[str]
    clause_marks: list[str]
    auxiliaries: list[str]
    problems: list[str]
    cues: list[Cue]


@dataclass(frozen=True)
class Hit:
    """A cue found in a segment: what it says, its tokens, its clause, and its char span."""

    kind: str  # "stance" or "direction"
    value: str | None
    start: int  # token span, negator included
    end: int
    clause: int
    weak: bool
    char_start: int
    char_end: int


class StanceRules:
    """The compiled cue table; ``hits(doc)`` lists the stance and direction cues of a segment."""

    def __init__(self, table: CueTable, nlp: Language) -> None:
        self.table = table
        self.nlp = nlp
        self.cues = {cue.id: cue for cue in table.cues}
        for cue in table.cues:
            try:
                Matcher(nlp.vocab, validate=True).add(cue.id, [cue.tokens])
            except (ValueError, KeyError) as exc:
                raise ConfigError(f"stance cue '{cue.id}': invalid token pattern: {exc}") from None
        self.negators = set(table.negators)
        self.openers = set(table.clause_openers)
        self.marks = set(table.clause_marks)
        self.aux = set(table.auxiliaries)
        self.problems = set(table.problems)
        lemmatizer = nlp.get_pipe("lemmatizer")
        self._lookup = lemmatizer.lookups.get_table("lemma_lookup")  # type: ignore[attr-defined]
        self._lemma_of: dict[int, int] = {}  # lower-case form id -> lemma id
        self._opening = {get_string_id(word) for word in self.openers | self.marks}
        self._may_open = self._opening | {_DASH, _AND}
        # the word lists as string ids, compared with the tokens' LOWER (and lemma) ids
        self._negators = _ids(self.negators)
        self._aux = _ids(self.aux)
        self._problems = _ids(self.problems)
        self._not_after = {cue.id: _ids(cue.not_after) for cue in table.cues}
        self._not_before = {cue.id: _ids(cue.not_before) for cue in table.cues}
        # the same matches as a plain Matcher of the cues, with the word sets checked in Cython
        self.matcher = compile_matcher(nlp.vocab, [(cue.id, cue.tokens) for cue in table.cues],
                                       lemmas=self._lookup)

    def parse(self, text: str) -> Doc:
        """Tokens of ``text`` with lower-case lemmas (the lookup table keys lower-case forms)."""
        doc = self.tokens(text)
        self._set_lemmas(doc)
        return doc

    def tokens(self, text: str) -> Doc:
        """Tokens of ``text`` without lemmas; :meth:`hits` adds them if a cue needs them."""
        return self.nlp.make_doc(matchable(text))

    def _lemma(self, lower: int) -> int:
        """The lemma's string id of a lower-case form's id (added to the strings once)."""
        lemma = self._lemma_of.get(lower)
        if lemma is None:  # once per word form
            strings = self.nlp.vocab.strings
            word = strings[lower]
            lemma = self._lemma_of[lower] = strings.add(self._lookup.get(word, word))
        return lemma

    def _set_lemmas(self, doc: Doc) -> None:
        if len(doc):
            lemma_of, lemma = self._lemma_of, self._lemma
            lemmas = [lemma_of.get(lower) or lemma(lower) for lower in doc.to_array(LOWER).tolist()]
            doc.from_array([LEMMA], numpy.array(lemmas, dtype="uint64").reshape(-1, 1))

    def clauses(self, doc: Doc) -> tuple[list[int], set[int]]:
        """Clause number of each token, and the clause numbers opened by a subordinator."""
        return self._clauses(doc.to_array(LOWER).tolist(), doc.to_array(SPACY).tolist())

    def _clauses(self, words: list[int], spaced: list[int]) -> tuple[list[int], set[int]]:
        # word ids, not strings: no Token object per word (the Matcher compares ids too);
        # only the few words that may open a clause are looked at twice
        opening, breaks = self._opening, []
        for i in [i for i, word in enumerate(words) if word in self._may_open]:
            word = words[i]
            if i and (word in opening or word == _DASH and (spaced[i] or spaced[i - 1])
                      or word == _AND and words[i - 1] == _COMMA):
                breaks.append(i)
        subordinate = {number for number, i in enumerate(breaks, 1) if words[i] in _SUBORDINATE}
        if words and words[0] in _SUBORDINATE:
            subordinate.add(0)
        numbers: list[int] = []
        for number, i in enumerate(breaks):
            numbers.extend([number] * (i - len(numbers)))
        numbers.extend([len(breaks)] * (len(words) - len(numbers)))
        return numbers, subordinate

    def _negator(self, words: list[int], start: int, end: int, clause_of: list[int]) -> int | None:
        """A negator inside the cue ("is not a problem") or up to three words before it."""
        for i in range(start, end - 1):
            if words[i] in self._negators:
                return i
        for i in range(start - 1, max(-1, start - 4), -1):
            if clause_of[i] != clause_of[start]:
                return None
            if words[i] in self._negators:
                return i
        return None

    def _is_problem(self, words: list[int], punct: list[int], start: int, end: int,
                    clause_of: list[int]) -> bool:
        """Whether what changed (the subject before the cue, or its object) is a problem."""
        problems, lemma = self._problems, self._lemma
        if any(words[i] in problems or lemma(words[i]) in problems for i in range(start, end)):
            return True
        chunk: list[int] = []  # the subject: back to the clause start or a comma, minus aux.
        for i in range(start - 1, -1, -1):
            if clause_of[i] != clause_of[start] or punct[i] and words[i] != _DASH:
                break
            chunk.insert(0, words[i])
        while chunk and (lemma(chunk[-1]) in self._aux or chunk[-1] in self._aux):
            chunk.pop()
        head: list[int] = []
        for word in chunk:
            if word in _PREPOSITIONS and head and head[-1] not in _MEASURES:
                break
            head.append(word)
        subject = head[-1:] if head and head[-1] not in _MEASURES else head
        following = []  # the object: a few words on, through "of"
        for i in range(end, min(len(words), end + 5)):
            if clause_of[i] != clause_of[start] or punct[i] or (
                    words[i] in _PREPOSITIONS and words[i] != _OF):
                break
            following.append(words[i])
        return any(word in problems or lemma(word) in problems for word in [*subject, *following])

    def hits(self, doc: Doc, *, own_lemmas: bool = True) -> tuple[list[Hit], list[int], set[int]]:
        """Stance and direction cues of ``doc``, after filters, negation and overlaps.

        ``doc`` from :meth:`parse` or :meth:`tokens` (lemmas are added when a cue needs them),
        or any doc of ``matchable(text)`` in this pipeline's vocabulary: ``own_lemmas=False``
        says lemmas it may have are not these rules' (the rule coder's lemmatise each form as
        written, these rules its lower-case form), so they are set again when a cue needs them.
        """
        if not len(doc):
            return [], [], set()
        words, orths, spaced, idx, length, punct = doc.to_array(
            [LOWER, ORTH, SPACY, IDX, LENGTH, IS_PUNCT]).T.tolist()
        clause_of, subordinate = self._clauses(words, spaced)
        mask = self.matcher.possible(doc, (words, orths))
        if self.matcher.needs_lemmas(mask) and not (own_lemmas and doc.has_annotation("LEMMA")):
            self._set_lemmas(doc)
        found: list[tuple[str, int, int]] = []
        strings = self.nlp.vocab.strings
        for match_id, start, end in self.matcher.run(doc, mask, (words, orths)):
            cue_id = strings[match_id]
            # a spaced dash is a clause break, not a hyphen ("cut - so" is not "drop-in");
            # 0 is the id of "" (no word), as the plain strings compared before
            before = words[start - 1] if start else 0
            after = words[end] if end < len(words) else 0
            if before == _DASH and spaced[start - 1]:
                before = 0
            if after == _DASH and spaced[end - 1]:
                after = 0
            if before in self._not_after[cue_id] or after in self._not_before[cue_id]:
                continue
            found.append((cue_id, start, end))
        raw: list[tuple[str, str, str | None, int, int, bool, int | None]] = []
        for cue_id, start, end in found:
            cue = self.cues[cue_id]
            negator = self._negator(words, start, end, clause_of) if cue.negatable else None
            for kind, value in (("stance", cue.stance), ("direction", cue.direction)):
                if value is None:
                    continue
                if value in ("up", "down"):
                    flip = self._is_problem(words, punct, start, end, clause_of)
                    value = IMPROVED if (value == "up") != flip else WORSENED
                if negator is not None:
                    value = _negated(value)
                raw.append((kind, cue_id, value, start, end, cue.weak, negator))
        negators = {(kind, n) for kind, _, _, _, _, _, n in raw if n is not None}
        kept: list[Hit] = []
        for kind, _cue_id, value, start, end, weak, negator in raw:
            if (kind, start) in negators and end - start == 1:
                continue  # the cue is the negator of another cue ("no shortage of")
            if any(k == kind and s0 <= start and end <= e0 and (e0 - s0) > (end - start)
                   for k, _, _, s0, e0, _, _ in raw):
                continue  # inside a longer cue of the same kind ("no longer a problem")
            first = start if negator is None else negator
            kept.append(Hit(kind, value, first, end, clause_of[start], weak,
                            idx[first], idx[end - 1] + length[end - 1]))
        return kept, clause_of, subordinate


def _negated(value: str) -> str | None:
    return {AVAILABLE: GAP, GAP: AVAILABLE, NEEDED: None, IMPROVED: SAME, WORSENED: SAME}.get(value)


@lru_cache(maxsize=4)
def load_rules(path: Path = CUES_PATH, nlp: Language | None = None) -> StanceRules:
    """The cue table at ``path``, validated and compiled (cached per process).

    ``nlp``: the pipeline whose docs the rules will read (a blank English one with a lookup
    lemmatizer, as the rule coder's); by default the shared one of :func:`load_nlp`.
    """
    from pydantic import ValidationError

    try:
        table = CueTable.model_validate(read_yaml(path))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"{path}: invalid stance cues: {where}: {first['msg']}") from None
    problems = [f"cues[{index}] (id '{cue.id}').tokens: {problem}"
                for index, cue in enumerate(table.cues)
                for problem in token_pattern_problems(cue.tokens)]
    if problems:
        raise ConfigError(f"{path}: invalid stance cues: " + "; ".join(problems))
    return StanceRules(table, nlp or load_nlp())
