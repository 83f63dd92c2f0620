"""The report's tables, as pure functions of a wave's tables.

Every count is of respondents, not codings: a respondent who raises housing in three answers
counts once for housing. Child codes count for their parents, as in ``theme_summary``.
"""

from __future__ import annotations

import re

import pandas as pd

from pipeline import schema as s
from pipeline.config import Codebook
from pipeline.export.tables import uncovered

STANCES = ("needed", "gap", "available")
DIRECTIONS = ("improved", "worsened", "same")
THEME = "theme"  # a mention's code after rolling up (the code itself or an ancestor)
VALUE = "value"
ATTRIBUTE = "attribute"
MAX_ATTRIBUTE_VALUES = 15


def lineage(codebook: Codebook, code_id: str) -> list[str]:
    """``code_id`` and its ancestors in the codebook, nearest first."""
    return [code_id, *codebook.ancestors(code_id)] if code_id in codebook.parents() else [
        code_id]


def _share(part: pd.Series | int, whole: pd.Series | int) -> pd.Series | float:
    if isinstance(whole, pd.Series):
        return (part / whole.where(whole > 0)).fillna(0.0).round(4)
    return round(float(part) / whole, 4) if whole else 0.0


def mentions(documents: pd.DataFrame, segments: pd.DataFrame, codings: pd.DataFrame,
             stance_table: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """One row per coding and theme it counts for (its code and each ancestor).

    Columns: the coding's columns, ``theme``, the segment's ``document_id`` and ``text``, the
    document's ``respondent_id``, ``question_id`` and ``kind``, and the coding's stance and
    direction.
    """
    keys = [s.SEGMENT_ID, s.CODE_ID]
    found = stance_table[[*keys, s.STANCE, s.DIRECTION]].drop_duplicates(keys)
    frame = codings.merge(found, on=keys, how="left").merge(
        segments[[s.SEGMENT_ID, s.DOCUMENT_ID, s.START, s.TEXT]].rename(
            columns={s.START: "segment_start"}), on=s.SEGMENT_ID, how="inner").merge(
        documents[[s.DOCUMENT_ID, s.RESPONDENT_ID, s.QUESTION_ID, s.KIND]], on=s.DOCUMENT_ID)
    lineages = {c: lineage(codebook, c) for c in frame[s.CODE_ID].unique()}
    frame[THEME] = frame[s.CODE_ID].map(lineages)
    return frame.explode(THEME).reset_index(drop=True)


def _by_theme(mentioned: pd.DataFrame, codebook: Codebook, column: str,
              values: tuple[str, ...]) -> pd.DataFrame:
    """Respondents mentioning each theme, and those whose mentions carry each of ``values``."""
    total = mentioned.groupby(THEME)[s.RESPONDENT_ID].nunique()
    table = pd.DataFrame({s.CODE_ID: codebook.code_ids()})
    table[s.LABEL] = table[s.CODE_ID].map(codebook.labels())
    table[s.PARENT] = table[s.CODE_ID].map(codebook.parents())
    table[s.RESPONDENTS] = table[s.CODE_ID].map(total).fillna(0).astype("int64")
    for value in values:
        with_value = mentioned[mentioned[column] == value].groupby(THEME)[
            s.RESPONDENT_ID].nunique()
        table[value] = table[s.CODE_ID].map(with_value).fillna(0).astype("int64")
        table[f"{value}_share"] = _share(table[value], table[s.RESPONDENTS])
    return table


def stance_by_theme(mentioned: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """Per theme: respondents raising it, and how many say it is needed, a gap, or available."""
    return _by_theme(mentioned, codebook, s.STANCE, STANCES)


def direction_by_theme(mentioned: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """Per theme: respondents saying it improved, worsened or stayed the same, and the balance.

    ``net`` = improved - worsened; ``balance`` = net / (improved + worsened), from -1 (all
    worse) to +1 (all better), 0 when nobody reports a change.
    """
    table = _by_theme(mentioned, codebook, s.DIRECTION, DIRECTIONS)
    table["net"] = table["improved"] - table["worsened"]
    changed = table["improved"] + table["worsened"]
    table["balance"] = _share(table["net"], changed)
    return table


def respondent_attributes(documents: pd.DataFrame, attributes: list[str]) -> pd.DataFrame:
    """One row per respondent: the first recorded value of each attribute."""
    frame = documents[[s.RESPONDENT_ID, *attributes]].copy()
    for attribute in attributes:
        frame[attribute] = frame[attribute].astype("string").str.strip().replace("", pd.NA)
    return frame.groupby(s.RESPONDENT_ID, sort=True).first()


def crosstab(documents: pd.DataFrame, mentioned: pd.DataFrame, codebook: Codebook,
             attributes: list[str]) -> pd.DataFrame:
    """Share of respondents with each attribute value who raise each theme, per source kind.

    Survey answers and interview transcripts are counted apart (``kind``): a whole interview
    raises far more themes than a short answer, so mixing them in one share misleads. Within a
    kind, attributes with one value, or more than 15, are left out; respondents without a value
    are grouped as "(not recorded)".
    """
    labels, rows = codebook.labels(), []
    for kind in sorted(documents[s.KIND].dropna().unique()):
        people = respondent_attributes(documents[documents[s.KIND] == kind], attributes)
        themes = mentioned[mentioned[s.KIND] == kind].groupby(THEME)[s.RESPONDENT_ID].unique()
        for attribute in attributes:
            values = people[attribute].fillna("(not recorded)")
            if not 2 <= values.nunique() <= MAX_ATTRIBUTE_VALUES:
                continue
            sizes = values.value_counts()
            for value in sorted(sizes.index):
                for code_id in codebook.code_ids():
                    who = themes.get(code_id, [])
                    count = int((values.reindex(who) == value).sum()) if len(who) else 0
                    rows.append({s.KIND: kind, ATTRIBUTE: attribute, VALUE: value,
                                 s.RESPONDENTS: int(sizes[value]), s.CODE_ID: code_id,
                                 s.LABEL: labels[code_id], s.MENTIONS: count,
                                 s.SHARE: _share(count, int(sizes[value]))})
    return pd.DataFrame(rows, columns=[s.KIND, ATTRIBUTE, VALUE, s.RESPONDENTS, s.CODE_ID,
                                       s.LABEL, s.MENTIONS, s.SHARE])


def cooccurrence(mentioned: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """Respondent-level co-occurrence: respondents raising both themes, anywhere in the wave.

    A square table indexed and columned by code id; the diagonal is each theme's respondents.
    """
    pairs = mentioned[[s.RESPONDENT_ID, THEME]].drop_duplicates()
    flags = pd.crosstab(pairs[s.RESPONDENT_ID], pairs[THEME]).clip(upper=1)
    flags = flags.reindex(columns=codebook.code_ids(), fill_value=0)
    matrix = flags.T.dot(flags).astype("int64")
    return matrix.rename_axis(index=s.CODE_ID, columns=None)


def uncovered_topics(topics: pd.DataFrame | None, *, examples: int = 3) -> pd.DataFrame:
    """Discovered topics the codebook barely covers: candidate new codes, largest first."""
    columns = [s.TOPIC_ID, s.SIZE, s.COVERAGE, s.TOP_CODE, s.WORDS, "examples"]
    if topics is None or topics.empty:
        return pd.DataFrame(columns=columns)
    found = uncovered(topics)
    found[s.WORDS] = found[s.WORDS].map(lambda w: ", ".join(list(w)[:8]))
    found["examples"] = found[s.REPRESENTATIVE_TEXTS].map(
        lambda texts: " | ".join(" ".join(str(t).split()) for t in list(texts)[:examples]))
    return found[columns]


NEAR_DUPLICATE = 0.8  # token Jaccard similarity from which two quotes count as one


def _tokens(text: str) -> frozenset[str]:
    return frozenset(re.findall(r"\w+", text.casefold()))


def _near(tokens: frozenset[str], chosen: list[frozenset[str]]) -> bool:
    """Whether a quote's tokens are (nearly) those of a quote already chosen."""
    return any(len(tokens & other) >= NEAR_DUPLICATE * len(tokens | other) for other in chosen)


def exemplars(mentioned: pd.DataFrame, codebook: Codebook, *, n: int = 3) -> pd.DataFrame:
    """``n`` distinct quotes per theme, chosen the same way on every run.

    Codings a reviewer accepted (or added) come first; then the most confident, codings of the
    theme itself before its children's, and the lowest segment id. A quote serves one theme
    only, and near-duplicates (the same words up to case and punctuation, or token Jaccard
    similarity of 0.8 or more: a stock answer pasted by several respondents) appear once: each
    theme first takes quotes coded with it, then its children's quotes no other theme took.
    """
    rows, chosen = [], {}
    status = mentioned[s.STATUS] if s.STATUS in mentioned else pd.Series(
        "", index=mentioned.index)
    frame = mentioned.assign(
        _accepted=status.isin([s.STATUS_ACCEPTED, s.STATUS_HUMAN_ADDED]),
        _inherited=mentioned[s.CODE_ID] != mentioned[THEME])
    labels = codebook.labels()
    used: list[frozenset[str]] = []
    for inherited in (False, True):  # own quotes for every theme first, then its children's
        for code_id in codebook.code_ids():
            mine = chosen.setdefault(code_id, [])
            pool = frame[(frame[THEME] == code_id) & (frame["_inherited"] == inherited)]
            for row in pool.sort_values(["_accepted", s.CONFIDENCE, s.SEGMENT_ID],
                                        ascending=[False, False, True],
                                        kind="stable").itertuples(index=False):
                if len(mine) >= n:
                    break
                tokens = _tokens(str(row.text))
                if not tokens or _near(tokens, used):
                    continue
                used.append(tokens)
                mine.append(row)
    for code_id in codebook.code_ids():
        for rank, row in enumerate(chosen[code_id], start=1):
            offset = int(row.segment_start)
            rows.append({s.CODE_ID: code_id, s.LABEL: labels[code_id], s.RANK: rank,
                         "quote": row.text, s.EVIDENCE: row.evidence,
                         "evidence_start": int(row.start) - offset,
                         "evidence_end": int(row.end) - offset, "coded_as": row.code_id,
                         s.RESPONDENT_ID: row.respondent_id, s.QUESTION_ID: row.question_id,
                         s.STATUS: getattr(row, s.STATUS, None), s.CONFIDENCE: row.confidence,
                         s.STANCE: row.stance, s.DIRECTION: row.direction,
                         s.SEGMENT_ID: row.segment_id})
    return pd.DataFrame(rows, columns=[s.CODE_ID, s.LABEL, s.RANK, "quote", s.EVIDENCE,
                                       "evidence_start", "evidence_end", "coded_as",
                                       s.RESPONDENT_ID, s.QUESTION_ID, s.STATUS, s.CONFIDENCE,
                                       s.STANCE, s.DIRECTION, s.SEGMENT_ID])
