"""Which published waves belong to a project when it has no kept topic model yet."""

from __future__ import annotations

import json

from pipeline.topic_project import earlier_segments, published_waves


def _published(root, wave, **record):
    folder = root / wave
    folder.mkdir(parents=True)
    (folder / "run.json").write_text(json.dumps({"wave": wave, **record}), encoding="utf-8")


def test_published_waves_of_a_project_in_id_order(tmp_path):
    _published(tmp_path, "sector-survey-2014")
    _published(tmp_path, "sector-survey-2013")
    _published(tmp_path, "renamed", topics={"project": "sector-survey"})
    _published(tmp_path, "staff-2014")
    _published(tmp_path, "sector-survey-2015")
    (tmp_path / "topic-models").mkdir()
    assert published_waves(tmp_path, "sector-survey", but="sector-survey-2015") == [
        "renamed", "sector-survey-2013", "sector-survey-2014"]
    assert published_waves(tmp_path, "staff", but="x") == ["staff-2014"]
    # a wave with no segments.parquet (a run stopped before publishing) is not pooled
    assert earlier_segments(tmp_path, ["sector-survey-2013"]) == {}
