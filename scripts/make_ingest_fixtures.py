"""Write the binary ingest fixtures (.docx with a table, .odt, .xlsx workbooks) in tests/data.

The text is invented for the tests (UK drug and alcohol treatment services). Run from the
repository root: ``python scripts/make_ingest_fixtures.py``; the files are committed.
"""

from __future__ import annotations

from pathlib import Path

import docx
import openpyxl
from odf.opendocument import OpenDocumentText
from odf.text import P

ROOT = Path(__file__).resolve().parent.parent
TRANSCRIPTS = ROOT / "tests" / "data" / "transcripts"
EXPORTS = ROOT / "tests" / "data" / "exports"

TABLE_ROWS = [
    ("00:00:03", "Interviewer", "What does the recovery community offer that treatment does not?"),
    ("00:00:10", "Respondent", "Somewhere to be on a Sunday. Treatment closes at five on Friday."),
    ("00:00:19", "Interviewer", "Who runs the Sunday group?"),
    ("00:00:22", "Respondent", "Two volunteers who finished the programme last year."),
]

ODT_LINES = [
    "Session 7",
    "1 Find the opening times of the nearest needle exchange.",
    "\tOkay, I will try the search box first.",
    "\tNothing comes up for needle exchange, so I will try syringe.",
    "MODERATOR: What did you expect to see there?",
    "\tA map, really, with the pharmacies on it.",
    "\t(The participant opens the services page)",
    "1.a Was the information easy to find?",
    "\tNo, it took three goes and the hours were out of date.",
]


def write_docx(path: Path) -> None:
    """A .docx transcript: a heading paragraph, then the turns in a three-column table."""
    document = docx.Document()
    document.add_paragraph("Interview with a recovery community volunteer")
    table = document.add_table(rows=0, cols=3)
    for row in TABLE_ROWS:
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = value
    document.save(str(path))


def write_odt(path: Path) -> None:
    """An .odt think-aloud transcript: only the moderator labelled, one utterance a paragraph."""
    document = OpenDocumentText()
    for line in ODT_LINES:
        document.text.addElement(P(text=line))
    document.save(str(path))


def write_workbook(path: Path, sheets: dict[str, list[list[object]]]) -> None:
    """An .xlsx workbook with the given sheets (rows of cells)."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
    workbook.save(str(path))


def main() -> None:
    """Write every binary fixture."""
    write_docx(TRANSCRIPTS / "table-transcript.docx")
    write_odt(TRANSCRIPTS / "think-aloud.odt")
    write_workbook(EXPORTS / "microsoft-forms.xlsx", {"Sheet1": [
        ["ID", "Start time", "Completion time", "Email", "Name",
         "What would most improve aftercare in your area?", "Role"],
        [1, "5/1/24 9:00:01", "5/1/24 9:04:10", "anonymous", None,
         "Evening groups for people who have gone back to work.", "Keyworker"],
        [2, "5/1/24 9:30:00", "5/1/24 9:41:22", "anonymous", None,
         "A phone line that is answered at weekends, when most relapses happen.", "Manager"],
        [3, "5/2/24 14:00:00", "5/2/24 14:03:00", "anonymous", None, "", "Keyworker"],
    ]})
    write_workbook(EXPORTS / "two-waves.xlsx", {
        "2023": [["respondent_id", "region", "biggest_gap"],
                 ["S01", "North", "There is no detox bed within forty miles of the town."],
                 ["S02", "South", "Young people wait months for a first appointment."]],
        "2024": [["respondent_id", "region", "biggest_gap"],
                 ["S01", "North", "The new detox unit opened but the waiting list is long."],
                 ["S03", "East", "Housing for people leaving prison is the main gap now."]],
        "Notes": [["note"], ["Exported for the commissioning review"], ["Two waves"]],
    })


if __name__ == "__main__":
    main()
