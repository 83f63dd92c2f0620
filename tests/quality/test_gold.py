"""Gold sets: wide and long human-coded files mapped onto a codebook, with clear errors."""

from __future__ import annotations

import pytest

from pipeline.config import ConfigError, load_codebook
from pipeline.errors import InputError
from pipeline.quality.gold import load_gold


@pytest.fixture(scope="module")
def book(data_dir):
    return load_codebook(data_dir / "codebook-comments.yaml")


def test_wide_file_maps_columns_by_label(data_dir, book):
    gold = load_gold(data_dir / "gold" / "comments.csv", book)
    assert gold.code_ids == ["parking", "food_drink", "staff_manner"]
    assert len(gold.texts) == 54 and gold.labels.shape == (54, 3)
    assert gold.support() == {"parking": 18, "food_drink": 18, "staff_manner": 24}
    first = gold.ids.index("C000")
    assert gold.texts[first] and gold.extra.loc[first, "FFT question"] in (
        "What was good?", "How could we improve?")
    assert gold.missing == [] and len(gold.sha256) == 64


def test_wide_file_with_a_bad_value_names_line_and_column(tmp_path, book):
    path = tmp_path / "bad.csv"
    path.write_text("text,Parking\nno spaces,1\nthe food,2\n")
    with pytest.raises(ConfigError, match=r"bad.csv line 3, column 'Parking': expected 0 or 1"):
        load_gold(path, book)


def test_long_file_with_uncoded_rows_and_unknown_codes(tmp_path, book):
    path = tmp_path / "long.csv"
    path.write_text("segment_id,text,code_id\ns1,Parking was awful,parking\n"
                    "s1,Parking was awful,staff_manner\ns2,Nothing to add,\n")
    gold = load_gold(path, book)
    assert gold.ids == ["s1", "s2"]
    assert gold.labels.tolist() == [[1, 1], [0, 0]] and gold.code_ids == [
        "parking", "staff_manner"]
    path.write_text("segment_id,text,code_id\ns1,Parking was awful,car_parks\n")
    with pytest.raises(InputError, match=r"long.csv: 1 unknown code on 1 row: 'car_parks' "
                                         r"\(line 2\) in column 'code_id'"):
        load_gold(path, book)


def test_sample_wave_gold_loads_onto_the_recovery_codebook(data_dir):
    from tests_paths import ROOT

    book = load_codebook(ROOT / "models" / "codebooks" / "recovery-capital.yaml")
    gold = load_gold(ROOT / "corpora" / "sector-survey-2013" / "gold.csv", book)
    assert len(gold.texts) >= 150
    assert {"housing_gap", "mental_health_threshold", "funding_change"} <= set(gold.code_ids)


def test_labels_match_whatever_their_case_and_spacing(data_dir, mini_codebook):
    gold = load_gold(data_dir / "gold" / "wide.csv", mini_codebook)
    # "Housing" by label, "housing_gap" by id, "  employment,  TRAINING and   education " by label
    assert gold.code_ids == ["housing", "housing_gap", "employment_training"]
    assert gold.ids == ["c1", "c2", "c3", "c4", "c5"]
    assert gold.labels.tolist() == [[1, 0, 0], [1, 1, 0], [0, 0, 1], [0, 0, 0], [1, 0, 1]]
    # 0/1 columns that match no code are reported, not guessed at; other columns ride along
    assert gold.unmapped == ["Raised MH thresholds", "Flag for follow-up"]
    assert gold.missing == ["mental_health", "mental_health_threshold"]
    assert list(gold.extra.columns) == ["Comment ID", "FFT question", "rating", "text"]
    assert gold.extra["rating"].tolist() == ["1", "2", "4", "5", "1"]


def test_xlsx_reads_like_csv(tmp_path, data_dir, mini_codebook):
    import pandas as pd

    path = tmp_path / "wide.xlsx"
    pd.read_csv(data_dir / "gold" / "wide.csv", dtype=str).to_excel(path, index=False)
    from_xlsx = load_gold(path, mini_codebook)
    from_csv = load_gold(data_dir / "gold" / "wide.csv", mini_codebook)
    assert from_xlsx.labels.tolist() == from_csv.labels.tolist()
    assert from_xlsx.texts == from_csv.texts and from_xlsx.code_ids == from_csv.code_ids


def test_a_two_in_a_code_column_names_file_line_and_column(data_dir, mini_codebook):
    with pytest.raises(ConfigError, match=r"bad-value.csv line 4, column 'Mental health': "
                                          r"expected 0 or 1, found '2'"):
        load_gold(data_dir / "gold" / "bad-value.csv", mini_codebook)


def test_long_fixture_keeps_uncoded_texts_and_extra_columns(data_dir, mini_codebook):
    gold = load_gold(data_dir / "gold" / "long.csv", mini_codebook)
    assert gold.ids == ["s1", "s2", "s3", "s4"]
    assert gold.code_ids == ["housing", "housing_gap", "employment_training"]
    assert gold.labels.tolist() == [[1, 0, 0], [1, 1, 0], [0, 0, 1], [0, 0, 0]]
    assert gold.extra["question"].tolist() == ["q1", "q1", "q2", "q2"]
    with pytest.raises(InputError, match=r"long-unknown-code.csv: 1 unknown code on 1 row: "
                                         r"'jobs' \(line 3\)"):
        load_gold(data_dir / "gold" / "long-unknown-code.csv", mini_codebook)


def test_every_unknown_code_is_listed_at_once_with_its_lines(data_dir, mini_codebook):
    with pytest.raises(InputError) as error:
        load_gold(data_dir / "gold" / "long-many-unknown.csv", mini_codebook)
    message = str(error.value)
    # "HOUSING" and "Mental Health" are labels: known, whatever their case
    assert message.startswith(f"{data_dir / 'gold' / 'long-many-unknown.csv'}: 3 unknown codes "
                              "on 4 rows: 'jobs' (lines 3, 8), 'detox' (line 4), 'family' "
                              "(line 7) in column 'code_id' (not an id or label in codebook "
                              "'mini')")


def test_a_long_list_of_unknown_codes_is_cut_short(tmp_path, mini_codebook):
    path = tmp_path / "many.csv"
    path.write_text("segment_id,text,code_id\n" + "".join(
        f"s{i},text {i},code_{i % 25}\n" for i in range(100)))
    with pytest.raises(InputError) as error:
        load_gold(path, mini_codebook)
    message = str(error.value)
    assert "25 unknown codes on 100 rows: 'code_0' (lines 2, 27, 52 and 1 more)" in message
    assert "'code_19' (lines 21, 46, 71 and 1 more) and 5 more codes in column" in message
    assert "code_20" not in message


def test_long_file_takes_codes_by_label_as_the_wide_file_does(tmp_path, data_dir,
                                                              mini_codebook):
    path = tmp_path / "labels.csv"
    path.write_text((data_dir / "gold" / "long.csv").read_text().replace(
        ",housing_gap,", ", HOUSING   gap ,").replace(",employment_training,",
                                                       ',"Employment, training and education",'))
    by_label = load_gold(path, mini_codebook)
    by_id = load_gold(data_dir / "gold" / "long.csv", mini_codebook)
    assert by_label.code_ids == by_id.code_ids == ["housing", "housing_gap",
                                                   "employment_training"]
    assert by_label.labels.tolist() == by_id.labels.tolist()


def test_taguette_highlights_export_reads_as_a_long_file(data_dir, mini_codebook):
    gold = load_gold(data_dir / "gold" / "taguette-highlights.csv", mini_codebook)
    assert gold.ids == ["11", "12", "13"]  # a highlight with two tags: two rows, one text
    assert gold.texts[0] == "There is no dry housing anywhere near here."
    assert gold.code_ids == ["housing", "housing_gap", "employment_training", "mental_health"]
    assert gold.labels.tolist() == [[1, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]]
    assert gold.extra["document"].tolist() == ["session-1", "session-1", "session-2"]


def test_a_label_two_codes_share_is_refused_asking_for_the_id(tmp_path, data_dir):
    book = load_codebook(data_dir / "codebooks" / "shared-labels.yaml")
    wide = tmp_path / "wide.csv"
    wide.write_text("text,Access,Positive\nThe bus stops outside,1,1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"wide.csv: column 'Positive' is the label of 2 "
                                          r"codes \(staff_positive, access_positive\): name it "
                                          r"by its id"):
        load_gold(wide, book)
    long = tmp_path / "long.csv"
    long.write_text("segment_id,text,code_id\ns1,The bus stops outside,access\n"
                    "s1,The bus stops outside,positive\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"long.csv line 3, column 'code_id': 'positive' is the "
                                         r"label of 2 codes"):
        load_gold(long, book)
    long.write_text("segment_id,text,code_id\ns1,The bus stops outside,access_positive\n"
                    "s2,Kind nurses,Staff\n", encoding="utf-8")
    gold = load_gold(long, book)  # by id, and "Staff" is the id staff, not the child so labelled
    assert gold.code_ids == ["staff", "access_positive"]
    assert gold.labels.tolist() == [[0, 1], [1, 0]]


def test_column_names_are_read_in_any_case_as_codebook_drafts_read_them(tmp_path, book):
    from pipeline.codebooks import draft_from_gold

    long = tmp_path / "coded.csv"
    long.write_text("ID,Text,Code\nr1,Nowhere to park at all,Parking\n"
                    "r2,The porter was kind,Staff manner & personal attributes\n",
                    encoding="utf-8")
    gold = load_gold(long, book)
    assert gold.ids == ["r1", "r2"] and gold.texts[1] == "The porter was kind"
    assert gold.code_ids == ["parking", "staff_manner"] and gold.labels.tolist() == [[1, 0],
                                                                                    [0, 1]]
    assert draft_from_gold(long).codebook.code_ids() == ["parking",
                                                        "staff_manner_personal_attributes"]
    wide = tmp_path / "wide.csv"
    wide.write_text("Comments,Parking\nNowhere to park,1\nLovely food,0\n", encoding="utf-8")
    assert load_gold(wide, book).texts == ["Nowhere to park", "Lovely food"]


def test_code_cells_may_say_yes_no_true_false_or_x(tmp_path, book):
    # an SPSS dichotomy's value labels, Excel's booleans, a coding sheet's ticks
    path = tmp_path / "marked.csv"
    path.write_text("text,Parking,Food & drink provision & facilities,Staff manner & personal "
                    "attributes\nNowhere to park,Yes,FALSE,\nCold tea,No,TRUE,\n"
                    "Kind porter,no,false,x\n", encoding="utf-8")
    gold = load_gold(path, book)
    assert gold.labels.tolist() == [[1, 0, 0], [0, 1, 0], [0, 0, 1]]
    path.write_text("text,Parking\nNowhere to park,maybe\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"line 2, column 'Parking': expected 0 or 1, found "
                                          r"'maybe' \(yes/no, true/false and x are read too\)"):
        load_gold(path, book)
