"""``cbct-docs register check``."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..errors import DataError, UsageError

if TYPE_CHECKING:  # the domain is imported when a command runs, not for --help
    from ..domain.planning import Quarter
    from ..domain.register import Organisation


@click.group()
def register() -> None:
    """The organisation register: check it, see whose audit falls in a quarter."""


@register.command("check")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--sheet", help="Worksheet to read (default: the first).")
@click.option("--quarter", metavar="YYYY-QN",
              help="Also list the organisations whose audit is planned then, e.g. 2025-Q2.")
def check(file: Path, sheet: str | None, quarter: str | None) -> None:
    """Check the register FILE and list every problem at once (exit 1), or summarise it.

    Checks e-mail addresses, frameworks and modules, branch associations, audit
    categories, dates and that no certificate number appears twice.

    \b
    Examples:
      cbct-docs register check register.xlsx
      cbct-docs register check register.csv --quarter 2025-Q2
    """
    from ..domain.planning import Quarter
    from ..domain.register import read_register
    from ..records.dates import day_text

    wanted = None
    if quarter:
        try:
            wanted = Quarter.parse(quarter)
        except DataError as error:
            raise UsageError(error.what, hint=error.hint) from None
    organisations = read_register(file, sheet)
    frameworks = Counter(o.framework for o in organisations)
    per_fw = ", ".join(f"{code} {count}" for code, count in sorted(frameworks.items()))
    click.echo(f"OK: {len(organisations)} organisations in {file} ({per_fw}).")
    planned = audit_quarters(organisations)
    quarters = Counter(planned.values())
    click.echo("Audits per quarter: " + ", ".join(f"{q} {n}" for q, n in sorted(quarters.items())))
    if wanted is not None:
        due = [o for o in organisations if planned[o.cert_nr] == wanted]
        click.echo(f"{wanted} ({wanted.label}): {len(due)} organisation(s)")
        for org in due:
            until = org.certified_until
            click.echo(f"  {org.cert_nr}  {org.name}  ({org.framework}, certified until "
                       f"{day_text(until)})")


def audit_quarters(organisations: list[Organisation]) -> dict[str, Quarter]:
    """Each organisation's audit quarter by its own framework's rule (``audit_quarter``),
    worked out once per framework and certified-until date: a register of 100,000 rows
    repeats a few hundred of them."""
    from ..domain.frameworks import load_framework
    from ..domain.planning import audit_quarter

    deadlines = {code: load_framework(code).deadlines
                 for code in {o.framework for o in organisations}}
    known: dict[tuple[str, dt.date], Quarter] = {}
    planned: dict[str, Quarter] = {}
    for org in organisations:
        key = (org.framework, org.certified_until)
        quarter = known.get(key)
        if quarter is None:
            quarter = known[key] = audit_quarter(org, deadlines[org.framework])
        planned[org.cert_nr] = quarter
    return planned


@register.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--office", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="The office folder (default: $CBCT_OFFICE, else this folder).")
@click.option("--new-ledger", is_flag=True,
              help="Start a new, empty office database where the old one is lost (an "
                   "empty file, or a -wal without its database). Restore a backup first!")
def import_(file: Path, office: Path | None, new_ledger: bool) -> None:
    """Read the register FILE into the office database and list what changed.

    New organisations, changed fields and organisations no longer in the file are
    listed; a certified-until that a decision set is kept when the file still has the
    older date. All problems of the file at once; nothing is taken when there is one.

    \b
    Example:
      cbct-docs register import register.xlsx
    """
    from ..runs.office import open_office
    from ..runs.register import import_register

    changes = import_register(open_office(office, new_database_ok=new_ledger), file)
    for change in changes:
        click.echo(f"  {change}")
    click.echo(f"{len(changes)} change(s)." if changes else "No changes.")


@register.command("export")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--office", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="The office folder (default: $CBCT_OFFICE, else this folder).")
@click.option("--overwrite", is_flag=True, help="Replace FILE if it exists.")
def export(file: Path, office: Path | None, overwrite: bool) -> None:
    """Write the register as it now stands (with the decisions' new dates) to FILE.

    \b
    Example:
      cbct-docs register export register-nu.xlsx
    """
    from ..runs.office import open_office
    from ..runs.register import export_register

    count = export_register(open_office(office), file, overwrite=overwrite)
    click.echo(f"{count} organisations written to {file}")


commands = [register]
