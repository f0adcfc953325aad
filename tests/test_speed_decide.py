"""decide and heraudit at office scale (issue 16): the score sheets are matched to the
register through an index; the match and its errors stay find_organisation's."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest

from cbct_docs.domain.register import read_register
from cbct_docs.errors import CbctError
from cbct_docs.paths import samples_dir
from cbct_docs.runs.audit import scoresheets


def sheet_for(tmp_path: Path, name: str, cert_nr: str) -> Path:
    """A copy of the sample sheet of CBCT-0111 that names ``cert_nr``."""
    path = tmp_path / name
    shutil.copy(samples_dir() / "scores" / "CBCT-0111.xlsx", path)
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["Audit"]
    assert sheet["A2"].value == "cert_nr"
    sheet["B2"] = cert_nr
    workbook.save(path)
    return path


def test_sheets_match_the_register_case_insensitively_and_unknown_ones_are_located(
        tmp_path: Path) -> None:
    orgs = read_register(samples_dir() / "register.xlsx")
    lower = sheet_for(tmp_path, "klein.xlsx", " cbct-0111 ")
    [(org, sheet)] = scoresheets([lower], orgs)
    assert org.cert_nr == "CBCT-0111" and sheet.source == str(lower)
    unknown = sheet_for(tmp_path, "onbekend.xlsx", "CBCT-9999")
    with pytest.raises(CbctError) as caught:
        scoresheets([lower, unknown], orgs)
    message = str(caught.value)
    assert message.startswith(str(unknown))
    assert "no organisation with certificate number 'CBCT-9999'" in message
    assert "did you mean" in message or "cert_nr column" in message
