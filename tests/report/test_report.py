"""The wave report, used as a person would: built from coded outputs, opened in a browser.

The browser checks need Debian's ``chromium`` (``apt-get install -y chromium``); they fail with
that instruction when it is missing, since the page is only proven by rendering it.
"""

from __future__ import annotations

import json
import math
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from support_review import DATA, coding, decisions, publish_folder
from typer.testing import CliRunner

from flows.cli import app
from pipeline import schema as s
from pipeline.export.files import write_parquet
from pipeline.export.tables import standing, theme_summary
from pipeline.outputs import database_of, read_wave
from pipeline.report import build_report, report_tables
from pipeline.report.compare import codebook_change, compare_shares, two_proportions
from pipeline.report.html import pct, plotly_js
from pipeline.report.inputs import load_outputs
from pipeline.review.apply import refresh_outputs
from pipeline.review.log import append_decisions

EARLIER_SURVEY = """service_id,region,service_type,needs_met,local_gaps
S001,North West,community,"Most needs are met.",There is a lack of supported housing locally.
S002,London,residential,"We need more help with ETE.",Housing is hard to access for our clients.
S005,North West,community,"Needs are well met.",There is no dry housing in the borough.
S006,London,community,"Housing support has improved.",Mental health services are hard to access.
"""


def code_wave(folder: Path, out_dir: Path, codebook) -> Path:
    """Ingest, segment, code and publish one wave as ``wavecoder run`` does."""
    publish_folder(folder, out_dir, codebook, DATA / "codebook-mini.yaml")
    return out_dir


@pytest.fixture(scope="module")
def waves(tmp_path_factory, waves_dir, mini_codebook):
    """This wave (the mini wave, reviewed, with topics) and an earlier, edited copy of it."""
    root = tmp_path_factory.mktemp("report")
    current = code_wave(waves_dir / "mini-wave", root / "out" / "mini-2013", mini_codebook)
    # a reviewer rejects the ETE coding and accepts a housing one, through the review log,
    # both passages drawn at random (their decisions marked as a sample's)
    append_decisions(database_of(current), "mini-2013", decisions([
        (*coding(current, "ETE support is not available locally.", "employment_training"),
         "rejected"),
        (*coding(current, "Housing is the gap", "housing"), "accepted")]).assign(
        **{s.DETAIL: f"{s.SAMPLE_MARK}: row 2"}))
    refresh_outputs(current, mini_codebook)
    topics = pd.DataFrame([
        {s.WAVE: "mini-2013", s.TOPIC_ID: 0, s.SIZE: 12, s.WORDS: ["sanction", "benefit"],
         s.REPRESENTATIVE_SEGMENTS: ["a"], s.REPRESENTATIVE_TEXTS: ["Benefit sanctions bite."],
         s.COVERAGE: 0.1, s.TOP_CODE: None, s.UNCOVERED: True},
        {s.WAVE: "mini-2013", s.TOPIC_ID: 1, s.SIZE: 30, s.WORDS: ["housing"],
         s.REPRESENTATIVE_SEGMENTS: ["b"], s.REPRESENTATIVE_TEXTS: ["Housing is the gap."],
         s.COVERAGE: 0.9, s.TOP_CODE: "housing", s.UNCOVERED: False}])
    write_parquet(topics, s.TOPICS, current / "topics.parquet")

    folder = root / "waves" / "mini-2012"
    shutil.copytree(waves_dir / "mini-wave", folder)
    manifest = folder / "wave.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace("mini-2013", "mini-2012"),
                        encoding="utf-8")
    (folder / "survey.csv").write_text(EARLIER_SURVEY, encoding="utf-8")
    earlier = code_wave(folder, root / "out" / "mini-2012", mini_codebook)
    run = json.loads((earlier / "run.json").read_text(encoding="utf-8"))
    run["codebook"]["version"] = "0.0"  # the earlier wave was coded with an older codebook
    (earlier / "run.json").write_text(json.dumps(run), encoding="utf-8")
    return current, earlier


@pytest.fixture(scope="module")
def report(waves) -> Path:
    current, earlier = waves
    return build_report(current, compare_dir=earlier)


def csv(report: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(report.parent / "report" / f"{name}.csv")


# ------------------------------------------------------------------ the files


def test_report_and_tables_are_written(report):
    assert report.name == "report.html"
    written = sorted(p.name for p in (report.parent / "report").glob("*.csv"))
    assert written == sorted(f"{n}.csv" for n in (
        "themes", "stance_by_theme", "direction_by_theme", "crosstabs", "cooccurrence",
        "uncovered_topics", "exemplars", "codings_stances", "compare", "review"))


def test_page_is_self_contained(report):
    page = report.read_text(encoding="utf-8")
    assert not re.search(r"""<(script|link|img|iframe)[^>]+(src|href)\s*=\s*["']?(https?:)?//""",
                         page, flags=re.I)
    assert page.count(plotly_js()[:200]) == 1  # plotly.js inlined once, not per chart


def test_rejected_codings_are_left_out(report):
    themes = csv(report, "themes").set_index(["question_id", "code_id"])
    assert themes.loc[("q2_local_gaps", "employment_training"), "mentions"] == 0
    assert themes.loc[("q2_local_gaps", "housing"), "share"] == pytest.approx(1 / 3, abs=1e-4)
    assert "1 codings rejected in review are left out." in report.read_text(encoding="utf-8")


def test_review_section_counts_codings_by_status(report):
    review = csv(report, "review").set_index("code_id")
    assert review.loc["employment_training", ["rejected", "accepted"]].tolist() == [1, 0]
    assert review.loc["housing", ["accepted", "rejected", "human-added"]].tolist() == [1, 0, 0]
    page = report.read_text(encoding="utf-8")
    assert 'id="review-table"' in page and '<a href="#review">Review</a>' in page


def test_the_machine_on_a_random_sample_is_said_in_the_review_section(report):
    page = " ".join(report.read_text(encoding="utf-8").split())
    # two passages read whole: the machine's two codings, the reviewer kept one, added none
    assert ("On 2 passages drawn at random and read whole by reviewers (coded or not), 50.0% "
            "of the machine's codes were kept (precision) and it found 100.0% of the reviewers' "
            "(recall): F1 0.67 (95 % interval 0.00-1.00), kappa 0.50") in page


def test_theme_shares_agree_with_the_runs_theme_summary(tmp_path, waves_dir, mini_codebook):
    out = code_wave(waves_dir / "mini-wave", tmp_path / "mini-2013", mini_codebook)
    path = build_report(out)
    mine = csv(path, "themes").set_index(["question_id", "code_id"])
    summary = pd.read_csv(out / "theme_summary.csv").set_index(["question_id", "code_id"])
    joined = summary[["mentions", "share"]].join(mine[["mentions", "share"]], rsuffix="_report")
    assert (joined["mentions"] == joined["mentions_report"]).all()
    assert (joined["share"] - joined["share_report"]).abs().max() < 1e-9
    assert not (path.parent / "report" / "compare.csv").exists()
    page = path.read_text(encoding="utf-8")  # no topics: the note says so, and nothing more
    topics = page[page.index('<h2 id="topics">'):page.index('<h2 id="quotes">')]
    assert "Topic discovery did not run" in topics and "None." not in topics


def test_the_theme_table_is_the_published_theme_summary_row_for_row(waves, report,
                                                                   mini_codebook):
    current, _ = waves
    wave = read_wave(current)
    expected = theme_summary(wave.documents, wave.segments, standing(wave.codings),
                             mini_codebook)
    # codes mentioned equally often, in the same question: their order is the codebook's
    ties = expected[expected[s.MENTIONS] > 0].groupby([s.QUESTION_ID, s.MENTIONS]).size()
    assert (ties > 1).any()
    found = report_tables(load_outputs(current))["themes"]
    pd.testing.assert_frame_equal(found.reset_index(drop=True), expected)
    pd.testing.assert_frame_equal(csv(report, "themes"),
                                  pd.read_csv(current / "theme_summary.csv"))


def test_stances_needs_gaps_and_quotes(report):
    stance = csv(report, "stance_by_theme").set_index("code_id")
    assert stance.loc["housing_gap", "gap"] >= 2  # "no dry housing", "no dry house"
    assert stance.loc["housing", "gap"] >= stance.loc["housing_gap", "gap"]  # rolled up
    quotes = csv(report, "exemplars")
    housing = quotes[quotes["code_id"] == "housing"]
    assert housing["status"].iloc[0] == "accepted"  # a reviewed quote comes first
    assert housing["quote"].iloc[0].startswith("Housing is the gap")
    assert quotes.groupby("code_id").size().max() <= 3
    for row in quotes.itertuples():
        assert row.quote[row.evidence_start:row.evidence_end] == row.evidence
    topics = csv(report, "uncovered_topics")
    assert topics["topic_id"].tolist() == [0]


def test_attribute_shares_keep_survey_answers_and_interviews_apart(report):
    crosstabs = csv(report, "crosstabs")
    # the one interviewee's organisation compares them with nobody; the survey respondents'
    # region and service type are shares of survey respondents only (S001, S002, S004, line-8)
    assert set(crosstabs["kind"]) == {"survey"}
    assert set(crosstabs["attribute"]) == {"region", "service_type"}
    people = crosstabs.drop_duplicates(["attribute", "value"]).groupby("attribute")[
        "respondents"].sum()
    assert people.to_dict() == {"region": 4, "service_type": 4}


def mention(code_id, theme, text, segment_id, confidence=0.9, status="machine"):
    return {"code_id": code_id, "theme": theme, "text": text, "segment_id": segment_id,
            "confidence": confidence, "status": status, "segment_start": 0, "start": 0,
            "end": 4, "evidence": text[:4], "respondent_id": segment_id, "question_id": "q",
            "stance": None, "direction": None}


def test_quotes_are_not_repeated_nor_shared_between_themes(mini_codebook):
    from pipeline.report.tables import exemplars

    stock = "There is no dry housing in the county, none at all."
    mentioned = pd.DataFrame([
        mention("housing", "housing", stock, "a"),
        mention("housing", "housing", "There is no dry housing in the county - none at all!",
                "b"),  # the same answer pasted again, punctuated differently
        mention("housing", "housing", "THERE IS NO DRY HOUSING IN THE COUNTY, NONE.", "c"),
        mention("housing", "housing", "Housing is the gap for most of our clients.", "d", 0.5),
        # one passage coded with a child code: it counts for the parent too
        mention("housing_gap", "housing_gap", "Supported housing is missing here.", "e"),
        mention("housing_gap", "housing", "Supported housing is missing here.", "e"),
        mention("housing_gap", "housing_gap", "Nowhere to live after detox.", "f", 0.8),
        mention("housing_gap", "housing", "Nowhere to live after detox.", "f", 0.8),
    ])
    quotes = exemplars(mentioned, mini_codebook)
    by_code = quotes.groupby("code_id")["segment_id"].apply(list).to_dict()
    assert by_code == {"housing": ["a", "d"], "housing_gap": ["e", "f"]}
    assert not quotes["segment_id"].duplicated().any()


def test_a_written_stances_table_is_used(tmp_path, waves_dir, mini_codebook):
    out = code_wave(waves_dir / "mini-wave", tmp_path / "mini-2013", mini_codebook)
    codings = pd.read_parquet(out / "codings.parquet")
    written = codings[[s.SEGMENT_ID, s.CODE_ID]].assign(**{
        name: None for name in s.STANCES.names if name not in (s.SEGMENT_ID, s.CODE_ID)})
    written[s.STANCE] = "needed"
    write_parquet(written, s.STANCES, out / "stances.parquet")
    stance = csv(build_report(out), "stance_by_theme")
    assert (stance["needed"] == stance["respondents"]).all()
    assert stance["gap"].sum() == 0


def test_cooccurrence_is_respondent_level(report):
    matrix = csv(report, "cooccurrence").set_index("code_id")
    assert (matrix.values == matrix.values.T).all()
    themes = csv(report, "themes")
    # S002 raises ETE (q1) and mental health (q2): one respondent with both
    assert matrix.loc["employment_training", "mental_health"] >= 1
    assert matrix.loc["housing", "housing"] <= themes["mentions"].sum()


def test_compare_tests_each_theme_and_flags_the_codebook(report):
    table = csv(report, "compare")
    assert table["codebook_changed"].all()
    assert "version 0.0 -> 0.1" in table["codebook_note"].iloc[0]
    row = table[(table["question_id"] == "q2_local_gaps") & (table["code_id"] == "housing")]
    row = row.iloc[0]
    expected = two_proportions(int(row["mentions"]), int(row["respondents"]),
                               int(row["mentions_earlier"]), int(row["respondents_earlier"]))
    assert row["difference"] == pytest.approx(expected.difference, abs=1e-4)
    assert row["ci_low"] == pytest.approx(expected.ci_low, abs=1e-4)
    assert row["p"] == pytest.approx(expected.p_value, abs=1e-6)
    assert "The codebooks differ" in report.read_text(encoding="utf-8")


def test_cli_function(waves):
    current, earlier = waves
    result = CliRunner().invoke(app, ["report", str(current), "--compare", str(earlier)])
    assert result.exit_code == 0, result.output
    assert "report.html" in result.output
    assert CliRunner().invoke(app, ["report", str(current.parent / "nowhere")]).exit_code == 2


def test_a_wave_without_the_codebook_it_used_is_named(tmp_path, waves_dir, mini_codebook):
    out = code_wave(waves_dir / "mini-wave", tmp_path / "mini-2013", mini_codebook)
    (out / "codebook.yaml").unlink()
    result = CliRunner().invoke(app, ["report", str(out)])
    assert result.exit_code == 2
    assert f"{out / 'codebook.yaml'}: no such file" in result.stderr
    assert not (out / "report.html").exists()


# ------------------------------------------------------------------ the statistics


def test_two_proportions_by_hand():
    # 45 of 100 now, 30 of 100 before: p1 - p2 = 0.15.
    # pooled p = 75/200 = 0.375; SE0 = sqrt(0.375 * 0.625 * (1/100 + 1/100)) = 0.0684653
    # z = 0.15 / 0.0684653 = 2.19089; p = 2 * (1 - Phi(2.19089)) = 0.028460
    # SE1 = sqrt(0.45 * 0.55 / 100 + 0.30 * 0.70 / 100) = sqrt(0.004575) = 0.0676387
    # 95% CI = 0.15 -/+ 1.959964 * 0.0676387 = 0.15 -/+ 0.132569 = (0.017431, 0.282569)
    result = two_proportions(45, 100, 30, 100)
    assert result.test == "z"
    assert result.difference == pytest.approx(0.15)
    assert result.z == pytest.approx(2.19089, abs=1e-5)
    assert result.p_value == pytest.approx(0.028460, abs=1e-6)
    assert (result.ci_low, result.ci_high) == pytest.approx((0.017431, 0.282569), abs=1e-6)


def test_small_counts_use_fishers_exact_test():
    # 3 of 10 now, 1 of 12 before: expected positives in the first group 10 * 4/22 = 1.8 < 5.
    # Hypergeometric, 4 positives among 22, 10 drawn: P(k) = C(10,k) C(12,4-k) / C(22,4),
    # C(22,4) = 7315: P(0) = 495/7315, P(1) = 2200/7315, P(2) = 2970/7315, P(3) = 1440/7315,
    # P(4) = 210/7315. Two-sided: outcomes no likelier than k=3: (495 + 1440 + 210) / 7315.
    result = two_proportions(3, 10, 1, 12)
    assert result.test == "fisher"
    assert result.p_value == pytest.approx(2145 / 7315, abs=1e-9)
    assert result.difference == pytest.approx(0.3 - 1 / 12)


def test_no_difference_and_identical_extremes():
    assert two_proportions(10, 40, 10, 40).p_value == pytest.approx(1.0)
    same = two_proportions(0, 50, 0, 60)
    assert (same.z, same.p_value, same.ci_low, same.ci_high) == (0.0, 1.0, 0.0, 0.0)


def test_codebook_change_names_what_differs():
    book = {"id": "rc", "version": "1.0", "sha256": "a" * 64}
    assert codebook_change(book, dict(book)) is None
    assert codebook_change(book, {**book, "sha256": "b" * 64}) == (
        "sha256 bbbbbbbbbbbb -> aaaaaaaaaaaa")
    assert "not recorded" in codebook_change(book, {})


def test_compare_shares_adjusts_for_many_tests():
    def shares(mentions: list[int]) -> pd.DataFrame:
        return pd.DataFrame({"question_id": "q", "question": "Q?", "code_id": list("abc"),
                             "label": list("ABC"), "respondents": 100, "mentions": mentions,
                             "share": [m / 100 for m in mentions]})
    table = compare_shares(shares([45, 10, 0]), shares([30, 12, 0]))
    assert table["code_id"].tolist() == ["a", "b"]  # c is never mentioned: nothing to test
    assert (table["q"] >= table["p"]).all()
    assert not table["codebook_changed"].any()


# ------------------------------------------------------------------ in the browser

PROBE = """<script>
(function () {
  var errors = [];
  function show() {
    var box = document.getElementById('probe-errors');
    if (box) { box.textContent = errors.join('\\n'); }
  }
  window.addEventListener('error', function (e) { errors.push('error: ' + e.message); show(); });
  window.addEventListener('unhandledrejection', function (e) {
    errors.push('rejection: ' + e.reason); show(); });
  var consoleError = console.error;
  console.error = function () {
    errors.push('console.error: ' + Array.prototype.join.call(arguments, ' ')); show();
    consoleError.apply(console, arguments);
  };
  window.addEventListener('load', function () {
    var box = document.createElement('pre');
    box.id = 'probe-errors';
    document.body.appendChild(box);
    show();
    setTimeout(function () { box.setAttribute('data-done', 'yes'); }, 500);
  });
})();
</script>"""


def chromium() -> str:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    pytest.fail("chromium is not installed; install Debian's browser with "
                "`apt-get install -y chromium` (make test does this first)")


def browse(page: Path, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Open ``page`` in headless Chromium with the network off."""
    command = [chromium(), "--headless=new", "--no-sandbox", "--disable-gpu",
               "--disable-dev-shm-usage", "--no-first-run", "--no-proxy-server",
               "--host-resolver-rules=MAP * ~NOTFOUND", f"--user-data-dir={profile}",
               "--hide-scrollbars", "--window-size=1280,4000", "--virtual-time-budget=15000",
               *args, page.resolve().as_uri()]
    done = subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done


def with_probe(page: Path, target: Path, extra: str = "") -> Path:
    html = page.read_text(encoding="utf-8")
    target.write_text(html.replace("<head>", "<head>" + PROBE + extra, 1), encoding="utf-8")
    return target


class Dom(HTMLParser):
    """Elements of a dumped page: tag, attributes and text, in document order."""

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[dict] = []
        self._open: list[dict] = []

    def handle_starttag(self, tag, attrs):
        element = {"tag": tag, "attrs": dict(attrs), "text": ""}
        self.elements.append(element)
        if tag not in {"meta", "link", "br", "img", "input", "path", "rect", "line", "stop"}:
            self._open.append(element)

    def handle_endtag(self, tag):
        for i in range(len(self._open) - 1, -1, -1):
            if self._open[i]["tag"] == tag:
                del self._open[i:]
                break

    def handle_data(self, data):
        for element in self._open:
            element["text"] += data

    def with_class(self, name: str) -> list[dict]:
        return [e for e in self.elements if name in e["attrs"].get("class", "").split()]

    def by_id(self, name: str) -> dict | None:
        return next((e for e in self.elements if e["attrs"].get("id") == name), None)


@pytest.fixture(scope="module")
def rendered(report, tmp_path_factory):
    root = tmp_path_factory.mktemp("browser")
    probe = with_probe(report, root / "report-probe.html")
    dom = Dom()
    dom.feed(browse(probe, root / "profile-dom", "--dump-dom").stdout)
    shot = root / "report.png"
    browse(report, root / "profile-shot", f"--screenshot={shot}")
    return dom, shot


def test_browser_finds_no_script_errors(rendered):
    dom, _ = rendered
    box = dom.by_id("probe-errors")
    assert box is not None and box["attrs"].get("data-done") == "yes", "the page never loaded"
    assert box["text"].strip() == ""


def test_the_probe_catches_an_error(report, tmp_path):
    broken = with_probe(report, tmp_path / "broken.html", "<script>noSuchFunction();</script>")
    dom = Dom()
    dom.feed(browse(broken, tmp_path / "profile", "--dump-dom").stdout)
    assert "noSuchFunction" in dom.by_id("probe-errors")["text"]


def test_every_chart_is_drawn(rendered, report):
    dom, _ = rendered
    declared = next(int(e["attrs"]["content"]) for e in dom.elements
                    if e["attrs"].get("name") == "wavecoder-charts")
    # themes, stance, direction, survey respondents by region and by service type,
    # co-occurrence, compare (the one interviewee's organisation is not compared with anyone)
    assert declared == 7
    plots = dom.with_class("js-plotly-plot")
    assert len(plots) == declared
    assert len(dom.with_class("main-svg")) >= declared
    bars = [e for e in dom.elements if e["tag"] == "g" and "point" in e["attrs"].get(
        "class", "").split()]
    assert len(bars) > 10


def test_numbers_on_the_page_match_the_csv(rendered, report):
    dom, _ = rendered
    themes = csv(report, "themes")
    checked = 0
    for question_id, group in themes.groupby("question_id"):
        table = dom.by_id(f"themes-{question_id}")
        assert table is not None
        start = dom.elements.index(table)
        rows = [e for e in dom.elements[start:] if e["tag"] == "tr" and "data-code" in e["attrs"]]
        rows = rows[:int((group["mentions"] > 0).sum())]
        expected = group.set_index("code_id")
        for row in rows:
            code = row["attrs"]["data-code"]
            cell = dom.elements[dom.elements.index(row):]
            share = next(e for e in cell if "share" in e["attrs"].get("class", "").split())
            assert share["text"].strip() == pct(expected.loc[code, "share"])
            assert math.isclose(float(share["attrs"]["data-value"]), expected.loc[code, "share"])
            checked += 1
    assert checked == int((themes["mentions"] > 0).sum())
    compare = csv(report, "compare")
    shown = dom.by_id("compare-table")
    assert shown is not None
    first = compare.iloc[0]
    assert f"{first['difference'] * 100:+.1f}" in shown["text"]


def test_screenshot_shows_the_page(rendered):
    from PIL import Image

    _, shot = rendered
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    image = Image.open(shot).convert("RGB")
    assert image.size == (1280, 4000)
    colours = image.resize((128, 400)).getcolors(maxcolors=100000)
    assert colours is not None and len(colours) > 50  # text, bars and axes, not a blank page


# ------------------------------------------------------------------ at a phone's width

# Runs in the report, in a frame as wide as the window being tested (headless Chromium will not
# open a window under 500 px), and posts what it measured to the page around the frame.
LAYOUT_PROBE = """<script>
window.addEventListener('load', function () {
  setTimeout(function () {
    var width = window.innerWidth, wide = [];
    document.querySelectorAll('body *').forEach(function (el) {
      if (el.closest('#js-plotly-tester')) { return; }  // plotly's off-screen text measurer
      var box = el.getBoundingClientRect();
      if (box.width > 0 && (box.right > width + 0.5 || box.left < -0.5)) {
        wide.push({tag: el.tagName, cls: String(el.getAttribute('class') || ''),
                   id: el.id || '', text: (el.textContent || '').slice(0, 40),
                   left: Math.round(box.left), right: Math.round(box.right)});
      }
    });
    var heatmaps = [];
    document.querySelectorAll('.js-plotly-plot').forEach(function (plot) {
      if (plot.querySelector('g.hm')) {
        var area = plot.querySelector('.nsewdrag').getBoundingClientRect();
        heatmaps.push({id: plot.id, width: Math.round(area.width),
                       numbers: plot.querySelectorAll('g.hm text, .heatmaplayer text').length});
      }
    });
    parent.postMessage(JSON.stringify({
      width: width, scroll: document.documentElement.scrollWidth, wide: wide,
      heatmaps: heatmaps, bar_labels: document.querySelectorAll('.bartext').length}), '*');
  }, 1500);
});
</script>"""

FRAME = """<!DOCTYPE html><html><body style="margin:0">
<iframe src="report-layout.html" style="border:0; width:{width}px; height:2000px"></iframe>
<script>window.addEventListener('message', function (e) {{
  var out = document.createElement('pre'); out.id = 'layout-probe'; out.textContent = e.data;
  document.body.appendChild(out); }});</script></body></html>"""


@pytest.fixture(scope="module", params=[400, 1400], ids=["400px", "1400px"])
def layout(request, report, tmp_path_factory) -> dict:
    """What the page looks like in a window ``request.param`` pixels wide."""
    width = request.param
    root = tmp_path_factory.mktemp(f"layout-{width}")
    (root / "report-layout.html").write_text(report.read_text(encoding="utf-8").replace(
        "<head>", "<head>" + LAYOUT_PROBE, 1), encoding="utf-8")
    frame = root / "frame.html"
    frame.write_text(FRAME.format(width=width), encoding="utf-8")
    dom = Dom()
    dom.feed(browse(frame, root / "profile", "--dump-dom", "--window-size=1500,2100").stdout)
    probe = dom.by_id("layout-probe")
    assert probe is not None, "the layout probe never ran"
    return {"viewport": width, **json.loads(probe["text"])}


def test_nothing_is_wider_than_the_window(layout):
    assert layout["width"] == layout["viewport"]
    assert layout["scroll"] <= layout["width"]
    assert layout["wide"] == []  # titles, labels, tables and charts all fit


def test_heatmaps_keep_their_size_and_carry_their_numbers(layout):
    heatmaps = layout["heatmaps"]
    assert len(heatmaps) == 3  # by region, by service type, co-occurrence
    for heatmap in heatmaps:
        assert heatmap["width"] >= layout["width"] * 0.4, heatmap
        assert heatmap["numbers"] > 0, heatmap
    assert layout["bar_labels"] > 10  # bars carry their values


def test_a_page_of_many_questions_shows_the_most_answered_and_says_so():
    from pipeline.report.build import questions_on_page

    themes = pd.DataFrame({s.QUESTION_ID: [f"q{i:02d}" for i in range(30)],
                           s.CODE_ID: "housing", s.RESPONDENTS: [5] * 6 + [9] * 24,
                           s.MENTIONS: 1, s.RANK: 1})
    compare = themes[[s.QUESTION_ID, s.CODE_ID]].assign(difference=0.1)
    crosstabs = pd.DataFrame({s.CODE_ID: ["housing"], "respondents": [3]})
    on_page, note = questions_on_page({"themes": themes, "compare": compare,
                                       "crosstabs": crosstabs})
    expected = [f"q{i:02d}" for i in range(6, 30)]
    assert on_page["themes"][s.QUESTION_ID].tolist() == expected
    assert on_page["compare"][s.QUESTION_ID].tolist() == expected
    assert on_page["crosstabs"] is crosstabs
    assert note == ("24 of 30 questions are shown, those with the most respondents; "
                    "report/themes.csv holds every question.")
    few = {"themes": themes.head(24), "compare": compare.head(24)}
    assert questions_on_page(few) == (few, None)
