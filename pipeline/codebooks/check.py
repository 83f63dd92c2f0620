"""A codebook checked against a coded wave: what each code codes, and how to improve it.

For every code of a codebook, on one wave's published outputs (read with
:func:`pipeline.outputs.read_wave`): how many segments and respondents the published codings
give it; which other codes it shares segments with (count and Jaccard; a high Jaccard between
codes that are not parent and child suggests one is redundant); how many segments each of its
patterns matches when the codebook's rule matcher runs over the wave's segments (a pattern
with none is listed); and near misses with suggested patterns
(:mod:`pipeline.codebooks.near_misses`).

The patterns run are those of the codebook given, which may be a newer edit of the one the
wave was coded with: counts from the published codings are the wave's, pattern counts the
given codebook's, and the result says when the two codebooks differ.
"""

from __future__ import annotations

import warnings
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pipeline import schema as s
from pipeline.coding.matcher import LABEL_SEPARATOR, pattern_id
from pipeline.coding.negation import SPANS_KEY
from pipeline.coding.stream import codable
from pipeline.config import Code, Codebook, Pattern
from pipeline.embeddings import Embedder
from pipeline.export.tables import standing
from pipeline.outputs import WaveOutputs, as_wave
from pipeline.text import matchable

TOP_WORDS = 5  # the words a pattern matched most, listed per pattern
INDEX_MARK = "#"  # a pattern's key in the check's matcher ends with #<its index in the code>


@dataclass
class PatternUse:
    """One pattern of a code and how many of the wave's segments it matches."""

    pattern: str  # as the codings table names it: the pattern's id, its phrase, or code#index
    index: int  # its position in the code's ``patterns``
    kind: str  # phrase (lower-case), lemma, or tokens
    segments: int
    # The words it matched most often, lower-cased, with their counts: a token pattern
    # ({LOWER: {IN: [no, ok, ...]}}) may owe nearly all its matches to one of its words.
    matched_words: list[tuple[str, int]] = field(default_factory=list)


@dataclass
class NearMiss:
    """A segment close in meaning to a code that none of the code's patterns matched."""

    segment_id: str
    similarity: float
    coded_in_wave: bool  # the published codings give it the code all the same (another coder)
    text: str  # a respondent's words: for the output the user asked for, never for logs


@dataclass
class Suggestion:
    """A pattern to consider adding, in the codebook's own format, and what it would match."""

    pattern: Any  # a phrase string, or {"phrase": ..., "attr": "LEMMA"}
    yaml: str  # the pattern as one line of YAML, ready to paste under ``patterns:``
    score: float  # log-odds z-score of the words in near misses against all segments
    near_misses: int  # near-miss segments holding the words
    segments: int = 0  # segments of the wave the pattern would match (by the rule matcher)
    new_segments: int = 0  # of those, segments no pattern of the code (or its children) matches
    near_share: float = 0.0  # share of the segments holding the words that are near the code


@dataclass
class CodeCheck:
    """What one code codes in the wave and what could make its patterns better."""

    code_id: str
    label: str
    parent: str | None
    segments: int  # segments the published codings give the code (rejected codings left out)
    respondents: int
    matched_segments: int  # segments any of the given codebook's patterns for it match
    patterns: list[PatternUse] = field(default_factory=list)
    near_misses: list[NearMiss] = field(default_factory=list)
    suggestions: list[Suggestion] = field(default_factory=list)

    @property
    def unmatched_patterns(self) -> list[PatternUse]:
        """The code's patterns that match no segment of the wave."""
        return [p for p in self.patterns if p.segments == 0]


@dataclass
class Overlap:
    """Two codes given to the same segments."""

    code_a: str
    code_b: str
    together: int  # segments carrying both
    jaccard: float  # together / segments carrying either
    related: bool  # one is an ancestor of the other: overlap is expected, never redundant
    possibly_redundant: bool


@dataclass
class CodebookCheck:
    """A codebook checked on a wave: per code counts, overlaps, patterns and near misses."""

    wave: str
    outputs: str
    codebook: dict[str, str]  # id, version, sha256 of the codebook checked
    wave_codebook: dict[str, str]  # the same of the codebook the wave was coded with
    codebook_differs: bool
    coder: str  # the coder of the published codings
    segments_checked: int  # codable segments: not fillers, not the interviewer unless coded
    settings: dict[str, Any]
    codes: list[CodeCheck]
    overlaps: list[Overlap]
    # Answers given again and again that no code covers ("Did not answer" × 857 in one NHS
    # wave): each text as first written, with how many segments repeat it.
    uncoded_repeats: list[tuple[str, int]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The check as plain data (JSON-ready), near-miss texts included."""
        data = asdict(self)
        for code, entry in zip(self.codes, data["codes"], strict=True):
            entry["unmatched_patterns"] = [p.pattern for p in code.unmatched_patterns]
        return data


@dataclass(frozen=True)
class CheckSettings:
    """How much the check reports, and when it calls two codes possibly redundant."""

    redundant_jaccard: float = 0.5
    near_misses: int = 5  # shown per code
    near_miss_pool: int = 50  # the nearest unmatched segments suggestions are drawn from
    min_similarity: float = 0.35
    suggestions: int = 5
    min_count: int = 2  # a suggested word must occur in at least this many near misses
    min_near_share: float = 0.5  # ... and most segments holding it must be near the code
    repeats: int = 10  # uncoded answers repeated most, listed


# ------------------------------------------------------------------------- pattern matching


def _kind(pattern: Pattern) -> str:
    if pattern.tokens is not None:
        return "tokens"
    return "lemma" if pattern.attr == "LEMMA" else "phrase"


def _indexed(code: Code) -> Code:
    """``code`` with every pattern's id its index, so each match names the pattern it is."""
    patterns = [p.model_copy(update={"id": f"{INDEX_MARK}{i}"}) for i, p in
                enumerate(code.patterns)]
    return code.model_copy(update={"patterns": patterns,
                                   "children": [_indexed(c) for c in code.children]})


@dataclass
class PatternHits:
    """Where each pattern matched: ``positions[(code_id, index)]`` and the words it matched."""

    positions: dict[tuple[str, int], set[int]]
    words: dict[tuple[str, int], Counter]
    docs: list[Any]  # the matched spaCy docs: their lemmas feed the suggestions

    def get(self, key: tuple[str, int], default: Any = None) -> Any:
        """The text positions ``key``'s pattern matched."""
        return self.positions.get(key, default)


def match_patterns(codebook: Codebook, texts: list[str]) -> PatternHits:
    """Run the codebook's rule matcher over ``texts``, one key per (code id, pattern index)."""
    from pipeline.coding.rules import build_rule_pipeline

    indexed = codebook.model_copy(update={"codes": [_indexed(c) for c in codebook.codes]})
    nlp = build_rule_pipeline(indexed)
    hits = PatternHits({}, {}, [])
    with warnings.catch_warnings():  # W036: a codebook without token (or lemma) patterns
        warnings.filterwarnings("ignore", message=r"\[W036\]")
        for position, doc in enumerate(nlp.pipe(matchable(t) for t in texts)):
            for span in doc.spans[SPANS_KEY]:
                code_id, key = span.label_.split(LABEL_SEPARATOR, 1)
                pattern = (code_id, int(key.rsplit(INDEX_MARK, 1)[1]))
                hits.positions.setdefault(pattern, set()).add(position)
                hits.words.setdefault(pattern, Counter())[span.text.lower()] += 1
            hits.docs.append(doc)
    return hits


# ------------------------------------------------------------------------- counts, overlaps


def _descendants(codebook: Codebook) -> dict[str, set[str]]:
    """Each code id with the ids of the codes below it (itself included)."""
    below: dict[str, set[str]] = {code_id: {code_id} for code_id in codebook.code_ids()}
    for code_id in codebook.code_ids():
        for ancestor in codebook.ancestors(code_id):
            below[ancestor].add(code_id)
    return below


def overlaps(codings: pd.DataFrame, codebook: Codebook, *,
             redundant_jaccard: float) -> list[Overlap]:
    """Pairs of codes given to the same segments, most shared segments first.

    Args:
        codings: the codings that stand (one row per segment × code).
        codebook: says which codes are parent and child (their overlap is expected).
        redundant_jaccard: pairs at or above this Jaccard, not parent and child, are flagged.
    """
    pairs = codings[[s.SEGMENT_ID, s.CODE_ID]].drop_duplicates()
    if pairs.empty:
        return []
    matrix = pd.crosstab(pairs[s.SEGMENT_ID], pairs[s.CODE_ID]).clip(upper=1)
    ids = list(matrix.columns)
    values = matrix.to_numpy(dtype=np.int64)
    together = values.T @ values
    sizes = np.diag(together)
    known = set(codebook.code_ids())
    related = {(a, b) for a, below in _descendants(codebook).items() for b in below if a != b}
    found = []
    for i, j in zip(*np.triu_indices(len(ids), k=1), strict=True):
        if together[i, j] == 0:
            continue
        a, b = ids[i], ids[j]
        jaccard = float(together[i, j] / (sizes[i] + sizes[j] - together[i, j]))
        is_related = (a, b) in related or (b, a) in related
        found.append(Overlap(a, b, int(together[i, j]), round(jaccard, 4), is_related,
                             jaccard >= redundant_jaccard and not is_related
                             and a in known and b in known))
    return sorted(found, key=lambda o: (-o.together, -o.jaccard, o.code_a, o.code_b))


def _respondents(segments: pd.DataFrame, documents: pd.DataFrame) -> pd.Series:
    """Segment id → respondent (the document where a row has no respondent id)."""
    who = documents.set_index(s.DOCUMENT_ID)[s.RESPONDENT_ID]
    respondent = segments[s.DOCUMENT_ID].map(who)
    return pd.Series(respondent.fillna(segments[s.DOCUMENT_ID]).to_numpy(),
                     index=segments[s.SEGMENT_ID].to_numpy())


# ------------------------------------------------------------------------- the check


def uncoded_repeats(segments: pd.DataFrame, coded: set[str], *, top: int) -> list[tuple[str,
                                                                                      int]]:
    """The ``top`` texts repeated most among uncoded segments.

    Case, spacing and closing punctuation aside: "Nothing." and "nothing" are one answer.
    """
    uncoded = segments[~segments[s.SEGMENT_ID].isin(coded)]
    keys = uncoded[s.TEXT].astype(str).map(
        lambda text: " ".join(text.lower().split()).rstrip(" .!?,;:"))
    counts = keys.value_counts(sort=False)
    first = dict(zip(keys[::-1], uncoded[s.TEXT].astype(str)[::-1], strict=True))
    repeated = sorted(((n, key) for key, n in counts.items() if n > 1),
                      key=lambda item: (-item[0], item[1]))
    return [(first[key], int(n)) for n, key in repeated[:top]]


def _codebook_ref(book: Codebook | None, run_ref: Any = None) -> dict[str, str]:
    if run_ref is not None and run_ref.sha256:
        return {"id": run_ref.id, "version": run_ref.version, "sha256": run_ref.sha256}
    if book is None:
        return {"id": "", "version": "", "sha256": ""}
    return {"id": book.id, "version": book.version, "sha256": book.sha256}


def check_codebook(outputs: Path | WaveOutputs, codebook: Codebook, embedder: Embedder, *,
                   settings: CheckSettings = CheckSettings()) -> CodebookCheck:
    """Check ``codebook`` on a wave's published outputs.

    Args:
        outputs: the wave's outputs folder (or what :func:`read_wave` read from it).
        codebook: the codebook whose patterns are run; its codes are the ones reported.
        embedder: embeds codes' descriptions and segments for the near misses.
        settings: how much to report.
    """
    from pipeline.codebooks import near_misses as near

    wave = as_wave(outputs)
    run = wave.run
    code_interviewer = bool(run.parameters.get("code_interviewer")) if run else False
    segments = wave.segments[codable(wave.segments, code_interviewer=code_interviewer)]
    segments = segments[segments[s.TEXT].fillna("").str.strip() != ""].reset_index(drop=True)
    texts = segments[s.TEXT].astype(str).tolist()
    codings = standing(wave.codings)
    by_code = {code_id: set(ids) for code_id, ids in codings.groupby(s.CODE_ID)[s.SEGMENT_ID]}
    respondent_of = _respondents(wave.segments, wave.documents)

    hits = match_patterns(codebook, texts)
    below = _descendants(codebook)
    checks: list[CodeCheck] = []
    matched_by: dict[str, set[int]] = {}
    for code, parent in codebook.walk():
        uses = [PatternUse(pattern_id(code.id, i, p), i, _kind(p),
                           len(hits.get((code.id, i), ())),
                           hits.words.get((code.id, i), Counter()).most_common(TOP_WORDS))
                for i, p in enumerate(code.patterns)]
        matched_by[code.id] = set().union(*(hits.get((code.id, i), set())
                                            for i in range(len(code.patterns))))
        coded = by_code.get(code.id, set())
        checks.append(CodeCheck(code.id, code.label, parent, len(coded),
                                int(respondent_of.reindex(list(coded)).nunique()),
                                len(matched_by[code.id]), uses))

    # Near misses: what each code's patterns (or its children's) leave out, nearest first.
    covered = {c: set().union(*(matched_by[d] for d in below[c])) for c in matched_by}
    if texts:
        vectors = embedder.embed(texts)
        words = near.segment_words(hits.docs)
        for check, (code, _parent) in zip(checks, codebook.walk(), strict=True):
            sims = near.similarity(code, vectors, embedder)
            pool, check.near_misses = near.near_misses(
                segments, sims, covered[code.id], by_code.get(code.id, set()), settings)
            check.suggestions = near.suggest(code, pool, words, sims, settings)
        near.count_suggestions(checks, codebook, texts, covered)

    wave_book = _codebook_ref(wave.codebook, run.codebook if run else None)
    differs = bool(wave_book["sha256"]) and wave_book["sha256"] != codebook.sha256
    notes = []
    if differs:
        notes.append(f"the codebook checked ({codebook.id} {codebook.version}) differs from the "
                     f"one the wave was coded with ({wave_book['id']} {wave_book['version']}): "
                     "segment and respondent counts and overlaps are the wave's published "
                     "codings; pattern counts, near misses and suggestions are this codebook's")
    unknown = sorted(set(by_code) - set(codebook.code_ids()))
    if unknown:
        notes.append(f"{len(unknown)} codes in the wave's codings are not in this codebook: "
                     + ", ".join(unknown))
    return CodebookCheck(
        wave=wave.wave, outputs=str(wave.directory),
        codebook=_codebook_ref(codebook), wave_codebook=wave_book, codebook_differs=differs,
        coder=run.coder if run else "", segments_checked=len(segments),
        settings=asdict(settings) | {"embedding": embedder.name},
        codes=checks,
        overlaps=overlaps(codings, codebook, redundant_jaccard=settings.redundant_jaccard),
        uncoded_repeats=uncoded_repeats(segments, set(codings[s.SEGMENT_ID]),
                                        top=settings.repeats),
        notes=notes)
