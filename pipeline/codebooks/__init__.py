"""Codebooks from and to other tools: REFI-QDA (.qdc/.qdpx), Taguette CSV, gold files.

Importers read a file into a :class:`~pipeline.codebooks.draft.Draft` (a validated codebook plus
what is left to do); :func:`import_codebook` picks the reader from what the file holds.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.codebooks.draft import Draft
from pipeline.codebooks.files import kind_of, load_codebook_yaml
from pipeline.codebooks.from_gold import draft_from_gold
from pipeline.codebooks.qdc import codebook_qdc, read_qdc, write_qdc
from pipeline.codebooks.taguette import read_taguette
from pipeline.codebooks.yaml_file import codebook_yaml, todo_lines, write_codebook_yaml
from pipeline.errors import ConfigError, InputError


def import_codebook(path: Path, codebook_id: str | None = None) -> Draft:
    """Read a REFI-QDA codebook (.qdc), project (.qdpx) or Taguette codebook (.csv) as a draft.

    A codebook YAML, or any other file, is refused with one line naming the file.
    """
    kind = kind_of(path)
    if kind in ("xml", "zip"):
        return read_qdc(path, codebook_id)
    if kind == "csv":
        return read_taguette(path, codebook_id)
    if kind == "yaml":
        raise ConfigError(f"{path}: already a codebook YAML, not a QDA codebook (.qdc, .qdpx "
                          f"or Taguette .csv); write a .qdc from it with: wavecoder codebook "
                          f"export --codebook {path} -o OUT.qdc")
    raise InputError(f"{path}: not a REFI-QDA codebook (.qdc), project (.qdpx) or Taguette "
                     "codebook (.csv)")


__all__ = ["Draft", "codebook_qdc", "codebook_yaml", "draft_from_gold", "import_codebook",
           "load_codebook_yaml", "read_qdc", "read_taguette", "todo_lines",
           "write_codebook_yaml", "write_qdc"]
