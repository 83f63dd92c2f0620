"""Speaker labels in transcripts: finding them on a line, and telling who the interviewer is.

Real transcripts write labels many ways: ``Interviewer 1:``, ``Interviewer1 :``, ``interviewer:``,
``Jane Smith:``, ``[00:01:23] Speaker 1:``, ``[Speaker 1]``, Teams' ``Jane Smith   0:03`` on a line
of its own, and the colon-less ``INT``/``R1``/``Q``/``A``. Which label is the interviewer is
taken from wave.yaml when it names one, else inferred (a role name such as interviewer,
moderator, facilitator, Q or INT; else who asks most questions; else who speaks first), and the
evidence is kept for run.json. Pure functions over strings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable

_TIME = r"(?:\d{1,2}:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?"
_STAMP = rf"(?:[\[(]{_TIME}[\])]|{_TIME})"
_NAME = r"[A-Za-z][A-Za-z0-9.'’\-]*(?:[ \t]+[A-Za-z0-9][A-Za-z0-9.'’\-]*){0,3}"
# "[00:01:23] Speaker 1: text", "Interviewer1 : text", "Jane Smith:" (text may follow on the next
# line); the colon must end the label, so "https://" and "10:30" are not labels.
# "Interviewer (JS): text": an aside in brackets after the name (initials, a role) is not
# part of the label, which stays "Interviewer".
_COLON = re.compile(
    rf"^[ \t]*(?:{_STAMP}[ \t]*)?(?:\*\*)?[\[(]?(?P<label>{_NAME})[\])]?"
    rf"(?:[ \t]*\([^():\n]{{1,40}}\))?(?:\*\*)?[ \t]*"
    rf"(?:[\[(]?{_TIME}[\])]?[ \t]*)?:(?:\*\*)?(?:[ \t]+|$)")
# A redacted speaker ("[PERSON_1]: text", see pipeline.redact): the placeholder is the label.
_PLACEHOLDER = re.compile(r"^[ \t]*(?P<label>\[[A-Z]+_\d+\])[ \t]*:(?:[ \t]+|$)")
# "[Speaker 1] text", "[Jane Smith] 10:01:23 text": a bracketed label with no colon.
_BRACKET = re.compile(
    rf"^[ \t]*(?:{_STAMP}[ \t]*)?\[(?P<label>{_NAME})\][ \t]*(?:{_STAMP}[ \t]*)?(?:[-–][ \t]*)?")
# Teams and Zoom exports: "Jane Smith   0:03" alone on a line, the words on the lines below.
_NAME_AND_TIME = re.compile(rf"^[ \t]*(?P<label>{_NAME})[ \t]+{_STAMP}[ \t]*$")
# The colon-less "INT  text" / "R1 - text" form; case-sensitive, trusted only when consistent.
_BARE = re.compile(
    r"^[ \t]*(?P<label>INT|IV|IE|R\d{0,2}|P\d{1,2}|Q|A)(?:[ \t]+|[ \t]*[-–][ \t]*)(?=\S)")
# Lines that carry only timing: WebVTT/SRT cue timings and headers, or a bare timestamp.
TIMING_LINE = re.compile(
    rf"^[ \t]*(?:WEBVTT\b.*|NOTE\b.*|{_STAMP}[ \t]*(?:-->[ \t]*{_STAMP}.*)?)[ \t]*$")

INTERVIEWER_NAMES = re.compile(
    r"^(interviewer|moderator|facilitator|researcher|int|iv|i|q|host|chair|question)\d*$")
RESPONDENT_NAMES = re.compile(
    r"^(interviewee|respondent|participant|a|r|p|resp|ie|answer|client)\d*$")
NEUTRAL_NAMES = re.compile(r"^(speaker|spk|person|voice|unknown|unidentified)\d*$")
_BARE_INTERVIEWER = {"int", "iv", "q"}
MAX_LABEL_CHARS = 32
MIN_BARE_SHARE = 0.25  # colon-less labels must start this share of the non-blank lines


def label_key(label: str) -> str:
    """How labels compare: any case, spaces and dots ignored ("Interviewer1" = "interviewer 1")."""
    return re.sub(r"[\s.'’\-]", "", label.lower())


def _family(key: str) -> str:
    return re.sub(r"\d+$", "", key)


def known_name(key: str) -> bool:
    """Whether ``key`` is a role name (interviewer, participant, speaker 2, Q, A ...)."""
    return bool(INTERVIEWER_NAMES.match(key) or RESPONDENT_NAMES.match(key)
                or NEUTRAL_NAMES.match(key))


@dataclass(frozen=True)
class Head:
    """A labelled line: where the line starts, where its words begin, the label as written."""

    line_start: int  # first character of the label (after indentation)
    text_start: int  # first character of what was said
    label: str
    bare: bool = False

    @property
    def key(self) -> str:
        """The label's comparison key."""
        return label_key(self.label)


def label_at(line: str) -> tuple[str, int, int, bool] | None:
    """The label on ``line``: (label, where it starts, where the words start, colon-less?)."""
    for pattern, bare in ((_PLACEHOLDER, False), (_COLON, False), (_BRACKET, False),
                          (_NAME_AND_TIME, False), (_BARE, True)):
        match = pattern.match(line)
        if not match:
            continue
        label = " ".join(match.group("label").split())
        if len(label) > MAX_LABEL_CHARS:
            continue
        end = match.end()
        while end < len(line) and line[end] in " \t":
            end += 1
        indent = len(line) - len(line.lstrip(" \t"))
        return label, indent, end, bare
    return None


def find_heads(text: str, configured: Iterable[str] = ()) -> list[Head]:
    """The lines of ``text`` that open a speaker's turn, after discarding chance matches.

    A label counts if it is used at least twice, is a role name, or is named in wave.yaml
    ("Note: ..." once is prose). Colon-less labels count only when the transcript uses them
    consistently: an interviewer and a respondent label, on a quarter of the lines at least, so
    a sentence starting "A little ..." is not speaker A.
    """
    named = {label_key(c) for c in configured}
    heads: list[Head] = []
    offset, lines = 0, 0
    for line in text.split("\n"):
        if line.strip():
            lines += 1
        found = label_at(line)
        if found:
            label, start, words, bare = found
            heads.append(Head(offset + start, offset + words, label, bare))
        offset += len(line) + 1
    counts: dict[str, int] = {}
    for head in heads:
        counts[head.key] = counts.get(head.key, 0) + 1
    colon = [h for h in heads if not h.bare and (
        counts[h.key] > 1 or known_name(h.key) or h.key in named or _family(h.key) in named)]
    bare = [h for h in heads if h.bare]
    bare_keys = {h.key for h in bare}
    consistent = (bare_keys & _BARE_INTERVIEWER and bare_keys - _BARE_INTERVIEWER
                  and len(bare) >= MIN_BARE_SHARE * max(lines, 1))
    keep = sorted(colon + (bare if consistent else []), key=lambda h: h.line_start)
    # "A lot of ..." straight after A's own line is A still talking, not A's label again.
    keep = [h for i, h in enumerate(keep) if not (h.bare and i and keep[i - 1].key == h.key)]
    if not any(known_name(h.key) or h.key in named for h in keep) \
            and len({h.key for h in keep}) < 2:
        return []  # one unknown word before colons is a list, not a conversation
    return keep


_CAST_VALUE = re.compile(r"[^(,;–]+")  # "CE13 (chief executive)" names CE13


def cast_list(text: str, heads: list[Head]) -> tuple[list[str], list[str], list[str]]:
    """The transcript's cast list, if it opens with one: "Interviewer: JS", "Participant: CE13".

    A line is a cast line when its label names a role (interviewer, participant ...) and its
    words name a label that speaks later; the role's label must be used only so. Read as turns,
    such lines made "JS" a respondent and "CE13 (chief executive)" words CE13 said.

    Returns:
        The labels the cast names as interviewers, as respondents, and the cast lines' own
        role labels (whose lines are then the transcript's front matter, role ``other``).
    """
    def named(head: Head) -> str:
        line_end = text.find("\n", head.text_start)
        words = text[head.text_start:line_end if line_end >= 0 else len(text)]
        value = _CAST_VALUE.match(words.strip())
        return value.group(0).strip() if value else ""

    last = {h.key: h.line_start for h in heads}  # where each label last speaks
    interviewers, respondents, roles = [], [], []
    for key in dict.fromkeys(h.key for h in heads):
        role = "i" if INTERVIEWER_NAMES.match(key) else "r" if RESPONDENT_NAMES.match(key) else ""
        own = [h for h in heads if h.key == key]
        if not role or len(key) < 2:  # "Q: JS?" is a question, not a cast line
            continue
        values = [named(h) for h in own]
        speaks_later = all(v and last.get(label_key(v), -1) > h.line_start
                           for h, v in zip(own, values, strict=True))
        if speaks_later:
            (interviewers if role == "i" else respondents).extend(values)
            roles.append(own[0].label)
    return interviewers, respondents, roles


@dataclass
class Roles:
    """Which labels are the interviewer, respondents or others, and why (for run.json)."""

    interviewer: set[str] = field(default_factory=set)  # label keys
    other: set[str] = field(default_factory=set)
    evidence: dict[str, object] = field(default_factory=dict)

    def role_of(self, key: str) -> str:
        """The role of a label key: interviewer, other or respondent."""
        if key in self.interviewer:
            return "interviewer"
        return "other" if key in self.other else "respondent"


def _matches(key: str, keys: set[str]) -> bool:
    return key in keys or _family(key) in keys


def infer_roles(
    heads: list[Head], questions: dict[str, int], *, interviewer: Iterable[str] = (),
    respondent: Iterable[str] = (), other: Iterable[str] = (), cast: Iterable[str] = ()
) -> Roles:
    """Decide the interviewer among the labels of one transcript.

    Args:
        heads: the transcript's labelled lines, in order.
        questions: per label key, how many of its turns ask a question.
        interviewer: interviewer labels named in wave.yaml (any case; "Interviewer" also covers
            "Interviewer 1").
        respondent: respondent labels named in wave.yaml.
        other: labels of other voices (notes, observers) named in wave.yaml.
        cast: interviewer labels the transcript's own cast list names (:func:`cast_list`).
    """
    said = {h.key: h.label for h in reversed(heads)}  # first spelling of each label
    keys = list(dict.fromkeys(h.key for h in heads))
    set_i, set_r, set_o = ({label_key(x) for x in group} for group in (interviewer, respondent,
                                                                       other))
    roles = Roles(other={k for k in keys if _matches(k, set_o)})
    asked = {said[k]: questions.get(k, 0) for k in keys}
    first = said[keys[0]] if keys else None
    configured = [k for k in keys if _matches(k, set_i)]
    in_cast = [k for k in keys if k in {label_key(x) for x in cast}]
    by_name = [k for k in keys if INTERVIEWER_NAMES.match(k) and not _matches(k, set_r)]
    if configured:
        chosen, how = configured, "named in wave.yaml"
    elif in_cast:
        chosen, how = in_cast, "named in the transcript's cast list"
    elif by_name:
        chosen, how = by_name, "label names the role"
    else:
        candidates = [k for k in keys if not _matches(k, set_r | set_o)
                      and not RESPONDENT_NAMES.match(k)]
        chosen, how = [], "no label could be the interviewer"
        if len(keys) > 1 and candidates:
            best = max(candidates, key=lambda k: (questions.get(k, 0), -keys.index(k)))
            chosen = [best]
            how = ("asks the most questions" if questions.get(best, 0) else "speaks first")
    roles.interviewer = set(chosen)
    roles.evidence = {"interviewer": [said[k] for k in chosen], "how": how,
                      "questions_asked": asked, "first_speaker": first}
    return roles
