"""Reading files that come from other people's machines: size limits, safe XML, safe zips.

Each refusal is an :class:`~pipeline.errors.InputError` naming the file, raised before anything
big is read: a file over its size limit, a zip member that would unpack past its limit, XML that
declares entities (entity expansion can exhaust memory) or is not well formed. Used for REFI-QDA
projects and codebooks, review workbooks and other uploads.
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

from lxml import etree

from pipeline.errors import InputError


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
