"""A run's notes reach the web pages in Dutch: a letter whose address the envelope window
may cut off is made, and the page that follows says so."""

from __future__ import annotations

from pathlib import Path

import pytest

from cbct_docs.render.window import use_window
from cbct_docs.web import create_app

from .registers import edited_register
from .test_address_window import LONG_NAME
from .test_web import Browser, announce, make_confirmations, make_office, record_intakes


@pytest.fixture(autouse=True)
def standard_window() -> object:
    use_window(None)
    yield
    use_window(None)


def test_a_letter_whose_address_may_not_fit_is_made_with_a_dutch_warning(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    office = make_office(tmp_path / "kantoor")
    edited_register(office / "register.xlsx", {"CBCT-0101": {"name": LONG_NAME}})
    monkeypatch.setenv("CBCT_USER", "anna")
    browser = Browser(create_app(office, require_login=False))
    announce(browser)
    record_intakes(browser)
    text = browser.text(make_confirmations(browser))
    assert "Bevestigingsbrieven: 2 documenten" in text  # made all the same
    assert "let op: het adres past misschien niet in het venster van de envelop" in text
    assert f"‘{LONG_NAME}’ is ongeveer " in text
    assert "de regel loopt door op een volgende regel" in text
    assert "maak de naam of het adres korter in het register" in text
    assert "may not fit" not in text  # the command line's English stays there
    # The other letter's address fits: one warning, naming CBCT-0101's letter by its file.
    assert text.count("let op: het adres") == 1
    assert (f"CBCT-0101-bevestigingsbrief-{LONG_NAME}.docx: let op: het adres past "
            "misschien niet in het venster van de envelop (90 × 40 mm)") in text
    assert str(office) not in text
