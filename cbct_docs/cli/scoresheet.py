"""``cbct-docs scoresheet new`` and ``cbct-docs scoresheet check``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from ..documents.scoresheet_file import new_scoresheet
from ..domain.advice import evaluate
from ..domain.frameworks import load_framework
from ..domain.register import find_organisation, read_register
from ..domain.scoresheet import read_scoresheet
from ..errors import UsageError
from ..paths import samples_dir
from .common import DATE

DEFAULT_REGISTER = Path("register.xlsx")


def register_path(given: Path | None) -> Path:
    """The register to use: the option, else ./register.xlsx (never the fictional sample:
    a score sheet prefilled with another organisation's data would be wrong)."""
    if given is not None:
        return given
    if DEFAULT_REGISTER.is_file():
        return DEFAULT_REGISTER
    raise UsageError(f"no --register given and no {DEFAULT_REGISTER} in this folder",
                     hint=f"try the sample: --register {samples_dir() / 'register.xlsx'}")


@click.group()
def scoresheet() -> None:
    """Score sheets: make one per audit, then check the filled-in sheet and its advice."""


@scoresheet.command("new")
@click.option("--org", "cert_nr", required=True, metavar="CERTNR",
              help="Certificate number of the organisation, as in the register.")
@click.option("--register", "register", type=click.Path(dir_okay=False, path_type=Path),
              help="Organisation register (.xlsx, .csv, .json). Default: ./register.xlsx.")
@click.option("--sheet", help="Worksheet of the register (default: the first).")
@click.option("--framework", "framework_file", metavar="FILE",
              help="Own framework .yaml instead of the bundled one named in the register.")
@click.option("--audit-date", "audit_dates", type=DATE, multiple=True,
              help="Audit day, e.g. 12-5-2025. Repeat for more days.")
@click.option("--auditor", "auditors", multiple=True, metavar="NAME",
              help="Auditor's name. Repeat for more auditors.")
@click.option("--out", "-o", required=True, type=click.Path(path_type=Path),
              help="The .xlsx to write, or an existing folder (a name is chosen).")
@click.option("--overwrite", is_flag=True, help="Replace the sheet if it exists already.")
def new(cert_nr: str, register: Path | None, sheet: str | None, framework_file: str | None,
        audit_dates: tuple[dt.date, ...], auditors: tuple[str, ...], out: Path,
        overwrite: bool) -> None:
    """Write a score sheet for one audit, prefilled from the register and framework.

    The sheet has one row per question with a dropdown of the four scores
    (Niet, Beperkt, Grotendeels, Volledig), a sheet for findings, strengths and
    improvement points per norm, the yes/no indicators, and an Audit sheet with
    audit dates, auditors and an optional advice override (which needs a reason).

    \b
    Examples:
      cbct-docs scoresheet new --org CBCT-0104 --register register.xlsx \\
          --audit-date 12-5-2025 --auditor "A. de Vries" --out scores/
      cbct-docs scoresheet new --org CBCT-0101 --audit-date 3-6-2025 \\
          --audit-date 4-6-2025 --auditor "A. de Vries" --auditor "B. Bakker" \\
          --out CBCT-0101.xlsx
    """
    organisation = find_organisation(read_register(register_path(register), sheet), cert_nr)
    framework = load_framework(framework_file or organisation.framework)
    path = new_scoresheet(organisation, framework, out, audit_dates, auditors,
                          overwrite=overwrite)
    count = len(framework.applicable_questions(organisation.modules))
    click.echo(f"Made {path}: {count} questions for {organisation.cert_nr} "
               f"{organisation.name} ({framework.code}).")


@scoresheet.command("check")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--framework", "framework_file", metavar="FILE",
              help="Own framework .yaml instead of the bundled one named in the sheet.")
def check(file: Path, framework_file: str | None) -> None:
    """Check a filled-in score sheet; print each norm's result and the advice.

    Every cell is checked and all problems are listed together (exit 1), e.g.
    "scores.xlsx:Scores:row 12:score: 'Grotendeel' is not one of Niet, Beperkt,
    Grotendeels, Volledig".

    \b
    Example:
      cbct-docs scoresheet check scores/CBCT-0104*.xlsx
    """
    framework = load_framework(framework_file) if framework_file else None
    sheet = read_scoresheet(file, framework)
    result = evaluate(sheet, framework or sheet.framework)
    dates = ", ".join(f"{d.day}-{d.month}-{d.year}" for d in sheet.audit_dates)
    click.echo(f"{sheet.cert_nr} {sheet.org_name} ({sheet.framework}); audit {dates}; "
               f"auditors {', '.join(sheet.auditors)}")
    for item in [*result.norm_results, *result.module_results]:
        reason = f" ({item.reason})" if item.reason else ""
        click.echo(f"  {item.norm.label}: {item.result}{reason}")
    if result.overridden:
        click.echo(f"Advice: {result.advice} (override; the scores give "
                   f"{result.computed_advice}). Reason: {result.override_reason}")
    else:
        click.echo(f"Advice: {result.advice}")


commands = [scoresheet]
