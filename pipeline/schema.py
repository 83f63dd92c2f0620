"""Table contracts: every column of every table the pipeline passes or writes, named once.

Other tools and scripts read these tables; keep the names stable. Each table is described by a
pyarrow schema; :func:`conform` orders and types a DataFrame to it so writers never guess.
"""

from __future__ import annotations

import functools

import pandas as pd
import pyarrow as pa

# documents: one row per answer (survey respondent × question) or per transcript/document.
DOCUMENT_ID = "document_id"
WAVE = "wave"
SOURCE = "source"
KIND = "kind"
RESPONDENT_ID = "respondent_id"
QUESTION_ID = "question_id"
QUESTION = "question"
TEXT = "text"
LINE = "line"  # 1-based line of the row in its source file (header = line 1); 0 for whole files

DOCUMENTS = pa.schema(
    [
        (DOCUMENT_ID, pa.string()),
        (WAVE, pa.string()),
        (SOURCE, pa.string()),
        (KIND, pa.string()),
        (RESPONDENT_ID, pa.string()),
        (QUESTION_ID, pa.string()),
        (QUESTION, pa.string()),
        (TEXT, pa.string()),
        (LINE, pa.int64()),
    ]
)
"""Fixed columns of ``documents``; respondent attribute columns follow them, as strings."""

# rejected: every input item that did not become a document, with its reason.
REASON = "reason"
DETAIL = "detail"
REJECTED = pa.schema(
    [
        (WAVE, pa.string()),
        (SOURCE, pa.string()),
        (LINE, pa.int64()),
        (RESPONDENT_ID, pa.string()),
        (QUESTION_ID, pa.string()),
        (REASON, pa.string()),
        (DETAIL, pa.string()),
        (TEXT, pa.string()),
    ]
)

# Reasons an item is rejected: short, stable words that scripts can group by.
REASON_EMPTY = "empty"
REASON_NON_ANSWER = "non-answer"  # "N/A", "none", "-"
REASON_DUPLICATE = "duplicate"
REASON_UNREADABLE = "unreadable"
REASON_MALFORMED = "malformed"
REASON_MISSING_ID = "missing-id"
REASON_UNLISTED = "unlisted question"  # a long file's row for a question wave.yaml does not list
REASON_FORMULA = "formula without a cached value"  # a workbook saved by a tool that computes none

# segments: sentences (surveys, documents) or sentences of every speaker turn (interviews).
SEGMENT_ID = "segment_id"
START = "start"
END = "end"
SPEAKER = "speaker"  # the label as written ("Interviewer 1"); null when the text has none
ROLE = "role"  # interviewer | respondent | other (front matter, transcriber's notes)
ROLE_INTERVIEWER = "interviewer"
ROLE_RESPONDENT = "respondent"
ROLE_OTHER = "other"
FILLER = "filler"  # only fillers/backchannels ("um yeah", "thank you"): not topic-modelled or coded
CONTEXT = "context"
SEGMENTS = pa.schema(
    [
        (SEGMENT_ID, pa.string()),
        (DOCUMENT_ID, pa.string()),
        (WAVE, pa.string()),
        (START, pa.int64()),
        (END, pa.int64()),
        (TEXT, pa.string()),
        (SPEAKER, pa.string()),
        (CONTEXT, pa.string()),
        (ROLE, pa.string()),
        (FILLER, pa.bool_()),
    ]
)

# codings: one row per segment × code, with the evidence that justifies it.
CODE_ID = "code_id"
EVIDENCE = "evidence"
METHOD = "method"
PATTERN = "pattern"
CONFIDENCE = "confidence"
NEGATED = "negated"
CODER = "coder"
NEEDS_REVIEW = "needs_review"  # the code's measured agreement is below the gate: route to review
STATUS = "status"  # machine | accepted | rejected | human-added (after review)
STATUS_MACHINE = "machine"
STATUS_ACCEPTED = "accepted"
STATUS_REJECTED = "rejected"
STATUS_HUMAN_ADDED = "human-added"
CODINGS = pa.schema(
    [
        (SEGMENT_ID, pa.string()),
        (CODE_ID, pa.string()),
        (START, pa.int64()),  # offsets into the document's text, not the segment's
        (END, pa.int64()),
        (EVIDENCE, pa.string()),
        (METHOD, pa.string()),
        (PATTERN, pa.string()),
        (CONFIDENCE, pa.float64()),
        (NEGATED, pa.bool_()),
        (CODER, pa.string()),
        (NEEDS_REVIEW, pa.bool_()),
        (STATUS, pa.string()),
    ]
)

# review_log: every reviewer decision on a coding, append-only; later decisions supersede
# earlier ones on the same (segment, code, reviewer) and both stay in the log.
DECISION = "decision"  # accepted | rejected | added (a recode is a rejection plus an addition)
DECISION_ACCEPTED = "accepted"
DECISION_REJECTED = "rejected"
DECISION_ADDED = "added"
# read whole, no code applies: a passage without machine codings (blank code_id)
DECISION_NO_CODE = "no code"
REVIEWER = "reviewer"
DECIDED_AT = "decided_at"  # ISO 8601 time of the decision, from the file when it says
REVIEW_FILE = "review_file"  # the file the decision was imported from (name only)
REVIEW_FILE_SHA256 = "review_file_sha256"
REVIEW_LOG = pa.schema(
    [
        (WAVE, pa.string()),
        (SEGMENT_ID, pa.string()),
        (CODE_ID, pa.string()),
        (DECISION, pa.string()),
        (REVIEWER, pa.string()),
        (DECIDED_AT, pa.string()),
        (START, pa.int64()),  # document offsets of the reviewed passage
        (END, pa.int64()),
        (EVIDENCE, pa.string()),
        (REVIEW_FILE, pa.string()),
        (REVIEW_FILE_SHA256, pa.string()),
        (DETAIL, pa.string()),
    ]
)

# review_log as stored in the wave database: the imported decisions plus when each import
# happened and its place in the log (append order), which breaks ties between decisions.
IMPORTED_AT = "imported_at"
LOG_SEQ = "seq"
STORED_REVIEW_LOG = pa.schema([*REVIEW_LOG, (IMPORTED_AT, pa.string()), (LOG_SEQ, pa.int64())])

# The review workbook (one row per coding): columns beyond the tables' own.
PASSAGE = "passage"  # the segment, its evidence highlighted
IN_CONTEXT = "in_context"  # the segment with the sentences before and after it
CORRECTED_CODE = "corrected_code"
NOTE = "note"

# sign_offs: a named person's decision on one run's codings; a wave is published (its
# published_* views) only while its latest run's codings carry an approval.
RUN_ID = "run_id"
CODINGS_SHA256 = "codings_sha256"  # pipeline.export.digest.codings_digest
SIGNED_AT = "signed_at"  # ISO 8601, UTC
SIGN_OFFS = pa.schema(
    [
        (WAVE, pa.string()),
        (RUN_ID, pa.string()),
        (CODINGS_SHA256, pa.string()),
        (REVIEWER, pa.string()),
        (DECISION, pa.string()),  # approve | reject
        (NOTE, pa.string()),
        (SIGNED_AT, pa.string()),
        (LOG_SEQ, pa.int64()),
    ]
)

# stances: what a coded passage says about the support (stance) and its change (direction).
STANCE = "stance"  # needed | gap | available, or null when the passage says none of these
STANCE_START = "stance_start"
STANCE_END = "stance_end"
STANCE_EVIDENCE = "stance_evidence"
DIRECTION = "direction"  # improved | worsened | same, or null
DIRECTION_START = "direction_start"
DIRECTION_END = "direction_end"
DIRECTION_EVIDENCE = "direction_evidence"
STANCES = pa.schema(
    [
        (SEGMENT_ID, pa.string()),
        (CODE_ID, pa.string()),
        (STANCE, pa.string()),
        (STANCE_START, pa.int64()),  # document offsets, like codings
        (STANCE_END, pa.int64()),
        (STANCE_EVIDENCE, pa.string()),
        (DIRECTION, pa.string()),
        (DIRECTION_START, pa.int64()),
        (DIRECTION_END, pa.int64()),
        (DIRECTION_EVIDENCE, pa.string()),
    ]
)

# redaction_mapping: placeholder -> original, per wave. Written only to its own owner-only file
# (pipeline.redact.write_mapping), never to DuckDB, reports or exports.
PLACEHOLDER = "placeholder"  # e.g. "[PERSON_1]"
ENTITY_TYPE = "entity_type"  # PERSON | EMAIL | PHONE | POSTCODE | NHS_NUMBER | ADDRESS
ORIGINAL = "original"  # one spelling of the original; a placeholder may have several rows
REDACTION_MAPPING = pa.schema(
    [
        (WAVE, pa.string()),
        (PLACEHOLDER, pa.string()),
        (ENTITY_TYPE, pa.string()),
        (ORIGINAL, pa.string()),
    ]
)

# topics (BERTopic): one row per topic; -1 is HDBSCAN's outlier bucket.
TOPIC_ID = "topic_id"
SIZE = "size"
WORDS = "words"
REPRESENTATIVE_SEGMENTS = "representative_segment_ids"
REPRESENTATIVE_TEXTS = "representative_texts"
COVERAGE = "coverage"  # share of the topic's segments carrying at least one codebook code
TOP_CODE = "top_code"
UNCOVERED = "uncovered"  # candidate new code: the codebook barely covers this topic
# A project's kept topic model gives topics stable ids across waves (pipeline/continuity.py).
FIRST_WAVE = "first_wave"  # the wave the topic first appeared in (null: a per-wave fit)
NEW_IN_WAVE = "new_in_wave"  # the topic first appeared in this wave, after an earlier one
TOPICS = pa.schema(
    [
        (WAVE, pa.string()),
        (TOPIC_ID, pa.int64()),
        (SIZE, pa.int64()),
        (WORDS, pa.list_(pa.string())),
        (REPRESENTATIVE_SEGMENTS, pa.list_(pa.string())),
        (REPRESENTATIVE_TEXTS, pa.list_(pa.string())),
        (COVERAGE, pa.float64()),
        (TOP_CODE, pa.string()),
        (UNCOVERED, pa.bool_()),
        (FIRST_WAVE, pa.string()),
        (NEW_IN_WAVE, pa.bool_()),
    ]
)

PROBABILITY = "probability"
SEGMENT_TOPICS = pa.schema(
    [
        (SEGMENT_ID, pa.string()),
        (WAVE, pa.string()),
        (TOPIC_ID, pa.int64()),
        (PROBABILITY, pa.float64()),
    ]
)

N_SEGMENTS = "n_segments"
SHARE = "share"
TOPIC_CODES = pa.schema(
    [
        (WAVE, pa.string()),
        (TOPIC_ID, pa.int64()),
        (CODE_ID, pa.string()),
        (N_SEGMENTS, pa.int64()),
        (SHARE, pa.float64()),  # share of the topic's segments carrying this code
    ]
)

# coded_wide: one 0/1 column per code, named with this prefix so code ids never collide with
# respondent attribute columns (a survey may well have a "funding_change" column).
CODE_COLUMN_PREFIX = "code_"


def code_column(code_id: str) -> str:
    """The coded_wide column of ``code_id``."""
    return CODE_COLUMN_PREFIX + code_id


# theme_summary: per question, respondents mentioning each code (children roll up to parents).
LABEL = "label"
PARENT = "parent"
RESPONDENTS = "respondents"  # respondents who answered the question
MENTIONS = "mentions"  # respondents whose answer carries the code (or a child of it)
NEGATED_MENTIONS = "negated_mentions"
RANK = "rank"
THEME_SUMMARY = pa.schema(
    [
        (WAVE, pa.string()),
        (QUESTION_ID, pa.string()),
        (QUESTION, pa.string()),
        (CODE_ID, pa.string()),
        (LABEL, pa.string()),
        (PARENT, pa.string()),
        (RESPONDENTS, pa.int64()),
        (MENTIONS, pa.int64()),
        (NEGATED_MENTIONS, pa.int64()),
        (SHARE, pa.float64()),
        (RANK, pa.int64()),
    ]
)


# review_agreement: per code, the machine against each reviewer and reviewers against each other.
COMPARISON = "comparison"  # machine-vs-reviewer | reviewer-vs-reviewer
COMPARISON_MACHINE = "machine-vs-reviewer"
COMPARISON_REVIEWERS = "reviewer-vs-reviewer"
RATERS = "raters"  # who is compared, e.g. "machine | Ann Reviewer"
ITEMS = "items"  # segment × code decisions compared
ACCEPTED = "accepted"
REJECTED_CODINGS = "rejected"
ADDED = "added"
PERCENT_AGREEMENT = "percent_agreement"
KAPPA = "kappa"  # Cohen's kappa (machine vs one reviewer)
ALPHA = "alpha"  # Krippendorff's alpha, nominal (two or more reviewers)
BELOW_THRESHOLD = "below_threshold"  # a candidate for codebook revision
ALL_CODES = "(all codes)"
REVIEW_AGREEMENT = pa.schema(
    [
        (WAVE, pa.string()),
        (CODE_ID, pa.string()),
        (LABEL, pa.string()),
        (COMPARISON, pa.string()),
        (RATERS, pa.string()),
        (ITEMS, pa.int64()),
        (ACCEPTED, pa.int64()),
        (REJECTED_CODINGS, pa.int64()),
        (ADDED, pa.int64()),
        (PERCENT_AGREEMENT, pa.float64()),
        (KAPPA, pa.float64()),
        (ALPHA, pa.float64()),
        (BELOW_THRESHOLD, pa.bool_()),
    ]
)

# sample_agreement: the machine against a reviewer on passages drawn at random and read whole.
# A decision made in a sample workbook carries this at the head of its log row's ``detail``.
SAMPLE_MARK = "random sample"
PASSAGES = "passages"  # sampled passages read whole
BY_MACHINE = "by_machine"  # of them, coded with the code by the machine
BY_REVIEWER = "by_reviewer"  # ... by the reviewer (accepted or added)
BY_BOTH = "by_both"
PRECISION, RECALL, F1 = "precision", "recall", "f1"
F1_LOW, F1_HIGH = "f1_low", "f1_high"  # 95 % bootstrap interval over the passages
SAMPLE_AGREEMENT = pa.schema(
    [(CODE_ID, pa.string()), (LABEL, pa.string()), (PASSAGES, pa.int64()),
     (BY_MACHINE, pa.int64()), (BY_REVIEWER, pa.int64()), (BY_BOTH, pa.int64()),
     (PRECISION, pa.float64()), (RECALL, pa.float64()), (F1, pa.float64()),
     (F1_LOW, pa.float64()), (F1_HIGH, pa.float64()), (KAPPA, pa.float64())]
)

# review_queue: undecided codings in the order a reviewer should look at them.
PRIORITY = "priority"  # 1 = look first
QUEUE_REASON = "queue_reason"
QUEUE_NEEDS_REVIEW = "needs-review"  # the code's measured agreement is below the gate
QUEUE_POOR_AGREEMENT = "poor-agreement"  # reviewers disagreed with the machine on this code
QUEUE_CODERS_DISAGREE = "coders-disagree"  # a trained model and the rules disagree on it
QUEUE_LOW_CONFIDENCE = "low-confidence"
QUEUE_QUALITY_SAMPLE = "quality-sample"  # a random confident coding, to check the rest
QUEUE_RANDOM_PASSAGE = "random-passage"  # a passage drawn at random, coded or not
REVIEW_QUEUE = pa.schema(
    [
        (PRIORITY, pa.int64()),
        (SEGMENT_ID, pa.string()),
        (CODE_ID, pa.string()),
        (QUEUE_REASON, pa.string()),
        (CONFIDENCE, pa.float64()),
        (NEEDS_REVIEW, pa.bool_()),
        (TEXT, pa.string()),
        (EVIDENCE, pa.string()),
    ]
)


# model_shift: a retrained coder beside the wave's own coder, on a sample of the wave's segments.
SAMPLED = "sampled"  # segments of the wave coded by both
BEFORE_SHARE = "before_share"  # share of them the wave's coder gave the code
AFTER_SHARE = "after_share"  # share of them the retrained coder gives it
SHIFTED = "shifted"  # the share at least doubled or halved, by enough to matter
MODEL_SHIFT = pa.schema(
    [
        (WAVE, pa.string()),
        (CODE_ID, pa.string()),
        (LABEL, pa.string()),
        (SAMPLED, pa.int64()),
        (BEFORE_SHARE, pa.float64()),
        (AFTER_SHARE, pa.float64()),
        (SHIFTED, pa.bool_()),
    ]
)


# Columns added after tables were first written: a table built without them gets these values.
COLUMN_DEFAULTS: dict[str, object] = {ROLE: ROLE_RESPONDENT, FILLER: False, FIRST_WAVE: None,
                                      NEW_IN_WAVE: False}


@functools.cache  # once: ingest asks for every attribute of every document
def pipeline_columns() -> frozenset[str]:
    """Every column a table of the pipeline names: respondent attributes may not take them."""
    return frozenset(name for value in globals().values() if isinstance(value, pa.Schema)
                     for name in value.names)


ATTRIBUTE_PREFIX = "attr_"  # put before an attribute named like a pipeline column


def attribute_column(name: str) -> str:
    """The column a respondent attribute is stored in: its name, prefixed if it is taken."""
    return ATTRIBUTE_PREFIX + name if name in pipeline_columns() else name


def empty(schema: pa.Schema) -> pd.DataFrame:
    """An empty DataFrame with the schema's columns and dtypes."""
    return schema.empty_table().to_pandas()


def conform(frame: pd.DataFrame, schema: pa.Schema, *, extra: bool = False) -> pd.DataFrame:
    """Order and type ``frame``'s columns to ``schema``.

    Args:
        frame: a table holding at least the schema's columns.
        schema: the contract to conform to.
        extra: keep columns the schema does not name (attribute columns), after the fixed ones.

    Returns:
        A new DataFrame; raises KeyError naming any missing column.
    """
    missing = [name for name in schema.names if name not in frame.columns]
    if any(name in COLUMN_DEFAULTS for name in missing):
        frame = frame.assign(**{n: COLUMN_DEFAULTS[n] for n in missing if n in COLUMN_DEFAULTS})
        missing = [name for name in missing if name not in COLUMN_DEFAULTS]
    if missing:
        raise KeyError(f"table lacks columns {missing}")
    extras = [c for c in frame.columns if c not in schema.names] if extra else []
    table = pa.Table.from_pandas(frame[schema.names], schema=schema, preserve_index=False)
    out = table.to_pandas()
    for column in extras:
        out[column] = frame[column].astype("string").to_numpy()
    return out


def from_arrow(table: pa.Table, schema: pa.Schema) -> pd.DataFrame:
    """A table :func:`to_arrow` made, as the DataFrame ``conform(frame, schema, extra=True)``.

    What it does not hold of the caller's frame is what conform would have copied it from:
    once the frame has gone, the new values can take the memory the old ones left.
    """
    out = table.select(schema.names).to_pandas()
    for column in table.column_names:
        if column not in schema.names:
            out[column] = table[column].to_pandas().astype("string").to_numpy()
    return out


def to_arrow(frame: pd.DataFrame, schema: pa.Schema) -> pa.Table:
    """Convert a DataFrame holding ``schema``'s columns (plus extras as strings) to Arrow."""
    table = pa.Table.from_pandas(frame[schema.names], schema=schema, preserve_index=False)
    for column in frame.columns:
        if column not in schema.names:
            values = frame[column].astype("string").to_numpy(dtype=object, na_value=None)
            table = table.append_column(column, pa.array(values, type=pa.string()))
    return table
