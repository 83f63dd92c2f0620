from __future__ import annotations

import pytest
from support_codebooks import DATA

from pipeline.codebooks import read_qdc, todo_lines, write_codebook_yaml
from pipeline.config import load_codebook
from pipeline.errors import InputError


def test_the_yaml_opens_with_its_origin_and_to_do_list_and_loads(tmp_path):
    draft = read_qdc(DATA / "maxqda-style.qdc")
    path = write_codebook_yaml(draft, tmp_path / "maxqda.yaml", "import")
    text = path.read_text(encoding="utf-8")
    header = [line for line in text.splitlines() if line.startswith("#")]
    comments = " ".join(line.lstrip("# ") for line in header)
    assert comments.startswith("Drafted by `wavecoder codebook import` from maxqda-style.qdc "
                               "(REFI-QDA codebook (.qdc)): 11 codes, 4 levels.")
    assert "2 codes need a definition: dont_know, code_2nd_wave_themes" in comments
    assert "11 codes need patterns" in comments
    assert "definition: |-\n    Everything respondents say" in text  # multi-line as written
    book = load_codebook(path)
    assert book == draft.codebook.model_copy(update={"sha256": book.sha256})


def test_the_to_do_list_can_be_shortened():
    draft = read_qdc(DATA / "maxqda-style.qdc")
    assert todo_lines(draft, shown=2)[1] == ("11 codes need patterns (or a trained coder): "
                                             "support_after_treatment, housing and 9 more")


def test_only_a_yaml_file_is_written(tmp_path):
    with pytest.raises(InputError, match="book.qdc: a codebook is written to a .yaml file"):
        write_codebook_yaml(read_qdc(DATA / "atlasti-style.qdc"), tmp_path / "book.qdc",
                            "import")
