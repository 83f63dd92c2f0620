"""Tables to Arrow and back: the frame conform would give, whatever the attribute values."""

from __future__ import annotations

import pandas as pd
import pandas.testing as pdt

from pipeline import schema as s


def test_from_arrow_gives_what_conform_with_extras_gives():
    frame = pd.DataFrame({
        s.DOCUMENT_ID: ["svc#1", "svc#2"], s.WAVE: ["2013", "2013"], s.SOURCE: ["svc", "svc"],
        s.KIND: ["survey", "survey"], s.RESPONDENT_ID: ["1", "2"], s.QUESTION_ID: ["q1", None],
        s.QUESTION: ["What changed?", "What changed?"],
        s.TEXT: ["Rehab beds were cut.", "More detox places."], s.LINE: [2, 3],
        # attributes: one missing (NaN from a row that lacked it), one numeric
        "sector": ["third", float("nan")], "clients": [120, 45],
    })
    back = s.from_arrow(s.to_arrow(frame, s.DOCUMENTS), s.DOCUMENTS)
    pdt.assert_frame_equal(back, s.conform(frame, s.DOCUMENTS, extra=True))
    assert back["clients"].tolist() == ["120", "45"] and back.loc[1, "sector"] is pd.NA
