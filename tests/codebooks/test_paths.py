from pipeline.codebooks.draft import DraftCode, walk_drafts
from pipeline.codebooks.paths import nest_by_path


def _shape(codes):
    return [(code.name, depth) for code, depth in walk_drafts(codes)]


def test_a_slash_is_a_level_only_with_siblings_or_a_named_parent():
    flat = [DraftCode(n) for n in ("and/or answers", "Staff", "Staff/Manner", "Care/Food",
                                   "Care/Drink", "Care/Food/Hot")]
    assert _shape(nest_by_path(flat)) == [("and/or answers", 1), ("Staff", 1), ("Manner", 2),
                                          ("Care", 1), ("Food", 2), ("Hot", 3), ("Drink", 2)]


def test_arrows_always_separate_levels_and_empty_parts_do_not():
    flat = [DraftCode("a -> b"), DraftCode("->x"), DraftCode("c/")]
    assert _shape(nest_by_path(flat)) == [("a", 1), ("b", 2), ("->x", 1), ("c/", 1)]


def test_a_name_given_twice_is_merged():
    flat = [DraftCode("A", count=2), DraftCode("A", definition="def", count=3, colour="#fff")]
    [merged] = nest_by_path(flat)
    assert (merged.definition, merged.count, merged.colour) == ("def", 5, "#fff")
