"""Ingest and segmentation on real think-aloud transcripts (SERDIF usability study); prints figures.

    .venv/bin/python benchmarks/serdif_ingest.py [--raw ../shared/gold/serdif-usability/raw]
        [--as-text] [--topics] [--embedding minilm|tfidf]

Copies the 17 ``.odt`` sessions to a temporary wave folder with no wave.yaml (``--as-text``
first converts them to ``.txt`` with odfpy, for code that cannot read ``.odt``), ingests and
segments them, and prints per session: whether the moderator was found, the share of the
session's words that are in segments, and the share of the study's Taguette highlights that
overlap a participant or moderator segment; then the segment-length distribution and, with
``--topics``, the topic table of the wave with fillers left out. Reads ../shared at run time;
nothing from it is written into the repository. Works on older code without ``role``/``filler``
columns (every segment then counts as the respondent's).
"""

from __future__ import annotations

import argparse
import csv
import re
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402

from pipeline import schema as s  # noqa: E402
from pipeline.ingest import ingest_wave  # noqa: E402
from pipeline.segment import segment_documents  # noqa: E402

STUDY = ROOT.parent / "shared" / "gold" / "serdif-usability"
TAGS = STUDY / "thematic-analysis" / "tags" / "csv" / "all_tags_20220303.csv"
_WORD = re.compile(r"\w+")
ROLE, FILLER = getattr(s, "ROLE", "role"), getattr(s, "FILLER", "filler")  # older code lacks them


def odt_as_text(path: Path) -> str:
    """An .odt's paragraphs, one per line (how a person would save it as plain text)."""
    from odf import teletype
    from odf.namespaces import TEXTNS
    from odf.opendocument import load

    lines: list[str] = []

    def visit(node: object) -> None:
        for child in getattr(node, "childNodes", []):
            if getattr(child, "qname", None) in ((TEXTNS, "p"), (TEXTNS, "h")):
                lines.append(teletype.extractText(child))
            else:
                visit(child)

    visit(load(str(path)).text)
    return "\n".join(lines)


def squeeze(text: str) -> tuple[str, list[int]]:
    """``text`` with runs of whitespace as one space, and each kept character's offset."""
    out, where, space = [], [], False
    for index, char in enumerate(text):
        if char.isspace():
            if not space and out:
                out.append(" ")
                where.append(index)
            space = True
        else:
            out.append(char)
            where.append(index)
            space = False
    return "".join(out), where


def highlight_spans(text: str, highlights: list[str]) -> list[tuple[int, int] | None]:
    """Where each highlight is in ``text`` (document offsets), or None when it is not found."""
    flat, where = squeeze(text)
    spans: list[tuple[int, int] | None] = []
    for highlight in highlights:
        needle = " ".join(highlight.split())
        at = flat.find(needle) if needle else -1
        if at < 0 and len(needle) > 60:  # a highlight edited at its end: match its start
            at, needle = flat.find(needle[:60]), needle[:60]
        spans.append(None if at < 0 else (where[at], where[at + len(needle) - 1] + 1))
    return spans


def session_figures(documents: pd.DataFrame, segments: pd.DataFrame,
                    tags: pd.DataFrame) -> pd.DataFrame:
    """One row per session: moderator found, words in segments, highlights overlapped."""
    has_role = ROLE in segments.columns
    rows = []
    for doc in documents.itertuples(index=False):
        text = str(getattr(doc, s.TEXT))
        session = Path(str(getattr(doc, s.SOURCE))).stem
        mine = segments[segments[s.DOCUMENT_ID] == getattr(doc, s.DOCUMENT_ID)]
        spoken = mine[mine[ROLE].isin(["respondent", "interviewer"])] if has_role else mine
        words = len(_WORD.findall(text))
        in_segments = sum(len(_WORD.findall(t)) for t in mine[s.TEXT])
        moderator = bool(has_role and (mine[ROLE] == "interviewer").any()
                         and mine[s.SPEAKER].fillna("").str.upper().eq("MODERATOR").any())
        wanted = tags[tags["session"] == session]["content"].tolist()
        spans = highlight_spans(text, wanted)
        found = [span for span in spans if span is not None]
        bounds = list(zip(spoken[s.START], spoken[s.END], strict=True))
        overlapped = sum(any(a < e and st < b for st, e in bounds) for a, b in found)
        rows.append({"session": session, "moderator_found": moderator,
                     "words": words, "words_in_segments": round(in_segments / words, 4),
                     "highlights": len(wanted), "highlights_found": len(found),
                     "highlights_overlapped": overlapped})
    return pd.DataFrame(rows).sort_values("session", key=lambda c: c.str.extract(
        r"P(\d+)", expand=False).astype(int)).reset_index(drop=True)


def length_distribution(segments: pd.DataFrame) -> dict[str, object]:
    """Words per segment: quantiles and the share of very short segments, with/without fillers."""
    words = segments[s.TEXT].map(lambda t: len(_WORD.findall(t)))
    out: dict[str, object] = {
        "segments": len(segments), "quantiles (10/25/50/75/90)": [
            int(words.quantile(q)) for q in (0.1, 0.25, 0.5, 0.75, 0.9)],
        "<=3 words": round(float((words <= 3).mean()), 3)}
    if FILLER in segments.columns:
        kept = words[~segments[FILLER].astype(bool)]
        out["fillers"] = int(segments[FILLER].sum())
        out["<=3 words, fillers left out"] = round(float((kept <= 3).mean()), 3)
        out["by role"] = segments[ROLE].value_counts().to_dict()
    return out


def read_tags(path: Path) -> pd.DataFrame:
    """The Taguette highlights: one row per highlight × tag, with the session it came from."""
    with path.open(encoding="utf-8", newline="") as handle:
        frame = pd.DataFrame(list(csv.DictReader(handle)))
    frame["session"] = frame["document"].str.replace(r"\.odt$", "", regex=True)
    return frame


def topic_table(segments: pd.DataFrame, embedding: str) -> pd.DataFrame:
    """BERTopic over the wave's segments (fillers and the moderator left out), largest first."""
    from pipeline.embeddings import make_embedder
    from pipeline.topics import discover_topics

    found = discover_topics(segments, s.empty(s.CODINGS), make_embedder(embedding),
                            min_topic_size=10)
    if found.skipped_reason:
        print("topics skipped:", found.skipped_reason)
        return pd.DataFrame()
    print("topic params:", {k: found.params[k] for k in ("embedding", "left_out")
                            if k in found.params})
    table = found.topics[[s.TOPIC_ID, s.SIZE, s.WORDS]].copy()
    table[s.WORDS] = table[s.WORDS].map(lambda w: ", ".join(list(w)[:8]))
    return table.sort_values(s.SIZE, ascending=False)


def main() -> None:
    """Parse the options, run ingest and segmentation on a copy of the sessions, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--raw", type=Path, default=STUDY / "raw")
    parser.add_argument("--tags", type=Path, default=TAGS)
    parser.add_argument("--as-text", action="store_true",
                        help="convert the .odt sessions to .txt first")
    parser.add_argument("--topics", action="store_true")
    parser.add_argument("--embedding", default="minilm")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        wave = Path(tmp) / "serdif"
        wave.mkdir()
        for path in sorted(args.raw.glob("*.odt")):
            if args.as_text:
                (wave / f"{path.stem}.txt").write_text(odt_as_text(path), encoding="utf-8")
            else:
                shutil.copy(path, wave / path.name)
        ingested = ingest_wave(wave)
        segments = segment_documents(ingested.documents)
    print(f"documents {len(ingested.documents)}, rejected {len(ingested.rejected)}, "
          f"segments {len(segments)}")
    figures = session_figures(ingested.documents, segments, read_tags(args.tags))
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(figures.to_string(index=False))
    found = figures["highlights_found"].sum()
    print(f"moderator found in {int(figures['moderator_found'].sum())}/{len(figures)} sessions; "
          f"words in segments: min {figures['words_in_segments'].min():.1%}, "
          f"overall {(figures['words'] * figures['words_in_segments']).sum() / figures['words'].sum():.1%}; "  # noqa: E501
          f"highlights located {found}/{figures['highlights'].sum()}, overlapping a "
          f"participant/moderator segment {figures['highlights_overlapped'].sum()}/{found} "
          f"({figures['highlights_overlapped'].sum() / max(found, 1):.1%})")
    print("segment lengths:", length_distribution(segments))
    if args.topics:
        print(topic_table(segments, args.embedding).to_string(index=False))


if __name__ == "__main__":
    main()
