"""The office's own templates: a copy edited the way Word saves it is used by every command
that uses the template; `templates copy` never replaces an own copy; `templates check`
lists what an own copy lacks or uses that the current version no longer offers."""

from __future__ import annotations

import datetime as dt
import email
import shutil
from collections.abc import Iterator
from email import policy
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner
from docx.oxml.ns import qn

from cbct_docs.cli import cli
from cbct_docs.paths import samples_dir, templates_dir
from cbct_docs.render.lookup import use_office_templates
from cbct_docs.runs.demo import Samples, run_round
from cbct_docs.runs.office import OfficeFolder, open_office
from cbct_docs.runs.overview import overview
from cbct_docs.runs.whitepaper import whitepaper

from .conftest import docx_text

REPO = Path(__file__).resolve().parent.parent
MARK = "Met hartelijke groet uit het eigen sjabloon van het bureau,"
ADDED = "Deze alinea staat alleen in het eigen sjabloon."
#: The e-mails an office copies and edits in these tests (each extends _layout).
EMAILS = ("aankondiging", "campagne", "enquete", "intake-herinnering")


@pytest.fixture(autouse=True)
def bundled_templates_afterwards() -> Iterator[None]:
    yield
    use_office_templates(None)  # the next test starts with the bundled templates


def edit_like_word(path: Path) -> None:
    """What Word does to a document a person edits: every paragraph's runs split at odd
    places (tags included) with formatting changed, one sentence rewritten, a paragraph
    added."""
    document = docx.Document(str(path))
    rewritten = False
    for paragraph in document.paragraphs:
        text = paragraph.text
        if len(paragraph.runs) != 1 or not text:
            continue
        if not rewritten and text.startswith("Met vriendelijke groet"):
            text, rewritten = MARK, True
        run = paragraph.runs[0]
        pieces = [text[i:i + 5] for i in range(0, len(text), 5)]
        run.text = pieces[0]
        for number, piece in enumerate(pieces[1:], start=1):
            new = paragraph.add_run(piece)
            new.bold = number % 3 == 1
            new.italic = number % 4 == 2
    document.add_paragraph(ADDED)
    document.save(str(path))


def edit_email(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    block = "{% block inhoud %}"
    assert block in text, path
    path.write_text(text.replace(block, block + ("\n<p>" if path.suffix == ".html" else "\n")
                                 + ADDED + ("</p>" if path.suffix == ".html" else "\n"), 1),
                    encoding="utf-8")


def office_with_own_templates(tmp_path: Path) -> Path:
    folder = tmp_path / "kantoor"
    folder.mkdir()
    shutil.copy(REPO / "cbct-docs.toml", folder)
    runner = CliRunner()
    result = runner.invoke(cli, ["templates", "copy", "bevestigingsbrief", "besluitbrief",
                                 "besluitbrief-heraudit", "auditrapport", "certificaat",
                                 "heraudit", "overview", "whitepaper", "aankondiging",
                                 "campagne", "enquete", "intake-herinnering", "--office",
                                 str(folder)])
    assert result.exit_code == 0, result.output
    own = folder / "templates"
    for path in own.rglob("*.docx"):
        edit_like_word(path)
    for name in EMAILS:
        for suffix in (".html", ".txt"):
            edit_email(own / "emails" / f"{name}{suffix}")
    return folder


def read_eml_text(path: Path) -> str:
    message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    return "\n".join(part.get_content() for part in message.walk()
                     if part.get_content_type() in ("text/plain", "text/html"))


def test_an_edited_own_template_is_used_by_every_command(tmp_path: Path) -> None:
    folder = office_with_own_templates(tmp_path)
    out = folder
    office = OfficeFolder(folder, folder / "cbct-docs.toml", new_database_ok=True)
    try:
        made = run_round(office, Samples.in_folder(samples_dir()), out).made
        by_kind: dict[str, list[Path]] = {}
        for path in made:
            by_kind.setdefault(path.parent.name, []).append(path)
        for kind in ("bevestigingsbrief", "besluitbrief", "besluitbrief-heraudit",
                     "certificaat", "heraudit"):
            assert by_kind.get(kind), f"no {kind} made: {sorted(by_kind)}"
            for path in by_kind[kind]:
                text = docx_text(path)
                assert ADDED in text, path
                if kind != "certificaat":
                    assert MARK in text, path
        reports = [p for p in made if p.suffix == ".docx" and "rapport" in p.name]
        assert reports and all(ADDED in docx_text(p) for p in reports)
        for name in ("aankondiging", "enquete", "intake-herinnering"):
            mails = [p for p in made if p.parent.name == name and p.suffix == ".eml"]
            assert mails and all(ADDED in read_eml_text(p) for p in mails), name
        campaign = [p for p in made if p.parent.name == "campagne" and p.suffix == ".eml"]
        assert campaign and all(ADDED in read_eml_text(p) for p in campaign)

        sector = overview(office, "2025", out=tmp_path / "overzicht", day=dt.date(2026, 3, 1))
        report = [m.path for m in sector.made if m.path.suffix == ".docx"]
        assert report and ADDED in docx_text(report[0])

        papers = whitepaper(office, [samples_dir() / "whitepapers" / "kib-4-samenwerking.yaml"],
                            out=tmp_path / "whitepapers", formats=["docx"])
        assert papers.made and ADDED in docx_text(papers.made[0].path)
    finally:
        office.close()
    # The bundled templates are untouched by all of this.
    assert ADDED not in docx_text(templates_dir() / "letters" / "besluitbrief.docx")


def test_the_merge_of_a_bundled_template_takes_the_office_copy(tmp_path: Path) -> None:
    folder = tmp_path / "kantoor"
    (folder / "templates" / "letters").mkdir(parents=True)
    own = folder / "templates" / "letters" / "certificaat.docx"
    document = docx.Document()
    document.add_paragraph("Eigen certificaat voor {{ naam }}")
    document.save(str(own))
    data = tmp_path / "data.csv"
    data.write_text("naam\nBibliotheek Oost\n", encoding="utf-8")
    open_office(folder)  # every command opens its office first
    from cbct_docs.merge import merge

    result = merge(templates_dir() / "letters" / "certificaat.docx", data, tmp_path / "out")
    assert docx_text(result.outputs[0].path).strip() == "Eigen certificaat voor Bibliotheek Oost"


def test_the_setting_names_the_folder(tmp_path: Path) -> None:
    folder = tmp_path / "kantoor"
    folder.mkdir()
    settings = (REPO / "cbct-docs.toml").read_text(encoding="utf-8")
    settings = settings.replace('# templates = "sjablonen"', 'templates = "sjablonen"')
    (folder / "cbct-docs.toml").write_text(settings, encoding="utf-8")
    result = CliRunner().invoke(cli, ["templates", "copy", "enquete", "--office", str(folder)])
    assert result.exit_code == 0, result.output
    assert (folder / "sjablonen" / "emails" / "enquete.html").is_file()
    assert open_office(folder).templates == folder / "sjablonen"
    (folder / "cbct-docs.toml").write_text(settings.replace('"sjablonen"', '"weg"'),
                                           encoding="utf-8")
    missing = CliRunner().invoke(cli, ["templates", "check", "--office", str(folder)])
    assert missing.exit_code == 1
    assert "[documents] templates names" in missing.output


def test_copy_never_replaces_an_own_copy(tmp_path: Path) -> None:
    runner = CliRunner()
    args = ["templates", "copy", "besluitbrief", "--office", str(tmp_path)]
    assert runner.invoke(cli, args).exit_code == 0
    own = tmp_path / "templates" / "letters" / "besluitbrief.docx"
    edit_like_word(own)
    before = own.read_bytes()
    again = runner.invoke(cli, args)
    assert again.exit_code == 1
    assert again.output.startswith(f"Error: {own}: exists already")
    assert own.read_bytes() == before
    unknown = runner.invoke(cli, ["templates", "copy", "besluit", "--office", str(tmp_path)])
    assert unknown.exit_code == 2 and "no bundled template is called 'besluit'" in unknown.output


def test_check_lists_missing_and_gone_fields(tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["templates", "copy", "certificaat", "aankondiging",
                               "--office", str(tmp_path)]).exit_code == 0
    clean = runner.invoke(cli, ["templates", "check", "--office", str(tmp_path)])
    assert clean.exit_code == 0, clean.output
    assert "Every own template uses the fields of the current version." in clean.output
    own = tmp_path / "templates" / "letters" / "certificaat.docx"
    document = docx.Document(str(own))
    for paragraph in document.paragraphs:
        if "{{ certificaatnummer }}" in paragraph.text:
            paragraph.text = paragraph.text.replace("{{ certificaatnummer }}", "")
    document.add_paragraph("Oud veld: {{ organisatie.sector }} en {{ certificaat_id }}")
    document.save(str(own))
    result = runner.invoke(cli, ["templates", "check", "--office", str(tmp_path)])
    assert result.exit_code == 1, result.output
    assert (f"{own}: uses 'certificaat_id', which this version of cbct-docs no longer offers"
            in result.output)
    assert f"{own}: uses 'organisatie.sector'" in result.output
    assert f"{own}: does not use 'certificaatnummer'" in result.output


def test_check_names_an_own_letter_without_the_address_block(tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["templates", "copy", "heraudit", "besluitbrief",
                               "--office", str(tmp_path)]).exit_code == 0
    letters = tmp_path / "templates" / "letters"
    # besluitbrief: the table's title gone (an older copy) — still found as the opening table
    untitled = docx.Document(str(letters / "besluitbrief.docx"))
    properties = untitled.tables[0]._tbl.tblPr
    properties.remove(properties.find(qn("w:tblCaption")))
    untitled.save(str(letters / "besluitbrief.docx"))
    # heraudit: the address typed as plain paragraphs, the table deleted
    plain = docx.Document(str(letters / "heraudit.docx"))
    table = plain.tables[0]._tbl
    table.addprevious(plain.add_paragraph("{{ organisatie.naam }}")._p)
    table.getparent().remove(table)
    plain.save(str(letters / "heraudit.docx"))
    result = runner.invoke(cli, ["templates", "check", "--office", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert (f"{letters / 'heraudit.docx'}: has no address block for the envelope window"
            in result.output)
    assert "besluitbrief.docx: has no address block" not in result.output
    assert "besluitbrief.docx: the address block" not in result.output
    # a paragraph typed above the titled block: its top is no longer the window's
    titled = docx.Document(str(templates_dir() / "letters" / "besluitbrief.docx"))
    titled.tables[0]._tbl.addprevious(titled.add_paragraph("Vertrouwelijk")._p)
    titled.save(str(letters / "besluitbrief.docx"))
    moved = runner.invoke(cli, ["templates", "check", "--office", str(tmp_path)])
    assert (f"{letters / 'besluitbrief.docx'}: the address block is not the first thing in "
            "the letter: what stands above it decides its top, not [print] venster_boven"
            in moved.output), moved.output
