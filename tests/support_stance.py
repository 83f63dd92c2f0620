"""The stance rules' full path, for tests: every cue in a plain spaCy Matcher on every segment."""

from __future__ import annotations

from copy import copy

from spacy.matcher import Matcher

from pipeline.stance import load_rules


class FullMatcher:
    """Every cue in a plain validating spaCy Matcher, on every segment: no anchor test."""

    lemma_patterns = 1

    def __init__(self, rules) -> None:
        self.matcher = Matcher(rules.nlp.vocab, validate=True)
        for cue in rules.table.cues:
            self.matcher.add(cue.id, [cue.tokens])

    def possible(self, doc, columns=None):
        return 1

    def needs_lemmas(self, mask):
        return True

    def run(self, doc, mask, columns=None):
        return self.matcher(doc)


def full_rules():
    """The packaged stance rules with the full path's matcher in place of the compiled one."""
    rules = load_rules()
    full = copy(rules)
    full.matcher = FullMatcher(rules)
    return full
