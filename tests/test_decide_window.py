"""decide and heraudit measure each letter's address block where it is rendered (on a
worker for a large batch, issue 16): the same located warning, for the same letters, as
measuring the letters they wrote."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest

from cbct_docs.paths import samples_dir
from cbct_docs.render.address_fit import address_fit
from cbct_docs.runs import run as run_module
from cbct_docs.runs.address_window import window_note
from cbct_docs.runs.audit import decide, heraudit
from cbct_docs.runs.run import RunResult

from .golden import docx_reading_text
from .registers import edited_register, reported_office

LONG = ("Stichting Centrum voor Kunst, Cultuur en Cultuureducatie Maashorst, Uden en "
        "Omstreken in de Gemeente Landerd")


def notes_read_back(result: RunResult) -> list[str]:
    """What measuring every Word document the run wrote says, in its order."""
    notes: list[str] = []
    for made in result.made:
        fit = address_fit(made.path.read_bytes())
        if fit is not None and not fit.fits:
            notes.append(window_note(made.path, fit))
    return notes


@pytest.mark.parametrize("workers", [False, True])
def test_a_long_name_is_noted_for_the_letters_that_carry_it(
        tmp_path: Path, workers: bool, monkeypatch: pytest.MonkeyPatch,
        forked_workers: Callable[..., None]) -> None:
    if workers:
        forked_workers(min_batch=1, chunk=1)
        monkeypatch.setattr(run_module, "WINDOW", 2)
    register = edited_register(tmp_path / "register.xlsx",
                               {"CBCT-0102": {"name": LONG}, "CBCT-0107": {"name": LONG}})
    numbers = ("CBCT-0101", "CBCT-0102", "CBCT-0107")
    office = reported_office(tmp_path, register, numbers)
    sheets = [samples_dir() / "scores" / f"{c}.xlsx" for c in numbers]
    decided = decide(office, sheets, dt.date(2025, 6, 19), out=tmp_path / "out")
    assert decided.notes == notes_read_back(decided)
    letters = [n for n in decided.notes if "besluitbrief" in n]
    assert [n.split("-besluitbrief")[0].rsplit("/", 1)[1] for n in letters] == [
        "CBCT-0102", "CBCT-0107"]
    assert f"{LONG!r} is about " in letters[0]
    [letter] = (tmp_path / "out" / "besluitbrief").glob("CBCT-0107-*.docx")
    assert LONG in docx_reading_text(letter) and letters[1].startswith(f"{letter}: warning:")

    planned = heraudit(office, sheets, dt.date(2025, 11, 1), out=tmp_path / "out")
    [letter] = [m.path for m in planned.made]  # CBCT-0102: voorwaardelijk gecertificeerd
    assert planned.notes == notes_read_back(planned)
    assert [n.split(": warning")[0] for n in planned.notes] == [str(letter)]
    office.close()
