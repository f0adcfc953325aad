"""``cbct-docs status``, ``record`` and ``dossier``: where every organisation stands, what
happened outside the tool, and the dossier of one organisation."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .common import DATE
from .lifecycle_support import FILE, office_options, today

if TYPE_CHECKING:
    from ..runs.office import OfficeFolder
    from ..runs.status import YearView



def _office(office: Path | None, config: Path | None) -> OfficeFolder:
    from ..runs.office import open_office

    return open_office(office, config)



@click.command()
@click.option("--quarter", "-q", metavar="YYYY-QN", help="Only the audits of this quarter.")
@click.option("--overdue", is_flag=True, help="Only what is overdue.")
@click.option("--xlsx", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the list to this spreadsheet.")
@click.option("--year", type=int, help="The year view: audits per quarter and audit days "
                                       "per auditor per month.")
@click.option("--date", "day", type=DATE, help="Count overdue from this day (default: today).")
@click.option("--overwrite", is_flag=True, help="Replace the --xlsx file if it exists.")
@office_options
def status(quarter: str | None, overdue: bool, xlsx: Path | None, year: int | None,
           day: dt.date | None, overwrite: bool, office: Path | None, register: Path | None,
           config: Path | None) -> None:
    """Where every organisation stands: the step reached, the next action and its
    deadline; what is overdue is listed apart.

    \b
    Examples:
      cbct-docs status
      cbct-docs status --quarter 2025-Q2 --xlsx status-Q2.xlsx
      cbct-docs status --overdue
      cbct-docs status --year 2025
    """
    from ..runs.before_audit import parse_quarter
    from ..runs.status import status as run
    from ..runs.status import status_lines, status_workbook, year_view

    place = _office(office, config)
    if year is not None:
        show_year(year_view(place, year))
        return
    rows = run(place, today(day), quarter=parse_quarter(quarter) if quarter else None,
               overdue_only=overdue, register=register)
    for line in status_lines(rows, overdue_only=overdue):
        click.echo(line)
    if xlsx is not None:
        from ..deliver.files import atomic_write

        atomic_write(xlsx, status_workbook(rows), overwrite=overwrite)
        click.echo(f"Written: {xlsx}")


def show_year(view: YearView) -> None:
    click.echo(f"Audits in {view.year}, per quarter:")
    for quarter, count in view.per_quarter.items():
        click.echo(f"  {quarter}  {count:>4}")
    click.echo("Audit days per auditor per month:")
    months = range(1, 13)
    click.echo("  " + " " * 24 + " ".join(f"{m:>3}" for m in months))
    for name, counts in view.per_auditor.items():
        click.echo(f"  {name[:24]:<24}" + " ".join(f"{counts.get(m, 0) or '.':>3}"
                                                   for m in months))


@click.command()
@click.argument("cert_nr", required=False)
@click.argument("event", required=False)
@click.option("--date", "day", type=DATE, help="When it happened (default: today).")
@click.option("--reason", default="", help="Why (needed for uitstel).")
@click.option("--quarter", default="", metavar="YYYY-QN", help="uitstel: the new quarter.")
@click.option("--note", default="", help="A note to keep with the event.")
@click.option("--from", "sheet", type=FILE,
              help="Record many events from a sheet: columns cert_nr, gebeurtenis, datum "
                   "(and reden, kwartaal, toelichting).")
@office_options
def record(cert_nr: str | None, event: str | None, day: dt.date | None, reason: str,
           quarter: str, note: str, sheet: Path | None, office: Path | None,
           register: Path | None, config: Path | None) -> None:
    """Record what happened outside the tool in an organisation's dossier.

    \b
    Events: intake-ontvangen, zelfevaluatie-ontvangen, audit-gehouden,
    reactie-ontvangen, reactietermijn-verstreken, post-verstuurd,
    heraudit-gehouden, uitstel, bezwaar-ingediend, bezwaar-afgehandeld, klacht.

    \b
    Examples:
      cbct-docs record CBCT-0101 intake-ontvangen --date 20-1-2025
      cbct-docs record CBCT-0105 uitstel --quarter 2025-Q3 --reason "verbouwing"
      cbct-docs record --from gebeurtenissen.xlsx

    Every event is checked against the dossier first; with --from, nothing is recorded
    when one row is wrong.
    """
    from ..errors import UsageError
    from ..runs.record import Happening, read_happenings
    from ..runs.record import record as run

    if sheet is not None:
        items = read_happenings(sheet)
    elif cert_nr and event:
        items = [Happening(cert_nr, event, today(day), reason, quarter, note)]
    else:
        raise UsageError("give CERTNR and EVENT, or --from FILE",
                         hint="e.g. cbct-docs record CBCT-0101 intake-ontvangen")
    result = run(_office(office, config), items, register=register)
    for note_line in result.notes:
        click.echo(note_line)
    click.echo(f"{result.recorded} event(s) recorded.")


@click.group()
def dossier() -> None:
    """One organisation's dossier, and starting dossiers from an office's history."""


@dossier.command("show")
@click.argument("cert_nr")
@office_options
def show(cert_nr: str, office: Path | None, register: Path | None,
         config: Path | None) -> None:
    """The timeline of one organisation's current dossier.

    \b
    Example:
      cbct-docs dossier show CBCT-0101
    """
    from ..records.dates import day_text
    from ..runs.status import dossier_view

    view = dossier_view(_office(office, config), cert_nr, register)
    org, action = view.org, view.action
    click.echo(f"{org.cert_nr}  {org.name}  ({org.framework}, audit {view.state.quarter})")
    for event in view.events:
        extra = f"  [{event.document}]" if event.document else ""
        why = f" — {event.reason}" if event.reason else ""
        click.echo(f"  {day_text(event.day):>10}  {event.label}{why}  ({event.recorded_by})"
                   f"{extra}")
    when = f", uiterlijk {day_text(action.deadline)}" if action.deadline else ""
    click.echo(f"Stap: {action.step}" + (f"; volgende: {action.action}{when} "
                                          f"(cbct-docs {action.command})" if action.action
                                          else ""))


@dossier.command("import")
@click.option("--planning", type=FILE, help="The planning workbook (announced, confirmed).")
@click.option("--scores", type=click.Path(exists=True, path_type=Path), multiple=True,
              help="Score sheets or a folder of them (the audits held).")
@office_options
def import_(planning: Path | None, scores: tuple[Path, ...], office: Path | None,
            register: Path | None, config: Path | None) -> None:
    """Start dossiers for an office that is mid-cycle, from its register, planning and
    score sheets. What is recorded already stays: running it twice changes nothing.

    \b
    Example:
      cbct-docs dossier import --register register.xlsx --planning planning.xlsx \\
          --scores scores/
    """
    from ..runs.record import import_dossiers

    sheets: list[Path] = []
    for item in scores:
        sheets += sorted(item.glob("*.xlsx")) if item.is_dir() else [item]
    result = import_dossiers(_office(office, config), planning=planning, scores=sheets,
                             register=register)
    for note in result.notes:
        click.echo(note)
    click.echo(f"{result.recorded} event(s) recorded.")


commands = [status, record, dossier]
