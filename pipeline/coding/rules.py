"""The rule coder: a codebook compiled into a spaCy pipeline of matcher and negation components.

One coding per segment × code: where a code matches more than once in a segment, the evidence is
its most confident match, then the earliest, then the longest. Evidence offsets point into the
document, so ``document.text[start:end] == evidence``.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterable, Iterator

import pandas as pd
from spacy.language import Language
from spacy.tokens import Doc
from tqdm.auto import tqdm

from pipeline import schema as s
from pipeline.coding import matcher as _matcher  # noqa: F401  (registers the factories)
from pipeline.coding import negation as _negation  # noqa: F401
from pipeline.coding.matcher import LABEL_SEPARATOR, CodebookMatcher
from pipeline.coding.negation import SPANS_KEY, NegationDetector
from pipeline.config import Codebook
from pipeline.nlp import LookupLemmas, ParsedSegments, blank_english
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
        self._lemmatise = LookupLemmas(self.nlp)  # the pipeline's lemmatizer, a doc at a time
        self._kept: ParsedSegments | None = None

    @contextmanager
    def keeping_docs(self) -> Iterator[ParsedSegments]:
        """While open, the doc of each segment :meth:`code` finds a match in, by segment id.

        The stance stage reads those segments again (:func:`pipeline.stance.chunk_stances`):
        given these docs it does not tokenise them a second time. Open it around one chunk
        only: the docs are held until it closes.
        """
        self._kept = kept = ParsedSegments(self.nlp)
        try:
            yield kept
        finally:
            self._kept = None

    def _matched(self, texts: Iterable[str]) -> Iterator[tuple[Doc, list[str | None]]]:
        """Each text's doc with its matches in ``doc.spans``, and each span's negation cue.

        ``self.nlp.pipe(texts)``'s spans and cues (``span._.negation_cue``, None where not
        negated), lemmatising and matching lemma and token patterns less: the lemmatizer and
        the lemma and token matchers run only on docs where the matcher's anchors say they
        could find something, and the cues are returned rather than set on each span.
        """
        negation: NegationDetector = self.nlp.get_pipe("wavecoder_negation")  # type: ignore
        for doc in self.nlp.tokenizer.pipe(texts, batch_size=self.batch_size):
            plan = self._matcher.plan(doc)
            if plan.lemmatise:
                self._lemmatise(doc)
            doc = self._matcher.match(doc, plan)
            yield doc, negation.cues(doc)

    def _labels(self) -> dict[int, tuple[str, str, float]]:
        """Code id, pattern id and confidence of each span label, by the label's hash."""
        strings = self.nlp.vocab.strings
        return {strings.add(label): (*label.split(LABEL_SEPARATOR, 1), confidence)
                for label, confidence in self._matcher.confidence.items()}

    def code(self, segments: pd.DataFrame) -> pd.DataFrame:
        """Code each segment; returns a codings table (schema.CODINGS) in segment order."""
        # one list per column: cheaper than a dict per row, and the same table
        columns: dict[str, list[object]] = {c: [] for c in (
            s.SEGMENT_ID, s.CODE_ID, s.START, s.END, s.EVIDENCE, s.PATTERN, s.CONFIDENCE,
            s.NEGATED)}
        texts = (matchable(t) for t in segments[s.TEXT])
        docs = self._matched(texts)
        records = segments[[s.SEGMENT_ID, s.START, s.TEXT]].itertuples(index=False)
        labels = self._labels()
        kept = self._kept.docs if self._kept is not None else None
        for (segment_id, seg_start, seg_text), (doc, cues) in tqdm(
            zip(records, docs, strict=True), total=len(segments), desc="code", unit="seg",
            disable=not self.progress,
        ):
            spans = doc.spans[SPANS_KEY]
            if not len(spans):
                continue
            if kept is not None:
                kept[segment_id] = (seg_text, doc)
            best: dict[str, tuple[float, int, int, bool, str, float]] = {}
            for span, cue in zip(spans, cues, strict=True):
                code_id, pattern, confidence = labels[span.label]
                first, last = span.start_char, span.end_char
                rank = (-confidence, first, first - last)
                current = best.get(code_id)
                if current is None or rank < current[:3]:
                    best[code_id] = (*rank, cue is not None, pattern, confidence)
            for code_id in sorted(best, key=self._order.__getitem__):
                _, first, negative_length, negated, pattern, confidence = best[code_id]
                last = first - negative_length
                columns[s.SEGMENT_ID].append(segment_id)
                columns[s.CODE_ID].append(code_id)
                columns[s.START].append(int(seg_start) + first)
                columns[s.END].append(int(seg_start) + last)
                columns[s.EVIDENCE].append(seg_text[first:last])
                columns[s.PATTERN].append(pattern)
                columns[s.CONFIDENCE].append(confidence)
                columns[s.NEGATED].append(negated)
        rows = len(columns[s.SEGMENT_ID])
        if not rows:
            return s.empty(s.CODINGS)
        frame = pd.DataFrame(columns | {s.METHOD: [METHOD] * rows, s.CODER: [self.name] * rows,
                                        s.NEEDS_REVIEW: [False] * rows,
                                        s.STATUS: [s.STATUS_MACHINE] * rows})
        return s.conform(frame, s.CODINGS)
