"""Write a wave's tables to ``outputs/<wave>/`` in the formats analysts open.

Parquet for pandas/SQL (typed by the table contracts), CSV and XLSX for spreadsheets. Answers
are data, never formulas: workbook cells are written as text (:mod:`pipeline.export.
spreadsheet`), and CSV cells that a spreadsheet would run (starting ``= + - @``, tab or
carriage return) get a leading ``'`` (OWASP's advice).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from pipeline import schema as s
from pipeline.export.tables import uncovered
from pipeline.outputs import REVIEW_DIR
from pipeline.untrusted import csv_safe

UNCOVERED_FILE = "uncovered_topics.csv"  # every topic the codebook barely covers
WIDE_CSV = "coded_wide.csv"
WIDE_XLSX = "coded_wide.xlsx"

TOPIC_TABLES = {"topics": s.TOPICS, "segment_topics": s.SEGMENT_TOPICS,
                "topic_codes": s.TOPIC_CODES}
REVIEW_FILES = {"review_log": "review_log.csv", "review_agreement": "agreement.csv",
                "review_queue": "review_queue.csv", "sample_agreement": "sample_agreement.csv"}
# What people typed in the review tables (passages, reviewers' names and files, labels): ids
# and decisions are read back as they are.
REVIEW_TEXT_COLUMNS = [s.TEXT, s.EVIDENCE, s.REVIEWER, s.REVIEW_FILE, s.DETAIL, s.RATERS,
                       s.LABEL]


ROW_GROUP_ROWS = 65_536  # rows per parquet row group: what is converted to Arrow at a time


def write_parquet(frame: pd.DataFrame, schema: pa.Schema, path: Path, *,
                  row_group_rows: int = ROW_GROUP_ROWS) -> Path:
    """Write ``frame`` conformed to ``schema`` (extra columns kept as strings); returns ``path``.

    Written a row group at a time, so only ``row_group_rows`` rows are ever held as Arrow
    beside the frame (one whole-table conversion copied every text once more); the file reads
    back as one table, the same as a single write gives. Columns the frame lacks that have a
    default (``schema.COLUMN_DEFAULTS``: a topics table made before kept topic models has no
    ``first_wave``) are written with it.
    """
    if row_group_rows < 1:
        raise ValueError(f"{path}: a row group holds at least one row, not {row_group_rows}")
    defaults = {n: s.COLUMN_DEFAULTS[n] for n in schema.names
                if n not in frame.columns and n in s.COLUMN_DEFAULTS}
    if defaults:
        frame = frame.assign(**defaults)
    # Every slice has the frame's columns and dtypes, so its Arrow schema (and the pandas
    # metadata read back from the file) is the first slice's; an empty frame writes its header.
    writer = None
    try:
        for start in range(0, max(len(frame), 1), row_group_rows):
            table = s.to_arrow(frame.iloc[start:start + row_group_rows], schema)
            if writer is None:
                writer = pq.ParquetWriter(path, table.schema)
            writer.write_table(table, row_group_size=row_group_rows)
    finally:
        if writer is not None:
            writer.close()
    return path


CSV_ROWS = 65_536  # rows made spreadsheet-safe and written at a time


def write_csv(frame: pd.DataFrame, path: Path, *, rows: int = CSV_ROWS) -> Path:
    """Write ``frame`` as :func:`pipeline.untrusted.csv_safe` CSV, ``rows`` at a time.

    The file is the one a single ``csv_safe(frame).to_csv(path, index=False)`` writes (the
    header once, then every row in order), but only a slice is ever copied to make it safe:
    the whole wide table's copy was held beside the table itself. Returns ``path``.
    """
    if rows < 1:
        raise ValueError(f"{path}: a slice holds at least one row, not {rows}")
    with open(path, "w", encoding="utf-8", newline="") as handle:
        for start in range(0, max(len(frame), 1), rows):
            csv_safe(frame.iloc[start:start + rows]).to_csv(handle, index=False,
                                                             header=start == 0)
    return path


def write_coded_tables(out_dir: Path, tables: dict[str, pd.DataFrame]) -> dict[str, Path]:
    """Write the tables that follow from the codings; returns {output name: path}.

    Those are codings, stances and theme_summary here, and the wide table's CSV and workbook
    (:mod:`pipeline.export.wide_files`): review decisions rewrite only these.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    written = {
        "codings": write_parquet(tables["codings"], s.CODINGS, out_dir / "codings.parquet"),
        "stances": write_parquet(tables["stances"], s.STANCES, out_dir / "stances.parquet"),
    }
    summary_path = out_dir / "theme_summary.csv"
    # read back by later steps: its ids stay as they are, the words people typed are escaped
    csv_safe(tables["theme_summary"], [s.QUESTION, s.LABEL]).to_csv(summary_path, index=False)
    written["theme_summary"] = summary_path
    return written


def write_run_tables(out_dir: Path, documents: pd.DataFrame, segments: pd.DataFrame,
                     rejected: pd.DataFrame, topics: dict[str, pd.DataFrame] | None = None,
                     ) -> dict[str, Path]:
    """Write the tables a run makes before any review: documents, segments, rejected, topics.

    ``topics`` holds topics, segment_topics and topic_codes when discovery ran.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    written = {
        "documents": write_parquet(documents, s.DOCUMENTS, out_dir / "documents.parquet"),
        "segments": write_parquet(segments, s.SEGMENTS, out_dir / "segments.parquet"),
    }
    rejected_path = out_dir / "rejected.csv"
    csv_safe(rejected).to_csv(rejected_path, index=False)
    written["rejected"] = rejected_path
    for name, schema in TOPIC_TABLES.items():
        if topics and name in topics:
            written[name] = write_parquet(topics[name], schema, out_dir / f"{name}.parquet")
    if topics and "topics" in topics:
        found = uncovered(topics["topics"])
        table = found[[s.TOPIC_ID, s.SIZE, s.COVERAGE]].assign(
            **{s.WORDS: found[s.WORDS].map(lambda words: ", ".join(list(words)[:10]))})
        csv_safe(table).to_csv(out_dir / UNCOVERED_FILE, index=False)
        written["uncovered_topics"] = out_dir / UNCOVERED_FILE
    return written


def write_review_tables(out_dir: Path, tables: dict[str, pd.DataFrame]) -> dict[str, Path]:
    """Write the review tables as CSV under ``out_dir/review/``; returns {name: path}."""
    folder = out_dir / REVIEW_DIR
    folder.mkdir(parents=True, exist_ok=True)
    written = {}
    for name, file_name in REVIEW_FILES.items():
        if name in tables:
            csv_safe(tables[name], REVIEW_TEXT_COLUMNS).to_csv(folder / file_name, index=False)
            written[name] = folder / file_name
    return written
