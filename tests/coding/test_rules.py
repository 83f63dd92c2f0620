"""The rule coder: the recovery-capital codebook compiled into spaCy, with negation."""

from __future__ import annotations

import pandas as pd
import pytest
from tests_paths import ROOT

from pipeline import schema as s
from pipeline.coding import RuleCoder
from pipeline.config import load_codebook

CODEBOOK = ROOT / "models" / "codebooks" / "recovery-capital.yaml"
REQUIRED = {
    "housing": None, "housing_gap": "housing", "mental_health": None,
    "mental_health_threshold": "mental_health", "physical_health": None,
    "complex_needs_dual_diagnosis": None, "employment_training": None,
    "family_relationships": None, "mutual_aid": None, "funding_change": "funding_commissioning",
    "commissioning": "funding_commissioning", "health_wellbeing_boards": "local_governance",
    "police_crime_commissioners": "local_governance", "jsna": "local_governance",
    "abstinence": "treatment_approach", "substitution_maintenance": "treatment_approach",
    "residential_rehab": "treatment_approach",
}


@pytest.fixture(scope="module")
def codebook():
    return load_codebook(CODEBOOK)


@pytest.fixture(scope="module")
def coder(codebook):
    return RuleCoder(codebook)


def segments(*texts, start=0):
    return s.conform(pd.DataFrame({
        s.SEGMENT_ID: [f"s{i}" for i in range(len(texts))], s.DOCUMENT_ID: "d", s.WAVE: "w",
        s.START: start, s.END: [start + len(t) for t in texts], s.TEXT: list(texts),
        s.SPEAKER: None, s.CONTEXT: None}), s.SEGMENTS)


def coded(coder, text, start=0):
    return coder.code(segments(text, start=start)).set_index(s.CODE_ID)


def test_codebook_has_the_required_codes_under_their_parents(codebook):
    parents = codebook.parents()
    for code_id, parent in REQUIRED.items():
        assert code_id in parents
        assert parents[code_id] == parent
    assert all(code.definition.strip() and code.when_to_use.strip()
               for code, _ in codebook.walk())


def test_raised_threshold_is_coded_with_exact_evidence(coder):
    text = ("Mental health services have raised their thresholds, so many of our clients no "
            "longer qualify for support.")
    codings = coded(coder, text, start=100)
    row = codings.loc["mental_health_threshold"]
    assert row[s.EVIDENCE] == "raised their thresholds"
    assert text[row[s.START] - 100:row[s.END] - 100] == row[s.EVIDENCE]
    assert not row[s.NEGATED]
    assert codings.loc["mental_health", s.EVIDENCE] == "Mental health"


def test_missing_ete_is_negated_and_available_ete_is_not(coder):
    missing = coded(coder, "ETE support is not available locally.")
    assert missing.loc["employment_training", s.EVIDENCE] == "ETE"
    assert bool(missing.loc["employment_training", s.NEGATED])
    present = coded(coder, "ETE support is available through our local Jobcentre Plus "
                           "partnership.")
    assert not bool(present.loc["employment_training", s.NEGATED])


def test_no_dry_housing_is_a_housing_gap(coder):
    codings = coded(coder, "There is no dry housing in the county.")
    assert codings.loc["housing_gap", s.EVIDENCE] == "no dry housing"
    assert codings.loc["housing_gap", s.PATTERN] == "housing_gap:shortage-of-housing"
    assert bool(codings.loc["housing", s.NEGATED])  # "no ... housing": the bare mention is negated


def test_mutual_aid_acronyms_are_case_sensitive(coder):
    assert "mutual_aid" in coded(coder, "We refer people to NA and AA meetings.").index
    assert "mutual_aid" not in coded(coder, "The figure is n/a, or na as they say.").index


@pytest.mark.parametrize("text, expected", [
    ("Lack of suitable accomodation is the biggest barrier.", {"housing", "housing_gap"}),
    ("The community mental health team will not see anyone who is still drinking.",
     {"mental_health", "mental_health_threshold"}),
    ("Our clients are told they are not severe enough for secondary care.",
     {"mental_health_threshold"}),
    ("Dual diagnosis clients fall between services.", {"complex_needs_dual_diagnosis"}),
    ("A BBV nurse runs hep C testing every week.", {"physical_health"}),
    ("The Work Programme has done very little for our clients.", {"employment_training"}),
    ("We run a carers\u2019 group for family members.", {"family_relationships"}),
    ("Our peer mentors run a SMART Recovery group.", {"mutual_aid"}),
    ("Our budget was cut by a fifth this year.", {"funding_change"}),
    ("There has been significant disinvestment in alcohol services.", {"funding_change"}),
    ("The service was re-tendered and the contract went to a national provider.",
     {"commissioning"}),
    ("Substance misuse is a priority of our health and wellbeing board.",
     {"health_wellbeing_boards"}),
    ("The PCC has kept funding for our arrest referral scheme.",
     {"police_crime_commissioners", "funding_change"}),
    ("Drugs and alcohol barely feature in the JSNA.", {"jsna"}),
    ("More people are leaving treatment abstinent than last year.", {"abstinence"}),
    ("Nobody should be parked on methadone.", {"substitution_maintenance"}),
    ("Tier 4 places are a postcode lottery.", {"residential_rehab"}),
    ("Residential rehab\nplacements have been halved.", {"residential_rehab"}),
    ("Mental helth support is patchy.", {"mental_health"}),
    ("Our case management software keeps crashing.", set()),
])
def test_sentences_get_the_expected_codes(coder, text, expected):
    assert set(coded(coder, text).index) == expected


def test_every_codebook_example_is_coded_with_its_code(codebook, coder):
    examples = [(code.id, example) for code, _ in codebook.walk() for example in code.examples]
    codings = coder.code(segments(*(e for _, e in examples)))
    found = set(zip(codings[s.SEGMENT_ID], codings[s.CODE_ID], strict=True))
    missed = [(c, e) for i, (c, e) in enumerate(examples) if (f"s{i}", c) not in found]
    assert not missed


def test_one_coding_per_segment_and_code_in_codebook_order(codebook, coder):
    codings = coder.code(segments(
        "Housing is scarce and there is no supported housing or accommodation.",
        "Funding was cut and the contract re-tendered; the PCC noticed."))
    assert not codings.duplicated([s.SEGMENT_ID, s.CODE_ID]).any()
    order = {c: i for i, c in enumerate(codebook.code_ids())}
    for _, group in codings.groupby(s.SEGMENT_ID):
        ranks = group[s.CODE_ID].map(order).tolist()
        assert ranks == sorted(ranks)
    assert codings[s.SEGMENT_ID].tolist() == sorted(codings[s.SEGMENT_ID])
    assert codings[s.CODER].unique().tolist() == ["rules-v1:recovery-capital@1.0"]
    assert set(codings[s.STATUS]) == {"machine"}


def test_keeping_docs_holds_the_doc_of_each_matched_segment_while_open(coder):
    table = segments("We have no dry housing.", "The weather was fine.",
                     "Mental health thresholds have been raised.")
    with coder.keeping_docs() as parsed:
        codings = coder.code(table)
    assert parsed.nlp is coder.nlp
    assert sorted(parsed.docs) == sorted(set(codings[s.SEGMENT_ID])) == ["s0", "s2"]
    text, doc = parsed.docs["s2"]
    assert text == table.loc[2, s.TEXT] and doc.text == text
    assert [t.text for t in doc][:2] == ["Mental", "health"]
    later = coder.code(segments("Mental health services are hard to access."))
    assert later[s.SEGMENT_ID].tolist() == ["s0"]  # matched, under an id already kept
    assert sorted(parsed.docs) == ["s0", "s2"]  # closed: nothing more is kept or replaced
    assert parsed.docs["s0"][0] == "We have no dry housing."
    with coder.keeping_docs() as again:
        assert again.docs == {}
