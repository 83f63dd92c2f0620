"""Discover: inductive topics over a wave's segments with BERTopic, and what the codebook misses.

The topic model is assembled from explicit, swappable parts (precomputed embeddings, UMAP,
HDBSCAN, a lemma vectorizer without stop words, c-TF-IDF), all seeded, so the same segments
give the same topics. Each topic is compared with the codebook codings of its segments; a topic
whose segments are mostly uncoded is flagged ``uncovered``: a candidate new code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np
import pandas as pd

from pipeline import schema as s
from pipeline.embeddings import Embedder
from pipeline.nlp import load_nlp
from pipeline.topic_sample import SAMPLE_ABOVE, SAMPLE_SIZE, fit_on_sample
from pipeline.topic_words import (
    MERGE_DISTANCE,
    MIN_WORD_LIFT,
    MIN_WORD_SHARE,
    OUTLIER_TOPIC,
    distinctive_words,
    merge_similar_topics,
    segment_words,
)

MIN_SEGMENTS = 40  # below this, clusters are noise: discovery is skipped, and says why
MAX_ANALYZE_CHARS = 100_000  # c-TF-IDF joins a topic's segments; spaCy works in slices
# Nouns ending in -ing that the lookup lemmatizer would turn into a different word
# ("housing" → "house", "commissioning" → "commission"); kept as they are.
ING_NOUNS = frozenset({
    "housing", "funding", "training", "commissioning", "meeting", "tendering", "offending",
    "wellbeing", "building", "planning", "counselling", "prescribing", "safeguarding",
    "reporting", "recruiting", "screening", "parenting", "learning", "drinking", "setting",
})
LEMMA_FIXES = {"data": "data", "media": "media", "putting": "put", "cutting": "cut"}
# BERTopic strips every character but letters, digits and spaces before counting words, which
# glues "recovery-oriented" into "recoveryoriented"; split such words before it sees them.
_JOINERS = re.compile(r"[-\u2010-\u2015/]")
_APOSTROPHES = re.compile(r"['\u2019](s\b)?")


def words_for_topics(text: str) -> str:
    """``text`` with hyphens and slashes as spaces and apostrophes removed, for c-TF-IDF."""
    return _APOSTROPHES.sub("", _JOINERS.sub(" ", text.replace("n\u2019t", " not")
                                                   .replace("n't", " not")))


@dataclass
class TopicResult:
    """Topics, segment → topic, topic × code overlap, and the parameters that made them."""

    topics: pd.DataFrame
    segment_topics: pd.DataFrame
    topic_codes: pd.DataFrame
    params: dict[str, Any] = field(default_factory=dict)
    skipped_reason: str | None = None

    def tables(self) -> dict[str, pd.DataFrame] | None:
        """The topic tables to publish by name; None when discovery was skipped."""
        if self.skipped_reason is not None:
            return None
        return {"topics": self.topics, "segment_topics": self.segment_topics,
                "topic_codes": self.topic_codes}

    def info(self) -> dict[str, Any]:
        """What run.json records of the discovery: its parameters, or why it was skipped."""
        return self.params | {"skipped_reason": self.skipped_reason}


def lemma_analyzer() -> Callable[[str], list[str]]:
    """A CountVectorizer analyzer: lower-case lemmas of words, English stop words removed."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    nlp = load_nlp()
    stop_words = set(ENGLISH_STOP_WORDS) | set(nlp.Defaults.stop_words)

    def analyze(text: str) -> list[str]:
        words: list[str] = []
        for offset in range(0, len(text), MAX_ANALYZE_CHARS):
            with nlp.select_pipes(enable=["lemmatizer"]):
                doc = nlp(text[offset:offset + MAX_ANALYZE_CHARS].lower())
            for token in doc:
                if not token.is_alpha or len(token) < 3 or token.lower_ in stop_words:
                    continue
                lemma = token.lower_ if token.lower_ in ING_NOUNS else LEMMA_FIXES.get(
                    token.lower_, token.lemma_.lower())
                if lemma not in stop_words and len(lemma) > 2:
                    words.append(lemma)
        return words

    return analyze


def build_topic_model(*, n_texts: int, min_topic_size: int, seed: int, top_n_words: int,
                      verbose: bool = False):
    """BERTopic with explicit, seeded parts; swap any part here to try another model."""
    from bertopic import BERTopic
    from bertopic.vectorizers import ClassTfidfTransformer
    from hdbscan import HDBSCAN
    from sklearn.feature_extraction.text import CountVectorizer
    from umap import UMAP

    return BERTopic(
        embedding_model=None,  # embeddings are computed by our embedder and passed in
        umap_model=UMAP(n_neighbors=min(15, n_texts - 1), n_components=5, min_dist=0.0,
                        metric="cosine", random_state=seed, low_memory=True),
        # min_samples below min_cluster_size keeps neighbouring themes from merging into one.
        hdbscan_model=HDBSCAN(min_cluster_size=min_topic_size,
                              min_samples=max(1, min_topic_size // 2), metric="euclidean",
                              cluster_selection_method="eom", prediction_data=True),
        vectorizer_model=CountVectorizer(analyzer=lemma_analyzer()),
        ctfidf_model=ClassTfidfTransformer(reduce_frequent_words=True),
        top_n_words=top_n_words,
        calculate_probabilities=False,
        verbose=verbose,
    )


def _skipped(reason: str, params: dict[str, Any]) -> TopicResult:
    return TopicResult(s.empty(s.TOPICS), s.empty(s.SEGMENT_TOPICS), s.empty(s.TOPIC_CODES),
                       params, reason)


def _flag(segments: pd.DataFrame, column: str) -> pd.Series:
    if column not in segments:
        return pd.Series(False, index=segments.index)
    return segments[column].fillna(False).astype(bool)


def topic_segments(segments: pd.DataFrame) -> pd.Series:
    """Which segments topic modelling sees: not fillers, not the interviewer's questions."""
    interviewer = segments[s.ROLE] == s.ROLE_INTERVIEWER if s.ROLE in segments \
        else pd.Series(False, index=segments.index)
    return ~_flag(segments, s.FILLER) & ~interviewer.fillna(False)


def left_out(segments: pd.DataFrame) -> dict[str, int]:
    """Segments topic modelling leaves out, by why: fillers, the interviewer's questions."""
    kept = topic_segments(segments)
    return {"filler": int(_flag(segments, s.FILLER).sum()),
            "interviewer": int((~kept & ~_flag(segments, s.FILLER)).sum())}


def discover_topics(segments: pd.DataFrame, codings: pd.DataFrame, embedder: Embedder, *,
                    min_topic_size: int = 10, seed: int = 42, uncovered_below: float = 0.3,
                    top_n_words: int = 10, n_representatives: int = 3,
                    sample_above: int = SAMPLE_ABOVE, sample_size: int = SAMPLE_SIZE,
                    min_word_share: float = MIN_WORD_SHARE,
                    merge_distance: float = MERGE_DISTANCE,
                    progress: bool = False) -> TopicResult:
    """Fit topics over ``segments`` and compare them with ``codings``.

    Identical texts are fitted once (boilerplate repeated across answers would otherwise pull
    clusters together) and every segment takes its text's topic. Fillers ("um, yeah", "thank
    you") and interviewer segments are left out: on real talk they otherwise make the largest
    topics. They keep no topic in ``segment_topics``; ``params['left_out']`` counts them.
    Above ``sample_above`` distinct texts the model is fitted on a seeded sample of
    ``sample_size`` of them and the rest assigned (:mod:`pipeline.topic_sample`);
    ``params['sample']`` records the threshold and whether it was used. Topics whose segments
    use the same words are then merged, and each topic's words are those at least
    ``min_word_share`` of its segments use, and use at least twice as often as the wave's, most
    distinctive first (:mod:`pipeline.topic_words`);
    ``params['merged']`` says how many topics the clustering found and how many are kept.

    Returns:
        A :class:`TopicResult`; when there are too few distinct segments or no topic is found,
        empty tables and ``skipped_reason`` saying why.
    """
    params = {"embedding": embedder.name, "min_topic_size": min_topic_size, "seed": seed,
              "uncovered_below": uncovered_below, "top_n_words": top_n_words,
              "min_word_share": min_word_share, "min_word_lift": MIN_WORD_LIFT,
              "merge_distance": merge_distance,
              "umap": {"n_neighbors": 15, "n_components": 5, "metric": "cosine"},
              "hdbscan": {"min_cluster_size": min_topic_size,
                          "min_samples": max(1, min_topic_size // 2)}}
    kept = topic_segments(segments)
    params["left_out"] = left_out(segments)
    segments = segments[kept]
    texts = list(dict.fromkeys(segments[s.TEXT]))
    if len(texts) < MIN_SEGMENTS:
        return _skipped(f"fewer than {MIN_SEGMENTS} distinct segments ({len(texts)})", params)
    sampled = len(texts) > sample_above
    params["sample"] = {"above": sample_above, "size": sample_size, "used": sampled}
    embeddings = embedder.embed(texts)
    model = build_topic_model(n_texts=min(len(texts), sample_size) if sampled else len(texts),
                              min_topic_size=min_topic_size, seed=seed,
                              top_n_words=top_n_words, verbose=progress)
    documents = [words_for_topics(t) for t in texts]
    try:
        if sampled:
            assigned, strength = fit_on_sample(model, documents, embeddings, size=sample_size,
                                               seed=seed)
        else:
            assigned, strength = model.fit_transform(documents, embeddings=embeddings)
    except (ValueError, TypeError) as exc:  # degenerate data: report it, let the wave go on
        return _skipped(f"topic model could not be fitted: {exc}", params)
    if all(t == OUTLIER_TOPIC for t in assigned):
        return _skipped("no topic found: every segment is an outlier", params)
    matrix, vocabulary = segment_words(documents, model.vectorizer_model.build_analyzer())
    found = len(set(assigned) - {OUTLIER_TOPIC})
    assigned = merge_similar_topics(assigned, matrix, max_distance=merge_distance)
    params["merged"] = {"found": found, "kept": len(set(assigned) - {OUTLIER_TOPIC})}
    words = distinctive_words(assigned, matrix, vocabulary, min_share=min_word_share,
                              top_n=top_n_words)
    by_text = pd.DataFrame({s.TEXT: texts, s.TOPIC_ID: np.asarray(assigned, dtype=int),
                            s.PROBABILITY: np.asarray(strength, dtype=float).round(6)})
    wave = str(segments[s.WAVE].iloc[0])
    segment_topics = segments[[s.SEGMENT_ID, s.TEXT]].merge(by_text, on=s.TEXT, how="left")
    segment_topics = s.conform(segment_topics.assign(**{s.WAVE: wave}), s.SEGMENT_TOPICS)
    topic_codes = overlap(segment_topics, codings)
    coded = set(codings[s.SEGMENT_ID])
    topics = describe_topics(model, segment_topics, segments, topic_codes, coded, embeddings,
                             texts, n_representatives, uncovered_below, assigned=assigned,
                             words=words)
    return TopicResult(topics, segment_topics, topic_codes, params, None)


def overlap(segment_topics: pd.DataFrame, codings: pd.DataFrame) -> pd.DataFrame:
    """Topic × code table: segments of the topic carrying the code, and their share."""
    coded = codings[[s.SEGMENT_ID, s.CODE_ID]].drop_duplicates()
    joined = segment_topics[[s.WAVE, s.SEGMENT_ID, s.TOPIC_ID]].merge(coded, on=s.SEGMENT_ID)
    counts = joined.groupby([s.WAVE, s.TOPIC_ID, s.CODE_ID]).size().rename(s.N_SEGMENTS)
    sizes = segment_topics.groupby(s.TOPIC_ID).size()
    table = counts.reset_index()
    table[s.SHARE] = (table[s.N_SEGMENTS] / table[s.TOPIC_ID].map(sizes)).round(4)
    table = table.sort_values([s.TOPIC_ID, s.N_SEGMENTS, s.CODE_ID],
                              ascending=[True, False, True])
    return s.conform(table, s.TOPIC_CODES)


def _representatives(topic_rows: np.ndarray, embeddings: np.ndarray, texts: list[str],
                     n: int) -> list[int]:
    # Nearest the topic's centroid, ties by text: deterministic, unlike random sampling.
    centroid = embeddings[topic_rows].mean(axis=0)
    scores = embeddings[topic_rows] @ centroid
    order = sorted(range(len(topic_rows)), key=lambda i: (-round(float(scores[i]), 6),
                                                           texts[topic_rows[i]]))
    return [int(topic_rows[i]) for i in order[:n]]


def describe_topics(model: Any, segment_topics: pd.DataFrame, segments: pd.DataFrame,
                    topic_codes: pd.DataFrame, coded_segments: set[str], embeddings: np.ndarray,
                    texts: list[str], n_representatives: int, uncovered_below: float,
                    assigned: Sequence[int] | None = None,
                    words: dict[int, list[tuple[str, float]]] | None = None) -> pd.DataFrame:
    """One row per topic: size, words, representative segments, codebook coverage.

    ``assigned`` is each text's topic (default: the model's own fit, ``model.topics_``); a
    kept model assigning a new wave passes its assignments and lends its words. ``words``, each
    topic's (word, score) pairs, replace the model's own (``model.get_topic``) when given.
    """
    first_segment = segments.drop_duplicates(s.TEXT).set_index(s.TEXT)[s.SEGMENT_ID]
    topic_of_text = np.asarray(model.topics_ if assigned is None else assigned, dtype=int)
    if len(topic_of_text) != len(texts):
        raise ValueError(f"{len(topic_of_text)} topic assignments for {len(texts)} texts")
    rows = []
    wave = str(segment_topics[s.WAVE].iloc[0])
    sizes = segment_topics.groupby(s.TOPIC_ID).size()
    for topic_id in sorted(sizes.index):
        members = segment_topics[segment_topics[s.TOPIC_ID] == topic_id]
        codes = topic_codes[topic_codes[s.TOPIC_ID] == topic_id]
        coverage = round(float(members[s.SEGMENT_ID].isin(coded_segments).mean()), 4)
        text_rows = np.flatnonzero(topic_of_text == topic_id)
        chosen = _representatives(text_rows, embeddings, texts, n_representatives)
        pairs = words.get(int(topic_id), []) if words is not None else \
            (model.get_topic(topic_id) or [])
        rows.append({
            s.WAVE: wave, s.TOPIC_ID: int(topic_id), s.SIZE: int(sizes[topic_id]),
            s.WORDS: [w for w, _ in pairs if w],
            s.REPRESENTATIVE_SEGMENTS: [str(first_segment[texts[i]]) for i in chosen],
            s.REPRESENTATIVE_TEXTS: [texts[i] for i in chosen],
            s.COVERAGE: coverage,
            s.TOP_CODE: str(codes[s.CODE_ID].iloc[0]) if len(codes) else None,
            s.UNCOVERED: bool(topic_id != OUTLIER_TOPIC and coverage < uncovered_below),
        })
    return s.conform(pd.DataFrame(rows), s.TOPICS)
