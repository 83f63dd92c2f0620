"""The ``project.qde`` of a wave's layout: users, codebook, cases, sources and selections.

What a QDA package shows of a project is written out: the reviewer named on the command line
is the first user (QualCoder codes as the first user it finds, so the researcher's coding is not
attributed to the machine); sources have file-safe names with their origin in the description;
sources, selections and codings carry who created them and when (the machine coder, when the
run coded the wave); codes carry their colour (the codebook's, else one from a fixed palette
picked by the code's id); and each survey question is a set of the sources answering it.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence

import pandas as pd
from lxml import etree

from pipeline import schema as s
from pipeline.config import Code, Codebook
from pipeline.errors import InputError
from pipeline.review.qdpx import (
    MachineSelection,
    SourcePlan,
    WaveLayout,
    _code_description,
    _element,
    _text,
    code_guid,
    coding_tag,
    reviewer_user_guid,
    stable_guid,
    user_of,
)

# Colour-blind-safe qualitative colours (Okabe-Ito, then Paul Tol's muted set).
PALETTE = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7",
           "#332288", "#88CCEE", "#44AA99", "#117733", "#999933", "#DDCC77", "#CC6677",
           "#882255", "#AA4499")


def code_colour(code: Code) -> str:
    """The code's colour: the codebook's, else a palette colour fixed by its id.

    Picked by the id, not the position, so a code keeps its colour when others are added.
    """
    if code.colour:
        return code.colour
    digest = hashlib.sha256(code.id.encode("utf-8")).digest()
    return PALETTE[int.from_bytes(digest[:4], "big") % len(PALETTE)]


def _add_codes(parent: etree._Element, codes: list[Code]) -> None:
    for code in codes:
        node = _element(parent, "Code", guid=code_guid(code.id), name=code.label,
                        isCodable="true", color=code_colour(code))
        _element(node, "Description", _code_description(code))
        _add_codes(node, code.children)


def _selection_description(sel: MachineSelection, label: str) -> str:
    confidence = "n/a" if math.isnan(sel.confidence) else f"{sel.confidence:.2f}"
    rule = f"{sel.method} {sel.pattern}".strip()
    return (f"{label}: \"{sel.evidence}\"\n"
            f"confidence {confidence}; negated: {'yes' if sel.negated else 'no'}; "
            f"needs review: {'yes' if sel.needs_review else 'no'}; {rule}; coder {sel.coder}\n"
            + coding_tag(sel.segment_id, sel.code_id))


def _source_description(plan: SourcePlan, wave: str) -> str:
    what = "survey answers" if plan.questions else "transcript"
    return f"Respondent {plan.respondent_id}: {what} from {plan.origin} (wave {wave})"


def _first_values(docs: pd.DataFrame, columns: list[str]) -> dict[str, dict[str, str]]:
    """Each respondent's attribute values (the first non-empty value of each attribute)."""
    values: dict[str, dict[str, str]] = {}
    for doc in docs.to_dict("records"):
        mine = values.setdefault(_text(doc[s.RESPONDENT_ID]), {})
        for column in columns:
            value = _text(doc[column])
            if value and column not in mine:
                mine[column] = value
    return values


def _users(layout: WaveLayout, reviewers: Sequence[str]) -> list[tuple[str, str]]:
    """The project's users, reviewers first: a tool's current coder is its first user."""
    return list(dict.fromkeys([(reviewer_user_guid(name), name) for name in reviewers]
                              + [user_of(c) for c in layout.coders]))


def _add_cases(root: etree._Element, layout: WaveLayout) -> None:
    if layout.attributes:
        variables = _element(root, "Variables")
        for name in layout.attributes:
            _element(variables, "Variable", guid=stable_guid("variable", layout.wave, name),
                     name=name, typeOfVariable="Text")
    values = _first_values(layout.documents, layout.attributes)
    respondents = list(dict.fromkeys(plan.respondent_id for plan in layout.sources))
    if not respondents:
        return
    cases = _element(root, "Cases")
    for respondent in respondents:
        case = _element(cases, "Case", guid=stable_guid("case", layout.wave, respondent),
                        name=respondent)
        for name, value in values.get(respondent, {}).items():
            node = _element(case, "VariableValue")
            _element(node, "VariableRef", targetGUID=stable_guid("variable", layout.wave, name))
            _element(node, "TextValue", value)
        for plan in layout.sources:
            if plan.respondent_id == respondent:
                _element(case, "SourceRef", targetGUID=plan.guid)


def _stamp(user: str | None, created: str) -> dict[str, str]:
    """``creatingUser`` and ``creationDateTime`` attributes, those that are known."""
    return {key: value for key, value in (("creatingUser", user or ""),
                                          ("creationDateTime", created)) if value}


def _add_sources(root: etree._Element, layout: WaveLayout, labels: dict[str, str]) -> None:
    machine = user_of(layout.coders[0])[0] if layout.coders else None
    by_source: dict[str, list[MachineSelection]] = {}
    for sel in layout.selections:
        by_source.setdefault(sel.source_guid, []).append(sel)
    if not layout.sources:
        return
    sources = _element(root, "Sources")
    for plan in layout.sources:
        node = _element(sources, "TextSource", guid=plan.guid, name=plan.name,
                        plainTextPath=f"internal://{plan.guid}.txt",
                        **_stamp(machine, layout.created))
        _element(node, "Description", _source_description(plan, layout.wave))
        for sel in by_source.get(plan.guid, []):
            user = user_of(sel.coder)[0]
            selection = _element(node, "PlainTextSelection", guid=sel.guid,
                                 startPosition=str(sel.start), endPosition=str(sel.end),
                                 **_stamp(user, layout.created))
            _element(selection, "Description", _selection_description(sel, labels[sel.code_id]))
            coding = _element(selection, "Coding", guid=sel.coding_guid,
                              **_stamp(user, layout.created))
            _element(coding, "CodeRef", targetGUID=code_guid(sel.code_id))


def _add_sets(root: etree._Element, layout: WaveLayout) -> None:
    """One set per survey question: the sources holding an answer to it."""
    docs = layout.documents
    survey = docs[docs[s.KIND] == "survey"]
    questions = dict(zip(survey[s.QUESTION_ID], survey[s.QUESTION].fillna(""), strict=True))
    if not questions:
        return
    sets = _element(root, "Sets")
    for question_id, text in questions.items():
        node = _element(sets, "Set", guid=stable_guid("set", layout.wave, str(question_id)),
                        name=str(question_id))
        _element(node, "Description", f"Survey question {question_id}: {_text(text)}".strip())
        for plan in layout.sources:
            if question_id in plan.questions:
                _element(node, "MemberSource", targetGUID=plan.guid)


def project_xml(layout: WaveLayout, codebook: Codebook, reviewers: Sequence[str] = ()) -> bytes:
    """The ``project.qde`` document of a wave's layout, as UTF-8 bytes.

    ``reviewers`` become the first users, in the order given; then one user per machine coder.
    """
    known = set(codebook.code_ids())
    unknown = sorted({sel.code_id for sel in layout.selections} - known)
    if unknown:
        raise InputError(f"codings use codes that codebook '{codebook.id}' does not have: "
                         f"{', '.join(unknown)}")
    users = _users(layout, reviewers)
    attributes = {"name": layout.wave, "origin": "wavecoder"}
    if users:  # the project was made by the machine coder, when there is one
        attributes["creatingUserGUID"] = (user_of(layout.coders[0]) if layout.coders
                                          else users[0])[0]
    root = _element(None, "Project", **attributes)
    if users:
        users_node = _element(root, "Users")
        for guid, name in users:
            _element(users_node, "User", guid=guid, name=name)
    _add_codes(_element(_element(root, "CodeBook"), "Codes"), codebook.codes)
    _add_cases(root, layout)
    _add_sources(root, layout, codebook.labels())
    _add_sets(root, layout)
    coders = ", ".join(layout.coders) or "none"
    _element(root, "Description",
             f"wavecoder coding of wave {layout.wave}: codebook {codebook.id} "
             f"{codebook.version} (sha256 {codebook.sha256 or 'unknown'}), coder {coders}. "
             f"Each selection's description ends with the coding it stands for.")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
