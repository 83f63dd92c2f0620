"""Fillers and backchannels: flagged when a segment says nothing else."""

from __future__ import annotations

import pytest

from pipeline.fillers import is_filler


@pytest.mark.parametrize("text", ["Um, yeah.", "okay", "Thank you.", "Perfect, cool.",
                                  "Mm-hmm.", "Right, okay, yeah.", "That's fine."])
def test_fillers(text):
    assert is_filler(text)


@pytest.mark.parametrize("text", ["No.", "Okay, the housing list is closed.",
                                  "Yeah, the detox waiting list is long.", "--", ""])
def test_not_fillers(text):
    assert not is_filler(text)
