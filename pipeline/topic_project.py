"""A project's waves for topics: which came earlier, their published segments, the topic stage.

:func:`project_topics` is what the flow calls: it finds the project's earlier waves (from the
kept model's registry, else from the run records under the output root), reads their segments
from their published outputs (never ingesting them again) and runs
:func:`pipeline.continuity.wave_topics`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

import pandas as pd

from pipeline import schema as s
from pipeline.continuity import wave_topics
from pipeline.embeddings import Embedder, MiniLMEmbedder
from pipeline.errors import ConfigError
from pipeline.topics import TopicResult

MINILM_NAME = MiniLMEmbedder.name


def earlier_segments(out_root: Path, waves: Sequence[str]) -> dict[str, pd.DataFrame]:
    """The published segments of ``waves`` under ``out_root`` (those with outputs), by wave."""
    from pipeline.outputs import read_wave

    return {wave: read_wave(Path(out_root) / wave).segments for wave in waves
            if (Path(out_root) / wave / "segments.parquet").exists()}


def published_waves(out_root: Path, project: str, *, but: str) -> list[str]:
    """Waves of ``project`` already published under ``out_root`` (by run.json), in id order.

    Used when the project has no kept model yet (a first fit, or the model was deleted), so a
    small wave is still pooled with the project's earlier waves.
    """
    from pipeline.outputs import read_run_record
    from pipeline.topic_store import project_of

    found = []
    for folder in sorted(p for p in Path(out_root).glob("*/run.json")):
        record = read_run_record(folder.parent)
        if record is None or record.wave == but:
            continue
        declared = record.topics.get("project") or record.parameters.get("project")
        try:
            if project_of(record.wave, declared) == project:
                found.append(record.wave)
        except ConfigError:
            continue
    return sorted(found)


def project_topics(segments: pd.DataFrame, codings: pd.DataFrame, embedder: Embedder, *,
                   out_root: Path, store: Path, project: str, **options: Any) -> TopicResult:
    """:func:`wave_topics` with the earlier waves of the project read from their outputs.

    Waves the kept model's registry lists, other than this one, are read from
    ``out_root/<wave>/`` (:func:`pipeline.outputs.read_wave`), never ingested again. An
    embedder whose vectors are only comparable within one call (``tfidf``) cannot keep topics
    across waves, nor does ``static`` yet (the kept models are MiniLM's): the wave is fitted on
    its own, as :func:`pipeline.topics.discover_topics`, which fits a large wave on a sample
    (``sample_above``) and words and merges its topics (``min_word_share``,
    ``merge_distance``); MiniLM's kept model ignores the three.
    """
    from pipeline.topic_store import read_registry
    from pipeline.topics import discover_topics

    if embedder.name != MINILM_NAME:
        keep = {k: options[k] for k in ("min_topic_size", "progress", "sample_above",
                                        "min_word_share", "merge_distance") if k in options}
        found = discover_topics(segments, codings, embedder, **keep)
        found.params["summary"] = f"topics fitted on this wave alone (the {embedder.name} " \
                                  "embedding does not keep topics across waves)"
        return found
    for fitted_alone in ("sample_above", "min_word_share", "merge_distance"):
        options.pop(fitted_alone, None)
    registry = read_registry(store)
    wave = str(segments[s.WAVE].iloc[0])
    waves = registry.earlier_waves(wave) if registry is not None else \
        published_waves(out_root, project, but=wave)
    return wave_topics(segments, codings, embedder, store=store, project=project,
                       earlier=earlier_segments(out_root, waves), **options)
