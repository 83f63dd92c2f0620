"""The rule coder: a codebook compiled into a spaCy pipeline of matcher and negation components.

One coding per segment × code: where a code matches more than once in a segment, the evidence is
its most confident match, then the earliest, then the longest. Evidence offsets point into the
document, so ``document.text[start:end] == evidence``.
"""

from __future__ import annotations

import pandas as pd
from spacy.language import Language
from tqdm.auto import tqdm

from pipeline import schema as s
from pipeline.coding import matcher as _matcher  # noqa: F401  (registers the factories)
from pipeline.coding import negation as _negation  # noqa: F401
from pipeline.coding.matcher import LABEL_SEPARATOR, CodebookMatcher
from pipeline.coding.negation import SPANS_KEY
from pipeline.config import Codebook
from pipeline.nlp import blank_english
from pipeline.text import matchable

METHOD = "rule"
VERSION = "1"


def build_rule_pipeline(codebook: Codebook) -> Language:
    """Blank English + lookup lemmatizer + codebook matcher + negation, initialised."""
    nlp = blank_english()
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.add_pipe("wavecoder_codebook")
    nlp.add_pipe("wavecoder_negation")
    nlp.get_pipe("lemmatizer").initialize()
    matcher: CodebookMatcher = nlp.get_pipe("wavecoder_codebook")  # type: ignore[assignment]
    matcher.initialize(nlp=nlp, codebook=codebook)
    return nlp


class RuleCoder:
    """Codes segments with a codebook's patterns; ``code(segments) -> codings``."""

    def __init__(self, codebook: Codebook, *, batch_size: int = 512, progress: bool = False):
        self.codebook = codebook
        self.name = f"rules-v{VERSION}:{codebook.id}@{codebook.version}"
        self.batch_size = batch_size
        self.progress = progress
        self.nlp = build_rule_pipeline(codebook)
        self._matcher: CodebookMatcher = self.nlp.get_pipe("wavecoder_codebook")  # type: ignore
        self._order = {code_id: i for i, code_id in enumerate(codebook.code_ids())}

    def code(self, segments: pd.DataFrame) -> pd.DataFrame:
        """Code each segment; returns a codings table (schema.CODINGS) in segment order."""
        rows: list[dict[str, object]] = []
        texts = (matchable(t) for t in segments[s.TEXT])
        docs = self.nlp.pipe(texts, batch_size=self.batch_size)
        records = segments[[s.SEGMENT_ID, s.START, s.TEXT]].itertuples(index=False)
        for (segment_id, seg_start, seg_text), doc in tqdm(
            zip(records, docs, strict=True), total=len(segments), desc="code", unit="seg",
            disable=not self.progress,
        ):
            best: dict[str, tuple[float, int, int, object]] = {}
            for span in doc.spans[SPANS_KEY]:
                code_id = span.label_.split(LABEL_SEPARATOR, 1)[0]
                confidence = self._matcher.confidence[span.label_]
                rank = (-confidence, span.start_char, -(span.end_char - span.start_char))
                current = best.get(code_id)
                if current is None or rank < current[:3]:
                    best[code_id] = (*rank, span)  # type: ignore[assignment]
            for code_id in sorted(best, key=self._order.__getitem__):
                span = best[code_id][3]
                start = int(seg_start) + span.start_char  # type: ignore[attr-defined]
                end = int(seg_start) + span.end_char  # type: ignore[attr-defined]
                rows.append({
                    s.SEGMENT_ID: segment_id,
                    s.CODE_ID: code_id,
                    s.START: start,
                    s.END: end,
                    s.EVIDENCE: seg_text[span.start_char:span.end_char],  # type: ignore
                    s.METHOD: METHOD,
                    s.PATTERN: span.label_.split(LABEL_SEPARATOR, 1)[1],  # type: ignore
                    s.CONFIDENCE: self._matcher.confidence[span.label_],  # type: ignore
                    s.NEGATED: bool(span._.negated),  # type: ignore[attr-defined]
                    s.CODER: self.name,
                    s.NEEDS_REVIEW: False,
                    s.STATUS: s.STATUS_MACHINE,
                })
        return s.conform(pd.DataFrame(rows), s.CODINGS) if rows else s.empty(s.CODINGS)
