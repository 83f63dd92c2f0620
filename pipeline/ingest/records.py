"""Row builders shared by the readers, and :class:`Rows`, which keeps many rows as columns.

A reader builds one dict per document or rejected item; documents are kept in Rows.
"""

from __future__ import annotations

from typing import Iterator, Mapping

import pandas as pd

from pipeline import schema as s

MISSING = float("nan")  # a row without a column: what a DataFrame of dicts gives it


class Rows:
    """Rows kept as one list per column, not one dict per row.

    A dict per document held about half a gigabyte of small objects while a million-answer
    wave was read, and Python's allocator kept that memory for the rest of the run. Columns
    appear in the order rows first name them; a row without a column has NaN there, as in
    ``pd.DataFrame`` of the same dicts.
    """

    def __init__(self) -> None:
        self.columns: dict[str, list[object]] = {}
        self.count = 0

    @classmethod
    def from_columns(cls, columns: dict[str, list[object]]) -> Rows:
        """Rows holding ``columns`` as they are (each as long as the others)."""
        lengths = {len(values) for values in columns.values()}
        if len(lengths) > 1:
            raise ValueError(f"columns of different lengths: {sorted(lengths)}")
        rows = cls()
        rows.columns, rows.count = columns, lengths.pop() if lengths else 0
        return rows

    def __len__(self) -> int:
        return self.count

    def __iter__(self) -> Iterator[dict[str, object]]:
        names = list(self.columns)
        for values in zip(*self.columns.values(), strict=True):
            yield dict(zip(names, values, strict=True))

    def append(self, row: Mapping[str, object]) -> None:
        """Add one row (a column it names first gets NaN in the rows before it)."""
        for name, value in row.items():
            column = self.columns.get(name)
            if column is None:
                column = self.columns[name] = [MISSING] * self.count
            column.append(value)
        self.count += 1
        if len(row) < len(self.columns):
            for column in self.columns.values():
                if len(column) < self.count:
                    column.append(MISSING)

    def __iadd__(self, other: Rows) -> Rows:
        """Add ``other``'s rows after these."""
        for name in other.columns:
            self.columns.setdefault(name, [MISSING] * self.count)
        for name, column in self.columns.items():
            column.extend(other.columns.get(name, [MISSING] * other.count))
        self.count += other.count
        return self

    def keep(self, kept: list[bool]) -> None:
        """Keep the rows whose flag is true, in order."""
        for name, column in self.columns.items():
            self.columns[name] = [value for value, keep in zip(column, kept, strict=True) if keep]
        self.count = sum(kept)

    def frame(self) -> pd.DataFrame:
        """The rows as a DataFrame; the rows are emptied (their values now live in it)."""
        frame = pd.DataFrame(self.columns)
        self.columns, self.count = {}, 0
        return frame


def document_id(source: str, respondent_id: str, question_id: str | None) -> str:
    """A readable, stable document id: ``source#respondent[#question]``."""
    return f"{source}#{respondent_id}" + (f"#{question_id}" if question_id else "")


def document_row(
    *,
    wave: str,
    source: str,
    kind: str,
    respondent_id: str,
    question_id: str | None,
    question: str | None,
    text: str,
    line: int,
    attributes: dict[str, str | None],
) -> dict[str, object]:
    """One row of the documents table, attributes after the fixed columns."""
    return {
        s.DOCUMENT_ID: document_id(source, respondent_id, question_id),
        s.WAVE: wave,
        s.SOURCE: source,
        s.KIND: kind,
        s.RESPONDENT_ID: respondent_id,
        s.QUESTION_ID: question_id,
        s.QUESTION: question,
        s.TEXT: text,
        s.LINE: line,
        **{s.attribute_column(k): v for k, v in attributes.items()},
    }


def renamed_attributes_note(name: str, attributes: list[str]) -> list[str]:
    """A note for the attributes of ``name`` stored under a prefix, or [] if none are."""
    renamed = [f"'{a}' as '{s.attribute_column(a)}'" for a in attributes
               if s.attribute_column(a) != a]
    if not renamed:
        return []
    return [f"{name}: attributes named like pipeline columns are kept under another name, "
            f"{', '.join(renamed)} (they never replace the answer, wave or source)"]


def rejected_row(
    *,
    wave: str,
    source: str,
    line: int,
    reason: str,
    detail: str,
    respondent_id: str | None = None,
    question_id: str | None = None,
    text: str | None = None,
) -> dict[str, object]:
    """One row of the rejected table: what was not kept, where it was, and why."""
    return {
        s.WAVE: wave,
        s.SOURCE: source,
        s.LINE: line,
        s.RESPONDENT_ID: respondent_id,
        s.QUESTION_ID: question_id,
        s.REASON: reason,
        s.DETAIL: detail,
        s.TEXT: None if text is None else text[:500],
    }
