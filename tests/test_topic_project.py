"""Which published waves belong to a project, and a wave whose topics are fitted alone."""

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


def test_a_wave_fitted_alone_is_worded_and_merged_as_the_run_asks(tmp_path, topic_segments):
    from pipeline import schema as s
    from pipeline.embeddings import make_embedder
    from pipeline.topic_project import project_topics

    _, segments = topic_segments
    options = {"out_root": tmp_path, "store": tmp_path / "models", "project": "p",
               "min_topic_size": 8, "sample_above": 20_000}
    unmerged = project_topics(segments, s.empty(s.CODINGS), make_embedder("static"),
                              min_word_share=0.3, merge_distance=0.0, **options)
    assert unmerged.params["min_word_share"] == 0.3
    assert unmerged.params["merge_distance"] == 0.0
    assert unmerged.params["merged"]["kept"] == unmerged.params["merged"]["found"]
    default = project_topics(segments, s.empty(s.CODINGS), make_embedder("static"), **options)
    assert default.params["min_word_share"] == 0.1 and default.params["merge_distance"] == 0.6
    assert not (tmp_path / "models").exists()  # static topics are not kept across waves
