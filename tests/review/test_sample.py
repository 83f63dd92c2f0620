"""A random sample of passages read whole: drawn, written, filled in, read back and scored."""

from __future__ import annotations

import pandas as pd
import pytest
from openpyxl import load_workbook
from support_review import coding, decisions, segment
from test_workbook import fill, row_of
from typer.testing import CliRunner

from pipeline import schema as s
from pipeline.outputs import read_wave
from pipeline.review.agreement import review_agreement
from pipeline.review.apply import review_wave
from pipeline.review.gold_export import reviewed_gold
from pipeline.review.sample import draw_sample, sample_agreement, sampled_passages
from pipeline.review.status import apply_decisions
from pipeline.review.workbook import COLUMNS, decisions_from_workbook, write_workbook

QUESTIONS = ["How have things changed", "And how is housing"]  # the interviewer's


def test_a_sample_draws_only_what_the_coder_reads_in_the_segments_order(mini_outputs):
    segments = read_wave(mini_outputs).segments
    asked = {segment(mini_outputs, text) for text in QUESTIONS}
    everything = draw_sample(segments, 100)
    assert everything == [i for i in segments[s.SEGMENT_ID] if i not in asked]
    assert len(everything) == 12
    assert draw_sample(segments, 100, code_interviewer=True) == segments[s.SEGMENT_ID].tolist()
    five = draw_sample(segments, 5, seed=3)
    assert len(five) == 5 and not asked & set(five)
    assert five == draw_sample(segments, 5, seed=3)  # seeded: the same draw again
    assert five != draw_sample(segments, 5, seed=4)
    assert five == [i for i in everything if i in set(five)]


@pytest.fixture()
def sampled(mini_outputs, mini_codebook, tmp_path):
    wave = read_wave(mini_outputs)
    drawn = [segment(mini_outputs, text) for text in (
        "Most needs are met", "We work well with families", "Our budget was cut")]
    path = write_workbook(tmp_path / "sample.xlsx", wave.wave, wave.codings, wave.segments,
                          wave.documents, None, mini_codebook, sample=drawn)
    return path, wave, drawn


def test_the_sample_workbook_has_each_passage_coded_or_not(sampled):
    path, wave, drawn = sampled
    book = load_workbook(path)
    rows = [dict(zip(COLUMNS, values, strict=True))
            for values in book["review"].iter_rows(min_row=2, values_only=True)]
    assert [(r[s.SEGMENT_ID], r[s.CODE_ID], r[s.PRIORITY]) for r in rows] == [
        (drawn[0], "housing_gap", 1), (drawn[0], "housing", 1), (drawn[1], None, 2),
        (drawn[2], None, 3)]  # a passage's codings by where their evidence starts
    assert {r[s.QUEUE_REASON] for r in rows} == {s.QUEUE_RANDOM_PASSAGE}
    assert rows[2][s.PASSAGE] == "We work well with families."
    assert book["sample"].sheet_state == "hidden"
    assert [r[0] for r in book["sample"].iter_rows(min_row=2, values_only=True)] == drawn
    validations = {v.formula1 for v in book["review"].data_validations.dataValidation}
    assert '"accept,reject,recode,add,none"' in validations


def test_none_and_add_on_uncoded_passages_become_decisions(sampled, mini_outputs,
                                                           mini_codebook):
    path, wave, drawn = sampled
    fill(path, {2: {s.DECISION: "accept", s.REVIEWER: "Ann"},
                3: {s.DECISION: "reject", s.REVIEWER: "Ann"},
                4: {s.DECISION: "none", s.REVIEWER: "Ann"},
                5: {s.DECISION: "add", s.CORRECTED_CODE: "employment_training",
                    s.REVIEWER: "Ann"}})
    read = decisions_from_workbook(path, wave.codings, wave.segments, mini_codebook,
                                   wave.wave)
    assert read.problems == []
    assert read.sample == drawn
    said = sorted(zip(read.decisions[s.SEGMENT_ID], read.decisions[s.CODE_ID],
                      read.decisions[s.DECISION], strict=True))
    assert said == sorted([(drawn[0], "housing", s.DECISION_REJECTED),
                           (drawn[0], "housing_gap", s.DECISION_ACCEPTED),
                           (drawn[1], "", s.DECISION_NO_CODE),
                           (drawn[2], "employment_training", s.DECISION_ADDED)])
    none = read.decisions[read.decisions[s.DECISION] == s.DECISION_NO_CODE].iloc[0]
    assert none[s.EVIDENCE] == ""  # no words of the passage in the log for it
    # marked in the log as a sample's, so the measure can be made again from the log alone
    assert sorted(read.decisions[s.DETAIL]) == [f"{s.SAMPLE_MARK}: row {n}" for n in (2, 3, 4, 5)]
    assert sampled_passages(read.decisions) == drawn


def test_none_where_it_cannot_mean_no_code_is_refused_naming_the_row(sampled, mini_outputs,
                                                                      mini_codebook):
    path, wave, drawn = sampled
    housing = row_of(path, coding(mini_outputs, "Most needs are met", "housing"))
    fill(path, {housing: {s.DECISION: "none", s.REVIEWER: "Ann"},
                4: {s.DECISION: "accept", s.REVIEWER: "Ann"},
                5: {s.DECISION: "none", s.REVIEWER: "Ann"}},
         [{s.SEGMENT_ID: drawn[0], s.DECISION: "none", s.REVIEWER: "Ann"},
          {s.SEGMENT_ID: drawn[2], s.DECISION: "add", s.CORRECTED_CODE: "housing",
           s.REVIEWER: "Ann"}])
    read = decisions_from_workbook(path, wave.codings, wave.segments, mini_codebook,
                                   wave.wave)
    assert read.problems == [
        f"sample.xlsx row {housing}: none names code 'housing': to drop a machine coding "
        "write reject; none is for a passage without codings",
        "sample.xlsx row 4: accept needs a machine coding, and this row names no code: write "
        "none if no code applies, or add a code",
        f"sample.xlsx row 6: none on segment {drawn[0]}, which has machine codings: accept or "
        "reject each of them instead",
        f"sample.xlsx rows 5, 7: Ann wrote none on segment {drawn[2]} and gave it a code; "
        "none applied"]
    assert read.decisions.empty


def logged(rows: list[tuple]) -> pd.DataFrame:
    """Decisions as the log holds them (numbered in order)."""
    log = decisions(rows)
    return log.assign(**{s.IMPORTED_AT: "2024-03-01T10:00:00", s.LOG_SEQ: range(1, len(log) + 1)})


def test_sample_agreement_scores_the_passages_read_whole(mini_outputs, mini_codebook):
    wave = read_wave(mini_outputs)
    needs, families, budget, ete = (segment(mini_outputs, text) for text in (
        "Most needs are met", "We work well with families", "Our budget was cut",
        "ETE support is not"))
    log = logged([(needs, "housing", s.DECISION_REJECTED),
                  (needs, "housing_gap", s.DECISION_ACCEPTED),
                  (families, "", s.DECISION_NO_CODE),
                  (budget, "employment_training", s.DECISION_ADDED)])
    # the ETE passage was drawn but its coding left undecided: not read whole, not counted
    scores = sample_agreement(wave.codings, log, [needs, families, budget, ete], mini_codebook)
    table = scores.set_index(s.CODE_ID)
    assert table[s.PASSAGES].unique().tolist() == [3]
    assert table.index.tolist() == ["housing", "housing_gap", "employment_training",
                                    s.ALL_CODES]
    assert table.loc["housing", [s.BY_MACHINE, s.BY_REVIEWER, s.BY_BOTH]].tolist() == [1, 0, 0]
    assert table.loc["housing", s.PRECISION] == 0 and pd.isna(table.loc["housing", s.RECALL])
    assert table.loc["housing_gap", [s.PRECISION, s.RECALL, s.F1]].tolist() == [1, 1, 1]
    assert table.loc["employment_training", [s.BY_MACHINE, s.RECALL]].tolist() == [0, 0]
    pooled = table.loc[s.ALL_CODES]
    assert pooled[[s.BY_MACHINE, s.BY_REVIEWER, s.BY_BOTH]].tolist() == [2, 2, 1]
    assert pooled[[s.PRECISION, s.RECALL, s.F1]].tolist() == [0.5, 0.5, 0.5]
    # 9 passage × code items: the two the machine and reviewer split on are the disagreements
    assert round(pooled[s.KAPPA], 4) == round(1 - (2 / 9) / (1 - (7 * 7 + 2 * 2) / 81), 4)
    # three passages: one resample in 27 holds the uncoded one alone, where F1 is undefined:
    # too often for an interval, for every code and pooled
    assert scores[[s.F1_LOW, s.F1_HIGH]].isna().all().all()


def test_the_review_tables_measure_the_sample_the_log_marks(mini_outputs, mini_codebook):
    wave = read_wave(mini_outputs)
    needs, families = (segment(mini_outputs, text) for text in (
        "Most needs are met", "We work well with families"))
    queue_round = logged([(needs, "housing", s.DECISION_REJECTED),
                          (needs, "housing_gap", s.DECISION_ACCEPTED)])
    assert "sample_agreement" not in review_wave(wave.codings, wave.segments, queue_round,
                                                 mini_codebook, wave.wave).tables
    marked = queue_round.assign(**{s.DETAIL: f"{s.SAMPLE_MARK}: row 2"})
    log = pd.concat([marked, logged([(families, "", s.DECISION_NO_CODE)]).assign(
        **{s.DETAIL: f"{s.SAMPLE_MARK}: row 4", s.LOG_SEQ: 3})], ignore_index=True)
    tables = review_wave(wave.codings, wave.segments, log, mini_codebook, wave.wave).tables
    pooled = tables["sample_agreement"].set_index(s.CODE_ID).loc[s.ALL_CODES]
    assert pooled[[s.PASSAGES, s.BY_MACHINE, s.BY_REVIEWER, s.BY_BOTH]].tolist() == [2, 2, 1, 1]


def test_a_machine_the_reviewer_agrees_with_everywhere_scores_one_with_no_doubt(
        mini_outputs, mini_codebook):
    wave = read_wave(mini_outputs)
    everything = draw_sample(wave.segments, 100)
    coded = set(wave.codings[s.SEGMENT_ID])
    log = logged([(row.segment_id, row.code_id, s.DECISION_ACCEPTED)
                  for row in wave.codings.itertuples(index=False)]
                 + [(i, "", s.DECISION_NO_CODE) for i in everything if i not in coded])
    scores = sample_agreement(wave.codings, log, everything, mini_codebook)
    pooled = scores.set_index(s.CODE_ID).loc[s.ALL_CODES]
    assert pooled[[s.PASSAGES, s.BY_MACHINE, s.BY_BOTH]].tolist() == [12, 10, 10]
    assert pooled[[s.PRECISION, s.RECALL, s.F1, s.KAPPA, s.F1_LOW, s.F1_HIGH]].tolist() == [
        1.0, 1.0, 1.0, 1.0, 1.0, 1.0]


def test_a_passage_read_and_left_uncoded_is_negative_gold_and_changes_no_coding(
        mini_outputs, mini_codebook):
    wave = read_wave(mini_outputs)
    families = segment(mini_outputs, "We work well with families")
    gap = coding(mini_outputs, "Most needs are met", "housing_gap")
    log = logged([(families, "", s.DECISION_NO_CODE), (*gap, s.DECISION_ACCEPTED)])
    applied = apply_decisions(wave.codings, wave.segments, log)
    assert applied.problems == []
    assert len(applied.codings) == len(wave.codings)  # nothing added for the passage
    assert applied.counts() == {s.STATUS_ACCEPTED: 1, s.STATUS_MACHINE: len(wave.codings) - 1}
    gold = reviewed_gold(wave.codings, wave.segments, log)
    assert gold.rows.loc[gold.rows[s.SEGMENT_ID] == families, s.CODE_ID].tolist() == [""]
    agreement = review_agreement(wave.codings, log, mini_codebook, wave.wave)
    assert "" not in set(agreement[s.CODE_ID])
    pooled = agreement[agreement[s.CODE_ID] == s.ALL_CODES].iloc[0]
    # both passages count as read: every code of the codebook on each, but for the housing
    # coding left undecided (not a judgement)
    assert pooled[s.ITEMS] == 2 * len(mini_codebook.code_ids()) - 1


def test_export_and_import_of_a_sample_measure_the_machine(mini_outputs, tmp_path):
    from flows.cli import app

    path = tmp_path / "sample.xlsx"
    exported = CliRunner().invoke(app, ["export-review", str(mini_outputs), "--sample", "4",
                                        "--seed", "0", "-o", str(path)])
    assert exported.exit_code == 0, exported.output
    drawn = [r[0] for r in load_workbook(path)["sample"].iter_rows(min_row=2,
                                                                   values_only=True)]
    wave = read_wave(mini_outputs)
    coded = set(wave.codings[s.SEGMENT_ID])
    assert f"{path.name}: 4 passages drawn at random (seed 0), " \
        f"{sum(i not in coded for i in drawn)} of them without a machine code" in " ".join(
            exported.output.split())
    sheet = load_workbook(path)["review"]
    edits = {}
    for number, values in enumerate(sheet.iter_rows(min_row=2, values_only=True), start=2):
        code = values[COLUMNS.index(s.CODE_ID)]
        edits[number] = {s.DECISION: "accept" if code else "none", s.REVIEWER: "Ann"}
    fill(path, edits)
    imported = CliRunner().invoke(app, ["import-review", str(path), "--outputs",
                                        str(mini_outputs)])
    assert imported.exit_code == 0, imported.output
    said = " ".join(imported.output.split())
    assert "The machine on 4 passages drawn at random and read whole" in said
    scores = pd.read_csv(mini_outputs / "review" / "sample_agreement.csv",
                         keep_default_na=False)
    pooled = scores[scores[s.CODE_ID] == s.ALL_CODES].iloc[0]
    machine = int(wave.codings[s.SEGMENT_ID].isin(drawn).sum())
    assert (pooled[s.PASSAGES], pooled[s.BY_MACHINE], pooled[s.BY_BOTH]) == (4, machine,
                                                                             machine)
    assert pooled[s.PRECISION] == (1.0 if machine else "")
    again = CliRunner().invoke(app, ["import-review", str(path), "--outputs",
                                     str(mini_outputs)])  # the same file: nothing new
    assert again.exit_code == 0, again.output
    assert "changes nothing" in again.output
    assert "The machine on 4 passages drawn at random and read whole" in " ".join(
        again.output.split())


def test_a_wave_with_no_passage_the_coder_reads_is_refused(mini_outputs, tmp_path):
    from flows.cli import app

    segments = pd.read_parquet(mini_outputs / "segments.parquet")
    segments[s.ROLE] = s.ROLE_INTERVIEWER
    segments.to_parquet(mini_outputs / "segments.parquet")
    path = tmp_path / "sample.xlsx"
    result = CliRunner().invoke(app, ["export-review", str(mini_outputs), "--sample", "5",
                                      "-o", str(path)])
    assert result.exit_code == 2, result.output
    assert "no passage to draw: every segment is the interviewer's or a filler" in " ".join(
        result.output.split())
    assert not path.exists()
    too_many = CliRunner().invoke(app, ["export-review", str(mini_outputs), "--sample",
                                        "100001", "-o", str(path)])
    assert too_many.exit_code == 2 and "--sample" in too_many.output and not path.exists()


def test_a_tampered_sample_sheet_counts_what_it_cannot_use(sampled, mini_outputs):
    from flows.cli import app

    path, wave, drawn = sampled
    book = load_workbook(path)
    sheet = book["sample"]
    for value in ("not-a-segment", None, "=HYPERLINK(\"http://x\")", drawn[1]):
        sheet.append([value])  # an unknown id, a blank, a formula, a repeat
    book.save(path)
    fill(path, {4: {s.DECISION: "none", s.REVIEWER: "Ann"}})
    result = CliRunner().invoke(app, ["import-review", str(path), "--outputs",
                                      str(mini_outputs)])
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "The machine on 1 passages drawn at random and read whole" in said
    # the three drawn passages and the unknown id (a formula is read as its cached value,
    # none here, and the repeat once): one read whole
    assert "3 of this workbook's 4 passages are not yet read whole" in said
