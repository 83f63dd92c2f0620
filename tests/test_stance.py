"""Stance and direction: sentences, attribution across codes, offsets, accuracy on gold."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from pipeline import schema as s
from pipeline.coding import RuleCoder
from pipeline.coding.stream import combine_chunks, document_chunks, segment_and_code
from pipeline.config import ConfigError, load_codebook
from pipeline.ingest import ingest_wave
from pipeline.nlp import LookupLemmas, ParsedSegments
from pipeline.quality.stance_accuracy import accuracy
from pipeline.stance import chunk_stances, load_rules, stances, wave_stances

ROOT = Path(__file__).parent.parent
STANCE_DATA = Path(__file__).parent / "data" / "stance"


def read(text: str, *codes: tuple[str, str], parents: dict | None = None) -> pd.DataFrame:
    """Stances for one segment (the whole document) coded with (code, evidence) pairs."""
    segments = pd.DataFrame({s.SEGMENT_ID: ["seg"], s.START: [0], s.TEXT: [text]})
    codings = pd.DataFrame([
        {s.SEGMENT_ID: "seg", s.CODE_ID: code, s.START: text.index(evidence),
         s.END: text.index(evidence) + len(evidence)} for code, evidence in codes])
    return stances(segments, codings, parents=parents).set_index(s.CODE_ID)


@pytest.mark.parametrize(("text", "evidence", "stance", "direction"), [
    ("ETE support is not available locally.", "ETE", "gap", None),
    ("Housing is no longer a problem for our clients.", "Housing", "available", "improved"),
    ("There has been no change in mental health provision.", "mental health", None, "same"),
    ("Waiting lists for housing have got longer.", "housing", "gap", "worsened"),
    ("Mental health services are hard to access.", "Mental health", "gap", None),
    ("There is a lack of dry housing in the county.", "housing", "gap", None),
    ("We have no dry housing.", "housing", "gap", None),
    ("There is a gap in housing for women.", "housing", "gap", None),
    ("We need more peer support.", "peer support", "needed", None),
    ("Clients would benefit from counselling.", "counselling", "needed", None),
    ("We have good links with Jobcentre Plus.", "Jobcentre Plus", "available", None),
    ("Counselling is available on Tuesdays.", "Counselling", "available", None),
    ("Family support has improved.", "Family", None, "improved"),
    ("Housing is better than last year.", "Housing", None, "improved"),
    ("The crisis team was cut.", "crisis team", None, "worsened"),
    ("Our funding has been reduced.", "funding", None, "worsened"),
    ("We lost the family service in March.", "family", None, "worsened"),
    ("Homelessness has fallen this year.", "Homelessness", None, "improved"),
    ("Family support has not improved.", "Family", None, "same"),
    ("Our funding has been protected this year.", "funding", None, "same"),
    ("Peer support is not hard to find here.", "Peer support", "available", None),
    ("We don't need more counselling.", "counselling", None, None),
    ("Clients are being pushed to reduce their scripts.", "scripts", None, None),
    ("The joint strategic needs assessment covers alcohol.", "joint strategic", "available",
     None),
])
def test_sentence(text, evidence, stance, direction):
    row = read(text, ("theme", evidence)).loc["theme"]
    assert (row[s.STANCE], row[s.DIRECTION]) == (stance, direction)


def test_evidence_is_the_cue_with_its_negator():
    row = read("In our area, ETE support is not available locally.", ("ete", "ETE")).loc["ete"]
    assert row[s.STANCE_EVIDENCE] == "not available"
    text = "In our area, ETE support is not available locally."
    assert text[int(row[s.STANCE_START]):int(row[s.STANCE_END])] == "not available"


def test_each_code_takes_the_cue_of_its_own_clause():
    found = read("Counselling is available in-house, but housing is very hard to access.",
                 ("mental_health", "Counselling"), ("housing", "housing"))
    assert found.loc["mental_health", s.STANCE] == "available"
    assert found.loc["housing", s.STANCE] == "gap"


def test_a_cue_inside_another_codes_evidence_belongs_to_that_code():
    found = read("Clients leave rehab with nowhere to live.",
                 ("residential_rehab", "rehab"), ("housing_gap", "nowhere to live"))
    assert found.loc["housing_gap", s.STANCE] == "gap"
    assert pd.isna(found.loc["residential_rehab", s.STANCE])


def test_parents_and_children_share_cues():
    text = "Our clients are told they are not severe enough for secondary mental health care."
    codes = (("mental_health", "mental health"), ("mental_health_threshold", "not severe enough"))
    alone = read(text, *codes)
    assert pd.isna(alone.loc["mental_health", s.STANCE])
    related = read(text, *codes, parents={"mental_health_threshold": "mental_health"})
    assert related.loc["mental_health", s.STANCE] == "gap"


def test_a_main_clause_speaks_for_the_whole_sentence_but_a_since_clause_does_not():
    found = read("We see more people with complex needs than ever, and they need joined-up care.",
                 ("complex", "complex needs"))
    assert tuple(found.loc["complex", [s.STANCE, s.DIRECTION]]) == ("needed", "worsened")
    found = read("Family involvement has improved since we introduced family sessions.",
                 ("family", "Family"))
    assert tuple(found.loc["family", [s.STANCE, s.DIRECTION]]) == (None, "improved")


@pytest.fixture(scope="module")
def mini(waves_dir, mini_codebook):
    ingested = ingest_wave(waves_dir / "mini-wave")
    result = segment_and_code(ingested.documents, RuleCoder(mini_codebook),
                              interviewer_labels=ingested.interviewer_labels)
    return ingested.documents, result.segments, result.codings


def test_one_row_per_coding_in_order_with_document_offsets(mini, mini_codebook):
    documents, segments, codings = mini
    found = stances(segments, codings, parents=mini_codebook.parents())
    assert list(found.columns) == s.STANCES.names
    assert found[[s.SEGMENT_ID, s.CODE_ID]].values.tolist() == codings[
        [s.SEGMENT_ID, s.CODE_ID]].values.tolist()
    texts = segments.merge(documents[[s.DOCUMENT_ID, s.TEXT]], on=s.DOCUMENT_ID,
                           suffixes=("", "_doc")).set_index(s.SEGMENT_ID)["text_doc"]
    checked = 0
    for row in found.itertuples(index=False):
        for start, end, evidence in ((row.stance_start, row.stance_end, row.stance_evidence),
                                     (row.direction_start, row.direction_end,
                                      row.direction_evidence)):
            if pd.notna(start):
                assert texts[row.segment_id][int(start):int(end)] == evidence
                checked += 1
    assert checked >= 5
    by_code = found.merge(segments[[s.SEGMENT_ID, s.TEXT]], on=s.SEGMENT_ID)
    ete = by_code[by_code[s.TEXT] == "ETE support is not available locally."]
    assert ete[s.STANCE].tolist() == ["gap"]
    dry = by_code[by_code[s.TEXT].str.startswith("We have no dry housing")]
    assert set(zip(dry[s.CODE_ID], dry[s.STANCE], strict=True)) == {
        ("housing", "gap"), ("housing_gap", "gap")}


def test_the_stage_holds_the_codings_ids_and_gives_the_same_table(mini, mini_codebook):
    _, segments, codings = mini
    found = wave_stances(segments, codings, mini_codebook)
    assert all(a is b for a, b in zip(found[s.SEGMENT_ID], codings[s.SEGMENT_ID], strict=True))
    assert all(a is b for a, b in zip(found[s.CODE_ID], codings[s.CODE_ID], strict=True))
    pd.testing.assert_frame_equal(found, s.conform(found, s.STANCES), check_exact=True)
    pd.testing.assert_frame_equal(found, stances(segments, codings,
                                                 parents=mini_codebook.parents()),
                                  check_exact=True)


def test_chunks_stances_joined_equal_the_wave_stances(waves_dir, mini_codebook):
    documents = ingest_wave(waves_dir / "mini-wave").documents
    coder = RuleCoder(mini_codebook)
    whole = segment_and_code(documents, coder)
    parts = []
    for chunk in document_chunks(documents, 3):
        part = segment_and_code(chunk, coder)
        parts.append(part.with_stances(*chunk_stances(part.segments, part.codings,
                                                       mini_codebook)))
    joined = combine_chunks(parts)
    assert len(parts) >= 3 and joined.seconds["stance"] >= 0
    pd.testing.assert_frame_equal(joined.stances,
                                  wave_stances(whole.segments, whole.codings, mini_codebook),
                                  check_exact=True)


def test_the_rule_coders_docs_give_the_same_stances_without_tokenising_again(
        waves_dir, mini_codebook, monkeypatch):
    ingested = ingest_wave(waves_dir / "mini-wave")
    coder = RuleCoder(mini_codebook)
    with coder.keeping_docs() as parsed:
        part = segment_and_code(ingested.documents, coder,
                                interviewer_labels=ingested.interviewer_labels)
    rules = load_rules(Path(str(mini_codebook.stance_cues)), coder.nlp)  # what parsed gets
    tokenised: list[str] = []
    tokens = rules.tokens
    monkeypatch.setattr(rules, "tokens", lambda text: tokenised.append(text) or tokens(text))
    reused = wave_stances(part.segments, part.codings, mini_codebook, parsed=parsed)
    assert tokenised == []
    again = wave_stances(part.segments, part.codings, mini_codebook, rules=rules)
    assert len(tokenised) == part.codings[s.SEGMENT_ID].nunique() > 5
    pd.testing.assert_frame_equal(reused, again, check_exact=True)
    pd.testing.assert_frame_equal(  # and as the stage's own rules find them
        reused, wave_stances(part.segments, part.codings, mini_codebook), check_exact=True)
    assert reused[s.STANCE].notna().sum() > 5


def test_a_kept_doc_is_read_only_for_the_text_it_was_made_of(mini_codebook):
    coder = RuleCoder(mini_codebook)
    text, before = "Housing is not available here.", "Housing is available here."
    segments = pd.DataFrame({s.SEGMENT_ID: ["seg"], s.START: [0], s.TEXT: [text]})
    codings = pd.DataFrame([{s.SEGMENT_ID: "seg", s.CODE_ID: "housing", s.START: 0,
                             s.END: 7}])
    stale = ParsedSegments(coder.nlp, {"seg": (before, coder.nlp.make_doc(before))})
    assert stances(segments, codings, parsed=stale).loc[0, s.STANCE] == "gap"


def test_the_stance_rules_set_their_own_lemmas_on_a_coders_doc(mini_codebook):
    # The rule coder lemmatises "IS" as written ("IS"); the cue "is a problem" reads the
    # lemma of its lower-case form ("be").
    coder = RuleCoder(mini_codebook)
    text = "Housing IS a real problem."
    doc = LookupLemmas(coder.nlp)(coder.nlp.make_doc(text))
    assert doc[1].lemma_ == "IS"
    segments = pd.DataFrame({s.SEGMENT_ID: ["seg"], s.START: [0], s.TEXT: [text]})
    codings = pd.DataFrame([{s.SEGMENT_ID: "seg", s.CODE_ID: "housing", s.START: 0,
                             s.END: 7}])
    found = stances(segments, codings, parsed=ParsedSegments(coder.nlp, {"seg": (text, doc)}))
    assert (found.loc[0, s.STANCE], found.loc[0, s.STANCE_EVIDENCE]) == ("gap",
                                                                         "IS a real problem")
    assert doc[1].lemma_ == "be"


def test_earlier_stances_stand_for_codings_no_review_changed(mini, mini_codebook):
    _, segments, codings = mini
    found = wave_stances(segments, codings, mini_codebook)
    marked = found.copy()
    shared = codings[s.SEGMENT_ID].duplicated(keep=False).to_numpy()  # segments of 2+ codings
    gap = marked.index[(marked[s.STANCE] == "gap").to_numpy() & shared][0]
    marked.loc[gap, s.STANCE] = "available"  # what was found before, whatever it was
    same = wave_stances(segments, codings.copy(), mini_codebook, earlier=(codings, marked))
    assert same.loc[gap, s.STANCE] == "available"  # nothing changed: nothing parsed again
    pd.testing.assert_frame_equal(same.drop(index=gap), found.drop(index=gap), check_exact=True)
    # a review rejected one coding of that segment: its segment is parsed again
    segment = codings.loc[gap, s.SEGMENT_ID]
    other = codings.index[(codings[s.SEGMENT_ID] == segment) & (codings.index != gap)][0]
    kept = codings.drop(index=other).reset_index(drop=True)
    again = wave_stances(segments, kept, mini_codebook, earlier=(codings, marked))
    assert len(again) == len(kept)
    assert "available" not in again.loc[again[s.SEGMENT_ID] == segment, s.STANCE].tolist()
    assert (again[s.STANCE] == "gap").sum() == (found[s.STANCE] == "gap").sum() - 1


def test_codings_in_any_order_get_their_own_rows_and_a_segmentless_one_none():
    text_a, text_b = "We need more peer support.", "Our funding has been reduced."
    segments = pd.DataFrame({s.SEGMENT_ID: ["a", "b"], s.START: [0, 100],
                             s.TEXT: [text_a, text_b]})
    at_b = 100 + text_b.index("funding")
    # b's coding first, a's after, b's again, then one whose segment id is missing
    codings = pd.DataFrame({
        s.SEGMENT_ID: ["b", "a", "b", None],
        s.CODE_ID: ["funding", "peer_support", "commissioning", "housing"],
        s.START: [at_b, text_a.index("peer"), at_b, 0],
        s.END: [at_b + len("funding"), text_a.index("peer") + len("peer support"),
                at_b + len("funding"), 4]}, index=[7, 3, 5, 9])
    found = stances(segments, codings)
    assert found[s.CODE_ID].tolist() == ["funding", "peer_support", "commissioning", None]
    assert found[s.SEGMENT_ID].tolist() == ["b", "a", "b", None]
    assert found[s.STANCE].tolist()[:3] == [None, "needed", None]
    assert found[s.DIRECTION].tolist()[:3] == ["worsened", None, "worsened"]
    cue = text_b.index("reduced")
    assert found.loc[0, [s.DIRECTION_START, s.DIRECTION_END, s.DIRECTION_EVIDENCE]].tolist() \
        == [100 + cue, 100 + cue + len("reduced"), "reduced"]
    assert found.iloc[3].drop([s.SEGMENT_ID, s.CODE_ID]).isna().all()


def test_a_coding_of_an_unknown_segment_is_counted_not_quoted():
    segments = pd.DataFrame({s.SEGMENT_ID: ["a"], s.START: [0], s.TEXT: ["Housing is worse."]})
    codings = pd.DataFrame({s.SEGMENT_ID: ["a", "gone"], s.CODE_ID: ["housing", "housing"],
                            s.START: [0, 0], s.END: [7, 7]})
    with pytest.raises(KeyError, match="1 codings name a segment") as raised:
        stances(segments, codings)
    assert "Housing" not in str(raised.value) and "gone" not in str(raised.value)


def test_no_codings_gives_an_empty_table(mini):
    _, segments, codings = mini
    assert list(stances(segments, codings.head(0)).columns) == s.STANCES.names


def test_accuracy_on_hand_coded_segments_stays_near_the_measured_level():
    book = load_codebook(ROOT / "models" / "codebooks" / "recovery-capital.yaml")
    gold = pd.read_csv(STANCE_DATA / "gold.csv", keep_default_na=False)
    assert len(gold) >= 100
    result = accuracy(gold, parents=book.parents())
    # measured: stance 0.986, direction 1.000 (148 codings)
    assert result[s.STANCE] >= 0.95
    assert result[s.DIRECTION] >= 0.96
    handwritten = pd.read_csv(STANCE_DATA / "handwritten.csv", keep_default_na=False)
    result = accuracy(handwritten, parents=book.parents())
    # measured: stance 0.905, direction 1.000 (42 sentences)
    assert result[s.STANCE] >= 0.85
    assert result[s.DIRECTION] >= 0.93


def test_a_bad_cue_file_names_the_cue(tmp_path):
    path = tmp_path / "cues.yaml"
    path.write_text(
        "version: '1'\nnegators: [not]\nclause_openers: [but]\nclause_marks: [';']\n"
        "auxiliaries: [be]\nproblems: [wait]\n"
        "cues:\n  - {id: broken, stance: gap, tokens: [{LOWERR: x}]}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="broken"):
        load_rules(path)
    path.write_text("version: '1'\ncues: []\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="negators"):
        load_rules(path)


def test_a_codebook_without_stance_cues_gets_no_stance(mini):
    _, segments, codings = mini
    found = stances(segments, codings, cues=None)
    assert len(found) == len(codings) and found[s.STANCE].isna().all()
    assert found[s.DIRECTION].isna().all()
    assert found[[s.SEGMENT_ID, s.CODE_ID]].values.tolist() == codings[
        [s.SEGMENT_ID, s.CODE_ID]].values.tolist()


@pytest.mark.parametrize("text", [
    "There is a shortage of detox beds and readily available support is rare.",  # LOWER IN
    "Clients were turned away and went without treatment.",  # LEMMA IN ("went": go)
    "It is hard to get a GP appointment and waiting lists have got much longer.",  # multi-token
    "Housing is not available locally, and it has not improved.",  # negation
    "Clients with complex needs need more support; needs assessments take months.",  # not_after
    "Fewer than ten beds remain - no doubt more than last year, but no longer a problem.",
])
def test_the_compiled_matcher_gives_the_hits_of_the_plain_spacy_matcher(text):
    from support_stance import full_rules

    rules, plain = load_rules(), full_rules()
    doc = rules.parse(text)
    compiled = rules.hits(doc)
    assert compiled == plain.hits(doc)
    assert compiled[0]  # each sentence has cues
