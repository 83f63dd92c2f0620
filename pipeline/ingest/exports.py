"""Survey tools' export layouts: how many header rows, where the question wording is, the id.

Recognised from the first rows of a table:

- **Qualtrics**: column names in row 1, question text in row 2, ``{"ImportId": ...}`` in row 3;
  the id is ``ResponseId``.
- **SurveyMonkey**: question text in row 1 (merged over a question's columns), sub-headers
  ("Response", "Open-Ended Response", an option) in row 2; the id is ``Respondent ID``.
- **Microsoft Forms**: one header row starting ``ID, Start time, Completion time``.
- **Google Forms**: one header row starting ``Timestamp``; the id is the e-mail column if any.

Anything else is a plain table with one header row unless wave.yaml says ``header_rows``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

QUALTRICS_META = frozenset({
    "StartDate", "EndDate", "Status", "IPAddress", "Progress", "Duration (in seconds)",
    "Finished", "RecordedDate", "ResponseId", "ResponseID", "RecipientLastName",
    "RecipientFirstName", "RecipientEmail", "ExternalReference", "ExternalDataReference",
    "LocationLatitude", "LocationLongitude", "DistributionChannel", "UserLanguage"})
SURVEYMONKEY_META = frozenset({
    "Respondent ID", "Collector ID", "Start Date", "End Date", "IP Address", "Email Address",
    "First Name", "Last Name", "Custom Data 1", "Custom Data"})
MS_FORMS_META = frozenset({"ID", "Start time", "Completion time", "Email", "Name",
                           "Last modified time", "Total points", "Quiz feedback"})
GOOGLE_FORMS_META = frozenset({"Timestamp", "Email Address", "Email address", "Username",
                               "Score"})
SUBHEADERS = {"", "response", "open-ended response", "open ended response"}


@dataclass(frozen=True)
class Layout:
    """One export layout: its name, header rows, preferred id columns, bookkeeping columns."""

    name: str = "plain"
    header_rows: int = 1
    id_columns: tuple[str, ...] = ()
    metadata: frozenset[str] = field(default_factory=frozenset)

    def columns(self, head: list[list[str]]) -> list[str]:
        """Column names from the header rows (SurveyMonkey: question, then sub-header)."""
        if self.name != "surveymonkey" or len(head) < 2:
            return list(head[0])
        names, question = [], ""
        for index, value in enumerate(head[0]):
            question = value.strip() or question  # a question's text is merged over its columns
            sub = head[1][index].strip() if index < len(head[1]) else ""
            names.append(question if sub.lower() in SUBHEADERS else f"{question} - {sub}")
        return names

    def wording(self, header: list[str], head: list[list[str]]) -> dict[str, str]:
        """Question text per column, where the header rows give one beyond the column name."""
        if self.name == "surveymonkey":
            return {}  # the column names already are the question text
        if len(head) < 2:
            return {}
        return {column: head[1][i].strip() for i, column in enumerate(header)
                if i < len(head[1]) and head[1][i].strip() and head[1][i].strip() != column}


def _has(row: list[str], *names: str) -> bool:
    cells = {c.strip() for c in row}
    return all(name in cells for name in names)


def detect_layout(rows: list[list[str]], header_rows: int | None = None) -> Layout:
    """The layout of a table from its first (up to three) non-blank rows.

    Args:
        rows: the first rows, as strings.
        header_rows: rows of header given in wave.yaml; overrides the recognised count.
    """
    first = rows[0] if rows else []
    third = rows[2] if len(rows) > 2 else []
    import_ids = [c for c in third if c.strip().startswith('{"ImportId"')]
    if import_ids and len(import_ids) >= len([c for c in third if c.strip()]) / 2:
        layout = Layout("qualtrics", 3, ("ResponseId", "ResponseID"), QUALTRICS_META)
    elif _has(first, "ResponseId", "StartDate") or _has(first, "ResponseID", "StartDate"):
        layout = Layout("qualtrics", 2, ("ResponseId", "ResponseID"), QUALTRICS_META)
    elif _has(first, "Respondent ID") and len(rows) > 1 and any(
            c.strip().lower() in SUBHEADERS - {""} for c in rows[1]):
        layout = Layout("surveymonkey", 2, ("Respondent ID",), SURVEYMONKEY_META)
    elif _has(first, "ID", "Start time", "Completion time"):
        layout = Layout("microsoft-forms", 1, ("ID",), MS_FORMS_META)
    elif first and first[0].strip() == "Timestamp":
        layout = Layout("google-forms", 1, ("Email Address", "Email address", "Username"),
                        GOOGLE_FORMS_META)
    else:
        layout = Layout()
    if header_rows is not None:
        layout = Layout(layout.name if layout.name != "plain" else "wave.yaml", header_rows,
                        layout.id_columns, layout.metadata)
    return layout
