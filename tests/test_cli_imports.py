"""``cbct-docs --help`` imports the command line only: each command imports what it uses
when it runs (issue 16: --help took over a second while it imported matplotlib,
LibreOffice's helpers and the delivery modules)."""

from __future__ import annotations

import subprocess
import sys

from click.testing import CliRunner

from cbct_docs.cli import cli

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


def test_help_lists_every_command() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    for name in ("announce", "confirm", "decide", "report", "heraudit", "survey", "merge",
                 "send", "pdf", "bundle", "mail", "dossier"):
        assert f"  {name}" in result.output
