"""Wording by kind of organisation in the framework texts: a culture organisation or a
taalhuis audited against a framework written for libraries never reads "De bibliotheek"
in its report; a library still does."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path

import pytest

from cbct_docs.documents.context import load_office
from cbct_docs.documents.fields import organisation_kind
from cbct_docs.documents.report import report_context
from cbct_docs.domain.frameworks import ORGANISATION_KINDS, load_framework
from cbct_docs.domain.register import find_organisation, read_register
from cbct_docs.domain.scoresheet import read_scoresheet
from cbct_docs.errors import CbctError
from cbct_docs.paths import data_dir, samples_dir, templates_dir
from cbct_docs.render import DocxRenderer

from .conftest import docx_text

REPO = Path(__file__).resolve().parent.parent
LIBRARY_WORDS = re.compile(r"bibliothe", re.IGNORECASE)


def report_text(cert_nr: str, tmp_path: Path) -> tuple[str, str]:
    """The KiB report of CBCT-0111's score sheet, addressed to ``cert_nr`` as a KiB
    organisation with the module ido: its kind, and the text of its questions."""
    orgs = read_register(samples_dir() / "register.xlsx")
    org = dataclasses.replace(find_organisation(orgs, cert_nr), framework="KiB",
                              modules=("ido",))
    sheet = read_scoresheet(samples_dir() / "scores" / "CBCT-0111.xlsx")
    context = report_context(org, sheet, load_office(REPO / "cbct-docs.toml"),
                             dt.date(2025, 6, 11), concept=True)
    path = tmp_path / f"{cert_nr}.docx"
    path.write_bytes(DocxRenderer(templates_dir() / "reports" / "auditrapport.docx")
                     .render(context))
    questions = "\n".join(v["tekst"] for norm in context["normen"] for v in norm["vragen"])
    text = docx_text(path)
    assert questions.splitlines()[0] in text
    return organisation_kind(org), text


@pytest.mark.parametrize(("cert_nr", "kind", "sentence"), [
    ("CBCT-0111", "bibliotheek",
     "De bibliotheek werkt aantoonbaar samen met partners in onderwijs, welzijn en cultuur."),
    ("CBCT-0103", "cultuurorganisatie",
     "De organisatie werkt aantoonbaar samen met partners in onderwijs, welzijn en cultuur."),
    ("CBCT-0104", "taalhuis",
     "Het taalhuis werkt aantoonbaar samen met partners in onderwijs, welzijn en cultuur."),
])
def test_the_report_reads_the_wording_of_the_organisations_kind(
        cert_nr: str, kind: str, sentence: str, tmp_path: Path) -> None:
    found, text = report_text(cert_nr, tmp_path)
    assert found == kind
    assert sentence in text
    missions = {
        "bibliotheek": "aansluiten bij de vijf functies van de openbare bibliotheek.",
        "cultuurorganisatie": "De organisatie heeft een actuele missie en visie die "
                              "aansluiten bij haar maatschappelijke opdracht.",
        "taalhuis": "Het taalhuis heeft een actuele missie en visie die aansluiten bij zijn "
                    "maatschappelijke opdracht.",
    }
    assert missions[kind] in text
    if kind != "bibliotheek":
        # Only the framework's name and description may name libraries, no question.
        lines = [line for line in text.splitlines() if LIBRARY_WORDS.search(line)]
        assert not [line for line in lines if re.match(r"^\d\.\d|^ido\.", line)], lines
        assert "De bibliotheek" not in text and "de bibliotheek" not in text


@pytest.mark.parametrize("code", ["KiB", "ZoO"])
def test_every_text_that_names_a_library_has_the_other_kinds_wording(code: str) -> None:
    framework = load_framework(code)
    for part in framework.parts(framework.modules):
        for item in [*part.questions, *part.indicators]:
            if not LIBRARY_WORDS.search(item.text):
                continue
            for kind in ORGANISATION_KINDS:
                if kind != "bibliotheek":
                    assert not LIBRARY_WORDS.search(item.text_for(kind)), (code, item.id, kind)


def test_a_variant_for_an_unknown_kind_is_a_located_error(tmp_path: Path) -> None:
    text = (data_dir() / "frameworks" / "kib.yaml").read_text(encoding="utf-8")
    text = text.replace("          cultuurorganisatie: De organisatie werkt",
                        "          museum: Het museum werkt", 1)
    wrong = tmp_path / "kib-eigen.yaml"
    wrong.write_text(text, encoding="utf-8")
    with pytest.raises(CbctError) as caught:
        load_framework(wrong)
    assert (f"{wrong}:norms[3].questions[0].variants.museum: 'museum' is not a kind of "
            "organisation (kinds: bibliotheek, cultuurorganisatie, taalhuis)"
            in str(caught.value))


def test_the_score_sheet_reads_the_wording_of_the_organisations_kind(tmp_path: Path) -> None:
    import openpyxl

    from cbct_docs.documents.scoresheet_file import new_scoresheet

    # Cultuurhuis De Kêvel: a culture organisation under KiB with the module leesbevordering.
    org = find_organisation(read_register(samples_dir() / "register.xlsx"), "CBCT-0106")
    assert (org.framework, org.modules) == ("KiB", ("leesbevordering",))
    path = new_scoresheet(org, "KiB", tmp_path / "scores.xlsx")
    book = openpyxl.load_workbook(path, read_only=True)
    texts = [str(cell) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)
             for cell in row if isinstance(cell, str)]
    assert "De organisatie werkt aantoonbaar samen met partners in onderwijs, welzijn en " \
           "cultuur." in texts
    assert "De organisatie zet opgeleide leesconsulenten in." in texts
    assert not [t for t in texts if t.startswith("De bibliotheek")]
