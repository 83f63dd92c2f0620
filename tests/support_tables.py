"""Reading a rich table back from a command's output, as a reader of its log would."""

from __future__ import annotations


def table_rows(output: str) -> list[str]:
    """The body lines of the first table in ``output`` (between its header rule and its end)."""
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("┡"))
    end = next(i for i, line in enumerate(lines) if line.startswith("└"))
    return lines[start + 1:end]


def folded_first_column(rows: list[str]) -> list[str]:
    """Each row's first cell put together from the lines it is folded over.

    A row's first line has its second cell filled; the lines after it, with that cell empty,
    hold the rest of its first cell.
    """
    values: list[str] = []
    for line in rows:
        cells = [part.strip() for part in line.split("│")[1:-1]]
        if cells[1]:
            values.append(cells[0])
        else:
            values[-1] += cells[0]
    return values
