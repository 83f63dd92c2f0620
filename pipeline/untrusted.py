"""Reading files that come from other people's machines: size limits, safe XML, safe zips.

Each refusal is an :class:`~pipeline.errors.InputError` naming the file, raised before anything
big is read: a file over its size limit, a zip member that would unpack past its limit, XML that
declares entities (entity expansion can exhaust memory) or is not well formed. Used for REFI-QDA
projects and codebooks, review workbooks and other uploads.
"""

from __future__ import annotations

import re
import string
import zipfile
import zlib
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from lxml import etree

from pipeline.errors import InputError

# A REFI-QDA project.qde holds codes, users and every coded selection of a project.
MAX_PROJECT_BYTES = 256 * 2**20

if TYPE_CHECKING:  # pandas and openpyxl only for the writers' helpers
    import pandas as pd
    from openpyxl.worksheet.worksheet import Worksheet


def check_size(path: Path, limit: int, what: str) -> None:
    """Refuse a file larger than ``limit`` bytes before reading it."""
    size = path.stat().st_size
    if size > limit:
        raise InputError(f"{path}: {size / 2**20:.0f} MB, more than the {limit // 2**20} MB "
                         f"{what} may be")


def parse_xml(data: bytes, where: str) -> etree._Element:
    """Parse untrusted XML: no entity declarations, no network, libxml2's default size limits.

    Args:
        data: the document's bytes.
        where: the file (and member) to name in errors.
    """
    if b"<!ENTITY" in data or b"<\x00!\x00E\x00N\x00T\x00I\x00T\x00Y" in data:
        raise InputError(f"{where}: declares XML entities, which a REFI-QDA file never "
                         "needs; refused (entity expansion can exhaust memory)")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False,
                             load_dtd=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise InputError(f"{where}: not well-formed XML (line {exc.lineno}): {exc.msg}") from None
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        raise InputError(f"{where}: declares XML entities; refused")
    return root


def open_zip(path: Path) -> zipfile.ZipFile:
    """Open an untrusted zip (a .qdpx, .docx, .xlsx); InputError naming it if it is not one."""
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise InputError(f"{path}: not a readable zip file ({exc})") from None


def read_bounded(archive: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path,
                 limit: int, hint: str = "") -> bytes:
    """One member's bytes, refused before inflating when it would unpack past ``limit``.

    The declared size is checked first; Python's reader never inflates past it, so a header
    that lies ends in a CRC error (refused) rather than in exhausted memory.
    """
    if info.file_size > limit:
        raise InputError(f"{path}: {info.filename} unpacks to {info.file_size / 2**20:.0f} MB, "
                         f"more than the {limit // 2**20} MB allowed{hint}")
    _check_ratio(info, path)
    try:
        return archive.read(info)
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError,
            NotImplementedError, RuntimeError) as exc:
        raise InputError(f"{path}: {info.filename} cannot be unpacked ({exc})") from None


def read_member(path: Path, wanted: Callable[[str], bool], what: str,
                limit: int) -> tuple[str, bytes]:
    """The first member of a zip whose name ``wanted`` accepts, checking its size first.

    Args:
        path: the zip (a ``.qdpx``).
        wanted: tests a member's name.
        what: the member as errors call it, e.g. ``a project.qde``.
        limit: the largest unpacked size read.
    """
    with open_zip(path) as archive:
        infos = [i for i in archive.infolist() if wanted(i.filename)]
        if not infos:
            raise InputError(f"{path}: a zip holding no {what}, so not a REFI-QDA project "
                             "(.qdpx)")
        return infos[0].filename, read_bounded(
            archive, infos[0], path, limit,
            "; export the codebook alone as a .qdc from your QDA package")


# Office files (.docx, .xlsx, .odt) are zips of XML. Their libraries inflate and parse members
# without limits, so the zip and its XML are checked here first, streaming, in bounded memory.
MAX_MEMBER_BYTES = 256 * 2**20  # one unpacked member; a 30,000-row sheet is about 30 MB
MAX_UNPACKED_BYTES = 1024 * 2**20  # all members together
MAX_RATIO = 200  # unpacked/packed; real Office XML stays under ~30, a zip bomb is ~1000
RATIO_CHECKED_FROM = 8 * 2**20  # small members may compress as well as they like
_XML_SUFFIXES = (".xml", ".rels")
_CHUNK = 2**20


def _check_ratio(info: zipfile.ZipInfo, path: Path) -> None:
    ratio = info.file_size / max(info.compress_size, 1)
    if info.file_size > RATIO_CHECKED_FROM and ratio > MAX_RATIO:
        raise InputError(f"{path}: {info.filename} is compressed {ratio:.0f}:1, more than "
                         f"the {MAX_RATIO}:1 a real document reaches (a zip bomb?)")


def check_zip_sizes(archive: zipfile.ZipFile, path: Path) -> None:
    """Refuse a zip whose members would unpack too large or too suddenly (a zip bomb).

    Uses the sizes the zip declares; Python's reader never inflates a member past its declared
    size, so a header that lies ends in a CRC error rather than in exhausted memory.
    """
    total = 0
    for info in archive.infolist():
        total += info.file_size
        if info.file_size > MAX_MEMBER_BYTES:
            raise InputError(f"{path}: {info.filename} unpacks to "
                             f"{info.file_size / 2**20:.0f} MB, more than the "
                             f"{MAX_MEMBER_BYTES // 2**20} MB allowed (a zip bomb?)")
        _check_ratio(info, path)
    if total > MAX_UNPACKED_BYTES:
        raise InputError(f"{path}: unpacks to {total / 2**20:.0f} MB in all, more than the "
                         f"{MAX_UNPACKED_BYTES // 2**20} MB allowed (a zip bomb?)")


def _check_xml_stream(archive: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path) -> None:
    """Parse one member as a stream, keeping nothing: well formed, no entity declarations."""
    where = f"{path}: {info.filename}"
    parser = etree.XMLPullParser(events=("end",), resolve_entities=False, no_network=True,
                                 huge_tree=False, load_dtd=False)
    try:
        with archive.open(info) as stream:
            chunk = stream.read(_CHUNK)
            if b"<!ENTITY" in chunk or b"<\x00!\x00E\x00N\x00T\x00I\x00T\x00Y" in chunk:
                raise InputError(f"{where}: declares XML entities, which an Office file never "
                                 "needs; refused (entity expansion can exhaust memory)")
            while chunk:
                parser.feed(chunk)
                for _event, element in parser.read_events():
                    element.clear()
                chunk = stream.read(_CHUNK)
        parser.close()
    except InputError:
        raise
    except etree.XMLSyntaxError as exc:
        raise InputError(f"{where}: not well-formed XML (line {exc.lineno}): {exc.msg}") from None
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError,
            NotImplementedError, RuntimeError) as exc:
        raise InputError(f"{where}: cannot be unpacked ({exc})") from None


def check_office_file(path: Path, what: str) -> None:
    """Refuse a .docx/.xlsx/.odt that is not a zip, is a zip bomb, or holds bad or hostile XML.

    Args:
        path: the file.
        what: what the file should be, for errors: ``a valid .docx document``.
    """
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise InputError(f"{path}: not {what} (not a zip file: {exc})") from None
    with archive:
        check_zip_sizes(archive, path)
        for info in archive.infolist():
            if info.filename.lower().endswith(_XML_SUFFIXES):
                _check_xml_stream(archive, info, path)


# Control characters other than tab and line ends: Excel and XML refuse them, terminals obey
# them. Each is replaced by one space (a form feed by a line end), so offsets stay valid.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def replace_controls(text: str) -> tuple[str, int]:
    """``text`` with each control character replaced by one character; and how many there were."""
    count = 0

    def one(match: re.Match[str]) -> str:
        nonlocal count
        count += 1
        return "\n" if match.group() == "\x0c" else " "

    return _CONTROLS.sub(one, text), count


# Spreadsheet programs run a cell that starts with one of these as a formula (OWASP, "CSV
# Injection"); a tab or carriage return first can hide such a start.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(frame: pd.DataFrame, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells starting like a formula begin with a ``'``.

    ``columns``: only these (a table wavecoder reads back keeps its ids as they are); by
    default every text column.
    """
    safe = frame.copy()
    for column in safe.columns if columns is None else [c for c in columns if c in safe]:
        if safe[column].dtype == object:
            safe[column] = safe[column].map(
                lambda v: "'" + v if isinstance(v, str) and v.startswith(FORMULA_STARTS) else v)
    return safe


def cells_as_text(worksheet: Worksheet) -> None:
    """Make every string cell of ``worksheet`` text, never a formula, and free of controls.

    openpyxl stores a string starting with ``=`` as a live formula; answers are never formulas.
    """
    for row in worksheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str):
                if _CONTROLS.search(cell.value):
                    cell.value = replace_controls(cell.value)[0]
                if cell.value.startswith("="):
                    cell.data_type = "s"


def regex_risk(pattern: str) -> str | None:
    r"""Why ``pattern`` could run for minutes on one token (or does not compile), else None.

    A quantifier over a group that itself repeats without bound, as in ``(a+)+`` or
    ``(\w*\s?)*``, backtracks exponentially when a match fails (catastrophic backtracking);
    Python's ``re`` has no time limit, so such a pattern is refused before any text is matched.
    """
    from re import _constants as constants  # noqa: PLC2701 - the parser is the only way in
    from re import _parser as parser  # noqa: PLC2701

    try:
        re.compile(pattern)
        tree = parser.parse(pattern)
    except (re.error, RecursionError, OverflowError) as exc:
        return f"not a valid regular expression ({exc})"
    repeats = (constants.MAX_REPEAT, constants.MIN_REPEAT, constants.POSSESSIVE_REPEAT)

    def unbounded_inside(items: object, depth: int) -> bool:
        for op, value in items:  # type: ignore[attr-defined]
            if op in repeats:
                low, high, body = value
                if high == constants.MAXREPEAT or high > 16:
                    if depth > 0 or unbounded_inside(body, depth + 1):
                        return True
                elif unbounded_inside(body, depth):
                    return True
            elif op == constants.SUBPATTERN and unbounded_inside(value[-1], depth):
                return True
            elif op == constants.BRANCH and any(unbounded_inside(b, depth) for b in value[1]):
                return True
        return False

    if unbounded_inside(tree, 0):
        return ("a repeated group that itself repeats (like '(a+)+'): matching can take "
                "minutes (catastrophic backtracking); write it without the nested repeat")
    overlap = overlapping_alternatives(pattern)
    if overlap is not None:
        return (f"alternatives that can match the same text ('{overlap[0]}' and "
                f"'{overlap[1]}') inside a repeated group (like '(a|ab)*'): matching can "
                "take minutes (catastrophic backtracking); make the alternatives exclusive, "
                "or use one character class")
    return None


_MANY = 16  # a group repeated more often than this backtracks badly if it can match two ways
_QUANTIFIER = re.compile(r"\*|\+|\{(\d*)(,?)(\d*)\}")
_GROUP_PREFIX = re.compile(r"\?(?::|P<\w+>|<\w+>|[aiLmsux-]+:)")
# every character tried as the first of each alternative, plus those the pattern names
_PROBES = string.printable + "\u00a0\u00e9\u00df\u0663\u4e2d\u2019"


def overlapping_alternatives(pattern: str) -> tuple[str, str] | None:
    r"""Two alternatives of a repeated group that can begin the same way, else None.

    In ``(a|ab)*``, ``(a|a)*`` or ``(\w|\d)+`` each repetition can match one stretch of text
    in two ways, so a failing match tries every combination: exponential in the text's
    length. Read from the pattern's source, because Python's parser folds ``(a|a)`` into a
    character class and would hide it; two alternatives overlap when some character can
    start both (or both can match nothing).
    """
    import regex  # its partial matching tells whether a character can start a match

    groups = _groups(pattern)
    for start, end, _ in groups:
        if not any(r and s <= start and end <= e for s, e, r in groups):
            continue  # neither this group nor one around it repeats
        body = pattern[start:end]
        if body.startswith("?"):
            prefix = _GROUP_PREFIX.match(body)
            if prefix is None:  # a lookaround, conditional, comment or back-reference
                continue
            body = body[prefix.end():]
        alternatives = _split_alternatives(body)
        compiled = []
        for alternative in alternatives:
            try:
                # case folded: a flag elsewhere in the pattern may make 'a' and 'A' one
                compiled.append((alternative, regex.compile(alternative, regex.IGNORECASE)))
            except (regex.error, OverflowError):  # e.g. a back-reference to an outer group
                continue
        probes = set(_PROBES) | set(pattern)
        for i, (first, a) in enumerate(compiled):
            for second, b in compiled[i + 1:]:
                both_empty = a.fullmatch("") is not None and b.fullmatch("") is not None
                if both_empty or any(a.match(c, partial=True) and b.match(c, partial=True)
                                     for c in probes):
                    return first, second
    return None


def _syntax(pattern: str) -> Iterator[tuple[int, str]]:
    """Each character of ``pattern`` that is syntax: not escaped, not in a character class."""
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            i += 2
        elif char == "[":
            i = _class_end(pattern, i)
        else:
            yield i, char
            i += 1


def _groups(pattern: str) -> list[tuple[int, int, bool]]:
    """Each parenthesised group: where its body starts and ends, whether it repeats often."""
    found: list[tuple[int, int, bool]] = []
    opened: list[int] = []
    for i, char in _syntax(pattern):
        if char == "(":
            opened.append(i + 1)
        elif char == ")" and opened:
            start = opened.pop()
            found.append((start, i, _repeats_many(pattern, i + 1)))
    return found


def _class_end(pattern: str, i: int) -> int:
    """The index just past the character class that opens at ``i``."""
    j = i + 1
    j += pattern.startswith("^", j)
    j += pattern.startswith("]", j)  # a ']' first is a member, not the end
    while j < len(pattern) and pattern[j] != "]":
        j += 2 if pattern[j] == "\\" else 1
    return j + 1


def _repeats_many(pattern: str, i: int) -> bool:
    quantifier = _QUANTIFIER.match(pattern, i)
    if quantifier is None:
        return False
    if quantifier.group() in ("*", "+"):
        return True
    low, comma, high = quantifier.groups()
    most = high if comma else low
    return not most or int(most) > _MANY


def _split_alternatives(body: str) -> list[str]:
    """``body``'s alternatives at its own level (not those of groups inside it)."""
    parts, depth, start = [], 0, 0
    for i, char in _syntax(body):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "|" and depth == 0:
            parts.append(body[start:i])
            start = i + 1
    return [*parts, body[start:]] if parts else []
