"""Builds the bad-input corpus: one folder per case, each with its inputs and case.json.

Run ``python -m tests.badinput.build`` to regenerate the folders (``make badinput``).
case.json keys:
  args      command line; ``{case}`` is the case folder, ``{out}`` an output folder
  exit      expected exit code (1 data/template, 2 usage)
  error     the expected start of the first ``Error:`` line, location first
  count     optional: how many ``Error:`` lines (all problems of a run at once)
  outputs   files that must exist in {out} afterwards (the other records are unaffected)
  contains  {file: [text, ...]} text a reader must find in an output
  setup     optional: "readonly-out" (the output folder is made unwritable),
            "fsize-limit" (writes above 60 kB fail, as on a full disk)
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import docx
import openpyxl

HERE = Path(__file__).parent
CASES: dict[str, Callable[[Path], dict[str, Any]]] = {}


Builder = Callable[[Path], dict[str, Any]]


def case(name: str) -> Callable[[Builder], Builder]:
    def register(func: Builder) -> Builder:
        CASES[name] = func
        return func

    return register


def letter(path: Path, *paragraphs: str) -> None:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    document.save(str(path))


def csv_file(path: Path, text: str, encoding: str = "utf-8") -> None:
    path.write_bytes(text.encode(encoding))


def workbook(path: Path, rows: list[list[Any]], title: str = "Organisaties",
             edit: Callable[[Any], None] | None = None) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    for row in rows:
        ws.append(row)
    if edit:
        edit(ws)
    wb.save(path)


MERGE = ["merge", "{case}/brief.docx", "{case}/data.csv", "--out", "{out}"]


# --- structure ---------------------------------------------------------------------------

@case("csv-empty-file")
def _(d: Path) -> dict[str, Any]:
    letter(d / "brief.docx", "Beste {{ naam }}")
    csv_file(d / "data.csv", "")
    return {"args": MERGE, "error": "{case}/data.csv: the file is empty"}


@case("csv-header-only")
def _(d: Path) -> dict[str, Any]:
    letter(d / "brief.docx", "Beste {{ naam }}")
    csv_file(d / "data.csv", "naam;plaats\n")
    return {"args": MERGE, "error": "{case}/data.csv: has a header row but no records"}


@case("template-missing-column")
def _(d: Path) -> dict[str, Any]:
    letter(d / "brief.docx", "Beste {{ contactpersoon }}, {{ naam }}")
    csv_file(d / "data.csv", "naam;plaats\nBibliotheek Oost;Enschede\n")
    return {"args": ["check", "{case}/brief.docx", "{case}/data.csv"],
            "error": "{case}/brief.docx: uses 'contactpersoon', which is not a column of "
                     "{case}/data.csv"}


@case("xlsx-empty-rows-between")
def _(d: Path) -> dict[str, Any]:
    letter(d / "brief.docx", "{{ naam }} tot {{ tot|datum }}")
    workbook(d / "data.xlsx", [["naam", "tot"], ["A", "1-5-2025"], [None, None], [None, None],
                               ["B", "31-02-2025"], ["C", "2-5-2025"]])
    return {"args": ["merge", "{case}/brief.docx", "{case}/data.xlsx", "--out", "{out}"],
            "error": "{case}/data.xlsx:Organisaties:row 5: '31-02-2025' is not a valid date",
            "outputs": ["A.docx", "C.docx"], "contains": {"C.docx": ["C tot 2 mei 2025"]}}


@case("xlsx-merged-cells")
def _(d: Path) -> dict[str, Any]:
    letter(d / "brief.docx", "{{ naam }} in regio {{ regio }} tot {{ tot|datum }}")

    def merge(ws: Any) -> None:
        ws.merge_cells("B2:B3")

    workbook(d / "data.xlsx", [["naam", "regio", "tot"], ["A", "Noord", "1-5-2025"],
                               ["B", None, "morgen"]], edit=merge)
    return {"args": ["merge", "{case}/brief.docx", "{case}/data.xlsx", "--out", "{out}"],
            "error": "{case}/data.xlsx:Organisaties:row 3: 'morgen' is not a date",
            "outputs": ["A.docx"], "contains": {"A.docx": ["A in regio Noord tot 1 mei 2025"]}}


@case("xlsx-formula-without-value")
def _(d: Path) -> dict[str, Any]:
    letter(d / "brief.docx", "{{ naam }}: {{ bedrag|geld }}")
    workbook(d / "data.xlsx", [["naam", "bedrag"], ["A", 100], ["B", "=B2*2"]])
    return {"args": ["merge", "{case}/brief.docx", "{case}/data.xlsx", "--out", "{out}"],
            "error": "{case}/data.xlsx:Organisaties:row 3:B3: formula =B2*2 has no calculated"}


@case("xlsx-not-a-workbook")
def _(d: Path) -> dict[str, Any]:
    letter(d / "brief.docx", "{{ naam }}")
    (d / "data.xlsx").write_text("naam\nA\n", encoding="utf-8")
    return {"args": ["merge", "{case}/brief.docx", "{case}/data.xlsx", "--out", "{out}"],
            "error": "{case}/data.xlsx: not an Excel workbook"}


@case("xlsx-unknown-sheet")
def _(d: Path) -> dict[str, Any]:
    letter(d / "brief.docx", "{{ naam }}")
    workbook(d / "data.xlsx", [["naam"], ["A"]])
    return {"args": ["merge", "{case}/brief.docx", "{case}/data.xlsx", "--sheet", "Blad1",
                     "--out", "{out}"],
            "error": "{case}/data.xlsx: no sheet named 'Blad1' (sheets: Organisaties)"}


@case("docx-not-a-zip")
def _(d: Path) -> dict[str, Any]:
    (d / "brief.docx").write_text("Beste {{ naam }}", encoding="utf-8")
    csv_file(d / "data.csv", "naam\nA\n")
    return {"args": MERGE, "error": "{case}/brief.docx: not a Word document"}


@case("csv-duplicate-header")
def _(d: Path) -> dict[str, Any]:
    letter(d / "brief.docx", "{{ naam }}")
    csv_file(d / "data.csv", "naam;naam\nA;B\n")
    return {"args": MERGE, "error": "{case}/data.csv:row 1: column 'naam' appears twice"}


@case("csv-value-without-header")
def _(d: Path) -> dict[str, Any]:
    letter(d / "brief.docx", "{{ naam }}")
    csv_file(d / "data.csv", "naam;\nA;\nB;verdwaald\n")
    return {"args": MERGE,
            "error": "{case}/data.csv:row 3: value 'verdwaald' stands in column 2, which has "
                     "no header"}


@case("json-not-a-list")
def _(d: Path) -> dict[str, Any]:
    letter(d / "brief.docx", "{{ naam }}")
    (d / "data.json").write_text('{"naam": "A"}', encoding="utf-8")
    return {"args": ["merge", "{case}/brief.docx", "{case}/data.json", "--out", "{out}"],
            "error": "{case}/data.json: expected a list of objects"}


@case("json-syntax-error")
def _(d: Path) -> dict[str, Any]:
    letter(d / "brief.docx", "{{ naam }}")
    (d / "data.json").write_text('[\n{"naam": "A"},\n{"naam": }\n]', encoding="utf-8")
    return {"args": ["merge", "{case}/brief.docx", "{case}/data.json", "--out", "{out}"],
            "error": "{case}/data.json:line 3: not valid JSON"}


@case("json-item-not-object")
def _(d: Path) -> dict[str, Any]:
    letter(d / "brief.docx", "{{ naam }}")
    (d / "data.json").write_text('[{"naam": "A"}, "B"]', encoding="utf-8")
    return {"args": ["merge", "{case}/brief.docx", "{case}/data.json", "--out", "{out}"],
            "error": "{case}/data.json:record 2: expected an object, found str"}


# --- values ------------------------------------------------------------------------------

@case("date-invalid-text")
def _(d: Path) -> dict[str, Any]:
    letter(d / "brief.docx", "{{ naam }} tot {{ tot|datum }}")
    csv_file(d / "data.csv", "naam;tot\nA;1 mei 2025\nB;31-02-2025\n")
    return {"args": MERGE,
            "error": "{case}/data.csv:row 3: '31-02-2025' is not a valid date: februari 2025 "
                     "has no day 31",
            "outputs": ["A.docx"], "contains": {"A.docx": ["A tot 1 mei 2025"]}}


@case("date-serial-out-of-range")
def _(d: Path) -> dict[str, Any]:
    letter(d / "brief.docx", "{{ naam }} tot {{ tot|datum }}")
    workbook(d / "data.xlsx", [["naam", "tot"], ["A", 45778], ["B", 123]])
    return {"args": ["merge", "{case}/brief.docx", "{case}/data.xlsx", "--out", "{out}"],
            "error": "{case}/data.xlsx:Organisaties:row 3: 123 is not a date",
            "outputs": ["A.docx"], "contains": {"A.docx": ["A tot 1 mei 2025"]}}


@case("date-as-real-excel-date-and-text-month")
def _(d: Path) -> dict[str, Any]:
    letter(d / "brief.docx", "{{ naam }} tot {{ tot|datum }}")
    workbook(d / "data.xlsx", [["naam", "tot"], ["A", dt.datetime(2025, 5, 1)],
                               ["B", "1 mei 2025"], ["C", "1 mai 2025"]])
    return {"args": ["merge", "{case}/brief.docx", "{case}/data.xlsx", "--out", "{out}"],
            "error": "{case}/data.xlsx:Organisaties:row 4: '1 mai 2025' is not a date: "
                     "unknown month 'mai'",
            "outputs": ["A.docx", "B.docx"],
            "contains": {"A.docx": ["A tot 1 mei 2025"], "B.docx": ["B tot 1 mei 2025"]}}


@case("money-not-a-number")
def _(d: Path) -> dict[str, Any]:
    letter(d / "brief.docx", "{{ naam }} betaalt {{ bedrag|geld }}")
    csv_file(d / "data.csv", "naam;bedrag\nA;1.250,50\nB;twintig\n")
    return {"args": MERGE, "error": "{case}/data.csv:row 3: 'twintig' is not a number",
            "outputs": ["A.docx"], "contains": {"A.docx": ["A betaalt € 1.250,50"]}}


# --- text and encoding -------------------------------------------------------------------

@case("csv-neither-utf8-nor-cp1252")
def _(d: Path) -> dict[str, Any]:
    letter(d / "brief.docx", "{{ naam }}")
    (d / "data.csv").write_bytes(b"naam\nA\nB\x81C\n")
    return {"args": MERGE,
            "error": "{case}/data.csv:line 3: byte 0x81 is neither UTF-8 nor Windows-1252"}


@case("csv-bom-and-bad-field")
def _(d: Path) -> dict[str, Any]:
    letter(d / "brief.docx", "{{ naam }} ({{ plaats }})")
    csv_file(d / "data.csv", "naam,plaats\nFryslân Bibliotheken,Ljouwert\n", "utf-8-sig")
    letter(d / "fout.docx", "{{ naam }} ({{ provincie }})")
    return {"args": ["merge", "{case}/fout.docx", "{case}/data.csv", "--out", "{out}"],
            "error": "{case}/data.csv:row 2: {case}/fout.docx: uses 'provincie', which this "
                     "record does not have (available fields: _number, naam, plaats"}


@case("long-cell-and-control-characters")
def _(d: Path) -> dict[str, Any]:
    letter(d / "brief.docx", "{{ naam }}: {{ toelichting }} {{ tot|datum }}")
    long_text = "Lang verhaal " * 770  # over 10,000 characters
    (d / "data.json").write_text(json.dumps([
        {"naam": "Lang", "toelichting": long_text, "tot": "1-5-2025"},
        {"naam": "Stuur\u0001tekens", "toelichting": "bel\u0007 en \u000bvert", "tot": "1-5-2025"},
        {"naam": "Fout", "toelichting": "x", "tot": "2025-13-01"},
    ]), encoding="utf-8")
    return {"args": ["merge", "{case}/brief.docx", "{case}/data.json", "--out", "{out}"],
            "error": "{case}/data.json:record 3: '2025-13-01' is not a valid date: there is no "
                     "month 13",
            "outputs": ["Lang.docx", "Stuur-tekens.docx"],
            "contains": {"Lang.docx": [long_text.strip()],
                         "Stuur-tekens.docx": ["Stuurtekens: bel en vert 1 mei 2025"]}}


@case("template-tags-in-data-print-literally")
def _(d: Path) -> dict[str, Any]:
    letter(d / "brief.docx", "Beste {{ naam }}, {{ opmerking }} {{ tot|datum }}")
    csv_file(d / "data.csv", "naam;opmerking;tot\nA;{{ 7*7 }} en {% if 1 %}x{% endif %};1-5-2025\n"
                             "B;;{{ tot }}\n")
    return {"args": MERGE, "error": "{case}/data.csv:row 3: '{{ tot }}' is not a date",
            "outputs": ["A.docx"],
            "contains": {"A.docx": ["Beste A, {{ 7*7 }} en {% if 1 %}x{% endif %} 1 mei 2025"]}}


@case("special-characters-in-names")
def _(d: Path) -> dict[str, Any]:
    letter(d / "brief.docx", "Beste {{ naam }}, {{ tot|datum }}")
    csv_file(d / "data.csv", 'naam;tot\nKunst&Co <b> "Uden";1-5-2025\n'
                             "Stichting 'De Kunst' / Noord;geen\n")
    return {"args": MERGE, "error": "{case}/data.csv:row 3: 'geen' is not a date",
            "outputs": ['Kunst&Co -b- -Uden.docx'],
            "contains": {'Kunst&Co -b- -Uden.docx': ['Beste Kunst&Co <b> "Uden", 1 mei 2025']}}


@case("path-traversal-in-name-pattern")
def _(d: Path) -> dict[str, Any]:
    letter(d / "brief.docx", "{{ naam }} {{ tot|datum }}")
    csv_file(d / "data.csv", "naam;tot\n../../x;1-5-2025\n..\\..\\y;nooit\n")
    return {"args": MERGE + ["--name", "../../{naam}"],
            "error": "{case}/data.csv:row 3: 'nooit' is not a date",
            "outputs": ["x.docx"], "contains": {"x.docx": ["../../x 1 mei 2025"]}}


@case("name-pattern-unknown-field")
def _(d: Path) -> dict[str, Any]:
    letter(d / "brief.docx", "{{ naam }}")
    csv_file(d / "data.csv", "naam\nA\n")
    return {"args": MERGE + ["--name", "{certnr}-{naam}"], "exit": 2,
            "error": "name pattern uses unknown field certnr"}


# --- templates ---------------------------------------------------------------------------

@case("docx-syntax-error")
def _(d: Path) -> dict[str, Any]:
    letter(d / "brief.docx", "Geachte heer,", "Beste {{ naam }", "Met vriendelijke groet")
    csv_file(d / "data.csv", "naam\nA\n")
    return {"args": MERGE, "error": "{case}/brief.docx: syntax error"}


@case("html-syntax-error")
def _(d: Path) -> dict[str, Any]:
    (d / "mail.html").write_text("<p>Beste {{ naam }},</p>\n<p>{% if x %}</p>\n",
                                 encoding="utf-8")
    csv_file(d / "data.csv", "naam\nA\n")
    return {"args": ["merge", "{case}/mail.html", "{case}/data.csv", "--out", "{out}"],
            "error": "{case}/mail.html:line 2: syntax error"}


@case("template-undefined-field")
def _(d: Path) -> dict[str, Any]:
    (d / "mail.html").write_text("<p>Beste {{ contact }}</p>", encoding="utf-8")
    csv_file(d / "data.csv", "naam\nA\n")
    return {"args": ["merge", "{case}/mail.html", "{case}/data.csv", "--out", "{out}"],
            "error": "{case}/data.csv:row 2: {case}/mail.html: uses 'contact', which this "
                     "record does not have"}


@case("template-sandbox-escape")
def _(d: Path) -> dict[str, Any]:
    letter(d / "brief.docx", "{{ naam.__class__.__mro__ }}")
    csv_file(d / "data.csv", "naam\nA\n")
    return {"args": MERGE, "error": "{case}/data.csv:row 2: {case}/brief.docx: not allowed"}


@case("template-unknown-suffix")
def _(d: Path) -> dict[str, Any]:
    (d / "brief.odt").write_bytes(b"PK")
    csv_file(d / "data.csv", "naam\nA\n")
    return {"args": ["merge", "{case}/brief.odt", "{case}/data.csv", "--out", "{out}"],
            "exit": 2, "error": "{case}/brief.odt: cannot use .odt as a template"}


# --- output side -------------------------------------------------------------------------

@case("output-exists-without-overwrite")
def _(d: Path) -> dict[str, Any]:
    letter(d / "brief.docx", "{{ naam }}")
    csv_file(d / "data.csv", "naam\nA\nB\n")
    return {"args": MERGE, "setup": "existing-output",
            "error": "{out}: 1 file(s) exist already: A.docx",
            "outputs": ["A.docx"]}


@case("output-folder-read-only")
def _(d: Path) -> dict[str, Any]:
    letter(d / "brief.docx", "{{ naam }}")
    csv_file(d / "data.csv", "naam\nA\n")
    return {"args": MERGE, "setup": "readonly-out",
            "error": "{out}: folder is not writable"}


@case("output-write-fails-mid-batch")
def _(d: Path) -> dict[str, Any]:
    letter(d / "brief.docx", "{{ naam }}: {{ tekst }}")
    # hex digests compress badly, so this record's document outgrows the limit
    big = " ".join(hashlib.sha256(str(i).encode()).hexdigest() for i in range(3000))
    (d / "data.json").write_text(json.dumps([
        {"naam": "Klein", "tekst": "kort"}, {"naam": "Groot", "tekst": big},
        {"naam": "Ook klein", "tekst": "kort"}]), encoding="utf-8")
    return {"args": ["merge", "{case}/brief.docx", "{case}/data.json", "--out", "{out}"],
            "setup": "fsize-limit", "error": "{case}/data.json:record 2: {out}/Groot.docx: "
                                             "cannot write",
            "outputs": ["Klein.docx", "Ook klein.docx"],
            "contains": {"Ook klein.docx": ["Ook klein: kort"]}}


# --- the register ------------------------------------------------------------------------

REGISTER_HEADER = ("cert_nr;name;branch;framework;modules;contact;email;street;postcode;city;"
                   "certified_until;category")
GOOD_ROW = ("CBCT-0901;Bibliotheek Zuidwaard;VOB;KiB;leesbevordering;mevrouw J. Peters;"
            "info@zuidwaard.example.nl;Kerkplein 4;3311 AB;Dordrecht;1-5-2025;II")
REGISTER_CHECK = ["register", "check", "{case}/register.csv"]


def register_csv(d: Path, *rows: str, header: str = REGISTER_HEADER) -> None:
    csv_file(d / "register.csv", "\n".join([header, *rows]) + "\n", "cp1252")


@case("register-missing-column")
def _(d: Path) -> dict[str, Any]:
    register_csv(d, GOOD_ROW.replace(";info@zuidwaard.example.nl", ""),
                 header=REGISTER_HEADER.replace(";email", ""))
    return {"args": REGISTER_CHECK, "error": "{case}/register.csv: missing column email"}


@case("register-misspelt-column")
def _(d: Path) -> dict[str, Any]:
    register_csv(d, GOOD_ROW, header=REGISTER_HEADER.replace("postcode", "postocde"))
    return {"args": REGISTER_CHECK,
            "error": "{case}/register.csv: unknown column 'postocde' (did you mean 'postcode'?)"}


@case("register-unknown-framework")
def _(d: Path) -> dict[str, Any]:
    register_csv(d, GOOD_ROW, GOOD_ROW.replace("0901", "0902").replace(";KiB;", ";KIB2;"))
    return {"args": REGISTER_CHECK,
            "error": "{case}/register.csv:row 3:framework: unknown framework 'KIB2'"}


@case("register-unknown-module")
def _(d: Path) -> dict[str, Any]:
    register_csv(d, GOOD_ROW.replace("leesbevordering", "leesbevordering, muziek"))
    return {"args": REGISTER_CHECK,
            "error": "{case}/register.csv:row 2:modules: module 'muziek' is not part of KiB"}


@case("register-duplicate-certificate-number")
def _(d: Path) -> dict[str, Any]:
    register_csv(d, GOOD_ROW, GOOD_ROW.replace("Zuidwaard", "Noordwaard"))
    return {"args": REGISTER_CHECK,
            "error": "{case}/register.csv:row 3:cert_nr: certificate number 'CBCT-0901' "
                     "appears twice"}


@case("register-email-without-at")
def _(d: Path) -> dict[str, Any]:
    register_csv(d, GOOD_ROW.replace("info@zuidwaard", "info.zuidwaard"))
    return {"args": REGISTER_CHECK,
            "error": "{case}/register.csv:row 2:email: 'info.zuidwaard.example.nl' is not an "
                     "e-mail address"}


@case("register-date-invalid")
def _(d: Path) -> dict[str, Any]:
    register_csv(d, GOOD_ROW.replace("1-5-2025", "31-02-2025"))
    return {"args": REGISTER_CHECK,
            "error": "{case}/register.csv:row 2:certified_until: '31-02-2025' is not a valid "
                     "date"}


@case("register-dates-as-date-serial-and-text")
def _(d: Path) -> dict[str, Any]:
    header = REGISTER_HEADER.split(";")
    rows: list[list[Any]] = []
    for number, until in enumerate([dt.datetime(2025, 5, 1), 45778, "1 mei 2025", "1 mei"]):
        row: list[Any] = GOOD_ROW.replace("0901", f"090{number + 1}").split(";")
        row[10] = until
        rows.append(row)
    workbook(d / "register.xlsx", [header, *rows])
    return {"args": ["register", "check", "{case}/register.xlsx"],
            "error": "{case}/register.xlsx:Organisaties:row 5:certified_until: '1 mei' is not "
                     "a date"}


@case("register-all-problems-at-once")
def _(d: Path) -> dict[str, Any]:
    register_csv(d, GOOD_ROW.replace(";II", ";V"),
                 GOOD_ROW.replace("0901", "0902").replace(";VOB;", ";VNG;"),
                 GOOD_ROW.replace("0901", "0903").replace("3311 AB", "33111"))
    return {"args": REGISTER_CHECK, "count": 3,
            "error": "{case}/register.csv:row 2:category: unknown audit category 'V'"}


@case("register-header-only")
def _(d: Path) -> dict[str, Any]:
    register_csv(d)
    return {"args": REGISTER_CHECK, "error": "{case}/register.csv: the register has no "
                                             "organisations"}


# --- score sheets --------------------------------------------------------------------------

def score_sheet(d: Path, edit: Callable[[Any], None]) -> None:
    from cbct_docs.documents.scoresheet_file import new_scoresheet
    from cbct_docs.domain.register import read_register

    register_csv(d, GOOD_ROW)
    (org,) = read_register(d / "register.csv")
    path = new_scoresheet(org, "KiB", d / "score.xlsx", [dt.date(2025, 5, 12)], ["A. Auditor"])
    wb = openpyxl.load_workbook(path)
    for row in range(2, wb["Scores"].max_row + 1):
        wb["Scores"].cell(row, 5).value = "Volledig"
    edit(wb)
    wb.save(path)


@case("scoresheet-unknown-score")
def _(d: Path) -> dict[str, Any]:
    def edit(wb: Any) -> None:
        wb["Scores"].cell(4, 5).value = "Grotendeel"

    score_sheet(d, edit)
    return {"args": ["scoresheet", "check", "{case}/score.xlsx"],
            "error": "{case}/score.xlsx:Scores:row 4:score: 'Grotendeel' is not one of Niet, "
                     "Beperkt, Grotendeels, Volledig"}


@case("scoresheet-unknown-question")
def _(d: Path) -> dict[str, Any]:
    def edit(wb: Any) -> None:
        wb["Scores"].cell(3, 2).value = "9.9"

    score_sheet(d, edit)
    return {"args": ["scoresheet", "check", "{case}/score.xlsx"],
            "error": "{case}/score.xlsx:Scores:row 3:id: unknown question id '9.9'"}


# --- whitepapers ---------------------------------------------------------------------------

def norm_file(d: Path, text: str) -> None:
    (d / "norm.yaml").write_text(text, encoding="utf-8")


WHITEPAPER = ["whitepaper", "{case}/norm.yaml", "--out", "{out}"]


def sample_norm_file() -> str:
    return (HERE.parent.parent / "samples/whitepapers/kib-4-samenwerking.yaml").read_text(
        encoding="utf-8")


@case("whitepaper-unknown-norm")
def _(d: Path) -> dict[str, Any]:
    norm_file(d, sample_norm_file().replace("\nnorm: 4\n", "\nnorm: 9\n", 1))
    return {"args": WHITEPAPER,
            "error": "{case}/norm.yaml:norm: '9' is not a norm of Kwaliteit in Beeld"}


@case("whitepaper-misspelt-field")
def _(d: Path) -> dict[str, Any]:
    norm_file(d, sample_norm_file().replace("  - id: \"4.b\"\n    explanation:",
                                "  - id: \"4.b\"\n    explenation:", 1))
    return {"args": WHITEPAPER, "error": "{case}/norm.yaml:indicators[2].explenation: unknown "
                                         "field 'explenation' (did you mean 'explanation'?)"}


@case("whitepaper-unknown-framework")
def _(d: Path) -> dict[str, Any]:
    norm_file(d, sample_norm_file().replace("framework: KiB", "framework: KwaliteitInBeeld", 1))
    return {"args": WHITEPAPER,
            "error": "{case}/norm.yaml:framework: unknown framework 'KwaliteitInBeeld'"}


# --- the sector overview -------------------------------------------------------------------

RESULTS_HEADER = "nr.;cert. nr.;Naam organisatie;Branchevereniging;Resultaat;Opmerking"


@case("overview-unknown-resultaat")
def _(d: Path) -> dict[str, Any]:
    csv_file(d / "results.csv", RESULTS_HEADER + "\n1;CB-1;Bieb Oost;VOB;Gecertificeerd;\n"
             "2;CB-2;Bieb West;VOB;Gecertificeert;\n", "cp1252")
    return {"args": ["overview", "{case}/results.csv", "--out", "{out}"],
            "error": "{case}/results.csv:row 3:Resultaat: 'Gecertificeert' is not one of"}


@case("overview-header-only")
def _(d: Path) -> dict[str, Any]:
    csv_file(d / "results.csv", RESULTS_HEADER + "\n")
    return {"args": ["overview", "{case}/results.csv", "--out", "{out}"],
            "error": "{case}/results.csv: the table has no rows below its header"}


@case("overview-missing-header")
def _(d: Path) -> dict[str, Any]:
    csv_file(d / "results.csv", RESULTS_HEADER.replace("Opmerking", "Opmerkingen")
             + "\n1;CB-1;Bieb Oost;VOB;Gecertificeerd;\n")
    return {"args": ["overview", "{case}/results.csv", "--out", "{out}"],
            "error": "{case}/results.csv: missing column 'Opmerking' (found 'Opmerkingen'"}


# --- the lifecycle commands ----------------------------------------------------------------

ROOT = HERE.parent.parent


def office(d: Path) -> str:
    shutil.copyfile(ROOT / "cbct-docs.toml", d / "cbct-docs.toml")
    return "{case}/cbct-docs.toml"


@case("announce-certificate-already-expired")
def _(d: Path) -> dict[str, Any]:
    register_csv(d, GOOD_ROW.replace("1-5-2025", "1-5-2021"))
    return {"args": ["announce", "--quarter", "2021-Q2", "--register", "{case}/register.csv",
                     "--date", "1-6-2025", "--config", office(d), "--out", "{out}"],
            "error": "{case}/register.csv:row 2:certified_until: the certificate expired on "
                     "1 mei 2021, before this announcement (1 juni 2025)"}


@case("confirm-appointment-ends-before-it-begins")
def _(d: Path) -> dict[str, Any]:
    shutil.copyfile(ROOT / "samples/register.xlsx", d / "register.xlsx")
    wb = openpyxl.load_workbook(ROOT / "samples/planning.xlsx")
    wb["Afspraken"].cell(3, 4).value = dt.time(8, 0)
    wb.save(d / "planning.xlsx")
    return {"args": ["confirm", "{case}/planning.xlsx", "--register", "{case}/register.xlsx",
                     "--config", office(d), "--out", "{out}"],
            "error": "{case}/planning.xlsx:Afspraken:row 3:eind: ends (08:00) before it "
                     "begins (13:30)"}


@case("confirm-auditors-differ-from-category")
def _(d: Path) -> dict[str, Any]:
    shutil.copyfile(ROOT / "samples/register.xlsx", d / "register.xlsx")
    wb = openpyxl.load_workbook(ROOT / "samples/planning.xlsx")
    wb["Audits"].cell(2, 3).value = "Anna de Wit"  # CBCT-0101, category III: two auditors
    wb.save(d / "planning.xlsx")
    return {"args": ["confirm", "{case}/planning.xlsx", "--register", "{case}/register.xlsx",
                     "--config", office(d), "--date", "1-3-2025", "--org", "CBCT-0101",
                     "--out", "{out}"],
            "error": "{case}/planning.xlsx:Audits:row 2:auditoren: 1 auditor(s) planned, but "
                     "audit category III has 2"}


@case("report-organisation-not-in-register")
def _(d: Path) -> dict[str, Any]:
    score_sheet(d, lambda wb: None)
    shutil.copyfile(ROOT / "samples/register.xlsx", d / "register.xlsx")
    return {"args": ["report", "{case}/score.xlsx", "--concept", "--register",
                     "{case}/register.xlsx", "--config", office(d), "--out", "{out}"],
            "error": "{case}/score.xlsx"}


@case("decide-unknown-score")
def _(d: Path) -> dict[str, Any]:
    def edit(wb: Any) -> None:
        wb["Scores"].cell(5, 5).value = "Voldoende"

    score_sheet(d, edit)
    return {"args": ["decide", "{case}/score.xlsx", "--register", "{case}/register.csv",
                     "--config", office(d), "--out", "{out}"],
            "error": "{case}/score.xlsx:Scores:row 5:score: 'Voldoende' is not one of Niet, "
                     "Beperkt, Grotendeels, Volledig"}


@case("certificate-unknown-organisation")
def _(d: Path) -> dict[str, Any]:
    register_csv(d, GOOD_ROW)
    return {"args": ["certificate", "--org", "CBCT-0910", "--register", "{case}/register.csv",
                     "--config", office(d), "--out", "{out}"],
            "exit": 2, "error": "no organisation with certificate number 'CBCT-0910'"}


@case("send-eml-without-recipient")
def _(d: Path) -> dict[str, Any]:
    mails = d / "mails"
    mails.mkdir()
    (mails / "a.eml").write_bytes(b"From: bureau@cbct.example\r\nSubject: Test\r\n\r\nHallo\r\n")
    return {"args": ["send", "{case}/mails"], "error": "{case}/mails/a.eml"}


def build(only: list[str] | None = None) -> list[Path]:
    made = []
    for name, func in CASES.items():
        if only and name not in only:
            continue
        folder = HERE / name
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir()
        spec = func(folder)
        spec.setdefault("exit", 1)
        (folder / "case.json").write_text(json.dumps(spec, ensure_ascii=False, indent=2) + "\n",
                                          encoding="utf-8")
        made.append(folder)
    return made


if __name__ == "__main__":
    import sys

    for folder in build(sys.argv[1:] or None):
        print(folder.relative_to(HERE.parent.parent))
