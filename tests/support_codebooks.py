"""Shared by the codebook tests: fixture paths and validation against the REFI-QDA schema."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "codebooks"
# The schema is shared data beside the checkout, never copied into the repository.
SCHEMA = ROOT.parent / "shared" / "refi-qda" / "Codebook.xsd"


def schema_errors(xml: bytes) -> list[str]:
    """Errors of ``xml`` against Codebook.xsd (none: []); skips the test if the schema is absent."""
    if not SCHEMA.is_file():
        pytest.skip(f"REFI-QDA Codebook.xsd not found at {SCHEMA}")
    validator = etree.XMLSchema(etree.parse(str(SCHEMA)))
    document = etree.fromstring(xml, etree.XMLParser(resolve_entities=False, no_network=True))
    if validator.validate(document):
        return []
    return [f"line {error.line}: {error.message}" for error in validator.error_log]
