"""Linear coders trained from human-coded texts: a strong default and the plain baseline.

``LinearCoder``: TF-IDF word (1-2) and character (2-5) n-grams, the question a text answers and
any named respondent attributes (one-hot), optionally offline sentence embeddings (``embedding``:
MiniLM itself, the default, or ``static`` token vectors distilled from it, faster to train and
to score, a little less accurate) and
the codebook's rule matches, into one-vs-rest logistic regression with balanced class weights.
With ``neighbours`` above 0 its probabilities are blended with a vote of each text's nearest
training texts by the same sentence vectors (:mod:`pipeline.coding.neighbours`), on the held-out
probabilities the thresholds are learned from and on new texts alike; ``neighbours="auto"``
chooses the weight on held-out texts.

Decision thresholds are chosen per code on validation data, never on the texts being scored:
the training texts are split into ``threshold_folds`` seeded folds, a model trained on the
other folds scores each one (out-of-fold probabilities), and each code's cut is the grid value
maximising its F1 on those probabilities, shrunk part of the way back to 0.5
(:func:`pipeline.coding.thresholds.best_thresholds`). The saved model is then fitted on all the
training texts. Vectorisers are fitted once on all training texts (unsupervised, no labels).

Evidence is the n-gram (a character n-gram widened to its whole word) or rule match with the
largest positive contribution, coefficient × feature value, to the code's score
(:mod:`pipeline.coding.linear_evidence`).

Saved as a folder (:mod:`pipeline.coding.linear_disk`): settings, codes, thresholds,
vocabularies and the question/attribute categories in ``config.json``; idf weights, coefficients
and intercepts (and, with ``neighbours``, the training texts' unit vectors and labels) in
``arrays.npz``.
The baseline coder is in :mod:`pipeline.coding.baseline`.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
from scipy import sparse
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold
from sklearn.multiclass import OneVsRestClassifier
from sklearn.preprocessing import OneHotEncoder

from pipeline.coding.char_grams import char_wb_transform
from pipeline.coding.features import (
    Context,
    codebook_examples,
    context_table,
    with_example_rows,
)
from pipeline.coding.linear_disk import VERSION, LinearDisk
from pipeline.coding.linear_evidence import NgramEvidence
from pipeline.coding.linear_scores import (
    StackedWeights,
    model_positive_proba,
    one_blas_thread,
    positive_proba,
)
from pipeline.coding.neighbours import AUTO, NeighbourVote, checked_settings, chosen_weight
from pipeline.coding.rule_features import RuleFeatures
from pipeline.coding.sklearn_state import new_vectorizers
from pipeline.coding.thresholds import best_relative_cut, best_thresholds, decide
from pipeline.coding.trained import ProbabilisticCoder
from pipeline.coding.word_grams import word_transform
from pipeline.config import Codebook
from pipeline.embeddings import Embedder, MiniLMEmbedder
from pipeline.errors import ConfigError
from pipeline.static_embeddings import StaticEmbedder

MIN_EXAMPLES = 5  # a code with fewer positive examples is not learned: rules only
EMBEDDINGS = {"minilm": MiniLMEmbedder, "static": StaticEmbedder}
"""Sentence embeddings the linear coder can read, by the name its settings save."""
# static vectors measured 0.03 macro-F1 lower on the NHS split (docs/coders.md)
DEFAULT_EMBEDDING = "minilm"
DEFAULT_K = 15  # neighbours that vote; 30 measured the same on the NHS split (docs/coders.md)


class LinearCoder(LinearDisk, NgramEvidence, ProbabilisticCoder):
    """TF-IDF (+ context, embeddings, rules) logistic regression with validated thresholds.

    Args:
        codebook: codebook id@version, for the coder's name.
        c: inverse regularisation strength of each logistic regression.
        embedding: sentence embeddings to add: ``static`` (distilled MiniLM token vectors,
            shipped in ``models/embeddings/minilm-static``), ``minilm`` (the model itself,
            weights bundled, loaded offline) or None.
        embeddings: the older switch, kept for callers and saved models: True is ``minilm``,
            False none; when given it wins over ``embedding``.
        attributes: respondent attribute columns to use as one-hot features besides the
            question (e.g. a rating); texts coded without them get blanks.
        rules: a codebook whose rule matches become features (one 0/1 column per code).
        threshold_folds: folds of the training texts that give out-of-fold probabilities.
        shrink: how far a validated threshold is pulled back toward 0.5.
        relative: whether to learn a relative cut on the same out-of-fold probabilities
            (:func:`pipeline.coding.thresholds.best_relative_cut`): where the training texts
            mostly carry one code each, a text's far less probable codes are dropped.
        seed: seeds the folds and the solvers.
        neighbours: the weight, from 0 (none) to 1, of the vote of each text's ``k`` nearest
            training texts (:mod:`pipeline.coding.neighbours`), or ``"auto"`` to choose it in
            ``fit`` (:func:`pipeline.coding.neighbours.chosen_weight`, judged on the rows of
            :meth:`judged_rows`); needs an ``embedding``.
        k: how many nearest training texts vote.
        embedder: an embedder to reuse (e.g. one with a warm cache), of the ``embedding``
            kind.
        examples: (text, code id) pairs that join the training texts in ``fit``, each a
            positive of its code and a counter-example of every other: the codebook's own
            examples (:func:`pipeline.coding.features.codebook_examples`). They train the
            model and its thresholds, and a hybrid compares its rules with the model on them
            too (``example_rows``).
    """

    method = "trained"
    kind = "linear"
    vote_prior = 0.0
    """The vote's weight ``neighbours="auto"`` keeps unless held-out texts clearly say another
    is better: none on stock sentence vectors, where the vote measured no gain (docs/coders.md)."""

    def __init__(self, *, codebook: str = "", c: float = 4.0,
                 embedding: str | None = DEFAULT_EMBEDDING, embeddings: bool | None = None,
                 attributes: Sequence[str] = (), rules: Codebook | None = None,
                 threshold_folds: int = 3, shrink: float = 0.5, relative: bool = True,
                 seed: int = 42, neighbours: float | str = 0.0, k: int = DEFAULT_K,
                 embedder: Embedder | None = None,
                 examples: Sequence[tuple[str, str]] = ()) -> None:
        self.name = f"linear-v{VERSION}:{codebook}"
        self.codebook_tag = codebook
        if embeddings is not None:
            embedding = "minilm" if embeddings else None
        if embedding is not None and embedding not in EMBEDDINGS:
            raise ConfigError(f"unknown embedding '{embedding}' for the linear coder "
                              f"(known: {', '.join(EMBEDDINGS)}, or none)")
        if embedder is not None and (embedding is None
                                     or embedder.name != EMBEDDINGS[embedding].name):
            raise ConfigError(f"embedder '{embedder.name}' given for embedding '{embedding}'")
        self.c, self.embedding, self.seed = c, embedding, seed
        self.neighbours, self.k = checked_settings(neighbours, k, embedding)
        self.vote: NeighbourVote | None = None
        self.weight_scores: dict[float, float] = {}  # held-out macro-F1 per weight, with auto
        self._vectors: np.ndarray | None = None  # the last batch's sentence vectors, for the vote
        self.attributes = list(attributes)
        self.rule_codebook = rules
        self.threshold_folds, self.shrink, self.relative = threshold_folds, shrink, relative
        self.relative_cut = 0.0
        self.embedder = embedder
        self.examples = list(examples)
        self.examples_used = 0  # how many of them the last fit trained on
        self.example_rows: tuple[list[str], np.ndarray] = ([], np.zeros((0, 0), dtype=int))
        self._given = 0  # the texts fit was given, before the examples
        self.code_ids: list[str] = []
        self.thresholds: dict[str, float] = {}
        self.learned: list[str] = []
        self.not_learned: dict[str, str] = {}
        self._columns: list[int] = []
        self.rule_features = RuleFeatures(rules) if rules is not None else None
        self._terms: dict[str, tuple] = {}  # vectoriser -> (its vocabulary, terms by column)
        self._dtype: type = np.float32  # a model loaded from float64 weights reads float64
        self._recent: dict[str, tuple] = {}  # text -> its n-gram rows, from the last batch
        self._word_grams: dict[str, tuple] = {}  # word -> its character n-grams' columns
        self._stacked: StackedWeights | None = None  # the model's weights, for a batch at once

    def features_used(self) -> dict[str, object]:
        """What the model reads, for its card."""
        return {"words": "tf-idf 1-2 grams", "characters": "tf-idf char_wb 2-5 grams",
                "question": True, "attributes": self.attributes,
                "embeddings": EMBEDDINGS[self.embedding].name if self.embedding else None,
                "rules": bool(self.rule_codebook),
                "neighbours": self._neighbours_used(),
                "codebook_examples": self.examples_used}

    def _neighbours_used(self) -> dict[str, object] | None:
        if not self.neighbours:
            return None
        used: dict[str, object] = {"weight": self.neighbour_weight, "k": self.k}
        if self.neighbours == AUTO:
            used["chosen_from"] = {str(w): score for w, score in self.weight_scores.items()}
        return used

    @property
    def neighbour_weight(self) -> float:
        """The vote's weight in use: the setting, or the one ``auto`` chose (0 before a fit)."""
        if self.vote is not None:
            return self.vote.weight
        return 0.0 if self.neighbours == AUTO else float(self.neighbours)

    def describe(self) -> dict[str, object]:
        """What the model card records: thresholds, relative cut, codes not learned, features."""
        return {"thresholds": dict(self.thresholds), "relative_cut": self.relative_cut,
                "not_learned": dict(self.not_learned),
                "hybrid_choice": {}, "features": self.features_used()}

    # ----------------------------------------------------------------- features

    def _embed(self, texts: Sequence[str]) -> np.ndarray:
        if self.embedder is None:
            self.embedder = EMBEDDINGS[self.embedding]()
        return self.embedder.embed(list(texts))

    def _embedding_inputs(self, texts: list[str], context: Context) -> list[str]:
        """What the sentence embedding reads: the texts alone (the question is one-hot)."""
        return texts

    def use_rule_coder(self, coder) -> None:
        """Share an already compiled rule coder for the rule features (same codebook)."""
        if self.rule_features is not None:
            self.rule_features.use(coder)

    def _blocks(self, texts: list[str], context: Context, fit: bool) -> list:
        table = context_table(context, len(texts), self.attributes)
        if fit:
            self.words, self.chars = new_vectorizers()
            self.context_encoder = OneHotEncoder(handle_unknown="ignore")
            blocks = [self.words.fit_transform(texts), self.chars.fit_transform(texts),
                      self.context_encoder.fit_transform(table)]
        else:
            blocks = [word_transform(self.words, texts),
                      char_wb_transform(self.chars, texts, self._word_grams),
                      self.context_encoder.transform(table)]
            # Kept for evidence(): code() asks for it on the texts it has just scored, and
            # transforming one text at a time again cost ten times the scoring itself.
            self._recent = {text: (i, blocks[0], blocks[1]) for i, text in enumerate(texts)}
        if self.embedding:
            vectors = self._embed(self._embedding_inputs(texts, context))
            self._vectors = vectors if self.neighbours else None
            blocks.append(sparse.csr_matrix(vectors))
        if self.rule_features is not None:
            blocks.append(sparse.csr_matrix(self.rule_features.matrix(texts), dtype=float))
        return blocks

    def _features(self, texts: Sequence[str], context: Context = None,
                  fit: bool = False) -> sparse.csr_matrix:
        # float32 halves the solver's time on these sparse rows; scores move in the 7th digit.
        # Blocks of one dtype stack directly; with a dtype to convert to, scipy went through
        # COO and sorted every row again (five times the time, the same matrix).
        blocks = [block.astype(self._dtype, copy=False)
                  for block in self._blocks(list(texts), context, fit)]
        return sparse.hstack(blocks, format="csr")

    def _estimator(self) -> LogisticRegression:
        return LogisticRegression(C=self.c, class_weight="balanced", max_iter=3000,
                                  random_state=self.seed)

    def _model(self) -> OneVsRestClassifier:
        return OneVsRestClassifier(self._estimator())

    # ----------------------------------------------------------------- training

    def held_out_proba(self, features: sparse.csr_matrix, target: np.ndarray) -> np.ndarray:
        """Out-of-fold probabilities on the training texts (``threshold_folds`` seeded folds)."""
        held_out = np.zeros(target.shape)
        splitter = KFold(self.threshold_folds, shuffle=True, random_state=self.seed)
        for train, test in splitter.split(features):
            with one_blas_thread():
                inner = self._model().fit(features[train], target[train])
                held_out[test] = model_positive_proba(inner, features[test], target.shape[1])
        return held_out

    def fit(self, texts, labels, code_ids, context=None) -> "LinearCoder":
        """Learn every code with at least MIN_EXAMPLES positives; thresholds from inner folds.

        The ``examples`` join the texts as training rows (positives counted among a code's):
        ``held_out`` holds the given texts' rows, then those of ``example_rows`` (the examples'
        texts and labels as trained).
        """
        texts, labels = list(texts), np.asarray(labels, dtype=int)
        self._given = len(texts)
        texts, labels, context = with_example_rows(self.examples, texts, labels, code_ids,
                                                   context)
        self.examples_used = len(texts) - self._given
        self.example_rows = (texts[self._given:], labels[self._given:])
        self._fit_rows(texts, labels, code_ids, context)
        return self

    def _fit_rows(self, texts: list[str], labels: np.ndarray, code_ids, context) -> None:
        columns = self.choose_codes(labels, code_ids, MIN_EXAMPLES)
        self._columns = columns
        self.held_out = np.zeros(labels.shape, dtype=int)
        if not columns:
            return
        features = self._features(texts, context, fit=True)
        target = labels[:, columns]
        proba = self.held_out_proba(features, target)
        self.vote, self.weight_scores = None, {}
        if self.neighbours:
            proba = self._with_vote(proba, target)
        cuts = best_thresholds(target, proba, shrink=self.shrink)
        self.thresholds = dict(zip(self.learned, cuts.tolist(), strict=True))
        self.relative_cut = best_relative_cut(target, proba, cuts) if self.relative else 0.0
        # Held-out decisions on the training texts, for a hybrid coder to compare with rules.
        self.held_out[:, columns] = decide(proba, cuts, self.relative_cut)
        with one_blas_thread():
            self.model = self._model().fit(features, target)

    def _with_vote(self, proba: np.ndarray, target: np.ndarray) -> np.ndarray:
        """The held-out ``proba`` blended with the training texts' vote.

        ``auto`` chooses the weight here. Sets ``vote`` (None when the weight is 0).
        """
        neighbours = NeighbourVote.of(self._vectors, target, 1.0, self.k)
        votes, weight = neighbours.held_out_votes(), self.neighbours
        if weight == AUTO:
            weight, self.weight_scores = chosen_weight(
                target, proba, votes, self.judged_rows(self._given),  # never an example
                shrink=self.shrink, relative=self.relative, prior=self.vote_prior)
            if not weight:
                return proba
        self.vote = NeighbourVote(neighbours.vectors, neighbours.labels, weight, self.k)
        return self.vote.blended(proba, votes)

    def judged_rows(self, n: int) -> np.ndarray:
        """The training rows ``neighbours="auto"`` judges a weight on: all ``n`` of them.

        Stock sentence vectors never saw the labels, so each text's vote from the others is
        fair.
        """
        return np.arange(n)

    def predict_proba(self, texts, context=None) -> np.ndarray:
        """Probabilities per code; codes not learned get 0."""
        texts = list(texts)
        proba = np.zeros((len(texts), len(self.code_ids)))
        if texts and self._columns:
            features = self._features(texts, context)
            fast = positive_proba(self._weights(), features)
            if fast is None:
                with one_blas_thread():
                    fast = model_positive_proba(self.model, features, len(self._columns))
            if self.vote is not None:
                fast = self.vote.blend(fast, self._vectors)  # the vectors _features embedded
            proba[:, self._columns] = fast
        return proba

    def _weights(self) -> StackedWeights:
        """The current model's coefficients stacked (made again after a new fit or load)."""
        if self._stacked is None or self._stacked.model is not self.model:
            self._stacked = StackedWeights.of(self.model)
        return self._stacked

    def threshold_vector(self) -> np.ndarray:
        """Learned codes use their validated cut; codes not learned can never be chosen."""
        return np.array([self.thresholds.get(c, np.inf) for c in self.code_ids])

    def context_of(self, segments):
        """The segments table itself: its question (``context``) and any attribute columns."""
        return segments

    # ----------------------------------------------------------------- on disk

    def _settings(self) -> dict[str, object]:
        return {"c": self.c, "embedding": self.embedding, "attributes": self.attributes,
                "rules": self.rule_codebook is not None,
                "threshold_folds": self.threshold_folds, "shrink": self.shrink,
                "relative": self.relative, "seed": self.seed,
                "neighbours": self.neighbours, "k": self.k,
                "codebook_examples": self.examples_used}

    @classmethod
    def _from_settings(cls, tag: str, settings: dict, codebook: Codebook) -> "LinearCoder":
        # Models saved before the ``embedding`` setting say ``embeddings: true`` for MiniLM.
        embedding = (settings["embedding"] if "embedding" in settings
                     else "minilm" if settings["embeddings"] else None)
        used = int(settings.get("codebook_examples", 0))  # none before the setting
        coder = cls(codebook=tag, c=settings["c"], embedding=embedding,
                    attributes=settings["attributes"],
                    rules=codebook if settings["rules"] else None,
                    threshold_folds=settings["threshold_folds"], shrink=settings["shrink"],
                    relative=settings.get("relative", False), seed=settings["seed"],
                    neighbours=settings.get("neighbours", 0.0),  # none before the setting
                    k=settings.get("k", DEFAULT_K),
                    examples=codebook_examples(codebook) if used else ())
        coder.examples_used = used
        return coder
