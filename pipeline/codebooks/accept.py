"""Accept a candidate code: move it from ``<codebook>.candidates.yaml`` into the codebook.

The codebook's ``version`` is bumped (``1.0`` → ``1.1``), so every wave coded afterwards records
that it used a different codebook (run.json's codebook id/version/sha256). The codebook file is
edited as text: the new code is appended to the ``codes:`` list and the version line replaced,
so the researcher's comments and layout stay as they were. The result is validated by loading it
before it replaces the file.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from pipeline.codebooks.candidates import (
    Candidate,
    candidates_path,
    read_candidates,
    write_candidates,
)
from pipeline.codebooks.yaml_file import _code, _Dumper
from pipeline.config import load_codebook, yaml_text
from pipeline.errors import ConfigError

_VERSION_LINE = re.compile(r"^version:\s*(?P<quote>['\"]?)(?P<value>[^'\"\n#]*?)(?P=quote)\s*"
                           r"(?P<comment>#.*)?$", re.MULTILINE)


@dataclass
class Accepted:
    """What an acceptance did: the candidate, the codebook file and its old and new version."""

    candidate: Candidate
    codebook_file: Path
    old_version: str
    new_version: str


def bump_version(version: str) -> str:
    """The next minor version: ``1.0`` → ``1.1``, ``2`` → ``2.1``, ``v3-draft`` → ``v3-draft.1``."""
    parts = version.split(".")
    if len(parts) > 1 and parts[-1].isdigit():
        return ".".join([*parts[:-1], str(int(parts[-1]) + 1)])
    return f"{version}.1"


def _appended(text: str, candidate: Candidate, indent: str) -> str:
    entry = yaml.dump([_code(candidate.as_code())], Dumper=_Dumper, sort_keys=False,
                      allow_unicode=True, width=96)
    block = "".join(f"{indent}{line}\n" if line else "\n" for line in entry.splitlines())
    comment = (f"{indent}# accepted from topic {candidate.topic_id} of wave {candidate.wave} "
               "(wavecoder codebook accept)\n")
    return text.rstrip("\n") + "\n\n" + comment + block


def accept_candidate(codebook_file: Path, candidate_id: str,
                     candidates_file: Path | None = None) -> Accepted:
    """Move candidate ``candidate_id`` into ``codebook_file`` and bump the codebook's version.

    Raises ConfigError naming the file when the candidate is not there, its id is already a
    code, or the codebook's ``codes:`` list is not the last key (the text edit would be unsafe).
    """
    codebook_file = Path(codebook_file)
    book = load_codebook(codebook_file)
    source = Path(candidates_file) if candidates_file else candidates_path(codebook_file)
    found = read_candidates(source)
    chosen = next((c for c in found.candidates if c.id == candidate_id), None)
    if chosen is None:
        known = ", ".join(c.id for c in found.candidates) or "none"
        raise ConfigError(f"{source}: no candidate '{candidate_id}' (candidates: {known})")
    if candidate_id in book.code_ids():
        raise ConfigError(f"{codebook_file}: already has a code '{candidate_id}'")
    text = yaml_text(codebook_file)
    data = yaml.safe_load(text)
    if list(data)[-1] != "codes":
        raise ConfigError(f"{codebook_file}: 'codes' is not the last key; move it to the end "
                          "so a code can be appended without rewriting the file")
    indent = re.search(r"^codes:\s*\n(?:\s*#.*\n|\s*\n)*( *)-", text, re.MULTILINE)
    new_version = bump_version(book.version)
    edited = _appended(text, chosen, indent.group(1) if indent else "  ")
    if _VERSION_LINE.search(edited) is None:
        raise ConfigError(f"{codebook_file}: no top-level 'version:' line to bump")
    edited = _VERSION_LINE.sub(lambda m: f'version: "{new_version}"'
                               + (f"  {m['comment']}" if m["comment"] else ""), edited, count=1)
    staging = codebook_file.with_name(f".{codebook_file.name}.accepting")
    staging.write_text(edited, encoding="utf-8")
    try:
        checked = load_codebook(staging)  # a broken edit never replaces the codebook
        if candidate_id not in checked.code_ids() or checked.version != new_version:
            raise ConfigError(f"{codebook_file}: the edited codebook lost the new code")
        os.replace(staging, codebook_file)
    finally:
        staging.unlink(missing_ok=True)
    found.candidates = [c for c in found.candidates if c.id != candidate_id]
    write_candidates(source, found.model_copy(update={"codebook_version": new_version}))
    return Accepted(chosen, codebook_file, book.version, new_version)
