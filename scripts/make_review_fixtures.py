"""Write a review workbook of the test mini wave in the shape LibreOffice Calc saves it.

LibreOffice is not installed where this was written, so the file is built with openpyxl in the
shape Calc gives a workbook it re-saves: the drop-downs' data validations run to the sheet's
last row (``M2:M1048576``), and the empty rows they cover are written out as styled, empty
cells, so a reader sees hundreds of rows with nothing in them. Two codings are decided (one
accepted, one rejected) by a reviewer named in the sheet. Run from the repository root:
``python scripts/make_review_fixtures.py``; the file is committed as
``tests/data/review/libreoffice-resaved.xlsx``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.datavalidation import DataValidation

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline import schema as s  # noqa: E402
from pipeline.coding import RuleCoder  # noqa: E402
from pipeline.coding.stream import segment_and_code  # noqa: E402
from pipeline.config import load_codebook  # noqa: E402
from pipeline.ingest import ingest_wave  # noqa: E402
from pipeline.review.apply import review_wave  # noqa: E402
from pipeline.review.queue import review_queue  # noqa: E402
from pipeline.review.workbook import COLUMNS, write_workbook  # noqa: E402

DATA = ROOT / "tests" / "data"
OUT = DATA / "review" / "libreoffice-resaved.xlsx"
STYLED_ROWS = 1000  # the rows our drop-downs covered, which Calc writes back as empty cells
DECIDED = {("Most needs are met", "housing_gap"): "accept",
           ("ETE support is not available", "employment_training"): "reject"}


def main() -> None:
    """Code the mini wave, write its review workbook, decide two rows, save it Calc's way."""
    codebook = load_codebook(DATA / "codebook-mini.yaml")
    ingested = ingest_wave(DATA / "waves" / "mini-wave")
    coded = segment_and_code(ingested.documents, RuleCoder(codebook),
                             interviewer_labels=ingested.interviewer_labels)
    wave = ingested.manifest.id
    codings = review_wave(coded.codings, coded.segments, s.empty(s.STORED_REVIEW_LOG), codebook,
                          wave).applied.codings
    OUT.parent.mkdir(parents=True, exist_ok=True)
    write_workbook(OUT, wave, codings, coded.segments, ingested.documents,
                   review_queue(codings, coded.segments), codebook)
    book = load_workbook(OUT, rich_text=True)
    sheet = book["review"]
    column = {name: i + 1 for i, name in enumerate(COLUMNS)}
    texts = dict(zip(coded.segments[s.SEGMENT_ID], coded.segments[s.TEXT], strict=True))
    for row in range(2, sheet.max_row + 1):
        segment_id = sheet.cell(row, column[s.SEGMENT_ID]).value
        code_id = sheet.cell(row, column[s.CODE_ID]).value
        for (start, code), decision in DECIDED.items():
            if code == code_id and texts.get(segment_id, "").startswith(start):
                sheet.cell(row, column[s.DECISION]).value = decision
                sheet.cell(row, column[s.REVIEWER]).value = "Lee Calc"
    # Calc's shape: validations to the last row of the sheet, empty styled rows below the data
    sheet.data_validations.dataValidation = []
    for name, formula in ((s.DECISION, '"accept,reject,recode,add"'),
                          (s.CORRECTED_CODE, "$codebook.$A$2:$A$6")):
        letter = sheet.cell(1, column[name]).column_letter
        validation = DataValidation(type="list", formula1=formula, allow_blank=True)
        validation.add(f"{letter}2:{letter}1048576")
        sheet.add_data_validation(validation)
    for row in range(sheet.max_row + 1, STYLED_ROWS + 1):
        for name in (s.PASSAGE, s.IN_CONTEXT, s.DECISION, s.CORRECTED_CODE):
            cell = sheet.cell(row, column[name])
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            cell.font = Font(name="Liberation Sans", size=10)
    book.properties.creator = "LibreOffice Calc"
    book.save(OUT)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
