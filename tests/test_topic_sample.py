"""Large waves: topics fitted on a seeded sample of texts, every other text assigned."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pipeline import schema as s
from pipeline.embeddings import make_embedder
from pipeline.topic_sample import sample_rows
from pipeline.topics import OUTLIER_TOPIC, discover_topics


@pytest.fixture(scope="module")
def sampled(topic_segments):
    raw, segments = topic_segments
    embedder = make_embedder("static")
    options = {"min_topic_size": 8, "sample_above": 60, "sample_size": 80}
    first = discover_topics(segments, s.empty(s.CODINGS), embedder, **options)
    second = discover_topics(segments, s.empty(s.CODINGS), embedder, **options)
    return raw, segments, first, second


def test_sample_is_seeded_sorted_and_without_repeats():
    rows = sample_rows(1000, 150, seed=42)
    assert len(rows) == len(set(rows)) == 150 and (np.diff(rows) > 0).all()
    assert rows.min() >= 0 and rows.max() < 1000
    assert np.array_equal(rows, sample_rows(1000, 150, seed=42))
    assert not np.array_equal(rows, sample_rows(1000, 150, seed=7))
    assert np.array_equal(sample_rows(40, 150, seed=42), np.arange(40))


def test_sampling_is_recorded_and_used_only_above_the_threshold(topic_segments):
    _, segments = topic_segments
    small = discover_topics(segments, s.empty(s.CODINGS), make_embedder("tfidf"),
                            min_topic_size=8)
    assert small.params["sample"] == {"above": 20_000, "size": 15_000, "used": False}


def test_a_sampled_fit_recovers_the_themes_and_assigns_every_segment(sampled):
    raw, segments, result, _ = sampled
    assert result.skipped_reason is None
    assert result.params["sample"] == {"above": 60, "size": 80, "used": True}
    assert len(result.segment_topics) == len(segments)
    assert result.segment_topics[s.TOPIC_ID].notna().all()
    joined = result.segment_topics.merge(raw[[s.SEGMENT_ID, "theme"]], on=s.SEGMENT_ID)
    majority = joined.groupby("theme")[s.TOPIC_ID].agg(lambda t: t.mode().iloc[0])
    assert majority.nunique() == 4 and (majority != OUTLIER_TOPIC).all()
    purity = joined.groupby("theme")[s.TOPIC_ID].agg(lambda t: (t == t.mode().iloc[0]).mean())
    assert (purity >= 0.6).all(), purity.to_dict()


def test_words_and_sizes_describe_every_segment_not_only_the_sample(sampled):
    raw, segments, result, _ = sampled
    assert result.topics[s.SIZE].sum() == len(segments)
    joined = result.segment_topics.merge(raw[[s.SEGMENT_ID, "theme"]], on=s.SEGMENT_ID)
    housing = joined[joined["theme"] == "housing"][s.TOPIC_ID].mode().iloc[0]
    words = result.topics.set_index(s.TOPIC_ID).loc[housing, s.WORDS]
    assert {"housing", "rehab", "hostel"} & set(words), words


def test_a_sampled_fit_is_deterministic(sampled):
    first, second = sampled[2], sampled[3]
    pd.testing.assert_frame_equal(first.topics, second.topics)
    pd.testing.assert_frame_equal(first.segment_topics, second.segment_topics)
