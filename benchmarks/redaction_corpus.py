"""A seeded generator of realistic answers with planted identifiers, for measuring redaction.

Free-text survey answers and interview turns about UK drug and alcohol treatment services, with
planted person names (British, South Asian, African and Eastern European; first names, full
names and titled surnames), emails, phone numbers, postcodes, NHS numbers and street addresses,
plus distractors that must survive redaction: service and agency names, places used as places,
benefits, dates, money, and ordinary capitalised words at the start of sentences.

Every name, number and address here is made up. Phone numbers are in the ranges Ofcom keeps for
drama (07700 900xxx, 020 7946 0xxx, 0161 496 0xxx, ...), NHS numbers are random with a valid
check digit. Importable by tests (``benchmarks`` is on ``sys.path`` when the repository root is)::

    from benchmarks.redaction_corpus import generate, documents_frame
    answers = generate(300, seed=11)
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

import pandas as pd

PERSON, EMAIL, PHONE, POSTCODE, NHS, ADDRESS = (
    "PERSON", "EMAIL", "PHONE", "POSTCODE", "NHS", "ADDRESS")
KINDS = (PERSON, EMAIL, PHONE, POSTCODE, NHS, ADDRESS)
DISTRACTOR = "DISTRACTOR"

FIRST_NAMES = {
    "british": ["Gary", "Sharon", "Kevin", "Tracey", "Darren", "Karen", "Liam", "Chloe", "Jamie",
                "Shaun", "Debbie", "Craig", "Leanne", "Wayne", "Kirsty", "Stuart", "Siobhan",
                "Callum", "Rhys", "Bethan", "Niamh", "Declan", "Aileen", "Fraser"],
    "south_asian": ["Priya", "Rajesh", "Imran", "Ayesha", "Sunita", "Harpreet", "Mohammed",
                    "Fatima", "Sanjay", "Nasreen", "Arjun", "Zainab", "Bilal", "Shabana",
                    "Gurpreet", "Anil"],
    "african": ["Chidi", "Oluwaseun", "Ngozi", "Kwame", "Abena", "Tendai", "Amara", "Kofi",
                "Adaeze", "Tunde", "Folake", "Yaw", "Chiamaka", "Ebele", "Themba", "Femi"],
    "east_european": ["Agnieszka", "Tomasz", "Wojciech", "Katarzyna", "Piotr", "Marta",
                      "Andrzej", "Lukasz", "Oksana", "Dmitri", "Irina", "Mihai", "Ionut",
                      "Bogdan", "Jelena", "Vesna"],
}
SURNAMES = {
    "british": ["Smith", "Jones", "Taylor", "Brown", "Wilson", "Evans", "Roberts", "Walker",
                "Wright", "Hughes", "Murphy", "O'Neill", "McDonald", "Fletcher", "Atkinson"],
    "south_asian": ["Patel", "Khan", "Ahmed", "Singh", "Begum", "Hussain", "Sharma", "Chaudhry",
                    "Iqbal", "Kaur", "Rahman", "Shah"],
    "african": ["Okafor", "Adeyemi", "Mensah", "Okonkwo", "Balogun", "Asante", "Nwosu",
                "Mwangi", "Chukwu", "Owusu", "Adebayo", "Moyo"],
    "east_european": ["Kowalski", "Nowak", "Wiśniewska", "Kowalczyk", "Lewandowski", "Popescu",
                      "Ionescu", "Novak", "Horvat", "Petrov", "Kovalenko", "Zielinska"],
}
TITLES = ["Dr", "Dr.", "Mr", "Mrs", "Ms", "Miss", "Nurse"]
EMAIL_DOMAINS = ["gmail.com", "hotmail.co.uk", "outlook.com", "yahoo.co.uk", "nhs.net",
                 "btinternet.com", "leeds.gov.uk", "live.co.uk"]
# Ofcom's drama ranges: (prefix digits, digits to draw), written in several common layouts.
PHONE_LAYOUTS = [
    "07700 900{3}", "07700900{3}", "+44 7700 900{3}", "+447700900{3}", "+44 (0)7700 900{3}",
    "07700-900-{3}", "020 7946 0{3}", "0207 946 0{3}", "(020) 7946 0{3}", "+44 20 7946 0{3}",
    "0161 496 0{3}", "0113 4960{3}", "(0121) 496 0{3}", "0114-496-0{3}", "01632 960{3}",
    "0117 496 0{3}", "0141 496 0{3}", "0151 496 0{3}",
]
POSTCODES = ["LS6 2AB", "M14 5RT", "B12 9QL", "E1 6AN", "SW9 8EJ", "BS5 0HE", "NG7 1AA",
             "L8 3SN", "S2 4GH", "NE6 5PL", "CF24 3DA", "G42 7XJ", "EH6 5JT", "BD3 9RS",
             "LE2 0QR", "N17 6SB", "M8 0DP", "WV10 9LE", "ST4 7QB", "HU3 2HH", "ls6 2ab",
             "M145RT", "BS50HE", "DN4 8AZ", "PL1 4RE"]
STREETS = ["Albert", "Victoria", "Station", "Church", "Beech", "Hollybush", "Stanley",
           "Clarendon", "Cemetery", "Oak Tree", "Manor", "Queen's", "Mill", "Brudenell",
           "Coronation", "Hawthorn", "Princess"]
STREET_TYPES = ["Road", "Street", "Avenue", "Lane", "Close", "Drive", "Crescent", "Gardens",
                "Terrace", "Grove", "Way", "Court", "Place", "Walk", "Mews", "Rd", "St"]

SERVICES = ["Turning Point", "Change Grow Live", "We Are With You", "Humankind",
            "Forward Trust", "Jobcentre Plus", "Citizens Advice", "Shelter", "Samaritans",
            "Alcoholics Anonymous", "Narcotics Anonymous", "SMART Recovery", "Mind",
            "the Salvation Army", "St Mungo's", "the Probation Service", "Cocaine Anonymous",
            "Universal Credit", "Housing Benefit", "PIP", "A&E", "the Methadone Clinic"]
PLACES = ["Manchester", "Leeds", "Bradford", "Birmingham", "Tower Hamlets", "Lambeth",
          "Hackney", "Salford", "Bristol", "Cardiff", "Glasgow", "Sheffield", "Newcastle",
          "Blackpool", "Stoke", "Hull", "Wolverhampton", "Doncaster", "Plymouth"]
DATES = ["12 March 2024", "Monday", "last January", "since 2019", "03/04/2023", "Christmas",
         "the 14th of June", "Friday mornings", "October 2022"]
# Local services absent from the redaction keep list (pipeline/redact/keep.txt): they measure how
# names of organisations the list does not know fare.
UNLISTED_SERVICES = ["Bristol Drugs Project", "Kaleidoscope", "the Nelson Trust", "Lifeline",
                     "Oasis Project", "Drink Wise Age Well"]
MONEY = ["£50 a week", "£1,200", "£85.60", "£300 in arrears", "£20"]
STARTERS = ["Honestly", "Nobody", "Sometimes", "Methadone", "Housing", "Recovery", "Mostly",
            "Keyworkers", "Buprenorphine", "Detox", "Benzos", "Outreach", "Overall"]

SURVEY = [
    "My keyworker {first} has been brilliant, she rings me every week.",
    "{starter} the best thing was {first} at {service} who actually listened.",
    "I was moved from {first} to {first} and had to tell my story all over again.",
    "{titled} at the surgery kept my prescription going when I was in hospital.",
    "You can put that I said {full} at the hostel sorted my bidding for a flat.",
    "My GP {titled} refused to refer me so I self-referred to {service}.",
    "Contact me on {phone} or {email} if you want to follow up.",
    "My number changed, it's {phone} now.",
    "Please send the voucher to {email}, thanks.",
    "I live at {address}, {place} {postcode} and the bus to the clinic takes an hour.",
    "{starter} I moved to {address} in {date} and lost contact with my worker.",
    "They sent letters to {address} even after I told them I'd moved, postcode {postcode}.",
    "My NHS number is {nhs} if you need to check my records.",
    "NHS no. {nhs}, I was discharged from the detox ward on {date}.",
    "The pharmacy needed my NHS number ({nhs}) before they would dispense.",
    "{starter} the wait was eight weeks, {first} said it used to be two.",
    "I pay {money} for the room and {service} helped with the deposit.",
    "{service} in {place} were good but {service} were useless.",
    "{starter} {unlisted} helped more than {service} ever did.",
    "I got a place at {unlisted} in {date} and I've been dry since.",
    "Me and {first} went to {service} together every {date}.",
    "{full} from the council housing team never returned my calls.",
    "When I was in {place} my probation officer {full} got me onto a course.",
    "My son {first} comes with me to appointments now.",
    "My partner {first} was using too, we both got clean through {service}.",
    "Ask for {titled}, she knows my history.",
    "The peer mentor, a lad called {first}, was the reason I stayed.",
    "{starter} nothing changed until {first} took over my case in {date}.",
    "I text {first} on {phone} when I'm struggling.",
    "Post code is {postcode}, near the big roundabout.",
    "I got {money} from the hardship fund after {first} applied for me.",
    "{first} {surname} is my support worker and she is amazing.",
    "I stayed at my sister {first}'s place at {address} for a few months.",
    "{starter} I'd give {service} ten out of ten.",
    "Housing officer {full} said there was nothing available in {place}.",
    "Email {email} is best, I don't always have credit.",
    "My mum's address is {address}, {postcode}, you can write to me there.",
    "My details: {full}, {phone}, NHS {nhs}.",
]
INTERVIEW = [
    "Interviewer: How did you first get in touch with the service?\n"
    "Respondent: It was {first}, my keyworker at {service}. She came to find me at the hostel.",
    "Interviewer: And who supports you now?\n"
    "Respondent: {full}. Proper good. And {titled} at the practice on {address}.",
    "Q: What made the difference?\nA: Honestly? {first}. And getting out of {place}.",
    "Interviewer: Can we reach you after the study?\n"
    "Respondent: Yeah, {phone}. Or email {email}, I check it on the library computers.",
    "Q: Where were you living then?\nA: A bedsit at {address}, {postcode}. Damp everywhere.",
    "Interviewer: Did you have your NHS number?\n"
    "Respondent: Somewhere. {nhs}, I think, it's on my prescription.",
    "{full}: I didn't trust anyone at first.\nInterviewer: What changed?\n"
    "{full}: {titled} just kept turning up.",
    "Q: Who else was involved?\nA: My cousin {first} {surname} and a guy from {service} called"
    " {first}.",
]


@dataclass(frozen=True)
class Span:
    """A planted identifier or distractor: ``text[start:end]`` of its answer, and its kind."""

    start: int
    end: int
    kind: str
    value: str


@dataclass(frozen=True)
class Answer:
    """One generated answer or interview excerpt with its planted spans."""

    text: str
    source: str  # survey | interview
    planted: tuple[Span, ...]
    distractors: tuple[Span, ...]


def nhs_check_digit(nine: str) -> int | None:
    """The modulus-11 check digit of nine NHS digits, or None when none is valid (10)."""
    total = sum(int(d) * w for d, w in zip(nine, range(10, 1, -1), strict=True))
    check = 11 - total % 11
    return {11: 0, 10: None}.get(check, check)


class _Builder:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.names: dict[str, list[str]] = {}

    def origin(self) -> str:
        return self.rng.choice(list(FIRST_NAMES))

    def first(self) -> str:
        return self.rng.choice(FIRST_NAMES[self.origin()])

    def surname(self) -> str:
        return self.rng.choice(SURNAMES[self.origin()])

    def nhs(self, *, valid: bool = True) -> str:
        while True:
            nine = str(self.rng.choice([4, 6, 7])) + "".join(
                str(self.rng.randrange(10)) for _ in range(8))
            check = nhs_check_digit(nine)
            if check is None:
                continue
            if not valid:
                check = (check + self.rng.randrange(1, 10)) % 10
                if nhs_check_digit(nine) == check:
                    continue
            digits = nine + str(check)
            layout = self.rng.random()
            if layout < 0.6:
                return f"{digits[:3]} {digits[3:6]} {digits[6:]}"
            return digits if layout < 0.85 else f"{digits[:3]}-{digits[3:6]}-{digits[6:]}"

    def phone(self) -> str:
        layout = self.rng.choice(PHONE_LAYOUTS)
        return layout.replace("{3}", f"{self.rng.randrange(1000):03d}")

    def email(self) -> str:
        first, last = self.first().lower(), self.surname().lower().replace("'", "")
        last = last.replace("ś", "s")
        local = self.rng.choice([f"{first}.{last}", f"{first}{self.rng.randrange(10, 99)}",
                                 f"{first[0]}{last}", f"{first}_{last}{self.rng.randrange(9)}"])
        return f"{local}@{self.rng.choice(EMAIL_DOMAINS)}"

    def address(self) -> str:
        number = str(self.rng.randrange(1, 240)) + self.rng.choice(["", "", "", "a", "b"])
        street = f"{self.rng.choice(STREETS)} {self.rng.choice(STREET_TYPES)}"
        flat = f"Flat {self.rng.randrange(1, 30)}, " if self.rng.random() < 0.2 else ""
        return f"{flat}{number} {street}"


_SLOT = re.compile(r"\{(\w+)\}")


def _fill(template: str, build: _Builder) -> tuple[str, list[Span], list[Span]]:
    """Fill a template's slots, recording each planted identifier and distractor span."""
    rng = build.rng
    text, planted, distractors, pos = [], [], [], 0
    length = 0
    for match in _SLOT.finditer(template):
        literal = template[pos:match.start()]
        text.append(literal)
        length += len(literal)
        slot = match.group(1)
        if slot == "titled":
            title = rng.choice(TITLES) + " "
            text.append(title)
            length += len(title)
            value, kind = build.surname(), PERSON
        elif slot == "full":
            value, kind = f"{build.first()} {build.surname()}", PERSON
        elif slot in ("first", "surname"):
            value, kind = getattr(build, slot)(), PERSON
        elif slot in ("email", "phone", "nhs", "address"):
            value, kind = getattr(build, slot)(), slot.upper()
        elif slot == "postcode":
            value, kind = rng.choice(POSTCODES), POSTCODE
        else:
            pool = {"service": SERVICES, "place": PLACES, "date": DATES, "money": MONEY,
                    "starter": STARTERS, "unlisted": UNLISTED_SERVICES}[slot]
            value, kind = rng.choice(pool), f"{DISTRACTOR}:{slot}"
        span = Span(length, length + len(value), kind, value)
        (distractors if kind.startswith(DISTRACTOR) else planted).append(span)
        text.append(value)
        length += len(value)
        pos = match.end()
    text.append(template[pos:])
    return "".join(text), planted, distractors


def _join(parts: list[tuple[str, list[Span], list[Span]]], sep: str) -> Answer:
    text, planted, distractors, offset = [], [], [], 0
    for part_text, part_planted, part_distractors in parts:
        text.append(part_text)
        planted += [Span(s.start + offset, s.end + offset, s.kind, s.value) for s in part_planted]
        distractors += [Span(s.start + offset, s.end + offset, s.kind, s.value)
                        for s in part_distractors]
        offset += len(part_text) + len(sep)
    source = "interview" if sep == "\n" else "survey"
    return Answer(sep.join(text), source, tuple(planted), tuple(distractors))


def generate(n: int, *, seed: int = 0, interview_share: float = 0.25) -> list[Answer]:
    """``n`` answers (survey answers and interview excerpts), the same for the same seed."""
    rng = random.Random(seed)
    build = _Builder(rng)
    answers = []
    for _ in range(n):
        if rng.random() < interview_share:
            parts = [_fill(rng.choice(INTERVIEW), build) for _ in range(rng.randint(1, 2))]
            answers.append(_join(parts, "\n"))
        else:
            parts = [_fill(rng.choice(SURVEY), build) for _ in range(rng.randint(1, 3))]
            answers.append(_join(parts, " "))
    return answers


def invalid_nhs_numbers(n: int, *, seed: int = 0) -> list[str]:
    """``n`` ten-digit numbers laid out like NHS numbers whose check digit is wrong."""
    build = _Builder(random.Random(seed))
    return [build.nhs(valid=False) for _ in range(n)]


def documents_frame(answers: list[Answer], *, wave: str = "bench") -> pd.DataFrame:
    """The answers as a ``documents`` table (the pipeline's columns plus one attribute)."""
    from pipeline import schema as s

    rows = [{s.DOCUMENT_ID: f"{wave}:{i}", s.WAVE: wave, s.SOURCE: f"{a.source}.csv",
             s.KIND: a.source, s.RESPONDENT_ID: f"R{i:04d}", s.QUESTION_ID: "q1",
             s.QUESTION: "Tell us about the support you get", s.TEXT: a.text, s.LINE: i + 2,
             "region": "North"} for i, a in enumerate(answers)]
    return pd.DataFrame(rows)


def _covered(span: Span, found: list[tuple[int, int]]) -> bool:
    """Every character of ``span`` is inside some finding."""
    chars = set(range(span.start, span.end))
    for start, end in found:
        chars -= set(range(start, end))
    return not chars


def score(answers: list[Answer], found: list[list[tuple[int, int]]]) -> dict:
    """Recall per identifier type, distractors kept, and precision of ``found`` spans.

    A planted identifier is recalled when every character of it is inside a found span (of any
    type: it no longer appears). A distractor is kept when no found span touches it. Precision is
    the share of found spans that overlap a planted identifier.
    """
    planted = {kind: [0, 0] for kind in KINDS}
    groups: dict[str, list[int]] = {}
    kept = total_distractors = hits = n_found = 0
    for answer, spans in zip(answers, found, strict=True):
        for span in answer.planted:
            planted[span.kind][1] += 1
            planted[span.kind][0] += _covered(span, spans)
        for span in answer.distractors:
            total_distractors += 1
            untouched = all(e <= span.start or s >= span.end for s, e in spans)
            kept += untouched
            group = groups.setdefault(span.kind.split(":")[1], [0, 0])
            group[0] += untouched
            group[1] += 1
        for s, e in spans:
            n_found += 1
            hits += any(s < p.end and p.start < e for p in answer.planted)
    return {
        "recall": {k: (r / n if n else float("nan")) for k, (r, n) in planted.items()},
        "planted": {k: n for k, (_, n) in planted.items()},
        "distractors_kept": kept / total_distractors if total_distractors else float("nan"),
        "distractors": total_distractors,
        "kept_by_group": {g: k / n for g, (k, n) in sorted(groups.items())},
        "precision": hits / n_found if n_found else float("nan"),
        "found": n_found,
    }


def leaked(answers: list[Answer], redacted_texts: list[str]) -> list[tuple[int, str]]:
    """Planted identifiers still present, as whole words, in the redacted texts: (answer, kind)."""
    leaks = []
    for i, (answer, text) in enumerate(zip(answers, redacted_texts, strict=True)):
        for span in answer.planted:
            if re.search(rf"(?<!\w){re.escape(span.value)}(?!\w)", text):
                leaks.append((i, span.kind))
    return leaks
