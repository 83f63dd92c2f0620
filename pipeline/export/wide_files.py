"""The wide table's CSV and workbook, written in a process beside the rest of a large publish.

Both are made in Python, holding the interpreter's lock: a million answers' wide table took
about 30 s, while the machine's other core had nothing to do and the parquet files, the codings
digest and the database waited. From :data:`BESIDE_FROM_ROWS` rows a spawned process writes
them meanwhile; a smaller table is written at once (starting a process costs seconds). The
table reaches the process in slices, so no pickled copy of all of it is ever held.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from multiprocessing.connection import Connection
from pathlib import Path

import pandas as pd

from pipeline.config import Codebook
from pipeline.export.files import WIDE_CSV, WIDE_XLSX, write_csv
from pipeline.export.spreadsheet import write_xlsx
from pipeline.lifetime import end_with_parent

BESIDE_FROM_ROWS = 200_000  # rows from which a process of their own writes the files
SLICE_ROWS = 65_536  # rows sent to that process at a time


def write_wide_files(wide: pd.DataFrame, codebook: Codebook, out_dir: Path, *,
                     excel_rows: int) -> dict[str, Path]:
    """Write ``coded_wide.csv`` and ``coded_wide.xlsx`` into ``out_dir``; {output name: path}."""
    return {"coded_wide_csv": write_csv(wide, out_dir / WIDE_CSV),
            "coded_wide_xlsx": write_xlsx(wide, codebook, out_dir / WIDE_XLSX,
                                          max_rows=excel_rows)}


class WideFiles:
    """The wide files of ``out_dir`` being written, by a process of their own or at once.

    A process writes them from ``beside_from`` rows; a smaller table is written here and now.
    :meth:`wait` for them; :meth:`stop` if the publish fails. ``paths`` names them from the
    start, as the run record lists its outputs before they exist.
    """

    def __init__(self, wide: pd.DataFrame, codebook: Codebook, out_dir: Path, *,
                 excel_rows: int, beside_from: int | None = None) -> None:
        self.paths = {"coded_wide_csv": out_dir / WIDE_CSV, "coded_wide_xlsx": out_dir / WIDE_XLSX}
        self.seconds = 0.0
        self._process: multiprocessing.process.BaseProcess | None = None
        if len(wide) >= (BESIDE_FROM_ROWS if beside_from is None else beside_from):
            context = multiprocessing.get_context("spawn")  # no copy of this process's memory
            self._connection, theirs = context.Pipe()
            self._process = context.Process(
                target=_write_beside, name="wavecoder-wide-files", daemon=True,
                args=(theirs, codebook, str(out_dir), excel_rows, os.getpid()))
            try:
                self._process.start()
            except OSError:  # no process may be started here (limits, a sandbox): write here
                self._connection.close()
                self._process = None
            theirs.close()
        if self._process is None:
            started = time.perf_counter()
            write_wide_files(wide, codebook, out_dir, excel_rows=excel_rows)
            self.seconds = time.perf_counter() - started
            return
        try:
            for start in range(0, len(wide), SLICE_ROWS):
                self._connection.send(wide.iloc[start:start + SLICE_ROWS])
            self._connection.send(None)
        except BrokenPipeError:  # it ended before it had the table
            ended = self._process.exitcode
            self.stop()
            raise RuntimeError(f"writing {WIDE_CSV} and {WIDE_XLSX} failed: the process ended "
                               f"(exit {ended})") from None
        except BaseException:
            self.stop()
            raise

    def wait(self) -> None:
        """Return once both files are written; raise if the writing failed."""
        if self._process is None:
            return
        try:
            outcome, detail = self._connection.recv()
        except EOFError:
            outcome, detail = "error", f"the process ended (exit {self._process.exitcode})"
        finally:
            self._process.join()
            self._connection.close()
            self._process = None
        if outcome != "written":
            raise RuntimeError(f"writing {WIDE_CSV} and {WIDE_XLSX} failed: {detail}")
        self.seconds = float(detail)

    def stop(self) -> None:
        """End the writing process, if one is still running (the publish is given up)."""
        if self._process is not None:
            self._process.kill()
            self._process.join()
            self._connection.close()
            self._process = None


def _write_beside(connection: Connection, codebook: Codebook, out_dir: str, excel_rows: int,
                  parent: int) -> None:
    """The writing process: the table's slices, then both files; tells how it went."""
    end_with_parent(parent)
    try:
        slices = []
        while (piece := connection.recv()) is not None:
            slices.append(piece)
        wide = pd.concat(slices) if len(slices) > 1 else slices[0]
        del slices
        started = time.perf_counter()
        write_wide_files(wide, codebook, Path(out_dir), excel_rows=excel_rows)
        connection.send(("written", time.perf_counter() - started))
    except Exception as exc:  # the type and message only: no cell of the table goes back
        connection.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        connection.close()
