"""Analyst tables built from the long tables: the wide coded dataset and the theme summary.

Both roll child codes up to their parents: a respondent whose answer carries ``housing_gap``
also counts as mentioning ``housing``, as a human coder reading the codebook's hierarchy would.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline import schema as s
from pipeline.config import Codebook


def standing(codings: pd.DataFrame) -> pd.DataFrame:
    """The codings analysts count: every review status but rejected."""
    if s.STATUS not in codings.columns:
        return codings
    kept = (codings[s.STATUS].fillna(s.STATUS_MACHINE) != s.STATUS_REJECTED).to_numpy()
    if kept.all() and codings.index.equals(pd.RangeIndex(len(codings))):
        # The same rows: a wave's codings are large, and a filtered copy held them twice.
        return codings.copy(deep=False)
    return codings[kept].reset_index(drop=True)


BLOCK_ROWS = 1 << 18  # codings counted at once: bounds the working arrays of a large wave


def document_codes(segments: pd.DataFrame, codings: pd.DataFrame, codebook: Codebook,
                   *, roll_up: bool = True, block_rows: int = BLOCK_ROWS) -> pd.DataFrame:
    """Distinct (document_id, code_id, negated) rows: which codes each document carries.

    ``negated`` is True only when every mention of the code in that document is negated.
    With ``roll_up`` each coding also counts for every ancestor of its code. Rows come in the
    order their pair is first met (codings in order, each code before its ancestors).
    ``block_rows``: codings counted at once when they come in their documents' order.
    """
    columns = [s.DOCUMENT_ID, s.CODE_ID, s.NEGATED]
    if codings.empty:
        return pd.DataFrame(columns=columns)
    # Integer positions rather than a join, lists per coding and a groupby on two string
    # columns: those held several copies of a million-answer wave's codings at once.
    segment_ids = segments[s.SEGMENT_ID]
    if not segment_ids.is_unique:  # a join would repeat a coding per row of its segment
        return _document_codes_joined(segments, codings, codebook, roll_up=roll_up)
    at_segment = pd.Index(segment_ids).get_indexer(codings[s.SEGMENT_ID])
    document_of, documents = pd.factorize(segments[s.DOCUMENT_ID])  # a missing id: -1
    code_of, codes = pd.factorize(codings[s.CODE_ID])
    document = np.where(at_segment >= 0, document_of[at_segment], -1)
    del at_segment, document_of
    kept = (document >= 0) & (code_of >= 0)
    document, code_of = document[kept], code_of[kept]
    negated = codings[s.NEGATED].to_numpy()[kept].astype(bool)
    lineage = [[code, *codebook.ancestors(code)] if roll_up and code in codebook.code_ids()
               else [code] for code in codes]
    every_code, code_ids = pd.factorize(pd.Series([c for line in lineage for c in line],
                                                  dtype=object))
    lines = _Lineage(every_code, np.array([len(line) for line in lineage]))
    # No document's codings span two blocks, so each block's pairs are new: counted a block at
    # a time, they come in the same first-met order as counted all at once.
    found = [lines.pairs(document[block], code_of[block], negated[block], len(code_ids))
             for block in _document_blocks(document, block_rows)]
    pairs = np.concatenate([pair for pair, _ in found])
    return pd.DataFrame({s.DOCUMENT_ID: np.asarray(documents, dtype=object)[pairs // len(code_ids)],
                         s.CODE_ID: np.asarray(code_ids, dtype=object)[pairs % len(code_ids)],
                         s.NEGATED: np.concatenate([every for _, every in found])})


class _Lineage:
    """Each code's line (itself, then its ancestors) as positions into one array of codes."""

    def __init__(self, every_code: np.ndarray, sizes: np.ndarray) -> None:
        self.every_code, self.sizes = every_code, sizes
        self.firsts = np.r_[0, np.cumsum(sizes)[:-1]]

    def pairs(self, document: np.ndarray, code_of: np.ndarray, negated: np.ndarray,
              codes: int) -> tuple[np.ndarray, np.ndarray]:
        """Distinct document * codes + code keys, first met first, and whether all negated."""
        repeats = self.sizes[code_of]
        row = np.repeat(np.arange(len(code_of)), repeats)
        step = np.arange(len(row)) - np.repeat(np.cumsum(repeats) - repeats, repeats)
        code = self.every_code[self.firsts[code_of[row]] + step]
        pair, pairs = pd.factorize(document[row] * codes + code)  # first met, first
        not_negated = np.bincount(pair, weights=~negated[row], minlength=len(pairs))
        return pairs, not_negated == 0


def _document_blocks(document: np.ndarray, rows: int) -> list[slice]:
    """Consecutive slices of about ``rows`` codings that share no document.

    Only when the codings come in their documents' order, as a wave's machine codings do;
    otherwise one slice of them all.
    """
    if len(document) <= rows or bool((document[1:] < document[:-1]).any()):
        return [slice(0, len(document))]
    blocks, start = [], 0
    while start < len(document):
        end = start + rows
        if end < len(document):  # cut before the first coding of that row's document
            end = int(np.searchsorted(document, document[end], side="left"))
            if end <= start:  # one document longer than a block: after its last coding
                end = int(np.searchsorted(document, document[start], side="right"))
        blocks.append(slice(start, min(end, len(document))))
        start = end
    return blocks


def _document_codes_joined(segments: pd.DataFrame, codings: pd.DataFrame, codebook: Codebook,
                           *, roll_up: bool) -> pd.DataFrame:
    """:func:`document_codes` by a join, for segment ids that are not unique."""
    joined = codings[[s.SEGMENT_ID, s.CODE_ID, s.NEGATED]].merge(
        segments[[s.SEGMENT_ID, s.DOCUMENT_ID]], on=s.SEGMENT_ID, how="inner")
    if roll_up:
        lineage = {code_id: [code_id, *codebook.ancestors(code_id)]
                   for code_id in codebook.code_ids()}
        joined = joined.assign(
            **{s.CODE_ID: joined[s.CODE_ID].map(lambda c: lineage.get(c, [c]))}
        ).explode(s.CODE_ID)
    grouped = joined.groupby([s.DOCUMENT_ID, s.CODE_ID], sort=False)[s.NEGATED].all()
    return grouped.reset_index()[[s.DOCUMENT_ID, s.CODE_ID, s.NEGATED]]


def coded_wide(documents: pd.DataFrame, segments: pd.DataFrame, codings: pd.DataFrame,
               codebook: Codebook, *, present: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per document (respondent × question), a 0/1 column per code, and the answer text.

    Columns: wave, respondent_id, question_id, question, kind, the attribute columns, one
    column per code in codebook order, named ``code_<id>`` (int8; 1 = the answer mentions the
    code or one of its children, negated or not), and ``text``. ``present``: the codings'
    :func:`document_codes`, when the caller has them already.
    """
    if present is None:
        present = document_codes(segments, codings, codebook)
    code_ids = codebook.code_ids()
    # A 0/1 matrix filled by position (a crosstab aggregates in Python: seconds per 100k
    # rows), one row per distinct document id, then one per document as a merge would give.
    # Bytes, kept as bytes: an int64 matrix was 0.23 GB for a million answers and 29 codes,
    # held from here until the database had it. The files and the database's BIGINT columns
    # hold the same 0s and 1s; sums over the columns are taken in int64 as before.
    index = pd.Index(documents[s.DOCUMENT_ID])
    ids = None
    if not index.is_unique:  # a repeated id: its rows share one row of the matrix
        ids, distinct = pd.factorize(documents[s.DOCUMENT_ID], use_na_sentinel=False)
        index = pd.Index(distinct)
    rows = index.get_indexer(present[s.DOCUMENT_ID])
    columns = pd.Index(code_ids).get_indexer(present[s.CODE_ID])
    found = (rows >= 0) & (columns >= 0)
    flags = np.zeros((len(index), len(code_ids)), dtype="int8")
    flags[rows[found], columns[found]] = 1
    del index, rows, columns, found  # the index's hash table, before the table is built
    if ids is not None:
        flags = flags.take(ids, axis=0)
    fixed = [s.WAVE, s.RESPONDENT_ID, s.QUESTION_ID, s.QUESTION, s.KIND]
    attributes = [c for c in documents.columns if c not in s.DOCUMENTS.names]
    wide = documents[[*fixed, *attributes]]  # a copy already: renumbered in place, not again
    wide.index = pd.RangeIndex(len(wide))
    wide = pd.concat([wide, pd.DataFrame(flags, columns=[s.code_column(c) for c in code_ids],
                                         copy=False)], axis=1, copy=False)
    wide[s.TEXT] = documents[s.TEXT].to_numpy()
    return wide


def theme_summary(documents: pd.DataFrame, segments: pd.DataFrame, codings: pd.DataFrame,
                  codebook: Codebook, *, present: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per question, how many respondents mention each code and their share, ranked.

    ``respondents`` counts distinct respondents with a kept answer to the question;
    ``mentions`` those whose answer carries the code (children rolled up);
    ``negated_mentions`` those whose every mention of it is negated ("not available").
    Every code appears for every question, so zero counts are explicit. Rank 1 = most mentioned.
    ``present``: the codings' :func:`document_codes`, when the caller has them already.
    """
    if present is None:
        present = document_codes(segments, codings, codebook)
    labels, parents = codebook.labels(), codebook.parents()
    order = {code_id: i for i, code_id in enumerate(codebook.code_ids())}
    counts = _mention_counts(present, documents)
    bases = documents.groupby(s.QUESTION_ID, sort=False)[s.RESPONDENT_ID].nunique().to_dict()
    rows = []
    questions = documents.drop_duplicates(s.QUESTION_ID)[[s.WAVE, s.QUESTION_ID, s.QUESTION]]
    for wave, question_id, question in questions.itertuples(index=False):
        respondents = int(bases.get(question_id, 0))  # Python ints: round() as it always was
        for code_id in codebook.code_ids():
            mentions, negated = counts.get((question_id, code_id), (0, 0))
            rows.append({
                s.WAVE: wave, s.QUESTION_ID: question_id, s.QUESTION: question,
                s.CODE_ID: code_id, s.LABEL: labels[code_id], s.PARENT: parents[code_id],
                s.RESPONDENTS: respondents, s.MENTIONS: int(mentions),
                s.NEGATED_MENTIONS: int(negated),
                s.SHARE: round(int(mentions) / respondents, 4) if respondents else 0.0,
            })
    if not rows:
        return s.empty(s.THEME_SUMMARY)
    summary = pd.DataFrame(rows)
    summary["_order"] = summary[s.CODE_ID].map(order)
    summary = summary.sort_values([s.QUESTION_ID, s.MENTIONS, "_order"],
                                  ascending=[True, False, True], kind="stable")
    summary[s.RANK] = summary.groupby(s.QUESTION_ID).cumcount() + 1
    return s.conform(summary.drop(columns="_order"), s.THEME_SUMMARY)


def _mention_counts(present: pd.DataFrame, documents: pd.DataFrame
                    ) -> dict[tuple, tuple[int, int]]:
    """{(question_id, code_id): (respondents mentioning it, those whose every mention is negated)}.

    Counted once over all questions and codes (a filter per question and code was quadratic),
    on integer positions: a join and a groupby on three string columns held 0.5 GB beside a
    million-answer wave's tables. Documents whose ids repeat or are missing take the join.
    """
    ids = documents[s.DOCUMENT_ID]
    if ids.isna().any() or not ids.is_unique:
        return _mention_counts_joined(present, documents)
    question, questions = pd.factorize(documents[s.QUESTION_ID])  # a missing value: -1
    respondent, respondents = pd.factorize(documents[s.RESPONDENT_ID])
    # Each document's answer slot, question * respondents + respondent (-1: either missing,
    # as groupby drops missing keys); a respondent's two answers to a question share one.
    slot = question * len(respondents) + respondent
    slot[(question < 0) | (respondent < 0)] = -1
    del question, respondent
    at = pd.Index(ids).get_indexer(present[s.DOCUMENT_ID])
    row_slot = slot.take(at)
    row_slot[at < 0] = -1  # a document the table lacks
    del at, slot
    code, codes = pd.factorize(present[s.CODE_ID])
    counted = (row_slot >= 0) & (code >= 0)
    # One key per (slot, code) mention, doubled to carry "not negated" in its lowest bit, built
    # in place and sorted in place: one array of the mentions at a time, not a dozen (a
    # million answers' 3.3 million present rows held 0.34 GB in the arrays of np.unique).
    key = row_slot[counted]
    del row_slot
    key *= len(codes)
    key += code[counted]
    del code
    key *= 2
    key += ~present[s.NEGATED].to_numpy()[counted].astype(bool)
    del counted
    key.sort()
    triple = key >> 1
    last = np.ones(len(key), dtype=bool)  # the last row of each (slot, code): all negated
    np.not_equal(triple[1:], triple[:-1], out=last[:-1])  # if its bit is 0, as rows sort so
    del triple
    ends = key[last]
    del key, last
    all_negated = (ends & 1) == 0
    ends >>= 1
    pair = ends // (len(respondents) * len(codes)) * len(codes) + ends % len(codes)
    del ends
    mentions = np.bincount(pair, minlength=len(questions) * len(codes))
    negated = np.bincount(pair[all_negated], minlength=len(mentions))
    return {(questions[p // len(codes)], codes[p % len(codes)]): (int(mentions[p]),
                                                                   int(negated[p]))
            for p in np.flatnonzero(mentions)}


def _mention_counts_joined(present: pd.DataFrame, documents: pd.DataFrame
                           ) -> dict[tuple, tuple[int, int]]:
    """:func:`_mention_counts` by a join and a groupby, for any documents table."""
    present = present.merge(
        documents[[s.DOCUMENT_ID, s.QUESTION_ID, s.RESPONDENT_ID]], on=s.DOCUMENT_ID)
    # per respondent, whether every mention of the code in their answers is negated
    per_respondent = present.groupby([s.QUESTION_ID, s.CODE_ID, s.RESPONDENT_ID],
                                     sort=False)[s.NEGATED].all()
    counts = per_respondent.groupby(level=[0, 1], sort=False).agg(["size", "sum"])
    return {key: (int(size), int(negated)) for key, size, negated in zip(
        counts.index, counts["size"], counts["sum"], strict=True)}


def most_answered(summary: pd.DataFrame, limit: int) -> pd.Series:
    """Each question's respondents (the theme summary's order), at most ``limit`` questions.

    Past ``limit``, those with the most respondents (the first on a tie): what a chart or a
    printed table shows of a survey with more open questions than a reader can take in.
    """
    respondents = summary.groupby(s.QUESTION_ID, sort=False, observed=True)[s.RESPONDENTS].max()
    if len(respondents) <= limit:
        return respondents
    most = respondents.sort_values(ascending=False, kind="stable").index[:limit]
    return respondents[respondents.index.isin(most)]


def top_codes(summary: pd.DataFrame, n: int = 3) -> dict[str, list[tuple[str, int, float]]]:
    """The ``n`` most mentioned codes per question: {question_id: [(code_id, mentions, share)]}."""
    out: dict[str, list[tuple[str, int, float]]] = {}
    for question_id, group in summary[summary[s.MENTIONS] > 0].groupby(s.QUESTION_ID, sort=True):
        best = group.nsmallest(n, s.RANK)
        out[str(question_id)] = [
            (str(r[s.CODE_ID]), int(r[s.MENTIONS]), float(r[s.SHARE]))
            for _, r in best.iterrows()]
    return out


def uncovered(topics: pd.DataFrame | None) -> pd.DataFrame:
    """Topics the codebook barely covers (candidate codes), largest first, then by topic id."""
    if topics is None or topics.empty:
        return s.empty(s.TOPICS)
    found = topics[topics[s.UNCOVERED].fillna(False).astype(bool) & (topics[s.TOPIC_ID] >= 0)]
    return found.sort_values([s.SIZE, s.TOPIC_ID], ascending=[False, True]).reset_index(
        drop=True)
