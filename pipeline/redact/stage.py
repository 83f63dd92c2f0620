"""Pseudonymisation: identifiers in a wave's documents replaced by stable placeholders.

Runs on the ``documents`` table before segmentation, so every later offset refers to the redacted
text. Within a wave the same original always gets the same placeholder (``[PERSON_1]``,
``[PHONE_2]``, numbered by first appearance in document order), and a re-run on the same input,
or with the previous mapping, gives the same placeholders. The mapping (placeholder → original)
is returned separately; :func:`pipeline.redact.mapping.write_mapping` keeps it owner-only.

Respondents' words never go into logs or exception messages from here: errors name the document,
its source and line.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd
import regex

from pipeline import schema as s
from pipeline.errors import ConfigError, InputError
from pipeline.redact.engine import RedactConfig, build_analyzer
from pipeline.redact.identifiers import (
    ADDRESS,
    EMAIL,
    ENTITIES,
    NHS_NUMBER,
    PERSON,
    PHONE,
    POSTCODE,
    TITLES,
    phone_key,
)

# Which finding wins where two overlap: checked identifiers first, names (the least sure) last.
_PRIORITY = {NHS_NUMBER: 0, EMAIL: 1, PHONE: 2, POSTCODE: 3, ADDRESS: 4, PERSON: 5}
_TITLE = re.compile(rf"^(?:{'|'.join(re.escape(t) for t in TITLES)})\s+")
_POSSESSIVE = re.compile(r"['’]s$")
_BATCH = 64
KEEP_FILE = Path(__file__).with_name("keep.txt")


@dataclass(frozen=True, order=True)
class Finding:
    """An identifier in a text: ``text[start:end]``, its entity type and Presidio's score."""

    start: int
    end: int
    entity_type: str
    score: float = field(compare=False, default=1.0)
    source: str = field(compare=False, default="")  # the recogniser that found it


@dataclass(frozen=True)
class Redacted:
    """What :func:`redact_documents` returns.

    Attributes:
        documents: the input table with identifiers in ``text`` (and the asked-for attribute
            columns) replaced by placeholders; same rows, columns and order.
        mapping: the ``REDACTION_MAPPING`` table, one row per placeholder and original form.
        counts: replacements made per entity type (numbers only, safe to log).
    """

    documents: pd.DataFrame
    mapping: pd.DataFrame
    counts: dict[str, int]


def entity_key(entity_type: str, original: str) -> str:
    """The form two spellings of one identifier share (so they get one placeholder)."""
    if entity_type in (PHONE,):
        return phone_key(original)
    if entity_type == NHS_NUMBER:
        return re.sub(r"\D", "", original)
    if entity_type == POSTCODE:
        return re.sub(r"\s", "", original).upper()
    return " ".join(original.split()).casefold()


def _tidy_person(text: str, finding: Finding) -> Finding | None:
    """A name span without a leading title, possessive ending or surrounding punctuation."""
    start, end = finding.start, finding.end
    span = text[start:end]
    title = _TITLE.match(span)
    if title:
        start += title.end()
    span = text[start:end]
    possessive = _POSSESSIVE.search(span)
    if possessive:
        end -= len(possessive.group())
    while start < end and not text[start].isalnum():
        start += 1
    while end > start and not text[end - 1].isalnum():
        end -= 1
    if end - start < 2 or not text[start].isupper() or text[start:end] in TITLES:
        return None
    return Finding(start, end, PERSON, finding.score, finding.source)


def _select(findings: Iterable[Finding]) -> list[Finding]:
    """Non-overlapping findings: by type priority, then longer, then higher score."""
    chosen: list[Finding] = []
    ranked = sorted(findings, key=lambda f: (_PRIORITY[f.entity_type], f.start - f.end, -f.score))
    for finding in ranked:
        if all(finding.end <= c.start or finding.start >= c.end for c in chosen):
            chosen.append(finding)
    return sorted(chosen)


@lru_cache(maxsize=1)
def _builtin_keep() -> tuple[str, ...]:
    lines = (KEEP_FILE.read_text(encoding="utf-8")).splitlines()
    return tuple(line.strip() for line in lines if line.strip() and not line.startswith("#"))


@lru_cache(maxsize=8)
def _keep_pattern(extra: tuple[str, ...]) -> regex.Pattern:
    """Whole-word, case-blind occurrences of the keep list and ``extra``."""
    terms = sorted({*_builtin_keep(), *extra}, key=len, reverse=True)
    return regex.compile(rf"(?<!\w)(?:{'|'.join(regex.escape(t) for t in terms)})(?!\w)",
                         regex.IGNORECASE)


def _not_kept(text: str, findings: list[Finding], keep: regex.Pattern) -> list[Finding]:
    """Findings without names that touch a keep-list phrase or name an organisation."""
    kept = [(m.start(), m.end()) for m in keep.finditer(text)]
    kept += [(m.start(), m.end()) for m in _ORGANISATION.finditer(text)]
    return [f for f in findings if f.entity_type != PERSON
            or all(f.end <= start or f.start >= end for start, end in kept)]


# Names found from their context (a title, a cue, a speaker label): trusted even where the
# model elsewhere calls the same word a place.
_CONTEXT_SOURCES = frozenset({"TitledNameRecognizer", "CuedNameRecognizer",
                              "SpeakerLabelRecognizer"})
_PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
# Capitalised words ending in one of these name an organisation or a place of care, not a person
# ("Bristol Drugs Project", "the Nelson Trust", "Hollybush Surgery").
_ORGANISATION_WORDS = (
    "Project", "Projects", "Trust", "Service", "Services", "Centre", "Center", "Clinic", "Team",
    "Hub", "Group", "Foundation", "Partnership", "Network", "Association", "Council", "Hospital",
    "Surgery", "Practice", "Pharmacy", "House", "Unit", "Ward", "Charity", "Society", "Programme",
    "Recovery", "Court", "Prison", "Academy", "College", "School", "University", "Church",
    "Mosque", "Temple", "Ltd", "CIC")
_ORGANISATION = regex.compile(
    rf"(?:[A-Z][\w'’&-]*[ ]){{1,4}}(?:{'|'.join(_ORGANISATION_WORDS)})\b")
_LOWER_WORD = regex.compile(r"(?<![\w'’-])\p{Ll}+(?![\w'’-])")
_PLACE_CUES = frozenset({"in", "near", "around", "across"})


def _vote_places(doc, votes: Counter, cued: Counter) -> None:  # noqa: ANN001 - a spaCy Doc
    """Count, per capitalised word or phrase, the model's and the grammar's place evidence.

    A place entity counts for a place and a PERSON entity against (spaCy's small model calls
    many boroughs people and many unfamiliar names places); a phrase after "in", "near",
    "around" or "out of" ("services in Lambeth") counts twice, and in ``cued`` too.
    """
    for ent in doc.ents:
        if ent.label_ in _PLACE_LABELS:
            votes[ent.text] += 1
        elif ent.label_ == "PERSON":
            votes[ent.text] -= 1
    for token in doc[:-1]:
        out_of = token.lower_ == "of" and token.i > 0 and doc[token.i - 1].lower_ == "out"
        if token.lower_ in _PLACE_CUES or out_of:
            run = list(doc[token.i + 1:token.i + 4])
            end = next((k for k, t in enumerate(run) if not t.text[:1].isupper()), len(run))
            if end:  # the grammar outweighs the small model
                phrase = doc[token.i + 1:token.i + 1 + end].text
                votes[phrase] += 2
                cued[phrase] += 1


def _analyse(texts: list[str], config: RedactConfig) -> tuple[list[list[Finding]], set[str]]:
    """Findings per text, and the words the model calls places more often than people."""
    analyzer = build_analyzer(config.names, config.model, config.proper_nouns)
    results, votes, cued = [], Counter(), Counter()
    batches = analyzer.nlp_engine.process_batch(texts, language="en", batch_size=_BATCH)
    for text, artifacts in batches:
        _vote_places(artifacts.tokens, votes, cued)
        found = analyzer.analyze(text, language="en", entities=list(ENTITIES),
                                 score_threshold=config.threshold, nlp_artifacts=artifacts)
        findings = []
        for result in found:
            source = (result.recognition_metadata or {}).get("recognizer_name", "")
            finding = Finding(result.start, result.end, result.entity_type, result.score, source)
            if finding.entity_type == PERSON:
                finding = _tidy_person(text, finding)
            if finding is not None:
                findings.append(finding)
        results.append(findings)
    # A place needs the grammar's word for it at least once: the model alone is too unsure.
    return results, {word for word, vote in votes.items() if vote > 0 and cued[word]}


def _plausible_names(texts: list[str], findings: list[list[Finding]], places: set[str],
                     keep: regex.Pattern) -> list[list[Finding]]:
    """Drop names that are, over the whole wave, more likely something else.

    A name found by the model or as a proper noun goes when the model and the grammar more often
    call it a place, when it touches a keep-list phrase or an organisation's name, or when it is
    one word the wave also uses in lower case ("Email ...", "Recovery is ..."): people's names
    are not written in lower case. Names found from context (a title, a cue, a speaker label)
    only go for the keep list.
    """
    # Lower-case words of the wave, outside email addresses and links ("craig.jones@...").
    words = {w for text in texts for chunk in text.split() if "@" not in chunk
             and "/" not in chunk for w in _LOWER_WORD.findall(chunk)}
    out = []
    for text, found in zip(texts, findings, strict=True):
        found = _not_kept(text, found, keep)
        out.append([f for f in found if f.entity_type != PERSON or f.source in _CONTEXT_SOURCES
                    or not (text[f.start:f.end] in places
                            or text[f.start:f.end].casefold() in words)])
    return out


def _propagate(texts: list[str], findings: list[list[Finding]]) -> list[list[Finding]]:
    """Add every other occurrence in the wave of a name found somewhere in it."""
    names = {text[f.start:f.end] for text, found in zip(texts, findings, strict=True)
             for f in found if f.entity_type == PERSON}
    if not names:
        return findings
    alternatives = "|".join(regex.escape(n) for n in sorted(names, key=len, reverse=True))
    pattern = regex.compile(rf"(?<![\w@.])(?:{alternatives})(?![\w@])")
    return [[*found, *(Finding(m.start(), m.end(), PERSON, 0.5, "propagated")
                       for m in pattern.finditer(text))]
            for text, found in zip(texts, findings, strict=True)]


def find_identifiers(texts: Sequence[str], config: RedactConfig | None = None,
                     ) -> list[list[Finding]]:
    """The identifiers in each text, non-overlapping and in text order.

    Args:
        texts: the texts of one wave (names found in one are looked for in all when
            ``config.propagate``).
        config: how to find them (default: :class:`RedactConfig`'s measured best).
    """
    config = config or RedactConfig()
    texts = list(texts)
    findings, places = _analyse(texts, config)
    keep = _keep_pattern(tuple(config.keep))
    findings = _plausible_names(texts, findings, places, keep)
    if config.propagate:
        findings = _propagate(texts, findings)
        findings = [_not_kept(text, found, keep) for text, found in zip(texts, findings,
                                                                        strict=True)]
    return [_select(found) for found in findings]


class _Placeholders:
    """Placeholders per (entity type, key), numbered per type in order of first appearance."""

    def __init__(self, wave: str, previous: pd.DataFrame | None) -> None:
        self.wave = wave
        self.by_key: dict[tuple[str, str], str] = {}
        self.counters = dict.fromkeys(ENTITIES, 0)
        self.rows: dict[tuple[str, str], tuple[str, str]] = {}  # (placeholder, original) -> row
        for row in (previous if previous is not None else pd.DataFrame()).itertuples():
            entity_type, placeholder, original = row.entity_type, row.placeholder, row.original
            number = int(placeholder.strip("[]").rsplit("_", 1)[1])
            self.counters[entity_type] = max(self.counters.get(entity_type, 0), number)
            self.by_key[(entity_type, entity_key(entity_type, original))] = placeholder
            self.rows[(placeholder, original)] = (entity_type, original)

    def get(self, entity_type: str, original: str) -> str:
        key = (entity_type, entity_key(entity_type, original))
        placeholder = self.by_key.get(key)
        if placeholder is None:
            self.counters[entity_type] += 1
            placeholder = f"[{entity_type}_{self.counters[entity_type]}]"
            self.by_key[key] = placeholder
        self.rows.setdefault((placeholder, original), (entity_type, original))
        return placeholder

    def mapping(self) -> pd.DataFrame:
        rows = [{s.WAVE: self.wave, s.PLACEHOLDER: placeholder, s.ENTITY_TYPE: entity_type,
                 s.ORIGINAL: original}
                for (placeholder, _), (entity_type, original) in self.rows.items()]
        frame = pd.DataFrame(rows, columns=s.REDACTION_MAPPING.names)
        number = frame[s.PLACEHOLDER].str.extract(r"_(\d+)\]$")[0].astype("int64")
        frame = frame.assign(_n=number).sort_values([s.ENTITY_TYPE, "_n", s.ORIGINAL])
        return s.conform(frame.drop(columns="_n"), s.REDACTION_MAPPING)


@lru_cache(maxsize=1)
def _anonymizer():  # noqa: ANN202 - presidio's AnonymizerEngine, imported lazily
    from presidio_anonymizer import AnonymizerEngine

    return AnonymizerEngine()


def _replace(text: str, found: list[Finding], placeholders: _Placeholders) -> str:
    """``text`` with each finding replaced by its placeholder (Presidio's anonymizer)."""
    if not found:
        return text
    for f in found:  # number in text order, not in the order the anonymizer applies them
        placeholders.get(f.entity_type, text[f.start:f.end])
    from presidio_anonymizer.entities import OperatorConfig, RecognizerResult

    operators = {t: OperatorConfig("custom", {"lambda": lambda o, t=t: placeholders.get(t, o)})
                 for t in {f.entity_type for f in found}}
    results = [RecognizerResult(f.entity_type, f.start, f.end, f.score) for f in found]
    return _anonymizer().anonymize(text, results, operators,
                                   merge_entities_with_spaces=False).text


def _where(documents: pd.DataFrame, row: int) -> str:
    """Where a document came from, for an error message (never its words)."""
    record = documents.iloc[row]
    parts = [f"document {record.get(s.DOCUMENT_ID, row)}"]
    if s.SOURCE in documents.columns:
        parts.append(f"{record[s.SOURCE]}, line {record.get(s.LINE, '?')}")
    return " (".join(parts) + (")" if len(parts) > 1 else "")


def redact_documents(documents: pd.DataFrame, *, wave: str, columns: Sequence[str] = (),
                     config: RedactConfig | None = None,
                     previous: pd.DataFrame | None = None) -> Redacted:
    """Replace identifiers in a wave's documents by stable placeholders.

    Args:
        documents: the ``documents`` table (``text`` plus any attribute columns).
        wave: the wave id; placeholders are stable within it.
        columns: attribute columns holding free text to redact as well as ``text``.
        config: how identifiers are found (default: the measured best, see ``RedactConfig``).
        previous: the wave's earlier mapping (``REDACTION_MAPPING``): its placeholders are kept
            and new ones numbered after them, so a re-run with added files changes nothing old.

    Returns:
        A :class:`Redacted`: the documents with ``text`` and ``columns`` redacted (same rows,
        columns and order), the mapping, and replacement counts per entity type.
    """
    missing = [c for c in [s.TEXT, *columns] if c not in documents.columns]
    if missing:
        raise ConfigError(f"redact: documents have no column(s) {missing}")
    config = config or RedactConfig()
    placeholders = _Placeholders(wave, previous)
    # Every cell to redact, found in one pass so a name found in one column counts in all.
    cells = [(column, i, value) for column in [s.TEXT, *columns]
             for i, value in enumerate(documents[column])
             if isinstance(value, str) and value.strip()]
    try:
        findings = find_identifiers([value for _, _, value in cells], config)
    except (ConfigError, InputError):
        raise
    except Exception as error:  # Presidio's messages may quote the text: keep only the type
        raise InputError(f"redact: finding identifiers in wave {wave!r} failed "
                         f"({type(error).__name__})") from None
    redacted = {column: documents[column].astype(object).copy() for column in [s.TEXT, *columns]}
    counts = dict.fromkeys(ENTITIES, 0)
    for (column, i, value), found in zip(cells, findings, strict=True):
        try:
            redacted[column].iloc[i] = _replace(value, found, placeholders)
        except Exception as error:
            raise InputError(f"redact: replacing identifiers in {_where(documents, i)}, "
                             f"column {column!r} failed ({type(error).__name__})") from None
        for f in found:
            counts[f.entity_type] += 1
    out = documents.copy()
    for column, values in redacted.items():
        out[column] = values.astype(documents[column].dtype)
    return Redacted(out, placeholders.mapping(), counts)
