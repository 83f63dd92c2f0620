"""Typed configuration: the wave manifest and the codebook, read from YAML once and validated.

Everything below this module takes these objects, never raw dicts. A bad file raises
:class:`ConfigError`, whose message names the file and the field that is wrong.
"""

from __future__ import annotations

import codecs
import datetime as dt
import hashlib
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Annotated, Any, Iterator, Literal

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationError,
    field_validator,
    model_validator,
)

from pipeline.errors import ConfigError
from pipeline.untrusted import regex_risk

CODE_ID_PATTERN = r"^[a-z][a-z0-9_]*$"
WAVE_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"  # a wave id names folders and database rows
# The project's own data (codebooks, stance cues) sit beside the package, so the default
# codebook is found wherever the command is run from, not only from the project folder.
PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CODEBOOK = PROJECT_ROOT / "models" / "codebooks" / "recovery-capital.yaml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --------------------------------------------------------------------------- wave manifest


class Question(_Strict):
    """One open question of a survey: its id, the column holding answers, and its wording."""

    id: str = Field(pattern=CODE_ID_PATTERN)
    column: str
    text: str = ""


ROW_ID = "(row)"  # respondent_id meaning "no id column: number respondents by their line"


def _inside_the_wave(file: str) -> str:
    """A source's ``file``: relative to the wave folder and staying in it."""
    if PurePosixPath(file).is_absolute() or PureWindowsPath(file).is_absolute() \
            or PureWindowsPath(file).drive:
        raise ValueError(f"'{file}' is an absolute path; give it relative to the wave folder")
    if ".." in PureWindowsPath(file).parts:
        raise ValueError(f"'{file}' uses '..' to leave the wave folder; files must be inside it")
    return file


WaveFile = Annotated[str, AfterValidator(_inside_the_wave)]


class SurveySource(_Strict):
    """A survey export (.csv, .tsv or .xlsx): one row per respondent, open questions as columns.

    ``header_rows`` is how many rows of header the file has: column names first, then the
    question wording (Qualtrics, SurveyMonkey and the form tools are recognised without it);
    ``skip_rows`` lists 1-based lines that are neither header nor answers (a title row, a test
    submission). ``respondent_id: "(row)"`` numbers respondents by line.

    A *long* file has a row per answer instead: ``question_column`` names the column saying
    which question the row answers and ``answer_column`` the one holding the answer; each
    question's ``column`` is then the value that marks its rows.
    """

    kind: Literal["survey"] = "survey"
    file: WaveFile
    sheet: str | int | None = None
    respondent_id: str
    questions: list[Question] = Field(min_length=1)
    attributes: list[str] = []
    header_rows: int | None = Field(default=None, ge=1, le=20)
    skip_rows: list[Annotated[int, Field(ge=1)]] = []
    question_column: str | None = None
    answer_column: str | None = None

    @model_validator(mode="after")
    def _long_needs_both_columns(self) -> "SurveySource":
        if (self.question_column is None) != (self.answer_column is None):
            raise ValueError("a long file (a row per answer) needs both question_column and "
                             "answer_column")
        if self.question_column is not None and self.respondent_id == ROW_ID:
            raise ValueError(f'a long file needs a respondent_id column, not "{ROW_ID}": its '
                             "rows are answers, not respondents")
        return self

    @property
    def long(self) -> bool:
        """Whether the file has a row per answer (``question_column`` and ``answer_column``)."""
        return self.answer_column is not None

    @field_validator("questions")
    @classmethod
    def _unique_question_ids(cls, questions: list[Question]) -> list[Question]:
        ids = [q.id for q in questions]
        duplicated = sorted({i for i in ids if ids.count(i) > 1})
        if duplicated:
            raise ValueError(f"question ids repeated: {', '.join(duplicated)}")
        # two questions reading one column (or one long file's value) would count each answer
        # twice, under two ids
        columns = [q.column.strip() for q in questions]
        shared = sorted({c for c in columns if columns.count(c) > 1})
        if shared:
            raise ValueError(f"question columns repeated: {', '.join(shared)} (each question "
                             "reads its own column)")
        return questions


class SpeakerLabels(_Strict):
    """Which transcript labels are the interviewer, respondents or others (notes, observers).

    Labels are matched in any case, ignoring spaces and dots; "Interviewer" also covers
    "Interviewer 1". Left empty, the interviewer is inferred per transcript (a role name such as
    interviewer/moderator/Q/INT, else who asks most questions, else who speaks first).
    """

    interviewer: list[str] = []
    respondent: list[str] = []
    other: list[str] = []


class TranscriptSource(_Strict):
    """An interview transcript or a plain document (.txt or .docx): one respondent per file.

    ``file`` may be a glob (``interviews/*.txt``); each matching file is one respondent whose id
    is the file stem unless ``respondent_id`` is given (only allowed for a single file).
    """

    kind: Literal["interview", "document"] = "interview"
    file: WaveFile
    respondent_id: str | None = None
    attributes: dict[str, str] = {}
    speakers: SpeakerLabels = SpeakerLabels()


Source = SurveySource | TranscriptSource
_SOURCE_TAGS = ("survey", "transcript")


def _source_tag(value: Any) -> str:
    # Pick the model by the explicit `kind`, so errors speak of the right fields.
    kind = value.get("kind", "survey") if isinstance(value, dict) else getattr(value, "kind", "")
    return "survey" if kind == "survey" else "transcript"


SourceEntry = Annotated[
    Annotated[SurveySource, Tag("survey")] | Annotated[TranscriptSource, Tag("transcript")],
    Discriminator(_source_tag),
]


class Fieldwork(_Strict):
    """Fieldwork dates of a wave."""

    start: dt.date | None = None
    end: dt.date | None = None

    @model_validator(mode="after")
    def _ordered(self) -> "Fieldwork":
        if self.start and self.end and self.end < self.start:
            raise ValueError("fieldwork end is before its start")
        return self


class Redaction(_Strict):
    """``redact:`` in wave.yaml: pseudonymise the wave before anything is written.

    ``redact: true`` is short for ``redact: {enabled: true}``. ``keep``: words never taken for
    names (the wave's local services); ``columns``: attribute columns holding free text.
    """

    enabled: bool = True
    keep: list[str] = []
    columns: list[str] = []

    @model_validator(mode="before")
    @classmethod
    def _from_bool(cls, value: Any) -> Any:
        return {"enabled": value} if isinstance(value, bool) else value


class WaveManifest(_Strict):
    """A wave: its id, title, fieldwork dates and sources (``wave.yaml``)."""

    id: str = Field(pattern=WAVE_ID_PATTERN)
    title: str = ""
    fieldwork: Fieldwork = Fieldwork()
    sources: list[SourceEntry] = Field(min_length=1)
    redact: Redaction = Redaction(enabled=False)
    # The waves of one project share a kept topic model (stable topic ids across waves);
    # default: the id without its trailing year (pipeline.topic_store.project_of).
    project: str | None = Field(None, pattern=WAVE_ID_PATTERN)


# --------------------------------------------------------------------------- codebook


class Pattern(_Strict):
    """One rule for a code: a phrase (matched on lower-case or lemma forms) or a token pattern.

    A bare string in YAML is a lower-case phrase. ``tokens`` is a spaCy ``Matcher`` pattern.
    """

    id: str | None = None
    phrase: str | None = None
    tokens: list[dict[str, Any]] | None = None
    attr: Literal["LOWER", "LEMMA"] = "LOWER"
    confidence: float = Field(default=0.8, gt=0, le=1)

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, value: Any) -> Any:
        return {"phrase": value} if isinstance(value, str) else value

    @model_validator(mode="after")
    def _one_kind(self) -> "Pattern":
        if (self.phrase is None) == (self.tokens is None):
            raise ValueError("a pattern needs exactly one of 'phrase' or 'tokens'")
        if self.phrase is not None and not self.phrase.strip():
            raise ValueError("a phrase pattern is empty")
        return self


class Code(_Strict):
    """A codebook entry, written so a human coder could apply it; may have child codes."""

    id: str = Field(pattern=CODE_ID_PATTERN)
    label: str
    definition: str
    when_to_use: str = ""
    when_not_to_use: str = ""
    examples: list[str] = []
    patterns: list[Pattern] = []
    # The colour a QDA package shows the code in (REFI-QDA's RGB form), kept through import/export.
    colour: str | None = Field(default=None, pattern=r"^#([0-9A-Fa-f]{6}|[0-9A-Fa-f]{3})$")
    children: list["Code"] = []


class Codebook(_Strict):
    """A hierarchical codebook: the data the rule coder is compiled from."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    version: str
    title: str = ""
    description: str = ""
    codes: list[Code] = Field(min_length=1)
    # Stance cue file for this codebook's domain (a path relative to the codebook); without it
    # the codings get no stance, since cues written for one domain misread another.
    stance_cues: str | None = None
    sha256: str = ""  # filled in by load_codebook: the hash of the file it came from

    @model_validator(mode="after")
    def _unique_ids(self) -> "Codebook":
        seen: set[str] = set()
        for code, _parent in self.walk():
            if code.id in seen:
                raise ValueError(f"code id '{code.id}' is used more than once")
            seen.add(code.id)
        return self

    def walk(self) -> Iterator[tuple[Code, str | None]]:
        """Yield every code with its parent's id (None at the top), parents before children."""

        def visit(codes: list[Code], parent: str | None) -> Iterator[tuple[Code, str | None]]:
            for code in codes:
                yield code, parent
                yield from visit(code.children, code.id)

        yield from visit(self.codes, None)

    def code_ids(self) -> list[str]:
        """All code ids in codebook order (parents before their children)."""
        return [code.id for code, _ in self.walk()]

    def parents(self) -> dict[str, str | None]:
        """Map each code id to its parent's id."""
        return {code.id: parent for code, parent in self.walk()}

    def ancestors(self, code_id: str) -> list[str]:
        """The chain of parent ids above ``code_id``, nearest first."""
        parents = self.parents()
        chain, current = [], parents[code_id]
        while current is not None:
            chain.append(current)
            current = parents[current]
        return chain

    def labels(self) -> dict[str, str]:
        """Map each code id to its label."""
        return {code.id: code.label for code, _ in self.walk()}


# --------------------------------------------------------------------------- loading


def _format_location(loc: tuple[Any, ...], data: Any) -> str:
    """Render a pydantic error location, naming code ids where the path passes through one."""
    parts: list[str] = []
    node = data
    for step in loc:
        if isinstance(step, int):
            parts[-1:] = [f"{parts[-1]}[{step}]"] if parts else [f"[{step}]"]
            node = node[step] if isinstance(node, list) and step < len(node) else None
            if isinstance(node, dict) and "id" in node and isinstance(node["id"], str):
                parts[-1] += f" (id '{node['id']}')"
        elif step in _SOURCE_TAGS and not (isinstance(node, dict) and step in node):
            continue  # the union member pydantic tried; the path reads better without it
        else:
            parts.append(str(step))
            node = node.get(step) if isinstance(node, dict) else None
    return ".".join(parts) or "(top level)"


def yaml_text(path: Path) -> str:
    """A YAML file's text, as editors save it: UTF-8 (with or without a BOM) or BOM'd UTF-16.

    Other bytes raise ConfigError naming the file and line: a codebook's patterns are matched
    character for character, so its encoding is not guessed at.
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: file not found") from exc
    try:
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return data.decode("utf-16")
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ConfigError(f"{path}: line {line} is not UTF-8 text (byte {exc.start}); save the "
                          "file as UTF-8") from None


def read_yaml(path: Path) -> Any:
    """Parse a YAML file, raising ConfigError naming the file and line on a syntax error."""
    try:
        return yaml.safe_load(yaml_text(path))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        raise ConfigError(f"{path}:{where} is not valid YAML: {exc}") from exc


def _validate(model: type[BaseModel], data: Any, path: Path) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = [
            f"  {_format_location(tuple(err['loc']), data)}: {err['msg']}"
            for err in exc.errors()
        ]
        raise ConfigError(f"{path}: invalid {model.__name__}:\n" + "\n".join(problems)) from None


def load_wave_manifest(path: Path) -> WaveManifest:
    """Read and validate a ``wave.yaml``."""
    return _validate(WaveManifest, read_yaml(path), path)


def token_pattern_problems(tokens: list[dict[str, Any]]) -> list[str]:
    """SpaCy's objections to a Matcher token pattern; [] when it is valid.

    Each names its bracketed key: ``[pattern -> 0 -> LOWRE] Extra inputs are not permitted``.
    """
    from spacy.schemas import validate_token_pattern  # spaCy only when there are token patterns

    return [str(problem) for problem in validate_token_pattern(tokens)]


def _regexes(value: Any) -> Iterator[str]:
    """Every ``REGEX`` string anywhere in a token pattern."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "REGEX" and isinstance(item, str):
                yield item
            else:
                yield from _regexes(item)
    elif isinstance(value, list):
        for item in value:
            yield from _regexes(item)


def _check_token_patterns(codebook: Codebook, path: Path) -> None:
    problems = []
    for code, _parent in codebook.walk():
        for number, pattern in enumerate(code.patterns):
            if pattern.tokens is not None:
                problems += [f"  code '{code.id}' patterns[{number}].tokens: {problem}"
                             for problem in token_pattern_problems(pattern.tokens)]
                problems += [f"  code '{code.id}' patterns[{number}].tokens: REGEX "
                             f"'{regex}': {why}" for regex in _regexes(pattern.tokens)
                             if (why := regex_risk(regex)) is not None]
    if problems:
        raise ConfigError(f"{path}: invalid Codebook token pattern:\n" + "\n".join(problems))


def load_codebook(path: Path, *, stance_cues: Path | None = None) -> Codebook:
    """Read and validate a codebook YAML; the returned codebook carries the file's sha256.

    Token patterns are checked here, so a bad one is a ConfigError naming the file, the code,
    the pattern and spaCy's bracketed key, before any stage runs. The stance cue file the
    codebook declares is found beside it, or is ``stance_cues`` when given (a copy of the
    codebook kept with a wave's outputs).
    """
    data = read_yaml(path)
    codebook = _validate(Codebook, data, path)
    _check_token_patterns(codebook, path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    update: dict[str, Any] = {"sha256": digest}
    if codebook.stance_cues:
        cues = stance_cues or (path.parent / codebook.stance_cues).resolve()
        if not cues.is_file():
            raise ConfigError(f"{path}: stance_cues: file not found: {codebook.stance_cues}")
        update["stance_cues"] = str(cues)
    return codebook.model_copy(update=update)
