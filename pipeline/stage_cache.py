"""Cached stage results and the run fingerprint, inside the wave's own outputs folder.

A stage's result is kept under ``<out>/<wave>/.cache/<stage>/<key>/`` as parquet tables plus a
JSON file (no pickle), where ``key`` (:func:`pipeline.fingerprint.stage_key`) hashes everything
the stage depends on. The next run with the same key reads it back instead of recomputing; any
other key recomputes and replaces it. The cache holds respondents' words, so it stays in the
wave's folder, where the outputs already hold them: publishing carries it across, ``wavecoder
wipe`` deletes it with the folder, and nothing of it reaches Prefect's database or storage.

``fingerprint.json`` beside it records what the last complete run depended on
(:func:`pipeline.fingerprint.run_fingerprint`) and the ``run.json`` it published;
:func:`unchanged_outputs` compares it with the present before any flow starts.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from pipeline.fingerprint import (
    coder_files,
    file_hash,
    folder_hashes,
    run_fingerprint,
    stage_key,
    wave_id_of,
    written_elsewhere,
)

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from pipeline.coding.stream import SegmentedAndCoded
    from pipeline.config import Codebook
    from pipeline.export import Published
    from pipeline.ingest import IngestResult
    from pipeline.parameters import WaveRun
    from pipeline.quality.choose import ResolvedCoder

CACHE_DIR = ".cache"  # hidden: never read as an output, carried across by publish
FINGERPRINT_FILE = "fingerprint.json"
META_FILE = "result.json"
NULLS = "null_kinds"  # in META_FILE: which missing value each text column held
INGEST = "ingest"  # ingest and redaction: what is cached holds only redacted texts
SEGMENT_AND_CODE = "segment_and_code"


@dataclass(frozen=True)
class StageKeys:
    """The cache keys of a run's stages, each built on the key of the stage it reads."""

    run: WaveRun
    ingest: str  # the wave folder's files, the wave id, redaction

    @classmethod
    def of(cls, run: WaveRun) -> StageKeys:
        """The keys known before anything runs."""
        return cls(run, stage_key(INGEST, None, inputs=folder_hashes(Path(run.wave_folder)),
                                  wave_id=run.wave_id, redact=run.redact))

    def code(self, codebook: Codebook, chosen: ResolvedCoder) -> str:
        """Segment-and-code's key: the ingest key, the codebook, the coder and its files."""
        return stage_key(SEGMENT_AND_CODE, self.ingest, codebook=codebook.sha256,
                         coder=chosen.info(), coder_files=coder_files(self.run),
                         code_interviewer=self.run.code_interviewer)


@dataclass
class StageCache:
    """The cached stage results of one wave; ``reuse=False`` recomputes (and re-caches) all.

    ``used`` says, per stage looked up, its key and whether the result was reused; a run
    records it in ``run.json`` (``cache``).
    """

    out_dir: Path
    reuse: bool = True
    used: dict[str, dict[str, Any]] = field(default_factory=dict)
    pending: dict[str, tuple[str, Any]] = field(default_factory=dict)

    @property
    def root(self) -> Path:
        """The cache folder, ``<out>/<wave>/.cache``."""
        return Path(self.out_dir) / CACHE_DIR

    def get(self, stage: str, key: str) -> Any | None:
        """The cached result of ``stage`` under ``key``, decoded; None when there is none."""
        found = self._read(stage, key) if self.reuse else None
        self.used[stage] = {"key": key, "reused": found is not None}
        return found

    def put(self, stage: str, key: str, result: Any) -> None:
        """Keep ``result`` as ``stage``'s result under ``key`` once the run has published.

        Nothing is written before (:meth:`published`): a run that fails leaves no folder.
        """
        self.pending[stage] = (key, result)

    def published(self, run: WaveRun, fingerprint: dict[str, str],
                  published: Published | None = None, *,
                  progress: Callable[[str], None] | None = None) -> None:
        """After a publish: write the results put, then the run's fingerprint.

        ``fingerprint``: :func:`pipeline.fingerprint.run_fingerprint` as computed when the run
        started (a file changed during the run then differs next time). ``published``: what
        the publish wrote; a result's table that is the very frame one of its parquet files was
        written from, and reads back from it unchanged, is copied from that file instead of
        written again. ``progress`` is told a line per stage written, with its seconds.
        """
        import time

        from pipeline.memory import release_free_memory  # Arrow: only once a run has published

        release_free_memory()  # what publishing freed: the tables are written a slice at a time
        for stage, (key, result) in self.pending.items():
            started = time.perf_counter()
            self.write(stage, key, result, published)
            if progress is not None:
                progress(f"stage cache: {stage} kept for the next run, "
                         f"{time.perf_counter() - started:.1f} s")
        self.pending.clear()
        record_fingerprint(run, self.out_dir, fingerprint)

    def write(self, stage: str, key: str, result: Any, published: Published | None = None
              ) -> None:
        """Write one stage's result, replacing older keys'.

        A table publish wrote from the same frame is copied from ``published``'s file when it
        reads back as the frame (:func:`same_when_read`). The cache only saves time: when it
        cannot be written (the folder moved by a concurrent publish, a full disk) the run goes
        on without it.
        """
        tables, meta = _CODECS[stage][0](result)
        folder = self.root / stage
        staging = folder / f".writing-{uuid.uuid4().hex}"
        try:
            staging.mkdir(parents=True)
            for name, frame in tables.items():
                if not _copied(published, name, frame, staging / f"{name}.parquet"):
                    write_by_row_group(frame, staging / f"{name}.parquet")
            meta = {**meta, NULLS: {name: _null_kinds(frame) for name, frame in tables.items()}}
            (staging / META_FILE).write_text(json.dumps(meta, default=str), encoding="utf-8")
            for older in folder.iterdir():  # one result per stage: the latest key
                if older != staging:
                    shutil.rmtree(older, ignore_errors=True)
            os.replace(staging, folder / key)
        except OSError:
            shutil.rmtree(staging, ignore_errors=True)

    def _read(self, stage: str, key: str) -> Any | None:
        import pandas as pd

        folder = self.root / stage / key
        if not (folder / META_FILE).is_file():
            return None
        try:
            meta = json.loads((folder / META_FILE).read_text(encoding="utf-8"))
            tables = {p.stem: _with_nulls(pd.read_parquet(p), meta[NULLS][p.stem])
                      for p in folder.glob("*.parquet")}
            return _CODECS[stage][1](tables, meta)
        except (OSError, ValueError, KeyError):  # damaged or from another layout: recompute
            return None


def _copied(published: Published | None, name: str, frame: pd.DataFrame, to: Path) -> bool:
    """Copy the parquet file publish wrote from ``frame`` itself to ``to``; whether it did.

    Only a file that reads back as ``frame`` and is still the one publish wrote, before and
    after the copy (a review import may have replaced the wave's folder since), is copied: a
    million answers' four tables took 12 s to convert and write again.
    """
    from pipeline.export.publish import file_state

    source = published.sources.get(name) if published is not None else None
    path = published.written.get(name) if published is not None else None
    if source is None or source[0] is not frame or path is None or path.suffix != ".parquet":
        return False
    try:
        if file_state(path) != source[1] or not same_when_read(frame, path):
            return False
        shutil.copyfile(path, to)
        if file_state(path) == source[1]:
            return True
    except OSError:
        pass
    to.unlink(missing_ok=True)
    return False


def same_when_read(frame: pd.DataFrame, path: Path) -> bool:
    """Whether ``pd.read_parquet(path)`` gives ``frame``'s columns, dtypes, index and length.

    Read from the file's schema alone. A published table was written conformed to its schema
    (:func:`pipeline.export.files.write_parquet`), so its values are the frame's once its
    columns and dtypes are; the missing values' kind is put back as for a written table.
    """
    import pandas as pd
    import pyarrow.parquet as pq

    try:
        rows = pq.read_metadata(path).num_rows
        empty = pq.read_schema(path).empty_table().to_pandas()
    except (OSError, ValueError):
        return False
    return (rows == len(frame) and list(empty.columns) == list(frame.columns)
            and frame.index.equals(pd.RangeIndex(len(frame)))
            and all(empty[column].dtype == frame[column].dtype for column in frame.columns))


def record_fingerprint(run: WaveRun, out_dir: Path, before: dict[str, str]) -> None:
    """Record what the run that just published ``out_dir`` depended on.

    ``before``: the run's fingerprint when it started; what the run wrote elsewhere (the kept
    topic model, candidate codes) is taken now, as the next run will find it.
    """
    from pipeline.fingerprint import digest
    from pipeline.outputs import RUN_FILE

    done = dict(before, written_elsewhere=digest(written_elsewhere(run, Path(out_dir).name)))
    path = Path(out_dir) / CACHE_DIR / FINGERPRINT_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"fingerprint": done,
                                "run_json": file_hash(Path(out_dir) / RUN_FILE)},
                               indent=2, sort_keys=True), encoding="utf-8")


def unchanged_outputs(run: WaveRun) -> Path | None:
    """The wave's outputs folder when its last run depended on exactly what this one would.

    Same input files, codebook, coder files, parameters, code and package versions, the same
    kept topic model, and ``run.json`` and the database still as that run left them. None
    otherwise: the run must go ahead.
    """
    from pipeline.errors import WavecoderError
    from pipeline.outputs import RUN_FILE, database_of

    try:  # anything unreadable here is for the run's own checks to report
        out_dir = Path(run.out) / wave_id_of(run)
        path = out_dir / CACHE_DIR / FINGERPRINT_FILE
        if not path.is_file() or not database_of(out_dir).is_file():
            return None
        recorded = json.loads(path.read_text(encoding="utf-8"))
        if recorded.get("run_json") != file_hash(out_dir / RUN_FILE):
            return None  # republished since (a review import, a sign-off) or removed
        current = run_fingerprint(run, out_dir.name)
    except (WavecoderError, OSError, ValueError, AttributeError):
        return None
    return out_dir if recorded.get("fingerprint") == current else None


CACHE_ROW_GROUP_ROWS = 65_536  # rows converted to Arrow at a time when a result is written


def write_by_row_group(frame: pd.DataFrame, path: Path, *,
                       rows: int = CACHE_ROW_GROUP_ROWS) -> None:
    """Write ``frame`` to ``path`` as ``frame.to_parquet(path)`` would, ``rows`` at a time.

    ``pd.read_parquet`` gives back the same frame either way, but a single ``to_parquet``
    holds an Arrow copy of every column at once: written last in a run, a million-answer
    wave's cached tables were its peak memory. Here the schema is inferred a column at a time
    and only ``rows`` rows are Arrow at once. A frame without a default index (0 to n - 1) is
    written in one piece, as its index must be stored with it.
    """
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    if len(frame) <= rows or not frame.index.equals(pd.RangeIndex(len(frame))):
        frame.to_parquet(path)
        return
    # the whole frame's schema: its pandas metadata reads back the frame's index and dtypes
    schema = _schema_of(frame, rows)
    with pq.ParquetWriter(path, schema) as writer:
        for start in range(0, len(frame), rows):
            writer.write_table(pa.Table.from_pandas(frame.iloc[start:start + rows],
                                                    schema=schema, preserve_index=False))


def _schema_of(frame: pd.DataFrame, rows: int) -> pa.Schema:
    """``pa.Schema.from_pandas(frame)``, each text column's type found ``rows`` at a time.

    pyarrow finds an object column's type by converting the whole column to Arrow: for a
    million answers' documents that held 0.6 GB at once, the run's peak. When every block of a
    column gives one type (or none: all missing), a one-row stand-in of the frame gives the
    same schema. A column mixing types, or whose first value alone gives another type than its
    blocks (a decimal's precision, a record's fields), is left to pyarrow's own inference over
    all of it.
    """
    import pandas as pd
    import pyarrow as pa

    if not frame.columns.is_unique:
        return pa.Schema.from_pandas(frame)
    stand_in, found = {}, {}
    for name in frame.columns:
        column = frame[name]
        if column.dtype != object:
            stand_in[name] = column.iloc[:1].reset_index(drop=True)
            continue
        types = {pa.array(column.iloc[start:start + rows], from_pandas=True).type
                 for start in range(0, len(column), rows)} - {pa.null()}
        if len(types) > 1:
            return pa.Schema.from_pandas(frame)
        found[name] = types.pop() if types else pa.null()
        first = column.first_valid_index()
        stand_in[name] = pd.Series([None if first is None else column.at[first]], dtype=object)
    schema = pa.Schema.from_pandas(pd.DataFrame(stand_in))
    if any(schema.field(name).type != type_ for name, type_ in found.items()):
        return pa.Schema.from_pandas(frame)
    pandas_meta = json.loads(schema.metadata[b"pandas"])
    for index in pandas_meta["index_columns"]:  # the stand-in's one row: the frame's length
        if isinstance(index, dict) and index.get("kind") == "range":
            index["stop"] = index["start"] + len(frame) * index["step"]
    return schema.with_metadata({**schema.metadata,
                                 b"pandas": json.dumps(pandas_meta).encode("utf-8")})


# Parquet reads every missing value of a text column back as None; a stage may have held
# pandas' NA there (which compares differently), so the kind is recorded and put back.
def _null_kinds(frame: pd.DataFrame) -> dict[str, str]:
    """Per object column whose missing values are all pandas' NA or all NaN: which."""
    import pandas as pd

    kinds = {}
    # Column by column: select_dtypes copied every text column of a wave's codings at once.
    for column in [c for c, dtype in frame.dtypes.items()
                   if pd.api.types.is_object_dtype(dtype)]:
        missing = frame[column][frame[column].isna()]
        if len(missing) and all(value is pd.NA for value in missing):
            kinds[str(column)] = "NA"
        elif len(missing) and all(isinstance(value, float) for value in missing):
            kinds[str(column)] = "nan"
    return kinds


def _with_nulls(frame: pd.DataFrame, kinds: dict[str, str]) -> pd.DataFrame:
    import pandas as pd

    for column, kind in kinds.items():
        missing = pd.NA if kind == "NA" else float("nan")
        frame[column] = frame[column].where(frame[column].notna(), missing)
    return frame


# How each stage's result becomes tables and JSON, and back.


def _ingest_parts(result: IngestResult) -> tuple[dict[str, pd.DataFrame], dict[str, Any]]:
    return ({"documents": result.documents, "rejected": result.rejected},
            {"manifest": result.manifest.model_dump(mode="json"), "items_in": result.items_in,
             "inputs": [p.as_posix() for p in result.inputs], "notes": result.notes,
             "inferred": result.inferred})


def _ingest_result(tables: dict[str, pd.DataFrame], meta: dict[str, Any]) -> IngestResult:
    from pipeline.config import WaveManifest
    from pipeline.ingest import IngestResult

    return IngestResult(manifest=WaveManifest.model_validate(meta["manifest"]),
                        documents=tables["documents"], rejected=tables["rejected"],
                        items_in=int(meta["items_in"]), inputs=[Path(p) for p in meta["inputs"]],
                        notes=list(meta["notes"]), inferred=bool(meta["inferred"]))


def _coded_parts(result: SegmentedAndCoded) -> tuple[dict[str, pd.DataFrame], dict[str, Any]]:
    return {"segments": result.segments, "codings": result.codings}, {}


def _coded_result(tables: dict[str, pd.DataFrame], meta: dict[str, Any]) -> SegmentedAndCoded:
    from pipeline.coding.stream import SegmentedAndCoded

    # No stage times: nothing was segmented or coded (the run times reading the cache).
    return SegmentedAndCoded(segments=tables["segments"], codings=tables["codings"])


_CODECS: dict[str, tuple[Callable[[Any], tuple[dict[str, Any], dict[str, Any]]],
                         Callable[[dict[str, Any], dict[str, Any]], Any]]] = {
    INGEST: (_ingest_parts, _ingest_result),
    SEGMENT_AND_CODE: (_coded_parts, _coded_result),
}
