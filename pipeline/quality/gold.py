"""Gold sets: human-coded texts as a first-class input, mapped onto a codebook.

Two layouts are read. *Wide*: one row per text with a 0/1 column per code, the columns named by
a code's id or its label (case and spacing ignored), as survey tools and the NHS framework
export them. *Long*: one row per text × code (``segment_id``, ``text``, ``code_id``; a blank
``code_id`` marks a text coded with nothing), the code given by id or label like a wide column.
Taguette's highlights export (``id``, ``document``, ``tag``, ``content``) is a long file: a
highlight with two tags is two rows with the same ``id``. Errors name the file, row and column;
every unknown code is listed at once, so one edit of the file fixes them all.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.code_names import CodeNames, name_key
from pipeline.config import Codebook
from pipeline.errors import ConfigError, InputError
from pipeline.quality.gold_table import read_gold_table
from pipeline.quality.provenance import GoldProvenance, read_provenance

# Column names are matched with case and spacing ignored ("Text", "Comments", "FFT Answer").
TEXT_COLUMNS = ("text", "FFT answer", "answer", "comment", "comments", "response",
                "segment_text", "content")
ID_COLUMNS = ("segment_id", "Comment ID", "id", "comment_id")
CODE_COLUMN = "code_id"
LONG_CODE_COLUMNS = (CODE_COLUMN, "code", "tag")  # as codebook drafts read them; "tag": Taguette
LONG_ID_COLUMNS = ("segment_id", "id")
LONG_TEXT_COLUMNS = ("text", "content")
# A code column's cell, case ignored: 0/1 as most tools write it, an SPSS dichotomy's value
# labels, Excel's TRUE/FALSE, or an "x" marked in a coding sheet (blank: not marked).
MARKED = ("1", "1.0", "yes", "y", "true", "x", "✓")
UNMARKED = ("0", "0.0", "no", "n", "false", "")
MAX_LISTED = 20
"""Unknown codes listed one by one in an error; the rest are counted."""


@dataclass
class GoldSet:
    """Human-coded texts: ids, texts, and a 0/1 matrix (texts × codes, in ``code_ids`` order).

    ``extra`` keeps the file's other columns (question, rating...) row-aligned with the texts;
    ``unmapped`` lists file columns that look like codes but match none; ``missing`` lists
    codebook codes with no column (they cannot be trained or scored).
    """

    ids: list[str]
    texts: list[str]
    labels: np.ndarray
    code_ids: list[str]
    extra: pd.DataFrame
    source: str = ""
    sha256: str = ""
    unmapped: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    provenance: GoldProvenance | None = None  # from the sidecar; None: of unknown origin

    def support(self) -> dict[str, int]:
        """Positive examples per code."""
        return dict(zip(self.code_ids, self.labels.sum(axis=0).astype(int).tolist(), strict=True))

    def subset(self, rows: np.ndarray | list[int]) -> "GoldSet":
        """The gold set restricted to ``rows`` (positions)."""
        rows = list(rows)
        return GoldSet([self.ids[i] for i in rows], [self.texts[i] for i in rows],
                       self.labels[rows], self.code_ids, self.extra.iloc[rows].reset_index(
                           drop=True), self.source, self.sha256, self.unmapped, self.missing,
                       self.provenance)


def column_named(columns: list[str], candidates: tuple[str, ...]) -> str | None:
    """The first of ``columns`` named like a candidate (in the candidates' order), or None.

    Case and spacing are ignored: one team's export says "Text", another's "text".
    """
    by_key = {}
    for column in columns:
        by_key.setdefault(name_key(column), column)
    return next((by_key[name_key(c)] for c in candidates if name_key(c) in by_key), None)


def _pick(frame: pd.DataFrame, candidates: tuple[str, ...], what: str, path: Path) -> str:
    found = column_named(list(frame.columns), candidates)
    if found is None:
        raise ConfigError(f"{path}: no {what} column (looked for {', '.join(candidates)}, "
                          "in any case)")
    return found


def _shared_label(name: str, ids: tuple[str, ...]) -> str:
    return f"'{name}' is the label of {len(ids)} codes ({', '.join(ids)}): name it by its id"


def load_gold(path: Path, codebook: Codebook, provenance: Path | None = None) -> GoldSet:
    """Read a wide or long gold file and map its columns onto ``codebook``'s codes.

    Its provenance is read from ``provenance`` or the ``.provenance.yaml`` sidecar beside it
    (:mod:`pipeline.quality.provenance`), when there is one.
    """
    path = Path(path)
    frame = read_gold_table(path)
    declared = read_provenance(path, provenance)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if column_named(list(frame.columns), LONG_CODE_COLUMNS) is not None:
        gold = _long(frame, codebook, path)
    else:
        gold = _wide(frame, codebook, path)
    gold.source, gold.sha256, gold.provenance = path.name, digest, declared
    return gold


def _wide(frame: pd.DataFrame, codebook: Codebook, path: Path) -> GoldSet:
    text_col = _pick(frame, TEXT_COLUMNS, "text", path)
    id_col = column_named(list(frame.columns), ID_COLUMNS)
    names = CodeNames(codebook)
    mapped: dict[str, str] = {}
    unmapped = []
    for column in frame.columns:
        if column in (text_col, id_col):
            continue
        values = set(frame[column].str.strip()) - {""}
        ids = names.resolve(column)
        if len(ids) > 1:
            raise ConfigError(f"{path}: column {_shared_label(column, ids)}")
        if ids:
            mapped[column] = ids[0]
        elif values and values <= {"0", "1", "0.0", "1.0"}:
            unmapped.append(column)
    if not mapped:
        raise ConfigError(f"{path}: no column matches a code id or label of codebook "
                          f"'{codebook.id}'")
    code_ids = [c for c in codebook.code_ids() if c in mapped.values()]
    labels = np.zeros((len(frame), len(code_ids)), dtype=int)
    for column, code_id in mapped.items():
        values = frame[column].str.strip().str.casefold()
        bad = values[~values.isin([*MARKED, *UNMARKED])]
        if len(bad):
            raise ConfigError(f"{path} line {bad.index[0]}, column '{column}': expected 0 or 1, "
                              f"found '{frame[column][bad.index[0]]}' (yes/no, true/false and x "
                              "are read too)")
        labels[:, code_ids.index(code_id)] |= values.isin(MARKED).to_numpy()
    ids = frame[id_col].tolist() if id_col else [f"row-{i + 2}" for i in range(len(frame))]
    extra = frame.drop(columns=[*mapped, *unmapped])
    return GoldSet(ids, frame[text_col].tolist(), labels, code_ids, extra.reset_index(drop=True),
                   unmapped=unmapped, missing=[c for c in codebook.code_ids()
                                               if c not in code_ids])


def _unknown_codes(unknown: dict[str, list[int]]) -> str:
    """"2 unknown codes on 4 rows: 'jobs' (line 3), 'detox' (lines 4, 6, 9)", cut short."""
    def lines(numbers: list[int]) -> str:
        shown = ", ".join(map(str, numbers[:3]))
        more = f" and {len(numbers) - 3} more" if len(numbers) > 3 else ""
        return f"line{'s' * (len(numbers) > 1)} {shown}{more}"

    listed = [f"'{code}' ({lines(numbers)})" for code, numbers in unknown.items()]
    rows = sum(map(len, unknown.values()))
    more = f" and {len(listed) - MAX_LISTED} more codes" if len(listed) > MAX_LISTED else ""
    return (f"{len(listed)} unknown code{'s' * (len(listed) > 1)} on {rows} "
            f"row{'s' * (rows > 1)}: {', '.join(listed[:MAX_LISTED])}{more}")


def _long(frame: pd.DataFrame, codebook: Codebook, path: Path) -> GoldSet:
    code_col = _pick(frame, LONG_CODE_COLUMNS, "code", path)
    id_col = _pick(frame, LONG_ID_COLUMNS, "segment id", path)
    text_col = _pick(frame, LONG_TEXT_COLUMNS, "text", path)
    names = CodeNames(codebook)
    given = frame[code_col].str.strip()
    unknown: dict[str, list[int]] = {}  # each unknown code → its lines, in file order
    resolved: list[str] = []  # each row's code id ("" for a text coded with nothing)
    for index, value in given.items():
        ids = names.resolve(value) if value else ("",)
        if len(ids) > 1:
            raise InputError(f"{path} line {index}, column '{code_col}': "
                             f"{_shared_label(value, ids)}")
        if not ids:
            unknown.setdefault(value, []).append(int(index))  # the line the row starts on
        resolved.append(ids[0] if ids else "")
    if unknown:
        raise InputError(f"{path}: {_unknown_codes(unknown)} in column '{code_col}' (not an id "
                         f"or label in codebook '{codebook.id}')")
    frame = frame.assign(**{code_col: resolved})
    texts = frame.drop_duplicates(id_col).set_index(id_col)
    conflicting = frame.groupby(id_col)[text_col].nunique()
    if (conflicting > 1).any():
        raise ConfigError(f"{path}: segment '{conflicting[conflicting > 1].index[0]}' has "
                          "different texts on different rows")
    ids = texts.index.tolist()
    coded = frame[frame[code_col] != ""]
    code_ids = [c for c in codebook.code_ids() if c in set(coded[code_col])]
    labels = np.zeros((len(ids), len(code_ids)), dtype=int)
    position = {segment_id: i for i, segment_id in enumerate(ids)}
    for segment_id, code_id in coded[[id_col, code_col]].itertuples(index=False):
        labels[position[segment_id], code_ids.index(code_id)] = 1
    extra = texts.drop(columns=[text_col, code_col]).reset_index()
    return GoldSet(ids, texts[text_col].tolist(), labels, code_ids, extra,
                   missing=[c for c in codebook.code_ids() if c not in code_ids])
