"""Drafting candidate codes from uncovered topics: one candidate per theme, with its patterns."""

from __future__ import annotations

import pandas as pd

from pipeline import schema as s
from pipeline.codebooks.candidates import draft_candidates
from pipeline.config import Codebook

BOOK = Codebook.model_validate({"id": "team", "version": "1.0", "codes": [
    {"id": "housing", "label": "Housing", "definition": "Accommodation.",
     "patterns": ["housing"]}]})

# Topic 7 and topic 9 are one theme split by the clustering, with different leading words;
# topic 4 is another theme, sharing only a word that codes little of either.
TEXTS = {
    7: ["Kits of naloxone are handed out at the hostel.",
        "Staff carry naloxone kits on every shift.",
        "We trained families to use naloxone kits.",
        "More naloxone kits went out this year."],
    9: ["Last month naloxone reversed two overdoses.",
        "Peers gave naloxone during an overdose.",
        "An overdose was stopped with naloxone at the hostel."],
    4: ["Staff turnover is high and recruitment is slow.",
        "We lost three nurses to turnover.",
        "Keyworker turnover doubled this year."],
}
WORDS = {7: ["naloxone", "kit", "staff"], 9: ["overdose", "peer", "naloxone"],
         4: ["turnover", "staff", "recruitment"]}


def _segment_tables(rows, wave):
    """Segments and their topics from (segment id, topic, text) rows."""
    segments = s.conform(pd.DataFrame({
        s.SEGMENT_ID: [r[0] for r in rows], s.DOCUMENT_ID: [r[0] for r in rows], s.WAVE: wave,
        s.START: 0, s.END: [len(r[2]) for r in rows], s.TEXT: [r[2] for r in rows],
        s.SPEAKER: None, s.CONTEXT: None}), s.SEGMENTS)
    segment_topics = s.conform(pd.DataFrame({
        s.SEGMENT_ID: [r[0] for r in rows], s.WAVE: wave, s.TOPIC_ID: [r[1] for r in rows],
        s.PROBABILITY: 1.0}), s.SEGMENT_TOPICS)
    return segments, segment_topics


def _tables():
    segments, segment_topics = _segment_tables(
        [(f"t{topic}-{i}", topic, text) for topic, texts in TEXTS.items()
         for i, text in enumerate(texts)], "w3")
    topics = s.conform(pd.DataFrame({
        s.WAVE: "w3", s.TOPIC_ID: list(TEXTS), s.SIZE: [len(t) for t in TEXTS.values()],
        s.WORDS: [WORDS[t] for t in TEXTS],
        s.REPRESENTATIVE_SEGMENTS: [[f"t{t}-0", f"t{t}-1"] for t in TEXTS],
        s.REPRESENTATIVE_TEXTS: [TEXTS[t][:2] for t in TEXTS], s.COVERAGE: 0.0,
        s.TOP_CODE: None, s.UNCOVERED: True, s.FIRST_WAVE: "w3", s.NEW_IN_WAVE: True}),
        s.TOPICS)
    return topics, segment_topics, segments


def test_topics_one_word_codes_together_make_one_candidate():
    topics, segment_topics, segments = _tables()
    drafted = draft_candidates(topics, segment_topics, segments, BOOK)
    assert [c.topic_ids for c in drafted] == [[7, 9], [4]]  # largest first; "staff" joins nothing
    naloxone = drafted[0]
    assert naloxone.new_in_wave and naloxone.topic_id == 7 and naloxone.topic_segments == 7
    assert naloxone.words == ["naloxone", "kit", "staff", "overdose", "peer"]
    # "naloxone" codes all seven segments of the theme and nothing else: first pattern
    assert naloxone.patterns[0].phrase == "naloxone" and naloxone.patterns[0].attr == "LEMMA"
    assert naloxone.would_code == naloxone.would_code_in_topic == 7
    assert "topics 7, 9 of wave w3" in naloxone.definition
    assert [e.segment_id for e in naloxone.exemplars] == ["t7-0", "t7-1", "t9-0"]
    turnover = drafted[1]
    assert turnover.patterns[0].phrase == "turnover"
    assert "topic 4 of wave w3" in turnover.definition


def test_a_split_theme_alone_would_lose_its_pattern_to_the_precision_bar():
    # Why themes are merged: drafted from topic 9 alone, "naloxone" codes 7 segments of which
    # only 3 are in the topic, below the 0.5 precision bar, so the candidate lacks it.
    topics, segment_topics, segments = _tables()
    alone = topics[topics[s.TOPIC_ID] != 7]
    drafted = draft_candidates(alone, segment_topics, segments, BOOK)
    assert drafted[0].topic_ids == [4] and drafted[1].topic_ids == [9]
    assert "naloxone" not in [p.phrase for p in drafted[1].patterns]


def test_topics_sharing_their_leading_word_make_one_candidate():
    topics, segment_topics, segments = _tables()
    topics[s.WORDS] = [["naloxone", "kit"], ["naloxone", "overdose"], ["turnover", "staff"]]
    segments = segments[segments[s.SEGMENT_ID] != "t9-0"]  # "naloxone" no longer codes 3 of 9
    drafted = draft_candidates(topics, segment_topics, segments, BOOK)
    assert [c.topic_ids for c in drafted] == [[7, 9], [4]]


def test_a_word_two_themes_happen_to_share_does_not_join_them():
    # "high" codes all of the legal-highs topic but only 3 of the 8 segments on pay: two themes
    pay = [f"Pay in the sector is low and turnover is high in team {i}." for i in range(3)] + [
        f"Salaries for keyworkers fell again in area {i}." for i in range(5)]
    highs = [f"Legal highs are sold in the shop on street {i}." for i in range(3)]
    segments, segment_topics = _segment_tables(
        [(f"p{i}", 1, t) for i, t in enumerate(pay)]
        + [(f"h{i}", 2, t) for i, t in enumerate(highs)], "w")
    topics = s.conform(pd.DataFrame({
        s.WAVE: "w", s.TOPIC_ID: [1, 2], s.SIZE: [8, 3],
        s.WORDS: [["salary", "pay", "high"], ["legal", "shop", "high"]],
        s.REPRESENTATIVE_SEGMENTS: [["p0"], ["h0"]], s.REPRESENTATIVE_TEXTS: [[pay[0]], [highs[0]]],
        s.COVERAGE: 0.0, s.TOP_CODE: None, s.UNCOVERED: True, s.FIRST_WAVE: "w",
        s.NEW_IN_WAVE: False}), s.TOPICS)
    drafted = draft_candidates(topics, segment_topics, segments, BOOK)
    assert [c.topic_ids for c in drafted] == [[1], [2]]
