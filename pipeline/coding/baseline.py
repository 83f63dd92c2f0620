"""The reference point: TF-IDF word and character n-grams + one-vs-rest linear SVC, cut at 0.

Saved like :class:`~pipeline.coding.linear.LinearCoder` (it reads no question, so no category
list), its SVC weights in ``arrays.npz``.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse
from sklearn.multiclass import OneVsRestClassifier
from sklearn.svm import LinearSVC

from pipeline.coding.linear import LinearCoder, new_vectorizers
from pipeline.config import Codebook


class BaselineCoder(LinearCoder):
    """The reference point: TF-IDF word and character n-grams + one-vs-rest linear SVC.

    Balanced class weights (rare codes are not drowned by the texts without them) and the
    SVC's own cut at 0: no thresholds tuned, no embeddings, no question.
    """

    kind = "baseline"

    def __init__(self, *, codebook: str = "", seed: int = 42) -> None:
        super().__init__(codebook=codebook, embedding=None, seed=seed)
        self.name = f"baseline-tfidf-svc:{codebook}"

    def _svc_features(self, texts: list[str], fit: bool) -> sparse.csr_matrix:
        if fit:
            self.words, self.chars = new_vectorizers()
            return sparse.hstack([self.words.fit_transform(texts),
                                  self.chars.fit_transform(texts)]).tocsr()
        return sparse.hstack([self.words.transform(texts), self.chars.transform(texts)]).tocsr()

    def fit(self, texts, labels, code_ids, context=None) -> "BaselineCoder":
        """A linear SVC per code on TF-IDF words and characters; the threshold is 0."""
        texts, labels = list(texts), np.asarray(labels, dtype=int)
        self.code_ids = list(code_ids)
        counts = labels.sum(axis=0)
        self._columns = [j for j, n in enumerate(counts) if 0 < n < len(texts)]
        self.learned = [self.code_ids[j] for j in self._columns]
        features = self._svc_features(texts, fit=True)
        self.model = OneVsRestClassifier(self._estimator()).fit(features,
                                                                labels[:, self._columns])
        self.thresholds = dict.fromkeys(self.learned, 0.0)
        return self

    def predict_proba(self, texts, context=None) -> np.ndarray:
        """Decision values (not probabilities): positive means the code is chosen."""
        scores = np.full((len(texts), len(self.code_ids)), -1.0)
        if len(texts) and self._columns:
            scores[:, self._columns] = self.model.decision_function(
                self._svc_features(list(texts), fit=False))
        return scores

    def features_used(self) -> dict[str, object]:
        """What the model reads, for its card: words and characters only."""
        return {"words": "tf-idf 1-2 grams", "characters": "tf-idf char_wb 2-5 grams"}

    def _estimator(self) -> LinearSVC:
        return LinearSVC(class_weight="balanced", random_state=self.seed)

    def _settings(self) -> dict[str, object]:
        return {"seed": self.seed}

    @classmethod
    def _from_settings(cls, tag: str, settings: dict, codebook: Codebook) -> "BaselineCoder":
        return cls(codebook=tag, seed=settings["seed"])

    def _fitted_state(self) -> dict[str, object]:
        return {}

    def _restore_state(self, config: dict, directory) -> None:
        """Nothing besides the vectorisers and weights: the baseline reads no question."""
