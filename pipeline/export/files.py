"""Write a wave's tables to ``outputs/<wave>/`` in the formats analysts open.

Parquet for pandas/SQL (typed by the table contracts), CSV and XLSX for spreadsheets.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from pipeline import schema as s
from pipeline.config import Codebook

XLSX_MAX_CELL = 32767  # Excel refuses longer cells; very long transcripts are cut in the sheet


def write_parquet(frame: pd.DataFrame, schema: pa.Schema, path: Path) -> Path:
    """Write ``frame`` conformed to ``schema`` (extra columns kept as strings)."""
    pq.write_table(s.to_arrow(frame, schema), path)
    return path


def codebook_table(codebook: Codebook) -> pd.DataFrame:
    """The codebook as a flat table: id, label, parent, definition, when to use / not use."""
    return pd.DataFrame([
        {"code_id": code.id, "label": code.label, "parent": parent,
         "definition": code.definition, "when_to_use": code.when_to_use,
         "when_not_to_use": code.when_not_to_use}
        for code, parent in codebook.walk()
    ])


def write_xlsx(wide: pd.DataFrame, codebook: Codebook, path: Path) -> Path:
    """The wide coded dataset as a workbook: a 'coded' sheet and a 'codebook' sheet."""
    sheet = wide.copy()
    sheet[s.TEXT] = sheet[s.TEXT].str.slice(0, XLSX_MAX_CELL)
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        sheet.to_excel(writer, sheet_name="coded", index=False, freeze_panes=(1, 0))
        codebook_table(codebook).to_excel(writer, sheet_name="codebook", index=False)
        coded = writer.sheets["coded"]
        coded.auto_filter.ref = coded.dimensions
        coded.column_dimensions[coded.cell(1, sheet.columns.get_loc(s.TEXT) + 1)
                                .column_letter].width = 100
    return path


def write_json(record: dict[str, Any], path: Path) -> Path:
    """Write ``record`` as indented, key-sorted JSON."""
    path.write_text(json.dumps(record, indent=2, sort_keys=True, default=str) + "\n",
                    encoding="utf-8")
    return path


def write_coded_tables(out_dir: Path, tables: dict[str, pd.DataFrame], codebook: Codebook,
                       ) -> dict[str, Path]:
    """Write the tables that follow from the codings; returns {output name: path}.

    Those are codings, stances, coded_wide (CSV and XLSX) and theme_summary: review decisions
    rewrite only these.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    written = {
        "codings": write_parquet(tables["codings"], s.CODINGS, out_dir / "codings.parquet"),
        "stances": write_parquet(tables["stances"], s.STANCES, out_dir / "stances.parquet"),
    }
    wide_csv = out_dir / "coded_wide.csv"
    tables["coded_wide"].to_csv(wide_csv, index=False)
    written["coded_wide_csv"] = wide_csv
    written["coded_wide_xlsx"] = write_xlsx(tables["coded_wide"], codebook,
                                            out_dir / "coded_wide.xlsx")
    summary_path = out_dir / "theme_summary.csv"
    tables["theme_summary"].to_csv(summary_path, index=False)
    written["theme_summary"] = summary_path
    return written


def write_wave_tables(out_dir: Path, tables: dict[str, pd.DataFrame], codebook: Codebook,
                      ) -> dict[str, Path]:
    """Write every table of a wave run; returns {output name: path}.

    ``tables`` holds documents, segments, codings, stances, rejected, coded_wide, theme_summary
    and, when topics ran, topics, segment_topics and topic_codes.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    written = {
        "documents": write_parquet(tables["documents"], s.DOCUMENTS,
                                   out_dir / "documents.parquet"),
        "segments": write_parquet(tables["segments"], s.SEGMENTS, out_dir / "segments.parquet"),
    }
    rejected_path = out_dir / "rejected.csv"
    tables["rejected"].to_csv(rejected_path, index=False)
    written["rejected"] = rejected_path
    written.update(write_coded_tables(out_dir, tables, codebook))
    for name, schema in (("topics", s.TOPICS), ("segment_topics", s.SEGMENT_TOPICS),
                         ("topic_codes", s.TOPIC_CODES)):
        path = out_dir / f"{name}.parquet"
        if name in tables:
            written[name] = write_parquet(tables[name], schema, path)
        elif path.exists():
            path.unlink()  # a stale table from an earlier run with topics would mislead
    return written
