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
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

from pipeline import schema as s
from pipeline.errors import ConfigError, InputError
from pipeline.redact.engine import RedactConfig
from pipeline.redact.find import find_identifiers
from pipeline.redact.identifiers import ENTITIES, NHS_NUMBER, PHONE, POSTCODE, Finding, phone_key


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
    if entity_type == PHONE:
        return phone_key(original)
    if entity_type == NHS_NUMBER:
        return re.sub(r"\D", "", original)
    if entity_type == POSTCODE:
        return re.sub(r"\s", "", original).upper()
    return " ".join(original.split()).casefold()


_PLACEHOLDER = re.compile(r"\[([A-Z_]+)_(\d+)\]")


class _Placeholders:
    """Placeholders per (entity type, key), numbered per type in order of first appearance."""

    def __init__(self, wave: str, previous: pd.DataFrame | None) -> None:
        self.wave = wave
        self.by_key: dict[tuple[str, str], str] = {}
        self.counters = dict.fromkeys(ENTITIES, 0)
        self.rows: dict[tuple[str, str], tuple[str, str]] = {}  # (placeholder, original) -> row
        if previous is None:
            return
        previous = s.conform(previous, s.REDACTION_MAPPING)
        waves = set(previous[s.WAVE]) - {wave}
        if waves:
            raise InputError(f"redact: the previous mapping is for wave(s) {sorted(waves)}, "
                             f"not {wave!r}")
        for number, row in enumerate(previous.itertuples(index=False), start=1):
            entity_type, placeholder, original = row.entity_type, row.placeholder, row.original
            match = _PLACEHOLDER.fullmatch(placeholder or "")
            if entity_type not in ENTITIES or not match or match.group(1) != entity_type:
                # the row number only: the row holds an original
                raise InputError(f"redact: previous mapping row {number}: placeholder and "
                                 "entity type do not agree")
            self.counters[entity_type] = max(self.counters[entity_type], int(match.group(2)))
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
