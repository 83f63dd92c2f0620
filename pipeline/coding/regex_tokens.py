"""Codebook ``REGEX`` token predicates, matched with a time limit.

spaCy's ``Matcher`` runs a ``REGEX`` predicate with Python's ``re``, which has no time limit: one
long token (a pasted URL, a row of letters) and a pattern that backtracks can hold a run for
minutes. Patterns known to backtrack are refused when the codebook loads
(:func:`pipeline.untrusted.regex_risk`); as a second line, each ``REGEX`` of a token pattern is
given to the ``Matcher`` as a token extension whose getter searches with the ``regex`` package,
which stops after :data:`MATCH_SECONDS` of CPU time per token (and heeds signals meanwhile).
The pattern matches what spaCy's would: ``search`` on the same attribute of the token.
"""

from __future__ import annotations

import hashlib
from typing import Any, Callable

import regex
from spacy.tokens import Token

from pipeline.errors import ConfigError

MATCH_SECONDS = 1.0  # per token; a sound pattern takes microseconds
_PREFIX = "wavecoder_regex_"


def _attribute(name: str) -> Callable[[Token], str]:
    """The token's text for a Matcher attribute name (``LOWER`` -> ``token.lower_``)."""
    upper = name.upper()
    if upper in ("TEXT", "ORTH"):
        return lambda token: token.text
    if upper == "MORPH":
        return lambda token: str(token.morph)
    attribute = f"{upper.lower()}_"
    return lambda token: getattr(token, attribute)


def _extension(attribute: str, pattern: str, where: str) -> str:
    """Register (once) a boolean token extension: whether ``pattern`` is found in the token."""
    digest = hashlib.sha256(f"{attribute}\0{pattern}\0{where}".encode()).hexdigest()[:16]
    name = f"{_PREFIX}{digest}"
    if Token.has_extension(name):
        return name
    try:
        compiled = regex.compile(pattern)
    except (regex.error, OverflowError) as exc:
        raise ConfigError(f"{where}: REGEX '{pattern}' is not a valid regular expression "
                          f"({exc})") from None
    text_of = _attribute(attribute)

    def search(token: Token) -> bool:
        try:
            return compiled.search(text_of(token), timeout=MATCH_SECONDS) is not None
        except TimeoutError:
            raise ConfigError(
                f"{where}: REGEX '{pattern}' took more than {MATCH_SECONDS:g} s on one token of "
                f"{len(token.text)} characters (catastrophic backtracking); simplify the "
                "pattern") from None

    Token.set_extension(name, getter=search)
    return name


def bounded_regexes(tokens: list[dict[str, Any]], where: str) -> list[dict[str, Any]]:
    """A copy of a Matcher token pattern whose ``REGEX`` predicates are time-bounded.

    ``{"LOWER": {"REGEX": "^hous"}}`` becomes ``{"_": {"wavecoder_regex_…": True}}``; other
    predicates on the same attribute (``{"REGEX": …, "NOT_IN": […]}``) stay as they were.

    Args:
        tokens: the pattern, as the codebook gives it.
        where: the codebook, code and pattern, for the error a slow match raises.
    """
    bounded = []
    for spec in tokens:
        spec = dict(spec)
        extensions = dict(spec.get("_") or {})
        for attribute, value in list(spec.items()):
            if attribute == "_" or not isinstance(value, dict) or "REGEX" not in value:
                continue
            rest = {k: v for k, v in value.items() if k != "REGEX"}
            extensions[_extension(attribute, str(value["REGEX"]), where)] = True
            if rest:
                spec[attribute] = rest
            else:
                del spec[attribute]
        if extensions:
            spec["_"] = extensions
        bounded.append(spec)
    return bounded
