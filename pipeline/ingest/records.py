"""Row builders shared by the readers: one dict per document or rejected item."""

from __future__ import annotations

from pipeline import schema as s


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
