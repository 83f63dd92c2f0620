"""Transcripts and documents (.txt, .docx) into documents: one per file, one respondent each."""

from __future__ import annotations

import zipfile
from pathlib import Path

from pipeline import schema as s
from pipeline.config import TranscriptSource
from pipeline.ingest.decode import UnreadableError, decode_bytes
from pipeline.ingest.records import document_row, rejected_row
from pipeline.ingest.survey import SourceRead

TRANSCRIPT_SUFFIXES = (".txt", ".docx")


def read_docx_text(path: Path) -> str:
    """The text of a .docx, one paragraph per docx paragraph, separated by blank lines."""
    import docx  # python-docx; heavy-ish, only when a .docx is read

    try:
        document = docx.Document(str(path))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise UnreadableError(f"{path.name}: not a valid .docx document ({exc})") from None
    paragraphs = [p.text.strip() for p in document.paragraphs]
    return "\n\n".join(p for p in paragraphs if p)


def read_transcript(
    path: Path, source: TranscriptSource, *, wave: str, name: str, respondent_id: str
) -> SourceRead:
    """Read one transcript or document file into a single document (or a rejected item)."""
    result = SourceRead(items_in=1)
    suffix = path.suffix.lower()
    if suffix == ".docx":
        text = read_docx_text(path)
    elif suffix == ".txt":
        decoded = decode_bytes(path.read_bytes())
        text = decoded.text
        if decoded.encoding != "utf-8" or decoded.repaired:
            result.notes.append(f"{name}: decoded as {decoded.encoding}"
                                + (", mojibake repaired" if decoded.repaired else ""))
    else:
        raise UnreadableError(f"{path.name}: unsupported file type '{suffix}' "
                              f"(transcripts are {', '.join(TRANSCRIPT_SUFFIXES)})")
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
