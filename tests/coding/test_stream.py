"""Segment-and-code: every segment is kept; the coder sees what respondents say, not fillers,
and not the interviewer unless asked."""

from __future__ import annotations

import pickle
import weakref

import pandas as pd
import pytest

from pipeline import schema as s
from pipeline.coding.rules import RuleCoder
from pipeline.coding.stream import (
    ChunkProgress,
    GatheredChunks,
    chunk_processes,
    codable,
    code_chunk_with_stances,
    combine_chunks,
    document_chunks,
    segment_and_code,
)
from pipeline.parameters import PROCESSES_FROM_CHUNKS
from pipeline.stance import chunk_stances

TEXT = ("Interviewer: Is housing a problem for your clients?\n"
        "Respondent: Yes, housing is the gap.\n"
        "Interviewer: Okay.\n"
        "Respondent: Um, yeah.\n")


def interview():
    return s.conform(pd.DataFrame([{
        s.DOCUMENT_ID: "t1", s.WAVE: "w", s.SOURCE: "t1.txt", s.KIND: "interview",
        s.RESPONDENT_ID: "t1", s.QUESTION_ID: "interview", s.QUESTION: None, s.TEXT: TEXT,
        s.LINE: 0}]), s.DOCUMENTS)


def coded_texts(result):
    by_id = result.segments.set_index(s.SEGMENT_ID)[s.TEXT]
    return sorted(set(by_id[result.codings[s.SEGMENT_ID]]))


def test_interviewer_segments_are_kept_but_not_coded(mini_codebook):
    result = segment_and_code(interview(), RuleCoder(mini_codebook))
    assert result.segments[s.ROLE].tolist() == ["interviewer", "respondent", "interviewer",
                                                "respondent"]
    assert result.segments[s.FILLER].tolist() == [False, False, True, True]
    assert coded_texts(result) == ["Yes, housing is the gap."]


def test_code_interviewer_codes_the_questions_too(mini_codebook):
    result = segment_and_code(interview(), RuleCoder(mini_codebook), code_interviewer=True)
    assert coded_texts(result) == ["Is housing a problem for your clients?",
                                   "Yes, housing is the gap."]


def test_codable_leaves_out_fillers_whatever_the_role():
    segments = pd.DataFrame({s.ROLE: ["respondent", "interviewer", "respondent", "other"],
                             s.FILLER: [False, False, True, False]})
    assert codable(segments).tolist() == [True, False, False, True]
    assert codable(segments, code_interviewer=True).tolist() == [True, True, False, True]


def five_answers():
    return s.conform(pd.DataFrame([{
        s.DOCUMENT_ID: f"d{i}", s.WAVE: "w", s.SOURCE: "a.csv", s.KIND: "survey",
        s.RESPONDENT_ID: f"r{i}", s.QUESTION_ID: "q1", s.QUESTION: None, s.LINE: i + 2,
        s.TEXT: text} for i, text in enumerate([
            "Housing is the gap.", "No housing. Jobs are hard to find.", "Nothing to add.",
            "Housing support helped me a lot.", "Training would help."])]), s.DOCUMENTS)


def test_chunks_coded_apart_and_combined_equal_the_whole(mini_codebook):
    documents = five_answers()
    coder = RuleCoder(mini_codebook)
    whole = segment_and_code(documents, coder)
    chunks = document_chunks(documents, 2)
    assert [len(c) for c in chunks] == [2, 2, 1]
    parts = combine_chunks([segment_and_code(chunk, coder) for chunk in chunks])
    pd.testing.assert_frame_equal(parts.segments, whole.segments)
    pd.testing.assert_frame_equal(parts.codings, whole.codings)
    assert len(whole.codings) > 0 and set(parts.seconds) == {"segment", "code"}
    assert len(document_chunks(documents.iloc[:0], 2)) == 1  # one empty chunk: one task


def test_chunk_progress_counts_documents_and_segments_without_text(mini_codebook):
    documents, coder = five_answers(), RuleCoder(mini_codebook)
    chunks = document_chunks(documents, 2)
    counter = ChunkProgress(len(chunks))
    lines = [counter.add(segment_and_code(chunk, coder), len(chunk)) for chunk in chunks]
    segments = len(segment_and_code(documents, coder).segments)
    assert segments == 6  # "No housing. Jobs are hard to find." is two
    assert lines[0].startswith("segment and code: chunk 1/3, 2 documents, 3 segments, ")
    assert lines[-1].startswith(f"segment and code: chunk 3/3, 5 documents, {segments} segments, ")
    assert all(line.endswith(" documents/s") for line in lines)
    assert not any(word in " ".join(lines).lower() for word in ("housing", "jobs", "training"))


def test_codings_hold_their_segments_ids_and_segments_their_documents(mini_codebook):
    documents = five_answers()
    result = segment_and_code(documents, RuleCoder(mini_codebook), chunk_size=2)
    segment_of = {v: v for v in result.segments[s.SEGMENT_ID]}
    assert len(result.codings) > 0
    assert all(v is segment_of[v] for v in result.codings[s.SEGMENT_ID])  # one object each
    document_of = {v: v for v in documents[s.DOCUMENT_ID]}
    assert all(v is document_of[v] for v in result.segments[s.DOCUMENT_ID])
    # the same tables as each made apart, through Arrow, always gave
    again = [s.conform(part, schema) for part, schema in (
        (result.segments, s.SEGMENTS), (result.codings, s.CODINGS))]
    pd.testing.assert_frame_equal(result.segments, again[0], check_exact=True)
    pd.testing.assert_frame_equal(result.codings, again[1], check_exact=True)


def test_chunks_with_stances_combine_them_and_without_any_give_none(mini_codebook):
    documents, coder = five_answers(), RuleCoder(mini_codebook)
    parts = [segment_and_code(chunk, coder) for chunk in document_chunks(documents, 2)]
    found = [s.empty(s.STANCES).reindex(range(len(p.codings))) for p in parts]
    with_stances = [p.with_stances(f, 0.25) for p, f in zip(parts, found, strict=True)]
    joined = combine_chunks(with_stances)
    assert len(joined.stances) == len(joined.codings) > 0
    assert joined.seconds["stance"] == 0.75  # summed over the three chunks
    assert combine_chunks(with_stances[:2] + parts[2:]).stances is None


def test_a_chunk_coded_with_its_stances_equals_the_two_stages_apart(mini_codebook):
    documents, coder = five_answers(), RuleCoder(mini_codebook)
    together = code_chunk_with_stances(documents, coder, mini_codebook)
    apart = segment_and_code(documents, coder)
    pd.testing.assert_frame_equal(together.codings, apart.codings, check_exact=True)
    pd.testing.assert_frame_equal(together.stances, chunk_stances(
        apart.segments, apart.codings, mini_codebook)[0], check_exact=True)
    found = pd.concat([together.codings[[s.CODE_ID, s.EVIDENCE]],
                       together.stances[[s.STANCE, s.STANCE_EVIDENCE]]], axis=1)
    assert found.values.tolist() == [
        ["housing", "Housing", "gap", "gap"],  # Housing is the gap.
        ["housing", "housing", "gap", "No"], ["housing_gap", "No housing", "gap", "No"],
        ["housing", "Housing", None, None]]  # Housing support helped me a lot.
    assert together.seconds["stance"] > 0


def test_gathered_chunks_are_let_go_once_joined(mini_codebook):
    documents, coder = five_answers(), RuleCoder(mini_codebook)
    parts = [segment_and_code(chunk, coder) for chunk in document_chunks(documents, 2)]
    found = [s.empty(s.STANCES).reindex(range(len(p.codings))) for p in parts]
    gathered = GatheredChunks()
    for part, stances in zip(parts, found, strict=True):
        gathered.add(part.with_stances(stances, 0.5))
    held = [weakref.ref(frame) for p in parts for frame in (p.segments, p.codings)]
    held += [weakref.ref(frame) for frame in found]
    del parts, part, found, stances
    joined = gathered.joined()
    assert [ref() for ref in held] == [None] * 9  # the joined tables are the only copies
    whole = segment_and_code(documents, coder)
    pd.testing.assert_frame_equal(joined.segments, whole.segments)
    pd.testing.assert_frame_equal(joined.codings, whole.codings)
    assert len(joined.stances) == len(joined.codings) and joined.seconds["stance"] == 1.5


def test_chunks_from_other_processes_hold_the_documents_ids_once_joined(mini_codebook):
    documents, coder = five_answers(), RuleCoder(mini_codebook)
    # what a worker process hands back: its own copies of the documents' id strings
    parts = [pickle.loads(pickle.dumps(segment_and_code(chunk, coder)))
             for chunk in document_chunks(documents, 2)]
    document_of = {v: v for v in documents[s.DOCUMENT_ID]}
    apart = combine_chunks(parts).segments
    assert not any(v is document_of[v] for v in apart[s.DOCUMENT_ID])
    gathered = GatheredChunks()
    for part in parts:
        gathered.add(part)
    joined = gathered.joined(documents)
    assert all(v is document_of[v] for v in joined.segments[s.DOCUMENT_ID])
    pd.testing.assert_frame_equal(joined.segments, apart, check_exact=True)
    pd.testing.assert_frame_equal(joined.segments, segment_and_code(documents, coder).segments)


@pytest.mark.parametrize(("asked", "chunks", "expected"), [
    (1, 500, 1),  # asked for one: one, however large the wave
    (4, 3, 3),  # never more processes than chunks
    (0, PROCESSES_FROM_CHUNKS, 2),  # automatic, a large wave: one per core
    (0, PROCESSES_FROM_CHUNKS - 1, 1),  # automatic, a smaller wave: starting one costs more
    (2, 0, 1),  # no chunk still runs in one
])
def test_chunk_processes(asked, chunks, expected):
    assert chunk_processes(asked, chunks, cores=2) == expected


def test_chunk_processes_refuses_a_negative_count():
    with pytest.raises(ValueError, match="not -1"):
        chunk_processes(-1, 10)
