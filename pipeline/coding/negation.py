"""A spaCy component that flags code matches standing in the scope of a negation.

In the NegEx tradition: a cue shortly before the match ("no", "lack of", "without") or just
after it ("is not available", "isn't") negates it, unless a scope terminator ("but", "however",
";") comes between. A negated match is kept and flagged: "not available locally" is a gap.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc, Span

SPANS_KEY = "codes"

PRE_CUES = ["no", "not", "n't", "never", "without", "lack", "lacking", "absence", "none",
            "nor", "neither", "cannot", "unable", "nobody"]
POST_CUES = ["not", "n't", "never", "unavailable", "lacking", "absent", "missing", "nonexistent",
             "non-existent"]
TERMINATORS = ["but", "however", "although", "though", "yet", "whereas", "while", "except",
               "apart", "aside", "which", "who", ";", ":", ".", "!", "?", "(", ")"]
PSEUDO_FOLLOWERS = ["only", "just", "doubt", "question", "matter", "surprise"]

if not Span.has_extension("negated"):
    Span.set_extension("negated", default=False)
if not Span.has_extension("negation_cue"):
    Span.set_extension("negation_cue", default=None)


class NegationDetector:
    """Sets ``span._.negated`` (and ``span._.negation_cue``) on the spans in ``doc.spans[key]``."""

    def __init__(self, name: str, *, spans_key: str, pre_window: int, post_window: int,
                 pre_cues: list[str], post_cues: list[str], terminators: list[str]) -> None:
        self.name = name
        self.spans_key = spans_key
        self.pre_window = pre_window
        self.post_window = post_window
        self.pre_cues = {c.lower() for c in pre_cues}
        self.post_cues = {c.lower() for c in post_cues}
        self.terminators = {t.lower() for t in terminators}

    def _cue(self, doc: Doc, indices: range, cues: set[str]) -> str | None:
        for i in indices:
            word = doc[i].lower_.replace("’", "'")
            if word in self.terminators:
                return None
            if word in cues:
                following = doc[i + 1].lower_ if i + 1 < len(doc) else ""
                if following not in PSEUDO_FOLLOWERS:
                    return doc[i].text
        return None

    def __call__(self, doc: Doc) -> Doc:
        """Flag each span of ``doc.spans[spans_key]`` that a negation cue scopes over."""
        spans = doc.spans.get(self.spans_key, [])
        sentences = bool(len(spans)) and doc.has_annotation("SENT_START")  # once per doc, not span
        for span in spans:
            sentence_start = span.sent.start if sentences else 0
            sentence_end = span.sent.end if sentences else len(doc)
            first = max(sentence_start, span.start - self.pre_window)
            before = range(span.start - 1, first - 1, -1)
            after = range(span.end, min(sentence_end, span.end + self.post_window))
            cue = self._cue(doc, before, self.pre_cues) or self._cue(doc, after, self.post_cues)
            span._.negated = cue is not None
            span._.negation_cue = cue
        return doc


@Language.factory(
    "wavecoder_negation",
    default_config={
        "spans_key": SPANS_KEY,
        "pre_window": 6,
        "post_window": 3,
        "pre_cues": PRE_CUES,
        "post_cues": POST_CUES,
        "terminators": TERMINATORS,
    },
)
def make_negation_detector(nlp: Language, name: str, spans_key: str, pre_window: int,
                           post_window: int, pre_cues: list[str], post_cues: list[str],
                           terminators: list[str]) -> NegationDetector:
    """spaCy factory for :class:`NegationDetector`."""
    return NegationDetector(name, spans_key=spans_key, pre_window=pre_window,
                            post_window=post_window, pre_cues=pre_cues, post_cues=post_cues,
                            terminators=terminators)
