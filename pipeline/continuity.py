"""Topics that keep their ids across a project's waves: fit once, assign later waves, refit.

The first wave of a project fits a topic model (on its own, or pooled with earlier waves'
published segments when it is small) and keeps it (:mod:`pipeline.topic_store`). Each later
wave is *assigned* to the kept topics (BERTopic ``transform`` on the kept model: cosine
similarity to the topic embeddings), so a topic's id and words do not change. Segments no kept
topic is close to are clustered on their own, pooled with earlier waves' unassigned segments
when the wave is small; their topics that match no kept topic are added to the kept model with
new ids and flagged *new in this wave*. Kept topics with no segment in the wave are *vanished*.
:func:`wave_topics` with ``refit=True`` refits on every wave so far and writes a mapping from
old ids to new beside the model, so no earlier wave's labels change silently.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import pandas as pd

from pipeline import schema as s
from pipeline.embeddings import Embedder, offline
from pipeline.topic_store import KeptTopic, KeptTopics, WaveEntry, load_kept, save_kept
from pipeline.topics import (
    MIN_SEGMENTS,
    OUTLIER_TOPIC,
    TopicResult,
    _skipped,
    build_topic_model,
    describe_topics,
    left_out,
    overlap,
    topic_segments,
    words_for_topics,
)

SMALL_WAVE_SEGMENTS = 5000  # below this many topic segments a wave is pooled with earlier ones
ASSIGN_MIN_SIMILARITY = 0.6  # a segment this far from every kept topic is unassigned
SAME_TOPIC_SIMILARITY = 0.7  # topic embeddings this close are the same topic (BERTopic's merge)
NEW_TOPIC_SHARE = 0.8  # a topic is new in a wave when this share of its segments are the wave's


def _texts(segments: pd.DataFrame) -> list[str]:
    return list(dict.fromkeys(segments.loc[topic_segments(segments), s.TEXT]))


def _fit(texts: list[str], embeddings: np.ndarray, *, min_topic_size: int, seed: int,
         top_n_words: int, progress: bool) -> tuple[Any, np.ndarray]:
    offline()  # BERTopic's imports read the hub settings once
    model = build_topic_model(n_texts=len(texts), min_topic_size=min_topic_size, seed=seed,
                              top_n_words=top_n_words, verbose=progress)
    assigned, _ = model.fit_transform([words_for_topics(t) for t in texts],
                                      embeddings=embeddings)
    return model, np.asarray(assigned, dtype=int)


def assign(model: Any, texts: Sequence[str], embeddings: np.ndarray, *,
           min_similarity: float = ASSIGN_MIN_SIMILARITY) -> tuple[np.ndarray, np.ndarray]:
    """Each text's kept topic and its similarity; -1 where no topic is ``min_similarity`` close.

    ``model`` is a kept model as :func:`pipeline.topic_store.load_kept` returns it, whose
    ``transform`` compares embeddings with the topic embeddings.
    """
    if not len(texts):
        return np.zeros(0, dtype=int), np.zeros(0)
    topics, similarity = model.transform([words_for_topics(t) for t in texts],
                                         embeddings=embeddings)
    topics, similarity = np.asarray(topics, dtype=int), np.asarray(similarity, dtype=float)
    return np.where(similarity < min_similarity, OUTLIER_TOPIC, topics), similarity


def _topic_rows(model: Any) -> tuple[np.ndarray, int]:
    return np.asarray(model.topic_embeddings_, dtype=float), int(model._outliers)


def _similarity(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    a = a / np.clip(np.linalg.norm(a, axis=1, keepdims=True), 1e-12, None)
    b = b / np.clip(np.linalg.norm(b, axis=1, keepdims=True), 1e-12, None)
    return a @ b.T


def _grow(kept: Any, fresh: Any, fresh_topics: np.ndarray, new_share: dict[int, float]
          ) -> tuple[Any, dict[int, int]]:
    """``kept`` with the fresh topics that are new appended, and a map fresh topic → id.

    A fresh topic close to a kept one takes its id; one that matches none and has at least
    ``NEW_TOPIC_SHARE`` of its segments in this wave (``new_share``) gets the next free id;
    any other stays unassigned (-1), so re-runs and pooled leftovers do not grow the model.
    """
    from bertopic import BERTopic

    fresh_rows, fresh_outliers = _topic_rows(fresh)
    kept_rows, kept_outliers = _topic_rows(kept)
    sims = _similarity(fresh_rows, kept_rows)  # as BERTopic.merge_models compares them
    best, best_sim = sims.argmax(axis=1), sims.max(axis=1)
    next_id = max(int(t) for t in kept.topic_representations_) + 1
    mapping: dict[int, int] = {OUTLIER_TOPIC: OUTLIER_TOPIC}
    masked = fresh_rows.copy()
    for topic in sorted(set(int(t) for t in fresh_topics) - {OUTLIER_TOPIC}):
        row = topic + fresh_outliers
        if best_sim[row] >= SAME_TOPIC_SIMILARITY:
            mapping[topic] = int(best[row]) - kept_outliers
        elif new_share.get(topic, 0.0) >= NEW_TOPIC_SHARE:
            mapping[topic], next_id = next_id, next_id + 1
        else:  # made to match its nearest kept topic, so BERTopic's merge does not add it
            mapping[topic] = OUTLIER_TOPIC
            masked[row] = kept_rows[best[row]]
    if not any(v >= 0 and str(v) not in {str(k) for k in kept.topic_representations_}
               for v in mapping.values()):
        return kept, mapping
    fresh.topic_embeddings_ = masked
    merged = BERTopic.merge_models([kept, fresh], min_similarity=SAME_TOPIC_SIMILARITY,
                                   embedding_model=kept.embedding_model)
    return merged, mapping


def _words(model: Any, topic: int) -> list[str]:
    return [w for w, _ in (model.get_topic(topic) or []) if w]


def _pool(earlier: dict[str, pd.DataFrame], texts: list[str], wave: str
          ) -> tuple[list[str], list[str]]:
    """Distinct texts of the earlier waves then this one, and the wave each came from first."""
    pooled: dict[str, str] = {}
    for name, frame in earlier.items():
        for text in _texts(frame):
            pooled.setdefault(text, name)
    for text in texts:
        pooled.setdefault(text, wave)
    return list(pooled), list(pooled.values())


def write_mapping(path: Path, old: Any, new: Any) -> Path:
    """Write old topic id → best new topic id by topic-embedding similarity, with their words.

    ``same`` says whether they are close enough to be one topic.
    """
    old_rows, old_outliers = _topic_rows(old)
    new_rows, new_outliers = _topic_rows(new)
    sims = _similarity(old_rows, new_rows)
    with Path(path).open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["old_topic_id", "new_topic_id", "similarity", "same", "old_words",
                         "new_words"])
        for row in range(old_outliers, len(old_rows)):
            old_id, new_id = row - old_outliers, int(sims[row].argmax()) - new_outliers
            similarity = float(sims[row].max())
            writer.writerow([old_id, new_id, round(similarity, 4),
                             similarity >= SAME_TOPIC_SIMILARITY,
                             " ".join(_words(old, old_id)[:8]), " ".join(_words(new, new_id)[:8])])
    return Path(path)


def _describe(wave: str, segments: pd.DataFrame, codings: pd.DataFrame, model: Any,
              texts: list[str], embeddings: np.ndarray, assigned: np.ndarray,
              similarity: np.ndarray, first_wave: dict[int, str], new: set[int], *,
              n_representatives: int, uncovered_below: float) -> tuple[pd.DataFrame, ...]:
    """The wave's topic tables from each text's assigned topic."""
    by_text = pd.DataFrame({s.TEXT: texts, s.TOPIC_ID: assigned,
                            s.PROBABILITY: np.round(similarity, 6)})
    kept_segments = segments[topic_segments(segments)]
    segment_topics = kept_segments[[s.SEGMENT_ID, s.TEXT]].merge(by_text, on=s.TEXT, how="left")
    segment_topics = s.conform(segment_topics.assign(**{s.WAVE: wave}), s.SEGMENT_TOPICS)
    topic_codes = overlap(segment_topics, codings)
    topics = describe_topics(model, segment_topics, kept_segments, topic_codes,
                             set(codings[s.SEGMENT_ID]), embeddings, texts, n_representatives,
                             uncovered_below, assigned=list(assigned))
    topics[s.FIRST_WAVE] = topics[s.TOPIC_ID].map(lambda t: first_wave.get(int(t)))
    topics[s.NEW_IN_WAVE] = topics[s.TOPIC_ID].isin(sorted(new))
    return s.conform(topics, s.TOPICS), segment_topics, topic_codes


def _summary(info: dict[str, Any], wave: str) -> str:
    fitted = info["fitted_on"]
    where = (f"pooled waves {', '.join(fitted)}" if len(fitted) > 1 else f"wave {fitted[0]}")
    if info["mode"] == "assign":
        line = (f"topics assigned to the kept model of project {info['project']} "
                f"(fitted on {where}, version {info['model_version']})")
        if len(info["sought_new_in"]) > 1:
            line += f"; new topics sought in pooled waves {', '.join(info['sought_new_in'])}"
        return line
    return f"topics {'refitted' if info['mode'] == 'refit' else 'fitted'} on {where}"


def wave_topics(segments: pd.DataFrame, codings: pd.DataFrame, embedder: Embedder, *,  # noqa: D417
                store: Path, project: str, earlier: dict[str, pd.DataFrame] | None = None,
                refit: bool = False, small_below: int = SMALL_WAVE_SEGMENTS,
                min_topic_size: int = 10, seed: int = 42, uncovered_below: float = 0.3,
                top_n_words: int = 10, n_representatives: int = 3,
                assign_min_similarity: float = ASSIGN_MIN_SIMILARITY,
                progress: bool = False) -> TopicResult:
    """Topics of one wave with ids kept across its project's waves.

    Args:
        segments, codings: the wave's segments and codings (one wave).
        embedder: the embedder of the kept model (the same for every wave of a project).
        store: the project's kept-model folder (:func:`pipeline.topic_store.project_dir`).
        project: the project's name, recorded in the registry.
        earlier: the earlier waves' published segments by wave id (pooled when this wave has
            fewer than ``small_below`` topic segments, or when refitting).
        refit: refit on every wave so far and write the old → new id mapping.
        small_below: fewer topic segments than this make a small wave.
        assign_min_similarity: a segment less similar than this to every kept topic is
            unassigned (and may form a new topic).
        **others: as :func:`pipeline.topics.discover_topics`.

    Returns:
        A :class:`TopicResult` whose ``params`` say how the topics were made (``mode``:
        fit, assign or refit; ``fitted_on``; ``new_topics``; ``vanished_topics``; ``summary``).
    """
    earlier = dict(earlier or {})
    wave = str(segments[s.WAVE].iloc[0])
    n_topic_segments = int(topic_segments(segments).sum())
    small = n_topic_segments < small_below
    params: dict[str, Any] = {
        "embedding": embedder.name, "min_topic_size": min_topic_size, "seed": seed,
        "uncovered_below": uncovered_below, "top_n_words": top_n_words, "project": project,
        "model_dir": Path(store).as_posix(), "small_wave": small, "small_below": small_below,
        "assign_min_similarity": assign_min_similarity,
        "left_out": left_out(segments)}
    texts = _texts(segments)
    if len(texts) < MIN_SEGMENTS:
        return _skipped(f"fewer than {MIN_SEGMENTS} distinct segments ({len(texts)})", params)
    loaded = load_kept(store)
    registry = loaded[1] if loaded else None
    if registry is not None and registry.embedding != embedder.name:
        refit = True  # another embedding's vectors cannot be compared with the kept topics
    embeddings = embedder.embed(texts)
    new: set[int] = set()
    if loaded is None or refit:
        pool = earlier if (small or refit) else {}
        pooled, origin = _pool(pool, texts, wave)
        vectors = embedder.embed(pooled)
        model, fitted = _fit(pooled, vectors, min_topic_size=min_topic_size, seed=seed,
                             top_n_words=top_n_words, progress=progress)
        if all(t == OUTLIER_TOPIC for t in fitted):
            return _skipped("no topic found: every segment is an outlier", params)
        version = registry.version + 1 if registry else 1
        mode = "refit" if registry else "fit"
        mappings = list(registry.mappings) if registry else []
        if loaded is not None:
            mapping = write_mapping(Path(store) / f"mapping-v{registry.version}-to-v{version}.csv",
                                    loaded[0], model)
            mappings.append(mapping.name)
            params["mapping"] = mapping.name
        first: dict[int, str] = {}
        for topic, came_from in zip(fitted, origin, strict=True):
            first.setdefault(int(topic), came_from)
        fitted_on = list(dict.fromkeys(origin))
        new = {t for t, w in first.items() if w == wave and t != OUTLIER_TOPIC}
        registry = KeptTopics(
            project=project, embedding=embedder.name, version=version, fitted_on=fitted_on,
            topics={t: KeptTopic(first_wave=w, words=_words(model, t)[:10])
                    for t, w in sorted(first.items()) if t != OUTLIER_TOPIC},
            waves={w: e for w, e in (registry.waves.items() if registry else [])},
            mappings=mappings)
        index = {text: i for i, text in enumerate(pooled)}
        assigned = fitted[[index[t] for t in texts]]
        similarity = np.ones(len(texts))
        save_kept(store, model, registry)
        model = load_kept(store)[0]  # this wave sees exactly what later waves will load
    else:
        model, registry = loaded
        mode = "assign"
        assigned, similarity = assign(model, texts, embeddings,
                                      min_similarity=assign_min_similarity)
        # A re-run only assigns: the wave's new topics were sought (and kept) the first time,
        # so coding a wave again never grows the model.
        if wave not in registry.waves:
            pool = {name: frame for name, frame in earlier.items() if small}
            new, assigned, model = _new_topics(
                model, registry, wave, segments, texts, assigned, pool, embedder,
                min_topic_size=min_topic_size, seed=seed, top_n_words=top_n_words,
                min_similarity=assign_min_similarity)
            params["sought_new_in"] = [*pool, wave]
        new |= {t for t, k in registry.topics.items() if k.first_wave == wave}
    if registry.fitted_on and registry.fitted_on[0] == wave:
        new = set()  # the project's first wave is the baseline: nothing is new in it
    present = sorted({int(t) for t in assigned} - {OUTLIER_TOPIC})
    registry.waves[wave] = WaveEntry(mode=mode, model_version=registry.version, topics=present,
                                     new_topics=sorted(new))
    save_kept(store, model, registry)
    params.update(mode=mode, model_version=registry.version, fitted_on=registry.fitted_on,
                  pooled=len(registry.fitted_on) > 1, new_topics=sorted(new),
                  vanished_topics=sorted(set(registry.topics) - set(present)),
                  unassigned_segments=int((assigned == OUTLIER_TOPIC).sum()))
    params.setdefault("sought_new_in", [])
    params["summary"] = _summary(params, wave)
    first_wave = {t: k.first_wave for t, k in registry.topics.items()}
    tables = _describe(wave, segments, codings, model, texts, embeddings, assigned, similarity,
                       first_wave, new, n_representatives=n_representatives,
                       uncovered_below=uncovered_below)
    return TopicResult(*tables, params, None)


def _segments_per_wave(frames: dict[str, pd.DataFrame]) -> dict[str, dict[str, int]]:
    """text → {wave: segments with that text}, over the topic segments of each wave."""
    counts: dict[str, dict[str, int]] = {}
    for name, frame in frames.items():
        for text, n in frame.loc[topic_segments(frame), s.TEXT].value_counts().items():
            counts.setdefault(str(text), {})[name] = int(n)
    return counts


def _new_topics(model: Any, registry: KeptTopics, wave: str, segments: pd.DataFrame,
                texts: list[str], assigned: np.ndarray, pool: dict[str, pd.DataFrame],
                embedder: Embedder, *, min_topic_size: int, seed: int, top_n_words: int,
                min_similarity: float) -> tuple[set[int], np.ndarray, Any]:
    """Cluster the segments no kept topic holds; add their unmatched topics to the model.

    A topic is added, new in this wave, when no kept topic matches it and at least
    ``NEW_TOPIC_SHARE`` of its segments are this wave's; a cluster mostly made of earlier
    waves' unassigned segments (pooled for a small wave) is left unassigned.
    """
    mine = [t for t, a in zip(texts, assigned, strict=True) if a == OUTLIER_TOPIC]
    others: list[str] = []
    own = set(texts)
    for frame in pool.values():  # earlier waves' texts the kept model leaves unassigned too
        candidates = [t for t in _texts(frame) if t not in own]
        if candidates:
            found, _ = assign(model, candidates, embedder.embed(candidates),
                              min_similarity=min_similarity)
            others += [t for t, a in zip(candidates, found, strict=True) if a == OUTLIER_TOPIC]
    unassigned = list(dict.fromkeys(mine + others))
    if len(mine) < min_topic_size or len(unassigned) < MIN_SEGMENTS:
        return set(), assigned, model
    fresh, fresh_topics = _fit(unassigned, embedder.embed(unassigned),
                               min_topic_size=min_topic_size, seed=seed,
                               top_n_words=top_n_words, progress=False)
    per_text = _segments_per_wave({**pool, wave: segments})
    share: dict[int, float] = {}
    for topic in set(int(f) for f in fresh_topics) - {OUTLIER_TOPIC}:
        counts: dict[str, int] = {}
        for text, label in zip(unassigned, fresh_topics, strict=True):
            if label == topic:
                for name, n in per_text.get(text, {}).items():
                    counts[name] = counts.get(name, 0) + n
        share[topic] = counts.get(wave, 0) / max(1, sum(counts.values()))
    model, mapping = _grow(model, fresh, fresh_topics, share)
    topic_of = {t: mapping[int(f)] for t, f in zip(unassigned, fresh_topics, strict=True)}
    assigned = np.array([topic_of.get(t, a) if a == OUTLIER_TOPIC else a
                         for t, a in zip(texts, assigned, strict=True)], dtype=int)
    added = {v for v in mapping.values() if v not in registry.topics and v != OUTLIER_TOPIC}
    for topic in sorted(added):
        registry.topics[topic] = KeptTopic(first_wave=wave, words=_words(model, topic)[:10])
    return added, assigned, model
