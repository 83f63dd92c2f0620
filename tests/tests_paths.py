"""Paths of the repository for tests that read its bundled data."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
