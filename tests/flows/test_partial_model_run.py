"""A wave coded by a model that learned only some of the codebook's codes says so.

The model learns ``parking`` and ``food_drink`` from the patient comments with the staff-manner
column left out (as a model retrained on one review round may). Coding the comments wave with
it, through the real flow, gives none of ``staff_manner`` and says which codes it cannot give:
in the run's log, in ``run.json``'s notes and coder, and in the run summary.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from flows.code_wave import code_wave
from pipeline import schema as s
from pipeline.config import load_codebook
from pipeline.parameters import WaveRun
from pipeline.quality.gold import load_gold
from pipeline.quality.train import train_model

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
CODEBOOK = DATA / "codebook-comments.yaml"
WARNING = ("gives 2 of the codebook's 3 codes; 1 get no codings from it: staff_manner (too few "
           "examples in its gold")


def test_a_wave_coded_by_a_two_code_model_says_the_third_gets_no_codings(tmp_path):
    book = load_codebook(CODEBOOK)
    comments = pd.read_csv(DATA / "gold" / "comments.csv", dtype=str, keep_default_na=False)
    comments.drop(columns=["Staff manner & personal attributes"]).to_csv(
        tmp_path / "two-codes.csv", index=False)
    model = tmp_path / "two-code-model"
    train_model("linear-static", load_gold(tmp_path / "two-codes.csv", book), book, model,
                n_folds=3, min_support=3)
    state = code_wave(run=WaveRun(wave_folder=str(DATA / "waves" / "comments-wave"),
                                  codebook=str(CODEBOOK), out=str(tmp_path / "out"),
                                  coder=str(model), topics=False, progress=False),
                      return_state=True)
    assert state.is_completed(), state.message
    result = state.result()
    record = json.loads((tmp_path / "out" / "comments-2024" / "run.json").read_text())
    notes = [note for note in record["notes"] if note.startswith("coder: ")]
    assert len(notes) == 1 and f"model 'two-code-model' {WARNING}" in notes[0]
    assert WARNING in record["coder_info"]["coverage_warning"]
    assert f"- note: coder: model 'two-code-model' {WARNING}" in result["summary_markdown"]
    codings = pd.read_parquet(tmp_path / "out" / "comments-2024" / "codings.parquet")
    assert len(codings) and set(codings[s.CODE_ID]) <= {"parking", "food_drink"}
