"""`cbct-docs demo` ends with a table of what it made: each row names the documents by
the Dutch name the office gives them (as the templates page does), the form in brackets,
then how many and in which folder — read from the command's printed output."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from cbct_docs.cli import cli

ROW = re.compile(r"^  (?P<label>\S.*?) +(?P<count>\d+)   (?P<folder>\S+/)$")

#: The rows of the sample round, in lifecycle order: label, count, folder.
EXPECTED = [
    ("Aankondiging (e-mail)", 7, "aankondiging/"),
    ("Herinnering intake (e-mail)", 3, "intake-herinnering/"),
    ("Bevestigingsbrief", 6, "bevestigingsbrief/"),
    ("Auditrapport, concept", 6, "rapporten/"),
    ("Auditrapport, definitief", 6, "rapporten/"),
    ("Besluitbrief", 6, "besluitbrief/"),
    ("Besluitbrief na heraudit", 1, "besluitbrief-heraudit/"),
    ("Certificaat", 4, "certificaat/"),
    ("Heraudit-brief", 3, "heraudit/"),
    ("Tevredenheidsenquête (e-mail)", 6, "enquete/"),
    ("Campagne-antwoord (e-mail)", 7, "campagne/"),
    ("Whitepaper (Word en webpagina)", 2, "whitepapers/"),
    ("Sectoroverzicht (met grafieken)", 10, "sectoroverzicht/"),
]


def test_the_demo_summary_names_every_document_in_dutch(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["demo", "--out", str(out), "--no-pdf"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    rows = [match for line in lines if (match := ROW.match(line))]
    assert [(m["label"], int(m["count"]), m["folder"]) for m in rows] == EXPECTED
    # one column for the counts, so the table reads down
    assert len({m.end("count") for m in rows}) == 1, "\n".join(lines)
    # each count is what the folder holds (the reports share one; the campaign's merge
    # data and answer folder sit with its e-mails)
    for _, count, folder in EXPECTED:
        files = [p for p in (out / folder).iterdir() if p.is_file() and p.suffix != ".json"]
        assert len(files) == (12 if folder == "rapporten/" else count), folder
    assert "  PDF: skipped (LibreOffice/soffice not found, or --no-pdf)" in lines
