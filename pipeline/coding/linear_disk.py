"""The linear coder's folder on disk: ``config.json`` and ``arrays.npz``, written and read back.

:class:`LinearDisk` is mixed into :class:`pipeline.coding.linear.LinearCoder` (and so the
baseline): settings, codes, thresholds, the relative cut, vocabularies and the question/attribute
categories go into ``config.json``; idf weights, coefficients and intercepts (and, with the
neighbours' vote, the training texts' unit vectors and labels) into ``arrays.npz``, read without
pickle. A loaded coder scores exactly as the fitted one did.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.coding.disk import (
    codebook_tag,
    field,
    read_arrays,
    read_coder_config,
    write_arrays,
    write_config,
)
from pipeline.coding.neighbours import NeighbourVote, saved_weight
from pipeline.coding.sklearn_state import (
    fitted_one_hot,
    fitted_one_vs_rest,
    fitted_tfidf,
    linear_weights,
    new_vectorizers,
    one_hot_categories,
    tfidf_vocabulary,
)
from pipeline.config import Codebook
from pipeline.errors import ConfigError, InputError

VERSION = "1"


class LinearDisk:
    """Saving and loading for the linear coders (their settings come from ``_settings``)."""

    def _fitted_state(self) -> dict[str, object]:
        """Fitted parts besides the vectorisers and weights (JSON): the one-hot categories."""
        return {"context_categories": one_hot_categories(self.context_encoder)}

    def _restore_state(self, config: dict, directory: Path) -> None:
        self.context_encoder = fitted_one_hot(field(config, "context_categories", directory))

    def to_disk(self, directory: Path) -> None:
        """Write the fitted coder as ``config.json`` and ``arrays.npz`` into ``directory``."""
        config: dict[str, object] = {
            "kind": self.kind, "version": VERSION, "name": self.name,
            "codebook": self.codebook_tag, "settings": self._settings(),
            "code_ids": self.code_ids, "learned": self.learned,
            "not_learned": self.not_learned, "thresholds": self.thresholds,
            "relative_cut": self.relative_cut, "columns": self._columns,
            "neighbour_weight": self.neighbour_weight,
            "neighbour_scores": {str(w): score for w, score in self.weight_scores.items()}}
        if self._columns:
            config["vocabulary"] = {"words": tfidf_vocabulary(self.words),
                                    "chars": tfidf_vocabulary(self.chars)}
            config.update(self._fitted_state())
            vote = ({"neighbour_vectors": self.vote.vectors,
                     "neighbour_labels": self.vote.labels} if self.vote is not None else {})
            write_arrays(directory, {"words_idf": self.words.idf_, "chars_idf": self.chars.idf_,
                                     **linear_weights(self.model), **vote})
        write_config(directory, config)

    @classmethod
    def from_disk(cls, directory: Path, codebook: Codebook) -> LinearDisk:
        """Read a coder written by :meth:`to_disk`, for ``codebook`` (its rule features)."""
        config = read_coder_config(directory, cls.kind, codebook)
        try:
            coder = cls._from_settings(codebook_tag(codebook),
                                       field(config, "settings", directory), codebook)
        except (ConfigError, KeyError, TypeError) as error:
            raise InputError(f"{directory / 'config.json'}: field 'settings': {error}") from None
        coder.name = str(field(config, "name", directory))
        coder.code_ids = list(field(config, "code_ids", directory))
        coder.learned = list(field(config, "learned", directory))
        coder.not_learned = dict(field(config, "not_learned", directory))
        coder.thresholds = {k: float(v) for k, v in
                            field(config, "thresholds", directory).items()}
        coder.relative_cut = float(config.get("relative_cut", 0.0))  # none before it was learned
        coder._columns = [int(j) for j in field(config, "columns", directory)]
        if coder._columns:
            arrays, vocabulary = read_arrays(directory), field(config, "vocabulary", directory)
            words, chars = new_vectorizers()
            coder.words = fitted_tfidf(words, vocabulary["words"], arrays["words_idf"])
            coder.chars = fitted_tfidf(chars, vocabulary["chars"], arrays["chars_idf"])
            coder._restore_state(config, directory)
            coder.model = fitted_one_vs_rest(coder._estimator, arrays["coef"],
                                             arrays["intercept"])
            coder._dtype = arrays["coef"].dtype.type  # what it was trained on: the same scores
            weight, coder.weight_scores = saved_weight(coder.neighbours, config, directory)
            if weight:
                coder.vote = NeighbourVote.saved(arrays, len(coder._columns), weight,
                                                 coder.k, directory / "arrays.npz")
        return coder
