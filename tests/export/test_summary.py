"""The run summary: a warning when the respondent says little, at most ten uncovered topics,
stage times that say which are wall time."""

from __future__ import annotations

import pandas as pd

from pipeline import schema as s
from pipeline.export.files import write_run_tables
from pipeline.export.summary import run_summary_markdown


def record(out_dir, transcripts):
    return {"wave": "w", "accounting": {"items_in": 1, "kept": 1, "rejected": 0,
                                        "rejected_by_reason": {}, "segments": 1,
                                        "segments_coded": 0, "codings": 0,
                                        "codings_negated": 0, "documents_uncoded": 1},
            "coder": "rules", "codebook": {"id": "mini", "version": "1"}, "notes": [],
            "transcripts": transcripts, "timings": {}, "output_dir": str(out_dir)}


def topics(n):
    return pd.DataFrame({s.WAVE: "w", s.TOPIC_ID: range(n), s.SIZE: [100 - i for i in range(n)],
                         s.WORDS: [[f"word{i}"] for i in range(n)],
                         s.REPRESENTATIVE_SEGMENTS: [[] for _ in range(n)],
                         s.REPRESENTATIVE_TEXTS: [[] for _ in range(n)], s.COVERAGE: 0.0,
                         s.TOP_CODE: None, s.UNCOVERED: True})


def test_at_most_ten_uncovered_topics_and_the_rest_in_a_file(tmp_path):
    text = run_summary_markdown(record(tmp_path, {}), s.empty(s.THEME_SUMMARY), topics(14), {})
    listed = [line for line in text.splitlines() if line.startswith("- topic ")]
    assert len(listed) == 10 and listed[0].startswith("- topic 0 (100 segments)")
    assert "- … and 4 smaller uncovered topics in `uncovered_topics.csv`" in text
    assert not list(tmp_path.iterdir())  # the summary writes nothing; publish writes the file
    written = write_run_tables(tmp_path, s.empty(s.DOCUMENTS), s.empty(s.SEGMENTS),
                               s.empty(s.REJECTED), {"topics": topics(14)})
    listed_all = pd.read_csv(written["uncovered_topics"])
    assert listed_all[s.TOPIC_ID].tolist() == list(range(14))  # largest first
    assert listed_all[s.WORDS].iloc[13] == "word13"


def test_warns_when_the_respondent_says_under_half(tmp_path):
    found = {"a.txt#a#interview": {"respondent_share": 0.2, "interviewer": ["Interviewer"]},
             "b.txt#b#interview": {"respondent_share": 0.7, "interviewer": ["Q"]}}
    text = run_summary_markdown(record(tmp_path, found), s.empty(s.THEME_SUMMARY), None, {})
    warnings = [line for line in text.splitlines() if "**warning**" in line]
    assert warnings == ["- **warning**: `a.txt#a#interview`: respondent text is 20% of the "
                        "transcript (interviewer: Interviewer; see run.json `transcripts`)"]


def test_topics_across_waves_name_the_pooled_waves_and_the_new_and_vanished_topics(tmp_path):
    run = record(tmp_path, {}) | {"topics": {
        "summary": "topics assigned to the kept model of project p (fitted on pooled waves "
                   "w-2013, w-2014, version 1)",
        "new_topics": [3], "vanished_topics": [7, 9],
        "candidates": {"file": "cb.candidates.yaml", "ids": ["a_b", "naloxone_custody"],
                       "new_in_wave": ["naloxone_custody"]}}}
    text = run_summary_markdown(run, s.empty(s.THEME_SUMMARY), topics(5), {})
    assert ("- 2 candidate codes drafted in `cb.candidates.yaml` (new in this wave: "
            "naloxone_custody); add one to the codebook with `wavecoder codebook accept "
            "naloxone_custody`") in text
    assert "## Topics across waves" in text
    assert "fitted on pooled waves w-2013, w-2014" in text
    assert "- **new in this wave**: topic 3: word3" in text
    assert "- vanished (kept topics with no segment in this wave): 7, 9" in text
    plain = run_summary_markdown(record(tmp_path, {}), s.empty(s.THEME_SUMMARY), topics(5), {})
    assert "Topics across waves" not in plain  # a run without a kept model says nothing of it
    assert "candidate codes" not in plain


def test_the_chunks_own_seconds_are_not_called_wall_time(tmp_path):
    timed = record(tmp_path, {}) | {"timings": {
        "ingest": 2.2, "segment_and_code": 47.6, "segment": 14.2, "code": 28.7, "stance": 28.5,
        "review": 0.4, "export": 7.2, "store": 2.7, "wide_files": 3.9}}
    text = run_summary_markdown(timed, s.empty(s.THEME_SUMMARY), None, {})
    block = text.split("## Stage times (s)\n\n")[1].split("\n\n")[0].splitlines()
    assert block == [
        "- ingest: 2.2", "- segment_and_code: 47.6",
        "  - segment: 14.2 (the chunks' own seconds, summed)",
        "  - code: 28.7 (the chunks' own seconds, summed)",
        "  - stance: 28.5 (the chunks' own seconds, summed)",
        "- review: 0.4", "- export: 7.2", "- store: 2.7",
        "- wide_files: 3.9 (beside export and store)"]
    assert "wall times" not in text


def test_notes_that_say_the_same_of_many_files_read_as_one(tmp_path):
    inferred = "inferred interview (interviewer labels only); interviewer ['MODERATOR']"
    notes = ["no wave.yaml: sources inferred from the files",
             *[f"P{i}.odt: {inferred}" for i in range(1, 6)],
             "P3.odt: 2 control character(s) replaced by spaces (a form feed by a line end)",
             "notes.txt: " + inferred,  # not one of the wave's files: left as it is
             "coder: model 'm' gives 2 of the codebook's 3 codes"]
    timed = record(tmp_path, {}) | {"notes": notes,
                                    "inputs": {f"P{i}.odt": "0" * 64 for i in range(1, 6)}}
    text = run_summary_markdown(timed, s.empty(s.THEME_SUMMARY), None, {})
    assert [line for line in text.splitlines() if line.startswith("- note: ")] == [
        "- note: no wave.yaml: sources inferred from the files",
        f"- note: 5 files (P1.odt, P2.odt, P3.odt and 2 more): {inferred}",
        "- note: P3.odt: 2 control character(s) replaced by spaces (a form feed by a line end)",
        f"- note: notes.txt: {inferred}",
        "- note: coder: model 'm' gives 2 of the codebook's 3 codes"]


def questions_summary(respondents: list[int]) -> pd.DataFrame:
    """A theme summary of one code, mentioned by one respondent of each question."""
    return pd.DataFrame({s.QUESTION_ID: [f"q{i:02d}" for i in range(len(respondents))],
                         s.CODE_ID: "housing", s.LABEL: "Housing", s.RESPONDENTS: respondents,
                         s.MENTIONS: 1, s.NEGATED_MENTIONS: 0,
                         s.SHARE: [1 / n for n in respondents], s.RANK: 1})


def test_a_survey_of_many_open_questions_lists_the_twenty_most_answered(tmp_path):
    respondents = [5] * 10 + [8] * 20 + [6] * 5  # q10-q29 have the most respondents
    text = run_summary_markdown(record(tmp_path, {}), questions_summary(respondents), None,
                                {"housing": "Housing"})
    listed = [line.split(" | ")[0][2:] for line in text.splitlines()
              if line.startswith("| q") and not line.startswith("| question")]
    assert listed == [f"q{i:02d}" for i in range(10, 30)]
    assert ("_… 15 more questions (those listed have the most respondents): every question is "
            "in theme_summary.csv_") in text


def test_a_survey_of_few_questions_lists_them_all(tmp_path):
    text = run_summary_markdown(record(tmp_path, {}), questions_summary([4, 9, 2]), None, {})
    assert [line[:5] for line in text.splitlines()
            if line.startswith("| q") and not line.startswith("| question")] == [
        "| q00", "| q01", "| q02"]
    assert "more questions" not in text


def test_counts_past_a_thousand_carry_separators(tmp_path):
    run = record(tmp_path, {})
    run["accounting"].update(items_in=1_200_000, kept=1_199_000, rejected=1_000,
                             rejected_by_reason={"empty": 1_000}, segments=3_040_004,
                             segments_coded=2_500_000, codings=3_100_000, codings_negated=12_345,
                             documents_uncoded=4_321)
    text = run_summary_markdown(run, s.empty(s.THEME_SUMMARY), None, {})
    assert "- rows in: **1,200,000**, kept: **1,199,000**, rejected: **1,000**" in text
    assert "  - empty: 1,000" in text
    assert ("- segments: **3,040,004** (2,500,000 coded); codings: **3,100,000** (12,345 "
            "negated)") in text
    assert "- documents with no code: 4,321" in text
