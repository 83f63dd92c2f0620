"""Flow tasks fail with messages that quote no respondent: the wrapper every task wears."""

from __future__ import annotations

import inspect

import pytest

from flows.guard import no_texts_in_failures
from pipeline.errors import InputError, InternalError
from pipeline.parameters import WaveRun


def test_a_failing_stage_never_carries_the_text_it_choked_on(monkeypatch):
    def stage(text):
        raise ValueError(f"{text} cannot be used in worksheets.")

    monkeypatch.delenv("WAVECODER_DEBUG", raising=False)
    with pytest.raises(InternalError) as raised:
        no_texts_in_failures(stage)("My keyworker rang me every day")
    assert str(raised.value).startswith("ValueError at test_guard.py:")
    assert "keyworker" not in str(raised.value)
    # no chain to the original either: pickled with tblib (under --dask) it would travel along
    assert raised.value.__context__ is None and raised.value.__cause__ is None

    def bad_input(path):
        raise InputError(f"{path}: not a readable zip file")

    with pytest.raises(InputError, match="survey.xlsx: not a readable zip file"):
        no_texts_in_failures(bad_input)("survey.xlsx")


def test_the_wrapped_stage_keeps_its_parameter_types_resolved():
    """Prefect validates a flow's parameters by the wrapper's signature, in the wrapper's module."""
    def stage(run: WaveRun, chunk_size: int = 3) -> None:
        """A stage."""

    wrapped = no_texts_in_failures(stage)
    parameters = inspect.signature(wrapped).parameters
    assert parameters["run"].annotation is WaveRun and parameters["chunk_size"].annotation is int
    assert wrapped.__name__ == "stage" and wrapped.__doc__ == "A stage."
