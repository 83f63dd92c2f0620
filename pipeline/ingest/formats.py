"""Text out of the files researchers have: .docx (tables too), .odt, WebVTT and SRT captions.

Each reader returns the text a person would read, one paragraph per paragraph (or table row, or
caption turn), separated by blank lines, so that speaker labels start lines. A file that cannot
be opened raises :class:`UnreadableError` naming it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from pipeline.errors import InputError
from pipeline.ingest.decode import UnreadableError, decode_bytes
from pipeline.untrusted import check_office_file

T = TypeVar("T")

MAX_CELL_LABEL_CHARS = 32  # a table cell this short, before the last, is a label or a time


def _row_text(cells: list[str]) -> list[str]:
    """One table row as paragraphs: "label: words" when the cells before the last are short."""
    unique: list[str] = []
    for cell in cells:  # merged cells repeat their text in every grid position
        if cell and (not unique or unique[-1] != cell):
            unique.append(cell)
    if len(unique) >= 2 and all(len(c) <= MAX_CELL_LABEL_CHARS and "\n" not in c
                                for c in unique[:-1]):
        return [" ".join(unique[:-1]).rstrip(":") + ": " + unique[-1]]
    return unique


# The words a transcript table's heading row is made of ("Time | Speaker | Transcript"): such a
# row names the columns, and read as a turn it made a speaker "Speaker" who said "Text".
TABLE_HEADINGS = {"speaker", "name", "who", "role", "text", "transcript", "transcription",
                  "time", "timestamp", "time stamp", "timecode", "start", "end", "utterance",
                  "turn", "content", "speech", "said", "dialogue", "words", "line", "no", "#"}


def _is_heading_row(cells: list[str]) -> bool:
    """Whether a table's first row only names its columns (two or more heading words)."""
    named = [c.strip().rstrip(":").strip().casefold() for c in cells if c.strip()]
    return len(set(named)) >= 2 and all(c in TABLE_HEADINGS for c in named)


def _checked_load(path: Path, what: str, load: Callable[[], T]) -> T:
    """``load()`` of an Office file once its zip and XML passed the untrusted-file checks."""
    try:
        check_office_file(path, f"a valid {what}")
        return load()
    except InputError as exc:
        raise UnreadableError(str(exc)) from None
    except Exception as exc:  # noqa: BLE001 - zip and XML are sound; the rest is this file's
        raise UnreadableError(f"{path.name}: not a valid {what} "
                              f"({type(exc).__name__}: {exc})") from None


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# Tracked deletions and the old place of moved text show struck through: not what was said.
# A text box's own paragraphs sit inside a run; they are not part of the paragraph around it.
_NOT_SHOWN = {_W + "del", _W + "moveFrom", _W + "p"}


def _docx_paragraph_text(paragraph) -> str:  # noqa: ANN001 (an lxml w:p element)
    """A ``w:p``'s text with tracked changes accepted.

    python-docx reads only the runs directly under the paragraph, so words inside a tracked
    insertion, a content control, a smart tag or a field were lost; every run is read here
    (each run's text as python-docx gives it: tabs, breaks), except deleted or moved-away ones.
    """
    parts = []
    for run in paragraph.iter(_W + "r"):
        shown = True
        for ancestor in run.iterancestors():
            if ancestor is paragraph:
                break
            if ancestor.tag in _NOT_SHOWN:
                shown = False
                break
        if shown:
            parts.append(run.text)
    return "".join(parts)


def _docx_blocks(parent):  # noqa: ANN001, ANN202 (lxml elements)
    """The paragraphs and tables under ``parent``, in order, through block content controls."""
    for element in parent.iterchildren():
        tag = element.tag.removeprefix(_W)
        if tag in ("p", "tbl"):
            yield element
        elif tag in ("sdt", "sdtContent", "customXml"):
            yield from _docx_blocks(element)


def _docx_cell_text(cell) -> str:  # noqa: ANN001 (a w:tc element)
    return "\n".join(_docx_paragraph_text(block) for block in _docx_blocks(cell)
                     if block.tag == _W + "p").strip()


def read_docx_text(path: Path) -> str:
    """The text of a .docx: paragraphs and table rows in document order, blank-line separated.

    Tracked changes read as accepted; comments (kept in another part) are not read.
    """
    import docx  # python-docx; heavy-ish, only when a .docx is read
    from docx.table import Table

    document = _checked_load(path, ".docx document", lambda: docx.Document(str(path)))
    paragraphs: list[str] = []
    for element in _docx_blocks(document.element.body):
        if element.tag == _W + "p":
            paragraphs.append(_docx_paragraph_text(element).strip())
        else:  # python-docx's grid: a merged cell's text in each position it covers
            for number, row in enumerate(Table(element, document).rows):
                cells = [_docx_cell_text(c._tc) for c in row.cells]  # noqa: SLF001
                if number or not _is_heading_row(cells):
                    paragraphs += _row_text(cells)
    return "\n\n".join(p for p in paragraphs if p)


MAX_ODT_SPACES = 100  # a <text:s c="…"> run of spaces; a forged count must not fill memory


def _odt_text(element) -> str:  # noqa: ANN001 (an odfpy element)
    """An ODF paragraph's text, as odfpy's ``teletype.extractText`` gives it, without comments.

    A comment (``office:annotation``) sits inside the paragraph it is about; its author, date
    and words are not the paragraph's.
    """
    from xml.dom import Node

    from odf.namespaces import OFFICENS, TEXTNS

    parts: list[str] = []
    for child in element.childNodes:
        if child.nodeType == Node.TEXT_NODE:
            parts.append(child.data)
        elif child.nodeType != Node.ELEMENT_NODE or child.qname == (OFFICENS, "annotation"):
            continue
        elif child.qname == (TEXTNS, "line-break"):
            parts.append("\n")
        elif child.qname == (TEXTNS, "tab"):
            parts.append("\t")
        elif child.qname == (TEXTNS, "s"):
            count = str(child.getAttribute("c") or "1")  # "²" is a digit int() refuses
            number = int(count[:6]) if count.isascii() and count.isdigit() else 1
            parts.append(" " * min(number, MAX_ODT_SPACES))
        else:
            parts.append(_odt_text(child))
    return "".join(parts)


def read_odt_text(path: Path) -> str:
    """The text of an OpenDocument text (.odt): headings, paragraphs, list items, table rows.

    Tracked changes read as accepted (deleted text is kept apart, in ``text:tracked-changes``);
    comments are not read.
    """
    from odf.namespaces import TABLENS, TEXTNS
    from odf.opendocument import load

    document = _checked_load(path, ".odt document", lambda: load(str(path)))
    paragraphs: list[str] = []
    first_row = False  # the next table row is its table's first

    def visit(node: object) -> None:
        nonlocal first_row
        for child in getattr(node, "childNodes", []):
            name = getattr(child, "qname", None)
            if name in ((TEXTNS, "p"), (TEXTNS, "h")):
                paragraphs.append(_odt_text(child).strip())
            elif name == (TABLENS, "table-row"):
                cells = [_odt_text(cell).strip() for cell in child.childNodes
                         if getattr(cell, "qname", None) == (TABLENS, "table-cell")]
                if not (first_row and _is_heading_row(cells)):
                    paragraphs.extend(_row_text(cells))
                first_row = False
            elif name != (TEXTNS, "tracked-changes"):
                first_row = first_row or name == (TABLENS, "table")
                visit(child)

    visit(document.text)
    return "\n\n".join(p for p in paragraphs if p)


_TIMING = re.compile(r"^\s*[\d:.,]+\s*-->\s*[\d:.,]+")
_VOICE = re.compile(r"<v(?:\.[^ >]*)?\s+([^>]+)>")
_TAG = re.compile(r"</?[a-z][^>]*>|\{\\[^}]*\}")
_LABEL = re.compile(r"^([A-Za-z][\w .'’\-]{0,31}?)\s*:\s+(.*)$", re.DOTALL)


def captions_text(raw: str) -> tuple[str, int]:
    """WebVTT or SRT captions as a transcript: one "Speaker: words" paragraph per turn.

    Cues in a row by one speaker (a ``<v Name>`` voice tag, as Teams writes, or a ``Name:``
    prefix, as Zoom writes) join into one turn; cue numbers, timings and styling are left out.

    Returns:
        The transcript text and the number of cues read.
    """
    turns: list[list[str]] = []  # [speaker, words]
    cues = 0
    for block in re.split(r"\n[ \t]*\n", raw.replace("\r\n", "\n")):
        lines = block.strip().split("\n")
        timing = next((i for i, line in enumerate(lines) if _TIMING.match(line)), None)
        if timing is None:
            continue  # the WEBVTT header, NOTE and STYLE blocks
        cues += 1
        words = "\n".join(lines[timing + 1:]).strip()
        voice = _VOICE.search(words)
        speaker = voice.group(1).strip() if voice else ""
        words = " ".join(_TAG.sub("", words).split())
        labelled = _LABEL.match(words) if not speaker else None
        if labelled:
            speaker, words = labelled.group(1).strip(), labelled.group(2).strip()
        if not words:
            continue
        if turns and (not speaker or speaker == turns[-1][0]):
            turns[-1][1] += " " + words
        else:
            turns.append([speaker, words])
    text = "\n\n".join(f"{who}: {said}" if who else said for who, said in turns)
    return text, cues


def read_captions(path: Path) -> tuple[str, str]:
    """A .vtt or .srt file as transcript text, with a note of what was left out."""
    decoded = decode_bytes(path.read_bytes())
    text, cues = captions_text(decoded.text)
    if not cues:
        raise UnreadableError(f"{path.name}: no caption cues (lines with '-->') found")
    return text, f"{path.name}: {cues} caption cues joined into speaker turns; timings left out"
