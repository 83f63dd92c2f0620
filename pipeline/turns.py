"""Speaker turns of an interview transcript, with offsets into its text, and nothing dropped.

Four forms are recognised:

- **labelled**: several speakers carry labels (``pipeline.speakers``); unlabelled lines continue
  the previous speaker; text before the first label is front matter (role ``other``).
- **interviewer only**: only the interviewer is labelled (``MODERATOR:`` in a hand-made
  think-aloud transcript): each labelled line is the interviewer's, the unlabelled lines are the
  respondent's; numbered lines from the interview guide ("1.a Was the ... ?") are the
  interviewer's prompts. Whole-line notes in brackets ("(The participant reads the page)")
  observe the participant, so they are the respondent's too (think-aloud studies code them),
  each its own turn.
- **questions**: no labels; the questions are paragraphs ending in '?' or short paragraphs of up
  to three sentences with one ending in '?' (a statement, the question, more); paragraphs before
  the first question are front matter (a title, a standfirst) or, when long, an answer.
- **none**: the whole text is one respondent turn.

Every character of the text is a turn's words, a label or timestamp, or layout whitespace:
:meth:`Transcript.accounting` counts them and the counts add up to the text's length.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable, Literal

from pipeline.speakers import TIMING_LINE, Roles, cast_list, find_heads, infer_roles

Role = Literal["interviewer", "respondent", "other"]
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")
_SENTENCE_END = re.compile(r"(?<=[.?!…])[\"'”’)]*\s+")
_TERMINAL = tuple(".?!…\"'”’)")
# A numbered line of an interview guide: "3 Submit ...", "1.a Was ...?", "c.i Data lineage".
_GUIDE_PROMPT = re.compile(
    r"^[ \t]*(?:\d{1,2}(?:\.[a-z0-9]{1,4})*|[a-z](?:\.[ivx]{1,4})+)[.)]?[ \t]+(?=[A-Z‘'\"“(])")
_NOTE_LINE = re.compile(r"^[ \t]*[(\[][^()\[\]]*[)\]][ \t]*$")
MAX_QUESTION_CHARS = 300  # a one-paragraph question ending in '?'
MAX_LONG_QUESTION_CHARS = 450  # a question of two or three sentences
MAX_FRONT_MATTER_CHARS = 300  # a title or standfirst before the first question
MAX_TITLE_CHARS = 80
DEFAULT_RESPONDENT = "respondent"
DEFAULT_INTERVIEWER = "interviewer"
UNLABELLED = ""


@dataclass(frozen=True)
class Turn:
    """One turn: ``text[start:end]`` is what was said, without its label."""

    start: int
    end: int
    speaker: str
    role: Role


@dataclass
class Transcript:
    """The turns of one transcript, its form, and who the interviewer is and why."""

    text: str
    turns: list[Turn]
    form: str  # labelled | interviewer-only | questions | none
    evidence: dict[str, object] = field(default_factory=dict)
    labels: list[tuple[int, int]] = field(default_factory=list)  # removed labels and timings

    def accounting(self) -> dict[str, int]:
        """Characters by where they went: each role's turns, labels/timestamps, layout.

        ``respondent + interviewer + other + labels + layout == length``; ``dropped`` counts
        any non-space character outside all of these and is 0 unless there is a bug.
        """
        owner = [""] * len(self.text)
        for start, end in self.labels:
            owner[start:end] = ["labels"] * (end - start)
        for turn in self.turns:
            owner[turn.start:turn.end] = [turn.role] * (turn.end - turn.start)
        counts = {"respondent": 0, "interviewer": 0, "other": 0, "labels": 0, "layout": 0,
                  "dropped": 0}
        for char, who in zip(self.text, owner, strict=True):
            if who:
                counts[who] += 1
            else:
                counts["layout" if char.isspace() else "dropped"] += 1
        counts["length"] = len(self.text)
        return counts


@dataclass
class _Piece:
    start: int  # where the words begin
    end: int
    speaker: str
    role: Role
    new_turn: bool = False


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _lines(text: str) -> list[tuple[int, int]]:
    spans, offset = [], 0
    for line in text.split("\n"):
        spans.append((offset, offset + len(line)))
        offset += len(line) + 1
    return spans


def paragraph_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Offsets of the paragraphs (separated by blank lines) within ``text[start:end]``."""
    end = len(text) if end is None else end
    spans, cursor = [], start
    for match in _PARAGRAPH_BREAK.finditer(text, start, end):
        spans.append(_trim(text, cursor, match.start()))
        cursor = match.end()
    spans.append(_trim(text, cursor, end))
    return [(s, e) for s, e in spans if e > s]


def _merge(text: str, pieces: list[_Piece]) -> list[Turn]:
    """Join consecutive pieces of one speaker into turns; a new label starts a new turn."""
    turns: list[Turn] = []
    for piece in pieces:
        start, end = _trim(text, piece.start, piece.end)
        if end <= start:
            continue
        last = turns[-1] if turns else None
        if last and not piece.new_turn and (last.speaker, last.role) == (piece.speaker,
                                                                          piece.role):
            turns[-1] = Turn(last.start, end, last.speaker, last.role)
        else:
            turns.append(Turn(start, end, piece.speaker, piece.role))
    return turns


def _labelled(text: str, heads: list, roles: Roles, one_label: bool) -> tuple[list[_Piece], list]:
    """Pieces of a labelled transcript, and the label spans removed."""
    by_start = {h.line_start: h for h in heads}
    lines = _lines(text)
    guide = one_label and sum(bool(_GUIDE_PROMPT.match(text[a:b])) for a, b in lines) >= 2
    pieces: list[_Piece] = []
    labels: list[tuple[int, int]] = []
    speaker, role = UNLABELLED, "other"
    pending, seen_speech = False, False  # a label alone on its line: the words follow
    broken = False  # a timing line between two lines of one speaker still splits the turn
    for a, b in lines:
        line = text[a:b]
        indent = len(line) - len(line.lstrip(" \t"))
        head = by_start.get(a + indent)
        if head is not None:
            labels.append((head.line_start, head.text_start))
            speaker, role = head.label, roles.role_of(head.key)  # type: ignore[assignment]
            seen_speech = True
            pending = head.text_start >= b
            if not pending:
                pieces.append(_Piece(head.text_start, b, speaker, role, new_turn=True))
            continue
        if not line.strip():
            continue
        if TIMING_LINE.match(line):
            labels.append(_trim(text, a, b))
            broken = True
            continue
        if one_label and not pending:
            speaker, role, new = _unlabelled_line(line, seen_speech, guide)
            seen_speech = seen_speech or role != "other"
            pieces.append(_Piece(a, b, speaker, role, new_turn=new or broken))
        elif not seen_speech:
            pieces.append(_Piece(a, b, UNLABELLED, "other", new_turn=broken))  # title, date
        else:
            pieces.append(_Piece(a, b, speaker, role, new_turn=pending or broken))
            pending = False
        broken = False
    return pieces, labels


def _unlabelled_line(line: str, seen_speech: bool, guide: bool) -> tuple[str, Role, bool]:
    """Speaker, role and new-turn flag of an unlabelled line (only the interviewer labelled)."""
    stripped = line.strip()
    if guide and _GUIDE_PROMPT.match(line):
        return UNLABELLED, "interviewer", True
    if _NOTE_LINE.match(line):
        return UNLABELLED, "respondent", True
    if not seen_speech and len(stripped) <= MAX_TITLE_CHARS and not stripped.endswith(_TERMINAL):
        return UNLABELLED, "other", False
    return UNLABELLED, "respondent", False


def is_guide_prompt(turn: Turn, text: str) -> bool:
    """Whether ``turn`` is a numbered prompt of the interview guide ("3.b Are the ... ?").

    Only unlabelled interviewer turns are: what is read from the guide, not said by a speaker.
    """
    return (turn.role == "interviewer" and turn.speaker == UNLABELLED
            and bool(_GUIDE_PROMPT.match(text[turn.start:turn.end])))


def is_question(paragraph: str, after_question: bool = False) -> bool:
    """Whether a paragraph asks a question.

    Short and ending in '?', or two or three short sentences with one ending in '?' (not
    straight after another question, where it is an answer).
    """
    paragraph = paragraph.strip()
    if paragraph.endswith("?") and len(paragraph) <= MAX_QUESTION_CHARS:
        return True
    if after_question or "?" not in paragraph or len(paragraph) > MAX_LONG_QUESTION_CHARS:
        return False
    sentences = [s for s in _SENTENCE_END.split(paragraph) if s.strip()]
    return 2 <= len(sentences) <= 3 and any(s.rstrip("\"'”’)").endswith("?") for s in sentences)


def _questions(text: str) -> list[_Piece]:
    """Pieces of an unlabelled Q&A: questions are the interviewer's, the rest answers."""
    units = paragraph_spans(text)
    if len(units) == 1 and text.count("\n") >= 3:
        units = [s for a, b in _lines(text) if (s := _trim(text, a, b))[1] > s[0]]
    pieces: list[_Piece] = []
    asked = False
    for index, (start, end) in enumerate(units):
        unit = text[start:end]
        previous = pieces[-1].role if pieces else None
        if is_question(unit, after_question=previous == "interviewer"):
            pieces.append(_Piece(start, end, DEFAULT_INTERVIEWER, "interviewer", new_turn=True))
            asked = True
        elif not asked and (index < 2 and len(unit) <= MAX_FRONT_MATTER_CHARS
                            or not unit.rstrip().endswith(_TERMINAL)):
            pieces.append(_Piece(start, end, UNLABELLED, "other", new_turn=True))
        else:
            pieces.append(_Piece(start, end, DEFAULT_RESPONDENT, "respondent"))
    return pieces


def _question_counts(text: str, heads: list) -> dict[str, int]:
    counts: dict[str, int] = {}
    for index, head in enumerate(heads):
        stop = heads[index + 1].line_start if index + 1 < len(heads) else len(text)
        if "?" in text[head.text_start:stop]:
            counts[head.key] = counts.get(head.key, 0) + 1
    return counts


def parse_transcript(
    text: str, interviewer_labels: Iterable[str] = (), *, respondent_labels: Iterable[str] = (),
    other_labels: Iterable[str] = ()
) -> Transcript:
    """The turns of ``text``, its form and the evidence for who the interviewer is.

    Args:
        text: the transcript.
        interviewer_labels: interviewer labels named in wave.yaml; without them the
            interviewer is inferred.
        respondent_labels: respondent labels named in wave.yaml.
        other_labels: labels of other voices (notes, observers) named in wave.yaml.
    """
    interviewer_labels, respondent_labels = list(interviewer_labels), list(respondent_labels)
    other_labels = list(other_labels)
    heads = find_heads(text, interviewer_labels + respondent_labels + other_labels)
    cast, cast_respondents, cast_roles = cast_list(text, heads)
    if heads:
        roles = infer_roles(heads, _question_counts(text, heads), interviewer=interviewer_labels,
                            respondent=respondent_labels + cast_respondents,
                            other=other_labels + cast_roles, cast=cast)
        one_label = all(roles.role_of(h.key) == "interviewer" for h in heads)
        pieces, labels = _labelled(text, heads, roles, one_label)
        turns = _merge(text, pieces)
        if any(t.role == "respondent" for t in turns) or not one_label:
            form = "interviewer-only" if one_label else "labelled"
            return Transcript(text, turns, form, roles.evidence, labels)
    pieces = _questions(text)
    if any(p.role == "interviewer" for p in pieces):
        evidence = {"interviewer": [DEFAULT_INTERVIEWER], "how": "unlabelled questions"}
        return Transcript(text, _merge(text, pieces), "questions", evidence)
    start, end = _trim(text, 0, len(text))
    turns = [Turn(start, end, DEFAULT_RESPONDENT, "respondent")] if end > start else []
    return Transcript(text, turns, "none", {"interviewer": [], "how": "no speakers found"})


def parse_turns(text: str, interviewer_labels: Iterable[str] = (), **labels: Iterable[str]
                ) -> list[Turn]:
    """Speaker turns of ``text`` in document order (see :func:`parse_transcript`)."""
    return parse_transcript(text, interviewer_labels, **labels).turns


def transcript_form(text: str, interviewer_labels: Iterable[str] = ()) -> str:
    """Describe how ``text`` marks speakers: 'labelled', 'questions' or 'none'."""
    form = parse_transcript(text, interviewer_labels).form
    return "labelled" if form == "interviewer-only" else form
