"""The hybrid coder: rules and a trained model, combined per code by what measures best.

Rules inform the model twice. Their matches are features of the linear model (one 0/1 column
per code), so it learns how far to trust each pattern; and for each code the combination
(rules only, model only, either, both) with the best F1 on held-out predictions of the
training data is kept. A code the model could not learn (too few examples) falls back to its
rules, and the choice says so.

Saved as a folder: ``config.json`` (codes, the choice per code and why) and the linear model in
``linear/`` (see :mod:`pipeline.coding.linear`, or :mod:`pipeline.coding.linear_tuned` for
``hybrid-finetuned``); the rule pipeline is compiled again from the codebook when it is loaded.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd
from sklearn.metrics import f1_score

from pipeline import schema as s
from pipeline.coding.disk import (
    codebook_tag,
    field,
    read_coder_config,
    read_config,
    write_config,
)
from pipeline.coding.features import codebook_examples, rule_matrix
from pipeline.coding.linear import DEFAULT_EMBEDDING, LinearCoder
from pipeline.coding.rules import RuleCoder
from pipeline.config import Codebook

COMBINATIONS = ("rules", "model", "union", "intersection")
VERSION = "1"
MODEL_FOLDER = "linear"

__all__ = ["COMBINATIONS", "HybridCoder"]


def _combine(how: str, rules: np.ndarray, model: np.ndarray) -> np.ndarray:
    return {"rules": rules, "model": model, "union": rules | model,
            "intersection": rules & model}[how]


def _model_class(folder: Path) -> type[LinearCoder]:
    """The saved linear model's class, by its kind: on fine-tuned embeddings, or not."""
    if field(read_config(folder), "kind", folder) == "linear-finetuned":
        from pipeline.coding.linear_tuned import TunedLinearCoder  # torch loads only for it

        return TunedLinearCoder
    return LinearCoder


class HybridCoder:
    """Rules + a trained linear model, combined per code; ``code(segments) -> codings``."""

    kind = "hybrid"

    def __init__(self, codebook: Codebook, model: LinearCoder | None = None, *,
                 attributes: Sequence[str] = (),
                 embedding: str | None = DEFAULT_EMBEDDING) -> None:
        self.codebook = codebook
        self.rules = RuleCoder(codebook)
        self.model = model or LinearCoder(codebook=f"{codebook.id}@{codebook.version}",
                                          rules=codebook, attributes=attributes,
                                          embedding=embedding,
                                          examples=codebook_examples(codebook))
        self.model.use_rule_coder(self.rules)
        self.name = f"hybrid-v{VERSION}:{codebook.id}@{codebook.version}"
        self.choice: dict[str, str] = {}
        self.reasons: dict[str, str] = {}
        self.code_ids: list[str] = []

    def fit(self, texts, labels, code_ids, context=None) -> "HybridCoder":
        """Train the model, then choose each code's combination on held-out decisions.

        The codebook's examples the model trained on are judged too: a rare code's few gold
        texts then are not all its choice rests on.
        """
        texts, labels = list(texts), np.asarray(labels, dtype=int)
        self.code_ids = list(code_ids)
        self.model.fit(texts, labels, code_ids, context)
        example_texts, example_labels = self.model.example_rows
        if example_texts:
            texts, labels = texts + example_texts, np.vstack([labels, example_labels])
        rules = self._rule_matrix(texts)
        for j, code_id in enumerate(self.code_ids):
            if code_id not in self.model.learned:
                self.choice[code_id] = "rules"
                self.reasons[code_id] = f"model not trained: {self.model.not_learned[code_id]}"
                continue
            scores = {how: f1_score(labels[:, j], _combine(how, rules[:, j],
                                                           self.model.held_out[:, j]),
                                    zero_division=0) for how in COMBINATIONS}
            self.choice[code_id] = max(COMBINATIONS,
                                       key=lambda h: (scores[h], -COMBINATIONS.index(h)))
            self.reasons[code_id] = "held-out F1 " + ", ".join(
                f"{h} {v:.2f}" for h, v in scores.items())
        return self

    def rules_beside(self) -> RuleCoder:
        """The rule coder that codes, in a run, every code the model was not fitted on."""
        return self.rules

    def predict(self, texts, context=None) -> np.ndarray:
        """0/1 decisions per text × code."""
        texts = list(texts)
        rules = self._rule_matrix(texts)
        model = self.model.predict(texts, context)
        out = np.zeros_like(rules)
        for j, code_id in enumerate(self.code_ids):
            out[:, j] = _combine(self.choice.get(code_id, "rules"), rules[:, j], model[:, j])
        return out

    def code(self, segments: pd.DataFrame) -> pd.DataFrame:
        """Codings from the chosen source per code; rule evidence wins where both agree.

        The model's evidence is found only for the codings kept from it (codes it decides,
        and under ``union`` where the rules found nothing).
        """
        if segments.empty:
            return s.empty(s.CODINGS)
        rule_codings = self.rules.code(segments)
        if self.model.rule_features is not None:  # the model reads these matches: not again
            self.model.rule_features.remember(segments, rule_codings)
        proba = self.model.predict_proba(segments[s.TEXT].tolist(),
                                         self.model.context_of(segments))
        decided = self.model.decide(proba)
        position = {sid: i for i, sid in enumerate(segments[s.SEGMENT_ID])}
        column = {code_id: j for j, code_id in enumerate(self.model.code_ids)}
        how = rule_codings[s.CODE_ID].map(lambda c: self.choice.get(c, "rules"))
        rows = rule_codings[s.SEGMENT_ID].map(position).to_numpy()
        agreed = np.array([how_ == "intersection" and bool(decided[i, column[c]])
                           for how_, i, c in zip(how, rows, rule_codings[s.CODE_ID],
                                                 strict=True)], dtype=bool)
        ruled = rule_codings[how.isin(["rules", "union"]).to_numpy() | agreed].copy()
        ruled[s.METHOD] = ruled[s.METHOD].where(~how[ruled.index].isin(
            ["union", "intersection"]), "hybrid")
        by_model = np.array([self.choice.get(c, "rules") for c in self.model.code_ids])
        ruled_pairs = set(zip(rows, rule_codings[s.CODE_ID], strict=True))
        wanted = decided & ((by_model == "model") | (by_model == "union"))[None, :]
        which, columns = np.nonzero(wanted)
        keep = [by_model[j] == "model" or (i, self.model.code_ids[j]) not in ruled_pairs
                for i, j in zip(which, columns, strict=True)]
        modelled = self.model.codings_at(segments, proba, which[keep], columns[keep])
        modelled.loc[by_model[columns[keep]] == "union", s.METHOD] = "hybrid"
        frame = pd.concat([ruled, modelled], ignore_index=True)
        if frame.empty:
            return s.empty(s.CODINGS)
        frame[s.CODER] = self.name
        order = {c: i for i, c in enumerate(self.codebook.code_ids())}
        frame = frame.sort_values(by=[s.SEGMENT_ID, s.CODE_ID], key=lambda col: col.map(
            position if col.name == s.SEGMENT_ID else order), kind="stable")
        return s.conform(frame.reset_index(drop=True), s.CODINGS)

    def _rule_matrix(self, texts: list[str]) -> np.ndarray:
        """Rule decisions per text × code, from the model's rule features when it has them."""
        if self.model.rule_features is not None:  # kept for the model's features: run once
            return self.model.rule_features.matrix(texts, self.code_ids)
        return rule_matrix(self.rules, texts, self.code_ids)

    def describe(self) -> dict[str, object]:
        """What the model card records: the model's thresholds and gaps, and the choice."""
        return {**self.model.describe(), "hybrid_choice": dict(self.choice)}

    def to_disk(self, directory: Path) -> None:
        """Write ``config.json`` and the linear model (``linear/``) into ``directory``."""
        self.model.to_disk(directory / MODEL_FOLDER)
        write_config(directory, {
            "kind": self.kind, "version": VERSION, "name": self.name,
            "codebook": codebook_tag(self.codebook),
            "code_ids": self.code_ids, "choice": self.choice, "reasons": self.reasons})

    @classmethod
    def from_disk(cls, directory: Path, codebook: Codebook) -> "HybridCoder":
        """Read a coder written by :meth:`to_disk`; its rules are compiled from ``codebook``."""
        config = read_coder_config(directory, cls.kind, codebook)
        folder = directory / MODEL_FOLDER
        coder = cls(codebook, _model_class(folder).from_disk(folder, codebook))
        coder.name = str(field(config, "name", directory))
        coder.code_ids = list(field(config, "code_ids", directory))
        coder.choice = dict(field(config, "choice", directory))
        coder.reasons = dict(field(config, "reasons", directory))
        return coder
