"""The model card: what a trained model was trained on, how it measured, and how to remake it.

A card is typed (:class:`ModelCard`, pydantic) and saved as ``card.json`` beside the model, with
a readable ``MODEL_CARD.md``. An undefined score (see :mod:`pipeline.quality.agreement`) is
``null`` in the JSON and ``None`` here.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict

from pipeline.errors import MissingInputError
from pipeline.outputs import read_json_model
from pipeline.quality.provenance import GoldProvenance

CARD = "card.json"
MARKDOWN = "MODEL_CARD.md"


def _none_if_nan(value: Any) -> Any:
    return None if isinstance(value, float) and math.isnan(value) else value


Score = Annotated[float | None, BeforeValidator(_none_if_nan)]
"""A score that may be undefined (NaN in memory, ``null`` in JSON)."""
Interval = list[Score] | None


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TrainingData(_Strict):
    """The gold file a model was trained and cross-validated on."""

    file: str
    sha256: str
    texts: int
    support: dict[str, int]


class CodebookRef(_Strict):
    """The codebook a model codes with."""

    id: str
    version: str
    sha256: str


class CrossValidation(_Strict):
    """Overall cross-validated scores on the gold file, and how they were measured."""

    # what was measured, and how
    n_texts: int
    n_codes: int
    folds: int
    seed: int
    min_support: int
    roll_up: bool
    gold: str
    gold_sha256: str
    gold_provenance: GoldProvenance | None = None  # None: the gold declared no provenance
    attributes: list[str] = []
    grouped_by: str | None = None  # the gold column whose groups (sessions) stayed in one fold
    n_groups: int | None = None
    note: str = ""
    # the scores, with bootstrap 95% intervals
    macro_f1: float
    macro_f1_ci: Interval = None
    micro_f1: float
    micro_f1_ci: Interval = None
    alpha: Score
    alpha_ci: Interval = None
    mean_kappa: Score
    mean_kappa_ci: Interval = None
    bootstrap: dict[str, Any] | None = None


class CodeScore(_Strict):
    """One scored code's cross-validated agreement with the gold file."""

    code_id: str
    label: str
    support: int
    predicted: int
    precision: float
    recall: float
    f1: float
    kappa: Score
    f1_low: Score = None
    f1_high: Score = None
    kappa_low: Score = None
    kappa_high: Score = None


class ModelCard(_Strict):
    """Everything ``card.json`` records about a trained model."""

    name: str
    kind: str
    coder: str
    trained: str
    command: str = ""
    data: TrainingData
    codebook: CodebookRef
    cross_validation: CrossValidation
    per_code: list[CodeScore]
    thresholds: dict[str, float]
    relative_cut: float = 0.0  # cards written before it was learned have none
    not_learned: dict[str, str]
    hybrid_choice: dict[str, str]
    features: dict[str, Any]
    train_seconds: float

    def kappa(self) -> dict[str, float]:
        """Per-code kappa (NaN where undefined), for the agreement gate."""
        return {row.code_id: math.nan if row.kappa is None else row.kappa
                for row in self.per_code}


def write_card(card: ModelCard, directory: Path) -> None:
    """Write ``card.json`` and ``MODEL_CARD.md`` into ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / CARD).write_text(card.model_dump_json(indent=2) + "\n", encoding="utf-8")
    (directory / MARKDOWN).write_text(card_markdown(card), encoding="utf-8")


def read_card(directory: Path) -> ModelCard:
    """The card of the model in ``directory``; errors name the file and the first bad field."""
    path = directory / CARD
    card = read_json_model(path, ModelCard, "model card")
    if card is None:
        raise MissingInputError(f"{path}: file not found")
    return card


def gold_origin(provenance: GoldProvenance | None) -> str:
    """One line on what the training gold is, and whether its scores are evidence."""
    if provenance is None:
        return ("gold of unknown origin (no provenance sidecar): these scores choose no coder "
                "and are no evidence of validity")
    if not provenance.is_real_gold():
        return (f"**demonstration**: trained and scored on {provenance.texts} text with "
                f"{provenance.coding} coding; these scores are no evidence of validity on real "
                "text and never choose a coder")
    coders = f" by {', '.join(provenance.coders)}" if provenance.coders else ""
    when = f" on {provenance.coded}" if provenance.coded else ""
    return f"gold: real text, coded{coders}{when}" + (
        f" ({provenance.source})" if provenance.source else "")


def _fmt(value: float | None) -> str:
    return "" if value is None else str(value)


def card_markdown(card: ModelCard) -> str:
    """The model card as Markdown for people."""
    cv = card.cross_validation
    lines = [f"# {card.name}", "",
             f"- coder: `{card.coder}` ({card.kind}), trained {card.trained} in "
             f"{card.train_seconds} s",
             f"- data: `{card.data.file}` ({card.data.texts} texts, sha256 "
             f"{card.data.sha256[:12]}…)",
             f"- codebook: `{card.codebook.id}` v{card.codebook.version}",
             f"- {cv.folds}-fold cross-validation on {cv.n_codes} codes with at least "
             f"{cv.min_support} examples: macro-F1 {cv.macro_f1} {cv.macro_f1_ci}, "
             f"micro-F1 {cv.micro_f1} {cv.micro_f1_ci}, Krippendorff's alpha "
             f"{_fmt(cv.alpha)}"]
    if card.command:
        lines.append(f"- trained with: `{card.command}`")
    lines.append(f"- {gold_origin(cv.gold_provenance)}")
    lines += ["", "| code | support | precision | recall | F1 | kappa | threshold |",
              "|---|---|---|---|---|---|---|"]
    for row in card.per_code:
        threshold = card.thresholds.get(row.code_id, "")
        lines.append(f"| {row.code_id} | {row.support} | {row.precision} | {row.recall} | "
                     f"{row.f1} | {_fmt(row.kappa)} | {threshold} |")
    if card.relative_cut:
        lines += ["", f"A text keeps only the codes over their threshold whose probability is "
                  f"at least {card.relative_cut} × that of its most probable one (the relative "
                  "cut, chosen on held-out texts)."]
    if card.not_learned:
        lines += ["", "Not learned (too few examples; rules only): "
                  + ", ".join(f"{c} ({why})" for c, why in card.not_learned.items())]
    return "\n".join(lines) + "\n"
