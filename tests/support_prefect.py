"""Prefect's own stores searched for respondents' words: its API's database and result storage."""

from __future__ import annotations

import base64
import binascii
import json
import re
import sqlite3
from pathlib import Path

from prefect.settings import PREFECT_SERVER_DATABASE_CONNECTION_URL


def prefect_files(storage: Path) -> list[Path]:
    """The files Prefect keeps: its database (with its write-ahead log) and result storage."""
    url = PREFECT_SERVER_DATABASE_CONNECTION_URL.value()
    database = Path(url.split(":///", 1)[1])
    assert database.is_file(), url
    return (sorted(database.parent.glob(database.name + "*")) +
            sorted(p for p in storage.rglob("*") if p.is_file()))


def _prefect_texts(path: Path) -> str:
    """A Prefect file as text: its raw bytes, base64 payloads decoded, a database's rows."""
    raw = path.read_bytes()
    texts = [raw.decode("utf-8", "replace")]
    # Results and pickled exceptions are stored base64-encoded (in lines, or inside JSON).
    for run in re.findall(rb"[A-Za-z0-9+/]{16,}", raw.replace(b"\\n", b"").replace(b"\n", b"")):
        try:
            texts.append(base64.b64decode(run[: len(run) // 4 * 4]).decode("utf-8", "replace"))
        except (binascii.Error, ValueError):
            pass
    if path.suffix == ".db":
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
            tables = [r[0] for r in db.execute("select name from sqlite_master "
                                               "where type = 'table'")]
            texts += [str(db.execute(f'select * from "{t}"').fetchall()) for t in tables]
    return "".join(texts)


def words_in_prefect(storage: Path, words: list[str]) -> dict[str, list[str]]:
    """Which of ``words`` (as written, or escaped as JSON writes them) each Prefect file holds."""
    found = {}
    for path in prefect_files(storage):
        text = _prefect_texts(path)
        hits = [w for w in words if w in text or json.dumps(w)[1:-1] in text]
        if hits:
            found[path.name] = hits
    return found
