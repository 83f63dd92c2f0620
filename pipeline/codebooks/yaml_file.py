"""A drafted codebook written as the YAML :func:`pipeline.config.load_codebook` reads.

The file opens with comments saying where it came from and what is left to do (codes with no
definition, codes with no patterns), so the to-do list travels with the codebook.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import yaml

from pipeline.codebooks.draft import Draft
from pipeline.config import Code
from pipeline.errors import InputError
from pipeline.text import some_of


class _Dumper(yaml.SafeDumper):
    """Multi-line text as literal blocks, so descriptions read as written."""


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)


def _code(code: Code) -> dict[str, Any]:
    entry: dict[str, Any] = {"id": code.id, "label": code.label, "definition": code.definition}
    for name in ("when_to_use", "when_not_to_use", "colour", "examples"):
        if getattr(code, name):
            entry[name] = getattr(code, name)
    entry["patterns"] = [p.model_dump(exclude_defaults=True) for p in code.patterns]
    if code.children:
        entry["children"] = [_code(child) for child in code.children]
    return entry


def _comment(text: str) -> list[str]:
    return textwrap.wrap(text, 96, initial_indent="# ", subsequent_indent="#   ",
                         break_on_hyphens=False)


def _ids(ids: list[str], shown: int | None) -> str:
    return some_of(ids, len(ids) if shown is None else shown)


def todo_lines(draft: Draft, shown: int | None = None) -> list[str]:
    """What is left to do before coding with the draft, one sentence per item.

    Args:
        draft: the drafted codebook.
        shown: name at most this many code ids per item (default: all).
    """
    lines = []
    undefined, unpatterned = draft.needs_definition(), draft.needs_patterns()
    if undefined:
        lines.append(f"{len(undefined)} codes need a definition: {_ids(undefined, shown)}")
    if unpatterned:
        lines.append(f"{len(unpatterned)} codes need patterns (or a trained coder): "
                     f"{_ids(unpatterned, shown)}")
    return lines


def codebook_yaml(draft: Draft, command: str) -> str:
    """The draft's codebook as YAML text, headed by comments on its origin and its to-do list."""
    book = draft.codebook
    header = [*_comment(f"Drafted by `wavecoder codebook {command}` from {draft.source} "
                        f"({draft.kind}): {len(book.code_ids())} codes, {draft.depth()} "
                        "levels."), "# To do:"]
    for line in [*todo_lines(draft), *draft.notes]:
        header.extend(_comment(f"- {line}"))
    data: dict[str, Any] = {"id": book.id, "version": book.version, "title": book.title}
    if book.description:
        data["description"] = book.description
    data["codes"] = [_code(code) for code in book.codes]
    body = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=96)
    return "\n".join(header) + "\n" + body


def write_codebook_yaml(draft: Draft, out: Path, command: str) -> Path:
    """Write the draft to ``out`` (``.yaml``/``.yml``), replacing it only once fully written."""
    if out.suffix.lower() not in (".yaml", ".yml"):
        raise InputError(f"{out}: a codebook is written to a .yaml file")
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    partial.write_text(codebook_yaml(draft, command), encoding="utf-8")
    partial.replace(out)
    return out
