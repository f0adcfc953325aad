"""The README's reliability counts and commands stay true."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from cbct_docs.cli import cli

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def count_tests(path: Path, marker: str) -> int:
    return len(re.findall(marker, path.read_text(encoding="utf-8"), re.MULTILINE))


def test_reliability_counts_match_the_tests() -> None:
    cases = len(list((ROOT / "tests" / "badinput").glob("*/case.json")))
    properties = sum(count_tests(ROOT / "tests" / name, r"^@given")
                     for name in ("test_properties.py", "test_reader_properties.py",
                                  "test_templates_check.py"))
    crashes = sum(count_tests(ROOT / "tests" / name, r"^def test_")
                  for name in ("test_crash_safety.py", "test_send_crash.py",
                               "test_send_interrupt.py", "test_decide_crash.py",
                               "test_mail_crash.py"))
    assert f"**Bad-input corpus:** {cases} cases" in README
    assert f"**Property tests (hypothesis):** {properties} properties" in README
    assert f"**Crash tests:** {crashes} tests" in README
    workers = count_tests(ROOT / "tests" / "test_worker_death.py", r"^def test_")
    assert f"**Dead workers:** {workers} tests" in README


def test_quickstart_is_the_two_commands() -> None:
    quickstart = README.split("## Quickstart", 1)[1].split("##", 1)[0]
    commands = re.findall(r"^(make \w+)", quickstart, re.MULTILINE)
    assert commands == ["make demo", "make test"]


def test_every_command_in_the_readme_exists() -> None:
    named = set(re.findall(r"cbct-docs ([a-z-]+)", README))
    runner = CliRunner()
    for name in sorted(named):
        result = runner.invoke(cli, [name, "--help"])
        assert result.exit_code == 0, f"cbct-docs {name}: {result.output}"
