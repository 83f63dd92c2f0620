"""Near misses of a code, and patterns that would catch them.

A near miss is a segment close in meaning to a code (the highest cosine similarity of its
sentence embedding to the code's label and definition, its when-to-use text and each of its
examples) that none of the code's patterns, nor its children's, matched. The nearest such
segments form a pool; the words and word pairs most distinctive of the pool against all
segments (log-odds ratio with an informative Dirichlet prior, Monroe, Colaresi and Quinn 2008)
become suggested patterns in the codebook's own format, and the rule matcher counts how many
segments each would match.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterable

import numpy as np
import pandas as pd

from pipeline import schema as s
from pipeline.config import Code, Codebook, Pattern
from pipeline.embeddings import Embedder

if TYPE_CHECKING:  # the check imports this module: types only, to keep the import one-way
    from pipeline.codebooks.check import CheckSettings, CodeCheck, NearMiss, Suggestion

MIN_WORD = 3  # shorter words ("ok", "na") are too ambiguous to suggest on their own
_STRING_KEYS = ("LOWER", "LEMMA", "ORTH", "TEXT", "NORM")
_TOTAL = "\x00all"  # the key counting every feature of every segment (no word looks like it)


@dataclass
class SegmentWords:
    """The content words of each checked segment, as the rule matcher's lemmas see them.

    ``features[i]`` maps each feature of segment ``i`` (a lemma, or two adjacent lemmas joined
    by a space) to the words as written there, lower-cased.
    """

    features: list[dict[str, str]]

    def __post_init__(self) -> None:
        self.where: dict[str, list[int]] = {}
        for position, found in enumerate(self.features):
            for feature in found:
                self.where.setdefault(feature, []).append(position)


def _stop_words() -> frozenset[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS
    from spacy.lang.en.stop_words import STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS) | frozenset(STOP_WORDS)


def segment_words(docs: Iterable[Any]) -> SegmentWords:
    """Lemmas and adjacent lemma pairs of content words (no stop words) in each doc.

    The lemma is the lookup lemmatizer's for the lower-cased word, as a ``LEMMA`` phrase
    pattern is matched, so a suggested pattern matches what was counted.
    """
    stop = _stop_words()
    features: list[dict[str, str]] = []
    table = None
    for doc in docs:
        if table is None:
            table = doc.vocab.lookups.get_table("lemma_lookup", {}) \
                if doc.vocab.lookups.has_table("lemma_lookup") else {}
        words: list[tuple[str, str] | None] = []
        for token in doc:
            lower = token.lower_
            lemma = str(table.get(lower, lower)) if table else lower
            keep = token.is_alpha and len(lower) >= MIN_WORD and lower not in stop \
                and lemma not in stop
            words.append((lemma, lower) if keep else None)
        found: dict[str, str] = {}
        for i, word in enumerate(words):
            if word is None:
                continue
            found.setdefault(word[0], word[1])
            after = words[i + 1] if i + 1 < len(words) else None
            if after is not None:
                found.setdefault(f"{word[0]} {after[0]}", f"{word[1]} {after[1]}")
        features.append(found)
    return SegmentWords(features)


def _code_texts(code: Code) -> list[str]:
    texts = [f"{code.label}: {code.definition}".strip()]
    if code.when_to_use.strip():
        texts.append(code.when_to_use.strip())
    return texts + [e for e in code.examples if e.strip()]


def similarity(code: Code, vectors: np.ndarray, embedder: Embedder) -> np.ndarray:
    """Each segment's highest cosine similarity to the code's descriptions and examples."""
    described = embedder.embed(_code_texts(code))
    return (vectors @ described.T).max(axis=1)


def _pattern_words(code: Code) -> set[str]:
    """The phrases and token strings already in the code's patterns, lower-cased."""
    words: set[str] = set()

    def strings(value: Any) -> None:
        if isinstance(value, str):
            words.add(value.lower())
        elif isinstance(value, dict):
            for item in value.values():
                strings(item)
        elif isinstance(value, list):
            for item in value:
                strings(item)

    for pattern in code.patterns:
        if pattern.phrase is not None:
            words.add(" ".join(pattern.phrase.lower().split()))
        for token in pattern.tokens or []:
            for key in _STRING_KEYS:
                strings(token.get(key))
    return words


def log_odds(pool: Counter, everywhere: Counter) -> dict[str, float]:
    """z-scores of each pool feature's log-odds ratio, pool against the rest, prior all.

    Counts are segments holding the feature; ``everywhere[_TOTAL]`` is the count of all
    features in all segments. The prior for a feature is its count in all segments (Monroe et
    al.'s informative Dirichlet prior with the whole wave as background).
    """
    n_pool = sum(pool.values())
    n_all = everywhere[_TOTAL]
    n_rest = n_all - n_pool
    scores = {}
    for feature, in_pool in pool.items():
        prior = everywhere[feature]
        rest = prior - in_pool
        delta = (math.log((in_pool + prior) / (n_pool + n_all - in_pool - prior))
                 - math.log((rest + prior) / (n_rest + n_all - rest - prior)))
        scores[feature] = delta / math.sqrt(1 / (in_pool + prior) + 1 / (rest + prior))
    return scores


def _as_pattern(feature: str, forms: Counter) -> Any:
    """One form as written → a lower-case phrase; several → a lemma phrase."""
    if len(forms) == 1:
        return next(iter(forms))
    return {"phrase": feature, "attr": "LEMMA"}


def _yaml(pattern: Any) -> str:
    if isinstance(pattern, str):
        return json.dumps(pattern)
    return "{phrase: " + json.dumps(pattern["phrase"]) + ", attr: LEMMA}"


def suggest(code: Code, pool: list[int], words: SegmentWords, sims: np.ndarray,
            settings: CheckSettings) -> list[Suggestion]:
    """Patterns from the words most distinctive of the near-miss ``pool`` (segment positions).

    A word is suggested only when most segments holding it are near the code (similarity at
    least ``settings.min_similarity``): "staff" may fill a pool of near misses, but most of the
    segments it would code are about something else.
    """
    from pipeline.codebooks.check import Suggestion

    if not pool:
        return []
    in_pool: Counter = Counter()
    forms: dict[str, Counter] = {}
    for position in pool:
        for feature, written in words.features[position].items():
            in_pool[feature] += 1
            forms.setdefault(feature, Counter())[written] += 1
    everywhere = Counter({f: len(words.where[f]) for f in in_pool})
    everywhere[_TOTAL] = sum(len(found) for found in words.features)
    scores = log_odds(in_pool, everywhere)
    existing = _pattern_words(code)
    ranked = sorted((f for f in in_pool if in_pool[f] >= settings.min_count and scores[f] > 0
                     and f not in existing and not set(forms[f]) & existing),
                    key=lambda f: (-scores[f], -in_pool[f], f))
    out = []
    for feature in ranked:
        near = float(np.mean(sims[words.where[feature]] >= settings.min_similarity))
        if near < settings.min_near_share:
            continue
        pattern = _as_pattern(feature, forms[feature])
        out.append(Suggestion(pattern, _yaml(pattern), round(scores[feature], 3),
                              in_pool[feature], near_share=round(near, 3)))
        if len(out) == settings.suggestions:
            break
    return out


def near_misses(segments: pd.DataFrame, sims: np.ndarray, covered: set[int],
                coded_here: set[str], settings: CheckSettings) -> tuple[list[int],
                                                                         list[NearMiss]]:
    """The pool of nearest unmatched segments (positions) and the near misses to show.

    Repeated texts count once, so a pool of "excellent" × 40 does not hide everything else.
    """
    from pipeline.codebooks.check import NearMiss

    order = sorted((i for i in range(len(segments)) if i not in covered
                    and sims[i] >= settings.min_similarity), key=lambda i: (-sims[i], i))
    seen: set[str] = set()
    pool: list[int] = []
    for i in order:
        key = " ".join(str(segments[s.TEXT].iat[i]).lower().split())
        if key not in seen:
            seen.add(key)
            pool.append(i)
        if len(pool) == settings.near_miss_pool:
            break
    shown = [NearMiss(str(segments[s.SEGMENT_ID].iat[i]), round(float(sims[i]), 4),
                      str(segments[s.SEGMENT_ID].iat[i]) in coded_here,
                      str(segments[s.TEXT].iat[i])) for i in pool[:settings.near_misses]]
    return pool, shown


def count_suggestions(checks: list[CodeCheck], codebook: Codebook, texts: list[str],
                      covered: dict[str, set[int]]) -> None:
    """Fill in how many segments each suggestion would match, by the rule matcher itself."""
    from pipeline.codebooks.check import match_patterns

    by_id = {code.id: code for code, _ in codebook.walk()}
    codes = [Code(id=c.code_id, label=by_id[c.code_id].label, definition="",
                  patterns=[Pattern.model_validate(g.pattern) for g in c.suggestions])
             for c in checks if c.suggestions]
    if not codes:
        return
    trial = Codebook(id="suggested", version="0", codes=codes)
    hits = match_patterns(trial, texts)
    for check in checks:
        for index, suggestion in enumerate(check.suggestions):
            matched = hits.get((check.code_id, index), set())
            suggestion.segments = len(matched)
            suggestion.new_segments = len(matched - covered[check.code_id])
