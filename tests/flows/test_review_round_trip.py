"""The review round trip on the sample wave, as a researcher and an analyst would run it.

The wave is coded by the real flow; a researcher recodes the exported ``.qdpx`` (scripted, as a
QDA tool writes it) or fills in the review workbook; ``wavecoder import-review`` brings the
decisions back; the review log, the statuses, the agreement table, the coded datasets, the next
report and a re-run of the wave all reflect exactly those edits.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import duckdb
import pandas as pd
from lxml import etree
from support_qdpx import ReviewerEdit, recode_qdpx
from support_review import fill_workbook
from typer.testing import CliRunner

from flows.cli import app
from flows.code_wave import code_wave
from pipeline import schema as s
from pipeline.parameters import WaveRun
from pipeline.review.qdpx import NAMESPACE

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "corpora" / "sector-survey-2013"
CODEBOOK = str(ROOT / "models" / "codebooks" / "recovery-capital.yaml")
runner = CliRunner()


def run_wave(out: Path) -> Path:
    state = code_wave(run=WaveRun(wave_folder=str(SAMPLE), codebook=CODEBOOK, out=str(out),
                                  topics=False, progress=False), return_state=True)
    assert state.is_completed(), state.message
    return out / state.result()["wave"]


def cli(*args: str, exit_code: int = 0) -> str:
    result = runner.invoke(app, [str(a) for a in args], env={"COLUMNS": "500"})
    assert result.exit_code == exit_code, result.output
    return result.output


def table(wave: Path, name: str) -> pd.DataFrame:
    return pd.read_parquet(wave / f"{name}.parquet")


def find(wave: Path, respondent: str, question: str, text: str, code_id: str | None = None):
    """The segment (and its coding of ``code_id``) of an answer, by the text it starts with."""
    docs, segs = table(wave, "documents"), table(wave, "segments")
    doc = docs[(docs[s.RESPONDENT_ID] == respondent) & (docs[s.QUESTION_ID] == question)]
    seg = segs[segs[s.DOCUMENT_ID].isin(doc[s.DOCUMENT_ID]) & segs[s.TEXT].str.contains(text)]
    assert len(seg) == 1, (respondent, question, text)
    segment_id = seg[s.SEGMENT_ID].iloc[0]
    if code_id is None:
        return segment_id, doc[s.DOCUMENT_ID].iloc[0], int(seg[s.START].iloc[0]), int(
            seg[s.END].iloc[0])
    codings = table(wave, "codings")
    assert ((codings[s.SEGMENT_ID] == segment_id) & (codings[s.CODE_ID] == code_id)).sum() == 1
    return segment_id, code_id


def mentions(wave: Path, question: str, code_id: str) -> int:
    summary = pd.read_csv(wave / "theme_summary.csv")
    row = summary[(summary[s.QUESTION_ID] == question) & (summary[s.CODE_ID] == code_id)]
    return int(row[s.MENTIONS].iloc[0])


def log_rows(out: Path) -> pd.DataFrame:
    with duckdb.connect(str(out / "wavecoder.duckdb"), read_only=True) as con:
        return con.execute("select * from review_log order by seq").df()


def test_qdpx_round_trip(tmp_path):
    out = tmp_path / "outputs"
    wave = run_wave(out)
    machine = table(wave, "codings")
    mutual = find(wave, "S001", "q3_changes", "Attendance at mutual aid", "mutual_aid")
    drinking = find(wave, "S011", "q5_partnerships", "will not see anyone",
                    "mental_health_threshold")
    good, good_doc, good_start, good_end = find(wave, "S036", "q1_needs_met",
                                                "good relationship with our comissioners")
    before = {"mutual": mentions(wave, "q3_changes", "mutual_aid"),
              "commissioning": mentions(wave, "q1_needs_met", "commissioning")}

    cli("export-qdpx", wave, "-o", tmp_path / "exported.qdpx", "--reviewer", "Ann Reviewer")
    # Ann deletes one coding, recodes another, codes a passage the rules missed (a misspelt
    # "commissioners"); everything else she leaves as it was, and says she accepts it.
    edit = ReviewerEdit(remove=[mutual], recode={drinking: "complex_needs_dual_diagnosis"},
                        add=[(good_doc, good_start, good_end, "commissioning")])
    reviewed = recode_qdpx(tmp_path / "exported.qdpx", tmp_path / "reviewed.qdpx", wave, edit)
    said = cli("import-review", reviewed, "--outputs", wave, "--accept-untouched")
    assert f"{len(machine) + 2} decisions" in said and "2 added" in said
    assert f"{len(machine) + 2} new in the review log, 0 already there" in said

    log = log_rows(out)
    assert len(log) == len(machine) + 2 and set(log[s.REVIEWER]) == {"Ann Reviewer"}
    assert log[s.DECISION].value_counts().to_dict() == {
        "accepted": len(machine) - 2, "rejected": 2, "added": 2}
    codings = table(wave, "codings").set_index([s.SEGMENT_ID, s.CODE_ID])
    assert codings.loc[mutual, s.STATUS] == "rejected"
    assert codings.loc[drinking, s.STATUS] == "rejected"
    assert codings.loc[(drinking[0], "complex_needs_dual_diagnosis"), s.STATUS] == "human-added"
    added = codings.loc[(good, "commissioning")]
    segment_text = table(wave, "segments").set_index(s.SEGMENT_ID).at[good, s.TEXT]
    assert segment_text.startswith("Perhaps most importantly, we have a good relationship")
    assert (added[s.STATUS], added[s.EVIDENCE], added[s.CODER]) == (
        "human-added", segment_text, "reviewer:Ann Reviewer")
    assert codings[s.STATUS].value_counts().to_dict() == {
        "accepted": len(machine) - 2, "rejected": 2, "human-added": 2}
    assert mentions(wave, "q3_changes", "mutual_aid") == before["mutual"] - 1
    assert mentions(wave, "q1_needs_met", "commissioning") == before["commissioning"] + 1

    agreement = pd.read_csv(wave / "review" / "agreement.csv").set_index(
        [s.COMPARISON, s.CODE_ID])
    mutual_row = agreement.loc[("machine-vs-reviewer", "mutual_aid")]
    assert (mutual_row[s.ACCEPTED], mutual_row[s.REJECTED_CODINGS], mutual_row[s.ADDED]) == (
        (machine[s.CODE_ID] == "mutual_aid").sum() - 1, 1, 0)
    assert agreement.loc[("machine-vs-reviewer", "commissioning"), s.ADDED] == 1
    assert agreement.loc[("machine-vs-reviewer", "housing"), s.KAPPA] == 1.0

    again = cli("import-review", reviewed, "--outputs", wave)
    assert f"0 new in the review log, {len(machine) + 2} already there" in again
    assert len(log_rows(out)) == len(log)

    # the next export offers the reviewed codings: rejected ones gone, added ones Ann's
    cli("export-qdpx", wave, "-o", tmp_path / "second.qdpx")
    with zipfile.ZipFile(tmp_path / "second.qdpx") as archive:
        root = etree.fromstring(archive.read("project.qde"))
    selections = list(root.iter(f"{{{NAMESPACE}}}PlainTextSelection"))
    assert len(selections) == len(machine)
    users = {u.get("guid"): u.get("name") for u in root.iter(f"{{{NAMESPACE}}}User")}
    by_ann = [sel for sel in selections if users[sel.get("creatingUser")] == "Ann Reviewer"]
    assert sorted(sel.findtext(f"{{{NAMESPACE}}}Description").split("code=")[-1].strip()
                  for sel in by_ann) == ["commissioning", "complex_needs_dual_diagnosis"]

    cli("report", wave)  # the next report counts the reviewed codes
    themes = pd.read_csv(wave / "report" / "themes.csv").set_index([s.QUESTION_ID, s.CODE_ID])
    assert themes.loc[("q1_needs_met", "commissioning"), s.MENTIONS] == \
        before["commissioning"] + 1
    assert themes.loc[("q3_changes", "mutual_aid"), s.MENTIONS] == before["mutual"] - 1
    quotes = pd.read_csv(wave / "report" / "exemplars.csv")
    assert set(quotes[s.STATUS]) <= {"accepted", "human-added"}
    review = pd.read_csv(wave / "report" / "review.csv").set_index(s.CODE_ID)
    assert review[["rejected", "human-added", "machine"]].sum().tolist() == [2, 2, 0]
    assert review.loc["mutual_aid", "rejected"] == 1
    assert review.loc["complex_needs_dual_diagnosis", "human-added"] == 1

    # re-running the wave keeps every decision: statuses come back from the log
    rerun = run_wave(out)
    assert table(rerun, "codings")[s.STATUS].value_counts().to_dict() == \
        codings[s.STATUS].value_counts().to_dict()
    assert len(log_rows(out)) == len(log)


def test_workbook_round_trip_with_two_reviewers(tmp_path, monkeypatch):
    out = tmp_path / "outputs"
    wave = run_wave(out)
    gap = find(wave, "S001", "q2_local_gaps", "nowhere to live", "housing_gap")
    mutual = find(wave, "S001", "q3_changes", "Attendance at mutual aid", "mutual_aid")
    drinking = find(wave, "S011", "q5_partnerships", "will not see anyone",
                    "mental_health_threshold")
    sanctions = find(wave, "S002", "q3_changes", "Benefit sanctions")[0]

    ann = tmp_path / "ann.xlsx"
    cli("export-review", wave, "-o", ann)
    fill_workbook(ann, {gap: {s.DECISION: "accept"}, mutual: {s.DECISION: "reject"},
                        drinking: {s.DECISION: "recode",
                                   s.CORRECTED_CODE: "complex_needs_dual_diagnosis"}},
                  [{s.SEGMENT_ID: sanctions, s.DECISION: "add",
                    s.CORRECTED_CODE: "employment_training"},
                   {s.SEGMENT_ID: sanctions, s.DECISION: "add", s.CORRECTED_CODE: "housng"}])
    # the misspelt code's row is refused: exit 2, and the other decisions are applied
    said = cli("import-review", ann, "--outputs", wave, "--reviewer", "Ann", exit_code=2)
    assert "5 decisions" in said and "unknown code 'housng'" in said
    assert "1 rows or passages could not be used" in said
    codings = table(wave, "codings").set_index([s.SEGMENT_ID, s.CODE_ID])
    assert codings.loc[gap, s.STATUS] == "accepted"
    assert codings.loc[mutual, s.STATUS] == "rejected"
    assert codings.loc[drinking, s.STATUS] == "rejected"
    assert codings.loc[(drinking[0], "complex_needs_dual_diagnosis"), s.STATUS] == "human-added"
    assert codings.loc[(sanctions, "employment_training"), s.STATUS] == "human-added"
    assert (codings[s.STATUS] == "machine").sum() == len(codings) - 5

    # Bob reviews later and disagrees on the mutual aid coding: his decision now stands,
    # Ann's stays in the log, and the two of them are compared.
    bob = tmp_path / "bob.xlsx"
    cli("export-review", wave, "-o", bob)
    fill_workbook(bob, {mutual: {s.DECISION: "accept", s.REVIEWER: "Bob"},
                        gap: {s.DECISION: "accept", s.REVIEWER: "Bob"}}, [])
    monkeypatch.chdir(tmp_path)  # from the project root, the workbook names its wave
    cli("import-review", bob)
    log = log_rows(out)
    on_mutual = log[(log[s.SEGMENT_ID] == mutual[0]) & (log[s.CODE_ID] == "mutual_aid")]
    assert on_mutual[[s.REVIEWER, s.DECISION]].values.tolist() == [["Ann", "rejected"],
                                                                  ["Bob", "accepted"]]
    assert table(wave, "codings").set_index([s.SEGMENT_ID, s.CODE_ID]).loc[
        mutual, s.STATUS] == "accepted"
    agreement = pd.read_csv(wave / "review" / "agreement.csv")
    between = agreement[agreement[s.COMPARISON] == "reviewer-vs-reviewer"].set_index(s.CODE_ID)
    # both reviewed the two segments: they differ on mutual aid in one of them
    assert between.loc["mutual_aid", [s.ITEMS, s.PERCENT_AGREEMENT, s.ALPHA]].tolist() == [
        2, 0.5, 0.0]
    assert between.loc["housing_gap", [s.PERCENT_AGREEMENT, s.ALPHA]].tolist() == [1.0, 1.0]
    assert bool(between.loc["mutual_aid", s.BELOW_THRESHOLD])
    assert set(between[s.RATERS]) == {"Ann | Bob"}

    cli("report", wave)
    review = pd.read_csv(wave / "report" / "review.csv").set_index(s.CODE_ID)
    assert review.loc["employment_training", "human-added"] == 1
    assert review.loc["mutual_aid", ["accepted", "rejected"]].tolist() == [1, 0]
    assert review[["accepted", "rejected", "human-added"]].sum().tolist() == [2, 1, 2]

    # gold: segments whose every coding was decided (the "nowhere to live" segment's housing
    # coding and the recoded segment's mental health coding were left undecided)
    said = cli("review-gold", wave, "-o", tmp_path / "gold.csv")
    assert "2 reviewed segments, 2 codes; 2 partly decided segments left out" in said
    gold = pd.read_csv(tmp_path / "gold.csv", keep_default_na=False)
    assert sorted(zip(gold[s.SEGMENT_ID], gold[s.CODE_ID], strict=False)) == sorted(
        [mutual, (sanctions, "employment_training")])
