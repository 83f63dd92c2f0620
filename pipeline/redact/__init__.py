"""Pseudonymisation of a wave's documents before anything is written (optional stage).

``redact_documents(documents, wave=...)`` replaces person names, emails, UK phone numbers, UK
postcodes, NHS numbers and street addresses by stable placeholders; ``write_mapping`` keeps the
placeholder → original table in an owner-only file. Presidio and the spaCy model load on first
use, never at import.
"""

from pipeline.redact.engine import RedactConfig, build_analyzer
from pipeline.redact.find import find_identifiers
from pipeline.redact.identifiers import ENTITIES, Finding, nhs_number_is_valid
from pipeline.redact.mapping import read_mapping, write_mapping
from pipeline.redact.stage import Redacted, redact_documents

__all__ = [
    "ENTITIES",
    "Finding",
    "RedactConfig",
    "Redacted",
    "build_analyzer",
    "find_identifiers",
    "nhs_number_is_valid",
    "read_mapping",
    "redact_documents",
    "write_mapping",
]
