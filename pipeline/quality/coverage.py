"""Which of a codebook's codes a trained model gives, and a warning naming the rest.

A model learns the codes its gold holds. Trained on one review round (``wavecoder retrain``
folds in the decisions of the codings a reviewer looked at) that may be two codes of forty:
a wave coded with it then gets none of the other codes, and nothing said so. The kinds that
keep the codebook's rules beside the model give every code that has patterns.
"""

from __future__ import annotations

from pipeline.config import Codebook
from pipeline.quality.card import ModelCard
from pipeline.text import some_of

# Kinds whose codes without a learned model are left to the codebook's patterns.
RULES_BESIDE = frozenset({"hybrid", "hybrid-static", "hybrid-finetuned", "few-shot"})
SHOWN_CODES = 8  # named in the warning; the count says how many more


def codes_not_given(card: ModelCard, codebook: Codebook) -> list[str]:
    """The codebook's codes, in its order, that the model with ``card`` never gives.

    A code is given when the model decides it (it has a threshold on the card), when one of
    its children is given (a child's coding counts for its parents in the coded datasets),
    or, for the kinds in :data:`RULES_BESIDE`, when it has patterns.
    """
    decided = set(card.thresholds)
    if card.kind in RULES_BESIDE:
        decided |= {code.id for code, _ in codebook.walk() if code.patterns}
    code_ids = codebook.code_ids()
    given = {code_id for code_id in decided if code_id in code_ids}
    for code_id in list(given):
        given.update(codebook.ancestors(code_id))
    return [code_id for code_id in code_ids if code_id not in given]


def coverage_warning(card: ModelCard, codebook: Codebook) -> str | None:
    """One line naming the codes the model never gives, or None when it gives them all."""
    missing = codes_not_given(card, codebook)
    if not missing:
        return None
    total = len(codebook.code_ids())
    named = some_of(missing, SHOWN_CODES)
    advice = ("too few examples in its gold, and no patterns in the codebook"
              if card.kind in RULES_BESIDE else
              "too few examples in its gold: train on a gold file that holds them, or with a "
              "hybrid kind, which leaves such codes to their patterns")
    return (f"model '{card.name}' gives {total - len(missing)} of the codebook's {total} codes; "
            f"{len(missing)} get no codings from it: {named} ({advice})")
