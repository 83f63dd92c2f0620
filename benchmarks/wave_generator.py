"""Seeded synthetic survey waves at scale (1k to 1M answers), with varied text, for benchmarks.

    .venv/bin/python benchmarks/wave_generator.py --answers 10k [--seed 0] \
        [--out /tmp/wavecoder-bench]

Writes ``<out>/bench-<size>-s<seed>/`` in the format of ``corpora/sector-survey-2013/``
(``wave.yaml`` and ``survey.csv``: one row per service, five open questions, four attributes)
and prints what it wrote. Sentences come from the sample waves' banks (``scripts/``), each
varied on the way out so that few repeat: words swapped for synonyms, numbers, towns and named
services filled in, clauses about time, place and client groups appended, typos made, answers of
one to seven sentences. Caches of repeated sentences therefore cannot flatter a benchmark; the
share of distinct sentences is reported (``distinct_share``). The same seed and size give
byte-identical files. Rows are written as they are made, so a million answers need little
memory. ``answers`` counts answer cells (respondents x questions), blanks and "N/A" included,
rounded up to whole respondents.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import json
import random
import re
import sys
from array import array
from dataclasses import asdict, dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))  # the sample-wave scripts import each other by name

from make_sample_waves import (  # noqa: E402
    ATTRIBUTES,
    NON_ANSWERS,
    QUESTIONS,
    WAVES,
    after_lead,
    pick,
    roughen,
    theme_drawer,
    weighted,
)
from sample_text import AREAS, FILLERS, OPENERS  # noqa: E402

DEFAULT_OUT = Path("/tmp/wavecoder-bench")
SIZES = {"1k": 1_000, "10k": 10_000, "100k": 100_000, "1m": 1_000_000}
THEMES = WAVES["sector-survey-2014"]  # theme weights and worsening share of a sample wave
TOWN_HEADS = ["Ash", "Bar", "Black", "Brad", "Bright", "Brook", "Burn", "Chester", "Clay",
              "Cold", "Dun", "East", "Elm", "Fair", "Green", "Hart", "Hay", "High", "Kings",
              "Lang", "Lea", "Long", "Mill", "New", "North", "Oak", "Red", "Rock", "Sand",
              "Stan", "Stoke", "Thorn", "Wal", "West", "Whit", "Wood"]
TOWN_TAILS = ["bury", "by", "field", "ford", "gate", "ham", "hill", "ley", "mouth", "port",
              "stead", "stow", "thorpe", "ton", "well", "wick", "worth", "minster"]
SERVICES = ["Recovery Hub", "Community Drug Team", "Alcohol Service", "Wellbeing Centre",
            "Harm Reduction Service", "Recovery Cafe", "Needle Exchange", "Day Programme",
            "Young People's Service", "Outreach Team", "Family Service", "Detox Unit"]
GROUPS = ["women", "older drinkers", "young people", "veterans", "people leaving prison",
          "parents", "people on a script", "rough sleepers", "new referrals", "students",
          "people with a disability", "carers", "sex workers", "people in rural villages"]
ROLES = ["keyworkers", "team leader", "service manager", "peer mentors", "nurses",
         "volunteers", "commissioner", "clinical lead", "outreach staff", "GP liaison worker"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]
CLAUSES = [  # appended before the full stop; {n} a number, {town} and {service} names
    ", especially for {group}", " since {month} {year}", " in {town}", " at {service}",
    ", according to our {role}", " over the last {n} months", " for about {n} of our clients",
    ", compared with {year}", ", and our {role} have noticed it too", " across {n} sites",
    ", which affects roughly {n} people a week", " in the {town} area",
]
LEADS = [*OPENERS, "Since {month} {year}, ", "In {town}, ", "At {service}, ",
         "Speaking for our {role}, ", "For {group}, "]  # the sample openers and more
SYNONYMS = {  # whole words, lower case; each may be swapped for one of its alternatives
    "clients": ["clients", "service users", "people we support", "our service users",
                "the people we work with", "patients", "residents"],
    "very": ["very", "really", "extremely", "quite", "incredibly"],
    "much": ["much", "far", "a lot", "significantly"],
    "hard": ["hard", "difficult", "tough", "a struggle"],
    "local": ["local", "nearby", "area", "regional"],
    "locally": ["locally", "in our area", "near here", "round here"],
    "limited": ["limited", "scarce", "patchy", "thin on the ground"],
    "people": ["people", "individuals", "folk", "adults"],
    "good": ["good", "strong", "positive", "excellent", "decent"],
    "more": ["more", "extra", "additional", "further"],
    "impossible": ["impossible", "near impossible", "extremely hard", "a real struggle"],
    "cut": ["cut", "reduced", "slashed", "trimmed"],
    "staff": ["staff", "workers", "the team", "colleagues"],
    "year": ["year", "twelve months", "financial year", "period"],
    "service": ["service", "provision", "team", "organisation"],
}
NUMBER_WORDS = re.compile(r"\b(two|three|six|twelve|twenty|forty|fifty|15%|a fifth)\b")
SYNONYM_WORDS = re.compile(r"\b(" + "|".join(SYNONYMS) + r")\b")


@dataclass
class WaveStats:
    """What a generated wave holds."""

    wave_id: str
    folder: str
    seed: int
    respondents: int
    answers: int  # answer cells: respondents x questions
    blank: int  # empty cells
    non_answers: int  # "N/A", "see above" and the like
    sentences: int
    distinct_sentences: int
    distinct_share: float
    bytes: int


def size_of(label: str) -> int:
    """``1k`` / ``10k`` / ``1m`` / ``2500`` as a number of answers."""
    text = label.strip().lower()
    if text in SIZES:
        return SIZES[text]
    factor = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    number = text[:-1] if factor > 1 else text
    if not number.isdigit() or int(number) <= 0:
        raise SystemExit(f"size '{label}': give a whole number of answers, e.g. 1k, 10k, 2500")
    return int(number) * factor


def label_of(answers: int) -> str:
    """10000 -> ``10k``; sizes that are not whole thousands keep their digits."""
    if answers % 1_000_000 == 0:
        return f"{answers // 1_000_000}m"
    return f"{answers // 1_000}k" if answers % 1_000 == 0 else str(answers)


def town(rng: random.Random) -> str:
    """A made-up town: one of 648 head and tail pairs."""
    return rng.choice(TOWN_HEADS) + rng.choice(TOWN_TAILS)


def fill(rng: random.Random, template: str) -> str:
    """``template`` with its slots ({town}, {service}, {n} ...) filled in."""
    slots = {
        "town": lambda: town(rng), "service": lambda: f"the {town(rng)} {rng.choice(SERVICES)}",
        "group": lambda: rng.choice(GROUPS), "role": lambda: rng.choice(ROLES),
        "month": lambda: rng.choice(MONTHS), "year": lambda: str(rng.randint(2009, 2016)),
        "n": lambda: str(rng.randint(2, 60)), "area": lambda: rng.choice(AREAS + [town(rng)]),
    }
    return re.sub(r"\{(\w+)\}", lambda m: slots[m.group(1)](), template)


def misspell(rng: random.Random, text: str) -> str:
    """One word of five letters or more typed wrongly: letters swapped, dropped or doubled.

    The sample waves' known misspellings come in through ``roughen``.
    """
    words = [m for m in re.finditer(r"[a-z]{5,}", text)]
    if not words:
        return text
    word = rng.choice(words)
    at, letters = rng.randrange(1, len(word.group()) - 2), list(word.group())
    kind = rng.randrange(3)
    if kind == 0:
        letters[at], letters[at + 1] = letters[at + 1], letters[at]
    elif kind == 1:
        del letters[at]
    else:
        letters.insert(at, letters[at])
    return text[:word.start()] + "".join(letters) + text[word.end():]


def vary(rng: random.Random, sentence: str) -> str:
    """A bank sentence reworded: synonyms, numbers, places, an appended clause, a typo."""
    text = SYNONYM_WORDS.sub(lambda m: rng.choice(SYNONYMS[m.group(1)])
                             if rng.random() < 0.5 else m.group(1), sentence)
    text = NUMBER_WORDS.sub(lambda m: str(rng.randint(2, 90)) + ("%" if "%" in m.group() else "")
                            if rng.random() < 0.7 else m.group(1), text)
    text = fill(rng, text)
    for _ in range(rng.choices([0, 1, 2], weights=[1, 5, 4])[0]):
        if text.endswith("."):
            text = text[:-1] + fill(rng, rng.choice(CLAUSES)) + "."
    lead = fill(rng, rng.choice(LEADS))
    text = after_lead(rng, lead, text)
    if rng.random() < 0.1:
        text = misspell(rng, text)
    return lead + text


def answer(rng: random.Random, question: str, funding_change: str) -> list[str]:
    """The sentences of one answer: one to seven, drawn as the sample waves draw them."""
    draw = theme_drawer(question, THEMES, funding_change)
    count = rng.choices([1, 2, 3, 4, 5, 7], weights=[5, 6, 4, 2, 1, 0.5])[0]
    parts = [vary(rng, rng.choice(FILLERS))] if rng.random() < 0.1 else []
    return parts + [vary(rng, pick(rng, *draw(rng))) for _ in range(count)]


def _digest(sentence: str) -> int:
    return int.from_bytes(hashlib.blake2b(sentence.encode(), digest_size=8).digest(), "little")


def distinct_count(digests: array) -> int:
    """How many distinct values ``digests`` (64-bit sentence hashes) holds."""
    import numpy as np

    return int(np.unique(np.frombuffer(digests, dtype=np.uint64)).size) if len(digests) else 0


def write_wave(answers: int, out: Path = DEFAULT_OUT, seed: int = 0) -> WaveStats:
    """Write a wave of ``answers`` answer cells under ``out``; returns what it holds.

    Refuses a folder inside the repository: generated waves are large and never committed.
    """
    out = Path(out).resolve()
    if out == ROOT or ROOT in out.parents:
        raise SystemExit(f"{out}: generated waves go outside the repository (default "
                         f"{DEFAULT_OUT})")
    rng = random.Random(seed)
    wave_id = f"bench-{label_of(answers)}-s{seed}"
    folder = out / wave_id
    folder.mkdir(parents=True, exist_ok=True)
    respondents = -(-answers // len(QUESTIONS))
    digests, blank, non_answers = array("Q"), 0, 0
    with (folder / "survey.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["service_id", *ATTRIBUTES, "funding_change",
                         *(column for _, column, _ in QUESTIONS)])
        for number in range(1, respondents + 1):
            attributes = [rng.choice(values) for values in ATTRIBUTES.values()]
            funding = weighted(rng, THEMES["funding_change"])
            cells = []
            for question, _, _ in QUESTIONS:
                draw = rng.random()
                if draw < 0.03:
                    cells.append("")
                    blank += 1
                elif draw < 0.045:
                    cells.append(rng.choice(NON_ANSWERS))
                    non_answers += 1
                else:
                    parts = answer(rng, question, funding)
                    digests.extend(_digest(p) for p in parts)
                    cells.append(roughen(rng, ("\n" if rng.random() < 0.04 else " ").join(parts)))
            writer.writerow([f"R{number:07d}", *attributes, funding, *cells])
    manifest = {
        "id": wave_id, "title": f"Synthetic benchmark wave, {answers:,} answers (seed {seed})",
        "fieldwork": {"start": dt.date(2014, 5, 1), "end": dt.date(2014, 7, 31)},
        "sources": [{
            "kind": "survey", "file": "survey.csv", "respondent_id": "service_id",
            "questions": [{"id": q, "column": c, "text": t} for q, c, t in QUESTIONS],
            "attributes": [*ATTRIBUTES, "funding_change"],
        }],
    }
    (folder / "wave.yaml").write_text(
        "# Generated by benchmarks/wave_generator.py; not for committing.\n"
        + yaml.safe_dump(manifest, sort_keys=False, allow_unicode=True, width=100),
        encoding="utf-8")
    distinct = distinct_count(digests)
    return WaveStats(
        wave_id=wave_id, folder=str(folder), seed=seed, respondents=respondents,
        answers=respondents * len(QUESTIONS), blank=blank, non_answers=non_answers,
        sentences=len(digests), distinct_sentences=distinct,
        distinct_share=round(distinct / max(len(digests), 1), 4),
        bytes=sum(p.stat().st_size for p in folder.iterdir()))


def main() -> None:
    """Write one wave per ``--answers`` and print what each holds as JSON lines."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", action="append", default=None,
                        help="answer cells: 1k, 10k, 100k, 1m or a number (repeatable)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    for label in args.answers or ["1k"]:
        print(json.dumps(asdict(write_wave(size_of(label), args.out, args.seed))))


if __name__ == "__main__":
    main()
