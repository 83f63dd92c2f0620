"""A survey refused as a whole counts the answer cells it held, not one item (issue 11: 11)."""

from __future__ import annotations

from support_faults import assert_accounted, rejected_of, run_and_read


def test_a_whole_file_rejection_counts_its_answer_cells(tmp_path):
    run = run_and_read("whole-file", tmp_path)
    missing = rejected_of(run, "missing-column.csv")
    assert len(missing) == 8  # 4 rows x 2 questions, each with its line
    assert sorted(set(missing["line"])) == ["2", "3", "4", "5"]
    assert all("'not_in_the_file'" in d and "questions[1].column" in d
               for d in missing["detail"])
    binary = rejected_of(run, "old-binary.xlsx")
    assert sorted(binary["question_id"]) == ["q1", "q2"]  # rows unknown: one per question
    assert all("not a zip file" in d for d in binary["detail"])
    assert len(run.documents) == 3
    assert run.record["accounting"]["items_in"] == 3 + 8 + 2
    assert_accounted(run)
