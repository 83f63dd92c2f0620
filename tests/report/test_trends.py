"""The trend report over three small waves coded by the rules: numbers, intervals, markers.

Three waves of the mini survey: 2012 asked only the first question, 2013 is the mini wave, 2014
was coded with a newer codebook (version 0.2, one more code). Each is published as the flow
publishes, once per module.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from scipy import stats
from support_review import DATA, publish_folder
from typer.testing import CliRunner

from flows.cli import app
from pipeline import schema as s
from pipeline.config import load_codebook
from pipeline.export.files import write_parquet
from pipeline.outputs import read_wave
from pipeline.report.compare import compare_shares
from pipeline.report.trend_charts import trend_chart
from pipeline.report.trend_report import (
    _gap_notes,
    build_trend_report,
    charted_codes,
    charted_topics,
    code_chart,
)
from pipeline.report.trends import (
    questions_by_reach,
    read_trend_waves,
    theme_trends,
    topic_trends,
    wilson_interval,
)

ROOT = Path(__file__).resolve().parents[2]
SURVEY_2012 = """service_id,region,service_type,needs_met
S001,North West,community,"Most needs are met, but there is no supported housing."
S002,London,residential,"We need more help with ETE."
S005,North West,community,"Needs are well met."
S006,London,community,"Housing support has improved."
S007,London,community,"Families are involved from the start."
"""
FAMILY_CODE = """  - id: families
    label: Families
    definition: Families and carers of people in treatment.
    patterns:
      - families
"""


def _wave_folder(root: Path, wave: str) -> Path:
    folder = root / "waves" / wave
    shutil.copytree(DATA / "waves" / "mini-wave", folder)
    manifest = folder / "wave.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace("mini-2013", wave),
                        encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def three_waves(tmp_path_factory) -> list[Path]:
    """outputs/mini-2012, mini-2013, mini-2014, published by the rules as the flow does."""
    root = tmp_path_factory.mktemp("trends")
    out = root / "outputs"
    book_file = DATA / "codebook-mini.yaml"
    book = load_codebook(book_file)

    early = _wave_folder(root, "mini-2012")
    (early / "survey.csv").write_text(SURVEY_2012, encoding="utf-8")
    manifest = early / "wave.yaml"  # 2012 asked only the first question
    manifest.write_text("\n".join(line for line in manifest.read_text(
        encoding="utf-8").splitlines() if "q2_local_gaps" not in line) + "\n", encoding="utf-8")
    publish_folder(early, out / "mini-2012", book, book_file)

    publish_folder(DATA / "waves" / "mini-wave", out / "mini-2013", book, book_file)

    newer = root / "codebook-mini-0.2.yaml"  # version 0.2 adds a code
    text = book_file.read_text(encoding="utf-8").replace('version: "0.1"', 'version: "0.2"')
    text = text.replace("../../models/stance/cues.yaml",
                        str(ROOT / "models" / "stance" / "cues.yaml"))
    newer.write_text(text + FAMILY_CODE, encoding="utf-8")
    publish_folder(_wave_folder(root, "mini-2014"), out / "mini-2014", load_codebook(newer),
                   newer)
    return [out / "mini-2012", out / "mini-2013", out / "mini-2014"]


@pytest.fixture(scope="module")
def trend(three_waves):
    return build_trend_report(three_waves)


def test_trend_rows_are_each_waves_theme_summary_row_for_row(three_waves, trend):
    table = pd.read_csv(trend.path.parent / "theme_trends.csv", dtype={"question_id": str})
    assert table["wave"].unique().tolist() == ["mini-2012", "mini-2013", "mini-2014"]
    for index, folder in enumerate(three_waves):
        summary = read_wave(folder).theme_summary
        rows = table[table["wave_index"] == index].reset_index(drop=True)
        assert len(rows) == len(summary) > 0
        pd.testing.assert_frame_equal(rows[summary.columns].fillna({"parent": ""}),
                                      summary.fillna({"parent": ""}), check_dtype=False)
    # housing in q1: 2 of 5 in 2012 ("no supported housing", "Housing support has improved")
    housing = table[(table["code_id"] == "housing") & (table["question_id"] == "q1_needs_met")]
    assert housing[["mentions", "respondents"]].values.tolist() == [[2, 5], [1, 4], [1, 4]]


def test_wilson_interval_by_hand():
    # 0 of 10: centre = (z²/2n) / (1 + z²/n) = half-width; upper = z² / (n + z²)
    # = 3.841459 / 13.841459 = 0.277533
    assert wilson_interval(0, 10) == pytest.approx((0.0, 0.277533), abs=1e-6)
    # 45 of 100: centre = (0.45 + 0.019207) / 1.038415 = 0.451849;
    # half = 1.959964 * sqrt(0.002475 + 0.0000960) / 1.038415 = 0.095704
    low, high = wilson_interval(45, 100)
    assert (low, high) == pytest.approx((0.356145, 0.547553), abs=1e-5)
    expected = stats.binomtest(45, 100).proportion_ci(method="wilson")
    assert (low, high) == pytest.approx((expected.low, expected.high), abs=1e-12)
    assert wilson_interval(0, 0) == (0.0, 1.0)
    with pytest.raises(ValueError):
        wilson_interval(5, 4)


def test_every_interval_holds_its_share_and_matches_wilson(trend):
    table = trend.tables["theme_trends"]
    assert (table["ci_low"] <= table["share"]).all() and (table["share"] <= table["ci_high"]).all()
    for row in table.sample(10, random_state=1).itertuples():
        low, high = wilson_interval(row.mentions, row.respondents)
        assert (row.ci_low, row.ci_high) == pytest.approx((low, high), abs=1e-4)


def test_the_codebook_change_is_marked(trend):
    changes = trend.tables["codebook_changes"]
    assert changes["wave"].tolist() == ["mini-2014"]  # 2012 and 2013 share a codebook
    assert "version 0.1 -> 0.2" in changes["change"].iloc[0]
    page = trend.path.read_text(encoding="utf-8")
    assert "The codebook changed before mini-2014" in page
    fig = trend_chart(trend.tables["theme_trends"].query("code_id == 'housing'"), "question_id",
                      ["mini-2012", "mini-2013", "mini-2014"], title="Housing",
                      changes={2: "v0.2"})
    marker = [line for line in fig.axes[0].lines if list(line.get_xdata()) == [1.5, 1.5]]
    assert len(marker) == 1 and marker[0].get_linestyle() == "--"


def test_questions_and_codes_a_wave_lacks_are_named(trend):
    found = trend.tables["gaps"].set_index("id")
    assert found.loc["q2_local_gaps", "missing_in"] == "mini-2012"
    assert found.loc["families", "missing_in"] == "mini-2012, mini-2013"
    page = trend.path.read_text(encoding="utf-8")
    assert "Question q2_local_gaps" in page and "not asked that wave" in page
    assert "Code families (Families) is not in mini-2012, mini-2013" in page


def test_the_page_has_a_chart_per_code(three_waves, trend):
    page = trend.path.read_text(encoding="utf-8")
    charted = re.findall(r'<img class="trend-chart" data-code="([^"]+)"', page)
    codes = load_codebook(three_waves[-1] / "codebook.yaml").code_ids()
    assert charted == codes and "families" in codes
    for code_id in codes:
        png = trend.charts[f"code-{code_id}"]
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not re.search(r"""<(script|link|img)[^>]+(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert "Per-topic trends" in page or "No wave has topics" in page


def test_the_last_step_compares_the_last_two_waves(three_waves, trend):
    earlier, current = (read_wave(d) for d in three_waves[-2:])
    expected = compare_shares(current.theme_summary, earlier.theme_summary,
                              codebook_note="version 0.1 -> 0.2")
    found = pd.read_csv(trend.path.parent / "compare.csv", dtype={"question_id": str})
    assert found[["code_id", "question_id", "difference"]].values.tolist() == expected[
        ["code_id", "question_id", "difference"]].values.tolist()
    assert trend.compare_report == three_waves[-1] / "report.html"
    assert trend.compare_report.is_file()
    assert 'href="../mini-2014/report.html"' in trend.path.read_text(encoding="utf-8")


def test_stable_topics_get_lines_and_per_wave_ids_do_not(three_waves, tmp_path):
    copies = [Path(shutil.copytree(d, tmp_path / d.name)) for d in three_waves]
    for number, folder in enumerate(copies):
        write_parquet(pd.DataFrame([
            {s.WAVE: folder.name, s.TOPIC_ID: topic, s.SIZE: size, s.WORDS: words,
             s.REPRESENTATIVE_SEGMENTS: [], s.REPRESENTATIVE_TEXTS: [], s.COVERAGE: 0.1,
             s.TOP_CODE: None, s.UNCOVERED: True}
            for topic, size, words in ((-1, 10, ["x"]), (0, 20 + number, ["benefit"]),
                                       (1, 10, ["sanction"]))]), s.TOPICS,
            folder / "topics.parquet")
    table, note = topic_trends(read_trend_waves(copies))
    assert table is None and "that wave's own" in note
    for number, folder in enumerate(copies):  # assigned from a kept topic model: same ids
        topics = pd.read_parquet(folder / "topics.parquet").assign(
            first_wave=copies[0].name, new_in_wave=False)
        topics.loc[topics["topic_id"] == 1, "new_in_wave"] = number == 1
        topics.to_parquet(folder / "topics.parquet", index=False)
    table, note = topic_trends(read_trend_waves(copies))
    assert note is None
    first = table[(table["topic_id"] == 0)]
    assert first["share"].tolist() == [round(20 / 40, 4), round(21 / 41, 4), round(22 / 42, 4)]
    assert charted_topics(table) == ([0, 1], None)
    assert charted_topics(table, limit=1) == ([0], (  # 63 segments over the waves against 30
        "The 1 of 2 topics with the most segments across the waves are charted here; "
        "topic_trends.csv holds every topic."))
    report = build_trend_report(copies, tmp_path / "trends", compare_last=False)
    assert {"topic-0", "topic-1"} <= set(report.charts)
    page = report.path.read_text(encoding="utf-8")
    assert 'data-topic="0"' in page and "(new in mini-2013)" in page


def test_trend_table_of_two_waves(three_waves):
    table = theme_trends(read_trend_waves(three_waves[:2]))
    assert table["wave_index"].unique().tolist() == [0, 1]
    assert (table["codebook_version"] == "0.1").all()


def test_cli_report_waves(three_waves, tmp_path):
    out = tmp_path / "cli-trends"
    result = CliRunner().invoke(app, ["report", "--waves", *map(str, three_waves),
                                      "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / "report.html").is_file() and "report.html" in result.output
    one = CliRunner().invoke(app, ["report", "--waves", str(three_waves[0])])
    assert one.exit_code == 2 and "at least two" in one.stderr
    two = CliRunner().invoke(app, ["report", *map(str, three_waves[:2])])
    assert two.exit_code == 2 and "--waves" in two.stderr
    same = CliRunner().invoke(app, ["report", "--waves", str(three_waves[0]),
                                    str(three_waves[0])])
    assert same.exit_code == 2 and "same wave" in same.stderr


WIDTH_PROBE = """<script>
window.addEventListener('load', function () {
  var view = document.documentElement.clientWidth, wide = [];
  document.querySelectorAll('body *').forEach(function (e) {
    if (e.parentElement && e.parentElement.closest('table')) { return; }  // tables scroll
    var box = e.getBoundingClientRect();
    if (box.right > view + 1) { wide.push(e.tagName + ' ' + Math.round(box.width)); }
  });
  var out = document.createElement('pre');
  out.id = 'width-probe';
  out.setAttribute('data-scroll', document.documentElement.scrollWidth - view);
  out.setAttribute('data-images', Array.prototype.filter.call(document.images,
    function (i) { return i.complete && i.naturalWidth > 0; }).length);
  out.textContent = wide.join('\\n');
  document.body.appendChild(out);
});
</script>"""


@pytest.mark.parametrize("width", [400, 1400])
def test_the_page_fits_the_window_in_a_browser(trend, tmp_path, width):
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.fail("chromium is not installed: `apt-get install -y chromium` (make test does)")
    page = tmp_path / "probe.html"
    page.write_text(trend.path.read_text(encoding="utf-8").replace(
        "</head>", WIDTH_PROBE + "</head>", 1), encoding="utf-8")
    done = subprocess.run(
        [chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
         "--no-first-run", "--no-proxy-server", "--host-resolver-rules=MAP * ~NOTFOUND",
         f"--user-data-dir={tmp_path / 'profile'}", "--hide-scrollbars",
         f"--window-size={width},2000", "--virtual-time-budget=5000", "--dump-dom",
         page.as_uri()], capture_output=True, text=True, timeout=180, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    probe = re.search(r'<pre id="width-probe" data-scroll="(-?\d+)" data-images="(\d+)">'
                      r"([^<]*)</pre>", done.stdout)
    assert probe is not None, "the page never loaded"
    scroll, images, wide = int(probe.group(1)), int(probe.group(2)), probe.group(3).strip()
    assert images == len(trend.charts)  # every chart decodes
    assert scroll <= 0 and wide == "", (scroll, wide)


QUESTIONS = 30  # more than a chart has colours and more than the page lists
RESPONDENTS = 12


def _answered(k: int) -> int:
    """How many respondents answer question k: 1-12, in no order, ties among them."""
    return 1 + (7 * k) % RESPONDENTS


def _wide_wave(root: Path, wave: str, shift: int) -> Path:
    folder = root / wave
    folder.mkdir(parents=True)
    questions = "\n".join(f"      - {{id: q{k:02d}, column: c{k:02d}, text: Question {k}}}"
                          for k in range(1, QUESTIONS + 1))
    (folder / "wave.yaml").write_text(
        f"id: {wave}\nsources:\n  - kind: survey\n    file: survey.csv\n"
        f"    respondent_id: id\n    questions:\n{questions}\n", encoding="utf-8")
    rows = []
    for r in range(RESPONDENTS):
        cells = [("There is no supported housing." if (r + k + shift) % 3 else "Nothing to add.")
                 if r < _answered(k) else "" for k in range(1, QUESTIONS + 1)]
        rows.append(",".join([f"R{r:02d}", *cells]))
    header = ",".join(["id", *(f"c{k:02d}" for k in range(1, QUESTIONS + 1))])
    (folder / "survey.csv").write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def wide_waves(tmp_path_factory) -> list[Path]:
    """Two waves of a survey of 30 open questions, each answered by 1-12 of 12 respondents."""
    root = tmp_path_factory.mktemp("wide")
    book_file = DATA / "codebook-mini.yaml"
    book = load_codebook(book_file)
    out = root / "outputs"
    for number, wave in enumerate(("wide-2013", "wide-2014")):
        publish_folder(_wide_wave(root / "waves", wave, number), out / wave, book, book_file)
    return [out / "wide-2013", out / "wide-2014"]


def _most_answered(limit: int) -> list[str]:
    ranked = sorted(range(1, QUESTIONS + 1), key=lambda k: (-_answered(k), k))
    return [f"q{k:02d}" for k in ranked[:limit]]


def test_questions_by_reach_sums_the_waves_and_keeps_id_order_on_ties():
    rows = pd.DataFrame({s.QUESTION_ID: ["b", "b", "a", "c", "c", "a"],
                         "wave_index": [0, 0, 0, 0, 1, 1],
                         s.RESPONDENTS: [5, 5, 3, 4, 4, 2]})
    assert questions_by_reach(rows) == ["c", "a", "b"]  # c 8, then a and b 5 each


def test_a_code_chart_of_many_questions_draws_the_most_answered(wide_waves):
    trends = theme_trends(read_trend_waves(wide_waves))
    housing = trends[trends[s.CODE_ID] == "housing"]
    assert housing[s.QUESTION_ID].nunique() == QUESTIONS
    legend = code_chart(housing, ["wide-2013", "wide-2014"]).axes[0].get_legend()
    drawn = [text.get_text().split(":")[0] for text in legend.get_texts()]
    assert sorted(drawn) == sorted(_most_answered(8))
    assert legend.get_title().get_text().replace("\n", " ") == (
        "The 8 of 30 questions with the most respondents")
    few = housing[housing[s.QUESTION_ID].isin(["q01", "q02"])]
    assert code_chart(few, ["wide-2013", "wide-2014"]).axes[0].get_legend().get_title(
        ).get_text() == ""


def test_the_page_of_many_questions_lists_the_most_answered(wide_waves, tmp_path):
    report = build_trend_report(wide_waves, tmp_path / "trends")
    page = report.path.read_text(encoding="utf-8")
    table = re.search(r'<table class="trend-table" data-code="housing">(.*?)</table>(.*?)<h3',
                      page, re.S)
    listed = re.findall(r"<tr><td>(q\d\d): ", table.group(1))
    assert listed == sorted(_most_answered(24))  # in question order
    assert "The 24 questions with the most respondents across the waves;\n6 more in" in (
        table.group(2))
    compared = re.search(r'<table id="compare-table">(.*?)</table>', page, re.S).group(1)
    assert set(re.findall(r'<td class="question_id">(q\d\d)</td>', compared)) == set(
        _most_answered(24))
    assert "24 of 30 questions are shown" in page
    assert set(pd.read_csv(report.path.parent / "compare.csv")[s.QUESTION_ID]) == {
        f"q{k:02d}" for k in range(1, QUESTIONS + 1)}
    assert len(report.tables["theme_trends"]) == 2 * QUESTIONS * len(
        load_codebook(DATA / "codebook-mini.yaml").code_ids())


def test_the_page_names_twenty_gaps_and_counts_the_rest():
    table = pd.DataFrame({"kind": "question", "id": [f"q{k}" for k in range(25)],
                          s.LABEL: "a question", "missing_in": "w1"})
    notes = _gap_notes(table)
    assert len(notes) == 21 and notes[0] == (
        "Question q0 (a question) is not in w1: not asked that wave.")
    assert notes[-1] == "5 more questions or codes some wave lacks: gaps.csv lists every one."
    assert len(_gap_notes(table.head(20))) == 20


def test_past_the_limit_the_codes_with_the_most_mentions_are_charted(three_waves):
    found = read_trend_waves(three_waves)
    trends = theme_trends(found)
    order = load_codebook(three_waves[-1] / "codebook.yaml").code_ids()
    mentions = trends.groupby("code_id")["mentions"].sum()
    top = sorted(order, key=lambda c: (-mentions.get(c, 0), order.index(c)))[:2]
    codes, note = charted_codes(found, trends, limit=2)
    assert codes == [c for c in order if c in top] and mentions[top[0]] > mentions[top[1]] > 0
    assert note == (f"The 2 of {len(order)} codes with the most mentions across the waves are "
                    "charted here; theme_trends.csv holds every code.")
    assert charted_codes(found, trends) == (order, None)
