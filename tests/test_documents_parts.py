"""The pieces under the lifecycle documents: Dutch salutations and lists, the score chart,
the planning workbook, the campaign selection, settings and the all-or-nothing batch."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from cbct_docs.deliver.files import safe_filename
from cbct_docs.documents.campaign import read_registrations
from cbct_docs.documents.chart import level_colours
from cbct_docs.documents.confirmation import KIND
from cbct_docs.documents.context import file_stem, office_from
from cbct_docs.documents.planning_data import read_planning
from cbct_docs.documents.wording import dutch_list, salutation
from cbct_docs.domain.register import find_organisation, read_register
from cbct_docs.errors import DataError, OutputError, ProblemList
from cbct_docs.paths import samples_dir
from cbct_docs.runs.before_audit import confirm
from cbct_docs.runs.office import OfficeFolder

from .golden import docx_reading_text

REPO = Path(__file__).resolve().parent.parent
PLANNING = samples_dir() / "planning.xlsx"
SCALE = [("Niet", "red"), ("Beperkt", "red"), ("Grotendeels", "yellow"), ("Volledig", "green")]


@pytest.mark.parametrize(("contact", "expected"), [
    ("de heer R. Hoekstra", "Geachte heer Hoekstra"),
    ("mevrouw A. van Wijk", "Geachte mevrouw Van Wijk"),
    ("mevrouw M. Kuipers-Öztürk", "Geachte mevrouw Kuipers-Öztürk"),
    ("dhr. J.P. de Vries", "Geachte heer De Vries"),
    ("Team Kwaliteit", "Geachte Team Kwaliteit"),
    ("", "Geachte heer, mevrouw"),
])
def test_salutation(contact: str, expected: str) -> None:
    assert salutation(contact) == expected


def test_dutch_list() -> None:
    assert dutch_list([]) == ""
    assert dutch_list(["Anna"]) == "Anna"
    assert dutch_list(["Anna", "Karim"]) == "Anna en Karim"
    assert dutch_list(["Anna", "Karim", "Esra"]) == "Anna, Karim en Esra"


def test_two_reds_get_two_shades() -> None:
    colours = level_colours(SCALE)
    assert colours["Niet"] != colours["Beperkt"]
    assert len(set(colours.values())) == 4


def test_planning_problems_are_reported_together(tmp_path: Path) -> None:
    path = tmp_path / "planning.xlsx"
    book = openpyxl.load_workbook(samples_dir() / "planning.xlsx")
    book["Audits"]["B2"] = "morgen"
    book["Audits"].append(["CBCT-0102", dt.date(2025, 1, 13), "Anna de Wit"])
    book["Afspraken"]["C4"] = "negen uur"
    book.save(path)
    with pytest.raises(ProblemList) as caught:
        read_planning(path)
    messages = caught.value.messages()
    assert messages[0].startswith(f"{path}:Audits:row 2:aangekondigd: 'morgen' is not a date")
    assert messages[1:] == [
        f"{path}:Audits:row 8:cert_nr: certificate number CBCT-0102 appears twice",
        f"{path}:Afspraken:row 4:begin: 'negen uur' is not a time (write it as 9:30)"]


def test_campaign_order_is_by_time_then_row(tmp_path: Path) -> None:
    path = tmp_path / "aanmeldingen.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["naam", "contact", "email", "aangemeld_op"])
    sheet.append(["Later", "A", "a@x.example", dt.datetime(2025, 3, 3, 10, 0)])
    sheet.append(["Gelijk 1", "B", "b@x.example", dt.datetime(2025, 3, 3, 9, 0)])
    sheet.append(["Gelijk 2", "C", "c@x.example", dt.datetime(2025, 3, 3, 9, 0)])
    sheet.append(["Datum", "D", "d@x.example", "2-3-2025"])
    book.save(path)
    assert [r.fields["naam"] for r in read_registrations(path)] == [
        "Datum", "Gelijk 1", "Gelijk 2", "Later"]
    sheet.append(["Zonder tijd", "E", "e@x.example", "ooit"])
    book.save(path)
    with pytest.raises(ProblemList) as caught:
        read_registrations(path)
    assert caught.value.messages()[0].startswith(f"{path}:Sheet:row 6:aangemeld_op: 'ooit'")


def test_settings_name_every_missing_key() -> None:
    with pytest.raises(ProblemList) as caught:
        office_from({"letterhead": {"name": "Bureau", "city": ""}, "sender": {},
                     "signatory": {"name": "X", "role": "directeur"}}, "my.toml")
    messages = caught.value.messages()
    assert "my.toml: [letterhead] city is missing or empty" in messages
    assert "my.toml: [sender] email is missing or empty" in messages
    assert not any("signatory" in m for m in messages)


def _office(folder: Path, changes: dict[str, dict[str, str]] | None = None) -> OfficeFolder:
    """An office with the sample register read in; ``changes``: cert_nr → fields to
    blank or change in the register first."""
    folder.mkdir(parents=True, exist_ok=True)
    register = samples_dir() / "register.xlsx"
    if changes:
        book = openpyxl.load_workbook(register)
        sheet = book.active
        header = [cell.value for cell in sheet[1]]
        for row in sheet.iter_rows(min_row=2):
            for field, value in changes.get(row[0].value, {}).items():
                row[header.index(field)].value = value or None
        register = folder / "register.xlsx"
        book.save(register)
    office = OfficeFolder(folder, REPO / "cbct-docs.toml", new_database_ok=True,
                          database_file=folder / "cbct-ledger.sqlite")
    office.import_register(register)
    return office


def _events(office: OfficeFolder) -> int:
    return int(office.database().execute("SELECT count(*) FROM events").fetchone()[0])


def test_confirm_writes_nothing_when_one_file_exists(tmp_path: Path) -> None:
    office = _office(tmp_path)
    org = find_organisation(read_register(samples_dir() / "register.xlsx"), "CBCT-0102")
    taken = tmp_path / "out" / KIND / f"{safe_filename(file_stem(org, KIND))}.docx"
    taken.parent.mkdir(parents=True)
    taken.write_text("mine", encoding="utf-8")
    with pytest.raises(OutputError, match="exists already"):
        confirm(office, PLANNING, dt.date(2024, 12, 2), out=tmp_path / "out")
    assert [p.name for p in taken.parent.iterdir()] == [taken.name]
    assert taken.read_text(encoding="utf-8") == "mine"
    assert _events(office) == 0  # and nothing recorded
    office.close()


def test_letter_without_contact_leaves_out_the_attention_line(tmp_path: Path) -> None:
    office = _office(tmp_path, {"CBCT-0102": {"contact": ""}})
    result = confirm(office, PLANNING, dt.date(2025, 2, 3), out=tmp_path / "out",
                     only=["CBCT-0102"])
    office.close()
    [made] = result.made
    text = docx_reading_text(made.path)
    assert "t.a.v." not in text
    assert "Bibliotheek Rivierenland\nMarkt 3\n4101 BW  Culemborg" in text
    assert "Beste lezer," in text


def test_unknown_organisation_in_confirm_is_reported(tmp_path: Path) -> None:
    office = _office(tmp_path)
    with pytest.raises(ProblemList) as caught:
        confirm(office, PLANNING, dt.date(2025, 2, 3), out=tmp_path / "out",
                only=["CBCT-0101", "CBCT-0999", "CBCT-0113"])
    assert [str(p) for p in caught.value.problems] == [
        f"{PLANNING}: certificate number CBCT-0999 is not in the register",
        f"{PLANNING}: CBCT-0113 has no audit in the planning"]
    assert all(isinstance(p, DataError) for p in caught.value.problems)
    assert not (tmp_path / "out").exists() and _events(office) == 0
    office.close()


def test_planned_heraudit_day_is_a_weekday() -> None:
    from cbct_docs.documents.decision import next_weekday

    assert next_weekday(dt.date(2026, 1, 3)) == dt.date(2026, 1, 5)  # Saturday → Monday
    assert next_weekday(dt.date(2026, 1, 4)) == dt.date(2026, 1, 5)  # Sunday → Monday
    assert next_weekday(dt.date(2026, 1, 2)) == dt.date(2026, 1, 2)  # Friday stays


def test_no_letter_asks_for_what_is_already_overdue_or_has_no_address(tmp_path: Path) -> None:
    office = _office(tmp_path / "late")
    # CBCT-0103's audit is on 18 February 2025: its zelfevaluatie was due 7 January.
    with pytest.raises(ProblemList) as late:
        confirm(office, PLANNING, dt.date(2025, 2, 3), out=tmp_path / "out",
                only=["CBCT-0103"])
    office.close()
    # Located at the planning's row (the audit date is at fault), naming the organisation.
    assert late.value.messages()[0] == (
        f"{PLANNING}:Audits:row 7: CBCT-0103 Kunst&Co Uden: the "
        "zelfevaluatie was due on 7 januari 2025, 6 weeks before the audit, so before the "
        "date of this letter (3 februari 2025) (date the letter earlier with --date, or plan "
        "the audit later)")
    office = _office(tmp_path / "homeless", {"CBCT-0102": {"street": "", "city": ""}})
    with pytest.raises(ProblemList) as unaddressed:
        confirm(office, PLANNING, dt.date(2025, 2, 3), out=tmp_path / "out",
                only=["CBCT-0102"])
    assert unaddressed.value.messages()[0].endswith(
        ":row 3:street: a letter by post needs street, city, which the register leaves empty "
        "(fill in the postal address in the register)")
    assert not (tmp_path / "out").exists() and _events(office) == 0
    office.close()
