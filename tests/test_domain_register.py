"""The organisation register: the samples read alike, and bad rows say what and where."""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Sequence
from pathlib import Path

import openpyxl
import pytest

from cbct_docs.domain.register import find_organisation, read_register
from cbct_docs.errors import DataError, ProblemList, UsageError
from cbct_docs.paths import samples_dir

COLUMNS = ["cert_nr", "name", "branch", "framework", "modules", "contact", "email",
           "street", "postcode", "city", "certified_until", "category"]
GOOD = ["CBCT-0901", "Bibliotheek Zandvoort & Co", "VOB", "KiB", "ido", "J. Jansen",
        "j.jansen@zandvoort.example.nl", "Dorpsplein 1", "2042jd", "Zandvoort", "1-4-2025", "2"]


def write_xlsx(path: Path, rows: Sequence[Sequence[object]],
               header: Sequence[str] = COLUMNS) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Organisaties"
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def test_samples_xlsx_and_csv_hold_the_same_organisations() -> None:
    from_xlsx = read_register(samples_dir() / "register.xlsx")
    from_csv = read_register(samples_dir() / "register.csv")
    assert from_xlsx == from_csv
    assert len(from_xlsx) >= 12
    assert {o.framework for o in from_xlsx} == {"KiB", "ZoO"}
    assert {o.category for o in from_xlsx} == {"I", "II", "III", "IV"}
    assert {o.branch for o in from_xlsx} == {("VOB",), ("Cultuurconnectie",),
                                             ("VOB", "Cultuurconnectie")}
    names = [o.name for o in from_xlsx]
    assert any("&" in n for n in names) and any("/" in n for n in names)
    assert "Bibliotheek Súdwest-Fryslân" in names
    twins = [o for o in from_xlsx if o.name == "Bibliotheek Rivierenland"]
    assert len({o.cert_nr for o in twins}) == 2
    start, end = dt.date(2025, 4, 1), dt.date(2025, 6, 30)
    in_q2 = [o for o in from_xlsx if start <= o.certified_until <= end]
    assert len(in_q2) >= 3 and len(in_q2) < len(from_xlsx)
    assert (samples_dir() / "register.csv").read_bytes().count(b";") > 100
    assert "Kunst&Co Uden" in (samples_dir() / "register.csv").read_bytes().decode("cp1252")


def test_sample_xlsx_sheet_is_named_organisaties() -> None:
    assert openpyxl.load_workbook(samples_dir() / "register.xlsx").sheetnames == ["Organisaties"]


def test_values_are_normalised(tmp_path: Path) -> None:
    (org,) = read_register(write_xlsx(tmp_path / "r.xlsx", [GOOD]))
    assert org.postcode == "2042 JD"
    assert org.category == "II"
    assert org.certified_until == dt.date(2025, 4, 1)
    assert org.modules == ("ido",)
    assert (org.street, org.city) == ("Dorpsplein 1", "Zandvoort")
    assert str(org.origin) == f"{tmp_path / 'r.xlsx'}:Organisaties:row 2"


def test_every_problem_at_once_location_first(tmp_path: Path) -> None:
    rows = [
        GOOD,
        ["CBCT-0902", "Taalhuis Oost", "VOB en KNAW", "ZoO", "ido, taalhuis", "", "geen-mail",
         "", "", "", "31-02-2025", "V"],
        ["CBCT-0901", "Bibliotheek Zandvoort & Co", "beide", "KiX", "", "",
         "a@b.example.nl", "", "", "", "1-5-2025", "I"],
        ["CBCT-0903", "Cultuurhuis", "Cultuurconnectie", "zoo", "", "", "x@y.example.nl",
         "", "1234", "", "binnenkort", "III"],
    ]
    path = write_xlsx(tmp_path / "register.xlsx", rows)
    with pytest.raises(ProblemList) as caught:
        read_register(path)
    where = f"{path}:Organisaties"
    assert caught.value.messages() == [
        f"{where}:row 3:branch: unknown branch association 'KNAW' "
        "(use VOB, Cultuurconnectie, or both as 'VOB; Cultuurconnectie')",
        f"{where}:row 3:modules: module 'ido' is not part of ZoO "
        "(modules of ZoO: taalhuis, leesbevordering)",
        f"{where}:row 3:email: 'geen-mail' is not an e-mail address "
        "(one address, like naam@organisatie.nl)",
        f"{where}:row 3:certified_until: '31-02-2025' is not a valid date: "
        "februari 2025 has no day 31",
        f"{where}:row 3:category: unknown audit category 'V' (use I, II, III, IV)",
        f"{where}:row 4:framework: unknown framework 'KiX' (use KiB or ZoO)",
        f"{where}:row 5:certified_until: 'binnenkort' is not a date "
        "(write it as 1-5-2025, 2025-05-01 or 1 mei 2025)",
        f"{where}:row 5:postcode: '1234' is not a Dutch postcode (like 4001 AB)",
    ]


def test_duplicate_certificate_number(tmp_path: Path) -> None:
    twin = [*GOOD[:1], "Andere naam", *GOOD[2:]]
    path = write_xlsx(tmp_path / "r.xlsx", [GOOD, twin])
    with pytest.raises(ProblemList) as caught:
        read_register(path)
    assert caught.value.messages() == [
        f"{path}:Organisaties:row 3:cert_nr: certificate number 'CBCT-0901' appears twice "
        "(first at row 2; names may repeat, numbers may not)"]


def test_dutch_headers_csv_and_missing_columns(tmp_path: Path) -> None:
    path = tmp_path / "register.csv"
    with path.open("w", encoding="cp1252", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["Certificaatnummer", "Naam", "Branchevereniging", "Kader", "Modules",
                         "Contactpersoon", "E-mail", "Adres", "Postcode", "Plaats",
                         "Gecertificeerd tot", "Categorie"])
        writer.writerow(["CBCT-0950", "Bibliotheek Één", "vob", "kib", "IDO; Taalhuis", "R. Öz",
                         "r.oz@een.example.nl", "Laan 1", "1000 AA", "Amsterdam", "1 mei 2025",
                         "IV"])
    (org,) = read_register(path)
    assert (org.name, org.branch, org.framework, org.modules) == (
        "Bibliotheek Één", ("VOB",), "KiB", ("ido", "taalhuis"))
    assert org.certified_until == dt.date(2025, 5, 1)
    bad = write_xlsx(tmp_path / "kaal.xlsx", [["CBCT-1", "Naam"]], header=["cert_nr", "name"])
    with pytest.raises(DataError, match="kaal.xlsx:Organisaties: missing columns branch, "
                                        "framework, email, certified_until, category"):
        read_register(bad)


def test_json_register_with_lists(tmp_path: Path) -> None:
    record: dict[str, object] = dict(zip(COLUMNS, GOOD, strict=True))
    record.update(branch=["VOB", "Cultuurconnectie"], modules=["leesbevordering", "ido"])
    path = tmp_path / "register.json"
    path.write_text(json.dumps([record]), encoding="utf-8")
    (org,) = read_register(path)
    assert org.branch == ("VOB", "Cultuurconnectie")
    assert org.modules == ("leesbevordering", "ido")


def test_find_organisation() -> None:
    organisations = read_register(samples_dir() / "register.xlsx")
    assert find_organisation(organisations, "cbct-0104").name == "Taalhuis Noord/Oost"
    with pytest.raises(UsageError, match="no organisation with certificate number 'CBCT-9999'"):
        find_organisation(organisations, "CBCT-9999")
