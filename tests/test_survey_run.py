"""cbct-docs survey finds each organisation by its certificate number (in any case) and
reports an unknown number before the organisations' own problems; nothing is written."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from cbct_docs.cli import cli
from cbct_docs.paths import samples_dir

REPO = Path(__file__).resolve().parent.parent
OFFICE = ["--register", str(samples_dir() / "register.xlsx"),
          "--config", str(REPO / "cbct-docs.toml")]


def test_unknown_number_first_then_the_refusal_and_no_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CBCT_LEDGER", str(tmp_path / "office.sqlite"))
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["survey", "--org", "cbct-0107", "--org", "CBCT-9999",
                                      *OFFICE, "--date", "1-1-2025", "--out", str(out)])
    lines = result.output.splitlines()
    assert result.exit_code != 0
    assert lines[0].startswith("Error: no organisation with certificate number 'CBCT-9999'")
    # 'cbct-0107' is the register's CBCT-0107, named as the register names it.
    assert lines[1].startswith("Error: CBCT-0107 (Bibliotheek Gooi & Vecht): there is no "
                               "decision yet")
    assert not list(out.rglob("*.eml"))
