"""The coder registry: every kind of coder, registered once, built and loaded through here.

``new_coder(kind, codebook)`` builds an untrained coder for training or evaluation;
``load_coder(folder, codebook)`` reads a saved one, dispatching on the ``kind`` in its
``config.json``. The rule coder, the semantic coder (the codebook's own words, embedded) and
their union need no training; the others are :class:`~pipeline.coding.base.TrainableCoder`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

from pipeline.coding.base import Coder, TrainableCoder
from pipeline.coding.disk import codebook_tag, field, read_config
from pipeline.coding.features import codebook_examples
from pipeline.coding.rules import RuleCoder
from pipeline.coding.semantic import SemanticCoder
from pipeline.coding.union import RulesSemanticCoder
from pipeline.config import Codebook
from pipeline.errors import ConfigError, InputError


# The trainable kinds are imported when first built or loaded: they bring scikit-learn (and
# textcat spaCy's trainer), seconds of start-up that a run with the rule coder never uses.
def _baseline() -> type[TrainableCoder]:
    from pipeline.coding.baseline import BaselineCoder

    return BaselineCoder


def _linear() -> type[TrainableCoder]:
    from pipeline.coding.linear import LinearCoder

    return LinearCoder


def _textcat() -> type[TrainableCoder]:
    from pipeline.coding.textcat import TextcatCoder

    return TextcatCoder


def _hybrid() -> type[TrainableCoder]:
    from pipeline.coding.hybrid import HybridCoder

    return HybridCoder


def _finetuned() -> type[TrainableCoder]:
    from pipeline.coding.finetuned import FinetunedCoder

    return FinetunedCoder


def _linear_finetuned() -> type[TrainableCoder]:
    from pipeline.coding.linear_tuned import TunedLinearCoder

    return TunedLinearCoder


def _few_shot() -> type[TrainableCoder]:
    from pipeline.coding.few_shot import FewShotCoder

    return FewShotCoder


@dataclass(frozen=True)
class Kind:
    """A kind of coder: how to build a fresh one, and what imports the class that loads one."""

    name: str
    build: Callable[[Codebook, Sequence[str], bool], Coder]
    trainable: Callable[[], type[TrainableCoder]] | None = None


KINDS: dict[str, Kind] = {kind.name: kind for kind in (
    Kind("rules", lambda book, attributes, progress: RuleCoder(book, progress=progress)),
    Kind("semantic", lambda book, attributes, progress: SemanticCoder(book)),
    Kind("rules+semantic", lambda book, attributes, progress: RulesSemanticCoder(
        book, progress=progress)),
    Kind("baseline", lambda book, attributes, progress: _baseline()(
        codebook=codebook_tag(book)), _baseline),
    Kind("linear", lambda book, attributes, progress: _linear()(
        codebook=codebook_tag(book), attributes=attributes,
        examples=codebook_examples(book)), _linear),
    # the linear coder on static embeddings distilled from MiniLM: faster, a little less
    # accurate; saved as kind "linear" with its embedding setting, so it loads as one
    Kind("linear-static", lambda book, attributes, progress: _linear()(
        codebook=codebook_tag(book), attributes=attributes, embedding="static",
        examples=codebook_examples(book)), _linear),
    Kind("textcat", lambda book, attributes, progress: _textcat()(
        codebook=codebook_tag(book)), _textcat),
    Kind("hybrid", lambda book, attributes, progress: _hybrid()(
        book, attributes=attributes), _hybrid),
    # the hybrid with linear-static's embeddings: a trained coder for large waves
    Kind("hybrid-static", lambda book, attributes, progress: _hybrid()(
        book, attributes=attributes, embedding="static"), _hybrid),
    # MiniLM fine-tuned end to end on the gold (CPU, a time budget): slower to train
    Kind("finetuned", lambda book, attributes, progress: _finetuned()(
        codebook=codebook_tag(book)), _finetuned),
    # the linear coder with that fine-tuned MiniLM as its sentence embeddings
    Kind("linear-finetuned", lambda book, attributes, progress: _linear_finetuned()(
        codebook=codebook_tag(book), attributes=attributes,
        examples=codebook_examples(book)), _linear_finetuned),
    # the hybrid on that fine-tuned MiniLM: rule features and the per-code choice on top
    Kind("hybrid-finetuned", lambda book, attributes, progress: _hybrid()(
        book, _linear_finetuned()(codebook=codebook_tag(book), attributes=attributes,
                                  rules=book, examples=codebook_examples(book))), _hybrid),
    # a handful of labelled texts per code on top of the rules (MiniLM + a rule feature):
    # for a first review's few dozen comments per code, before there is gold for the others
    Kind("few-shot", lambda book, attributes, progress: _few_shot()(book), _few_shot),
)}
CODERS = tuple(KINDS)
"""Every coder kind, in the order they are listed to people."""
TRAINABLE = tuple(name for name, kind in KINDS.items() if kind.trainable is not None)


def new_coder(kind: str, codebook: Codebook, *, attributes: Sequence[str] = (),
              progress: bool = False, neighbours: float | str | None = None) -> Coder:
    """A fresh (for trainable kinds: untrained) coder of ``kind`` for ``codebook``.

    ``attributes`` are respondent columns the linear and hybrid coders use as features;
    ``progress`` shows the rule coder's progress bar; ``neighbours`` (a weight from 0 to 1, or
    ``"auto"``) replaces the kind's default vote of the nearest training texts
    (:mod:`pipeline.coding.neighbours`). ConfigError names the known kinds, or says why the
    vote does not apply.
    """
    if kind not in KINDS:
        raise ConfigError(f"unknown coder '{kind}' (known: {', '.join(CODERS)})")
    coder = KINDS[kind].build(codebook, attributes, progress)
    if neighbours is not None:
        _set_neighbours(coder, kind, neighbours)
    return coder


def _set_neighbours(coder: Coder, kind: str, neighbours: float | str) -> None:
    from pipeline.coding.linear import LinearCoder
    from pipeline.coding.neighbours import checked_settings

    model = getattr(coder, "model", coder)  # a hybrid's trained part
    if not isinstance(model, LinearCoder):
        raise ConfigError(f"neighbours (the nearest training texts' vote) apply to the linear "
                          f"and hybrid coders, not '{kind}'")
    model.neighbours, model.k = checked_settings(neighbours, model.k, model.embedding)


def load_coder(directory: Path, codebook: Codebook) -> TrainableCoder:
    """The trained coder saved in ``directory`` (by ``to_disk``), for ``codebook``.

    InputError names the folder's ``config.json`` and field when it is not a saved coder of a
    known trainable kind or was trained for another codebook.
    """
    kind = str(field(read_config(directory), "kind", directory))
    if kind not in TRAINABLE:
        raise InputError(f"{directory / 'config.json'}: field 'kind' is '{kind}', not a "
                         f"trained coder ({', '.join(TRAINABLE)})")
    return KINDS[kind].trainable().from_disk(directory, codebook)  # type: ignore[misc]
