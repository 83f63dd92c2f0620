"""Readers: .odt, .docx tables, WebVTT and SRT captions give the text a person would read."""

from __future__ import annotations

import pytest

from pipeline.ingest.decode import UnreadableError
from pipeline.ingest.formats import captions_text, read_docx_text, read_odt_text
from pipeline.ingest.transcripts import transcript_text


def test_odt_paragraphs_in_order(data_dir):
    text = read_odt_text(data_dir / "transcripts" / "think-aloud.odt")
    paragraphs = text.split("\n\n")
    assert paragraphs[0] == "Session 7"
    assert paragraphs[4] == "MODERATOR: What did you expect to see there?"
    assert len(paragraphs) == 9


def test_docx_table_rows_become_labelled_lines(data_dir):
    text = read_docx_text(data_dir / "transcripts" / "table-transcript.docx")
    assert text.split("\n\n") == [
        "Interview with a recovery community volunteer",
        "00:00:03 Interviewer: What does the recovery community offer that treatment does not?",
        "00:00:10 Respondent: Somewhere to be on a Sunday. Treatment closes at five on Friday.",
        "00:00:19 Interviewer: Who runs the Sunday group?",
        "00:00:22 Respondent: Two volunteers who finished the programme last year.",
    ]


def test_webvtt_voices_join_into_turns(data_dir):
    text, notes = transcript_text(data_dir / "transcripts" / "teams.vtt")
    assert text.split("\n\n")[1] == ("Sam Okafor: Yes, fine. Sorry, the signal in the office is "
                                     "poor. We are in the basement of the old clinic.")
    assert "-->" not in text and "a1b2" not in text
    assert notes == ["teams.vtt: 5 caption cues joined into speaker turns; timings left out"]


def test_srt_unlabelled_cue_continues_the_speaker(data_dir):
    text, _ = transcript_text(data_dir / "transcripts" / "zoom.srt")
    assert text.split("\n\n")[1] == ("Respondent: Shame, mostly. They think they will be told "
                                     "off. And the bus fare, if they live outside town.")


def test_captions_without_cues_are_refused(tmp_path):
    path = tmp_path / "empty.vtt"
    path.write_text("WEBVTT\n\nNOTE nothing here\n", encoding="utf-8")
    with pytest.raises(UnreadableError, match="empty.vtt: no caption cues"):
        transcript_text(path)
    assert captions_text("WEBVTT\n") == ("", 0)


def test_a_broken_odt_is_unreadable(tmp_path):
    path = tmp_path / "broken.odt"
    path.write_bytes(b"not a zip")
    with pytest.raises(UnreadableError, match="broken.odt: not a valid .odt"):
        read_odt_text(path)


W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
CHANGE = 'w:author="Editor" w:date="2021-11-19T10:00:00Z"'


def test_docx_reads_tracked_changes_as_accepted_and_content_controls(tmp_path):
    import docx
    from docx.oxml import parse_xml

    document = docx.Document()
    document.add_paragraph("Interviewer: How has housing changed?")
    said = document.add_paragraph("Respondent: We lost ")
    said._p.append(parse_xml(f'<w:del {W} w:id="1" {CHANGE}><w:r><w:delText>two </w:delText>'
                             "</w:r></w:del>"))
    said._p.append(parse_xml(f'<w:ins {W} w:id="2" {CHANGE}><w:r><w:t xml:space="preserve">'
                             "three </w:t></w:r></w:ins>"))
    said.add_run("dry houses last year.")
    filled = document.add_paragraph("Respondent: The ")
    filled._p.append(parse_xml(f"<w:sdt {W}><w:sdtContent><w:r><w:t xml:space=\"preserve\">"
                               "mental health team </w:t></w:r></w:sdtContent></w:sdt>"))
    filled.add_run("raised its threshold.")
    # a block content control around a whole paragraph, as templates have
    document.element.body.insert(-1, parse_xml(
        f"<w:sdt {W}><w:sdtContent><w:p><w:r><w:t>Interviewer: Thank you.</w:t></w:r></w:p>"
        "</w:sdtContent></w:sdt>"))
    document.save(tmp_path / "edited.docx")
    assert read_docx_text(tmp_path / "edited.docx").split("\n\n") == [
        "Interviewer: How has housing changed?",
        "Respondent: We lost three dry houses last year.",
        "Respondent: The mental health team raised its threshold.",
        "Interviewer: Thank you.",
    ]


def test_odt_leaves_out_tracked_deletions_and_comments(tmp_path):
    from odf import teletype
    from odf.dc import Creator, Date
    from odf.element import Element
    from odf.namespaces import TEXTNS
    from odf.office import Annotation, ChangeInfo
    from odf.opendocument import OpenDocumentText
    from odf.text import Deletion, P, S, TrackedChanges

    def paragraph(text: str) -> P:
        element = P()
        teletype.addTextToElement(element, text)
        return element

    document = OpenDocumentText()
    region = Element(qname=(TEXTNS, "changed-region"), check_grammar=False)
    region.setAttrNS(TEXTNS, "id", "ct1")
    deletion, info = Deletion(), ChangeInfo()
    info.addElement(Creator(text="Editor"))
    info.addElement(Date(text="2021-11-19T10:00:00"))
    deletion.addElement(info)
    deletion.addElement(paragraph("Respondent: a sentence the editor deleted."))
    region.addElement(deletion)
    changes = TrackedChanges()
    changes.addElement(region)
    document.text.addElement(changes)
    said = paragraph("Respondent: We need more dry housing.")
    comment = Annotation()
    comment.addElement(Creator(text="Dr Reviewer"))
    comment.addElement(Date(text="2021-11-20T09:00:00"))
    comment.addElement(paragraph("check this quote"))
    said.addElement(comment)
    document.text.addElement(said)
    forged = paragraph("Respondent: spaced")
    forged.addElement(S(c="2000000000"))  # a count no editor writes: 2 GB of spaces
    forged.addText("out")
    document.text.addElement(forged)
    superscript = paragraph("Respondent: two")
    superscript.addElement(S(c="²"))  # a digit to str.isdigit, not to int()
    superscript.addText("spaces")
    document.text.addElement(superscript)
    document.save(str(tmp_path / "edited.odt"))
    text = read_odt_text(tmp_path / "edited.odt")
    assert text.split("\n\n") == ["Respondent: We need more dry housing.",
                                   "Respondent: spaced" + " " * 100 + "out",
                                   "Respondent: two spaces"]


TURNS = [("Interviewer", "How has housing support changed since last year?"),
         ("CE12", "We lost the supported housing scheme in March, so people leaving detox go "
                  "back to hostels.")]


def test_a_docx_tables_heading_row_is_not_a_turn(tmp_path):
    import docx

    document = docx.Document()
    table = document.add_table(rows=0, cols=3)
    for cells in [("Time", "Speaker", "Transcript"), *[("00:01", *t) for t in TURNS]]:
        for cell, text in zip(table.add_row().cells, cells, strict=True):
            cell.text = text
    second = document.add_table(rows=0, cols=2)  # a first row of speech is kept
    for cells in TURNS:
        for cell, text in zip(second.add_row().cells, cells, strict=True):
            cell.text = text
    document.save(tmp_path / "ce12.docx")
    turns = [f"00:01 {who}: {said}" for who, said in TURNS] + [f"{w}: {s}" for w, s in TURNS]
    assert read_docx_text(tmp_path / "ce12.docx").split("\n\n") == turns


def test_an_odt_tables_heading_row_is_not_a_turn(tmp_path):
    from odf.opendocument import OpenDocumentText
    from odf.table import Table, TableCell, TableColumn, TableRow
    from odf.text import P

    document = OpenDocumentText()
    table = Table(name="Transcript")
    table.addElement(TableColumn(numbercolumnsrepeated=2))
    for cells in [("Speaker:", "Text"), *TURNS]:
        row = TableRow()
        for text in cells:
            cell = TableCell()
            cell.addElement(P(text=text))
            row.addElement(cell)
        table.addElement(row)
    document.text.addElement(table)
    document.save(str(tmp_path / "ce12.odt"))
    assert read_odt_text(tmp_path / "ce12.odt").split("\n\n") == [f"{w}: {s}" for w, s in TURNS]
