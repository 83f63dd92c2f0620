"""run.json's transcript accounting: every character placed, the interviewer with evidence."""

from __future__ import annotations

import shutil

from pipeline import schema as s
from pipeline.export.provenance import row_accounting, transcript_accounting
from pipeline.ingest import ingest_wave
from pipeline.segment import segment_documents


def test_every_transcript_adds_up_to_its_length(tmp_path, data_dir):
    folder = tmp_path / "wave"
    shutil.copytree(data_dir / "transcripts", folder)
    ingested = ingest_wave(folder)
    segments = segment_documents(ingested.documents)
    report = transcript_accounting(ingested.documents, segments, ingested.speaker_labels)
    assert set(report) == set(ingested.documents[s.DOCUMENT_ID])
    lengths = ingested.documents.set_index(s.DOCUMENT_ID)[s.TEXT].str.len()
    for document_id, found in report.items():
        chars = found["chars"]
        assert chars["dropped"] == 0
        assert (chars["respondent"] + chars["interviewer"] + chars["other"] + chars["labels"]
                + chars["layout"]) == chars["length"] == lengths[document_id]
        assert 0 < found["in_segments"] <= chars["length"]
    think_aloud = report["think-aloud.odt#think-aloud#interview"]
    assert think_aloud["form"] == "interviewer-only"
    assert think_aloud["interviewer"] == ["MODERATOR"]
    assert think_aloud["evidence"]["how"] == "label names the role"
    teams = report["teams.vtt#teams#interview"]
    assert teams["interviewer"] == ["Helen Ward"]
    assert teams["evidence"]["questions_asked"] == {"Helen Ward": 2, "Sam Okafor": 0}


def test_row_accounting_counts_roles_and_fillers(tmp_path, data_dir):
    folder = tmp_path / "wave"
    folder.mkdir()
    shutil.copy(data_dir / "transcripts" / "think-aloud.txt", folder)
    ingested = ingest_wave(folder)
    segments = segment_documents(ingested.documents)
    acc = row_accounting(ingested.items_in, ingested.documents, ingested.rejected, segments,
                         s.empty(s.CODINGS))
    assert acc["segments_by_role"] == {"interviewer": 5, "other": 1, "respondent": 10}
    assert acc["segments_filler"] == 3
