"""Clauses with exact offsets: what the semantic coder scores and gives as evidence."""

from __future__ import annotations

from pipeline.coding.clauses import split_clauses


def test_clauses_keep_exact_offsets():
    text = "Staff were kind but the wait was long.\nParking was awful; the café was shut, so."
    clauses = split_clauses(text)
    assert [c.text for c in clauses] == [
        "Staff were kind", "but the wait was long.", "Parking was awful", "the café was shut, so."]
    assert all(text[c.start:c.end] == c.text for c in clauses)
    assert [c.text for c in split_clauses("Great. Thanks")] == ["Great. Thanks"]  # one word each
    assert split_clauses("  \n ") == []
