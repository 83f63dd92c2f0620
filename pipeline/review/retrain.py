"""Learning from every review: a wave's reviewed decisions folded into gold, and a coder retrained.

``retrain`` reads a wave's outputs folder and its review log, turns every fully decided segment
into gold (:func:`pipeline.review.gold_export.reviewed_gold`, as ``wavecoder review-gold`` does),
merges it with an existing gold file when one is given, writes the merged gold as a long CSV
with its provenance sidecar, and trains a coder on it with :func:`pipeline.quality.train.
train_model`, exactly as ``wavecoder train`` would on that file.

Merging: a text both in the gold file and among the reviewed segments (the same words, case,
spacing and a closing full stop aside) takes the reviewer's codes: the decision is newer and
was made on this codebook. The merged file says where each row came from (``origin``).

The new model then codes a sample of the wave beside the wave's own codes
(:mod:`pipeline.review.model_shift`): a review round is not a sample of the wave, and a code
given far more or less often than before shows it.
"""

from __future__ import annotations

import datetime as dt
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from pipeline import schema as s
from pipeline.coding.registry import TRAINABLE, load_coder
from pipeline.config import Codebook, _validate, read_yaml
from pipeline.errors import ConfigError, InputError
from pipeline.outputs import CODEBOOK_FILE, RUN_FILE, WaveOutputs, database_of
from pipeline.quality.card import ModelCard
from pipeline.quality.gold import GoldSet, load_gold
from pipeline.quality.measure import context_of
from pipeline.quality.places import MODELS_DIR
from pipeline.quality.provenance import GoldProvenance, provenance_path
from pipeline.quality.train import train_model
from pipeline.review.active_queue import wave_model
from pipeline.review.gold_export import reviewed_gold
from pipeline.review.log import read_log
from pipeline.review.model_shift import SAMPLE_SEGMENTS, model_shift
from pipeline.text import sha256_file, some_of
from pipeline.untrusted import csv_safe

ORIGIN = "origin"  # merged gold: which source a row came from
GOLD_COLUMNS = [s.SEGMENT_ID, s.TEXT, s.CONTEXT, s.CODE_ID, ORIGIN]
GOLD_FILE = "gold.csv"
SHIFT_FILE = "wave_shift.csv"  # in the model folder: codes' shares before and after
SHOWN_MISSING = 8  # codes named when a gold file has none of some: the count says the rest


@dataclass
class MergedGold:
    """The merged gold rows (long format) and how many texts came from each source."""

    rows: pd.DataFrame  # GOLD_COLUMNS
    reviewed: int  # texts from the wave's reviewed decisions
    from_gold: int  # texts kept from the existing gold file
    replaced: int  # texts of the gold file whose codes the reviewers' decisions replaced
    partly_decided: int  # reviewed segments left out: some of their codings undecided
    notes: list[str] = field(default_factory=list)


@dataclass
class Retrained:
    """What ``retrain`` did: the merged gold, where it was written, and the model's card."""

    merged: MergedGold
    gold_file: Path
    provenance: GoldProvenance
    card: ModelCard
    shift: pd.DataFrame  # schema.MODEL_SHIFT: the model beside the wave's codes (SHIFT_FILE)


def text_key(text: str) -> str:
    """The same text, whatever its case, spacing and closing full stop."""
    return re.sub(r"\s+", " ", str(text)).strip().removesuffix(".").rstrip().casefold()


def check_codebook(wave: WaveOutputs, codebook: Codebook | None, codebook_file: Path | None
                   ) -> Codebook:
    """The codebook to train with: the wave's copy, or one given that is that very codebook.

    Reviewers decided codes of the codebook the wave was coded with; a different one (codes
    added, removed or redefined) would give their decisions another meaning, so it is refused,
    naming both files.
    """
    if codebook is None:
        return wave.require_codebook()
    copy = wave.codebook  # an older wave may have none: run.json's hash is enough then
    coded_with = wave.require_run().codebook.sha256 or (copy.sha256 if copy else "")
    if codebook.sha256 == coded_with:
        return codebook
    copy = copy or wave.require_codebook()
    ours, theirs = set(codebook.code_ids()), set(copy.code_ids())
    if ours != theirs:
        what = "; ".join(part for part in (
            f"codes not in the wave's: {', '.join(sorted(ours - theirs))}" if ours - theirs
            else "", f"codes missing: {', '.join(sorted(theirs - ours))}" if theirs - ours
            else "") if part)
    else:
        what = "the same codes, but other definitions, patterns or settings"
    raise ConfigError(f"{codebook_file or codebook.id}: not the codebook wave '{wave.wave}' was "
                      f"coded and reviewed with ({wave.directory / CODEBOOK_FILE}, sha256 in "
                      f"{wave.directory / RUN_FILE}): {what}; omit --codebook to use the wave's "
                      "copy")


@dataclass(frozen=True)
class ModelGold:
    """The gold of the trained model that coded a wave, as its card names it."""

    model: str  # the model as the run was given it
    texts: int  # texts the model was trained on
    file: Path | None  # the gold file, unchanged since; None when it cannot be used
    why_not: str = ""  # when ``file`` is None: why


def model_gold(wave: WaveOutputs) -> ModelGold | None:
    """The gold the trained model that coded ``wave`` learned from, when its folder holds it.

    None when the wave was not coded by a trained model. The gold file is used only when the
    model's folder is found (as the run found it) in the outputs' ``models`` folder (where
    ``retrain`` writes) or the project's, the card names a file in that very folder and the
    file's sha256 is the one the wave's run recorded: any other is named, never read.
    """
    info = wave.run.coder_info if wave.run is not None else {}
    model, chosen = info.get("model"), info.get("chosen")
    if not isinstance(model, dict) or not isinstance(chosen, str):
        return None
    data = model.get("data") if isinstance(model.get("data"), dict) else {}
    name, digest = str(data.get("file") or ""), str(data.get("sha256") or "")
    texts = int(data["texts"]) if isinstance(data.get("texts"), int) else 0
    directory = wave_model(wave.run)  # as export-review's --order active finds it
    if directory is None:
        return ModelGold(chosen, texts, None, "its folder is not found from here")
    # run.json may come from another machine: only the folders models are kept in are read
    kept_in = (wave.directory.parent / "models", MODELS_DIR)
    if not any(directory.resolve().is_relative_to(root.resolve()) for root in kept_in):
        return ModelGold(chosen, texts, None, "its folder is neither in the outputs' models "
                         "folder nor in the project's: pass --gold to use its gold file")
    if not name or Path(name).name != name or name in {".", ".."}:
        return ModelGold(chosen, texts, None, "its card names no gold file in its folder")
    path = directory / name
    if not path.is_file() or path.is_symlink():
        return ModelGold(chosen, texts, None, f"{path} is not there")
    if sha256_file(path) != digest:
        return ModelGold(chosen, texts, None, f"{path} has changed since the wave was coded")
    return ModelGold(chosen, texts, path)


def merge_gold(reviewed: pd.DataFrame, wave: str, gold: GoldSet | None = None
               ) -> tuple[pd.DataFrame, int, int, int]:
    """Reviewed rows (long format) plus the gold file's texts they do not already hold.

    Returns the merged rows (GOLD_COLUMNS), and the number of texts reviewed, kept from the
    gold file, and replaced in it by a reviewed decision.
    """
    rows = reviewed.assign(**{ORIGIN: f"review:{wave}"})[GOLD_COLUMNS]
    if gold is None:
        return rows, reviewed[s.SEGMENT_ID].nunique(), 0, 0
    seen = {text_key(t) for t in reviewed[s.TEXT]}
    taken = set(reviewed[s.SEGMENT_ID])
    context = context_of(gold) or [""] * len(gold.texts)
    # a gold file retrain wrote says where each text came from: kept over the rounds
    origins = (gold.extra[ORIGIN].fillna("").astype(str).tolist() if ORIGIN in gold.extra
               else [""] * len(gold.texts))
    origins = [origin or f"gold:{gold.source}" for origin in origins]
    kept, replaced = [], 0
    for i, (gold_id, text) in enumerate(zip(gold.ids, gold.texts, strict=True)):
        if text_key(text) in seen:
            replaced += 1
            continue
        # a gold id that is also a segment id would merge two texts into one
        row_id = f"gold:{gold_id}" if str(gold_id) in taken else str(gold_id)
        codes = [c for c, on in zip(gold.code_ids, gold.labels[i], strict=True) if on] or [""]
        kept += [{s.SEGMENT_ID: row_id, s.TEXT: text, s.CONTEXT: context[i] or "",
                  s.CODE_ID: code, ORIGIN: origins[i]} for code in codes]
    merged = pd.concat([rows, pd.DataFrame(kept, columns=GOLD_COLUMNS)], ignore_index=True)
    return (merged, reviewed[s.SEGMENT_ID].nunique(), len(gold.texts) - replaced, replaced)


def merged_provenance(log: pd.DataFrame, wave: str, gold: GoldSet | None,
                      declared: GoldProvenance | None, source: Path) -> GoldProvenance:
    """The merged gold's provenance: coded by people, the reviewers (and the gold's coders).

    The wave's texts are real or generated as ``declared`` (``--provenance``) says, else as the
    gold file's sidecar says of its own; the merged texts are real only if both parts are. A
    gold file of unknown origin (no sidecar) or not coded by people makes the coding ``mixed``,
    so the merged gold never lets ``--coder auto`` choose on its strength.
    """
    origin = gold.provenance if gold is not None else None
    wave_texts = declared.texts if declared else (origin.texts if origin else None)
    if wave_texts is None:
        raise ConfigError(f"{source}: whether the texts of wave '{wave}' are real or generated "
                          "is not declared: pass --provenance FILE (texts: real|generated), or "
                          "a --gold file with a provenance sidecar")
    texts = "real" if wave_texts == "real" and (origin is None or origin.texts == "real") \
        else "generated"
    coding = "human" if gold is None or (origin and origin.coding == "human") else "mixed"
    coders = (set(log[s.REVIEWER].dropna().astype(str)) - {""}) | set(
        origin.coders if origin else [])
    parts = [f"reviewed decisions on wave {wave}"]
    if gold is not None:
        parts.append(f"{gold.source}" + (f" ({origin.source})" if origin and origin.source
                                         else " (no provenance sidecar)" if not origin else ""))
    decided = pd.to_datetime(log[s.DECIDED_AT], errors="coerce", utc=True).dropna()
    return GoldProvenance(
        texts=texts, coding=coding, coders=sorted(coders),
        coded=decided.max().date() if len(decided) else dt.date.today(),
        source=" + ".join(parts),
        notes="written by wavecoder retrain; a text in both takes the reviewers' codes")


def read_declared(path: Path) -> GoldProvenance:
    """What ``--provenance`` declares of the wave's texts: a sidecar, or just ``texts: ...``.

    Saying how the wave's texts were coded is not needed (the reviewers coded them), so a file
    holding only ``texts`` is enough; ConfigError names the file and field otherwise.
    """
    data = read_yaml(Path(path))
    if isinstance(data, dict):
        data.setdefault("coding", "human")
    return _validate(GoldProvenance, data, Path(path))


def write_gold(rows: pd.DataFrame, provenance: GoldProvenance, path: Path) -> Path:
    """Write the merged gold as a long CSV and its provenance sidecar beside it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    rows.to_csv(path, index=False)
    provenance_path(path).write_text(
        "# Written by wavecoder retrain (see pipeline/quality/provenance.py)\n"
        + yaml.safe_dump(provenance.model_dump(mode="json", exclude_defaults=True),
                         sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def retrain(wave: WaveOutputs, *, kind: str = "linear", out: Path,
            codebook: Codebook | None = None, codebook_file: Path | None = None,
            gold_file: Path | None = None, provenance_file: Path | None = None,
            gold_out: Path | None = None, n_folds: int = 5, seed: int = 42,
            min_support: int = 10, jobs: int = 1, progress=None) -> Retrained:
    """Fold ``wave``'s reviewed decisions into gold and train a ``kind`` coder on it.

    Args:
        wave: the wave's outputs (:func:`pipeline.outputs.read_wave`); its review log is read
            from the database beside them.
        kind: a trainable coder kind (as ``wavecoder train --coder``).
        out: the model folder to write.
        codebook: a codebook to check against the wave's (default: the wave's copy).
        codebook_file: the YAML ``codebook`` was read from, named in errors and on the card.
        gold_file: an existing gold file to merge with.
        provenance_file: declares what the wave's texts are (default: as the gold file's
            sidecar says of its own).
        gold_out: where the merged gold goes (default: ``out/gold.csv``).
        n_folds: cross-validation folds for the card.
        seed: seeds the folds.
        min_support: codes with fewer gold examples are not scored on the card.
        jobs: cross-validation folds trained at once, each in its own process.
        progress: called with progress messages.

    The card records the ``wavecoder train`` command that makes the same model from the merged
    gold file (the review log keeps growing; the file does not).

    Raises ConfigError for a coder that learns nothing or a codebook other than the wave's,
    InputError naming the log when no segment has been fully decided, both naming the file.
    """
    if kind not in TRAINABLE:
        raise ConfigError(f"coder '{kind}' learns nothing to save (trainable: "
                          f"{', '.join(TRAINABLE)})")
    book = check_codebook(wave, codebook, codebook_file)
    database = database_of(wave.directory)
    log = read_log(database, wave.wave)
    if log.empty:
        raise InputError(f"{database}: no review decisions on wave '{wave.wave}' (outputs "
                         f"{wave.directory}); import a review first (wavecoder import-review)")
    decided = reviewed_gold(wave.codings, wave.segments, log)
    if decided.rows.empty:
        raise InputError(f"{database}: none of the {log[s.SEGMENT_ID].nunique()} segments "
                         f"reviewed in wave '{wave.wave}' has all its codings decided; decide "
                         "every coding of a segment to make it gold")
    gold = load_gold(gold_file, book) if gold_file is not None else None
    declared = read_declared(provenance_file) if provenance_file else None
    provenance = merged_provenance(log, wave.wave, gold, declared,
                                   provenance_file or gold_file or database)
    rows, reviewed, kept, replaced = merge_gold(decided.rows.fillna(""), wave.wave, gold)
    notes = []
    if gold is not None and gold.missing:
        notes.append(f"{gold_file}: no example of {len(gold.missing)} of the codebook's codes "
                     f"({some_of(gold.missing, SHOWN_MISSING)}); its texts count as without "
                     "them")
    if reviewed + kept < n_folds:  # refused before any file is written
        raise InputError(f"{database}: {reviewed + kept} gold texts from wave '{wave.wave}'"
                         + (f" and {gold_file.name}" if gold_file is not None else "")
                         + f", too few for {n_folds}-fold cross-validation: decide every coding "
                         "of more passages, or lower --folds (2 at least)")
    merged = MergedGold(rows, reviewed, kept, replaced, decided.partly_decided, notes)
    path = write_gold(rows, provenance, gold_out or out / GOLD_FILE)
    command = shlex.join([
        "wavecoder", "train", "--gold", str(path), "--codebook",
        str(codebook_file or wave.directory / CODEBOOK_FILE), "--coder", kind, "--out", str(out),
        "--folds", str(n_folds), "--min-support", str(min_support), "--seed", str(seed)])
    card = train_model(kind, load_gold(path, book), book, out, n_folds=n_folds, seed=seed,
                       min_support=min_support, jobs=jobs, command=command, progress=progress)
    if progress:
        progress(f"coding {min(SAMPLE_SEGMENTS, len(wave.segments)):,} of the wave's segments "
                 "with the new model, beside the wave's codes")
    shift = model_shift(wave, load_coder(out, book), book)
    csv_safe(shift, [s.LABEL]).to_csv(out / SHIFT_FILE, index=False)
    return Retrained(merged, path, provenance, card, shift)
