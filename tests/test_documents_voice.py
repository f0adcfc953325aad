"""The office's voice: "je" (the default, as the office writes) or "u", organisations named by
their kind, and dates and numbers as one Dutch letter writes them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from cbct_docs.documents.context import load_office
from cbct_docs.documents.fields import organisation_fields, organisation_kind
from cbct_docs.documents.wording import salutation
from cbct_docs.domain.frameworks import load_framework
from cbct_docs.domain.register import find_organisation, read_register
from cbct_docs.errors import DataError
from cbct_docs.paths import samples_dir, templates_dir
from cbct_docs.render.filters import data, woord

REPO = Path(__file__).resolve().parent.parent
ORGS = read_register(samples_dir() / "register.xlsx")


def settings_with(tmp_path: Path, old: str, new: str) -> Path:
    text = (REPO / "cbct-docs.toml").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "cbct-docs.toml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def test_je_is_the_default_and_u_is_a_setting(tmp_path: Path) -> None:
    office = load_office(REPO / "cbct-docs.toml")
    assert office.aanspreekvorm == "je"
    assert office.fields()["Je"] == "Je" and office.fields()["jullie"] == "jullie"
    formal = load_office(settings_with(tmp_path, 'aanspreekvorm = "je"', 'aanspreekvorm = "u"'))
    assert formal.fields()["Je"] == "U" and formal.fields()["jullie"] == "uw"
    assert formal.fields()["u"] is True
    assert formal.bureau["applicatie"] == "Zenya"


def test_a_wrong_voice_is_a_located_error(tmp_path: Path) -> None:
    path = settings_with(tmp_path, 'aanspreekvorm = "je"', 'aanspreekvorm = "jij"')
    with pytest.raises(DataError) as raised:
        load_office(path)
    assert str(raised.value).startswith(f"{path}: [documents] aanspreekvorm is 'jij'")


@pytest.mark.parametrize(("contact", "form", "expected"), [
    ("de heer R. Hoekstra", "je", "Beste heer Hoekstra"),
    ("mevrouw A. van Wijk", "u", "Geachte mevrouw Van Wijk"),
    ("", "je", "Beste lezer"),
])
def test_salutation_in_both_voices(contact: str, form: str, expected: str) -> None:
    assert salutation(contact, form) == expected


@pytest.mark.parametrize(("cert_nr", "kind", "named"), [
    ("CBCT-0101", "bibliotheek", "de bibliotheek"),
    ("CBCT-0103", "cultuurorganisatie", "de organisatie"),  # Kunst&Co Uden
    ("CBCT-0110", "cultuurorganisatie", "de organisatie"),  # a music school
    ("CBCT-0112", "cultuurorganisatie", "de organisatie"),  # VOB and Cultuurconnectie
    ("CBCT-0104", "taalhuis", "het taalhuis"),
    ("CBCT-0108", "taalhuis", "het taalhuis"),  # a stichting with the taalhuis module
    ("CBCT-0114", "taalhuis", "het taalhuis"),  # a taalpunt
])
def test_organisations_are_named_by_their_kind(cert_nr: str, kind: str, named: str) -> None:
    org = find_organisation(ORGS, cert_nr)
    assert organisation_kind(org) == kind
    fields = organisation_fields(org, load_framework(org.framework))
    assert fields["de_organisatie"] == named
    assert fields["De_organisatie"] == named[0].upper() + named[1:]


def test_dates_and_numbers_as_one_letter_writes_them() -> None:
    may = [dt.date(2025, 5, 14), dt.date(2025, 5, 13)]
    assert data(may) == "13 en 14 mei 2025"
    assert data([dt.date(2025, 4, 30), dt.date(2025, 5, 1)]) == "30 april en 1 mei 2025"
    assert data(["12-12-2025", "8-1-2026"]) == "12 december 2025 en 8 januari 2026"
    assert data([dt.date(2025, 6, d) for d in (2, 3, 4)]) == "2, 3 en 4 juni 2025"
    assert [woord(n) for n in (1, 2, 6, 12, 14)] == ["één", "twee", "zes", "twaalf", "14"]


def test_no_culture_organisation_reads_library_wording() -> None:
    from .golden import GOLDEN

    for path in GOLDEN.rglob("*.txt"):
        if "Kunst&Co" in path.name or "Muziekschool" in path.name:
            text = path.read_text(encoding="utf-8")
            # (framework question texts come from the framework file, not the templates)
            letters = [line for line in text.splitlines() if " | " not in line]
            assert not [line for line in letters if "de bibliotheek" in line.lower()
                        and "openbare bibliotheek" not in line], path


def test_every_sentence_lives_in_a_template() -> None:
    """No letter wording in the code: the sentences the issue named are in the templates."""
    sources = "\n".join(p.read_text(encoding="utf-8") for p in
                        (REPO / "cbct_docs" / "documents").glob("*.py"))
    for sentence in ("ontvangt u het conceptrapport", "reactie van de organisatie is verwerkt",
                     "adviseert het bureau", "vult u de zelfevaluatie digitaal in",
                     "Het origineel en het gevelbord"):
        assert sentence not in sources
    assert not list(templates_dir().glob("*.py")), "templates are edited in Word, not built"


def test_the_u_voice_reads_u_throughout(tmp_path: Path) -> None:
    from .golden import GOLDEN

    for path in (GOLDEN / "u").rglob("*.txt"):
        text = path.read_text(encoding="utf-8")
        words = text.replace(",", " ").replace(".", " ").split()
        assert "je" not in words and "jij" not in words and "jouw" not in words, path
