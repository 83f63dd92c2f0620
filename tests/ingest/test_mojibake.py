"""ftfy's mojibake test searched near non-ASCII characters: the same answer as ftfy's own."""

from __future__ import annotations

import random
import re

import ftfy
from ftfy.badness import BADNESS_RE, is_bad

from pipeline.ingest.mojibake import fix_encoding, looks_mojibaked, window_search_is_exact

CLEAN = "Waiting lists are long – about 12 weeks… the hub’s café helps."
BROKEN = "The hubâ€™s cafÃ© helps"  # UTF-8 read as Windows-1252
TEXTS = [
    "", "plain ASCII only, nothing else", CLEAN, BROKEN, "Ã©" + "x" * 50, "x" * 50 + "â€",
    "line one\nâ€œquotedâ€\nline three", "Â ", "×\n", "smart ’quotes’ only",
    "Ã\nÂ©", " Ã", CLEAN * 40 + BROKEN + CLEAN * 40, "naïve résumé coöperate", "°C and ±5 µg",
]


def test_the_installed_ftfy_pattern_allows_the_window_search():
    assert window_search_is_exact(BADNESS_RE)


def test_looks_mojibaked_agrees_with_ftfy_everywhere_in_a_text():
    for text in TEXTS:
        assert looks_mojibaked(text) == is_bad(text), repr(text)
    assert looks_mojibaked(BROKEN) and not looks_mojibaked(CLEAN)
    for shift in range(12):  # the bad sequence at every offset from the start and the end
        text = "a" * shift + "Ã©" + "b" * shift
        assert looks_mojibaked(text) == is_bad(text)


def test_fix_encoding_equals_ftfys():
    for text in TEXTS:
        assert fix_encoding(text) == ftfy.fix_encoding(text), repr(text)
    assert fix_encoding(BROKEN) == "The hub’s café helps"


def test_patterns_the_window_search_would_get_wrong_are_refused():
    assert not window_search_is_exact(re.compile(r"abc"))  # matches ASCII only
    assert not window_search_is_exact(re.compile(r"é$"))  # an end assertion
    assert not window_search_is_exact(re.compile(r"[a-z]+é"))  # unbounded length
    assert not window_search_is_exact(re.compile(r"é", re.IGNORECASE))
    assert window_search_is_exact(re.compile(r"^é|x[éè]"))


def test_looks_mojibaked_agrees_with_ftfy_on_random_texts():
    rng = random.Random(0)
    alphabet = "ab .,'\n\t" + "Ã©Â€™â¢Ð°ÑŸ–’…é×"
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        assert looks_mojibaked(text) == is_bad(text), repr(text)
