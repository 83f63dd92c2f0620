"""A spaCy ``textcat_multilabel`` coder, trained the spaCy way from ``models/textcat/config.cfg``.

``fit`` writes the texts as DocBins, trains with spaCy's training loop (seeded, bounded epochs)
on most of the data, and picks per-code thresholds on the held-out rest. Evidence is found by
occlusion: the token whose removal lowers the code's score the most. Saved as a folder: the
spaCy pipeline (``nlp.to_disk``) in ``textcat/`` and ``config.json`` (codes, thresholds).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Sequence

import numpy as np
import spacy
from spacy.tokens import DocBin

from pipeline.coding.disk import codebook_tag, field, read_coder_config, write_config
from pipeline.coding.thresholds import best_thresholds
from pipeline.coding.trained import ProbabilisticCoder
from pipeline.config import Codebook
from pipeline.nlp import blank_english

CONFIG = Path(__file__).resolve().parents[2] / "models" / "textcat" / "config.cfg"
VERSION = "1"
MIN_EXAMPLES = 5
MAX_OCCLUDED_TOKENS = 80  # evidence search cost is bounded per coding


class TextcatCoder(ProbabilisticCoder):
    """spaCy multi-label text classifier with thresholds chosen on a held-out split."""

    method = "trained"
    kind = "textcat"

    def __init__(self, *, codebook: str = "", config: Path = CONFIG, dev_share: float = 0.2,
                 seed: int = 42, max_epochs: int | None = None) -> None:
        self.name = f"textcat-v{VERSION}:{codebook}"
        self.codebook_tag = codebook
        self.config, self.dev_share, self.seed = Path(config), dev_share, seed
        self.max_epochs = max_epochs
        self.code_ids: list[str] = []
        self.thresholds: dict[str, float] = {}
        self.learned: list[str] = []
        self.not_learned: dict[str, str] = {}
        self.nlp = None

    def _docs(self, texts: Sequence[str], labels: np.ndarray | None) -> DocBin:
        blank = blank_english()
        bin_ = DocBin()
        for i, doc in enumerate(blank.pipe(texts)):
            if labels is not None:
                doc.cats = {c: float(labels[i, j]) for j, c in enumerate(self.learned)}
            bin_.add(doc)
        return bin_

    def _train(self, texts, labels, dev_texts, dev_labels, out: Path) -> spacy.Language:
        from spacy.cli.train import train

        self._docs(texts, labels).to_disk(out / "train.spacy")
        self._docs(dev_texts, dev_labels).to_disk(out / "dev.spacy")
        overrides = {"paths.train": str(out / "train.spacy"), "paths.dev": str(out / "dev.spacy"),
                     "system.seed": self.seed}
        if self.max_epochs is not None:
            overrides["training.max_epochs"] = self.max_epochs
        train(self.config, out / "model", overrides=overrides)
        return spacy.load(out / "model" / "model-last")

    def fit(self, texts, labels, code_ids, context=None) -> "TextcatCoder":
        """Train on a seeded split, choose thresholds on the held-out rest, keep that model."""
        texts, labels = list(texts), np.asarray(labels, dtype=int)
        self.code_ids = list(code_ids)
        counts = labels.sum(axis=0)
        columns = [j for j, n in enumerate(counts) if n >= MIN_EXAMPLES]
        self.learned = [self.code_ids[j] for j in columns]
        self.not_learned = {self.code_ids[j]: f"{int(n)} positive examples (< {MIN_EXAMPLES})"
                            for j, n in enumerate(counts) if j not in columns}
        target = labels[:, columns]
        order = np.random.default_rng(self.seed).permutation(len(texts))
        n_dev = max(1, int(len(texts) * self.dev_share))
        dev, train = order[:n_dev], order[n_dev:]
        work = Path(tempfile.mkdtemp(prefix="wavecoder-textcat-"))
        try:
            nlp = self._train([texts[i] for i in train], target[train],
                              [texts[i] for i in dev], target[dev], work)
            self.nlp = nlp
            held_out = self._scores([texts[i] for i in dev])
            cuts = best_thresholds(target[dev], held_out)
            self.thresholds = dict(zip(self.learned, cuts.tolist(), strict=True))
        finally:
            shutil.rmtree(work, ignore_errors=True)
        return self

    def _scores(self, texts: Sequence[str]) -> np.ndarray:
        docs = self.nlp.pipe(texts, batch_size=256)
        return np.array([[doc.cats.get(c, 0.0) for c in self.learned] for doc in docs]
                        ).reshape(len(texts), len(self.learned))

    def predict_proba(self, texts, context=None) -> np.ndarray:
        """Scores per code from the trained pipeline; codes not learned get 0."""
        texts = list(texts)
        proba = np.zeros((len(texts), len(self.code_ids)))
        if texts and self.learned:
            columns = [self.code_ids.index(c) for c in self.learned]
            proba[:, columns] = self._scores(texts)
        return proba

    def threshold_vector(self) -> np.ndarray:
        """Learned codes use their validated cut; codes not learned can never be chosen."""
        return np.array([self.thresholds.get(c, np.inf) for c in self.code_ids])

    def evidence(self, text: str, code_id: str) -> tuple[int, int]:
        """Offsets of the token whose removal lowers ``code_id``'s score the most."""
        doc = self.nlp.make_doc(text)
        tokens = [t for t in doc if not t.is_punct and not t.is_space][:MAX_OCCLUDED_TOKENS]
        if not tokens:
            return 0, len(text)
        variants = [text[:t.idx] + text[t.idx + len(t):] for t in tokens]
        base = self.nlp(text).cats.get(code_id, 0.0)
        drops = [base - d.cats.get(code_id, 0.0) for d in self.nlp.pipe(variants)]
        best = tokens[int(np.argmax(drops))]
        return best.idx, best.idx + len(best)

    def describe(self) -> dict[str, object]:
        """What the model card records: thresholds, codes not learned, the training config."""
        return {"thresholds": dict(self.thresholds), "not_learned": dict(self.not_learned),
                "hybrid_choice": {}, "features": {"spacy_config": self.config.name}}

    def to_disk(self, directory: Path) -> None:
        """Write the spaCy pipeline (``textcat/``) and ``config.json`` into ``directory``."""
        directory.mkdir(parents=True, exist_ok=True)
        self.nlp.to_disk(directory / "textcat")
        write_config(directory, {
            "kind": self.kind, "version": VERSION, "name": self.name,
            "codebook": self.codebook_tag, "code_ids": self.code_ids, "learned": self.learned,
            "not_learned": self.not_learned, "thresholds": self.thresholds,
            "settings": {"dev_share": self.dev_share, "seed": self.seed,
                         "max_epochs": self.max_epochs}})

    @classmethod
    def from_disk(cls, directory: Path, codebook: Codebook) -> "TextcatCoder":
        """Read a coder written by :meth:`to_disk`."""
        config = read_coder_config(directory, cls.kind, codebook)
        settings = field(config, "settings", directory)
        coder = cls(codebook=codebook_tag(codebook), dev_share=settings["dev_share"],
                    seed=settings["seed"], max_epochs=settings["max_epochs"])
        coder.name = str(field(config, "name", directory))
        coder.code_ids = list(field(config, "code_ids", directory))
        coder.learned = list(field(config, "learned", directory))
        coder.not_learned = dict(field(config, "not_learned", directory))
        coder.thresholds = {k: float(v) for k, v in field(config, "thresholds", directory).items()}
        coder.nlp = spacy.load(directory / "textcat")
        return coder
