"""The few-shot coder: a handful of human-coded texts per code, on top of the codebook's rules.

Each code with a few labelled examples gets a logistic regression on the MiniLM vector of the
whole segment plus one more feature, whether the code's rules match it (scaled by
``rule_weight``): ten positives cannot teach a model what a code's patterns already say, but
they can teach it how far to trust them and which paraphrases they miss. Balanced class
weights make ten positives among a few hundred negatives count, and the codebook's own examples
join them, each an example of its code and a counter-example of the others (a handful of
sentences written to say what a code is). Evidence is a rule's match
when the code's rules matched, else the clause of the segment (:mod:`pipeline.coding.clauses`)
the model scores highest, with its offsets.

This is what a team gets from a first review of a few dozen comments per code, before there is
enough gold for the linear coder (:mod:`pipeline.coding.linear`), which needs far more to beat
the rules. :func:`with_examples` builds a codebook whose codes also list labelled texts as
examples, for the semantic coder (:mod:`pipeline.coding.semantic`).

Saved as a folder (:mod:`pipeline.coding.disk`): settings, codes and thresholds in
``config.json``, each learned code's coefficients and intercept in ``arrays.npz``; the rules
are compiled again from the codebook and the embedder is the offline MiniLM, as when trained.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression

from pipeline import schema as s
from pipeline.coding import disk
from pipeline.coding.base import Coder
from pipeline.coding.clauses import split_clauses
from pipeline.coding.features import Context, codebook_examples, rule_matrix
from pipeline.coding.rules import RuleCoder
from pipeline.coding.sklearn_state import fitted_binary
from pipeline.config import Code, Codebook
from pipeline.embeddings import Embedder, MiniLMEmbedder

METHOD = "few-shot"
VERSION = "1"
MIN_POSITIVES = 3
"""A code with fewer labelled examples is left to the rules."""
THRESHOLD = 0.6
"""The probability from which a code is given: balanced class weights make ten positives
weigh as much as hundreds of negatives, which pushes probabilities up; on the NHS few-shot
draws 0.6 measured 0.442 macro-F1 against 0.431 at 0.5 (0.4: 0.409, 0.7: 0.433)."""
CODEBOOK_EXAMPLES = True
"""Whether the codebook's examples join the labelled texts (see :class:`FewShotCoder`): on the
NHS few-shot draws 0.450 macro-F1 with them against 0.442 without (cut at 0.6)."""
RULE_WEIGHT = 1.0
"""The rule-match feature's value when the code's rules match (the embedding has unit length)."""
C = 4.0
"""Inverse regularisation: 4 measured 0.005 macro-F1 above 1 and 0.25 on the NHS few-shot draws."""

__all__ = ["FewShotCoder", "MIN_POSITIVES", "with_examples"]


def with_examples(codebook: Codebook, texts: Sequence[str], labels: np.ndarray,
                  code_ids: Sequence[str]) -> Codebook:
    """A copy of ``codebook`` where each code also has its labelled ``texts`` as examples."""
    extra: dict[str, list[str]] = {}
    for j, code_id in enumerate(code_ids):
        extra[code_id] = [texts[i] for i in np.flatnonzero(np.asarray(labels)[:, j])]

    def grown(code: Code) -> Code:
        return code.model_copy(update={
            "examples": [*code.examples, *extra.get(code.id, [])],
            "children": [grown(child) for child in code.children]})

    return codebook.model_copy(update={"codes": [grown(code) for code in codebook.codes]})


class FewShotCoder:
    """Per-code logistic regression on sentence vectors and rule matches; ``code(segments)``.

    Args:
        codebook: the codebook (its rules are compiled on first use).
        embedder: sentence embeddings; the offline MiniLM by default.
        rule_weight: the value of the rule-match feature when the code's rules match (0: the
            model sees only the embedding, and the rules play no part).
        balanced: balanced class weights (else every text weighs the same).
        c: inverse regularisation strength.
        codebook_examples: the codebook's own examples of the codes learned join the labelled
            texts, each an example of its code and a counter-example of every other.
        threshold: the probability from which a code is given.
    """

    kind = "few-shot"

    def __init__(self, codebook: Codebook, embedder: Embedder | None = None, *,
                 rule_weight: float = RULE_WEIGHT, balanced: bool = True, c: float = C,
                 codebook_examples: bool = CODEBOOK_EXAMPLES, threshold: float = THRESHOLD,
                 seed: int = 42) -> None:
        self.codebook = codebook
        self.embedder = embedder or MiniLMEmbedder()
        self.rule_weight, self.balanced, self.c, self.seed = rule_weight, balanced, c, seed
        self.codebook_examples, self.threshold = codebook_examples, threshold
        self.name = f"few-shot-v{VERSION}:{codebook.id}@{codebook.version}"
        self.code_ids: list[str] = []
        self.models: dict[str, LogisticRegression] = {}
        self.not_learned: dict[str, str] = {}
        self._rules: Coder | None = None

    def _estimator(self) -> LogisticRegression:
        return LogisticRegression(C=self.c, class_weight="balanced" if self.balanced else None,
                                  max_iter=2000, random_state=self.seed)

    def use_rule_coder(self, coder: Coder) -> None:
        """Share an already compiled rule coder of the same codebook."""
        self._rules = coder

    @property
    def rules(self) -> Coder:
        """The rule coder given to :meth:`use_rule_coder`, or the codebook's, built once."""
        self._rules = self._rules if self._rules is not None else RuleCoder(self.codebook)
        return self._rules

    def _features(self, vectors: np.ndarray, matched: np.ndarray, j: int) -> np.ndarray:
        """Embedding columns, then code ``j``'s rule match (0 or ``rule_weight``)."""
        return np.hstack([vectors, self.rule_weight * matched[:, j:j + 1]])

    def _matches(self, texts: list[str]) -> np.ndarray:
        if not self.rule_weight:
            return np.zeros((len(texts), len(self.code_ids)), dtype=int)
        return rule_matrix(self.rules, texts, self.code_ids)

    def fit(self, texts: Sequence[str], labels: np.ndarray, code_ids: Sequence[str],
            context: Context = None) -> "FewShotCoder":
        """Learn each code with at least :data:`MIN_POSITIVES` examples among ``texts``.

        ``context`` (the question, attributes) is accepted like the other trained coders'
        and not used: a handful of examples cannot teach what a question changes.
        """
        texts, labels = list(texts), np.asarray(labels, dtype=int)
        self.code_ids = list(code_ids)
        vectors, matched = self.embedder.embed(texts), self._matches(texts)
        extra, extra_codes = self._codebook_rows()
        self.models, self.not_learned = {}, {}
        for j, code_id in enumerate(self.code_ids):
            target = labels[:, j]
            if MIN_POSITIVES <= target.sum() < len(target):
                features = self._features(vectors, matched, j)
                if extra is not None:
                    features = np.vstack([features, self._features(*extra, j)])
                    target = np.concatenate([target, (extra_codes == code_id).astype(int)])
                self.models[code_id] = self._estimator().fit(features, target)
            else:
                self.not_learned[code_id] = (f"{int(target.sum())} positive examples of "
                                             f"{len(target)} (< {MIN_POSITIVES}, or all)")
        return self

    def _codebook_rows(self) -> tuple[tuple[np.ndarray, np.ndarray] | None, np.ndarray]:
        """The codebook's examples of the codes being learned, as rows, and their codes.

        Their vectors and rule matches, and the code each is an example of: none unless
        ``codebook_examples``.
        """
        wanted = set(self.code_ids)
        pairs = [(example, code_id) for example, code_id in codebook_examples(self.codebook)
                 if code_id in wanted] if self.codebook_examples else []
        if not pairs:
            return None, np.array([], dtype=object)
        examples = [example for example, _ in pairs]
        return ((self.embedder.embed(examples), self._matches(examples)),
                np.array([code_id for _, code_id in pairs], dtype=object))

    def predict_proba(self, texts: Sequence[str], context: Context = None, *,
                      matched: np.ndarray | None = None) -> np.ndarray:
        """P(code) per text × code; a code not learned gets its rule decision (0 or 1).

        ``matched``: the rule decisions on ``texts`` when already known (else computed).
        """
        texts = list(texts)
        matched = self._matches(texts) if matched is None else matched
        proba = matched.astype(float)
        if texts and self.models:
            vectors = self.embedder.embed([t if t.strip() else " " for t in texts])
            for j, code_id in enumerate(self.code_ids):
                if code_id in self.models:
                    proba[:, j] = self.models[code_id].predict_proba(
                        self._features(vectors, matched, j))[:, 1]
        return proba

    def rules_beside(self) -> Coder | None:
        """The rule coder that codes, in a run, every code not fitted on (None: no rules)."""
        return self.rules if self.rule_weight else None

    def predict(self, texts: Sequence[str], context: Context = None) -> np.ndarray:
        """0/1 decisions per text × code (the codes it was fitted on)."""
        return (self.predict_proba(texts) >= self.threshold).astype(int)

    def code(self, segments: pd.DataFrame) -> pd.DataFrame:
        """Code each segment; returns a codings table (schema.CODINGS) in segment order.

        Where the code's rules matched, the rule coding (its pattern's evidence) is kept;
        elsewhere the evidence is the clause the model scores highest.
        """
        texts = [t if isinstance(t, str) else "" for t in segments[s.TEXT]]
        self.code_ids = self.code_ids or self.codebook.code_ids()
        rule_codings = self.rules.code(segments) if self.rule_weight else s.empty(s.CODINGS)
        row_of = {sid: i for i, sid in enumerate(segments[s.SEGMENT_ID])}
        column = {c: j for j, c in enumerate(self.code_ids)}
        matched = np.zeros((len(texts), len(self.code_ids)), dtype=int)
        for sid, code_id in zip(rule_codings[s.SEGMENT_ID], rule_codings[s.CODE_ID],
                                strict=True):
            if code_id in column:
                matched[row_of[sid], column[code_id]] = 1
        proba = self.predict_proba(texts, matched=matched)
        decided = proba >= self.threshold
        keep = [code_id not in column or bool(decided[row_of[sid], column[code_id]])
                for sid, code_id in zip(rule_codings[s.SEGMENT_ID], rule_codings[s.CODE_ID],
                                        strict=True)]
        rows = self._model_rows(segments, texts, decided & (matched == 0), proba, matched)
        frames = [f for f in (rule_codings[keep], pd.DataFrame(rows)) if len(f)]
        if not frames:
            return s.empty(s.CODINGS)
        both = pd.concat(frames, ignore_index=True)
        both[s.CODER] = self.name
        order = {c: i for i, c in enumerate(self.codebook.code_ids())}
        both = both.sort_values(by=[s.SEGMENT_ID, s.CODE_ID], key=lambda col: col.map(
            row_of if col.name == s.SEGMENT_ID else order), kind="stable")
        return s.conform(both.reset_index(drop=True), s.CODINGS)

    def _best_clause(self, text: str, j: int, matched: np.ndarray, row: int
                     ) -> tuple[int, int]:
        """Offsets of the clause of ``text`` the code's model scores highest (else all)."""
        clauses = split_clauses(text)
        if len(clauses) < 2:
            return (clauses[0].start, clauses[0].end) if clauses else (0, len(text))
        vectors = self.embedder.embed([c.text for c in clauses])
        rows = np.repeat(matched[row:row + 1], len(clauses), axis=0)
        scores = self.models[self.code_ids[j]].predict_proba(
            self._features(vectors, rows, j))[:, 1]
        best = clauses[int(scores.argmax())]
        return best.start, best.end

    def _model_rows(self, segments, texts, added, proba, matched) -> list[dict]:
        """Codings for the segment × code cells the model adds, evidence its best clause."""
        records = segments[[s.SEGMENT_ID, s.START]].to_numpy()
        rows = []
        for i, j in zip(*np.nonzero(added), strict=True):
            segment_id, seg_start = records[i]
            start, end = self._best_clause(texts[i], j, matched, i)
            rows.append({
                s.SEGMENT_ID: segment_id, s.CODE_ID: self.code_ids[j],
                s.START: int(seg_start) + start, s.END: int(seg_start) + end,
                s.EVIDENCE: texts[i][start:end], s.METHOD: METHOD,
                s.PATTERN: f"{self.code_ids[j]}:few-shot",
                s.CONFIDENCE: round(float(proba[i, j]), 4), s.NEGATED: False,
                s.CODER: self.name, s.NEEDS_REVIEW: False, s.STATUS: s.STATUS_MACHINE})
        return rows

    def describe(self) -> dict[str, object]:
        """What the model card records: thresholds, codes left to the rules, features."""
        return {"thresholds": dict.fromkeys(self.models, self.threshold),
                "not_learned": dict(self.not_learned), "hybrid_choice": {},
                "features": {"embeddings": getattr(self.embedder, "name",
                                                   type(self.embedder).__name__),
                             "rules": bool(self.rule_weight), **self._settings()}}

    # ----------------------------------------------------------------- on disk

    def _settings(self) -> dict[str, object]:
        return {"rule_weight": self.rule_weight, "balanced": self.balanced, "c": self.c,
                "codebook_examples": self.codebook_examples, "threshold": self.threshold,
                "seed": self.seed}

    def to_disk(self, directory: Path) -> None:
        """Write ``config.json`` and each learned code's weights (``arrays.npz``)."""
        learned = list(self.models)
        disk.write_config(directory, {
            "kind": self.kind, "version": VERSION, "name": self.name,
            "codebook": disk.codebook_tag(self.codebook), "settings": self._settings(),
            "code_ids": self.code_ids, "learned": learned, "not_learned": self.not_learned})
        if learned:
            disk.write_arrays(directory, {
                "coef": np.vstack([self.models[c].coef_ for c in learned]),
                "intercept": np.concatenate([self.models[c].intercept_ for c in learned])})

    @classmethod
    def from_disk(cls, directory: Path, codebook: Codebook) -> "FewShotCoder":
        """Read a coder written by :meth:`to_disk`; its rules are compiled from ``codebook``."""
        config = disk.read_coder_config(directory, cls.kind, codebook)
        settings = disk.field(config, "settings", directory)
        coder = cls(codebook, rule_weight=float(settings["rule_weight"]),
                    balanced=bool(settings["balanced"]), c=float(settings["c"]),
                    codebook_examples=bool(settings["codebook_examples"]),
                    threshold=float(settings["threshold"]), seed=int(settings["seed"]))
        coder.name = str(disk.field(config, "name", directory))
        coder.code_ids = list(disk.field(config, "code_ids", directory))
        coder.not_learned = dict(disk.field(config, "not_learned", directory))
        learned = list(disk.field(config, "learned", directory))
        if learned:
            arrays = disk.read_arrays(directory)
            coder.models = {code_id: fitted_binary(coder._estimator, coef, bias)
                            for code_id, coef, bias in zip(learned, arrays["coef"],
                                                           arrays["intercept"], strict=True)}
        return coder
