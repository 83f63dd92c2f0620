"""Codes named by id or label: case and spacing ignored, a shared label naming neither."""

from __future__ import annotations

import pytest

from pipeline.code_names import CodeNames, name_key
from pipeline.config import load_codebook


@pytest.fixture()
def shared_book(data_dir):
    return load_codebook(data_dir / "codebooks" / "shared-labels.yaml")


def test_an_id_or_a_label_in_any_case_and_spacing_names_one_code(shared_book):
    names = CodeNames(shared_book)
    assert names.resolve("access") == ("access",)
    assert names.resolve("  ACCESS ") == ("access",)
    assert names.resolve("Staff_Positive") == ("staff_positive",)
    assert name_key(" Raised\tmental  health ") == "raised mental health"


def test_a_shared_label_names_every_code_it_may_mean_and_an_id_wins(shared_book):
    names = CodeNames(shared_book)
    assert names.resolve("positive") == ("staff_positive", "access_positive")
    assert names.resolve("Staff") == ("staff",)  # the id, not the child labelled "staff"
    assert names.resolve("Waiting") == ("waiting",)
    assert names.resolve("parking") == ()


def test_a_path_of_labels_names_the_code_under_its_parents(shared_book):
    names = CodeNames(shared_book)
    assert names.resolve("Staff->Positive") == ("staff_positive",)
    assert names.resolve(" access / POSITIVE ") == ("access_positive",)
    assert names.resolve("Access->staff") == ("waiting",)  # the child labelled "staff"
    assert names.resolve("Staff->Waiting") == () and names.resolve("->Positive") == ()
