"""The review workbook: written from a real coded wave, filled in as a reviewer would, read back."""

from __future__ import annotations

import pandas as pd
import pytest
from openpyxl import load_workbook
from openpyxl.cell.rich_text import CellRichText
from support_review import DATA, coding, segment
from typer.testing import CliRunner

from pipeline import schema as s
from pipeline.outputs import read_wave
from pipeline.review.queue import review_queue
from pipeline.review.workbook import COLUMNS, decisions_from_workbook, write_workbook


@pytest.fixture()
def workbook(mini_outputs, mini_codebook, tmp_path):
    wave = read_wave(mini_outputs)
    queue = review_queue(wave.codings, wave.segments)
    path = write_workbook(tmp_path / "review.xlsx", wave.wave, wave.codings, wave.segments,
                          wave.documents, queue, mini_codebook)
    return path, wave


def fill(path, edits: dict[int, dict[str, str]], extra: list[dict[str, str]] = ()) -> None:
    """Type into the review sheet (row number -> {column: value}) and append rows; save."""
    book = load_workbook(path, rich_text=True)
    sheet = book["review"]
    column = {name: i + 1 for i, name in enumerate(COLUMNS)}
    for row, values in edits.items():
        for name, value in values.items():
            sheet.cell(row, column[name]).value = value
    for values in extra:
        row = sheet.max_row + 1
        for name, value in values.items():
            sheet.cell(row, column[name]).value = value
    book.save(path)


def row_of(path, key: tuple[str, str]) -> int:
    sheet = load_workbook(path)["review"]
    for number, values in enumerate(sheet.iter_rows(min_row=2, values_only=True), start=2):
        if (values[COLUMNS.index(s.SEGMENT_ID)], values[COLUMNS.index(s.CODE_ID)]) == key:
            return number
    raise AssertionError(key)


def test_one_row_per_coding_with_evidence_highlighted_and_drop_downs(workbook, mini_outputs):
    path, wave = workbook
    book = load_workbook(path, rich_text=True)
    sheet = book["review"]
    assert [c.value for c in sheet[1]] == COLUMNS
    assert sheet.max_row - 1 == len(wave.codings)
    gap = row_of(path, coding(mini_outputs, "Most needs are met", "housing_gap"))
    passage = sheet.cell(gap, COLUMNS.index(s.PASSAGE) + 1).value
    assert isinstance(passage, CellRichText)
    bold = [part.text for part in passage if hasattr(part, "font") and part.font.b]
    assert bold == ["lack of supported housing"]
    assert str(passage).startswith("Most needs are met")
    validations = {v.formula1: str(v.sqref) for v in sheet.data_validations.dataValidation}
    assert validations['"accept,reject,recode,add,none"'].startswith("M2:M")  # decision
    assert validations["=codebook!$A$2:$A$6"].startswith("N2:N")  # corrected_code
    assert book.properties.identifier == "mini-2013"
    assert {"review", "segments", "codebook"} <= set(book.sheetnames)


def test_filled_rows_become_decisions(workbook, mini_outputs, mini_codebook):
    path, wave = workbook
    gap = coding(mini_outputs, "Most needs are met", "housing_gap")
    housing = coding(mini_outputs, "Most needs are met", "housing")
    mh = coding(mini_outputs, "Mental health services", "mental_health")
    budget = segment(mini_outputs, "Our budget was cut")
    fill(path, {row_of(path, gap): {s.DECISION: "accept"},
                row_of(path, housing): {s.DECISION: "Rejected", s.NOTE: "only the gap"},
                row_of(path, mh): {s.DECISION: "recode",
                                   s.CORRECTED_CODE: "mental_health_threshold"}},
         [{s.SEGMENT_ID: budget, s.DECISION: "add", s.CORRECTED_CODE: "employment_training"}])
    read = decisions_from_workbook(path, wave.codings, wave.segments, mini_codebook, wave.wave,
                                   reviewer="Ann")
    assert read.problems == []
    got = set(zip(read.decisions[s.SEGMENT_ID], read.decisions[s.CODE_ID],
                  read.decisions[s.DECISION], strict=False))
    assert got == {(*gap, "accepted"), (*housing, "rejected"), (*mh, "rejected"),
                   (mh[0], "mental_health_threshold", "added"),
                   (budget, "employment_training", "added")}
    assert set(read.decisions[s.REVIEWER]) == {"Ann"}
    assert set(read.decisions[s.REVIEW_FILE]) == {"review.xlsx"}
    recoded = read.decisions[read.decisions[s.CODE_ID] == "mental_health_threshold"].iloc[0]
    assert recoded[s.EVIDENCE] == "Mental health"  # the recode keeps the machine's passage
    assert read.notes == [f"review.xlsx: {len(wave.codings) - 3} rows have no decision "
                          "(not reviewed yet); their codings keep their status"]


def test_a_recode_to_x_and_accepting_the_machines_x_agree(workbook, mini_outputs,
                                                          mini_codebook):
    # "Mental health services have raised their thresholds": the machine coded both codes
    path, wave = workbook
    mh = coding(mini_outputs, "Mental health services", "mental_health")
    threshold = coding(mini_outputs, "Mental health services", "mental_health_threshold")
    fill(path, {row_of(path, mh): {s.DECISION: "recode",
                                   s.CORRECTED_CODE: "mental_health_threshold"},
                row_of(path, threshold): {s.DECISION: "accept"}})
    read = decisions_from_workbook(path, wave.codings, wave.segments, mini_codebook, wave.wave,
                                   reviewer="Ann")
    assert read.problems == []
    assert sorted(zip(read.decisions[s.CODE_ID], read.decisions[s.DECISION], strict=True)) == [
        ("mental_health", "rejected"), ("mental_health_threshold", "accepted")]


def test_a_corrected_code_may_be_written_as_its_label(workbook, mini_outputs, mini_codebook):
    path, wave = workbook
    mh = coding(mini_outputs, "Mental health services", "mental_health")
    ete = coding(mini_outputs, "ETE support is not available", "employment_training")
    fill(path, {row_of(path, mh): {s.DECISION: "recode",
                                   s.CORRECTED_CODE: "  raised mental health  THRESHOLDS"},
                row_of(path, ete): {s.DECISION: "accept", s.CORRECTED_CODE:
                                    "Employment, training and education"}})
    read = decisions_from_workbook(path, wave.codings, wave.segments, mini_codebook, wave.wave,
                                   reviewer="Ann")
    assert read.problems == []
    assert sorted(zip(read.decisions[s.CODE_ID], read.decisions[s.DECISION], strict=True)) == [
        ("employment_training", "accepted"), ("mental_health", "rejected"),
        ("mental_health_threshold", "added")]


def test_a_label_two_codes_share_asks_for_the_id(workbook, mini_outputs, data_dir, tmp_path):
    from pipeline.config import load_codebook

    path, wave = workbook
    text = (data_dir / "codebook-mini.yaml").read_text(encoding="utf-8")
    cues = (data_dir / "codebook-mini.yaml").parent.joinpath("../../models/stance/cues.yaml")
    text = text.replace("label: Housing gap", "label: Mental health")  # a label now shared
    (tmp_path / "shared.yaml").write_text(text.replace("../../models/stance/cues.yaml",
                                                       str(cues.resolve())), encoding="utf-8")
    book = load_codebook(tmp_path / "shared.yaml")
    mh = coding(mini_outputs, "Mental health services", "mental_health")
    fill(path, {row_of(path, mh): {s.DECISION: "recode", s.CORRECTED_CODE: "mental health"}})
    read = decisions_from_workbook(path, wave.codings, wave.segments, book, wave.wave,
                                   reviewer="Ann")
    assert read.problems == [f"review.xlsx row {row_of(path, mh)}: corrected_code 'mental health' "
                             "is the label of 2 codes (housing_gap, mental_health): write the "
                             "code's id"]
    assert read.decisions.empty


def test_import_review_exits_2_when_rows_are_refused(workbook, mini_outputs):
    from flows.cli import app

    path, _ = workbook
    gap = coding(mini_outputs, "Most needs are met", "housing_gap")
    fill(path, {row_of(path, gap): {s.DECISION: "accept", s.REVIEWER: "Ann"}},
         [{s.SEGMENT_ID: "no-such-segment", s.DECISION: "add", s.CORRECTED_CODE: "housing",
           s.REVIEWER: "Ann"}])
    result = CliRunner().invoke(app, ["import-review", str(path), "--outputs",
                                      str(mini_outputs)])
    assert result.exit_code == 2, result.output
    said = " ".join(result.output.split())
    assert "segment 'no-such-segment' is not a segment of this wave" in said
    error = result.stderr.strip()
    assert len(error.splitlines()) == 1
    assert error == (f"error: {path}: 1 rows or passages could not be used (listed above); the "
                     "other 1 decisions were applied")
    codings = read_wave(mini_outputs).codings.set_index([s.SEGMENT_ID, s.CODE_ID])
    assert codings.loc[gap, s.STATUS] == "accepted"  # what could be applied was


def test_bad_rows_are_named_and_the_rest_is_read(workbook, mini_outputs, mini_codebook):
    path, wave = workbook
    gap = coding(mini_outputs, "Most needs are met", "housing_gap")
    housing = coding(mini_outputs, "Most needs are met", "housing")
    ete = coding(mini_outputs, "ETE support is not available", "employment_training")
    mh = coding(mini_outputs, "Mental health services", "mental_health")
    rows = {key: row_of(path, key) for key in (gap, housing, ete, mh)}
    fill(path, {rows[gap]: {s.DECISION: "accept", s.REVIEWER: "Bob"},
                rows[housing]: {s.DECISION: "accept", s.CORRECTED_CODE: "housing_gap"},
                rows[ete]: {s.DECISION: "recode", s.CORRECTED_CODE: "employment"},
                rows[mh]: {s.CORRECTED_CODE: "mental_health_threshold"}},
         [{s.SEGMENT_ID: gap[0], s.CODE_ID: "housing_gap", s.DECISION: "reject",
           s.REVIEWER: "Bob"},
          {s.SEGMENT_ID: "no-such-segment", s.DECISION: "add", s.CORRECTED_CODE: "housing"},
          {s.SEGMENT_ID: gap[0], s.DECISION: "maybe"}])
    read = decisions_from_workbook(path, wave.codings, wave.segments, mini_codebook, wave.wave,
                                   reviewer="Bob")
    problems = "\n".join(read.problems)
    assert f"row {rows[housing]}: accept with corrected_code 'housing_gap' contradicts" in problems
    assert f"row {rows[ete]}: unknown code 'employment' in corrected_code" in problems
    assert f"row {rows[mh]}: corrected_code 'mental_health_threshold' but no decision" in problems
    n = len(wave.codings) + 1
    assert f"rows {rows[gap]}, {n + 1}: Bob decided housing_gap on segment {gap[0]} both " \
           "ways" in problems
    assert f"row {n + 2}: segment 'no-such-segment' is not a segment of this wave" in problems
    assert f"row {n + 3}: decision 'maybe' is not one of accept, reject, recode, add" in problems
    assert len(read.problems) == 6  # and the contradictory pair is not applied either
    assert read.decisions.empty


def test_a_row_without_a_reviewer_is_refused(workbook, mini_outputs, mini_codebook):
    path, wave = workbook
    gap = coding(mini_outputs, "Most needs are met", "housing_gap")
    fill(path, {row_of(path, gap): {s.DECISION: "accept"}})
    read = decisions_from_workbook(path, wave.codings, wave.segments, mini_codebook, wave.wave)
    assert read.problems == [f"review.xlsx row {row_of(path, gap)}: no reviewer: fill the "
                             "reviewer column (or pass --reviewer)"]


def test_another_waves_workbook_and_non_workbooks_are_refused(workbook, mini_codebook, tmp_path):
    path, wave = workbook
    with pytest.raises(ValueError, match="reviews wave 'mini-2013', not 'other'"):
        decisions_from_workbook(path, wave.codings, wave.segments, mini_codebook, "other")
    junk = tmp_path / "junk.xlsx"
    junk.write_text("not a workbook")
    with pytest.raises(ValueError, match="junk.xlsx: not a readable .xlsx"):
        decisions_from_workbook(junk, wave.codings, wave.segments, mini_codebook, wave.wave)
    pd.DataFrame({"a": [1]}).to_excel(tmp_path / "plain.xlsx", index=False)
    with pytest.raises(ValueError, match="no 'review' sheet"):
        decisions_from_workbook(tmp_path / "plain.xlsx", wave.codings, wave.segments,
                                mini_codebook, wave.wave)


def test_a_workbook_resaved_by_libreoffice_keeps_only_its_rows(mini_outputs, mini_codebook):
    # tests/data/review/libreoffice-resaved.xlsx (scripts/make_review_fixtures.py): drop-downs
    # over M2:M1048576 and styled empty rows to row 1000, as Calc saves a workbook back
    path = DATA / "review" / "libreoffice-resaved.xlsx"
    wave = read_wave(mini_outputs)
    sheet = load_workbook(path)["review"]
    assert sheet.max_row == 1000
    assert "M2:M1048576" in str(sheet.data_validations.dataValidation[0].sqref)
    read = decisions_from_workbook(path, wave.codings, wave.segments, mini_codebook, wave.wave)
    assert read.problems == []
    gap = coding(mini_outputs, "Most needs are met", "housing_gap")
    ete = coding(mini_outputs, "ETE support is not available", "employment_training")
    found = read.decisions[[s.SEGMENT_ID, s.CODE_ID, s.DECISION, s.REVIEWER]]
    assert sorted(map(tuple, found.to_numpy().tolist())) == sorted(
        [(*gap, "accepted", "Lee Calc"), (*ete, "rejected", "Lee Calc")])
    undecided = len(wave.codings) - 2  # the coding rows left blank, not the empty rows below
    assert read.notes == [f"libreoffice-resaved.xlsx: {undecided} rows have no decision (not "
                          "reviewed yet); their codings keep their status"]


def test_a_passages_codings_stay_together_where_its_first_is_queued(workbook, mini_outputs):
    """"Most needs are met ..." has housing queued 2nd and housing_gap 8th: both come 2nd and
    3rd, so a reviewer working down the sheet decides the passage whole."""
    path, wave = workbook
    sheet = load_workbook(path)["review"]
    rows = [(values[COLUMNS.index(s.PRIORITY)], values[COLUMNS.index(s.SEGMENT_ID)],
             values[COLUMNS.index(s.CODE_ID)])
            for values in sheet.iter_rows(min_row=2, values_only=True)]
    needs = segment(mini_outputs, "Most needs are met")
    assert rows[1:3] == [(2, needs, "housing"), (8, needs, "housing_gap")]
    blocks = [sid for i, (_, sid, _) in enumerate(rows) if i == 0 or rows[i - 1][1] != sid]
    assert len(blocks) == len(set(blocks)) == wave.codings[s.SEGMENT_ID].nunique()
    firsts = [min(p for p, sid_, _ in rows if sid_ == sid and p is not None) for sid in blocks
              if any(p is not None for p, sid_, _ in rows if sid_ == sid)]
    assert firsts == sorted(firsts)
