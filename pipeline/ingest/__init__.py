"""Ingest: a wave folder into one canonical documents table, plus every rejected item.

``ingest_wave`` reads ``wave.yaml`` when present (else infers the sources from the files), reads
each source with its reader, and accounts for every input item: ``items_in == len(documents) +
len(rejected)``. A bad file becomes rejected rows naming the file, line and problem; the rest of
the wave is still read.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, NamedTuple

import pandas as pd

from pipeline import schema as s
from pipeline.config import (
    ConfigError,
    SurveySource,
    TranscriptSource,
    WaveManifest,
    load_wave_manifest,
)
from pipeline.errors import InputError
from pipeline.ingest.decode import UnreadableError
from pipeline.ingest.infer import (
    TABLE_SUFFIXES,
    folder_wave_id,
    infer_tables,
    infer_transcript,
    wave_files,
)
from pipeline.ingest.records import rejected_row
from pipeline.ingest.survey import SourceRead, read_survey
from pipeline.ingest.transcripts import TRANSCRIPT_SUFFIXES, read_transcript
from pipeline.memory import release_free_memory
from pipeline.text import some_of

MANIFEST_NAME = "wave.yaml"


@dataclass
class IngestResult:
    """The documents and rejected tables of a wave, with its manifest and row accounting."""

    manifest: WaveManifest
    documents: pd.DataFrame
    rejected: pd.DataFrame
    items_in: int
    inputs: list[Path]
    notes: list[str] = field(default_factory=list)
    inferred: bool = False

    @property
    def interviewer_labels(self) -> list[str]:
        """Every label the wave's transcript sources name as the interviewer.

        May be empty: the interviewer is then inferred per transcript.
        """
        return self.speaker_labels["interviewer"]

    @property
    def speaker_labels(self) -> dict[str, list[str]]:
        """Labels named per role (interviewer, respondent, other) by the transcript sources."""
        roles: dict[str, set[str]] = {"interviewer": set(), "respondent": set(), "other": set()}
        for source in self.manifest.sources:
            if isinstance(source, TranscriptSource):
                for role, labels in roles.items():
                    labels.update(getattr(source.speakers, role))
        return {role: sorted(labels) for role, labels in roles.items()}


def _name(path: Path, folder: Path) -> str:
    return path.relative_to(folder).as_posix()


def _refuse_outside(path: Path, folder: Path) -> None:
    """A link leading out of the wave folder is never followed: it is a rejected file."""
    if not path.resolve().is_relative_to(folder.resolve()):
        raise UnreadableError(f"{_name(path, folder)}: a link to a file outside the wave "
                              "folder; not read")


# What to do with a file people often have that wavecoder does not read.
SAVE_AS = {
    ".xls": "save it from Excel as .xlsx",
    ".xlsm": "save it from Excel as .xlsx",
    ".ods": "save it from LibreOffice Calc as .xlsx or .csv",
    ".doc": "save it from Word as .docx",
    ".rtf": "save it from Word as .docx or plain text (.txt)",
    ".pdf": "export its text (.txt or .docx) from the program that made it",
    ".json": "export the survey as .csv or .xlsx",
    ".zip": "unpack it into the wave folder (wavecoder does not open archives)",
    ".odp": "export its text (.txt or .odt) from LibreOffice",
    ".pages": "export it from Pages as .docx",
    ".numbers": "export it from Numbers as .xlsx or .csv",
}


def infer_manifest(folder: Path, wave_id: str) -> tuple[WaveManifest, SourceRead]:
    """Build a manifest from the files in ``folder``; unusable files come back as rejected items."""
    sources: list[SurveySource | TranscriptSource] = []
    unusable = SourceRead()
    for path in wave_files(folder):
        name, suffix = _name(path, folder), path.suffix.lower()
        try:
            _refuse_outside(path, folder)
            if suffix in TABLE_SUFFIXES:
                found, notes, refused = infer_tables(path, name)
                for sheet, why in refused:  # a sheet that is not a survey is one item, refused
                    unusable.items_in += 1
                    unusable.rejected.append(rejected_row(
                        wave=wave_id, source=f"{name}[{sheet}]", line=0,
                        reason=s.REASON_UNREADABLE, detail=why))
            elif suffix in TRANSCRIPT_SUFFIXES:
                source, notes = infer_transcript(path, name)
                found = [source]
            else:
                raise UnreadableError(
                    f"{name}: unsupported file type '{suffix}'"
                    + (f", {SAVE_AS[suffix]}" if suffix in SAVE_AS else "")
                    + f" (supported: {', '.join(TABLE_SUFFIXES + TRANSCRIPT_SUFFIXES)})")
        except (InputError, OSError) as exc:
            unusable.items_in += 1
            unusable.rejected.append(rejected_row(
                wave=wave_id, source=name, line=0, reason=s.REASON_UNREADABLE, detail=str(exc)))
            continue
        sources.extend(found)
        unusable.notes.extend(notes)
    if not sources:
        raise ConfigError(f"{folder}: no readable survey or transcript files to ingest"
                          f"{_why_unusable(unusable.rejected)}")
    return WaveManifest(id=wave_id, sources=sources), unusable


REASONS_SHOWN = 5


def _why_unusable(rejected: list[dict[str, object]]) -> str:
    """Why each file was refused, for the error that stops a wave with nothing readable.

    The run stops before ``rejected.csv`` is written, so the error itself names the first
    few files and their reasons (the reasons are about the files' form, never their words).
    """
    if not rejected:
        return (" (it holds none: hidden files, wave.yaml, README and gold files are not "
                "inputs)")
    reasons = []
    for row in rejected:
        source, detail = str(row[s.SOURCE]), str(row[s.DETAIL])
        file = source.split("[", 1)[0]  # a refused sheet's source is file.xlsx[Sheet]
        reasons.append(detail if detail.startswith(file) else f"{source}: {detail}")
    return ": " + some_of(reasons, REASONS_SHOWN, sep="; ")


def _read_source(
    folder: Path, index: int, source: SurveySource | TranscriptSource, wave: str
) -> tuple[SourceRead, list[Path]]:
    paths = sorted(p for p in folder.glob(source.file) if p.is_file())
    if not paths:
        missing = SourceRead(items_in=1)
        missing.rejected.append(rejected_row(
            wave=wave, source=source.file, line=0, reason=s.REASON_UNREADABLE,
            detail=f"file not found (wave.yaml sources[{index}].file = '{source.file}')"))
        return missing, []
    combined = SourceRead()
    for path in paths:
        name = _name(path, folder)
        if isinstance(source, SurveySource) and source.sheet is not None:
            name += f"[{source.sheet}]"  # sheets of one workbook are separate sources
        try:
            _refuse_outside(path, folder)
            if isinstance(source, SurveySource):
                read = read_survey(path, source, wave=wave, name=name)
            else:
                respondent = source.respondent_id if len(paths) == 1 and source.respondent_id \
                    else path.stem
                read = read_transcript(path, source, wave=wave, name=name,
                                       respondent_id=respondent)
        except (InputError, OSError) as exc:
            # a survey file read as nothing loses one answer per question at least
            lost = [q.id for q in source.questions] if isinstance(source, SurveySource) \
                else [None]
            read = SourceRead(items_in=len(lost))
            read.rejected += [rejected_row(
                wave=wave, source=name, line=0, reason=s.REASON_UNREADABLE, detail=str(exc),
                question_id=question) for question in lost]
        combined.documents += read.documents
        combined.rejected += read.rejected
        combined.items_in += read.items_in
        combined.notes += read.notes
    return combined, paths


def _drop_repeated_documents(read: SourceRead) -> None:
    """Reject documents whose id repeats an earlier one (a file listed by two sources)."""
    seen: set[object] = set()
    kept = []
    for row_id in read.documents.columns.get(s.DOCUMENT_ID, []):
        kept.append(row_id not in seen)
        seen.add(row_id)
    if all(kept):
        return
    for row, keep in zip(read.documents, kept, strict=True):
        if not keep:
            read.rejected.append(rejected_row(
                wave=str(row[s.WAVE]), source=str(row[s.SOURCE]), line=int(row[s.LINE]),
                reason=s.REASON_DUPLICATE, respondent_id=str(row[s.RESPONDENT_ID]),
                question_id=str(row[s.QUESTION_ID]),
                detail=f"document '{row[s.DOCUMENT_ID]}' was already read from another source"))
    read.documents.keep(kept)


def _worth_a_line(index: int, sources: int) -> bool:
    """Whether source ``index`` of ``sources`` gets a progress line.

    Each of up to 20 does; past that every tenth of them and the last (a folder of 500
    transcripts is not 500 lines).
    """
    return sources <= 20 or (index + 1) % -(-sources // 10) == 0 or index + 1 == sources


class _Since(NamedTuple):
    """Sources read since the last progress line: the first one's index, when, and counts."""

    first: int
    started: float
    items: int
    documents: int
    rejected: int


def _progress_line(since: _Since, index: int, sources: int) -> str:
    """A progress line: "source 3/5 read, …", or past 20 sources "sources 301-600/3,000 …".

    Its counts are those of the sources read since the line before, so the lines add up to
    the wave's.
    """
    which = (f"source {index + 1}/{sources:,}" if since.first == index
             else f"sources {since.first + 1:,}-{index + 1:,}/{sources:,}")
    return (f"ingest: {which} read, {since.items:,} items in, {since.documents:,} documents, "
            f"{since.rejected:,} rejected, {time.perf_counter() - since.started:.1f} s")


def ingest_wave(folder: Path, wave_id: str | None = None, *,
                progress: Callable[[str], None] | None = None) -> IngestResult:
    """Read every input of the wave in ``folder`` into documents and rejected tables.

    Args:
        folder: the wave folder (``corpora/<wave>``).
        wave_id: overrides the wave id; defaults to ``wave.yaml``'s id, else the folder name.
        progress: told a line per source read (its number, items, documents and seconds;
            never a file's contents), e.g. for the run's log; past 20 sources, a line per
            tenth of them, counting the sources read since the line before.

    Returns:
        An :class:`IngestResult`. Raises ConfigError if ``wave.yaml`` is invalid or the folder
        holds nothing readable.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise ConfigError(f"{folder}: not a folder")
    manifest_path = folder / MANIFEST_NAME
    everything = SourceRead()
    if manifest_path.exists():
        manifest = load_wave_manifest(manifest_path)
        if wave_id:
            manifest = manifest.model_copy(update={"id": wave_id})
        inferred = False
    else:
        named = wave_id or folder_wave_id(folder.name)
        manifest, everything = infer_manifest(folder, named)
        everything.notes.insert(0, f"no {MANIFEST_NAME}: sources inferred from the files"
                                + (f"; wave id '{named}' from the folder's name"
                                   if named != folder.name else ""))
        inferred = True
    inputs: list[Path] = []
    since = _Since(0, time.perf_counter(), 0, 0, 0)  # what the next progress line counts
    for index, source in enumerate(manifest.sources):
        read, paths = _read_source(folder, index, source, manifest.id)
        since = _Since(since.first, since.started, since.items + read.items_in,
                       since.documents + len(read.documents), since.rejected + len(read.rejected))
        if _worth_a_line(index, len(manifest.sources)):
            if progress is not None:
                progress(_progress_line(since, index, len(manifest.sources)))
            since = _Since(index + 1, time.perf_counter(), 0, 0, 0)
        inputs += paths
        everything.documents += read.documents
        everything.rejected += read.rejected
        everything.items_in += read.items_in
        everything.notes += read.notes
    _drop_repeated_documents(everything)
    if not inferred:
        unlisted = [_name(p, folder) for p in wave_files(folder) if p not in inputs]
        if unlisted:
            everything.notes.append(f"not listed in {MANIFEST_NAME}, not read: {unlisted}")
    # The read values go (with the rows' frame) before the table's own are made: made while
    # they lived, the table's strings were scattered among them and kept their memory.
    documents = s.from_arrow(s.to_arrow(everything.documents.frame(), s.DOCUMENTS),
                             s.DOCUMENTS) if len(everything.documents) else s.empty(s.DOCUMENTS)
    rejected = pd.DataFrame(everything.rejected)
    rejected = s.conform(rejected, s.REJECTED) if len(rejected) else s.empty(s.REJECTED)
    release_free_memory()  # what reading held (the file's text, its rows) is not kept
    return IngestResult(manifest=manifest, documents=documents, rejected=rejected,
                        items_in=everything.items_in, inputs=sorted(set(inputs)),
                        notes=everything.notes, inferred=inferred)
