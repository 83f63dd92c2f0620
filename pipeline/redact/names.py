"""Wave-level judgement on names: keep list, organisations, places, and propagation.

A name is decided over the whole wave, not one answer: a word the wave's grammar and spaCy's
model more often call a place is a place; a word the wave also writes in lower case is a word;
names of services (the keep list, ``keep.txt``) and organisations ("... Project", "... Trust")
are kept; and a name found anywhere in the wave is replaced everywhere in it.
"""

from __future__ import annotations

from collections import Counter
from functools import lru_cache
from pathlib import Path

import regex

from pipeline.redact.identifiers import PERSON, STREET_TYPES, Finding

KEEP_FILE = Path(__file__).with_name("keep.txt")

# Names found from their context (a title, a cue, a speaker label): trusted even where the
# model elsewhere calls the same word a place.
_CONTEXT_SOURCES = frozenset({"TitledNameRecognizer", "CuedNameRecognizer",
                              "SpeakerLabelRecognizer"})
_PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
# Capitalised words ending in one of these name an organisation, a place of care or a street,
# not a person ("Bristol Drugs Project", "the Nelson Trust", "Hollybush Surgery", "Albert Road").
# A street without a house number is kept: many people live on it.
_ORGANISATION_WORDS = (
    "Project", "Projects", "Trust", "Service", "Services", "Centre", "Center", "Clinic", "Team",
    "Hub", "Group", "Foundation", "Partnership", "Network", "Association", "Council", "Hospital",
    "Surgery", "Practice", "Pharmacy", "House", "Unit", "Ward", "Charity", "Society", "Programme",
    "Recovery", "Court", "Prison", "Academy", "College", "School", "University", "Church",
    "Mosque", "Temple", "Ltd", "CIC")
# Street types that are not also surnames (Hill, Green, Lane, Vale ... are both).
_SURNAMES_TOO = frozenset({"Hill", "Green", "Lane", "Vale", "View", "Row"})
_STREETS = tuple(t for t in STREET_TYPES if t not in _SURNAMES_TOO)
_ORGANISATION = regex.compile(
    rf"(?:[A-Z][\w'’&-]*[ ]){{1,4}}(?:{'|'.join(_ORGANISATION_WORDS + _STREETS)})\b")
_LOWER_WORD = regex.compile(r"(?<![\w'’-])\p{Ll}+(?![\w'’-])")
_PLACE_CUES = frozenset({"in", "near", "around", "across"})


@lru_cache(maxsize=1)
def _builtin_keep() -> tuple[str, ...]:
    lines = (KEEP_FILE.read_text(encoding="utf-8")).splitlines()
    return tuple(line.strip() for line in lines if line.strip() and not line.startswith("#"))


@lru_cache(maxsize=8)
def keep_pattern(extra: tuple[str, ...]) -> regex.Pattern:
    """Whole-word, case-blind occurrences of the keep list and ``extra``."""
    terms = sorted({*_builtin_keep(), *extra}, key=len, reverse=True)
    return regex.compile(rf"(?<!\w)(?:{'|'.join(regex.escape(t) for t in terms)})(?!\w)",
                         regex.IGNORECASE)


def not_kept(text: str, findings: list[Finding], keep: regex.Pattern) -> list[Finding]:
    """Findings without names that touch a keep-list phrase or name an organisation."""
    kept = [(m.start(), m.end()) for m in keep.finditer(text)]
    kept += [(m.start(), m.end()) for m in _ORGANISATION.finditer(text)]
    return [f for f in findings if f.entity_type != PERSON
            or all(f.end <= start or f.start >= end for start, end in kept)]



def vote_places(doc, votes: Counter, cued: Counter) -> None:  # noqa: ANN001 - a spaCy Doc
    """Count, per capitalised word or phrase, the model's and the grammar's place evidence.

    A place entity counts for a place and a PERSON entity against (spaCy's small model calls
    many boroughs people and many unfamiliar names places); a phrase after "in", "near",
    "around" or "out of" ("services in Lambeth") counts twice, and in ``cued`` too.
    """
    for ent in doc.ents:
        if ent.label_ in _PLACE_LABELS:
            votes[ent.text] += 1
        elif ent.label_ == "PERSON":
            votes[ent.text] -= 1
    for token in doc[:-1]:
        out_of = token.lower_ == "of" and token.i > 0 and doc[token.i - 1].lower_ == "out"
        if token.lower_ in _PLACE_CUES or out_of:
            run = list(doc[token.i + 1:token.i + 4])
            end = next((k for k, t in enumerate(run) if not t.text[:1].isupper()), len(run))
            if end:  # the grammar outweighs the small model
                phrase = doc[token.i + 1:token.i + 1 + end].text
                votes[phrase] += 2
                cued[phrase] += 1


def plausible_names(texts: list[str], findings: list[list[Finding]], places: set[str],
                     keep: regex.Pattern) -> list[list[Finding]]:
    """Drop names that are, over the whole wave, more likely something else.

    A name found by the model or as a proper noun goes when the model and the grammar more often
    call it a place, when it touches a keep-list phrase or an organisation's name, or when it is
    one word the wave also uses in lower case ("Email ...", "Recovery is ..."): people's names
    are not written in lower case. Names found from context (a title, a cue, a speaker label)
    only go for the keep list.
    """
    # Lower-case words of the wave, outside email addresses and links ("craig.jones@...").
    words = {w for text in texts for chunk in text.split() if "@" not in chunk
             and "/" not in chunk for w in _LOWER_WORD.findall(chunk)}
    out = []
    for text, found in zip(texts, findings, strict=True):
        found = not_kept(text, found, keep)
        out.append([f for f in found if f.entity_type != PERSON or f.source in _CONTEXT_SOURCES
                    or not (text[f.start:f.end] in places
                            or text[f.start:f.end].casefold() in words)])
    return out


def propagate(texts: list[str], findings: list[list[Finding]]) -> list[list[Finding]]:
    """Add every other occurrence in the wave of a name found somewhere in it."""
    names = {text[f.start:f.end] for text, found in zip(texts, findings, strict=True)
             for f in found if f.entity_type == PERSON}
    if not names:
        return findings
    alternatives = "|".join(regex.escape(n) for n in sorted(names, key=len, reverse=True))
    pattern = regex.compile(rf"(?<![\w@.])(?:{alternatives})(?![\w@])")
    return [[*found, *(Finding(m.start(), m.end(), PERSON, 0.5, "propagated")
                       for m in pattern.finditer(text))]
            for text, found in zip(texts, findings, strict=True)]
