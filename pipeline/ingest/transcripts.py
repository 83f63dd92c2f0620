"""Transcripts and documents (.txt, .docx, .odt, .vtt, .srt) into documents: one per file."""

from __future__ import annotations

from pathlib import Path

from pipeline import schema as s
from pipeline.config import TranscriptSource
from pipeline.ingest.decode import UnreadableError, decode_bytes
from pipeline.ingest.formats import read_captions, read_docx_text, read_odt_text
from pipeline.ingest.records import document_row, rejected_row, renamed_attributes_note
from pipeline.ingest.survey import SourceRead

TRANSCRIPT_SUFFIXES = (".txt", ".docx", ".odt", ".vtt", ".srt")


def transcript_text(path: Path, name: str | None = None) -> tuple[str, list[str]]:
    """The text of a transcript file by its suffix, with notes on how it was read."""
    suffix, name = path.suffix.lower(), name or path.name
    if suffix == ".docx":
        return read_docx_text(path), []
    if suffix == ".odt":
        return read_odt_text(path), []
    if suffix in (".vtt", ".srt"):
        text, note = read_captions(path)
        return text, [note]
    if suffix == ".txt":
        decoded = decode_bytes(path.read_bytes())
        notes = [f"{name}: decoded as {decoded.encoding}"
                 + (", mojibake repaired" if decoded.repaired else "")] \
            if decoded.encoding != "utf-8" or decoded.repaired else []
        if decoded.controls:
            notes.append(f"{name}: {decoded.controls} control character(s) replaced by spaces "
                         "(a form feed by a line end)")
        if decoded.bad_lines:
            notes.append(f"{name}: bytes that are not UTF-8 text on line(s) "
                         f"{decoded.bad_lines[:10]} replaced by U+FFFD")
        return decoded.text, notes
    raise UnreadableError(f"{path.name}: unsupported file type '{suffix}' "
                          f"(transcripts are {', '.join(TRANSCRIPT_SUFFIXES)})")


def read_transcript(
    path: Path, source: TranscriptSource, *, wave: str, name: str, respondent_id: str
) -> SourceRead:
    """Read one transcript or document file into a single document (or a rejected item)."""
    result = SourceRead(items_in=1)
    text, notes = transcript_text(path, name)
    result.notes += notes + renamed_attributes_note(name, list(source.attributes))
    question_id = source.kind  # 'interview' or 'document': the whole file answers one prompt
    if not text.strip():
        result.rejected.append(rejected_row(
            wave=wave, source=name, line=0, reason=s.REASON_EMPTY, detail="the file has no text",
            respondent_id=respondent_id, question_id=question_id))
        return result
    result.documents.append(document_row(
        wave=wave, source=name, kind=source.kind, respondent_id=respondent_id,
        question_id=question_id, question=f"{source.kind.capitalize()} (whole text)",
        text=text, line=0, attributes=dict(source.attributes)))
    return result
