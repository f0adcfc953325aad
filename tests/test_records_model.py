"""records/model.py: row_origin gives the Origin a table reader's row always had."""

from __future__ import annotations

import dataclasses

import pytest

from cbct_docs.records.model import Origin, row_origin


@pytest.mark.parametrize(("file", "sheet", "row"), [
    ("scores/CBCT-00001.xlsx", "Normen", 14), ("register.csv", None, 2), ("a.xlsx", "", 1)])
def test_row_origin_is_the_origin_of_that_row(file: str, sheet: str | None, row: int) -> None:
    made, expected = row_origin(file, sheet, row), Origin(file, sheet, row)
    assert made == expected and hash(made) == hash(expected)
    assert vars(made) == vars(expected)  # every field, also one added to Origin later
    assert repr(made) == repr(expected) and str(made) == str(expected)
    assert str(made.at("kader")) == f"{expected}:kader"
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.row = 3  # type: ignore[misc]


def test_row_origin_reads_as_a_person_sees_it() -> None:
    assert str(row_origin("register.xlsx", "Organisaties", 14)) == \
        "register.xlsx:Organisaties:row 14"
