"""The news item: only for a certified organisation, from its dossier; Word and HTML."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from cbct_docs.cli import cli

from .conftest import docx_text
from .golden import render_round

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo office after the sample round: decisions and certificates recorded."""
    folder = tmp_path_factory.mktemp("kantoor")
    render_round(folder)
    return folder


def news(office: Path, cert_nr: str, out: Path) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["news", cert_nr, "--office", str(office), "--config",
                                      str(REPO / "cbct-docs.toml"), "--out", str(out)])
    return result.exit_code, result.output


def test_news_item_for_a_certified_library(office: Path, tmp_path: Path) -> None:
    code, output = news(office, "CBCT-0107", tmp_path / "uit")
    assert code == 0, output
    [word] = (tmp_path / "uit" / "nieuwsbericht").glob("*.docx")
    [html] = (tmp_path / "uit" / "nieuwsbericht").glob("*.html")
    text = docx_text(word)
    assert "Bibliotheek Gooi & Vecht gecertificeerd voor Kwaliteit in Beeld" in text
    assert "na een audit op 8, 9 en 10 april 2025" in text
    assert "Met het certificaat laat de bibliotheek zien" in text
    assert "Certificaatnummer: KiB-2025-" in text
    assert "alsnog" not in text
    page = html.read_text(encoding="utf-8")
    assert "Bibliotheek Gooi &amp; Vecht gecertificeerd voor Kwaliteit in Beeld" in page
    assert "Elke vier jaar volgt een nieuwe audit." in page


def test_news_item_after_a_heraudit_says_alsnog(office: Path, tmp_path: Path) -> None:
    code, output = news(office, "CBCT-0102", tmp_path / "uit")
    assert code == 0, output
    [word] = (tmp_path / "uit" / "nieuwsbericht").glob("*.docx")
    text = docx_text(word)
    assert "Bibliotheek Rivierenland alsnog gecertificeerd" in text
    assert "Met een heraudit op" in text


ONE = "Een onafhankelijke auditor beoordeelde het beleid, de middelen"
MORE = "Onafhankelijke auditoren beoordeelden het beleid, de middelen"


@pytest.mark.parametrize(("cert_nr", "said", "not_said"), [
    ("CBCT-0103", ONE, MORE),  # category I: Esra Yilmaz audited alone
    ("CBCT-0107", MORE, ONE),  # three auditors
])
def test_the_news_item_names_as_many_auditors_as_audited(office: Path, tmp_path: Path,
                                                         cert_nr: str, said: str,
                                                         not_said: str) -> None:
    code, output = news(office, cert_nr, tmp_path / "uit")
    assert code == 0, output
    [word] = (tmp_path / "uit" / "nieuwsbericht").glob("*.docx")
    [html] = (tmp_path / "uit" / "nieuwsbericht").glob("*.html")
    for text in (docx_text(word), " ".join(html.read_text(encoding="utf-8").split())):
        assert said in text
        assert not_said not in text


@pytest.mark.parametrize(("cert_nr", "why"), [
    ("CBCT-0104", "is not certified (besluit: Niet gecertificeerd)"),
    ("CBCT-0110", "has no decision yet"),
])
def test_no_news_item_without_a_certification(office: Path, tmp_path: Path, cert_nr: str,
                                              why: str) -> None:
    code, output = news(office, cert_nr, tmp_path / "uit")
    assert code == 1
    assert output.startswith(f"Error: {cert_nr} (")
    assert why in output and "a news item is only for a certified organisation" in output
    assert not (tmp_path / "uit").exists() or not list((tmp_path / "uit").rglob("*.*"))


def test_the_news_item_comes_from_the_offices_edited_copies(office: Path,
                                                            tmp_path: Path) -> None:
    """`templates copy nieuwsbericht`, edited the way Word saves (runs split, formatting
    changed, a sentence rewritten, a paragraph added) and in a text editor: `news` uses
    both copies."""
    import shutil

    from cbct_docs.render.lookup import use_office_templates

    from .test_templates_office import ADDED, edit_like_word

    copied = CliRunner().invoke(cli, ["templates", "copy", "nieuwsbericht", "--office",
                                      str(office)])
    own = office / "templates"
    try:
        assert copied.exit_code == 0, copied.output
        [word_copy] = own.rglob("nieuwsbericht.docx")
        [html_copy] = own.rglob("nieuwsbericht.html")
        edit_like_word(word_copy)
        page = html_copy.read_text(encoding="utf-8")
        html_copy.write_text(page.replace("</h1>", f"</h1>\n  <p>{ADDED}</p>", 1),
                             encoding="utf-8")
        code, output = news(office, "CBCT-0107", tmp_path / "uit")
        assert code == 0, output
        [word] = (tmp_path / "uit" / "nieuwsbericht").glob("*.docx")
        [html] = (tmp_path / "uit" / "nieuwsbericht").glob("*.html")
        text = docx_text(word)
        assert ADDED in text
        assert "Bibliotheek Gooi & Vecht gecertificeerd voor Kwaliteit in Beeld" in text
        assert f"<p>{ADDED}</p>" in html.read_text(encoding="utf-8")
    finally:
        shutil.rmtree(own, ignore_errors=True)
        use_office_templates(None)
