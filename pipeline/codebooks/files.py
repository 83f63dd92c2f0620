"""Reading files from other tools without trusting them: what a file is, size limits, safe XML.

A codebook file comes from outside: it may be the wrong kind of file (a codebook YAML where a
.qdc is expected), malformed, huge, a zip that is not a project, or hostile XML (entity
expansion). Each case is refused with one line naming the file, before anything big is read.
"""

from __future__ import annotations

import re
from pathlib import Path

from pipeline.config import Codebook, load_codebook
from pipeline.errors import ConfigError, MissingInputError
from pipeline.untrusted import check_size

MAX_XML_BYTES = 32 * 2**20  # a codebook of thousands of codes is a few hundred KB
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
