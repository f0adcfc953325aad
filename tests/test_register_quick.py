"""The common register row checked in one pass (domain/register_quick.py, issue 16) gives
what _RowChecker gives: the same organisations, and the same problems where there are."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from cbct_docs.domain import register_quick
from cbct_docs.domain.register import Organisation, read_register
from cbct_docs.errors import CbctError
from cbct_docs.paths import samples_dir
from cbct_docs.records import Origin, Record

from .registers import edited_register

BADINPUT = Path(__file__).parent / "badinput"
REGISTERS = sorted([samples_dir() / "register.xlsx", samples_dir() / "register.csv",
                    *BADINPUT.glob("*/register.*"), *BADINPUT.glob("*/data.csv")])


def reading(path: Path) -> tuple[str, list[str]]:
    """The organisations (with their origins) or the problems, as a person reads them."""
    try:
        found = read_register(path)
    except CbctError as error:
        return "problems", error.messages()
    return "organisations", [f"{org!r} {org.origin}" for org in found]


def without_quick(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(register_quick.Quick, "organisation", lambda self, record: None)


@pytest.mark.parametrize("path", REGISTERS, ids=lambda path: f"{path.parent.name}/{path.name}")
def test_every_register_reads_as_without_the_quick_path(
        path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    quick = reading(path)
    without_quick(monkeypatch)
    assert quick == reading(path)


def test_rows_of_every_kind_read_as_without_the_quick_path(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Rows that share the first row's branch, framework, modules and category (so the
    quick path may take them), with values it takes (accents to normalise, white space,
    a lowercase postcode, an empty street) and values it leaves to _RowChecker (a date
    with a time, a text date, a number as city, a lowercase category; in a second
    register a wrong e-mail address and postcode, which _RowChecker reports)."""
    rows = openpyxl.load_workbook(samples_dir() / "register.xlsx").worksheets[0]
    numbers = [str(rows.cell(row, 1).value) for row in range(2, rows.max_row + 1)]
    same = {"branch": "VOB", "framework": "KiB", "modules": "leesbevordering; ido",
            "category": "III"}
    odd: list[dict[str, object]] = [
        {"name": "  Bibliotheek\u00a0  Cafe\u0301 ", "postcode": "1234ab", "street": None},
        {"certified_until": dt.datetime(2025, 5, 1, 9, 30)},
        {"certified_until": "1 mei 2025", "city": 4001},
        {"category": "iii", "contact": "  Anna   de Wit "},
    ]
    changes = {number: {**same, **(odd[index] if index < len(odd) else {})}
               for index, number in enumerate(numbers[1:])}
    good = edited_register(tmp_path / "register.xlsx", changes)
    bad = edited_register(tmp_path / "bad.xlsx", {  # rows the quick path would take but
        **changes, numbers[-1]: {**changes[numbers[-1]], "email": "geen"},
        numbers[-2]: {**changes[numbers[-2]], "postcode": "12345"}})
    taken: list[Organisation] = []
    quick = register_quick.Quick.organisation

    def counted(self: register_quick.Quick, record: Record) -> Organisation | None:
        made = quick(self, record)
        taken.extend([made] if made is not None else [])
        return made

    monkeypatch.setattr(register_quick.Quick, "organisation", counted)
    quickly = [reading(good), reading(bad)]
    assert [org.cert_nr for org in taken[:2]] == numbers[1:2] + numbers[5:6]
    assert taken[0].name == "Bibliotheek Café" and taken[0].postcode == "1234 AB"
    without_quick(monkeypatch)
    assert quickly == [reading(good), reading(bad)]
    assert quickly[0][0] == "organisations"
    assert quickly[1][0] == "problems" and len(quickly[1][1]) == 2
    assert any("'geen'" in m for m in quickly[1][1])
    assert any("'12345'" in m for m in quickly[1][1])


def test_an_organisation_made_at_once_is_the_constructed_one() -> None:
    values = ("CBCT-0101", "Bibliotheek", ("VOB",), "KiB", ("ido",), "An", "a@b.nl",
              "Straat 1", "1234 AB", "Stad", dt.date(2025, 5, 1), "II",
              Origin("r.xlsx", "Organisaties", 2))
    made, built = register_quick._made(values), Organisation(*values)
    assert register_quick._PLAIN
    assert type(made) is Organisation and made == built and hash(made) == hash(built)
    assert repr(made) == repr(built) and made.origin == built.origin
    with pytest.raises(AttributeError):  # frozen as ever
        made.name = "other"  # type: ignore[misc]
