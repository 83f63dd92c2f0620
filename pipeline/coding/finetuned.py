"""A coder that fine-tunes the packaged MiniLM on human-coded texts (multi-label, CPU only).

``fit`` holds out a seeded ``dev_share`` of the training texts, fine-tunes MiniLM with a linear
head on the rest (:mod:`pipeline.coding.finetune`: binary cross-entropy, AdamW, early stopping
on the held-out texts, a wall-clock budget) and chooses each code's decision threshold, and the
relative cut, on the held-out texts' probabilities (:mod:`pipeline.coding.thresholds`). The text a
model reads is the question it answers, when known, then the answer.

Evidence for a code is the clause (:func:`pipeline.coding.clauses.split_clauses`) that the
model scores highest for it on its own: a comment praising the staff and complaining about the
wait points to a different clause for each code.

Saved as a folder: ``config.json`` (kind, settings, codes, thresholds, training history),
``encoder/`` (the fine-tuned weights as safetensors, tokenizer and transformer config) and
``head.safetensors``. Loading reads only those files (the hub is switched off).
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np

from pipeline.coding.clauses import split_clauses
from pipeline.coding.disk import codebook_tag, field, read_coder_config, write_config
from pipeline.coding.features import Context, context_table, with_example_rows
from pipeline.coding.finetune import History, Network, Settings, base_model_path, train
from pipeline.coding.thresholds import best_relative_cut, best_thresholds
from pipeline.coding.trained import ProbabilisticCoder
from pipeline.config import Codebook
from pipeline.errors import InputError

VERSION = "1"
MIN_EXAMPLES = 5  # a code with fewer positive examples is not learned
ENCODER = "encoder"
HEAD = "head.safetensors"


class FinetunedCoder(ProbabilisticCoder):
    """Fine-tuned MiniLM with a multi-label head; thresholds chosen on held-out texts.

    Args:
        codebook: codebook id@version, for the coder's name.
        settings: the fine-tuning settings (epochs, learning rates, ``budget_s`` ...).
        dev_share: share of the training texts held out for early stopping and thresholds.
        shrink: how far a validated threshold is pulled back toward 0.5.
        use_question: whether the model reads the question before the answer.
        base: the model folder to start from; the packaged all-MiniLM-L6-v2 by default.
        examples: (text, code id) pairs fine-tuned on beside the training texts, each a
            positive of its code and a counter-example of every other: the codebook's own
            examples (:func:`pipeline.coding.features.codebook_examples`). They are never held
            out: early stopping and thresholds are judged on the given texts alone. None by
            default: on the NHS split they moved the hybrid on the encoder by -0.002 to +0.002
            macro-F1 (docs/coders.md); the linear model on it reads them instead.
    """

    method = "trained"
    kind = "finetuned"

    def __init__(self, *, codebook: str = "", settings: Settings | None = None,
                 dev_share: float = 0.1, shrink: float = 0.5, use_question: bool = True,
                 base: Path | None = None, examples: Sequence[tuple[str, str]] = ()) -> None:
        self.name = f"finetuned-v{VERSION}:{codebook}"
        self.codebook_tag = codebook
        self.settings = settings or Settings()
        self.dev_share, self.shrink, self.use_question = dev_share, shrink, use_question
        self.base = base
        self.examples = list(examples)
        self.examples_used = 0  # how many of them the last fit trained on
        self.code_ids: list[str] = []
        self.learned: list[str] = []
        self.not_learned: dict[str, str] = {}
        self.thresholds: dict[str, float] = {}
        self.relative_cut = 0.0
        self.history = History()
        self.network: Network | None = None
        self._questions: dict[str, str] = {}  # text -> its question, from the last batch
        self._clauses: dict[str, tuple[list, np.ndarray]] = {}  # text -> clause scores

    def inputs(self, texts: Sequence[str], context: Context) -> list[str]:
        """What the model reads: ``question: answer`` when the question is known."""
        if not self.use_question:
            return list(texts)
        questions = context_table(context, len(texts))[:, 0]
        self._questions = dict(zip(texts, questions, strict=True))
        return [f"{q}: {t}" if q else t for q, t in zip(questions, texts, strict=True)]

    def fit(self, texts, labels, code_ids, context=None) -> "FinetunedCoder":
        """Fine-tune on most texts; early stopping and thresholds on the held-out rest."""
        texts, labels = list(texts), np.asarray(labels, dtype=int)
        columns = self.choose_codes(labels, code_ids, MIN_EXAMPLES)
        if not columns:
            return self
        inputs, target = self.inputs(texts, context), labels[:, columns]
        dev, rest = self._split(len(texts))
        extra_inputs, extra_target = self._example_rows(columns, code_ids)
        self.examples_used = len(extra_inputs)
        self.network = Network(self.base or base_model_path(), len(columns),
                               self.settings.max_length, self.settings.seed,
                               self.settings.threads, self.settings.loss)
        self.history = train(self.network, [inputs[i] for i in rest] + extra_inputs,
                             np.vstack([target[rest], extra_target]),
                             [inputs[i] for i in dev], target[dev], self.settings)
        held_out = self.network.scores([inputs[i] for i in dev])
        cuts = best_thresholds(target[dev], held_out, shrink=self.shrink)
        self.thresholds = dict(zip(self.learned, cuts.tolist(), strict=True))
        self.relative_cut = best_relative_cut(target[dev], held_out, cuts)
        return self

    def _example_rows(self, columns: list[int], code_ids: Sequence[str]
                      ) -> tuple[list[str], np.ndarray]:
        """The examples of learned codes as (inputs, targets over ``columns``).

        An example reads as an answer without its question.
        """
        none = np.zeros((0, len(columns)), dtype=int)
        texts, target, _ = with_example_rows(self.examples, [], none,
                                             [code_ids[j] for j in columns], None)
        return texts, target

    def dev_rows(self, n: int) -> np.ndarray:
        """Which of ``n`` training texts ``fit`` holds out (seeded).

        The encoder never learns from them, so they can judge what is built on it.
        """
        return self._split(n)[0]

    def _split(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        """The held-out rows and the rest, in the seeded order training reads them."""
        order = np.random.default_rng(self.settings.seed).permutation(n)
        n_dev = max(1, int(round(n * self.dev_share)))
        return order[:n_dev], order[n_dev:]

    def predict_proba(self, texts, context=None) -> np.ndarray:
        """Probabilities per code; codes not learned get 0."""
        texts = list(texts)
        proba = np.zeros((len(texts), len(self.code_ids)))
        if texts and self.learned:
            columns = [self.code_ids.index(c) for c in self.learned]
            proba[:, columns] = self.network.scores(self.inputs(texts, context))
            self._clauses = {}
        return proba

    def threshold_vector(self) -> np.ndarray:
        """Learned codes use their validated cut; codes not learned can never be chosen."""
        return np.array([self.thresholds.get(c, np.inf) for c in self.code_ids])

    def evidence(self, text: str, code_id: str) -> tuple[int, int]:
        """Offsets of the clause of ``text`` that the model scores highest for ``code_id``."""
        if text not in self._clauses:
            clauses = split_clauses(text)
            question = self._questions.get(text, "")
            scores = (self.network.scores([f"{question}: {c.text}" if question else c.text
                                           for c in clauses])
                      if len(clauses) > 1 else np.zeros((len(clauses), len(self.learned))))
            self._clauses[text] = (clauses, scores)
        clauses, scores = self._clauses[text]
        if not clauses:
            return 0, len(text)
        best = clauses[int(np.argmax(scores[:, self.learned.index(code_id)]))]
        return best.start, best.end

    def describe(self) -> dict[str, object]:
        """What the model card records: thresholds, codes not learned, training choices."""
        return {"thresholds": dict(self.thresholds), "relative_cut": self.relative_cut,
                "not_learned": dict(self.not_learned), "hybrid_choice": {},
                "features": {"model": "all-MiniLM-L6-v2, fine-tuned",
                             "question": self.use_question, "settings": self.settings.to_json(),
                             "codebook_examples": self.examples_used,
                             "training": self.history.to_json()}}

    # ----------------------------------------------------------------- on disk

    def to_disk(self, directory: Path) -> None:
        """Write ``config.json``, ``encoder/`` (safetensors + tokenizer) and the head."""
        directory.mkdir(parents=True, exist_ok=True)
        if self.network is not None:
            from safetensors.torch import save_file

            self.network.encoder.save_pretrained(directory / ENCODER, safe_serialization=True)
            self.network.tokenizer.save_pretrained(directory / ENCODER)
            save_file({k: v.contiguous() for k, v in self.network.head.state_dict().items()},
                      directory / HEAD)
        write_config(directory, {
            "kind": self.kind, "version": VERSION, "name": self.name,
            "codebook": self.codebook_tag, "code_ids": self.code_ids, "learned": self.learned,
            "not_learned": self.not_learned, "thresholds": self.thresholds,
            "relative_cut": self.relative_cut, "codebook_examples": self.examples_used,
            "settings": {**self.settings.to_json(), "dev_share": self.dev_share,
                         "shrink": self.shrink, "use_question": self.use_question},
            "training": self.history.to_json()})

    @classmethod
    def from_disk(cls, directory: Path, codebook: Codebook) -> "FinetunedCoder":
        """Read a coder written by :meth:`to_disk`, from its own files only."""
        config = read_coder_config(directory, cls.kind, codebook)
        settings = dict(field(config, "settings", directory))
        extra = {k: settings.pop(k) for k in ("dev_share", "shrink", "use_question")
                 if k in settings}
        settings.setdefault("contrast", 0.0)  # saved before the pair term: trained without it
        try:
            tuned = Settings(**settings)
        except (TypeError, ValueError) as error:  # a key or value from another version, or none
            raise InputError(f"{directory / 'config.json'}: field 'settings': {error}") from None
        coder = cls(codebook=codebook_tag(codebook), settings=tuned, **extra)
        coder.name = str(field(config, "name", directory))
        coder.code_ids = list(field(config, "code_ids", directory))
        coder.learned = list(field(config, "learned", directory))
        coder.not_learned = dict(field(config, "not_learned", directory))
        coder.thresholds = {k: float(v) for k, v in field(config, "thresholds", directory).items()}
        coder.relative_cut = float(config.get("relative_cut", 0.0))  # none before it was learned
        coder.history = History(**field(config, "training", directory))
        coder.examples_used = int(config.get("codebook_examples", 0))  # none before them
        if coder.learned:
            if not (directory / HEAD).is_file() or not (directory / ENCODER).is_dir():
                raise InputError(f"{directory}: the fine-tuned weights ({ENCODER}/, {HEAD}) "
                                 "are missing")
            from safetensors.torch import load_file

            coder.network = Network(directory / ENCODER, len(coder.learned),
                                    coder.settings.max_length, threads=coder.settings.threads,
                                    loss=coder.settings.loss)
            coder.network.head.load_state_dict(load_file(directory / HEAD))
            coder.network.train(False)
        return coder
