"""Coders on real coded transcripts (SERDIF usability study), split by session; prints a table.

    flock /tmp/wavecoder-heavy.lock .venv/bin/python benchmarks/bench_serdif_coding.py \
        [--coder rules --coder linear ...] [--split grouped --split random] [--context [turn]] \
        [--turn-attribute] [--before 1] [--after 1] [--folds 5] [--seed 42] [--budget 300] \
        [--json FILE]

Builds at run time, in a temporary folder (nothing from ../shared enters the repository):
the codebook, by ``wavecoder codebook import`` of the study's last Taguette codebook
(``codebook_20220303_8.csv``, 22 tags; definitions only, no patterns), and the gold file, the
study's Taguette highlights (``all_tags_20220303.csv``, 1,930 highlights of 17 sessions) with
a provenance sidecar (real texts, one human coder). With ``--context`` the gold gets the
``context`` column a coded wave gives a transcript segment (``pipeline/segment.py``): the last
guide prompt before the highlight, found by the product's own transcript reader on the
session's ``.odt`` (none for the interviewer's own lines); ``--context turn``: the last
interviewer turn of any kind (a guide prompt or a MODERATOR remark), the rule before.

Every coder is measured by ``pipeline.quality.measure.measure`` as ``wavecoder evaluate``
does: ``grouped`` is ``--group document`` (all of a session's highlights in one fold, the same
text twice in one session merged into one item), ``random`` the multilabel-stratified folds
(a session's highlights on both sides). Scored codes: those with at least 10 gold examples
(evaluate's ``--min-support``); every one of the 22 tags has 32 or more.

``--coder linear-finetuned`` (not in the default list: minutes per fold) is built by the
registry like the others; ``--budget`` sets its fine-tuning budget per fold (seconds; the
product's default otherwise), and each fold's fit prints its seconds and why fine-tuning stopped.
Variants measured and not kept (docs/coders.md): ``--turn-attribute`` (the interviewer's last
turn as a categorical attribute besides the context), ``--before``/``--after`` (each
highlight widened by sentences of its turn).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402

import pipeline.coding.linear_tuned as linear_tuned  # noqa: E402
from pipeline.codebooks import import_codebook, write_codebook_yaml  # noqa: E402
from pipeline.config import load_codebook  # noqa: E402
from pipeline.ingest.formats import read_odt_text  # noqa: E402
from pipeline.quality.gold import load_gold  # noqa: E402
from pipeline.quality.measure import measure  # noqa: E402
from pipeline.turns import is_guide_prompt, parse_transcript  # noqa: E402

STUDY = ROOT.parent / "shared" / "gold" / "serdif-usability"
ANALYSIS = STUDY / "thematic-analysis"
TAGS = ANALYSIS / "tags" / "csv" / "all_tags_20220303.csv"
CODEBOOK = ANALYSIS / "codebooks" / "codebook_20220303_8.csv"
PROVENANCE = """texts: real
coding: human
coders: [SERDIF study author]
coded: 2022-03-03
source: SERDIF usability study, Taguette highlights all_tags_20220303.csv
notes: a single coder; highlights are not exhaustive
"""
TURN = "interviewer turn"  # the gold column --turn-attribute adds
CODERS = ("rules", "rules+semantic", "linear-static", "linear", "hybrid")


def report_tuned_fits() -> None:
    """Print each ``linear-finetuned`` fit's seconds and its fine-tuning history (per fold).

    The fit itself is the product's; this only times it and reads what the run recorded.
    """
    fit = linear_tuned.TunedLinearCoder.fit

    def timed(self, *args, **kwargs):
        started = time.perf_counter()
        fitted = fit(self, *args, **kwargs)
        history = self.tuned.history
        print(f"  fit {time.perf_counter() - started:.0f} s: fine-tuning {history.seconds:.0f} s, "
              f"{history.steps} steps, best epoch {history.best_epoch}, held-out "
              f"{[round(x, 3) for x in history.dev_scores]}, stopped by {history.stopped}",
              flush=True)
        return fitted

    linear_tuned.TunedLinearCoder.fit = timed


def _pattern(content: str) -> re.Pattern[str]:
    """The highlight's words with any whitespace between them (the .odt may wrap them)."""
    return re.compile(r"\s+".join(re.escape(word) for word in content.split()))


def _found_highlights(tags: pd.DataFrame, raw: Path):
    """Per session: its text, its turns and [(row, highlight, match)] for each highlight found.

    Highlights are searched for in export order (transcript order), from the previous one on.
    """
    for document, rows in tags.groupby("document", sort=False):
        text = read_odt_text(raw / str(document))
        cursor, hits = 0, []
        for i, content in zip(rows.index, rows["content"], strict=True):
            pattern = _pattern(str(content))
            found = pattern.search(text, cursor) or pattern.search(text)
            if found is not None:
                cursor = found.start()
                hits.append((i, content, found))
        yield text, parse_transcript(text).turns, hits


def session_contexts(tags: pd.DataFrame, raw: Path, every_turn: bool = False) -> list[str]:
    """Each highlight's ``context`` as a coded wave gives it (``pipeline/segment.py``).

    That is the last guide prompt before it (every SERDIF session has a numbered guide), or
    with ``every_turn`` the last interviewer turn of any kind, moderator remarks included (the
    rule before guides were told apart). Highlights are searched for in export order
    (transcript order), from the previous one on; a highlight inside an interviewer turn has
    no context, as an interviewer segment has none.
    """
    contexts = [""] * len(tags)
    for text, turns, hits in _found_highlights(tags, raw):
        guided = not every_turn and any(is_guide_prompt(turn, text) for turn in turns)
        for i, _, found in hits:
            asked = ""
            for turn in turns:  # the first turn the highlight overlaps decides, as a segment's
                if turn.end <= found.start():
                    if turn.role == "interviewer" and (not guided
                                                       or is_guide_prompt(turn, text)):
                        asked = " ".join(text[turn.start:turn.end].split())
                    continue
                contexts[i] = "" if turn.role == "interviewer" else asked
                break
    return contexts


SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def with_neighbours(tags: pd.DataFrame, raw: Path, before: int, after: int) -> list[str]:
    """Each highlight's words with up to ``before``/``after`` sentences of its turn around it.

    A measurement only (a coded wave's segment has no neighbours): the sentences come from the
    same speaker's turn in the session's ``.odt``, found as :func:`session_contexts` finds them.
    """
    texts = [str(c) for c in tags["content"]]
    for text, turns, hits in _found_highlights(tags, raw):
        for i, content, found in hits:
            turn = next((t for t in turns if t.end > found.start()), None)
            if turn is None:
                continue
            head = SENTENCE_END.split(" ".join(text[turn.start:found.start()].split()))
            tail = SENTENCE_END.split(" ".join(text[found.end():turn.end].split()))
            # the highlight's own sentence around it, then whole sentences beyond
            words = head[-before - 1:] if before else []
            words = [" ".join(words), str(content), " ".join(tail[:after + 1]) if after else ""]
            texts[i] = " ".join(w for w in words if w.strip())
    return texts


def build(folder: Path, with_context: str | None, turn_attribute: bool = False,
          neighbours: tuple[int, int] = (0, 0)) -> tuple[Path, Path]:
    """The imported codebook YAML and the gold CSV (with its provenance sidecar) in ``folder``.

    ``turn_attribute`` adds the interviewer's last turn as the column ``TURN``;
    ``neighbours`` (before, after) widens each highlight by sentences of its turn.
    """
    codebook = write_codebook_yaml(import_codebook(CODEBOOK, "serdif"), folder / "serdif.yaml",
                                   "import")
    gold = folder / "serdif-gold.csv"
    tags = pd.read_csv(TAGS, dtype=str, keep_default_na=False)
    if with_context:
        tags["context"] = session_contexts(tags, STUDY / "raw", with_context == "turn")
    if turn_attribute:
        tags[TURN] = session_contexts(tags, STUDY / "raw", every_turn=True)
    if any(neighbours):
        tags["content"] = with_neighbours(tags, STUDY / "raw", *neighbours)
    tags.to_csv(gold, index=False)
    (folder / "serdif-gold.provenance.yaml").write_text(PROVENANCE, encoding="utf-8")
    return codebook, gold


def run(coders: list[str], splits: list[str], with_context: str | None, n_folds: int,
        seed: int, turn_attribute: bool = False, neighbours: tuple[int, int] = (0, 0)
        ) -> list[dict]:
    """One row per coder × split: macro/micro-F1 (with intervals), codes, texts, seconds."""
    folder = Path(tempfile.mkdtemp(prefix="serdif-"))
    try:
        codebook_file, gold_file = build(folder, with_context, turn_attribute, neighbours)
        book = load_codebook(codebook_file)
        gold = load_gold(gold_file, book)
        label = ((with_context or "no") + ("+turn" if turn_attribute else "")
                 + ("+n{}/{}".format(*neighbours) if any(neighbours) else ""))
        rows = []
        for split in splits:
            for name in coders:
                started = time.perf_counter()
                (measured,) = measure(gold, book, [name], n_folds=n_folds, seed=seed,
                                      attributes=[TURN] if turn_attribute else (),
                                      group="document" if split == "grouped" else None)
                s = measured.evaluation.summary
                rows.append({"coder": name, "split": split if s["folds"] else "none",
                             "context": label, "macro_f1": s["macro_f1"],
                             "macro_f1_ci": s.get("macro_f1_ci"), "micro_f1": s["micro_f1"],
                             "n_codes": s["n_codes"], "n_texts": s["n_texts"],
                             "seconds": round(time.perf_counter() - started, 1),
                             "per_code": {r["code_id"]: r["f1"] for r in
                                          measured.evaluation.to_json()["per_code"]}})
                print(_line(rows[-1]), flush=True)
        return rows
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _line(row: dict) -> str:
    low, high = row["macro_f1_ci"] or (float("nan"), float("nan"))
    return (f"| {row['coder']:<15} | {row['split']:<7} | {row['context']:<7} "
            f"| {row['macro_f1']:.3f} [{low:.3f}, {high:.3f}] | {row['micro_f1']:.3f} "
            f"| {row['n_codes']:>5} | {row['n_texts']:>5} | {row['seconds']:>7.1f} |")


def main() -> None:
    """Build the gold and codebook, measure each coder on each split, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--coder", action="append", help=f"default: {', '.join(CODERS)}")
    parser.add_argument("--split", action="append", choices=("grouped", "random"),
                        help="default: both")
    parser.add_argument("--context", nargs="?", const="wave", choices=("wave", "turn"),
                        help="give each highlight a context: as a coded wave does (wave: the "
                        "guide prompt before it) or the last interviewer turn of any kind "
                        "(turn, the rule before guides were told apart)")
    parser.add_argument("--turn-attribute", action="store_true",
                        help="also give the linear coders the interviewer's last turn (any "
                        "kind) as a categorical attribute")
    parser.add_argument("--before", type=int, default=0,
                        help="widen each highlight by this many sentences of its turn before it")
    parser.add_argument("--after", type=int, default=0, help="... and after it")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--budget", type=float,
                        help="linear-finetuned: fine-tuning seconds per fold (default: "
                        f"{linear_tuned.DEFAULT_BUDGET_S:.0f})")
    parser.add_argument("--epochs", type=int,
                        help="linear-finetuned: most fine-tuning epochs per fold (default: "
                        f"{linear_tuned.DEFAULT_EPOCHS})")
    parser.add_argument("--json", type=Path, help="also write the rows (with per-code F1) here")
    args = parser.parse_args()
    if args.budget:  # read when the registry builds the coder, for each fold
        linear_tuned.DEFAULT_BUDGET_S = args.budget
    if args.epochs:
        linear_tuned.DEFAULT_EPOCHS = args.epochs
    report_tuned_fits()
    print("| coder           | folds   | context | macro-F1 [95% CI]      | micro | codes | texts "
          "| seconds |")
    print("|---|---|---|---|---|---|---|---|")
    rows = run(args.coder or list(CODERS), args.split or ["grouped", "random"], args.context,
               args.folds, args.seed, args.turn_attribute, (args.before, args.after))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
