"""The identifiers redaction looks for: their names, and the checks that need no model.

Kept apart from the Presidio recognisers so that importing the redaction package stays light.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Entity names used throughout redaction (and as placeholder stems).
PERSON = "PERSON"
EMAIL = "EMAIL"
PHONE = "PHONE"
POSTCODE = "POSTCODE"
NHS_NUMBER = "NHS_NUMBER"
ADDRESS = "ADDRESS"
ENTITIES = (PERSON, EMAIL, PHONE, POSTCODE, NHS_NUMBER, ADDRESS)

TITLES = ("Dr", "Dr.", "Mr", "Mr.", "Mrs", "Mrs.", "Ms", "Miss", "Mx", "Prof", "Nurse", "Sister")

# Words that end a street's name ("Albert Road"): an address after a house number, never a name.
STREET_TYPES = (
    "Road", "Rd", "Street", "St", "Avenue", "Ave", "Lane", "Close", "Drive", "Crescent",
    "Gardens", "Terrace", "Grove", "Way", "Court", "Place", "Walk", "Mews", "Row", "Square",
    "Hill", "Rise", "View", "Parade", "Green", "Vale", "Wharf", "Yard",
)


def nhs_number_is_valid(digits: str) -> bool:
    """Whether ten digits form an NHS number: modulus 11 over weights 10..2, check digit last.

    A check value of 10 is never issued, and ten equal digits (0000000000) are refused although
    their weighted sum passes.
    """
    if len(digits) != 10 or not digits.isdigit() or len(set(digits)) == 1:
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    return check != 10 and check % 11 == int(digits[9])


def phone_key(text: str) -> str:
    """The national digits of a UK phone number (``+44 (0)20 ...`` and ``020 ...`` agree)."""
    digits = re.sub(r"\D", "", text)
    if text.lstrip().startswith("+44") or (digits.startswith("44") and not text.startswith("0")):
        digits = digits[2:]
        digits = digits if digits.startswith("0") else "0" + digits
    return digits


@dataclass(frozen=True, order=True)
class Finding:
    """An identifier in a text: ``text[start:end]``, its entity type and Presidio's score."""

    start: int
    end: int
    entity_type: str
    score: float = field(compare=False, default=1.0)
    source: str = field(compare=False, default="")  # the recogniser that found it
