"""Topic words by the share of a topic's segments using them; topics with the same words merged."""

from __future__ import annotations

import math

import numpy as np
import pytest

from pipeline import schema as s
from pipeline.embeddings import make_embedder
from pipeline.topic_words import distinctive_words, merge_similar_topics, segment_words
from pipeline.topics import OUTLIER_TOPIC, discover_topics, lemma_analyzer

# Topic 0: housing in all four texts, "gap" in one, a typo in one; topic 1: funding; one outlier.
TEXTS = ["housing gap support", "housing support", "housing dessign support",
         "housing support", "funding cut support", "funding support", "support"]
TOPICS = [0, 0, 0, 0, 1, 1, -1]


def test_each_text_marks_the_words_it_uses_once():
    matrix, vocabulary = segment_words(["b a b", "c", ""], str.split)
    assert list(vocabulary) == ["a", "b", "c"]
    assert matrix.toarray().tolist() == [[1, 1, 0], [0, 0, 1], [0, 0, 0]]


def test_a_topic_word_is_used_by_enough_of_its_texts_and_more_than_elsewhere():
    matrix, vocabulary = segment_words(TEXTS, str.split)
    words = distinctive_words(TOPICS, matrix, vocabulary, min_share=0.3, min_lift=1.0)
    # housing: all 4 of topic 0's texts, 4 of the 7 texts: 1 * log(1 / (4/7))
    assert words[0] == [("housing", pytest.approx(math.log(7 / 4), abs=1e-6))]
    # "gap" and the typo are in 1 of its 4 texts (0.25 < 0.3); "support" is in every text
    assert words[1] == [("funding", pytest.approx(math.log(7 / 2), abs=1e-6)),
                        ("cut", pytest.approx(0.5 * math.log(0.5 / (1 / 7)), abs=1e-6))]
    assert words[OUTLIER_TOPIC] == []  # "support" is no likelier among the outliers
    looser = distinctive_words(TOPICS, matrix, vocabulary, min_share=0.25, min_lift=1.0)
    assert [w for w, _ in looser[0]] == ["housing", "dessign", "gap"]  # ties by word


def test_a_topic_word_is_used_at_least_twice_as_often_as_in_the_wave_by_default():
    matrix, vocabulary = segment_words(TEXTS, str.split)
    words = distinctive_words(TOPICS, matrix, vocabulary, min_share=0.3)
    assert words[0] == []  # housing: 1.75 times as often in topic 0 as in the wave
    assert [w for w, _ in words[1]] == ["funding", "cut"]  # both 3.5 times


def test_topics_using_the_same_words_become_one_numbered_by_size():
    texts = ["housing rent"] * 3 + ["housing rent hostel"] * 2 + ["funding cut"] * 4 + ["x"]
    split = [2, 2, 2, 0, 0, 1, 1, 1, 1, -1]  # housing split in two, funding one
    matrix, _ = segment_words(texts, str.split)
    merged = merge_similar_topics(split, matrix, max_distance=0.6)
    assert merged.tolist() == [0, 0, 0, 0, 0, 1, 1, 1, 1, -1]
    kept = merge_similar_topics(split, matrix, max_distance=0.05)
    assert kept.tolist() == [1, 1, 1, 2, 2, 0, 0, 0, 0, -1]  # funding largest, then 3, then 2
    assert merge_similar_topics([0, 0, -1], matrix[:3]).tolist() == [0, 0, -1]
    assert merge_similar_topics(split, matrix, max_distance=0).tolist() == kept.tolist()


def test_texts_without_words_leave_topics_unmerged_and_unworded():
    matrix, vocabulary = segment_words(["", "", "", ""], str.split)
    assert matrix.shape == (4, 0)
    assert merge_similar_topics([1, 1, 0, -1], matrix).tolist() == [0, 0, 1, -1]
    assert distinctive_words([0, 0, 1, -1], matrix, vocabulary) == {-1: [], 0: [], 1: []}
    assert merge_similar_topics([-1, -1], matrix[:2]).tolist() == [-1, -1]


@pytest.fixture(scope="module")
def themed(topic_segments):
    raw, segments = topic_segments
    result = discover_topics(segments, s.empty(s.CODINGS), make_embedder("static"),
                             min_topic_size=8)
    return raw, segments, result


def test_every_word_shown_is_used_by_a_tenth_of_its_topics_segments(themed):
    _, segments, result = themed
    analyse = lemma_analyzer()
    topic_of = result.segment_topics.set_index(s.SEGMENT_ID)[s.TOPIC_ID]
    used = {sid: set(analyse(text)) for sid, text in zip(segments[s.SEGMENT_ID],
                                                          segments[s.TEXT], strict=True)}
    for row in result.topics.itertuples(index=False):
        members = [sid for sid, t in topic_of.items() if t == getattr(row, s.TOPIC_ID)]
        for word in getattr(row, s.WORDS):
            share = np.mean([word in used[sid] for sid in members])
            assert share >= 0.1, (getattr(row, s.TOPIC_ID), word, share)


def test_the_merge_is_recorded_and_the_themes_stay_apart(themed):
    raw, _, result = themed
    merged = result.params["merged"]
    assert merged["kept"] == result.topics[s.TOPIC_ID].ne(OUTLIER_TOPIC).sum()
    assert merged["kept"] <= merged["found"]
    assert result.params["min_word_share"] == 0.1 and result.params["merge_distance"] == 0.6
    assert result.params["min_word_lift"] == 2.0
    joined = result.segment_topics.merge(raw[[s.SEGMENT_ID, "theme"]], on=s.SEGMENT_ID)
    majority = joined.groupby("theme")[s.TOPIC_ID].agg(lambda t: t.mode().iloc[0])
    assert majority.nunique() == 4 and (majority != OUTLIER_TOPIC).all()
    housing = result.topics.set_index(s.TOPIC_ID).loc[majority["housing"], s.WORDS]
    assert {"housing", "rehab", "hostel"} & set(housing), housing
