"""Trained models on disk: train, measure, save with a model card, and load by name.

A model lives in ``models/<name>/``: the fitted coder, ``card.json`` (data and its hash, date,
codebook, per-code cross-validated scores including kappa, thresholds, training time) and a
readable ``MODEL_CARD.md``. The wave flow loads a model by name or folder (``--coder``).
"""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path
from typing import Any, Callable, Sequence

import joblib

from pipeline.coding.gate import AgreementGate
from pipeline.config import Codebook
from pipeline.gold import GoldSet
from pipeline.quality import known_of, measure, new_coder

MODELS_DIR = Path("models")
CARD = "card.json"
COST_NOTE = "cross-validated on the gold file; the saved model is then trained on all of it"


def train_model(kind: str, gold: GoldSet, codebook: Codebook, out: Path, *, n_folds: int = 5,
                seed: int = 42, min_support: int = 10, attributes: Sequence[str] = (),
                progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Cross-validate ``kind`` on ``gold``, train it on all of it, save it and its card."""
    measured = measure(gold, codebook, [kind], n_folds=n_folds, seed=seed, n_boot=200,
                       min_support=min_support, attributes=attributes, progress=progress)[0]
    started = time.perf_counter()
    coder = new_coder(kind, codebook, attributes=attributes).fit(
        gold.texts, gold.labels, gold.code_ids, known_of(gold, attributes))
    train_seconds = round(time.perf_counter() - started, 1)
    out.mkdir(parents=True, exist_ok=True)
    if kind == "textcat":
        coder.save(out)
    else:
        joblib.dump(coder, out / "coder.joblib")
    evaluation = measured.evaluation
    card = {
        "name": out.name, "kind": kind, "coder": coder.name,
        "trained": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "data": {"file": gold.source, "sha256": gold.sha256, "texts": len(gold.texts),
                 "support": gold.support()},
        "codebook": {"id": codebook.id, "version": codebook.version, "sha256": codebook.sha256},
        "cross_validation": {**evaluation.summary, "note": COST_NOTE},
        "per_code": evaluation.per_code.to_dict(orient="records"),
        "thresholds": getattr(coder, "thresholds", {}),
        "not_learned": _trained_part(coder, "not_learned") or {},
        "hybrid_choice": getattr(coder, "choice", {}),
        "features": (_trained_part(coder, "features_used") or dict)(),
        "train_seconds": train_seconds,
    }
    (out / CARD).write_text(json.dumps(card, indent=2, default=str) + "\n", encoding="utf-8")
    (out / "MODEL_CARD.md").write_text(model_card_markdown(card), encoding="utf-8")
    return card


def _trained_part(coder: Any, attribute: str) -> Any:
    """``attribute`` of a trained coder, or of the trained model inside a hybrid coder."""
    for part in (coder, getattr(coder, "model", None)):
        if hasattr(part, attribute):
            return getattr(part, attribute)
    return None


def model_card_markdown(card: dict[str, Any]) -> str:
    """The model card as Markdown for people."""
    cv = card["cross_validation"]
    lines = [f"# {card['name']}", "",
             f"- coder: `{card['coder']}` ({card['kind']}), trained {card['trained']} in "
             f"{card['train_seconds']} s",
             f"- data: `{card['data']['file']}` ({card['data']['texts']} texts, sha256 "
             f"{card['data']['sha256'][:12]}…)",
             f"- codebook: `{card['codebook']['id']}` v{card['codebook']['version']}",
             f"- {cv['folds']}-fold cross-validation on {cv['n_codes']} codes with at least "
             f"{cv['min_support']} examples: macro-F1 {cv['macro_f1']} {cv.get('macro_f1_ci')}, "
             f"micro-F1 {cv['micro_f1']} {cv.get('micro_f1_ci')}, Krippendorff's alpha "
             f"{cv['alpha']}", "",
             "| code | support | precision | recall | F1 | kappa | threshold |",
             "|---|---|---|---|---|---|---|"]
    for row in card["per_code"]:
        threshold = card["thresholds"].get(row["code_id"], "")
        lines.append(f"| {row['code_id']} | {row['support']} | {row['precision']} | "
                     f"{row['recall']} | {row['f1']} | {row['kappa']} | {threshold} |")
    if card["not_learned"]:
        lines += ["", "Not learned (too few examples; rules only): "
                  + ", ".join(f"{c} ({why})" for c, why in card["not_learned"].items())]
    return "\n".join(lines) + "\n"


def model_dir(name: str) -> Path | None:
    """The folder of a trained model given by name (``models/<name>``) or path, if it exists."""
    for candidate in (Path(name), MODELS_DIR / name):
        if (candidate / CARD).is_file():
            return candidate
    return None


def load_model(directory: Path) -> tuple[Any, dict[str, Any]]:
    """A saved coder and its card."""
    card = json.loads((directory / CARD).read_text(encoding="utf-8"))
    if card["kind"] == "textcat":
        from pipeline.coding.textcat import TextcatCoder

        coder = TextcatCoder.load(directory)
    else:
        coder = joblib.load(directory / "coder.joblib")
    return coder, card


def gated(coder: Any, card: dict[str, Any], min_kappa: float) -> AgreementGate:
    """``coder`` behind the agreement gate, with per-code kappa from its card."""
    kappa = {row["code_id"]: float(row["kappa"]) for row in card.get("per_code", [])}
    return AgreementGate(coder, kappa, min_kappa)


def best_coder(codebook: Codebook, agreement: Path | None) -> tuple[str, str]:
    """The coder to use by default for ``codebook``, by the numbers, and why.

    Candidates are the rule coder (scored by its stored evaluation) and every model in
    ``models/`` trained for this exact codebook file and scored on the same gold file; the
    highest cross-validated macro-F1 wins. Without any measurement, rules.
    """
    if agreement is None:
        return "rules", "no measured agreement for this codebook"
    rules = json.loads(agreement.read_text(encoding="utf-8"))
    best, best_f1 = "rules", float(rules["macro_f1"])
    reason = f"rules: macro-F1 {best_f1:.3f} on {rules.get('gold')}"
    for card_path in sorted(MODELS_DIR.glob(f"*/{CARD}")):
        card = json.loads(card_path.read_text(encoding="utf-8"))
        cv = card["cross_validation"]
        comparable = (card["codebook"]["sha256"] == codebook.sha256
                      and card["data"]["sha256"] == rules.get("gold_sha256")
                      and cv.get("min_support") == rules.get("min_support"))
        if comparable:
            reason += f"; {card_path.parent.name}: {cv['macro_f1']:.3f}"
            if float(cv["macro_f1"]) > best_f1:
                best, best_f1 = str(card_path.parent), float(cv["macro_f1"])
    return best, reason
