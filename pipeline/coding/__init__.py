"""Coders: anything with ``code(segments) -> codings`` (see :mod:`pipeline.coding.base`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pipeline.coding.base import Coder, code_in_chunks
from pipeline.coding.gate import DEFAULT_MIN_KAPPA, AgreementGate, kappa_from_evaluation
from pipeline.coding.rules import RuleCoder
from pipeline.config import Codebook

CODERS = ("rules",)
AGREEMENT_SUFFIX = ".agreement"  # models/codebooks/<codebook>.agreement/evaluation.json


def agreement_file(codebook_path: Path) -> Path | None:
    """The stored evaluation of the rule coder beside a codebook file, if there is one."""
    path = codebook_path.with_suffix(AGREEMENT_SUFFIX) / "evaluation.json"
    return path if path.is_file() else None


def make_coder(name: str, codebook: Codebook, *, progress: bool = False,
               agreement: Path | None = None, min_kappa: float = DEFAULT_MIN_KAPPA) -> Coder:
    """The coder called ``name``: ``rules``, or a trained model's name or folder.

    Rules are gated by ``agreement`` (an evaluation JSON) when given; a trained model is always
    gated by the kappas on its model card. Raises ValueError naming what is known.
    """
    if name == "rules":
        coder = RuleCoder(codebook, progress=progress)
        if agreement is None:
            return coder
        return AgreementGate(coder, kappa_from_evaluation(agreement), min_kappa)
    from pipeline.coding.models import MODELS_DIR, gated, load_model, model_dir

    directory = model_dir(name)
    if directory is None:
        raise ValueError(f"unknown coder '{name}': not 'rules' and no trained model at "
                         f"{name}/ or {MODELS_DIR / name}/ (train one with 'wavecoder train')")
    coder, card = load_model(directory)
    if card["codebook"]["id"] != codebook.id:
        raise ValueError(f"model {directory} was trained for codebook "
                         f"'{card['codebook']['id']}', not '{codebook.id}'")
    wrapped = gated(coder, card, min_kappa)
    wrapped.card = card  # type: ignore[attr-defined]
    return wrapped


def coder_info(coder: Any) -> dict[str, Any]:
    """What run.json records about the coder: its name, gate, and trained model's scores."""
    info: dict[str, Any] = {"name": coder.name}
    if isinstance(coder, AgreementGate):
        info.update(min_kappa=coder.min_kappa, needs_review_codes=coder.gated)
    card = getattr(coder, "card", None)
    if card:
        info["model"] = {key: card[key] for key in ("name", "kind", "trained", "data",
                                                    "codebook", "train_seconds")}
        info["model"]["cross_validation"] = {
            k: card["cross_validation"].get(k) for k in
            ("macro_f1", "macro_f1_ci", "micro_f1", "micro_f1_ci", "alpha", "folds", "n_codes")}
    return info


__all__ = ["CODERS", "AgreementGate", "Coder", "RuleCoder", "agreement_file", "code_in_chunks",
           "coder_info", "make_coder"]
