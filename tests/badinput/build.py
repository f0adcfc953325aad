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


# --- readers: what a hostile or careless spreadsheet still got through (issue 15) ---------

XLSX_MERGE = ["merge", "{case}/brief.docx", "{case}/data.xlsx", "--out", "{out}"]
JSON_MERGE = ["merge", "{case}/brief.docx", "{case}/data.json", "--out", "{out}"]


def patch_sheet(path: Path, cells: dict[str, str], sheet: str = "xl/worksheets/sheet1.xml",
                workbook_attrs: str = "") -> None:
    """Replace cells in a saved workbook's XML by hand-written ones (a cached formula value,
    which openpyxl cannot write), as Excel would have saved them."""
    import re
    import zipfile

    with zipfile.ZipFile(path) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    xml = parts[sheet].decode("utf-8")
    for reference, replacement in cells.items():
        xml, count = re.subn(rf'<c r="{reference}"[^>]*?(?:/>|>.*?</c>)', replacement, xml,
                             count=1)
        assert count == 1, reference
    parts[sheet] = xml.encode("utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)


def json_file(d: Path, text: str) -> None:
    (d / "data.json").write_text(text, encoding="utf-8")


@case("csv-unclosed-quote-swallows-rows")
def _(d: Path) -> dict[str, Any]:
    letter(d / "brief.docx", "Beste {{ naam }} in {{ plaats }}")
    csv_file(d / "data.csv", 'nr;naam;plaats\n1;"Kunst & Co;Uden\n2;Bieb Oost;Zwolle\n'
                             "3;Taalhuis;Ede\n4;Theater;Breda\n")
    return {"args": MERGE, "error": "{case}/data.csv:line 2: a quote opened in this row is "
                                    "never closed"}


@case("csv-unclosed-quote-in-last-row")
def _(d: Path) -> dict[str, Any]:
    letter(d / "brief.docx", "Beste {{ naam }}")
    csv_file(d / "data.csv", 'naam;plaats\nA;Uden\nB;"Zwolle\n')
    return {"args": MERGE, "error": "{case}/data.csv:line 3: a quote opened in this row is "
                                    "never closed"}


@case("csv-text-after-closing-quote")
def _(d: Path) -> dict[str, Any]:
    letter(d / "brief.docx", "Beste {{ naam }}")
    csv_file(d / "data.csv", 'naam;plaats\nA;Uden\n"De Kunst" Noord;Zwolle\nC;Ede\n')
    return {"args": MERGE, "error": "{case}/data.csv:line 3: a quote in this row is not where "
                                    "CSV allows it"}


@case("csv-quoted-line-break-kept")
def _(d: Path) -> dict[str, Any]:
    letter(d / "brief.docx", "{{ naam }}: {{ adres }} tot {{ tot|datum }}")
    csv_file(d / "data.csv", 'naam;adres;tot\nA;"Kerkplein 4\n3311 AB Dordrecht";1-5-2025\n'
                             "B;Markt 1;nooit\n")
    return {"args": MERGE, "error": "{case}/data.csv:row 3: 'nooit' is not a date",
            "outputs": ["A.docx"], "contains": {"A.docx": ["Kerkplein 4", "3311 AB Dordrecht"]}}


@case("csv-utf8-with-one-cp1252-byte")
def _(d: Path) -> dict[str, Any]:
    letter(d / "brief.docx", "{{ naam }}")
    (d / "data.csv").write_bytes("naam;plaats\nThéâtre de la Ville;Parijs\nCafé".encode()
                                 + b" Caf\xe9;Uden\nD;Ede\n")
    return {"args": MERGE, "error": "{case}/data.csv:line 3: byte 0xe9 is not UTF-8, but line 2 "
                                    "is UTF-8: the file mixes encodings"}


@case("csv-utf8-with-cp1252-euro-sign")
def _(d: Path) -> dict[str, Any]:
    letter(d / "brief.docx", "{{ naam }}")
    (d / "data.csv").write_bytes("naam;bedrag\nFryslân;€ 5\n".encode() + b"B;\x80 7\n")
    return {"args": MERGE, "error": "{case}/data.csv:line 3: byte 0x80 is not UTF-8, but line 2 "
                                    "is UTF-8"}


@case("csv-bom-then-cp1252-byte")
def _(d: Path) -> dict[str, Any]:
    letter(d / "brief.docx", "{{ naam }}")
    (d / "data.csv").write_bytes(b"\xef\xbb\xbfnaam;plaats\nA;Uden\nCaf\xe9;Ede\n")
    return {"args": MERGE, "error": "{case}/data.csv:line 3: byte 0xe9 is not UTF-8, but the "
                                    "file starts as UTF-8 (with a BOM)"}


@case("csv-cp1252-read-exactly")
def _(d: Path) -> dict[str, Any]:
    letter(d / "brief.docx", "{{ naam }} in {{ plaats }}: {{ bedrag|geld }}")
    csv_file(d / "data.csv", "naam;plaats;bedrag\nThéâtre ‘De Kroon’;Fryslân;€ 1.250,50\n"
                             "Café Ĳssel;Ede;5\n".replace("Ĳ", "IJ")
             + "B;Uden;veel\n", "cp1252")
    return {"args": MERGE, "error": "{case}/data.csv:row 4: 'veel' is not a number",
            "outputs": ["Café IJssel.docx", "Théâtre ‘De Kroon’.docx"],
            "contains": {"Théâtre ‘De Kroon’.docx": ["Théâtre ‘De Kroon’ in Fryslân: € 1.250,50"]}}


@case("csv-comma-inside-semicolon-file")
def _(d: Path) -> dict[str, Any]:
    letter(d / "brief.docx", "{{ naam }} in {{ plaats }} tot {{ tot|datum }}")
    csv_file(d / "data.csv", "naam;plaats;tot\nBieb, Noord;Rotterdam, Zuid;1-5-2025\n"
                             "B;Ede, Oost;1-13-2025\n")
    return {"args": MERGE, "error": "{case}/data.csv:row 3: '1-13-2025' is not a valid date",
            "outputs": ["Bieb, Noord.docx"],
            "contains": {"Bieb, Noord.docx": ["Bieb, Noord in Rotterdam, Zuid tot 1 mei 2025"]}}


@case("money-text-ambiguous-thousands")
def _(d: Path) -> dict[str, Any]:
    letter(d / "brief.docx", "{{ naam }} betaalt {{ bedrag|geld }}")
    csv_file(d / "data.csv", "naam;bedrag\nA;1.250,00\nB;1.250\n")
    return {"args": MERGE, "error": "{case}/data.csv:row 3: '1.250' is ambiguous: 1250 or 1,25?",
            "outputs": ["A.docx"], "contains": {"A.docx": ["A betaalt € 1.250,00"]}}


@case("percent-text-fraction-read-once")
def _(d: Path) -> dict[str, Any]:
    letter(d / "brief.docx", "{{ naam }} scoort {{ deel|procent }}")
    csv_file(d / "data.csv", "naam;deel\nA;0.911\nB;0,5\nC;1,250\n")
    return {"args": MERGE, "error": "{case}/data.csv:row 4: '1,250' is ambiguous",
            "outputs": ["A.docx", "B.docx"],
            "contains": {"A.docx": ["A scoort 91,1%"], "B.docx": ["B scoort 50,0%"]}}


@case("number-text-comma-thousand-ambiguous")
def _(d: Path) -> dict[str, Any]:
    letter(d / "brief.docx", "{{ naam }}: {{ leden|getal }} leden")
    csv_file(d / "data.csv", "naam;leden\nA;12.345.678\nB;2,500\n")
    return {"args": MERGE, "error": "{case}/data.csv:row 3: '2,500' is ambiguous",
            "outputs": ["A.docx"], "contains": {"A.docx": ["A: 12.345.678 leden"]}}


def _errors(ws: Any) -> None:
    ws["B3"] = "#N/A"


@case("xlsx-error-cell-na")
def _(d: Path) -> dict[str, Any]:
    letter(d / "brief.docx", "Geachte {{ contact }},")
    workbook(d / "data.xlsx", [["naam", "contact"], ["A", "mevrouw Jansen"], ["B", None]],
             edit=_errors)
    return {"args": XLSX_MERGE, "error": "{case}/data.xlsx:Organisaties:row 3:B3: the cell "
                                         "shows the error #N/A"}


@case("xlsx-error-cached-div0")
def _(d: Path) -> dict[str, Any]:
    letter(d / "brief.docx", "{{ naam }}: {{ bedrag|geld }}")
    workbook(d / "data.xlsx", [["naam", "bedrag"], ["A", 100], ["B", "=B2/0"]])
    patch_sheet(d / "data.xlsx", {"B3": '<c r="B3" t="e"><f>B2/0</f><v>#DIV/0!</v></c>'})
    return {"args": XLSX_MERGE, "error": "{case}/data.xlsx:Organisaties:row 3:B3: the cell "
                                         "shows the error #DIV/0!"}


@case("xlsx-error-cached-ref")
def _(d: Path) -> dict[str, Any]:
    letter(d / "brief.docx", "{{ naam }} in {{ plaats }}")
    workbook(d / "data.xlsx", [["naam", "plaats"], ["A", "Uden"], ["B", "=Lijst!A1"]])
    patch_sheet(d / "data.xlsx", {"B3": '<c r="B3" t="e"><f>#REF!A1</f><v>#REF!</v></c>'})
    return {"args": XLSX_MERGE, "error": "{case}/data.xlsx:Organisaties:row 3:B3: the cell "
                                         "shows the error #REF!"}


@case("xlsx-error-every-kind-at-once")
def _(d: Path) -> dict[str, Any]:
    letter(d / "brief.docx", "{{ naam }}: {{ waarde }}")
    codes = ["#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"]
    workbook(d / "data.xlsx", [["naam", "waarde"], *[[f"R{i}", code] for i, code in
                                                     enumerate(codes)]])
    return {"args": XLSX_MERGE, "count": 7,
            "error": "{case}/data.xlsx:Organisaties:row 2:B2: the cell shows the error #NULL!"}


@case("xlsx-cached-text-formula-read")
def _(d: Path) -> dict[str, Any]:
    letter(d / "brief.docx", "Beste {{ naam }} tot {{ tot|datum }}")
    workbook(d / "data.xlsx", [["naam", "tot"], ["x", "1-5-2025"], ["B", "nooit"]])
    patch_sheet(d / "data.xlsx", {"A2": '<c r="A2" t="str"><f>"Bieb "&amp;"Oost"</f>'
                                        "<v>Bieb Oost</v></c>"})
    return {"args": XLSX_MERGE, "error": "{case}/data.xlsx:Organisaties:row 3: 'nooit' is not a "
                                         "date",
            "outputs": ["Bieb Oost.docx"],
            "contains": {"Bieb Oost.docx": ["Beste Bieb Oost tot 1 mei 2025"]}}


@case("xlsx-merged-across-columns")
def _(d: Path) -> dict[str, Any]:
    letter(d / "brief.docx", "{{ naam }} in {{ plaats }}")

    def edit(ws: Any) -> None:
        ws.merge_cells("A3:B3")

    workbook(d / "data.xlsx", [["naam", "plaats"], ["A", "Uden"],
                               ["Stichting Kunst & Cultuur Noord", None]], edit=edit)
    return {"args": XLSX_MERGE, "error": "{case}/data.xlsx:Organisaties:row 3:A3: cells A3:B3 "
                                         "are merged across columns"}


@case("xlsx-merged-block")
def _(d: Path) -> dict[str, Any]:
    letter(d / "brief.docx", "{{ naam }} in {{ regio }} ({{ plaats }})")

    def edit(ws: Any) -> None:
        ws.merge_cells("B2:C3")

    workbook(d / "data.xlsx", [["naam", "regio", "plaats"], ["A", "Noord", None],
                               ["B", None, None]], edit=edit)
    return {"args": XLSX_MERGE, "error": "{case}/data.xlsx:Organisaties:row 2:B2: cells B2:C3 "
                                         "are merged across columns"}


@case("xlsx-merged-title-above-header")
def _(d: Path) -> dict[str, Any]:
    letter(d / "brief.docx", "{{ naam }}")

    def edit(ws: Any) -> None:
        ws.merge_cells("A1:C1")

    workbook(d / "data.xlsx", [["Register 2025", None, None], ["naam", "plaats", "tot"],
                               ["A", "Uden", "1-5-2025"]], edit=edit)
    return {"args": XLSX_MERGE, "error": "{case}/data.xlsx:Organisaties:row 1:A1: cells A1:C1 "
                                         "are merged across columns"}


def _hide(*rows: int, autofilter: str | None = None) -> Callable[[Any], None]:
    def edit(ws: Any) -> None:
        for row in rows:
            ws.row_dimensions[row].hidden = True
        if autofilter:
            ws.auto_filter.ref = autofilter

    return edit


HIDDEN_ROWS = [["naam", "tot"], ["A", "1-5-2025"], ["Verborgen", "2-5-2025"],
               ["C", "3-5-2025"], ["D", "morgen"]]


@case("xlsx-hidden-row")
def _(d: Path) -> dict[str, Any]:
    letter(d / "brief.docx", "{{ naam }} tot {{ tot|datum }}")
    workbook(d / "data.xlsx", HIDDEN_ROWS, edit=_hide(3))
    return {"args": XLSX_MERGE, "error": "{case}/data.xlsx:Organisaties:row 3: the row is hidden "
                                         "(hidden or filtered out in Excel)"}


@case("xlsx-filtered-rows")
def _(d: Path) -> dict[str, Any]:
    letter(d / "brief.docx", "{{ naam }}")
    rows = [["naam", "kader"], *[[f"Bieb {i}", "KiB" if i % 3 else "ZoO"] for i in range(1, 9)]]
    workbook(d / "data.xlsx", rows, edit=_hide(4, 7, autofilter="A1:B9"))
    return {"args": XLSX_MERGE, "error": "{case}/data.xlsx:Organisaties:row 4: the row is hidden "
                                         "(hidden or filtered out in Excel); 2 hidden rows: 4, 7"}


@case("xlsx-hidden-rows-skipped-on-request")
def _(d: Path) -> dict[str, Any]:
    letter(d / "brief.docx", "{{ naam }} tot {{ tot|datum }}")
    workbook(d / "data.xlsx", HIDDEN_ROWS, edit=_hide(3))
    return {"args": XLSX_MERGE + ["--hidden-rows", "skip"],
            "error": "{case}/data.xlsx:Organisaties:row 5: 'morgen' is not a date",
            "outputs": ["A.docx", "C.docx"], "contains": {"C.docx": ["C tot 3 mei 2025"]}}


@case("xlsx-hidden-rows-included-on-request")
def _(d: Path) -> dict[str, Any]:
    letter(d / "brief.docx", "{{ naam }} tot {{ tot|datum }}")
    workbook(d / "data.xlsx", HIDDEN_ROWS, edit=_hide(3))
    return {"args": XLSX_MERGE + ["--hidden-rows", "include"],
            "error": "{case}/data.xlsx:Organisaties:row 5: 'morgen' is not a date",
            "outputs": ["A.docx", "C.docx", "Verborgen.docx"],
            "contains": {"Verborgen.docx": ["Verborgen tot 2 mei 2025"]}}


def workbook_1904(path: Path, rows: list[list[Any]], date_format: bool = False) -> None:
    from openpyxl.utils.datetime import CALENDAR_MAC_1904

    wb = openpyxl.Workbook()
    wb.epoch = CALENDAR_MAC_1904
    ws = wb.active
    ws.title = "Organisaties"
    for row in rows:
        ws.append(row)
    if date_format:
        for cell in ws["B"][1:]:
            cell.number_format = "d-m-yyyy"
    wb.save(path)


@case("xlsx-1904-serial-number-as-date")
def _(d: Path) -> dict[str, Any]:
    letter(d / "brief.docx", "{{ naam }} tot {{ tot|datum }}")
    # 44316 days after 1 January 1904 is 1 May 2025 (in a 1900 workbook: 30 April 2021).
    workbook_1904(d / "data.xlsx", [["naam", "tot"], ["A", 44316], ["B", "nooit"]])
    return {"args": XLSX_MERGE, "error": "{case}/data.xlsx:Organisaties:row 3: 'nooit' is not a "
                                         "date",
            "outputs": ["A.docx"], "contains": {"A.docx": ["A tot 1 mei 2025"]}}


@case("xlsx-1904-date-cells")
def _(d: Path) -> dict[str, Any]:
    letter(d / "brief.docx", "{{ naam }} tot {{ tot|datum }}")
    workbook_1904(d / "data.xlsx", [["naam", "tot"], ["A", dt.datetime(2025, 5, 1)],
                                    ["B", "nooit"]], date_format=True)
    return {"args": XLSX_MERGE, "error": "{case}/data.xlsx:Organisaties:row 3: 'nooit' is not a "
                                         "date",
            "outputs": ["A.docx"], "contains": {"A.docx": ["A tot 1 mei 2025"]}}


@case("xlsx-huge-empty-formatted-cell")
def _(d: Path) -> dict[str, Any]:
    from openpyxl.styles import Font

    letter(d / "brief.docx", "{{ naam }} tot {{ tot|datum }}")

    def edit(ws: Any) -> None:
        ws.cell(1048576, 16384).font = Font(bold=True)  # formatted, empty: XFD1048576

    workbook(d / "data.xlsx", [["naam", "tot"], ["A", "1-5-2025"], ["B", "nooit"]], edit=edit)
    return {"args": XLSX_MERGE, "error": "{case}/data.xlsx:Organisaties:row 3: 'nooit' is not a "
                                         "date",
            "outputs": ["A.docx"], "contains": {"A.docx": ["A tot 1 mei 2025"]}}


@case("xlsx-formula-text-read-as-text")
def _(d: Path) -> dict[str, Any]:
    from cbct_docs.records.inert import set_cell

    letter(d / "brief.docx", "Beste {{ naam }} tot {{ tot|datum }}")

    def edit(ws: Any) -> None:
        set_cell(ws["A2"], "=1+1 & Co")

    workbook(d / "data.xlsx", [["naam", "tot"], [None, "1-5-2025"], ["B", "nooit"]], edit=edit)
    return {"args": XLSX_MERGE, "error": "{case}/data.xlsx:Organisaties:row 3: 'nooit' is not a "
                                         "date",
            "outputs": ["=1+1 & Co.docx"],
            "contains": {"=1+1 & Co.docx": ["Beste =1+1 & Co tot 1 mei 2025"]}}


@case("xlsx-hidden-helper-sheet-first")
def _(d: Path) -> dict[str, Any]:
    letter(d / "brief.docx", "{{ naam }} tot {{ tot|datum }}")

    def edit(ws: Any) -> None:
        helper = ws.parent.create_sheet("Lijsten", 0)
        helper.append(["keuze"])
        helper.append(["#N/A"])
        helper.sheet_state = "hidden"

    workbook(d / "data.xlsx", [["naam", "tot"], ["A", "1-5-2025"], ["B", "nooit"]], edit=edit)
    return {"args": XLSX_MERGE, "error": "{case}/data.xlsx:Organisaties:row 3: 'nooit' is not a "
                                         "date",
            "outputs": ["A.docx"], "contains": {"A.docx": ["A tot 1 mei 2025"]}}


@case("register-xlsx-error-cell")
def _(d: Path) -> dict[str, Any]:
    header = REGISTER_HEADER.split(";")
    row: list[Any] = GOOD_ROW.split(";")
    row[6] = "#N/A"
    workbook(d / "register.xlsx", [header, GOOD_ROW.replace("0901", "0902").split(";"), row])
    return {"args": ["register", "check", "{case}/register.xlsx"],
            "error": "{case}/register.xlsx:Organisaties:row 3:G3: the cell shows the error #N/A"}


@case("register-xlsx-filtered-rows")
def _(d: Path) -> dict[str, Any]:
    header = REGISTER_HEADER.split(";")
    rows = [GOOD_ROW.replace("0901", f"090{n}").split(";") for n in range(1, 5)]
    workbook(d / "register.xlsx", [header, *rows], edit=_hide(3, 4, autofilter="A1:L5"))
    return {"args": ["register", "check", "{case}/register.xlsx"],
            "error": "{case}/register.xlsx:Organisaties:row 3: the row is hidden"}


@case("register-xlsx-merged-across-columns")
def _(d: Path) -> dict[str, Any]:
    header = REGISTER_HEADER.split(";")

    def edit(ws: Any) -> None:
        ws.merge_cells("H2:J2")  # street, postcode, city in one cell

    workbook(d / "register.xlsx", [header, GOOD_ROW.split(";")], edit=edit)
    return {"args": ["register", "check", "{case}/register.xlsx"],
            "error": "{case}/register.xlsx:Organisaties:row 2:H2: cells H2:J2 are merged across "
                     "columns"}


@case("scoresheet-error-cell")
def _(d: Path) -> dict[str, Any]:
    def edit(wb: Any) -> None:
        wb["Scores"].cell(4, 5).value = "#N/A"

    score_sheet(d, edit)
    return {"args": ["scoresheet", "check", "{case}/score.xlsx"],
            "error": "{case}/score.xlsx:Scores:row 4:E4: the cell shows the error #N/A"}


@case("scoresheet-hidden-row")
def _(d: Path) -> dict[str, Any]:
    def edit(wb: Any) -> None:
        wb["Scores"].row_dimensions[6].hidden = True

    score_sheet(d, edit)
    return {"args": ["scoresheet", "check", "{case}/score.xlsx"],
            "error": "{case}/score.xlsx:Scores:row 6: the row is hidden"}


@case("scoresheet-merged-across-columns")
def _(d: Path) -> dict[str, Any]:
    def edit(wb: Any) -> None:
        wb["Bevindingen"].cell(2, 3).value = "Sterk beleid, goede samenwerking"
        wb["Bevindingen"].merge_cells("C2:E2")

    score_sheet(d, edit)
    return {"args": ["scoresheet", "check", "{case}/score.xlsx"],
            "error": "{case}/score.xlsx:Bevindingen:row 2:C2: cells C2:E2 are merged across "
                     "columns"}


@case("confirm-planning-error-cell")
def _(d: Path) -> dict[str, Any]:
    shutil.copyfile(ROOT / "samples/register.xlsx", d / "register.xlsx")
    wb = openpyxl.load_workbook(ROOT / "samples/planning.xlsx")
    wb["Afspraken"].cell(3, 5).value = "#REF!"
    wb.save(d / "planning.xlsx")
    return {"args": ["confirm", "{case}/planning.xlsx", "--register", "{case}/register.xlsx",
                     "--config", office(d), "--out", "{out}"],
            "error": "{case}/planning.xlsx:Afspraken:row 3:E3: the cell shows the error #REF!"}


@case("confirm-planning-hidden-row")
def _(d: Path) -> dict[str, Any]:
    shutil.copyfile(ROOT / "samples/register.xlsx", d / "register.xlsx")
    wb = openpyxl.load_workbook(ROOT / "samples/planning.xlsx")
    wb["Afspraken"].row_dimensions[4].hidden = True
    wb.save(d / "planning.xlsx")
    return {"args": ["confirm", "{case}/planning.xlsx", "--register", "{case}/register.xlsx",
                     "--config", office(d), "--out", "{out}"],
            "error": "{case}/planning.xlsx:Afspraken:row 4: the row is hidden"}


@case("json-duplicate-key")
def _(d: Path) -> dict[str, Any]:
    letter(d / "brief.docx", "{{ naam }}")
    json_file(d, '[{"naam": "A"}, {"naam": "Bieb Oost", "plaats": "Ede", "naam": "Bieb West"}]')
    return {"args": JSON_MERGE, "error": "{case}/data.json:record 2:naam: key 'naam' appears "
                                         "twice"}


@case("json-duplicate-key-nested")
def _(d: Path) -> dict[str, Any]:
    letter(d / "brief.docx", "{{ naam }}, {{ adres.straat }}")
    json_file(d, '[{"naam": "A", "adres": {"straat": "Markt 1", "straat": "Kerkplein 4"}}]')
    # Nested keys are checked only in fields a caller declares structured (the campaign's);
    # here the group itself is refused.
    return {"args": JSON_MERGE, "error": "{case}/data.json:record 1:adres: holds a group of "
                                         "values ({\"straat\": \"Kerkplein 4\"}), not a "
                                         "text or number"}


@case("json-duplicate-records-key")
def _(d: Path) -> dict[str, Any]:
    letter(d / "brief.docx", "{{ naam }}")
    json_file(d, '{"records": [{"naam": "A"}], "records": [{"naam": "B"}]}')
    return {"args": JSON_MERGE, "error": "{case}/data.json: key 'records' appears twice"}


@case("json-nan")
def _(d: Path) -> dict[str, Any]:
    letter(d / "brief.docx", "{{ naam }}: {{ bedrag|geld }}")
    json_file(d, '[{"naam": "A", "bedrag": 10}, {"naam": "B", "bedrag": NaN}]')
    return {"args": JSON_MERGE, "error": "{case}/data.json:record 2:bedrag: NaN is not a number "
                                         "a letter can show"}


@case("json-infinity")
def _(d: Path) -> dict[str, Any]:
    letter(d / "brief.docx", "{{ naam }}: {{ bedrag }}")
    json_file(d, '[{"naam": "A", "bedrag": -Infinity}]')
    return {"args": JSON_MERGE, "error": "{case}/data.json:record 1:bedrag: -Infinity is not a "
                                         "number"}


@case("json-number-too-large-for-a-float")
def _(d: Path) -> dict[str, Any]:
    letter(d / "brief.docx", "{{ naam }}: {{ bedrag }}")
    json_file(d, '[{"naam": "A", "bedrag": 1e999}]')
    return {"args": JSON_MERGE, "error": "{case}/data.json:record 1:bedrag: 1e999 is too large "
                                         "a number"}


@case("json-5000-digit-integer")
def _(d: Path) -> dict[str, Any]:
    letter(d / "brief.docx", "{{ naam }}: {{ nummer }}")
    json_file(d, '[{"naam": "A", "nummer": ' + "7" * 5000 + "}]")
    return {"args": JSON_MERGE, "error": "{case}/data.json:record 1:nummer: a number of 5000 "
                                         "digits"}


@case("json-nested-100000-deep")
def _(d: Path) -> dict[str, Any]:
    letter(d / "brief.docx", "{{ naam }}")
    json_file(d, '[{"naam": "A", "x":\n' + "[" * 100000 + "]" * 100000 + "}]")
    return {"args": JSON_MERGE, "error": "{case}/data.json:line 2: nested deeper than 100 levels"}


@case("json-nan-deep-inside-a-field")
def _(d: Path) -> dict[str, Any]:
    letter(d / "brief.docx", "{{ naam }}")
    json_file(d, '[{"naam": "A", "tarieven": [{"jaar": 2025, "bedrag": NaN}]}]')
    return {"args": JSON_MERGE, "error": "{case}/data.json:record 1:tarieven: holds a list of 1 "
                                         "value ([{\"jaar\": 2025, \"bedrag\": NaN}]), not a "
                                         "text or number"}


@case("json-list-printed-as-a-whole")
def _(d: Path) -> dict[str, Any]:
    letter(d / "brief.docx", "Geachte {{ contact }},")
    json_file(d, '[{"naam": "A", "contact": ["mevrouw A.", "B"]}]')
    return {"args": JSON_MERGE, "error": "{case}/data.json:record 1:contact: holds a list of 2 "
                                         "values ([\"mevrouw A.\", \"B\"]), not a text or "
                                         "number"}


@case("json-yes-no-in-file-name")
def _(d: Path) -> dict[str, Any]:
    letter(d / "brief.docx", "{{ naam }}")
    json_file(d, '[{"naam": "A", "geplaatst": true}]')
    return {"args": JSON_MERGE + ["--name", "{geplaatst}-{naam}"],
            "error": "{case}/data.json:record 1:geplaatst: holds a yes/no value (true), not a "
                     "text or number"}


@case("json-group-printed")
def _(d: Path) -> dict[str, Any]:
    letter(d / "brief.docx", "{{ naam }}, {{ adres }}")
    json_file(d, '[{"naam": "A", "adres": {"nl": "Markt 1", "en": "Market 1"}}]')
    return {"args": JSON_MERGE, "error": "{case}/data.json:record 1:adres: holds a group of "
                                         "values ({\"nl\": \"Markt 1\", \"en\": \"Market "
                                         "1\"}), not a text or number"}


@case("json-yes-no-printed")
def _(d: Path) -> dict[str, Any]:
    letter(d / "brief.docx", "{{ naam }} is actief: {{ actief }}")
    json_file(d, '[{"naam": "A", "actief": "ja"}, {"naam": "B", "actief": false}]')
    return {"args": JSON_MERGE, "error": "{case}/data.json:record 2:actief: holds a yes/no "
                                         "value (false), not a text or number"}


@case("json-non-scalar-fields-all-at-once")
def _(d: Path) -> dict[str, Any]:
    letter(d / "brief.docx", "Geachte {{ contact }}, {{ naam }} in {{ plaats }}")
    json_file(d, '[{"naam": "A", "contact": "mevrouw A.", "plaats": "Ede"},\n'
                 ' {"naam": ["B", "C"], "contact": "heer B.", "plaats": "Tiel"},\n'
                 ' {"naam": "D", "contact": {"voornaam": "D"}, "plaats": true}]')
    return {"args": JSON_MERGE, "count": 3,
            "error": "{case}/data.json:record 2:naam: holds a list of 2 values"}


# --- template mistakes (issue 14): the check that a typo cannot get past --------------------
# Each case: a located error (file, paragraph or cell, its text), exit 1, nothing written.

def mergefield_letter(path: Path) -> None:
    """A Word mail-merge document as Word saves it: a MERGEFIELD showing «contact»."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    document = docx.Document()
    paragraph = document.add_paragraph("Geachte ")
    for xml in ('<w:r %s><w:fldChar w:fldCharType="begin"/></w:r>',
                '<w:r %s><w:instrText xml:space="preserve"> MERGEFIELD contact </w:instrText>'
                '</w:r>',
                '<w:r %s><w:fldChar w:fldCharType="separate"/></w:r>',
                '<w:r %s><w:t>\u00abcontact\u00bb</w:t></w:r>',
                '<w:r %s><w:fldChar w:fldCharType="end"/></w:r>'):
        paragraph._p.append(parse_xml(xml % nsdecls("w")))
    paragraph.add_run(",")
    document.add_paragraph("Hierbij ontvang je de bevestiging van je audit.")
    document.save(str(path))


CONTACT_CSV = "naam;contact\nBibliotheek Oost;mevrouw A. de Vries\n"


@case("template-missing-closing-brace")
def _(d: Path) -> dict[str, Any]:
    letter(d / "brief.docx", "Geachte {{ contact },", "Betreft: je audit",
           "Hierbij bevestigen we de afspraken.", "Afspraken {{ naam }}")
    csv_file(d / "data.csv", CONTACT_CSV)
    return {"args": MERGE, "error": "{case}/brief.docx: syntax error in paragraph 1 "
                                    "'Geachte {{ contact },': '{{' is not closed by '}}'"}


@case("template-missing-brace-dotted-field")
def _(d: Path) -> dict[str, Any]:
    letter(d / "brief.docx", "Geachte {{ organisatie.contact }", "Betreft: je audit",
           "{{ naam }}")
    (d / "data.json").write_text('[{"naam": "A", "organisatie": {"contact": "B"}}]',
                                 encoding="utf-8")
    return {"args": ["merge", "{case}/brief.docx", "{case}/data.json", "--out", "{out}"],
            "error": "{case}/brief.docx: syntax error in paragraph 1 'Geachte "
                     "{{ organisatie.contact }': '{{' is not closed"}


@case("template-stray-closing-braces")
def _(d: Path) -> dict[str, Any]:
    letter(d / "brief.docx", "Geachte {{ contact }},", "Je bibliotheek naam }} is aangemeld.")
    csv_file(d / "data.csv", CONTACT_CSV)
    return {"args": MERGE, "error": "{case}/brief.docx: syntax error in paragraph 2 "
                                    "'Je bibliotheek naam }} is aangemeld.': '}}' closes a tag "
                                    "that was not opened"}


@case("template-tag-across-paragraphs")
def _(d: Path) -> dict[str, Any]:
    letter(d / "brief.docx", "Geachte {{ contact }},", "{% if naam %}Je organisatie",
           "is aangemeld.{% endif %}", "Met vriendelijke groet")
    csv_file(d / "data.csv", CONTACT_CSV)
    return {"args": MERGE, "error": "{case}/brief.docx: syntax error in paragraph 2 "
                                    "'{% if naam %}Je organisatie': '{% if naam %}' opens here "
                                    "and closes in paragraph 3"}


@case("template-tag-across-table-cells")
def _(d: Path) -> dict[str, Any]:
    document = docx.Document()
    document.add_paragraph("Geachte {{ contact }},")
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "{{ naam"
    table.cell(0, 1).text = "}}"
    document.save(str(d / "brief.docx"))
    csv_file(d / "data.csv", CONTACT_CSV)
    return {"args": MERGE, "error": "{case}/brief.docx: syntax error in table 1, row 1, cell 1 "
                                    "'{{ naam': '{{' is not closed", "count": 2}


@case("template-word-mergefield")
def _(d: Path) -> dict[str, Any]:
    mergefield_letter(d / "brief.docx")
    csv_file(d / "data.csv", CONTACT_CSV)
    return {"args": ["check", "{case}/brief.docx", "{case}/data.csv"],
            "error": "{case}/brief.docx: paragraph 1 'Geachte «contact»,': a Word mail-merge "
                     "field (MERGEFIELD contact) is not filled in by cbct-docs; write "
                     "{{ contact }} instead"}


@case("template-word-mergefield-merge")
def _(d: Path) -> dict[str, Any]:
    mergefield_letter(d / "brief.docx")
    csv_file(d / "data.csv", CONTACT_CSV)
    return {"args": MERGE, "error": "{case}/brief.docx: paragraph 1 'Geachte «contact»,': a "
                                    "Word mail-merge field (MERGEFIELD contact)"}


@case("template-guillemet-field-typed")
def _(d: Path) -> dict[str, Any]:
    letter(d / "brief.docx", "Geachte «contact»,", "Hierbij ontvang je de bevestiging.")
    csv_file(d / "data.csv", CONTACT_CSV)
    return {"args": MERGE, "error": "{case}/brief.docx: paragraph 1 'Geachte «contact»,': "
                                    "«contact» looks like a Word mail-merge field; write "
                                    "{{ contact }} instead"}


@case("template-guillemet-field-html")
def _(d: Path) -> dict[str, Any]:
    (d / "mail.html").write_text("<p>Beste {{ contact }},</p>\n<p>Welkom bij «naam».</p>\n",
                                 encoding="utf-8")
    csv_file(d / "data.csv", CONTACT_CSV)
    return {"args": ["merge", "{case}/mail.html", "{case}/data.csv", "--out", "{out}"],
            "error": "{case}/mail.html:line 2: «naam» looks like a Word mail-merge field"}


@case("template-misspelt-field")
def _(d: Path) -> dict[str, Any]:
    letter(d / "brief.docx", "Geachte {{ contcat }},", "Welkom, {{ naam }}.")
    csv_file(d / "data.csv", CONTACT_CSV)
    return {"args": ["check", "{case}/brief.docx", "{case}/data.csv"],
            "error": "{case}/brief.docx: uses 'contcat', which is not a column of "
                     "{case}/data.csv; did you mean 'contact'? (columns: naam, contact; used "
                     "in paragraph 1 'Geachte {{ contcat }},')"}


@case("template-misspelt-field-merge")
def _(d: Path) -> dict[str, Any]:
    letter(d / "brief.docx", "Geachte {{ contcat }},", "Welkom, {{ naam }}.")
    csv_file(d / "data.csv", CONTACT_CSV)
    return {"args": MERGE, "error": "{case}/data.csv:row 2: {case}/brief.docx: uses 'contcat', "
                                    "which this record does not have; did you mean 'contact'?"}


@case("template-word-auto-capital")
def _(d: Path) -> dict[str, Any]:
    letter(d / "brief.docx", "{{ Naam }} is aangemeld.", "Geachte {{ contact }},")
    csv_file(d / "data.csv", CONTACT_CSV)
    return {"args": ["check", "{case}/brief.docx", "{case}/data.csv"],
            "error": "{case}/brief.docx: uses 'Naam', which is not a column of {case}/data.csv; "
                     "did you mean 'naam'? (columns: naam, contact; used in paragraph 1 "
                     "'{{ Naam }} is aangemeld.')"}


@case("template-text-beside-paragraph-tag")
def _(d: Path) -> dict[str, Any]:
    letter(d / "brief.docx", "Geachte {{ contact }},", "Hoe het verder gaat: {%p if naam %}",
           "Je ontvangt het rapport.", "{%p endif %}")
    csv_file(d / "data.csv", CONTACT_CSV)
    return {"args": MERGE, "error": "{case}/brief.docx: paragraph 2 'Hoe het verder gaat: "
                                    "{%p if naam %}': the text 'Hoe het verder gaat:' shares its "
                                    "paragraph with a {%p %} tag"}


@case("template-block-never-closed")
def _(d: Path) -> dict[str, Any]:
    letter(d / "brief.docx", "Geachte {{ contact }},", "{%p if naam %}",
           "Je ontvangt het rapport.")
    csv_file(d / "data.csv", CONTACT_CSV)
    return {"args": MERGE, "error": "{case}/brief.docx: syntax error in paragraph 2 "
                                    "'{%p if naam %}': '{%p if naam %}' is never closed"}


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


# --- limits on what a template may make (render/limits.py) -------------------------------

@case("template-loop-in-a-loop")
def _(d: Path) -> dict[str, Any]:
    letter(d / "brief.docx", "{% for i in range(99999) %}{% for j in range(99999) %}"
                             "{{ naam }}{% endfor %}{% endfor %}")
    csv_file(d / "data.csv", "naam\nA\n")
    return {"args": MERGE, "error": "{case}/data.csv:row 2: {case}/brief.docx: not allowed: "
                                    "the template's loops run more than 1,000,000 steps"}


@case("template-text-times-a-billion")
def _(d: Path) -> dict[str, Any]:
    letter(d / "brief.docx", "{{ naam * 10**9 }}")
    csv_file(d / "data.csv", "naam\nA\n")
    return {"args": MERGE, "error": "{case}/data.csv:row 2: {case}/brief.docx: not allowed: "
                                    "a text or list repeated 1,000,000,000 times"}


@case("template-lorem-ipsum-million")
def _(d: Path) -> dict[str, Any]:
    letter(d / "brief.docx", "{{ lipsum(10**6) }}")
    csv_file(d / "data.csv", "naam\nA\n")
    return {"args": MERGE, "error": "{case}/data.csv:row 2: {case}/brief.docx: uses 'lipsum', "
                                    "which this record does not have"}


@case("template-zip-bomb")
def _(d: Path) -> dict[str, Any]:
    import zipfile

    letter(d / "brief.docx", "Beste {{ naam }},")
    with zipfile.ZipFile(d / "brief.docx", "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/media/opvulling.xml", b" " * (120 * 2**20))
    csv_file(d / "data.csv", "naam\nA\n")
    return {"args": MERGE, "exit": 1,
            "error": "{case}/brief.docx: part word/media/opvulling.xml unpacks to 125,829,120 "
                     "bytes, more than the 20 MB a document may hold"}


if __name__ == "__main__":
    import sys

    for folder in build(sys.argv[1:] or None):
        print(folder.relative_to(HERE.parent.parent))
