"""What a trained coder may know about a text besides its words, as model features.

A coder is told the question a text answers and, when asked to, named respondent attributes
(a rating, the service used): columns of a gold file's rows when training, of the segments
table when coding. It never sees another label. The codebook's own patterns can be features
too: one 0/1 column per code saying whether its rules matched, and its examples can join the
training texts (:func:`with_example_rows`).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from pipeline import schema as s
from pipeline.config import Codebook
from pipeline.errors import InputError

QUESTION_COLUMNS = (s.CONTEXT, s.QUESTION, "FFT question")
"""Columns holding the question a text answers, in order of preference."""

Context = Sequence[str | None] | pd.DataFrame | None
"""The questions (one per text), or a table with a question column and attribute columns."""


def _normalise(value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return ""
    return " ".join(str(value).casefold().split())


def context_table(context: Context, n: int, attributes: Sequence[str] = ()) -> np.ndarray:
    """An ``n`` × (1 + len(attributes)) array of normalised strings: question, then attributes.

    ``context`` is a sequence of questions or a table; a table's question comes from the first
    of :data:`QUESTION_COLUMNS` it has (blank if none). Every attribute must be a column of
    the table: a model trained on a rating would silently score differently without it, so
    ValueError names what is missing.
    """
    table = np.full((n, 1 + len(attributes)), "", dtype=object)
    have = list(context.columns) if isinstance(context, pd.DataFrame) else []
    missing = [a for a in attributes if a not in have]
    if missing:
        raise InputError(f"the model uses respondent attributes {missing} as features, but "
                         "the texts come without them: join them onto the segments (or "
                         "train without them)")
    if context is None:
        return table
    if isinstance(context, pd.DataFrame):
        question = next((c for c in QUESTION_COLUMNS if c in context.columns), None)
        if question is not None:
            table[:, 0] = [_normalise(v) for v in context[question]]
        for k, column in enumerate(attributes, start=1):
            table[:, k] = [_normalise(v) for v in context[column]]
        return table
    values = list(context)
    if len(values) != n:
        raise ValueError(f"context has {len(values)} rows for {n} texts")
    table[:, 0] = [_normalise(v) for v in values]
    return table


def rule_matrix(rules, texts: Sequence[str], code_ids: Sequence[str]) -> np.ndarray:
    """0/1 decisions of a :class:`~pipeline.coding.rules.RuleCoder` per text × code.

    Each text is coded as a stand-alone segment; a negated match counts as a match (it names
    the theme).
    """
    texts = list(texts)
    segments = pd.DataFrame({s.SEGMENT_ID: [str(i) for i in range(len(texts))], s.START: 0,
                             s.TEXT: texts, s.CONTEXT: None})
    matrix = np.zeros((len(texts), len(code_ids)), dtype=int)
    if not texts:
        return matrix
    codings = rules.code(segments)
    column = {c: j for j, c in enumerate(code_ids)}
    for segment_id, code_id in codings[[s.SEGMENT_ID, s.CODE_ID]].itertuples(index=False):
        if code_id in column:
            matrix[int(segment_id), column[code_id]] = 1
    return matrix


def codebook_examples(codebook: Codebook) -> list[tuple[str, str]]:
    """The codebook's own examples as (text, code id), codes in the codebook's order."""
    return [(str(example), code.id) for code, _ in codebook.walk() for example in code.examples]


def with_example_rows(examples: Sequence[tuple[str, str]], texts: list[str],
                      labels: np.ndarray, code_ids: Sequence[str], context: Context
                      ) -> tuple[list[str], np.ndarray, Context]:
    """Training rows with ``examples`` (text, code id) after them.

    Each example is a positive of its code and a counter-example of every other, with a blank
    question and blank attributes; examples of codes not in ``code_ids`` are left out. Takes and
    gives (texts, labels, context), the given rows first and unchanged.
    """
    column = {code_id: j for j, code_id in enumerate(code_ids)}
    kept = [(text, column[code_id]) for text, code_id in examples if code_id in column]
    if not kept:
        return texts, labels, context
    added = np.zeros((len(kept), labels.shape[1]), dtype=labels.dtype)
    added[np.arange(len(kept)), [j for _, j in kept]] = 1
    if isinstance(context, pd.DataFrame):
        context = pd.concat([context.reset_index(drop=True),
                             pd.DataFrame(index=range(len(kept)), columns=context.columns)],
                            ignore_index=True)
    elif context is not None:
        context = [*context, *([None] * len(kept))]
    return [*texts, *(text for text, _ in kept)], np.vstack([labels, added]), context
