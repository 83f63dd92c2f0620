"""The linear coder on fine-tuned embeddings: MiniLM fine-tuned on the gold, then the linear model.

``fit`` first fine-tunes the packaged MiniLM on the training texts (a
:class:`~pipeline.coding.finetuned.FinetunedCoder`, within its time budget), then trains the
linear coder (:mod:`pipeline.coding.linear`: TF-IDF words and characters, the question, and
sentence embeddings) with the fine-tuned encoder as its sentence embeddings in place of stock
MiniLM. On the NHS folds run (1-4 of 5) it beat both the linear coder and the fine-tuned coder
alone (docs/coders.md). Evidence is the linear coder's (the n-gram with the largest pull).

Saved as the linear coder's folder with the fine-tuned coder in ``tuned/`` beside it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np

from pipeline.coding.finetune import Network, Settings
from pipeline.coding.finetuned import FinetunedCoder
from pipeline.coding.linear import LinearCoder
from pipeline.config import Codebook

VERSION = "1"
TUNED = "tuned"
DEFAULT_BUDGET_S = 420.0  # the linear fit after it takes 1-3 minutes: ten in all on 5,175 texts
DEFAULT_EPOCHS = Settings().epochs
DEFAULT_NEIGHBOURS = 0.3
"""The nearest training texts' vote (:mod:`pipeline.coding.neighbours`): on the fine-tuned
encoder, whose neighbourhoods follow the codes, it added macro- and micro-F1 on two sets of NHS
encoders (docs/coders.md); on stock MiniLM it did not, so ``linear`` and ``hybrid`` go without.
Fixed rather than ``auto``: the weight chosen on the encoder's held-out tenth won back what 0.3
costs on the SERDIF highlights but lost up to 0.004 macro-F1 on NHS (docs/coders.md)."""


class TunedEmbedder:
    """A fine-tuned encoder as sentence embeddings (mean-pooled, unit length)."""

    name = "minilm:all-MiniLM-L6-v2 fine-tuned"

    def __init__(self, network: Network) -> None:
        self.network = network

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embed ``texts`` with the fine-tuned encoder."""
        return self.network.embed(list(texts))


class TunedLinearCoder(LinearCoder):
    """The linear coder whose sentence embeddings come from MiniLM fine-tuned on its texts.

    Args:
        codebook: codebook id@version, for the coder's name.
        settings: the fine-tuning settings (``budget_s`` defaults to :data:`DEFAULT_BUDGET_S`).
        **linear: the linear coder's settings (``c``, ``attributes``, ``rules`` ...;
            ``neighbours`` defaults to :data:`DEFAULT_NEIGHBOURS`).
    """

    kind = "linear-finetuned"
    vote_prior = DEFAULT_NEIGHBOURS  # what auto keeps unless the held-out tenth clearly differs

    def __init__(self, *, codebook: str = "", settings: Settings | None = None,
                 **linear) -> None:
        linear.pop("embedding", None)
        linear.pop("embeddings", None)
        linear.setdefault("neighbours", DEFAULT_NEIGHBOURS)
        super().__init__(codebook=codebook, embedding="minilm", **linear)
        self.name = f"linear-finetuned-v{VERSION}:{codebook}"
        self.tuned = FinetunedCoder(codebook=codebook, settings=settings or Settings(
            budget_s=DEFAULT_BUDGET_S, epochs=DEFAULT_EPOCHS))

    def fit(self, texts, labels, code_ids, context=None) -> "TunedLinearCoder":
        """Fine-tune MiniLM on the texts, then fit the linear coder on its embeddings."""
        self.tuned.fit(texts, labels, code_ids, context)
        if self.tuned.network is not None:
            self.embedder = TunedEmbedder(self.tuned.network)
        return super().fit(texts, labels, code_ids, context)

    def judged_rows(self, n: int) -> np.ndarray:
        """The rows the encoder held out: ``neighbours="auto"`` judges its weight there.

        The other rows' vectors were fitted to their labels, so their vote flatters itself.
        """
        if self.tuned.network is None:
            return super().judged_rows(n)
        return self.tuned.dev_rows(n)

    def features_used(self) -> dict[str, object]:
        """The linear coder's features, with the fine-tuned embeddings named."""
        return {**super().features_used(), "embeddings": TunedEmbedder.name}

    def describe(self) -> dict[str, object]:
        """The linear coder's card, with how the fine-tuning went."""
        card = super().describe()
        card["features"]["finetuning"] = self.tuned.describe()["features"]
        return card

    def to_disk(self, directory: Path) -> None:
        """The linear coder's files, and the fine-tuned coder in ``tuned/``."""
        super().to_disk(directory)
        self.tuned.to_disk(directory / TUNED)

    @classmethod
    def from_disk(cls, directory: Path, codebook: Codebook) -> "TunedLinearCoder":
        """Read a coder written by :meth:`to_disk`, from its own files only."""
        coder = super().from_disk(directory, codebook)
        coder.tuned = FinetunedCoder.from_disk(directory / TUNED, codebook)
        if coder.tuned.network is not None:
            coder.embedder = TunedEmbedder(coder.tuned.network)
        return coder
