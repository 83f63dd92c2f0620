"""Finding speaker turns in an interview transcript, with offsets into its text.

Handles the forms transcripts arrive in: labelled turns (``Q:``/``A:``, ``Interviewer:``/``Jane:``,
``INT``/``R1``) and unlabelled Q&A where the interviewer's questions are short paragraphs ending
in ``?``. Pure functions over a string; nothing here reads files.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Literal

Role = Literal["interviewer", "respondent", "preamble"]

# "Label: text" with a short label, or the colon-less "INT  text" / "R1 text" form.
# A redacted transcript's speaker may be a placeholder ("[PERSON_1]: ..."), see pipeline.redact.
_LABEL_COLON = re.compile(
    r"^[ \t]*(?P<label>\[[A-Z_]+_\d+\]|[A-Z][A-Za-z0-9.'\- ]{0,23}?)[ \t]*:[ \t]*(?=\S)")
_LABEL_BARE = re.compile(r"^[ \t]*(?P<label>INT|IV|R\d{1,2}|Q|A)(?:[ \t]+|[ \t]*[-–][ \t]*)(?=\S)")
_RESPONDENT_LABEL = re.compile(r"^(A|R\d{0,2}|P\d{1,2}|Respondent|Interviewee)$", re.IGNORECASE)
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")
MAX_QUESTION_CHARS = 300
DEFAULT_RESPONDENT = "respondent"
DEFAULT_INTERVIEWER = "interviewer"


@dataclass(frozen=True)
class Turn:
    """One speaker turn: ``text[start:end]`` is what was said, without the speaker label."""

    start: int
    end: int
    speaker: str
    role: Role


def _label_at(line: str) -> tuple[str, int] | None:
    """The speaker label at the start of ``line`` and where its text begins, if any."""
    for pattern in (_LABEL_COLON, _LABEL_BARE):
        match = pattern.match(line)
        if match and len(match.group("label").split()) <= 3:
            return match.group("label").strip(), match.end()
    return None


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def labelled_turns(text: str, interviewer_labels: Iterable[str]) -> list[Turn]:
    """Turns of a transcript whose lines start with speaker labels; [] if it has none.

    A transcript counts as labelled when at least two lines carry a label and at least one of
    them is an interviewer label. Lines without a label continue the previous turn; text before
    the first label is a preamble (title, date), kept as its own turn.
    """
    interviewers = {label.lower() for label in interviewer_labels}
    heads: list[tuple[int, int, str]] = []  # line start, text start, label
    offset = 0
    for line in text.split("\n"):
        found = _label_at(line)
        if found:
            heads.append((offset, offset + found[1], found[0]))
        offset += len(line) + 1
    counts: dict[str, int] = {}
    for _, _, label in heads:
        counts[label.lower()] = counts.get(label.lower(), 0) + 1
    # A label seen once ("Note: ...") is more likely prose than a speaker, unless it is known.
    heads = [h for h in heads if counts[h[2].lower()] > 1 or h[2].lower() in interviewers
             or _RESPONDENT_LABEL.match(h[2])]
    if len(heads) < 2 or not {label.lower() for _, _, label in heads} & interviewers:
        return []
    turns: list[Turn] = []
    if heads[0][0] > 0:
        start, end = _trim(text, 0, heads[0][0])
        if end > start:
            turns.append(Turn(start, end, "", "preamble"))
    for index, (_, text_start, label) in enumerate(heads):
        stop = heads[index + 1][0] if index + 1 < len(heads) else len(text)
        start, end = _trim(text, text_start, stop)
        role: Role = "interviewer" if label.lower() in interviewers else "respondent"
        if end > start:
            turns.append(Turn(start, end, label, role))
    return turns


def paragraph_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Offsets of the paragraphs (separated by blank lines) within ``text[start:end]``."""
    end = len(text) if end is None else end
    spans, cursor = [], start
    for match in _PARAGRAPH_BREAK.finditer(text, start, end):
        spans.append(_trim(text, cursor, match.start()))
        cursor = match.end()
    spans.append(_trim(text, cursor, end))
    return [(s, e) for s, e in spans if e > s]


def question_answer_turns(text: str) -> list[Turn]:
    """Turns of an unlabelled transcript: short paragraphs ending in '?' are the interviewer's."""
    turns = []
    for start, end in paragraph_spans(text):
        is_question = text[end - 1] == "?" and end - start <= MAX_QUESTION_CHARS
        if is_question:
            turns.append(Turn(start, end, DEFAULT_INTERVIEWER, "interviewer"))
        elif not any(turn.role == "interviewer" for turn in turns):
            # Text before the first question is a title or date line, not an answer.
            turns.append(Turn(start, end, "", "preamble"))
        elif turns and turns[-1].role == "respondent":
            # An answer running over several paragraphs is still one turn.
            turns[-1] = Turn(turns[-1].start, end, DEFAULT_RESPONDENT, "respondent")
        else:
            turns.append(Turn(start, end, DEFAULT_RESPONDENT, "respondent"))
    return turns


def parse_turns(text: str, interviewer_labels: Iterable[str]) -> list[Turn]:
    """Speaker turns of ``text``: labelled if it has labels, else Q&A by questions, else one turn.

    Returns:
        Turns in document order; a text with neither labels nor questions is one respondent turn.
    """
    turns = labelled_turns(text, interviewer_labels)
    if turns:
        return turns
    turns = question_answer_turns(text)
    if any(t.role == "interviewer" for t in turns):
        return turns
    start, end = _trim(text, 0, len(text))
    return [Turn(start, end, DEFAULT_RESPONDENT, "respondent")] if end > start else []


def transcript_form(text: str, interviewer_labels: Iterable[str]) -> str:
    """Describe how ``text`` marks speakers: 'labelled', 'questions' or 'none'."""
    if labelled_turns(text, interviewer_labels):
        return "labelled"
    if any(t.role == "interviewer" for t in question_answer_turns(text)):
        return "questions"
    return "none"
