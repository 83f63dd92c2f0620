"""Helpers for the review tests: find the mini wave's codings and write decisions as a log."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from pipeline import schema as s

DATA = Path(__file__).parent / "data"


def coding(outputs: Path, text_start: str, code_id: str) -> tuple[str, str]:
    """(segment_id, code_id) of the coding of ``code_id`` on the segment starting so."""
    segments = pd.read_parquet(outputs / "segments.parquet")
    codings = pd.read_parquet(outputs / "codings.parquet")
    ids = segments.loc[segments[s.TEXT].str.startswith(text_start), s.SEGMENT_ID]
    hit = codings[codings[s.SEGMENT_ID].isin(ids) & (codings[s.CODE_ID] == code_id)]
    assert len(hit) == 1, f"no single {code_id} coding on '{text_start}'"
    return hit[s.SEGMENT_ID].iloc[0], code_id


def segment(outputs: Path, text_start: str) -> str:
    """The id of the segment starting with ``text_start``."""
    segments = pd.read_parquet(outputs / "segments.parquet")
    ids = segments.loc[segments[s.TEXT].str.startswith(text_start), s.SEGMENT_ID]
    assert len(ids) == 1, text_start
    return ids.iloc[0]


def decisions(rows: list[tuple], *, reviewer: str = "Ann", when: str = "2024-03-01T10:00:00",
              file: str = "review.xlsx", digest: str = "a" * 64) -> pd.DataFrame:
    """A review_log frame from (segment_id, code_id, decision[, reviewer[, when]]) tuples."""
    out = []
    for row in rows:
        segment_id, code_id, decision, *rest = row
        out.append({s.SEGMENT_ID: segment_id, s.CODE_ID: code_id, s.DECISION: decision,
                    s.REVIEWER: rest[0] if rest else reviewer,
                    s.DECIDED_AT: rest[1] if len(rest) > 1 else when,
                    s.REVIEW_FILE: file, s.REVIEW_FILE_SHA256: digest})
    return s.conform(pd.DataFrame(out, columns=s.REVIEW_LOG.names), s.REVIEW_LOG)


def publish_folder(folder: Path, out_dir: Path, codebook, codebook_file: Path):
    """Code a wave folder with the rules and publish it to ``out_dir`` as the flow does.

    The flow's stages, without Prefect: ingest, segment and code, the review log (empty, or
    what ``out_dir.parent``'s database holds), stances, publish. Returns the tables published
    and what publish returned.
    """
    from pipeline.coding import RuleCoder
    from pipeline.coding.stream import segment_and_code
    from pipeline.export import WaveTables, publish_wave, run_record, standing
    from pipeline.ingest import ingest_wave
    from pipeline.outputs import database_of
    from pipeline.review.apply import review_wave
    from pipeline.review.log import read_log
    from pipeline.stance import wave_stances

    ingested = ingest_wave(folder)
    wave = ingested.manifest.id
    coded = segment_and_code(ingested.documents, RuleCoder(codebook),
                             interviewer_labels=ingested.interviewer_labels)
    reviewed = review_wave(coded.codings, coded.segments, read_log(database_of(out_dir), wave),
                           codebook, wave)
    codings = reviewed.applied.codings
    record = run_record(ingested=ingested, folder=folder, codebook=codebook, coder="rules",
                        segments=coded.segments, codings=codings,
                        parameters={"codebook_path": str(codebook_file)}, timings={},
                        topics=None,
                        output_dir=out_dir)
    stances = wave_stances(coded.segments, standing(codings), codebook)
    tables = WaveTables(ingested.documents, coded.segments, codings, stances,
                        rejected=ingested.rejected)
    return tables, publish_wave(out_dir, tables, codebook,
                                record.model_copy(update={"review": reviewed.summary}),
                                review=reviewed.tables, codebook_file=codebook_file)


def write_mini_outputs(out: Path, codebook) -> Path:
    """Code the mini wave with the rules and publish its outputs folder as the flow does."""
    publish_folder(DATA / "waves" / "mini-wave", out, codebook, DATA / "codebook-mini.yaml")
    return out


def fill_workbook(path: Path, rows: dict[tuple[str, str], dict[str, str]],
                  extra: list[dict[str, str]] = ()) -> None:
    """Type into a review workbook's rows, found by (segment_id, code_id); append ``extra``."""
    from openpyxl import load_workbook

    from pipeline.review.workbook import COLUMNS

    book = load_workbook(path, rich_text=True)
    sheet = book["review"]
    column = {name: i + 1 for i, name in enumerate(COLUMNS)}
    keys = {(sheet.cell(r, column[s.SEGMENT_ID]).value, sheet.cell(r, column[s.CODE_ID]).value): r
            for r in range(2, sheet.max_row + 1)}
    for key, values in rows.items():
        for name, value in values.items():
            sheet.cell(keys[key], column[name]).value = value
    for values in extra:
        row = sheet.max_row + 1
        for name, value in values.items():
            sheet.cell(row, column[name]).value = value
    book.save(path)


def write_comments_outputs(out: Path, codebook) -> Path:
    """Code the patient-comments wave with the rules and publish it as the flow does."""
    publish_folder(DATA / "waves" / "comments-wave", out, codebook,
                   DATA / "codebook-comments.yaml")
    return out
