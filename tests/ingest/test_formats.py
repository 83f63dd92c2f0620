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
