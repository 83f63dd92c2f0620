"""Turning file bytes into text: decode, repair mojibake, normalise line ends.

Pure functions; a file that cannot be read as text raises :class:`UnreadableError` with a reason
a person can act on.
"""

from __future__ import annotations

from dataclasses import dataclass

import ftfy

from pipeline.errors import InputError

ENCODINGS = ("utf-8-sig", "cp1252")


class UnreadableError(InputError):
    """The bytes are not text this pipeline can decode; the message says why."""


@dataclass(frozen=True)
class DecodedText:
    """Text decoded from bytes, with the encoding used and whether mojibake was repaired."""

    text: str
    encoding: str
    repaired: bool = False


def decode_bytes(data: bytes) -> DecodedText:
    """Decode ``data`` as UTF-8, else Windows-1252; repair mojibake; normalise line ends.

    Raises:
        UnreadableError: for binary data or bytes that are neither UTF-8 nor Windows-1252.
    """
    if b"\x00" in data[:4096]:
        raise UnreadableError("binary data (NUL bytes), not a text file")
    for encoding in ENCODINGS:
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise UnreadableError("not UTF-8 or Windows-1252 text")
    # Only fix_encoding: the fuller fix_text would also straighten quotes, which is not a repair.
    repaired_text = ftfy.fix_encoding(text)
    repaired = repaired_text != text
    normalised = repaired_text.replace("\r\n", "\n").replace("\r", "\n")
    return DecodedText(normalised, "utf-8" if encoding == "utf-8-sig" else encoding, repaired)
