"""Candidate codes: topics the codebook does not cover, drafted as codes a researcher can accept.

A run writes ``<codebook>.candidates.yaml`` beside the codebook it used (``recovery-capital.yaml``
→ ``recovery-capital.candidates.yaml``): per uncovered topic an id and label from its words, a
draft definition, exemplar segments (ids and short text: respondents' words, so they live in
this file and never in logs), suggested patterns from its most distinctive lemmas in the
codebook's own pattern format, and how many segments those patterns would code. The file is
data: it is read back with :func:`read_candidates` and validated. ``wavecoder codebook accept``
moves a candidate into the codebook (:mod:`pipeline.codebooks.accept`).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from pipeline import schema as s
from pipeline.codebooks.ids import slugify
from pipeline.config import CODE_ID_PATTERN, Code, Codebook, Pattern
from pipeline.errors import InputError

MAX_PATTERNS = 5
MIN_PATTERN_PRECISION = 0.5  # of the segments a suggested pattern codes, the topic's share
MIN_PATTERN_SEGMENTS = 3
EXEMPLAR_CHARS = 200
N_EXEMPLARS = 3
SHARED_TOP_WORDS = 2  # of their top 3 words; or the same leading word: one candidate
SHARED_WORD_COVERS = 0.5  # or a shared word whose pattern codes this share of each topic


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Exemplar(_Strict):
    """One segment of the topic: its id and the start of its text."""

    segment_id: str
    text: str


class Candidate(_Strict):
    """A drafted code from an uncovered topic, ready to accept into the codebook."""

    id: str = Field(pattern=CODE_ID_PATTERN)
    label: str
    definition: str
    wave: str
    topic_id: int
    topic_ids: list[int] = Field([], description="every topic drafted into it, largest first")
    new_in_wave: bool = False
    words: list[str] = []
    topic_segments: int = 0
    would_code: int = Field(0, description="segments of the wave its patterns code")
    would_code_in_topic: int = 0
    patterns: list[Pattern] = []
    exemplars: list[Exemplar] = []

    def as_code(self) -> Code:
        """The candidate as a codebook code (exemplar texts are not copied into it)."""
        return Code(id=self.id, label=self.label, definition=self.definition,
                    when_to_use=f"The passage is about {', '.join(self.words[:4])}.",
                    patterns=self.patterns)


class CandidatesFile(_Strict):
    """``<codebook>.candidates.yaml``: candidates for one codebook, from the waves coded."""

    codebook: str
    codebook_version: str
    candidates: list[Candidate] = []


def candidates_path(codebook_file: Path) -> Path:
    """``<codebook stem>.candidates.yaml`` beside the codebook file."""
    path = Path(codebook_file)
    return path.with_name(f"{path.stem}.candidates.yaml")


def read_candidates(path: Path) -> CandidatesFile:
    """The candidates file at ``path``; InputError naming the file and field when invalid."""
    if not Path(path).exists():
        raise InputError(f"{path}: no such file; code a wave with topics first (wavecoder run)")
    try:
        return CandidatesFile.model_validate(yaml.safe_load(Path(path).read_text("utf-8")))
    except (ValidationError, yaml.YAMLError) as exc:
        where = ""
        if isinstance(exc, ValidationError):
            first = exc.errors()[0]
            where = ": " + ".".join(str(p) for p in first["loc"]) + f": {first['msg']}"
        raise InputError(f"{path}: not a candidates file{where}") from None


def write_candidates(path: Path, found: CandidatesFile) -> Path:
    """Write ``found`` as YAML (with a comment saying what the file is)."""
    header = ("# Candidate codes drafted from topics the codebook does not cover. Exemplars are\n"
              "# respondents' words. Accept one with: wavecoder codebook accept ID --codebook "
              "CODEBOOK\n")
    Path(path).write_text(header + yaml.safe_dump(
        found.model_dump(mode="json", exclude_defaults=False), sort_keys=False,
        allow_unicode=True, width=100), encoding="utf-8")
    return Path(path)


def _pattern_hits(words: list[str], segments: pd.DataFrame, codebook: Codebook
                  ) -> dict[str, set[str]]:
    """For each word, the segments a LEMMA pattern of it codes (the rule coder's own matching)."""
    from pipeline.coding import RuleCoder

    ids = {f"w{i}_{slugify(w)}"[:60]: w for i, w in enumerate(words)}
    probe = Codebook(id=f"{codebook.id}-probe", version=codebook.version, codes=[
        Code(id=code_id, label=w, definition=w, patterns=[Pattern(phrase=w, attr="LEMMA")])
        for code_id, w in ids.items()])
    codings = RuleCoder(probe).code(segments)
    hits = {w: set() for w in words}
    for code_id, segment_id in zip(codings[s.CODE_ID], codings[s.SEGMENT_ID], strict=True):
        hits[ids[code_id]].add(str(segment_id))
    return hits


def _candidate_id(words: list[str], taken: set[str]) -> str:
    base = slugify("_".join(words[:2]) or "topic")
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}_{n}", n + 1
    return candidate


def _top(row) -> list[str]:
    return [str(w) for w in list(getattr(row, s.WORDS))[:3]]


def _words(row) -> list[str]:
    return [str(w) for w in getattr(row, s.WORDS)]


class _Theme:
    """Uncovered topics taken as one theme: their rows (largest first) and segments."""

    def __init__(self, row, members: set[str]) -> None:
        self.rows, self.members = [row], members
        self.new = bool(getattr(row, s.NEW_IN_WAVE, False))

    def joins(self, row, members: set[str], hits: dict[str, set[str]]) -> bool:
        """Whether ``row`` is this theme: the same leading words, or a shared word.

        The shared word's pattern must code both and little else: one clustering may split a
        theme across topics (``naloxone, kit, …`` and ``home, carry, …, naloxone``), and apart
        neither would keep the pattern.
        """
        if bool(getattr(row, s.NEW_IN_WAVE, False)) != self.new:
            return False
        top = _top(row)
        if any(top and _top(other) and (top[0] == _top(other)[0] or len(
                set(top) & set(_top(other))) >= SHARED_TOP_WORDS) for other in self.rows):
            return True
        shared = set(_words(row)) & {w for other in self.rows for w in _words(other)}
        return any(_defines(hits[w], members) and _defines(hits[w], self.members)
                   and len(hits[w] & (self.members | members))
                   >= MIN_PATTERN_PRECISION * len(hits[w]) for w in shared)

    def add(self, row, members: set[str]) -> None:
        self.rows.append(row)
        self.members = self.members | members


def _defines(hits: set[str], members: set[str]) -> bool:
    """Whether a word's pattern codes most of a topic's segments.

    A word both topics are about, not one two themes happen to share ("high" in "high
    turnover" and "legal highs").
    """
    return len(hits & members) >= max(MIN_PATTERN_SEGMENTS, SHARED_WORD_COVERS * len(members))


def _themes(found: pd.DataFrame, members_of, hits: dict[str, set[str]]) -> list[_Theme]:
    themes: list[_Theme] = []
    for row in found.itertuples(index=False):
        members = members_of(int(getattr(row, s.TOPIC_ID)))
        theme = next((t for t in themes if t.joins(row, members, hits)), None)
        if theme is None:
            themes.append(_Theme(row, members))
        else:
            theme.add(row, members)
    return themes


def _choose_patterns(words: list[str], hits: dict[str, set[str]], members: set[str]
                     ) -> list[str]:
    scored = [(len(h & members) / len(h), len(h & members), w) for w, h in hits.items()
              if len(h) >= MIN_PATTERN_SEGMENTS]
    return [w for p, n, w in sorted(scored, key=lambda x: (-x[1], -x[0], x[2]))
            if p >= MIN_PATTERN_PRECISION][:MAX_PATTERNS]


def draft_candidates(topics: pd.DataFrame, segment_topics: pd.DataFrame,
                     segments: pd.DataFrame, codebook: Codebook) -> list[Candidate]:
    """A candidate per uncovered theme (new-in-wave themes first, then the largest).

    A theme is an uncovered topic, or several with the same leading words or a word whose
    pattern codes them together (:class:`_Theme`). Patterns are the
    theme's words whose LEMMA pattern codes at least ``MIN_PATTERN_SEGMENTS`` segments,
    ``MIN_PATTERN_PRECISION`` of them in the theme; the count is what the rule coder codes
    with them, on this wave's segments.
    """
    from pipeline.export.tables import uncovered

    found = uncovered(topics)
    if found.empty:
        return []
    if s.NEW_IN_WAVE in found:
        found = found.sort_values([s.NEW_IN_WAVE, s.SIZE, s.TOPIC_ID],
                                  ascending=[False, False, True])
    text_of = segments.set_index(s.SEGMENT_ID)[s.TEXT]
    topic_of = segment_topics[s.TOPIC_ID]
    ids = segment_topics[s.SEGMENT_ID].astype(str)
    hits = _pattern_hits(list(dict.fromkeys(w for row in found.itertuples(index=False)
                                            for w in _words(row))), segments, codebook)
    taken = set(codebook.code_ids())
    drafted = []
    for theme in _themes(found, lambda topic: set(ids[topic_of == topic]), hits):
        group, members = theme.rows, theme.members
        head = group[0]
        topic_ids = [int(getattr(row, s.TOPIC_ID)) for row in group]
        words = list(dict.fromkeys(w for row in group for w in _words(row)))
        chosen = _choose_patterns(words, hits, members)
        coded = set().union(*(hits[w] for w in chosen)) if chosen else set()
        label_words = chosen or words
        code_id = _candidate_id(label_words, taken)
        taken.add(code_id)
        wave = str(getattr(head, s.WAVE))
        which = (f"topic {topic_ids[0]}" if len(topic_ids) == 1 else
                 "topics " + ", ".join(str(t) for t in topic_ids))
        exemplars = [i for row in group for i in list(getattr(row, s.REPRESENTATIVE_SEGMENTS))]
        drafted.append(Candidate(
            id=code_id, label=" and ".join(w.capitalize() if i == 0 else w
                                           for i, w in enumerate(label_words[:2])),
            definition=(f"DRAFT, to revise: passages about {', '.join(label_words[:4])}; drafted "
                        f"from {which} of wave {wave}, which no code covered."),
            wave=wave, topic_id=topic_ids[0], topic_ids=topic_ids,
            new_in_wave=bool(getattr(head, s.NEW_IN_WAVE, False)), words=words,
            topic_segments=sum(int(getattr(row, s.SIZE)) for row in group),
            would_code=len(coded), would_code_in_topic=len(coded & members),
            patterns=[Pattern(phrase=w, attr="LEMMA") for w in chosen],
            exemplars=[Exemplar(segment_id=str(i), text=str(text_of.get(i, ""))[:EXEMPLAR_CHARS])
                       for i in exemplars[:N_EXEMPLARS]]))
    return drafted


def update_candidates(path: Path, codebook: Codebook, wave: str,
                      drafted: list[Candidate]) -> Path:
    """Write this wave's candidates into ``path``, keeping other waves'.

    Candidates whose id the codebook now holds (accepted) are dropped.
    """
    kept: list[Candidate] = []
    if path.exists():
        try:
            kept = [c for c in read_candidates(path).candidates if c.wave != wave]
        except InputError:
            kept = []  # a broken file of drafts is rewritten, not a reason to stop the run
    taken = set(codebook.code_ids())
    ids = {c.id for c in drafted}
    merged = [c for c in kept if c.id not in taken and c.id not in ids] + drafted
    return write_candidates(path, CandidatesFile(codebook=codebook.id,
                                                 codebook_version=codebook.version,
                                                 candidates=merged))


def wave_candidates(topics: pd.DataFrame | None, segment_topics: pd.DataFrame | None,
                    segments: pd.DataFrame, codebook: Codebook, path: Path
                    ) -> dict[str, object]:
    """Draft this wave's candidates and write them to ``path`` (:func:`candidates_path`).

    Returns what run.json records (``topics.candidates``): the file and the candidate ids,
    never their exemplar texts.
    """
    if topics is None or topics.empty or segment_topics is None:
        return {}
    wave = str(topics[s.WAVE].iloc[0])
    drafted = draft_candidates(topics, segment_topics, segments, codebook)
    path = update_candidates(path, codebook, wave, drafted)
    return {"file": path.as_posix(), "ids": [c.id for c in drafted],
            "new_in_wave": [c.id for c in drafted if c.new_in_wave]}
