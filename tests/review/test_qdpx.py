"""REFI-QDA round trip: export a coded wave to .qdpx, recode it like a researcher, read it back."""

from __future__ import annotations

import datetime as dt
import json
import re
import zipfile
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
from lxml import etree
from support_qdpx import ReviewerEdit, recode_qdpx, tool_guid
from support_review import write_mini_outputs
from typer.testing import CliRunner

from pipeline import schema as s
from pipeline.review.qdpx import (
    NAMESPACE,
    export_qdpx,
    source_name,
    stable_guid,
    wave_layout,
)
from pipeline.review.qdpx_project import validate_project
from pipeline.review.qdpx_read import decisions_from_qdpx

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT.parent / "shared" / "refi-qda" / "Project.xsd"
Q = f"{{{NAMESPACE}}}"

ANSWER_S002_Q2 = "survey.csv#S002#q2_local_gaps"
CE01 = "interviews/CE01.txt#CE01#interview"
# Codings of the mini wave (tests/data/waves/mini-wave, tests/data/codebook-mini.yaml) that the
# tests edit, by document, code and evidence; resolved to (segment_id, code_id) by the fixture.
CODINGS = {
    "S001_GAP": ("survey.csv#S001#q1_needs_met", "housing_gap", "lack of supported housing"),
    "S001_HOUSING": ("survey.csv#S001#q1_needs_met", "housing", "housing"),
    "S001_ETE": ("survey.csv#S001#q2_local_gaps", "employment_training", "ETE"),
    "S002_ETE": ("survey.csv#S002#q1_needs_met", "employment_training", "Jobcentre Plus"),
    "S002_MH": (ANSWER_S002_Q2, "mental_health", "Mental health"),
    "S002_THRESHOLD": (ANSWER_S002_Q2, "mental_health_threshold", "raised their thresholds"),
    "CE01_DRY": (CE01, "housing", "dry house"),
}


@pytest.fixture(scope="module")
def outputs(tmp_path_factory, mini_codebook) -> Path:
    """A real outputs folder of the mini wave, with the run.json the flow writes."""
    return write_mini_outputs(tmp_path_factory.mktemp("outputs") / "mini-2013", mini_codebook)


@pytest.fixture(scope="module")
def exported(outputs, mini_codebook) -> Path:
    return export_qdpx(outputs, mini_codebook, reviewers=["Ann Reviewer"])


@pytest.fixture(scope="module")
def k(outputs) -> SimpleNamespace:
    """The codings the tests edit as (segment_id, code_id), and the CE01 budget segment."""
    codings = pd.read_parquet(outputs / "codings.parquet").merge(
        pd.read_parquet(outputs / "segments.parquet"), on=s.SEGMENT_ID, suffixes=("", "_seg"))
    keys = {}
    for name, (document_id, code_id, evidence) in CODINGS.items():
        row = codings[(codings[s.DOCUMENT_ID] == document_id) & (codings[s.CODE_ID] == code_id)
                      & (codings[s.EVIDENCE] == evidence)]
        assert len(row) == 1, f"the mini wave no longer has coding {name}"
        keys[name] = (row[s.SEGMENT_ID].iloc[0], code_id)
    segments = pd.read_parquet(outputs / "segments.parquet")
    budget = segments[segments[s.TEXT].str.startswith("Our budget was cut")]
    return SimpleNamespace(**keys, CE01_BUDGET=budget[s.SEGMENT_ID].iloc[0])


def project(path: Path) -> etree._Element:
    with zipfile.ZipFile(path) as archive:
        return etree.fromstring(archive.read("project.qde"))


def source_texts(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as archive:
        return {Path(n).stem: archive.read(n).decode("utf-8") for n in archive.namelist()
                if n.startswith("sources/")}


def decisions(result) -> set[tuple[str, str, str]]:
    return set(zip(result.decisions[s.SEGMENT_ID], result.decisions[s.CODE_ID],
                   result.decisions[s.DECISION], strict=True))


# --------------------------------------------------------------------------- export


def test_export_is_valid_refi_qda(exported):
    assert SCHEMA.exists(), f"the REFI-QDA schema is expected at {SCHEMA}"
    with zipfile.ZipFile(exported) as archive:
        assert archive.namelist()[0] == "project.qde"
        assert validate_project(archive.read("project.qde"), SCHEMA) == []
    assert exported.name == "mini-2013.qdpx"


def test_independent_readers_see_the_outputs(k, exported, outputs, mini_codebook, tmp_path):
    from pyqdpx import QDPX
    from pyrefiqda import RefiProject

    documents = pd.read_parquet(outputs / "documents.parquet")
    codings = pd.read_parquet(outputs / "codings.parquet")
    n_sources = documents.groupby([s.SOURCE, s.RESPONDENT_ID]).ngroups
    assert n_sources == 5  # four survey respondents and one transcript

    qde = QDPX(str(exported)).get_project()
    assert len(qde.sources) == n_sources
    assert len(qde.codes) == len(mini_codebook.code_ids())
    selections = [sel for src in qde.sources.values() for sel in src.coded_selections.values()]
    assert len(selections) == len(codings)
    assert sorted(sel.text for sel in selections) == sorted(codings[s.EVIDENCE])
    assert {sel.user.name for sel in selections} == set(codings[s.CODER])
    assert qde.find_code("Housing gap").parent.name == "Housing"
    assert {u.name for u in qde.users.values()} == {"Ann Reviewer", *codings[s.CODER]}

    refi = RefiProject.load(exported, extract_dir=str(tmp_path / "refi"))
    assert len(refi.sources.text_source) == n_sources
    assert sum(len(t.plain_text_selection) for t in refi.sources.text_source) == len(codings)
    top = refi.code_book.codes.code
    assert [c.name for c in top] == [c.label for c in mini_codebook.codes]
    assert sum(1 + len(c.code) for c in top) == len(mini_codebook.code_ids())
    assert len(refi.cases.case) == documents[s.RESPONDENT_ID].nunique()


def test_selection_offsets_give_back_the_evidence(exported, outputs):
    codings = pd.read_parquet(outputs / "codings.parquet")
    evidence = dict(zip(zip(codings[s.SEGMENT_ID], codings[s.CODE_ID], strict=True),
                        codings[s.EVIDENCE], strict=True))
    texts = source_texts(exported)
    seen = set()
    for source in project(exported).iter(f"{Q}TextSource"):
        text = texts[source.get("guid")]
        for sel in source.iter(f"{Q}PlainTextSelection"):
            key = tuple(re.search(r"segment=(\S+) code=(\S+)$",
                                  sel.findtext(f"{Q}Description")).groups())
            start, end = int(sel.get("startPosition")), int(sel.get("endPosition"))
            assert text[start:end] == evidence[key]
            seen.add(key)
    assert seen == set(evidence)


def test_survey_answers_sit_under_their_question_headings(exported, outputs):
    layout = wave_layout(outputs)
    plan = layout.source_of_document[ANSWER_S002_Q2]
    assert plan.name == "S002 - survey.csv"
    text = source_texts(exported)[plan.guid]
    assert text.startswith("[q1_needs_met] How well are service users' recovery support")
    heading = "[q2_local_gaps] What support is missing or hard to access locally?\n"
    assert text[plan.offsets[ANSWER_S002_Q2] - len(heading):].startswith(heading + "Mental")


def test_cases_carry_attributes_and_sources(exported):
    root = project(exported)
    variables = {v.get("guid"): v.get("name") for v in root.iter(f"{Q}Variable")}
    assert sorted(variables.values()) == ["organisation", "region", "service_type"]
    cases = {c.get("name"): c for c in root.iter(f"{Q}Case")}
    assert sorted(cases) == ["CE01", "S001", "S002", "S004", "line-8"]
    s001 = {variables[v.find(f"{Q}VariableRef").get("targetGUID")]: v.findtext(f"{Q}TextValue")
            for v in cases["S001"].iter(f"{Q}VariableValue")}
    assert s001 == {"region": "North West", "service_type": "community"}
    names = {t.get("guid"): t.get("name") for t in root.iter(f"{Q}TextSource")}
    assert [names[r.get("targetGUID")] for r in cases["CE01"].iter(f"{Q}SourceRef")] == [
        "CE01 - interviews_CE01.txt"]


def test_the_reviewer_is_the_first_user(exported, outputs):
    # QualCoder codes as the first user of a project: the reviewer, not the machine
    users = [u.get("name") for u in project(exported).iter(f"{Q}User")]
    coders = sorted(set(pd.read_parquet(outputs / "codings.parquet")[s.CODER]))
    assert users == ["Ann Reviewer", *coders]


def test_source_names_are_file_safe_with_the_origin_described(exported):
    sources = {t.get("name"): t.findtext(f"{Q}Description")
               for t in project(exported).iter(f"{Q}TextSource")}
    assert sorted(sources) == ["CE01 - interviews_CE01.txt", "S001 - survey.csv",
                               "S002 - survey.csv", "S004 - survey.csv", "line-8 - survey.csv"]
    assert not any(set(name) & set('/\\:*?"<>|') for name in sources)
    assert sources["CE01 - interviews_CE01.txt"] == (
        "Respondent CE01: transcript from interviews/CE01.txt (wave mini-2013)")
    assert "survey answers from survey.csv" in sources["S001 - survey.csv"]


def test_source_names_stay_unique():
    taken: set[str] = set()
    names = [source_name("R1", origin, taken) for origin in
             ("a/b.txt", "a_b.txt", "a:b.txt", "C:\\data\\x.csv", "")]
    assert names == ["R1 - a_b.txt", "R1 - a_b.txt (2)", "R1 - a_b.txt (3)",
                     "R1 - C_data_x.csv", "R1"]


def test_sources_selections_and_codings_say_who_created_them_and_when(exported, outputs):
    root = project(exported)
    users = {u.get("guid"): u.get("name") for u in root.iter(f"{Q}User")}
    coder = sorted(set(pd.read_parquet(outputs / "codings.parquet")[s.CODER]))[0]
    made = dt.datetime.fromtimestamp(int((outputs / "segments.parquet").stat().st_mtime),
                                     dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    stamped = [*root.iter(f"{Q}TextSource"), *root.iter(f"{Q}PlainTextSelection"),
               *root.iter(f"{Q}Coding")]
    assert len(stamped) == 5 + 10 + 10
    assert {users[node.get("creatingUser")] for node in stamped} == {coder}
    assert {node.get("creationDateTime") for node in stamped} == {made}


def test_codes_have_colours_from_the_codebook_else_a_fixed_palette(outputs, mini_codebook,
                                                                   exported, tmp_path):
    colours = {c.get("name"): c.get("color") for c in project(exported).iter(f"{Q}Code")}
    assert all(re.fullmatch(r"#[0-9A-F]{6}", c) for c in colours.values())
    assert len(set(colours.values())) > 1
    housing = mini_codebook.codes[0].model_copy(update={"colour": "#123abc"})
    coloured = mini_codebook.model_copy(update={"codes": [housing, *mini_codebook.codes[1:]]})
    again = project(export_qdpx(outputs, coloured, tmp_path / "c.qdpx"))
    recoloured = {c.get("name"): c.get("color") for c in again.iter(f"{Q}Code")}
    assert recoloured.pop(housing.label) == "#123abc"
    assert recoloured == {k: v for k, v in colours.items() if k != housing.label}


def test_each_survey_question_is_a_set_of_the_sources_answering_it(exported, outputs):
    root = project(exported)
    names = {t.get("guid"): t.get("name") for t in root.iter(f"{Q}TextSource")}
    sets = {node.get("name"): (node.findtext(f"{Q}Description"),
                               sorted(names[m.get("targetGUID")]
                                      for m in node.iter(f"{Q}MemberSource")))
            for node in root.iter(f"{Q}Set")}
    documents = pd.read_parquet(outputs / "documents.parquet")
    survey = documents[documents[s.KIND] == "survey"]
    assert sorted(sets) == sorted(survey[s.QUESTION_ID].unique()) == ["q1_needs_met",
                                                                      "q2_local_gaps"]
    for question_id, (description, members) in sets.items():
        answering = survey.loc[survey[s.QUESTION_ID] == question_id, s.RESPONDENT_ID]
        assert members == sorted(f"{r} - survey.csv" for r in answering)
        assert description.startswith(f"Survey question {question_id}: ")
    assert "What support is missing" in sets["q2_local_gaps"][0]


def test_codes_nest_with_definitions_and_coding_notes(exported):
    root = project(exported)
    housing = next(c for c in root.iter(f"{Q}Code") if c.get("name") == "Housing")
    assert housing.get("isCodable") == "true"
    assert [c.get("name") for c in housing.findall(f"{Q}Code")] == ["Housing gap"]
    assert housing.findtext(f"{Q}Description").startswith("Accommodation and housing support")
    note = next(sel.findtext(f"{Q}Description") for sel in root.iter(f"{Q}PlainTextSelection")
                if sel.findtext(f"{Q}Description").endswith("code=housing_gap")
                and "lack of" in sel.findtext(f"{Q}Description"))
    assert '"lack of supported housing"' in note and "confidence 0.90; negated: no" in note


def test_reexport_is_byte_identical(outputs, mini_codebook, exported, tmp_path):
    again = export_qdpx(outputs, mini_codebook, tmp_path / "again.qdpx", ["Ann Reviewer"])
    assert again.read_bytes() == exported.read_bytes()


def test_codes_outside_the_codebook_are_refused(k, outputs, mini_codebook, tmp_path):
    smaller = mini_codebook.model_copy(update={"codes": mini_codebook.codes[1:]})
    with pytest.raises(ValueError, match="housing, housing_gap"):
        export_qdpx(outputs, smaller, tmp_path / "x.qdpx")


def test_rejected_codings_are_not_offered_again(outputs, mini_codebook, tmp_path):
    reviewed = tmp_path / "mini-2013"
    reviewed.mkdir()
    for name in ("documents", "segments"):
        (reviewed / f"{name}.parquet").write_bytes((outputs / f"{name}.parquet").read_bytes())
    codings = pd.read_parquet(outputs / "codings.parquet")
    codings.loc[codings[s.CODE_ID] == "housing", s.STATUS] = s.STATUS_REJECTED
    codings.to_parquet(reviewed / "codings.parquet")
    assert len(wave_layout(reviewed).selections) == (codings[s.CODE_ID] != "housing").sum()


# --------------------------------------------------------------------------- import


def test_unchanged_project_decides_nothing_unless_asked(exported, outputs):
    # the reviewer may have looked at none of them: untouched codings stay machine
    untouched = decisions_from_qdpx(exported, outputs)
    assert untouched.problems == [] and untouched.decisions.empty
    assert untouched.notes == ["mini-2013.qdpx: 10 machine codings were left as exported; they "
                               "stay machine (not reviewed); pass --accept-untouched to accept "
                               "them"]
    result = decisions_from_qdpx(exported, outputs, accept_untouched=True)
    assert result.problems == [] and result.notes == []
    assert len(result.decisions) == len(pd.read_parquet(outputs / "codings.parquet"))
    assert set(result.decisions[s.DECISION]) == {s.DECISION_ACCEPTED}
    assert set(result.decisions[s.REVIEWER]) == {"Ann Reviewer"}
    assert result.decisions[s.DETAIL].str.contains("--accept-untouched").all()


def test_reviewer_edit_round_trip(k, exported, outputs, tmp_path):
    edit = ReviewerEdit(
        remove=[k.S001_HOUSING, k.CE01_DRY],
        recode={k.S002_MH: "mental_health_threshold"},
        add=[(CE01, 99, 128, "employment_training")],  # "Our budget was cut by a fifth"
        touch={k.S001_ETE: "2024-03-04T09:00:00Z"},
    )
    reviewed = recode_qdpx(exported, tmp_path / "reviewed.qdpx", outputs, edit)
    with zipfile.ZipFile(reviewed) as archive:  # written as a tool writes: still valid
        assert validate_project(archive.read("project.qde"), SCHEMA) == []

    result = decisions_from_qdpx(reviewed, outputs)
    log = result.decisions
    assert result.problems == []
    assert list(log.columns) == s.REVIEW_LOG.names
    # only the touched coding is accepted; the six left alone stay machine
    assert log[s.DECISION].value_counts().to_dict() == {"accepted": 1, "rejected": 3, "added": 2}
    assert "6 machine codings were left as exported" in result.notes[0]
    everything = decisions_from_qdpx(reviewed, outputs, accept_untouched=True).decisions
    assert everything[s.DECISION].value_counts().to_dict() == {
        "accepted": 7, "rejected": 3, "added": 2}
    assert {k for k in decisions(result) if k[2] != "accepted"} == {
        (*k.S001_HOUSING, "rejected"), (*k.CE01_DRY, "rejected"), (*k.S002_MH, "rejected"),
        (k.S002_MH[0], "mental_health_threshold", "added"),
        (k.CE01_BUDGET, "employment_training", "added"),
    }
    by = log.set_index([s.SEGMENT_ID, s.CODE_ID, s.DECISION])
    touched = by.loc[(*k.S001_ETE, "accepted")]
    assert (touched[s.REVIEWER], touched[s.DECIDED_AT]) == ("Ann Reviewer", "2024-03-04T09:00:00Z")
    removed = by.loc[(*k.CE01_DRY, "rejected")]
    assert removed[s.DECIDED_AT] == edit.when and "removed" in removed[s.DETAIL]
    assert removed[s.EVIDENCE] == "dry house"
    added = by.loc[(k.CE01_BUDGET, "employment_training", "added")]
    assert (added[s.START], added[s.END]) == (99, 128)
    assert added[s.EVIDENCE] == "Our budget was cut by a fifth"
    assert "recode" in by.loc[(k.S002_MH[0], "mental_health_threshold", "added")][s.DETAIL]
    assert set(log[s.REVIEWER]) == {"Ann Reviewer"}
    assert set(log[s.REVIEW_FILE]) == {"reviewed.qdpx"}
    assert log[s.REVIEW_FILE_SHA256].nunique() == 1 and len(log[s.REVIEW_FILE_SHA256][0]) == 64


def test_agreement_counts_only_what_the_reviewer_decided(k, mini_outputs, mini_codebook,
                                                         tmp_path):
    from pipeline.review.apply import import_review

    exported = export_qdpx(mini_outputs, mini_codebook, tmp_path / "x.qdpx", ["Ann Reviewer"])
    edit = ReviewerEdit(recode={k.S002_MH: "employment_training"},
                        touch={k.S001_ETE: "2024-03-04T09:00:00Z"})
    done = import_review(recode_qdpx(exported, tmp_path / "r.qdpx", mini_outputs, edit),
                         mini_outputs, mini_codebook, imported_at="2024-03-06T00:00:00Z")
    assert done.refreshed.statuses == {"accepted": 1, "human-added": 1, "machine": 8,
                                       "rejected": 1}
    pooled = done.refreshed.agreement.set_index([s.COMPARISON, s.CODE_ID]).loc[
        (s.COMPARISON_MACHINE, s.ALL_CODES)]
    assert (pooled[s.ACCEPTED], pooled[s.REJECTED_CODINGS], pooled[s.ADDED]) == (1, 1, 1)
    # items: every code on the two segments looked at, but not their codings left alone
    codings = pd.read_parquet(mini_outputs / "codings.parquet")
    looked_at = {k.S002_MH[0], k.S001_ETE[0]}
    left_alone = (codings[s.SEGMENT_ID].isin(looked_at) & (codings[s.STATUS] == "machine")).sum()
    assert left_alone > 0
    assert pooled[s.ITEMS] == 2 * len(mini_codebook.code_ids()) - left_alone


def test_recode_by_deleting_and_coding_the_span_anew(k, exported, outputs, tmp_path):
    # "Jobcentre Plus" is at 43:57 of S002's first answer; the reviewer codes it as housing.
    edit = ReviewerEdit(remove=[k.S002_ETE],
                        add=[("survey.csv#S002#q1_needs_met", 43, 57, "housing")])
    result = decisions_from_qdpx(recode_qdpx(exported, tmp_path / "r.qdpx", outputs, edit),
                                 outputs)
    changed = result.decisions[result.decisions[s.DECISION] != s.DECISION_ACCEPTED]
    assert [tuple(r) for r in changed[[s.CODE_ID, s.DECISION]].to_numpy()] == [
        ("employment_training", "rejected"), ("housing", "added")]
    assert changed[s.DETAIL].str.contains("recode").all()


def test_selection_across_segments_goes_to_the_largest_overlap(k, exported, outputs, tmp_path):
    # CE01 segments: 68-98 "The biggest change is funding." and 99-222 "Our budget was cut ..."
    edit = ReviewerEdit(add=[(CE01, 90, 130, "employment_training")])
    result = decisions_from_qdpx(recode_qdpx(exported, tmp_path / "r.qdpx", outputs, edit),
                                 outputs)
    added = result.decisions[result.decisions[s.DECISION] == s.DECISION_ADDED].iloc[0]
    assert added[s.SEGMENT_ID] == k.CE01_BUDGET
    assert "spans 2 segments" in added[s.DETAIL]
    assert added[s.EVIDENCE] == "Our budget was cut by a fifth w"  # cut to its segment
    assert (added[s.START], added[s.END]) == (99, 130)


def test_edited_source_is_reported_not_misaligned(k, exported, outputs, tmp_path):
    # The reviewer edits S002's first answer, before three of its codings, and codes a passage
    # of its second answer; the tool moves every selection after the edit along.
    edit = ReviewerEdit(edit_text=[("survey.csv#S002#q1_needs_met", "is available",
                                    "is readily available")],
                        add=[(ANSWER_S002_Q2, 68, 93, "mental_health")])
    reviewed = recode_qdpx(exported, tmp_path / "edited.qdpx", outputs, edit)
    source = wave_layout(outputs).source_of_document[ANSWER_S002_Q2].guid
    assert "readily available" in source_texts(reviewed)[source]
    result = decisions_from_qdpx(reviewed, outputs, accept_untouched=True)
    assert result.problems == []  # every selection was placed: a note, no exit 2
    assert "'S002 - survey.csv'" in result.notes[0] and "edited" in result.notes[0]
    log = result.decisions
    accepted = log[log[s.DECISION] == s.DECISION_ACCEPTED]
    assert len(accepted) == 10
    assert not accepted[s.DETAIL].str.contains("resized").any()  # none seen as moved
    added = log[log[s.DECISION] == s.DECISION_ADDED].iloc[0]
    assert added[s.SEGMENT_ID] == k.S002_MH[0]
    assert added[s.EVIDENCE] == "clients no longer qualify"
    assert (added[s.START], added[s.END]) == (68, 93)


def test_selection_touching_an_edit_is_skipped(k, exported, outputs, tmp_path):
    edit = ReviewerEdit(edit_text=[(ANSWER_S002_Q2, "raised their", "raised all their")])
    result = decisions_from_qdpx(recode_qdpx(exported, tmp_path / "e.qdpx", outputs, edit),
                                 outputs, accept_untouched=True)
    assert any("'S002 - survey.csv'" in p and "edited" in p for p in result.notes)
    assert [p for p in result.problems if "touches edited text" in p] == result.problems != []
    undecided = k.S002_THRESHOLD
    assert undecided not in {k[:2] for k in decisions(result)}
    assert len(result.decisions) == 9
    assert set(result.decisions[s.DECISION]) == {s.DECISION_ACCEPTED}


def rewrite(qdpx: Path, out: Path, change) -> Path:
    """Save ``qdpx`` to ``out`` after ``change(root)`` edits its project.qde in place."""
    root = project(qdpx)
    change(root)
    with zipfile.ZipFile(qdpx) as src, zipfile.ZipFile(out, "w") as dst:
        for name in src.namelist():
            dst.writestr(name, etree.tostring(root) if name == "project.qde" else src.read(name))
    return out


def machine_selection(root: etree._Element, key: tuple[str, str]) -> etree._Element:
    tag = "segment={} code={}".format(*key)
    return next(sel for sel in root.iter(f"{Q}PlainTextSelection")
                if sel.findtext(f"{Q}Description").endswith(tag))


def test_code_taken_off_a_selection_without_a_human_user(k, outputs, mini_codebook, tmp_path):
    plain = export_qdpx(outputs, mini_codebook, tmp_path / "plain.qdpx")  # no reviewer users

    def take_code_off(root):
        selection = machine_selection(root, k.CE01_DRY)
        selection.remove(selection.find(f"{Q}Coding"))

    result = decisions_from_qdpx(rewrite(plain, tmp_path / "edited.qdpx", take_code_off),
                                 outputs)
    rejected = result.decisions[result.decisions[s.DECISION] == s.DECISION_REJECTED]
    assert [tuple(r) for r in rejected[[s.SEGMENT_ID, s.CODE_ID]].to_numpy()] == [k.CE01_DRY]
    assert "code was removed" in rejected[s.DETAIL].iloc[0]
    assert set(result.decisions[s.REVIEWER]) == {"unknown"}
    assert result.problems == []  # all was used: a note, not a reason to exit 2
    assert result.notes[0] == ("edited.qdpx: the project has no human user; decisions no user "
                               "signed are attributed to 'unknown'")


def test_the_reviewer_named_on_import_signs_unsigned_decisions(k, outputs, mini_codebook,
                                                              tmp_path):
    # a tool that saved the edit under the machine's user (or none): --reviewer says who it was
    plain = export_qdpx(outputs, mini_codebook, tmp_path / "plain.qdpx")

    def take_code_off(root):
        selection = machine_selection(root, k.CE01_DRY)
        selection.remove(selection.find(f"{Q}Coding"))

    edited = rewrite(plain, tmp_path / "edited.qdpx", take_code_off)
    result = decisions_from_qdpx(edited, outputs, reviewer="Zoe Field")
    assert set(result.decisions[s.REVIEWER]) == {"Zoe Field"}
    assert result.problems == []


def test_resized_selection_is_accepted_with_its_new_passage(k, exported, outputs, tmp_path):
    def widen(root):  # "lack of supported housing" -> "lack of supported housing for people"
        selection = machine_selection(root, k.S001_GAP)
        selection.set("endPosition", str(int(selection.get("endPosition")) + 11))

    result = decisions_from_qdpx(rewrite(exported, tmp_path / "wide.qdpx", widen), outputs)
    assert set(result.decisions[s.DECISION]) == {s.DECISION_ACCEPTED}
    row = result.decisions.set_index([s.SEGMENT_ID, s.CODE_ID]).loc[k.S001_GAP]
    assert row[s.EVIDENCE] == "lack of supported housing for people"
    assert (row[s.START], row[s.END]) == (40, 76) and "resized" in row[s.DETAIL]


def test_unknown_code_is_a_problem_naming_the_selection(exported, outputs, tmp_path):
    stranger = tool_guid("code", "peer_support")
    edit = ReviewerEdit(add=[(CE01, 268, 287, "peer_support")],
                        code_guids={"peer_support": stranger})
    reviewed = recode_qdpx(exported, tmp_path / "u.qdpx", outputs, edit)
    result = decisions_from_qdpx(reviewed, outputs, accept_untouched=True)
    selection = tool_guid("selection", CE01, "268", "287", "peer_support")
    assert len(result.problems) == 1
    assert selection in result.problems[0] and stranger in result.problems[0]
    assert "'CE01 - interviews_CE01.txt'" in result.problems[0]
    assert set(result.decisions[s.DECISION]) == {s.DECISION_ACCEPTED}


def test_code_created_in_the_tool_is_named_in_the_problem(exported, outputs, tmp_path):
    from pyqdpx import QDPX, Code, User

    copy = tmp_path / "tool.qdpx"
    copy.write_bytes(exported.read_bytes())
    qdpx = QDPX(str(copy))
    qde = qdpx.get_project()
    user = User(name="Bo Coder", id="BC")
    qde.add_user(user)
    code = Code("Peer support", qde)
    source = next(src for src in qde.sources.values() if src.name.startswith("CE01"))
    source.add_selection(268, 287, code, user)
    doomed = next(sel for sel in source.coded_selections.values() if sel.text == "dry house")
    doomed.delete()
    qdpx.save_project()

    result = decisions_from_qdpx(copy, outputs)
    assert len(result.problems) == 1 and "code 'Peer support'" in result.problems[0]
    rejected = result.decisions[result.decisions[s.DECISION] == s.DECISION_REJECTED]
    assert list(rejected[s.CODE_ID]) == ["housing"] and list(rejected[s.EVIDENCE]) == ["dry house"]
    assert list(rejected[s.REVIEWER]) == ["Bo Coder"]


def test_tool_style_guids_bom_and_folder_case_are_read(exported, outputs, tmp_path):
    styled = tmp_path / "styled.qdpx"
    guid = re.compile(rb'(guid|GUID|User|targetGUID)="([0-9a-f-]{36})"')
    with zipfile.ZipFile(exported) as src, zipfile.ZipFile(styled, "w") as out:
        for name in src.namelist():
            data = src.read(name)
            if name == "project.qde":
                data = guid.sub(lambda m: m[1] + b'="{' + m[2].upper() + b'}"', data)
                out.writestr(name, data)
            else:
                out.writestr("Sources/" + Path(name).name.upper().replace(".TXT", ".txt"),
                             b"\xef\xbb\xbf" + data)
    result = decisions_from_qdpx(styled, outputs, accept_untouched=True)
    assert result.problems == []
    assert set(result.decisions[s.DECISION]) == {s.DECISION_ACCEPTED}
    assert len(result.decisions) == 10


def test_project_from_another_wave_is_reported(exported, outputs, tmp_path):
    other = tmp_path / "other.qdpx"
    with zipfile.ZipFile(exported) as src, zipfile.ZipFile(other, "w") as out:
        for name in src.namelist():
            out.writestr(name, src.read(name).replace(b"S002 - survey.csv", b"S002 - old.csv")
                         .replace(stable_guid("source", "mini-2013", "survey.csv", "S002")
                                  .encode(), tool_guid("source").encode()))
    result = decisions_from_qdpx(other, outputs, accept_untouched=True)
    assert any("'S002 - old.csv'" in p and "not one wavecoder exported" in p
               for p in result.problems)
    assert any("'S002 - survey.csv'" in p and "left undecided" in p for p in result.notes)
    assert len(result.decisions) == 7  # S002's three codings are neither accepted nor rejected


def test_not_a_qdpx_is_refused(outputs, tmp_path):
    bad = tmp_path / "bad.qdpx"
    bad.write_text("not a zip")
    with pytest.raises(ValueError, match="bad.qdpx"):
        decisions_from_qdpx(bad, outputs)


# --------------------------------------------------------------------------- command


def test_export_command_uses_the_codebook_the_run_left(outputs, exported, tmp_path):
    from flows.cli import app

    out = tmp_path / "cli.qdpx"
    result = CliRunner().invoke(app, ["export-qdpx", str(outputs), "-o", str(out),
                                      "--reviewer", "Ann Reviewer"])
    assert result.exit_code == 0, result.output
    assert "5 sources, 5 codes, 10 coded selections" in " ".join(result.output.split())
    assert out.read_bytes() == exported.read_bytes()
    run = json.loads((outputs / "run.json").read_text())
    assert run["parameters"]["codebook_path"].endswith("codebook-mini.yaml")
    assert (outputs / "codebook.yaml").read_bytes() == Path(
        run["parameters"]["codebook_path"]).read_bytes()

    missing = CliRunner().invoke(app, ["export-qdpx", str(tmp_path)])
    assert missing.exit_code == 2
    assert "not a wave's outputs folder" in " ".join(missing.stderr.split())
