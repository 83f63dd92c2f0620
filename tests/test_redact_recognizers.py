"""The UK recognisers: NHS check digits, phone layouts, postcodes, addresses, names; offline."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap

import pytest
from tests_paths import ROOT

from benchmarks.redaction_corpus import generate, invalid_nhs_numbers, nhs_check_digit
from pipeline.redact import RedactConfig, find_identifiers, nhs_number_is_valid
from pipeline.redact.identifiers import phone_key


def _found(text: str) -> list[tuple[str, str]]:
    return [(text[f.start:f.end], f.entity_type) for f in find_identifiers([text])[0]]


def test_nhs_check_digit():
    assert nhs_number_is_valid("9434765919")  # the NHS's published example number
    assert not nhs_number_is_valid("9434765910")
    assert not nhs_number_is_valid("0000000000")  # passes the sum, never issued
    assert not nhs_number_is_valid("943476591")
    numbers = [a.planted for a in generate(200, seed=5)]
    digits = ["".join(c for c in p.value if c.isdigit())
              for spans in numbers for p in spans if p.kind == "NHS"]
    assert len(digits) > 20 and all(nhs_number_is_valid(d) for d in digits)
    assert nhs_check_digit("943476591") == 9


@pytest.mark.parametrize("layout", ["{0} {1} {2}", "{0}{1}{2}", "{0}-{1}-{2}"])
def test_nhs_numbers_are_found_in_each_layout_and_only_with_a_valid_check_digit(layout):
    valid = layout.format("943", "476", "5919")
    assert _found(f"My NHS number is {valid} if you need it.") == [(valid, "NHS_NUMBER")]
    for number in invalid_nhs_numbers(20, seed=1):
        # a wrong check digit is not an NHS number; without a leading 0 it is no phone either
        assert _found(f"The reference was {number} on the letter.") == [], number


def test_mixed_separators_are_not_an_nhs_number():
    assert _found("Ref 943 476-5919 on the form.") == []


@pytest.mark.parametrize("phone", [
    "07700 900123", "07700900123", "+44 7700 900123", "+447700900123", "+44 (0)7700 900123",
    "07700-900-123", "020 7946 0123", "0207 946 0123", "(020) 7946 0123", "+44 20 7946 0123",
    "0161 496 0123", "0113 4960123", "(0121) 496 0123", "01632 960123", "0808 157 0192",
])
def test_uk_phone_layouts(phone):
    assert _found(f"Ring me on {phone} after six.") == [(phone, "PHONE")]


def test_phone_spellings_share_a_key():
    keys = {phone_key(p) for p in ["07700 900123", "+44 7700 900123", "+44 (0)7700 900123",
                                    "+447700900123", "07700-900-123"]}
    assert keys == {"07700900123"}


def test_numbers_that_are_not_phones_are_kept():
    for text in ["I pay £1,200 a year.", "Since 03/04/2023 I've been clean.",
                 "Room 12, ward 4, bed 2.", "It took 14 weeks and 3 days."]:
        assert _found(text) == [], text


@pytest.mark.parametrize(("text", "expected"), [
    ("Send it to LS6 2AB please.", [("LS6 2AB", "POSTCODE")]),
    ("postcode m14 5rt", [("m14 5rt", "POSTCODE")]),
    ("I live at 27 Albert Road now.", [("27 Albert Road", "ADDRESS")]),
    ("Flat 3, 14b Queen's Crescent is damp.", [("Flat 3, 14b Queen's Crescent", "ADDRESS")]),
    ("Mail jo.bloggs@example.co.uk today.", [("jo.bloggs@example.co.uk", "EMAIL")]),
])
def test_postcodes_addresses_and_emails(text, expected):
    assert _found(text) == expected


@pytest.mark.parametrize(("text", "name"), [
    ("Ask for Dr Patel at the surgery.", "Patel"),
    ("My keyworker Oluwaseun has been brilliant.", "Oluwaseun"),
    ("A lad called Wojciech got me through it.", "Wojciech"),
    ("I was moved from Siobhan to Tendai last year.", "Tendai"),
    ("Mrs O'Neill at the council sorted it.", "O'Neill"),
    ("Housing officer Katarzyna Wiśniewska said no.", "Katarzyna Wiśniewska"),
])
def test_names_after_titles_cues_and_inside_sentences(text, name):
    assert (name, "PERSON") in _found(text)


def test_a_street_without_a_number_is_kept_but_surnames_like_streets_are_names():
    assert _found("I see him every Tuesday at the hub on Albert Road.") == []
    assert _found("I was moved from Jane Hill to Sam Green in March.") == [
        ("Jane Hill", "PERSON"), ("Sam Green", "PERSON")]


def test_a_speaker_label_is_a_name_but_a_role_label_is_not():
    text = "Interviewer: How was it?\nJane Smith: Hard at first.\nRespondent: Yes."
    assert _found(text) == [("Jane Smith", "PERSON")]


def test_services_places_and_calendar_words_are_not_names():
    text = ("Turning Point in Salford and Jobcentre Plus were fine, but the Bristol Drugs "
            "Project closed on Monday. Methadone is all they offer in Lambeth since Christmas.")
    assert _found(text) == []


def test_a_wave_keeps_its_own_local_services_with_keep():
    text = "I got a place at Kaleidoscope in May and Lifeline took over after."
    found = find_identifiers([text])[0]
    assert {text[f.start:f.end] for f in found} == {"Kaleidoscope", "Lifeline"}  # unknown words
    config = RedactConfig(keep=("Kaleidoscope", "lifeline"))
    assert find_identifiers([text], config) == [[]]


@pytest.mark.skipif(sys.platform != "linux", reason="network namespaces are Linux only")
def test_redaction_never_calls_out(tmp_path):
    """In a namespace without network, a fresh home (no tldextract cache), no socket is used.

    An audit hook records every socket connection or name lookup the process attempts;
    tldextract's default extractor would try to fetch the public-suffix list on first use.
    """
    script = textwrap.dedent("""
        import sys
        attempts = []
        def hook(event, args):
            if event in ("socket.connect", "socket.getaddrinfo", "urllib.Request"):
                attempts.append(event)
        sys.addaudithook(hook)
        from pipeline.redact import find_identifiers
        found = find_identifiers(["Email kofi.mensah@hotmail.co.uk or ring 07700 900123."])
        import tldextract.tldextract as t
        assert [f.entity_type for f in found[0]] == ["EMAIL", "PHONE"], found
        assert t.TLD_EXTRACTOR._extractor is None  # the downloading extractor never ran
        assert attempts == [], attempts
        print("offline ok")
    """)
    env = {**os.environ, "HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path / "cache"),
           "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'tests'}"}
    command = [sys.executable, "-c", script]
    unshare = shutil.which("unshare")
    if unshare and subprocess.run([unshare, "-n", "true"], capture_output=True).returncode == 0:
        command = [unshare, "-n", "sh", "-c", 'ip link set lo up 2>/dev/null; exec "$@"', "_",
                   *command]
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "offline ok" in result.stdout
    assert not (tmp_path / "cache" / "python-tldextract").exists()


def test_importing_redaction_loads_no_model():
    code = ("import sys, pipeline.redact; "
            "print(sorted(m for m in ('spacy', 'presidio_analyzer', 'presidio_anonymizer', "
            "'tldextract') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "[]"
