"""A codebook check for people (console tables, Markdown) and machines (JSON).

Near-miss texts are respondents' words: they go only into what the user asked for (the
console, ``--json``, the file given with ``-o``), never into logs or error messages.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pipeline.codebooks.check import CodebookCheck, CodeCheck
from pipeline.errors import InputError

SHOWN_OVERLAPS = 10
SNIPPET = 160  # characters of a near miss shown on the console and in Markdown


def check_json(check: CodebookCheck) -> str:
    """The check as indented JSON, near-miss texts included."""
    return json.dumps(check.to_dict(), indent=2, ensure_ascii=False) + "\n"


def _snippet(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= SNIPPET else flat[:SNIPPET - 1] + "…"


def headline(check: CodebookCheck) -> list[str]:
    """What was checked against what, and the notes, one sentence each."""
    book = check.codebook
    lines = [f"Codebook {book['id']} {book['version']} on wave {check.wave}: "
             f"{len(check.codes)} codes, {check.segments_checked} segments checked "
             f"(codings by {check.coder or 'an unknown coder'})."]
    return lines + [f"Note: {note}." for note in check.notes]


def _redundant(check: CodebookCheck) -> list[str]:
    return [f"{o.code_a} and {o.code_b} share {o.together} segments (Jaccard {o.jaccard:.2f}): "
            "possibly redundant" for o in check.overlaps if o.possibly_redundant]


def _md_cell(value: Any) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def _md_table(header: list[str], rows: list[list[Any]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return lines + ["| " + " | ".join(_md_cell(v) for v in row) + " |" for row in rows]


def _short(pattern: str, code_id: str) -> str:
    """A pattern's name without its code's id, which the row already shows."""
    return pattern[len(code_id) + 1:] if pattern.startswith(f"{code_id}:") else (
        pattern[len(code_id):] if pattern.startswith(f"{code_id}#") else pattern)


def _code_rows(check: CodebookCheck) -> list[list[Any]]:
    return [[c.code_id, c.segments, c.respondents, c.matched_segments, len(c.patterns),
             ", ".join(_short(p.pattern, c.code_id) for p in c.unmatched_patterns) or "-"]
            for c in check.codes]


# segments: the published codings'; matched: the checked codebook's patterns, run now
CODE_HEADER = ["code", "segments", "respondents", "matched", "patterns", "never matched"]
OVERLAP_HEADER = ["code", "code", "segments together", "Jaccard", "note"]
REPEATS_HEADER = ["segments", "text (no code covers it)"]


def _repeat_rows(check: CodebookCheck) -> list[list[Any]]:
    return [[count, _snippet(text)] for text, count in check.uncoded_repeats]


WORDS_HEADER = ["code", "pattern", "segments", "words it matched most"]


def _words_rows(check: CodebookCheck) -> list[list[Any]]:
    """Token and lemma patterns that matched: which words (phrases match only themselves)."""
    return [[c.code_id, _short(p.pattern, c.code_id), p.segments,
             ", ".join(f"{word} {count}" for word, count in p.matched_words)]
            for c in check.codes for p in c.patterns if p.kind != "phrase" and p.segments]


def _overlap_rows(check: CodebookCheck) -> list[list[Any]]:
    def note(o) -> str:
        return "possibly redundant" if o.possibly_redundant else (
            "parent and child" if o.related else "")

    return [[o.code_a, o.code_b, o.together, f"{o.jaccard:.2f}", note(o)]
            for o in check.overlaps[:SHOWN_OVERLAPS]]


def _improvable(check: CodebookCheck) -> list[CodeCheck]:
    return [c for c in check.codes if c.near_misses or c.suggestions]


def check_markdown(check: CodebookCheck) -> str:
    """The check as a Markdown page: codes, overlaps, then near misses and suggestions."""
    lines = ["# Codebook check", "", *headline(check), "", "## Codes", "",
             *_md_table(CODE_HEADER, _code_rows(check)), "", "## Overlaps", ""]
    lines += [f"- {line}" for line in _redundant(check)] + [""] if _redundant(check) else []
    lines += _md_table(OVERLAP_HEADER, _overlap_rows(check)) if check.overlaps else [
        "No two codes share a segment."]
    if _words_rows(check):
        lines += ["", "## What token and lemma patterns matched", "",
                  *_md_table(WORDS_HEADER, _words_rows(check))]
    if check.uncoded_repeats:
        lines += ["", "## Uncoded answers given most often", "",
                  *_md_table(REPEATS_HEADER, _repeat_rows(check))]
    lines += ["", "## Near misses and suggested patterns", ""]
    for code in _improvable(check):
        lines += [f"### {code.code_id} ({code.label})", ""]
        lines += [f"- {n.similarity:.2f} `{n.segment_id}`: {_md_cell(_snippet(n.text))}"
                  for n in code.near_misses]
        if code.suggestions:
            lines += ["", "Suggested patterns (paste under `patterns:`):", "", "```yaml"]
            lines += [f"- {g.yaml}  # {g.near_misses} near misses; would match {g.segments} "
                      f"segments, {g.new_segments} new" for g in code.suggestions]
            lines += ["```"]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def output_kind(path: Path) -> str:
    """``json`` or ``md`` from the file's suffix; InputError naming the file otherwise."""
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in ("json", "md"):
        raise InputError(f"{path}: the check is written as .json or .md, not "
                         f"'{Path(path).suffix or 'no suffix'}'")
    return suffix


def write_check(check: CodebookCheck, path: Path) -> Path:
    """Write the check to ``path``: JSON for ``.json``, Markdown for ``.md``."""
    path = Path(path)
    kind = output_kind(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(check_json(check) if kind == "json" else check_markdown(check),
                    encoding="utf-8")
    return path


def check_renderables(check: CodebookCheck) -> list[Any]:
    """Rich tables and lines for the console, in the Markdown page's order."""
    from rich.markup import escape
    from rich.table import Table

    def table(title: str, header: list[str], rows: list[list[Any]]) -> Table:
        out = Table(title=title, title_justify="left", show_lines=False)
        for number, name in enumerate(header):  # ids and figures whole, texts folded
            out.add_column(name, overflow="fold", no_wrap=number < len(header) - 1)
        for row in rows:
            out.add_row(*(escape(str(v)) for v in row))
        return out

    parts: list[Any] = [escape(line) for line in headline(check)]
    parts.append(table("Codes", CODE_HEADER, _code_rows(check)))
    if _words_rows(check):
        parts.append(table("What token and lemma patterns matched", WORDS_HEADER,
                           _words_rows(check)))
    parts += [f"[yellow]{escape(line)}[/yellow]" for line in _redundant(check)]
    if check.overlaps:
        parts.append(table(f"Overlaps (top {SHOWN_OVERLAPS})", OVERLAP_HEADER,
                           _overlap_rows(check)))
    if check.uncoded_repeats:
        parts.append(table("Uncoded answers given most often", REPEATS_HEADER,
                           _repeat_rows(check)))
    for code in _improvable(check):
        rows = [[f"{n.similarity:.2f}", _snippet(n.text)] for n in code.near_misses]
        rows += [["suggest", f"- {g.yaml}  ({g.near_misses} near misses; matches "
                  f"{g.segments}, {g.new_segments} new)"] for g in code.suggestions]
        parts.append(table(f"Near misses of {code.code_id}", ["similarity", "segment"], rows))
    return parts
