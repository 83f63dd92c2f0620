"""Finding identifiers in a wave's texts with Presidio, then judging names over the wave."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence

from pipeline.redact import names
from pipeline.redact.engine import RedactConfig, build_analyzer
from pipeline.redact.identifiers import (
    ADDRESS,
    EMAIL,
    ENTITIES,
    NHS_NUMBER,
    PERSON,
    PHONE,
    POSTCODE,
    TITLES,
    Finding,
)

# Which finding wins where two overlap: checked identifiers first, names (the least sure) last.
_PRIORITY = {NHS_NUMBER: 0, EMAIL: 1, PHONE: 2, POSTCODE: 3, ADDRESS: 4, PERSON: 5}
_TITLE = re.compile(rf"^(?:{'|'.join(re.escape(t) for t in TITLES)})\s+")
_POSSESSIVE = re.compile(r"['’]s$")
_BATCH = 64


def _tidy_person(text: str, finding: Finding) -> Finding | None:
    """A name span without a leading title, possessive ending or surrounding punctuation."""
    start, end = finding.start, finding.end
    span = text[start:end]
    title = _TITLE.match(span)
    if title:
        start += title.end()
    span = text[start:end]
    possessive = _POSSESSIVE.search(span)
    if possessive:
        end -= len(possessive.group())
    while start < end and not text[start].isalnum():
        start += 1
    while end > start and not text[end - 1].isalnum():
        end -= 1
    if end - start < 2 or not text[start].isupper() or text[start:end] in TITLES:
        return None
    return Finding(start, end, PERSON, finding.score, finding.source)


def _select(findings: Iterable[Finding]) -> list[Finding]:
    """Non-overlapping findings: by type priority, then longer, then higher score."""
    chosen: list[Finding] = []
    ranked = sorted(findings, key=lambda f: (_PRIORITY[f.entity_type], f.start - f.end, -f.score))
    for finding in ranked:
        if all(finding.end <= c.start or finding.start >= c.end for c in chosen):
            chosen.append(finding)
    return sorted(chosen)


def _analyse(texts: list[str], config: RedactConfig) -> tuple[list[list[Finding]], set[str]]:
    """Findings per text, and the words the model calls places more often than people."""
    analyzer = build_analyzer(config.names, config.model, config.proper_nouns)
    results, votes, cued = [], Counter(), Counter()
    batches = analyzer.nlp_engine.process_batch(texts, language="en", batch_size=_BATCH)
    for text, artifacts in batches:
        names.vote_places(artifacts.tokens, votes, cued)
        found = analyzer.analyze(text, language="en", entities=list(ENTITIES),
                                 score_threshold=config.threshold, nlp_artifacts=artifacts)
        findings = []
        for result in found:
            source = (result.recognition_metadata or {}).get("recognizer_name", "")
            finding = Finding(result.start, result.end, result.entity_type, result.score, source)
            if finding.entity_type == PERSON:
                finding = _tidy_person(text, finding)
            if finding is not None:
                findings.append(finding)
        results.append(findings)
    # A place needs the grammar's word for it at least once: the model alone is too unsure.
    return results, {word for word, vote in votes.items() if vote > 0 and cued[word]}


def find_identifiers(texts: Sequence[str], config: RedactConfig | None = None,
                     ) -> list[list[Finding]]:
    """The identifiers in each text, non-overlapping and in text order.

    Args:
        texts: the texts of one wave (names found in one are looked for in all when
            ``config.propagate``).
        config: how to find them (default: :class:`RedactConfig`'s measured best).
    """
    config = config or RedactConfig()
    texts = list(texts)
    findings, places = _analyse(texts, config)
    keep = names.keep_pattern(tuple(config.keep))
    findings = names.plausible_names(texts, findings, places, keep)
    if config.propagate:
        findings = names.propagate(texts, findings)
        findings = [names.not_kept(text, found, keep)
                    for text, found in zip(texts, findings, strict=True)]
    return [_select(found) for found in findings]
