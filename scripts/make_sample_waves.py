"""Write the three synthetic sample waves under corpora/, byte-identical on every run.

    python scripts/make_sample_waves.py [--out corpora]

Each wave is a sector survey of treatment services (five open questions plus service
attributes) and telephone interviews with chief executives in the forms transcripts arrive in.
The 2014 wave has a visibly different mix of themes (more funding, commissioning and
governance; fewer employment answers; mental health access worsening); 2015 shifts again (more
commissioning, complex needs and housing) and plants one theme found in no earlier wave and no
code of the codebook: take-home naloxone, for new-theme detection to find. Real-data quirks are
put in on purpose: empty and "N/A" answers, "see above", duplicated submissions, a blank id,
typos, curly quotes and dashes, very long answers, line breaks, a Windows-1252 transcript.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import random
import re
import textwrap
import zipfile
from pathlib import Path

import yaml
from sample_text import (
    AREAS,
    BANKS,
    CHIEF_EXECUTIVES,
    FILLERS,
    HEDGED_ENDINGS,
    INTERVIEW_QUESTIONS,
    OPENERS,
    QUESTION_THEMES,
    TYPOS,
)

FIXED_TIME = dt.datetime(2014, 1, 1, 9, 0, 0)
QUESTIONS = [
    ("q1_needs_met", "needs_met",
     "How well are the recovery support needs of your service users being met?"),
    ("q2_local_gaps", "local_gaps", "What support is missing or hard to access locally?"),
    ("q3_changes", "changes", "What has improved or worsened in the last 12 months?"),
    ("q4_funding", "funding", "How has funding or commissioning of your service changed?"),
    ("q5_partnerships", "partnerships",
     "How well do you work with local partners such as health and wellbeing boards, police and "
     "crime commissioners and Jobcentre Plus?"),
]
ATTRIBUTES = {
    "region": ["North East", "North West", "Yorkshire and the Humber", "East Midlands",
               "West Midlands", "East of England", "London", "South East", "South West"],
    "service_type": ["community", "community", "community", "residential", "young people's",
                     "criminal justice", "hospital liaison"],
    "organisation": ["third sector", "third sector", "NHS", "private"],
}
WAVES = {
    "sector-survey-2013": dict(
        seed=2013, services=170, interviews=10, survey="survey.csv",
        title="Drug and alcohol treatment sector survey 2013",
        fieldwork={"start": dt.date(2013, 5, 1), "end": dt.date(2013, 7, 31)},
        funding_change={"increased": 1, "about the same": 3, "decreased": 4, "don't know": 1},
        themes={"housing": 3, "mental_health": 2, "complex_needs": 1, "physical_health": 1,
                "employment": 3, "family": 1.5, "mutual_aid": 1.5, "funding": 1.5,
                "commissioning": 1, "governance": 1, "treatment": 2, "uncovered": 1.2},
        worsened_share=0.45),
    "sector-survey-2014": dict(
        seed=2014, services=160, interviews=8, survey="survey.xlsx",
        title="Drug and alcohol treatment sector survey 2014",
        fieldwork={"start": dt.date(2014, 5, 1), "end": dt.date(2014, 7, 31)},
        funding_change={"increased": 1, "about the same": 2, "decreased": 6, "don't know": 1},
        themes={"housing": 2, "mental_health": 3, "complex_needs": 1.5, "physical_health": 1,
                "employment": 0.6, "family": 1, "mutual_aid": 1, "funding": 3.5,
                "commissioning": 3, "governance": 2.5, "treatment": 1.5, "uncovered": 1.5},
        worsened_share=0.75),
    "sector-survey-2015": dict(
        seed=2015, services=175, interviews=10, survey="survey.csv",
        title="Drug and alcohol treatment sector survey 2015",
        fieldwork={"start": dt.date(2015, 5, 1), "end": dt.date(2015, 7, 31)},
        funding_change={"increased": 1, "about the same": 2, "decreased": 5, "don't know": 1},
        themes={"housing": 2.5, "mental_health": 2.5, "complex_needs": 2.5, "physical_health": 1,
                "employment": 0.8, "family": 1, "mutual_aid": 1.2, "funding": 2.5,
                "commissioning": 3.5, "governance": 1.5, "treatment": 1.5, "uncovered": 1.2,
                "naloxone": 2.5},
        worsened_share=0.6),
}
QUESTION_SCOPE = {  # themes and stances each survey question draws on
    "q1_needs_met": (None, ["available", "gap", "need"]),
    "q2_local_gaps": (None, ["gap", "gap", "need"]),
    "q3_changes": (None, ["improved", "worsened"]),
    "q4_funding": (["funding", "commissioning"], None),
    "q5_partnerships": (["governance", "employment", "mental_health", "housing"],
                        ["available", "gap", "improved"]),
}
NON_ANSWERS = ["N/A", "n/a", "None", "-", "nothing to add", "see above", "As above"]
FIXED_ANSWERS = {  # answers the tests rely on, exactly as written
    ("S017", "q2_local_gaps"): "ETE support is not available locally.",
    ("S023", "q3_changes"): "Mental health services have raised their thresholds, so many of our "
                            "clients no longer qualify for support.",
    ("S041", "q1_needs_met"): "ETE support is available through our local Jobcentre Plus "
                              "partnership.",
}


def weighted(rng: random.Random, weights: dict[str, float]) -> str:
    """A key of ``weights`` drawn in proportion to its weight."""
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def pick(rng: random.Random, theme: str, stance: str) -> str:
    """One bank sentence of ``theme`` saying ``stance`` (a theme without it falls back to gap)."""
    return rng.choice(BANKS[theme].get(stance) or BANKS[theme]["gap"])


def dress(rng: random.Random, text: str, *, opener: bool = True) -> str:
    """A bank sentence as someone wrote it: a place filled in, an opener, perhaps a hedge."""
    text = text.replace("{area}", rng.choice(AREAS))
    lead = rng.choice(OPENERS).replace("{area}", rng.choice(AREAS)) if opener else ""
    return lead + after_lead(rng, lead, text)


def after_lead(rng: random.Random, lead: str, text: str) -> str:
    """``text`` to follow ``lead`` (lower-cased after one, bar acronyms), perhaps hedged."""
    first = text.split()[0]
    if lead and not (first.isupper() and len(first) > 1) and first != "Jobcentre":
        text = text[0].lower() + text[1:]
    ending = rng.choice(HEDGED_ENDINGS)
    if ending and text.endswith("."):
        text = text[:-1] + ending
    return text


def sentences(rng: random.Random, count: int, draw) -> list[str]:
    """``count`` distinct bank sentences from ``draw(rng) -> (theme, stance)``, dressed."""
    chosen: list[str] = []
    for _ in range(count * 3):
        if len(chosen) == count:
            break
        base = pick(rng, *draw(rng))
        if base not in chosen:
            chosen.append(base)
    return [dress(rng, base) for base in chosen]


def roughen(rng: random.Random, text: str) -> str:
    """What real answers look like: curly quotes, dashes, typos, line breaks."""
    if rng.random() < 0.3:
        text = text.replace("'", "\u2019")
    if rng.random() < 0.1:
        text = text.replace(", ", " \u2013 ", 1)
    if rng.random() < 0.12:
        for right, wrong in TYPOS.items():
            if right in text:
                text = text.replace(right, wrong, 1)
                break
    if rng.random() < 0.05:
        text = text.rstrip(".") + "\u2026"
    return text


def theme_drawer(question: str, wave: dict, funding_change: str):
    """``draw(rng) -> (theme, stance)`` for answers to ``question`` in ``wave``.

    Changes lean worse where the service's funding went down.
    """
    themes, stances = QUESTION_SCOPE[question]
    weights = {t: w for t, w in wave["themes"].items() if themes is None or t in themes}

    def draw(rng: random.Random) -> tuple[str, str]:
        theme = weighted(rng, weights)
        if question == "q3_changes" or (question == "q4_funding" and theme == "funding"):
            worse = wave["worsened_share"] + (0.3 if funding_change == "decreased" else 0)
            return theme, "worsened" if rng.random() < worse else "improved"
        return theme, rng.choice(stances or ["gap", "available", "need", "improved", "worsened"])

    return draw


def survey_answer(rng: random.Random, question: str, wave: dict, funding_change: str) -> str:
    """One service's answer to ``question``: a few sentences on the wave's themes."""
    draw = theme_drawer(question, wave, funding_change)
    count = rng.choices([1, 2, 3, 4], weights=[4, 4, 2, 1])[0]
    parts = [rng.choice(FILLERS)] if question == "q1_needs_met" and rng.random() < 0.4 else []
    parts += sentences(rng, count, draw)
    separator = "\n" if rng.random() < 0.06 else " "
    return roughen(rng, separator.join(parts))


def long_answer(rng: random.Random, wave: dict) -> str:
    """A very long answer: eleven sentences in two paragraphs."""
    stances = ["gap", "worsened", "improved", "available", "need"]
    parts = sentences(rng, 11, lambda r: (weighted(r, wave["themes"]), r.choice(stances)))
    return " ".join(parts[:6]) + "\n\n" + " ".join(parts[6:])


def survey_rows(wave: dict, rng: random.Random) -> list[dict[str, str]]:
    """Every survey row of a wave, with duplicates and a blank id put in."""
    rows = []
    long_services = set(rng.sample(range(1, wave["services"] + 1), 6))
    for number in range(1, wave["services"] + 1):
        service = f"S{number:03d}"
        row = {"service_id": service}
        for name, values in ATTRIBUTES.items():
            row[name] = rng.choice(values)
        row["funding_change"] = weighted(rng, wave["funding_change"])
        for question, column, _ in QUESTIONS:
            draw = rng.random()
            if (service, question) in FIXED_ANSWERS:
                answer = FIXED_ANSWERS[(service, question)]
            elif draw < 0.07:
                answer = ""
            elif draw < 0.10:
                options = NON_ANSWERS if question != "q1_needs_met" else NON_ANSWERS[:5]
                answer = rng.choice(options)
            elif question == "q3_changes" and number in long_services:
                answer = long_answer(rng, wave)
            else:
                answer = survey_answer(rng, question, wave, row["funding_change"])
            row[column] = answer
        rows.append(row)
    for duplicate in rng.sample(rows[:-5], 3):  # submitted twice
        rows.append(dict(duplicate))
    blank = dict(rows[rng.randrange(len(rows))])
    blank["service_id"] = ""
    blank["needs_met"] = survey_answer(rng, "q1_needs_met", wave, blank["funding_change"])
    rows.insert(len(rows) // 2, blank)
    return rows


def interview_turns(rng: random.Random, wave: dict) -> list[tuple[str, str]]:
    """(question, answer) pairs of one chief executive interview."""
    turns = []
    for key, question in INTERVIEW_QUESTIONS:
        # A theme a wave does not have (naloxone before 2015) is left out, not drawn at 0.
        weights = {t: wave["themes"][t] for t in QUESTION_THEMES[key] if t in wave["themes"]}

        def draw(rng: random.Random, weights=weights) -> tuple[str, str]:
            stance = "worsened" if rng.random() < wave["worsened_share"] else rng.choice(
                ["gap", "available", "need", "improved"])
            return weighted(rng, weights), stance

        answer = " ".join(sentences(rng, rng.randint(6, 10), draw))
        lead = rng.choice(["", "", "Well, ", "I mean, ", "That's a good question. ", "Yes. "])
        if lead:
            first = answer.split()[0]
            keep = (first.isupper() and len(first) > 1) or lead.endswith(". ")
            answer = lead + (answer if keep else answer[0].lower() + answer[1:])
        turns.append((question, answer))
    return turns


def render_transcript(form: str, name: str, turns: list[tuple[str, str]]) -> str:
    """An interview written out in one of the transcript forms."""
    first = name.split()[0]
    header = f"Telephone interview with {name}, chief executive\n\n"
    if form == "qa":
        body = "\n\n".join(f"Q: {q}\n\nA: {a}" for q, a in turns)
    elif form == "named":
        body = "\n".join(f"Interviewer: {q}\n{first}: {a}\n" for q, a in turns)
    elif form == "int_r1":
        body = "\n".join(f"INT  {q}\nR1   {a}\n" for q, a in turns)
    elif form == "unlabelled":
        body = "\n\n".join(f"{q}\n\n{a}" for q, a in turns)
    else:  # "pdf": hard-wrapped lines inside sentences, as text extracted from a PDF
        paragraphs = [p for q, a in turns for p in (q, a)]
        body = "\n\n".join(textwrap.fill(p, width=70) for p in paragraphs)
    return header + body + "\n"


def normalised_zip(data: bytes) -> bytes:
    """Rewrite a zip (xlsx/docx) with fixed timestamps and order, so it is byte-identical."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps the save time here
                content = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*",
                                 rb"\g<1>" + FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode(),
                                 content)
            target.writestr(fixed, content)
    return out.getvalue()


def write_docx(path: Path, transcript: str) -> None:
    """A transcript as a .docx, one paragraph per line, with fixed metadata."""
    import docx

    document = docx.Document()
    for paragraph in transcript.split("\n"):
        if paragraph.strip():
            document.add_paragraph(paragraph)
    props = document.core_properties
    props.author, props.created, props.modified = "wavecoder sample", FIXED_TIME, FIXED_TIME
    props.last_printed, props.revision = FIXED_TIME, 1
    buffer = io.BytesIO()
    document.save(buffer)
    path.write_bytes(normalised_zip(buffer.getvalue()))


def write_survey(path: Path, rows: list[dict[str, str]]) -> None:
    """The survey export as .csv or .xlsx."""
    columns = list(rows[0])
    if path.suffix == ".csv":
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=columns)
            writer.writeheader()
            writer.writerows(rows)
        return
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "responses"
    sheet.append(columns)
    for row in rows:
        sheet.append([row[c] or None for c in columns])
    book.properties.creator = "wavecoder sample"
    book.properties.created = book.properties.modified = FIXED_TIME
    buffer = io.BytesIO()
    book.save(buffer)
    path.write_bytes(normalised_zip(buffer.getvalue()))


FORMS = [("qa", ".txt"), ("named", ".txt"), ("int_r1", ".txt"), ("unlabelled", ".txt"),
         ("pdf", ".txt"), ("named", ".cp1252.txt"), ("named", ".docx"), ("qa", ".docx"),
         ("qa", ".txt"), ("pdf", ".txt")]


def write_wave(root: Path, wave_id: str, wave: dict) -> None:
    """One wave folder: survey, interviews and wave.yaml."""
    rng = random.Random(wave["seed"])
    folder = root / wave_id
    (folder / "interviews").mkdir(parents=True, exist_ok=True)
    write_survey(folder / wave["survey"], survey_rows(wave, rng))
    sources: list[dict] = [{
        "kind": "survey", "file": wave["survey"], "respondent_id": "service_id",
        "questions": [{"id": q, "column": c, "text": t} for q, c, t in QUESTIONS],
        "attributes": [*ATTRIBUTES, "funding_change"],
    }]
    for index in range(wave["interviews"]):
        form, suffix = FORMS[index]
        name = CHIEF_EXECUTIVES[index]
        respondent = f"CE{index + 1:02d}"
        transcript = render_transcript(form, name, interview_turns(rng, wave))
        path = folder / "interviews" / f"{respondent}{'.docx' if suffix == '.docx' else '.txt'}"
        if suffix == ".docx":
            write_docx(path, transcript)
        elif suffix == ".cp1252.txt":
            curly = transcript.replace("'", "\u2019").replace(" - ", " \u2013 ")
            path.write_bytes(curly.replace("\n", "\r\n").encode("cp1252"))
        else:
            path.write_text(transcript, encoding="utf-8")
        sources.append({
            "kind": "interview", "file": path.relative_to(folder).as_posix(),
            "respondent_id": respondent,
            "attributes": {"organisation": rng.choice(ATTRIBUTES["organisation"]),
                           "region": rng.choice(ATTRIBUTES["region"]), "role": "chief executive"},
        })
    manifest = {"id": wave_id, "title": wave["title"], "fieldwork": wave["fieldwork"],
                "sources": sources}
    (folder / "wave.yaml").write_text(
        "# Generated by scripts/make_sample_waves.py; edit the script, not this file.\n"
        + yaml.safe_dump(manifest, sort_keys=False, allow_unicode=True, width=100),
        encoding="utf-8")


def main() -> None:
    """Write every sample wave."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).parent.parent / "corpora")
    args = parser.parse_args()
    for wave_id, wave in WAVES.items():
        write_wave(args.out, wave_id, wave)
        print(f"wrote {args.out / wave_id}")


if __name__ == "__main__":
    main()
