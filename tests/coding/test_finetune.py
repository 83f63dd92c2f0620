"""Fine-tuning's pair term: SetFit's cosine loss over a batch, positive and negative pairs apart."""

from __future__ import annotations

import pytest
import torch

from pipeline.coding.finetune import Settings, pair_loss

# four texts: the first two share code 0, the third has code 1, the fourth no code
CODES = torch.tensor([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0], [0.0, 0.0]])


def test_pairs_sharing_a_code_and_the_others_are_averaged_apart():
    # texts 0 and 1 point the same way (their shared code: no loss); 2 and 3 point the same
    # way though they share nothing: 2 of the 10 ordered pairs sharing nothing are wrong by 1
    vectors = torch.tensor([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0], [0.0, 1.0]])
    assert pair_loss(vectors, CODES).item() == pytest.approx(0.2)
    # all wrong: the pair sharing a code is orthogonal (1 of 1 wrong by 1), and 6 of 10 ordered
    # pairs sharing nothing point the same way
    vectors = torch.tensor([[1.0, 0.0], [0.0, 1.0], [0.0, 1.0], [0.0, 1.0]])
    assert pair_loss(vectors, CODES).item() == pytest.approx(1.0 + 0.6)


def test_the_target_is_the_share_of_codes_in_common():
    codes = torch.tensor([[1.0, 1.0], [1.0, 0.0]])  # one code of the two in common: 1/2
    vectors = torch.tensor([[1.0, 0.0], [0.6, 0.8]])  # cosine 0.6
    assert pair_loss(vectors, codes).item() == pytest.approx((0.6 - 0.5) ** 2)


def test_two_texts_without_codes_are_no_pair():
    codes = torch.tensor([[0.0, 0.0], [0.0, 0.0]])
    vectors = torch.tensor([[1.0, 0.0], [0.0, 1.0]], requires_grad=True)
    loss = pair_loss(vectors, codes)
    assert loss.item() == 0.0
    loss.backward()  # still a tensor of the graph: the training step may add it
    assert vectors.grad is not None and float(vectors.grad.abs().sum()) == 0.0


def test_a_step_on_the_loss_draws_texts_sharing_a_code_together():
    vectors = torch.tensor([[1.0, 0.2], [0.3, 1.0], [0.2, 1.0], [1.0, 1.0]], requires_grad=True)
    before = torch.nn.functional.cosine_similarity(vectors[0], vectors[1], dim=0).item()
    pair_loss(vectors, CODES).backward()
    with torch.no_grad():
        moved = vectors - 0.1 * vectors.grad
    after = torch.nn.functional.cosine_similarity(moved[0], moved[1], dim=0).item()
    assert after > before


@pytest.mark.parametrize("weight", [-0.5, 101.0, float("nan")])
def test_a_weight_out_of_range_is_refused_by_value(weight):
    with pytest.raises(ValueError, match="contrast"):
        Settings(contrast=weight)
