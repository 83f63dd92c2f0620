"""Turning file bytes into text: decode, repair mojibake, normalise line ends.

Pure functions; a file that cannot be read as text raises :class:`UnreadableError` with a reason
a person can act on.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.errors import InputError
from pipeline.ingest.mojibake import fix_encoding
from pipeline.untrusted import replace_controls


class UnreadableError(InputError):
    """The bytes are not text this pipeline can decode; the message says why."""


@dataclass(frozen=True)
class DecodedText:
    """Text decoded from bytes, with the encoding used and whether mojibake was repaired."""

    text: str
    encoding: str
    repaired: bool = False
    controls: int = 0  # control characters replaced (see untrusted.replace_controls)
    bad_lines: list[int] = field(default_factory=list)  # lines holding undecodable bytes


def _utf16(data: bytes) -> str | None:
    """Text saved as UTF-16 with its byte-order mark (Excel's "Unicode text"), else None."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            return None
    return None


def _mostly_utf8(data: bytes) -> tuple[str, list[int]] | None:
    """UTF-8 text with a few undecodable bytes replaced by U+FFFD, and the lines holding them.

    None when the bad bytes are not rare (then the file is not UTF-8 at all). A few stray
    bytes must cost only the rows that hold them, never the whole survey.
    """
    text = data.decode("utf-8", errors="surrogateescape")
    bad = [i for i, ch in enumerate(text) if "\udc80" <= ch <= "\udcff"]
    if not bad or len(bad) > max(8, len(text) // 1000):
        return None
    lines = sorted({text.count("\n", 0, i) + 1 for i in bad})
    return "".join("\ufffd" if "\udc80" <= ch <= "\udcff" else ch for ch in text), lines


def _text_of(data: bytes) -> tuple[str, str, list[int]]:
    """UTF-8; else UTF-8 with a few bad bytes if it has real UTF-8 too; else Windows-1252."""
    try:
        return data.decode("utf-8-sig"), "utf-8-sig", []
    except UnicodeDecodeError:
        pass
    mostly = _mostly_utf8(data)
    if mostly is not None and any(ord(ch) > 127 and ch != "\ufffd" for ch in mostly[0]):
        return mostly[0], "utf-8", mostly[1]
    try:
        return data.decode("cp1252"), "cp1252", []
    except UnicodeDecodeError:
        pass
    if mostly is None:
        raise UnreadableError("not UTF-8 or Windows-1252 text")
    return mostly[0], "utf-8", mostly[1]


def decode_bytes(data: bytes) -> DecodedText:
    """Decode ``data`` as UTF-16 (with a BOM), UTF-8, else Windows-1252; repair mojibake.

    Line ends are normalised and control characters replaced one for one. A UTF-8 file with a
    few undecodable bytes is read with those bytes replaced; ``bad_lines`` names their lines.

    Raises:
        UnreadableError: for binary data or bytes that are neither UTF-8 nor Windows-1252.
    """
    bad_lines: list[int] = []
    text16 = _utf16(data)
    if text16 is not None:
        text, encoding = text16, "utf-16"
    elif b"\x00" in data[:4096]:
        raise UnreadableError("binary data (NUL bytes), not a text file")
    else:
        text, encoding, bad_lines = _text_of(data)
    # Only fix_encoding: the fuller fix_text would also straighten quotes, which is not a repair.
    repaired_text = fix_encoding(text)  # ftfy's, with its mojibake test made fast
    repaired = repaired_text != text
    normalised = repaired_text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    cleaned, controls = replace_controls(normalised)
    return DecodedText(cleaned, "utf-8" if encoding == "utf-8-sig" else encoding, repaired,
                       controls, bad_lines)
