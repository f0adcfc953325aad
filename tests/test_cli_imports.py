"""``cbct-docs --help`` imports the command line only: each command imports what it uses
when it runs (issue 16: --help took over a second while it imported matplotlib,
LibreOffice's helpers and the delivery modules)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from cbct_docs.cli import cli
from cbct_docs.paths import samples_dir

REPO = Path(__file__).resolve().parent.parent

HEAVY = ("matplotlib", "openpyxl", "docx", "docxtpl", "jinja2", "lxml", "pypdf", "yaml",
         "cbct_docs.deliver", "cbct_docs.render", "cbct_docs.records", "cbct_docs.runs",
         "cbct_docs.settings",
         # the web app's browser opener and the demo's thread pool (and subprocess and
         # logging with them): not for every command
         "webbrowser", "subprocess", "concurrent", "logging")


def test_help_imports_no_command_module() -> None:
    code = ("import sys, cbct_docs.cli; "
            "print('\\n'.join(sorted(sys.modules)))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True).stdout.split()
    heavy = [name for name in loaded if name.split(".")[0] in HEAVY
             or any(name == h or name.startswith(h + ".") for h in HEAVY)]
    assert heavy == []


def test_the_command_table_names_every_command_of_every_module() -> None:
    """COMMANDS (which module a command is in, so that a command imports its own module
    only) says what the package's modules define, no more and no less (a new command
    module left out of the table fails too)."""
    import importlib
    import pkgutil

    import cbct_docs.cli
    from cbct_docs.cli import COMMANDS

    modules = {info.name: importlib.import_module(f"cbct_docs.cli.{info.name}")
               for info in pkgutil.iter_modules(cbct_docs.cli.__path__)}
    defined = {command.name: name for name, module in modules.items()
               for command in getattr(module, "commands", [])}
    assert "announce" in defined and len(set(defined.values())) >= 14
    assert defined == COMMANDS


def test_help_lists_every_command() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    for name in ("announce", "confirm", "decide", "report", "heraudit", "survey", "merge",
                 "send", "pdf", "bundle", "mail", "dossier"):
        assert f"  {name}" in result.output


#: What an e-mail command never uses: Word, spreadsheets, XML trees, charts.
NOT_FOR_EMAILS = ("lxml", "openpyxl", "docx", "docxtpl", "matplotlib", "numpy", "PIL")


def test_an_email_command_imports_no_word_or_spreadsheet_library(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """announce on an office whose register is in the database already: its e-mails are
    made (and recorded) without loading lxml, openpyxl or the Word libraries."""
    office = tmp_path / "office"
    office.mkdir()
    shutil.copy(REPO / "cbct-docs.toml", office / "cbct-docs.toml")
    monkeypatch.setenv("CBCT_USER", "marieke")
    imported = CliRunner().invoke(cli, ["register", "import", str(samples_dir() / "register.xlsx"),
                                        "--office", str(office)])
    assert imported.exit_code == 0, imported.output
    code = ("import sys; from cbct_docs.cli import main\n"
            "try:\n    main(sys.argv[1:])\nexcept SystemExit as end:\n"
            "    print('exit', end.code)\n"
            "print('\\n'.join(sorted(sys.modules)))")
    done = subprocess.run([sys.executable, "-c", code, "announce", "-q", "2025-Q2", "--date",
                           "13-1-2025", "--office", str(office), "--out", str(tmp_path / "out")],
                          capture_output=True, text=True, timeout=120, check=True)
    lines = done.stdout.split("\n")
    assert "exit 0" in lines, done.stdout + done.stderr
    made = sorted(p.name for p in (tmp_path / "out" / "aankondiging").glob("*.eml"))
    assert made and all(name.startswith("CBCT-") for name in made)
    assert f"{len(made)} event(s) recorded in the office database." in lines
    loaded = [name for name in lines if name.split(".")[0] in NOT_FOR_EMAILS
              or name in ("email.policy", "email.parser", "logging")  # .eml from bytes
              or name.split(".")[0] == "babel"]  # the e-mail's dates are made without it
    assert loaded == []
    commands = [name for name in lines if name.startswith("cbct_docs.cli.")]
    assert commands == ["cbct_docs.cli.common", "cbct_docs.cli.lifecycle",
                        "cbct_docs.cli.lifecycle_support"]  # the announce command's own


def test_the_letter_commands_import_no_email_inliner() -> None:
    """report, decide and heraudit make Word letters only: their module loads without
    css_inline (the e-mails' CSS inliner, ~9 ms), which comes with the first e-mail."""
    code = ("import sys, cbct_docs.runs.audit, cbct_docs.runs.reports; "
            "print('\\n'.join(sorted(sys.modules)))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True).stdout.split()
    assert "cbct_docs.runs.audit" in loaded
    assert [name for name in loaded if name.startswith(("css_inline",
                                                        "cbct_docs.render.fast_email"))] == []


def test_the_heraudit_command_starts_without_the_certificate_or_lxml() -> None:
    """heraudit has its own module (runs/heraudit.py): its start loads neither decide's
    certificate code nor lxml (the envelope-window estimate loads it when a letter is
    first measured, after the workers fork)."""
    code = ("import sys, cbct_docs.cli.lifecycle, cbct_docs.runs.heraudit; "
            "print('\\n'.join(sorted(sys.modules)))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True).stdout.split()
    assert "cbct_docs.runs.heraudit" in loaded
    assert [name for name in loaded if name.startswith(
        ("lxml", "cbct_docs.documents.certificate", "cbct_docs.render.address_fit",
         "cbct_docs.runs.audit"))] == []


#: What a Word letter or report never needs: the standard library's networking and e-mail
#: parsing (xml.sax.saxutils loads urllib.request, and with it http.client, email and ssl:
#: ~30 ms), logging (~5 ms), which a renderer loads only when it falls back, and Babel
#: (~40 ms with its locale data), which the bundled templates' dates do without.
NOT_FOR_REPORTS = ("urllib.request", "http", "email", "ssl", "logging", "xml.sax", "babel")
#: Code that sets org, sheet and office to a sample organisation's (after load_office is
#: imported), for the subprocesses below.
SAMPLE_CASE = (
    "from cbct_docs.domain.register import find_organisation, read_register\n"
    "from cbct_docs.domain.scoresheet import read_scoresheet\n"
    "from cbct_docs.paths import samples_dir\n"
    "org = find_organisation(read_register(samples_dir() / 'register.xlsx'), 'CBCT-0111')\n"
    "sheet = read_scoresheet(samples_dir() / 'scores' / 'CBCT-0111.xlsx')\n"
    f"office = load_office({str(REPO / 'cbct-docs.toml')!r})\n")


def test_a_report_is_made_without_networking_email_or_logging_modules() -> None:
    """The report command's modules, and a concept report rendered with its chart (issue
    16: the chart's escaping came from xml.sax.saxutils)."""
    code = (
        "import sys, datetime as dt\n"
        "import cbct_docs.cli.lifecycle, cbct_docs.runs.reports\n"
        "from cbct_docs.documents.context import docx_template, load_office\n"
        "from cbct_docs.documents.report import TEMPLATE, report_context\n"
        + SAMPLE_CASE +
        "renderer = docx_template(TEMPLATE)\n"
        "data = renderer.render(report_context(org, sheet, office, dt.date(2025, 6, 11),\n"
        "                                      concept=True))\n"
        "assert renderer.fallback_reason is None\n"
        "print(len(data))\n"
        "print('\\n'.join(sorted(sys.modules)))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True).stdout.split()
    assert int(loaded[0]) > 10_000  # a report was made
    assert "cbct_docs.documents.chart_drawing" in loaded
    assert [name for name in loaded if any(name == unused or name.startswith(unused + ".")
                                           for unused in NOT_FOR_REPORTS)] == []


def test_letters_and_emails_with_the_bundled_date_formats_do_without_babel() -> None:
    """besluitbrief (d MMMM y, MMMM y), heraudit letter (EEEE d MMMM y) and the survey
    e-mail print their dates without Babel; a template with another format loads it."""
    code = (
        "import sys, datetime as dt\n"
        "from cbct_docs.documents import decision\n"
        "from cbct_docs.documents.context import docx_template, email_templates, load_office\n"
        "from cbct_docs.documents.certificate import survey_context\n"
        + SAMPLE_CASE +
        "day = dt.date(2025, 7, 8)\n"
        "docx_template(decision.DECISION_TEMPLATE).render(\n"
        "    decision.decision_context(org, sheet, office, day))\n"
        "docx_template(decision.HERAUDIT_TEMPLATE).render(\n"
        "    decision.heraudit_context(org, sheet, office, day, day))\n"
        "email_templates('enquete').render(survey_context(org, office, day), org.email)\n"
        "print('babel' in sys.modules)\n"
        "from cbct_docs.render.filters import datum\n"
        "print(datum(day, 'd MMM y'), 'babel' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split("\n")
    assert out[0] == "False"
    assert out[1] == "8 jul 2025 True"
