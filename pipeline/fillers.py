"""Fillers and backchannels: segments that only say "um, yeah", "okay", "thank you".

They are kept in the tables (nothing said is dropped) but flagged, so topic modelling and the
coder's denominator leave them out: otherwise the largest "topics" of real talk are "Um, yeah."
"""

from __future__ import annotations

import re

# Words that, on their own or together, carry no content. "no" is not here: a missing service
# is a finding, and a bare "No." answers the question before it.
FILLER_WORDS = frozenset("""
    um umm uh uhh uhm er erm err hm hmm hmmm mm mmm mhm mmhm mmhmm uhhuh ah aha oh ooh eh huh
    yeah yea yes yep yup ya aye okay ok okey kay alright allright right sure cool great perfect
    fine good nice lovely brilliant excellent wonderful awesome fab fantastic exactly absolutely
    definitely totally indeed true fair thanks thank you cheers ta so well and anyway sorry
    pardon wow gosh i see got it that's thats is all understood noted agreed
""".split())
MAX_FILLER_WORDS = 6
_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")


def is_filler(text: str) -> bool:
    """Whether ``text`` is only fillers or acknowledgements (at most six such words)."""
    words = _WORD.findall(text.lower().replace("’", "'").replace("-", ""))
    return 0 < len(words) <= MAX_FILLER_WORDS and all(w in FILLER_WORDS for w in words)
