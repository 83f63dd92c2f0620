"""Reading files from other tools without trusting them: what a file is, size limits, safe XML.

A codebook file comes from outside: it may be the wrong kind of file (a codebook YAML where a
.qdc is expected), malformed, huge, a zip that is not a project, or hostile XML (entity
expansion). Each case is refused with one line naming the file, before anything big is read.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

from lxml import etree

from pipeline.config import Codebook, load_codebook
from pipeline.errors import ConfigError, InputError, MissingInputError

MAX_XML_BYTES = 32 * 2**20  # a codebook of thousands of codes is a few hundred KB
MAX_PROJECT_BYTES = 256 * 2**20  # project.qde also holds every selection of a project
MAX_CSV_BYTES = 64 * 2**20
_YAML_KEY = re.compile(rb"^(id|version|title|description|codes)\s*:", re.MULTILINE)
_ZIP_MAGIC = b"PK\x03\x04"


def kind_of(path: Path) -> str:
    """What a file holds, from its first bytes: ``zip``, ``xml``, ``yaml``, ``csv`` or ``other``."""
    if not path.is_file():
        raise MissingInputError(f"{path}: file not found")
    with path.open("rb") as handle:
        head = handle.read(4096)
    if head.startswith(_ZIP_MAGIC):
        return "zip"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith(b"<") or head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "xml"
    suffix = path.suffix.lower()
    if suffix in (".csv", ".tsv"):  # before the YAML test: a quoted cell may hold "title: x"
        return "csv"
    if suffix in (".yaml", ".yml") or _YAML_KEY.search(head):
        return "yaml"
    return "other"


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


def read_member(path: Path, wanted: Callable[[str], bool], what: str,
                limit: int) -> tuple[str, bytes]:
    """The first member of a zip whose name ``wanted`` accepts, checking its size first.

    Args:
        path: the zip (a ``.qdpx``).
        wanted: tests a member's name.
        what: the member as errors call it, e.g. ``a project.qde``.
        limit: the largest unpacked size read.
    """
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise InputError(f"{path}: not a readable zip file ({exc})") from None
    with archive:
        infos = [i for i in archive.infolist() if wanted(i.filename)]
        if not infos:
            raise InputError(f"{path}: a zip holding no {what}, so not a REFI-QDA project "
                             "(.qdpx)")
        info = infos[0]
        if info.file_size > limit:
            raise InputError(f"{path}: {info.filename} unpacks to {info.file_size / 2**20:.0f} "
                             f"MB, more than the {limit // 2**20} MB allowed; export the "
                             "codebook alone as a .qdc from your QDA package")
        try:
            return info.filename, archive.read(info)
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError,
                NotImplementedError) as exc:
            raise InputError(f"{path}: {info.filename} cannot be unpacked ({exc})") from None


def load_codebook_yaml(path: Path) -> Codebook:
    """:func:`pipeline.config.load_codebook`, refusing a QDA file given where YAML is expected."""
    kind = kind_of(path)
    if kind in ("xml", "zip"):
        raise ConfigError(f"{path}: a REFI-QDA file (.qdc/.qdpx), not a codebook YAML; turn "
                          f"it into one with: wavecoder codebook import {path} -o OUT.yaml")
    if kind == "csv":
        raise ConfigError(f"{path}: a CSV file, not a codebook YAML; a Taguette codebook is "
                          f"turned into one with: wavecoder codebook import {path} -o OUT.yaml")
    check_size(path, MAX_CSV_BYTES, "a codebook YAML")
    return load_codebook(path)
