"""Topics across waves: the three sample waves coded in order against one kept topic model.

Real BERTopic fits over real MiniLM embeddings of the real sample segments, once per module:
2013 fits the model, 2014 and 2015 are assigned to it. Planted in 2015 only, take-home naloxone
must come out as a topic new in that wave, which becomes a candidate code; accepting it codes
the naloxone segments when the wave is coded again.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from pipeline import schema as s
from pipeline.codebooks.accept import accept_candidate
from pipeline.codebooks.candidates import candidates_path, read_candidates, wave_candidates
from pipeline.coding import RuleCoder
from pipeline.config import load_codebook
from pipeline.continuity import OUTLIER_TOPIC, wave_topics
from pipeline.embeddings import MiniLMEmbedder
from pipeline.ingest import ingest_wave
from pipeline.segment import segment_documents
from pipeline.topic_store import REGISTRY_FILE, load_kept, read_registry

ROOT = Path(__file__).resolve().parent.parent
WAVES = ("sector-survey-2013", "sector-survey-2014", "sector-survey-2015")
CODEBOOK = ROOT / "models" / "codebooks" / "recovery-capital.yaml"


def _naloxone(frame: pd.DataFrame) -> pd.Series:
    return frame[s.TEXT].str.contains("naloxone", case=False)


@pytest.fixture(scope="module")
def coded_in_order(tmp_path_factory):
    """Each sample wave's segments, codings and topics, coded 2013 → 2014 → 2015."""
    store = tmp_path_factory.mktemp("topic-models") / "sector-survey"
    book = load_codebook(CODEBOOK)
    coder, embedder = RuleCoder(book), MiniLMEmbedder(exact=True)
    segments, codings, results, registries = {}, {}, {}, {}
    for wave in WAVES:
        segments[wave] = segment_documents(ingest_wave(ROOT / "corpora" / wave).documents)
        codings[wave] = coder.code(segments[wave])
        earlier = {w: segments[w] for w in results}
        results[wave] = wave_topics(segments[wave], codings[wave], embedder, store=store,
                                    project="sector-survey", earlier=earlier)
        registries[wave] = json.loads((store / REGISTRY_FILE).read_text(encoding="utf-8"))
    return store, segments, codings, results, registries


def test_first_wave_fits_and_later_waves_are_assigned(coded_in_order):
    store, _, _, results, _ = coded_in_order
    modes = [results[w].params["mode"] for w in WAVES]
    assert modes == ["fit", "assign", "assign"]
    assert all(results[w].skipped_reason is None for w in WAVES)
    # the sample waves are small: new topics are sought among the pooled waves' segments
    assert results["sector-survey-2015"].params["small_wave"]
    assert results["sector-survey-2015"].params["sought_new_in"] == list(WAVES)
    assert "new topics sought in pooled waves sector-survey-2013, sector-survey-2014, " \
           "sector-survey-2015" in results["sector-survey-2015"].params["summary"]
    assert results["sector-survey-2013"].params["summary"] == \
        "topics fitted on wave sector-survey-2013"
    assert (store / "model" / "topic_embeddings.safetensors").exists()
    assert not list(store.rglob("*.pickle")) and not list(store.rglob("*.pkl"))


def test_topic_ids_and_words_of_wave_one_are_unchanged_after_waves_two_and_three(
        coded_in_order):
    _, _, _, results, registries = coded_in_order
    first = results["sector-survey-2013"].topics
    first_words = {int(t): list(w) for t, w in zip(first[s.TOPIC_ID], first[s.WORDS],
                                                    strict=True) if t != OUTLIER_TOPIC}
    assert len(first_words) >= 10
    for wave in WAVES[1:]:
        kept = registries[wave]["topics"]
        assert {int(t): k["words"] for t, k in kept.items() if int(t) in first_words} == \
            {t: w[:10] for t, w in first_words.items()}
        later = results[wave].topics.set_index(s.TOPIC_ID)
        shared = [t for t in first_words if t in later.index]
        assert len(shared) >= 0.8 * len(first_words)  # most themes recur every year
        assert all(list(later.loc[t, s.WORDS]) == first_words[t] for t in shared)
        assert all(later.loc[t, s.FIRST_WAVE] == "sector-survey-2013" for t in shared)


def test_naloxone_is_new_in_2015_and_nowhere_else(coded_in_order):
    _, segments, _, results, registries = coded_in_order
    assert results["sector-survey-2013"].params["new_topics"] == []
    assert not any(results["sector-survey-2014"].topics[s.NEW_IN_WAVE]
                   & results["sector-survey-2014"].topics[s.WORDS].map(
                       lambda w: "naloxone" in w))
    found = results["sector-survey-2015"]
    new = found.topics[found.topics[s.NEW_IN_WAVE]]
    naloxone = new[new[s.WORDS].map(lambda w: "naloxone" in list(w))]
    assert len(naloxone) >= 1
    assert set(naloxone[s.TOPIC_ID]) <= set(found.params["new_topics"])
    # most planted segments went to the new topic (those on heroin deaths may join the kept
    # topic on drug-related deaths), and the new topic holds little else
    planted = segments["sector-survey-2015"][_naloxone(segments["sector-survey-2015"])]
    topic_of = found.segment_topics.set_index(s.SEGMENT_ID)[s.TOPIC_ID]
    share = topic_of.reindex(planted[s.SEGMENT_ID]).isin(naloxone[s.TOPIC_ID]).mean()
    assert share >= 0.5, share
    members = topic_of[topic_of.isin(naloxone[s.TOPIC_ID])].index
    assert pd.Index(members).isin(planted[s.SEGMENT_ID]).mean() >= 0.9
    assert all(registries["sector-survey-2015"]["topics"][str(t)]["first_wave"]
               == "sector-survey-2015" for t in naloxone[s.TOPIC_ID])
    # no kept topic from 2013 holds the theme
    assert not any("naloxone" in k["words"] for t, k in
                   registries["sector-survey-2013"]["topics"].items())


def test_vanished_topics_are_kept_topics_without_segments(coded_in_order):
    _, _, _, results, registries = coded_in_order
    for wave in WAVES[1:]:
        present = set(results[wave].topics[s.TOPIC_ID]) - {OUTLIER_TOPIC}
        kept = {int(t) for t in registries[wave]["topics"]}
        assert results[wave].params["vanished_topics"] == sorted(kept - present)


def test_kept_model_loads_offline_and_assigns_as_saved(coded_in_order, monkeypatch):
    store, segments, _, results, _ = coded_in_order
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    model, registry = load_kept(store)
    assert registry.project == "sector-survey" and registry.fitted_on == ["sector-survey-2013"]
    assert registry == read_registry(store)
    assert len(model.topic_embeddings_) == len(registry.topics) + 1  # plus the outlier row


def test_candidate_from_the_new_theme_codes_it_once_accepted(coded_in_order, tmp_path):
    _, segments, codings, results, _ = coded_in_order
    wave = "sector-survey-2015"
    book_dir = tmp_path / "codebooks"
    shutil.copytree(CODEBOOK.parent, book_dir)
    shutil.copytree(ROOT / "models" / "stance", tmp_path / "stance")
    codebook_file = book_dir / CODEBOOK.name
    book = load_codebook(codebook_file)
    found = results[wave]
    info = wave_candidates(found.topics, found.segment_topics, segments[wave], book,
                           candidates_path(codebook_file))
    assert Path(info["file"]) == candidates_path(codebook_file)
    drafted = read_candidates(candidates_path(codebook_file)).candidates
    naloxone = [c for c in drafted if c.new_in_wave and "naloxone" in c.words]
    assert naloxone, [c.id for c in drafted]
    candidate = naloxone[0]
    assert candidate.id in info["new_in_wave"]
    assert any(p.phrase == "naloxone" and p.attr == "LEMMA" for p in candidate.patterns)
    planted = segments[wave][_naloxone(segments[wave])]
    assert candidate.would_code >= 0.8 * len(planted)
    assert candidate.exemplars and all(e.text for e in candidate.exemplars)
    assert not set(codings[wave][s.CODE_ID]) & {c.id for c in drafted}

    done = accept_candidate(codebook_file, candidate.id)
    assert (done.old_version, done.new_version) == ("1.0", "1.1")
    assert codebook_file.read_text(encoding="utf-8").startswith("# Recovery capital codebook")
    accepted = load_codebook(codebook_file)
    assert accepted.version == "1.1" and candidate.id in accepted.code_ids()
    assert candidate.id not in {c.id for c in read_candidates(candidates_path(codebook_file))
                                .candidates}
    recoded = RuleCoder(accepted).code(segments[wave])
    hits = set(recoded.loc[recoded[s.CODE_ID] == candidate.id, s.SEGMENT_ID])
    assert len(hits & set(planted[s.SEGMENT_ID])) >= 0.8 * len(planted)
    # codes the codebook had are coded as before
    before = codings[wave].groupby(s.CODE_ID).size()
    after = recoded[recoded[s.CODE_ID] != candidate.id].groupby(s.CODE_ID).size()
    assert before.to_dict() == after.to_dict()


def test_rerun_of_a_wave_keeps_the_model_and_its_new_topics(coded_in_order):
    store, segments, codings, results, registries = coded_in_order
    wave = "sector-survey-2015"
    again = wave_topics(segments[wave], codings[wave], MiniLMEmbedder(exact=True), store=store,
                        project="sector-survey",
                        earlier={w: segments[w] for w in WAVES[:2]})
    assert again.params["new_topics"] == results[wave].params["new_topics"]
    assert json.loads((store / REGISTRY_FILE).read_text())["topics"] == \
        registries[wave]["topics"]


def test_refit_on_all_waves_writes_the_old_to_new_mapping(coded_in_order, tmp_path):
    store, segments, codings, _, _ = coded_in_order
    copy = tmp_path / "sector-survey"
    shutil.copytree(store, copy)
    wave = "sector-survey-2015"
    refitted = wave_topics(segments[wave], codings[wave], MiniLMEmbedder(exact=True), store=copy,
                           project="sector-survey", refit=True,
                           earlier={w: segments[w] for w in WAVES[:2]})
    assert refitted.params["mode"] == "refit" and refitted.params["model_version"] == 2
    assert refitted.params["fitted_on"] == list(WAVES)
    assert refitted.params["summary"] == ("topics refitted on pooled waves sector-survey-2013, "
                                          "sector-survey-2014, sector-survey-2015")
    mapping = pd.read_csv(copy / refitted.params["mapping"])
    old = read_registry(store)
    assert sorted(mapping["old_topic_id"]) == sorted(old.topics)
    assert mapping["same"].mean() >= 0.5  # most topics survive a refit under another id
    assert read_registry(copy).mappings == [refitted.params["mapping"]]


FIT_ELSEWHERE = """
import json, sys
from pathlib import Path
from pipeline.continuity import wave_topics
from pipeline.embeddings import MiniLMEmbedder
from pipeline.ingest import ingest_wave
from pipeline.segment import segment_documents
from pipeline.coding import RuleCoder
from pipeline.config import load_codebook
from pipeline import schema as s
root, store = Path(sys.argv[1]), Path(sys.argv[2])
# Another history first: these texts are embedded in other batches than in the test process.
segments = segment_documents(ingest_wave(root / "corpora" / "sector-survey-2014").documents)
MiniLMEmbedder(exact=True).embed(list(segments[s.TEXT])[::3])
segments = segment_documents(ingest_wave(root / "corpora" / "sector-survey-2013").documents)
codings = RuleCoder(load_codebook(root / "models/codebooks/recovery-capital.yaml")).code(segments)
found = wave_topics(segments, codings, MiniLMEmbedder(exact=True), store=store, project="p")
print(json.dumps({"topics": {int(t): list(w) for t, w in zip(found.topics[s.TOPIC_ID],
                                                             found.topics[s.WORDS])},
                  "assigned": dict(zip(found.segment_topics[s.SEGMENT_ID].tolist(),
                                       found.segment_topics[s.TOPIC_ID].astype(int).tolist()))}))
"""


def test_the_first_fit_is_the_same_in_another_process(coded_in_order, tmp_path):
    # A project's kept model is fitted once, by whichever run comes first: that fit must not
    # depend on the process, or on what the process embedded before.
    _, _, _, results, _ = coded_in_order
    done = subprocess.run([sys.executable, "-c", FIT_ELSEWHERE, str(ROOT), str(tmp_path / "p")],
                          capture_output=True, text=True, check=True, cwd=ROOT, timeout=900)
    elsewhere = json.loads(done.stdout.strip().splitlines()[-1])
    here = results["sector-survey-2013"]
    assert elsewhere["topics"] == {str(t): list(w) for t, w in zip(
        here.topics[s.TOPIC_ID], here.topics[s.WORDS], strict=True)}
    ids = here.segment_topics[s.SEGMENT_ID].tolist()
    topics = here.segment_topics[s.TOPIC_ID].astype(int).tolist()
    assert elsewhere["assigned"] == dict(zip(ids, topics, strict=True))
