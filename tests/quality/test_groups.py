"""Folds by group: a session's highlights never split between training and scoring."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline.errors import InputError
from pipeline.quality.evaluate import folds
from pipeline.quality.gold import load_gold
from pipeline.quality.groups import group_values, grouped_folds, merge_repeats


@pytest.fixture
def sessions(data_dir, mini_codebook):
    return load_gold(data_dir / "gold" / "taguette-sessions.csv", mini_codebook)


def test_a_group_is_never_in_two_folds():
    sizes = [9, 3, 7, 7, 2, 5, 11, 4, 6, 1, 8]
    groups = [f"g{k}" for k, n in enumerate(sizes) for _ in range(n)]
    for seed in (0, 1, 42):
        splits = folds(np.zeros((len(groups), 2)), 4, seed, groups=groups)
        tested = np.concatenate([test for _, test in splits])
        assert sorted(tested.tolist()) == list(range(len(groups)))  # every row scored once
        for train, test in splits:
            assert not {groups[i] for i in train} & {groups[i] for i in test}
        lengths = [len(test) for _, test in splits]
        assert max(lengths) - min(lengths) <= max(sizes)  # balanced up to one group
    same = grouped_folds(groups, 4, 7)
    assert all((a[1] == b[1]).all() for a, b in zip(same, grouped_folds(groups, 4, 7),
                                                        strict=True))
    other = grouped_folds(groups, 4, 8)
    assert any(set(a[1]) != set(b[1]) for a, b in zip(same, other, strict=True))


def test_the_same_words_twice_in_one_session_are_one_item_with_both_codes(sessions):
    assert len(sessions.ids) == 40  # one item per highlight id as loaded
    merged = merge_repeats(sessions, "document")
    assert len(merged.ids) == 39
    twice = [i for i, t in enumerate(merged.texts) if t.startswith("Losing the flat")]
    assert len(twice) == 1
    codes = {merged.code_ids[j] for j in np.flatnonzero(merged.labels[twice[0]])}
    assert codes == {"housing", "employment_training"}
    # the same words in two sessions stay one item per session, each with its session
    repeated = [i for i, t in enumerate(merged.texts) if t == "Okay, I see."]
    assert merged.extra["document"][repeated].tolist() == ["session-2", "session-5"]
    assert merged.labels.sum() == sessions.labels.sum()  # no code lost in merging
    assert len(merge_repeats(merged, "document").ids) == 39  # merging again changes nothing


def test_a_missing_column_or_too_few_groups_names_the_file_and_column(sessions):
    with pytest.raises(InputError, match=r"taguette-sessions\.csv: no column 'speaker'"):
        group_values(sessions, "speaker", 5)
    with pytest.raises(InputError, match=r"taguette-sessions\.csv: no column 'speaker'"):
        merge_repeats(sessions, "speaker")
    with pytest.raises(InputError, match=r"column 'document' has 6 groups, fewer than the 8"):
        group_values(sessions, "document", 8)
    assert len(set(group_values(sessions, "document", 6))) == 6
