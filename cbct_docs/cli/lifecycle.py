"""The lifecycle commands: announce, intake-reminder, confirm, report, decide, certificate,
heraudit and survey. Each checks every organisation's dossier, renders everything first,
then writes its files and records its events together (nothing half-written); an
organisation that is not at the command's step is passed by with the reason."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..errors import UsageError
from .common import DATE, Progress
from .lifecycle_support import FILE, common, finish, today, word_options

if TYPE_CHECKING:
    from ..runs.office import OfficeFolder


OFFICE_HELP = """

\b
The organisations come from the office database (`cbct-docs register import`);
--register FILE reads a register in first. Every document is recorded in the
organisation's dossier: see `cbct-docs status`."""


def _office(office: Path | None, config: Path | None) -> OfficeFolder:
    from ..runs.office import open_office

    return open_office(office, config)


@click.command(epilog=OFFICE_HELP)
@click.option("--quarter", "-q", required=True, metavar="YYYY-QN",
              help="The quarter of the audits, e.g. 2025-Q2.")
@common
def announce(quarter: str, out: Path, office: Path | None, register: Path | None,
             config: Path | None, day: dt.date | None, overwrite: bool) -> None:
    """Aankondiging e-mails (.eml) for every organisation whose audit falls in a quarter.

    \b
    Examples:
      cbct-docs announce --quarter 2025-Q2
      cbct-docs announce -q 2025-Q3 --date 1-4-2025 --out out/Q3 --register register.xlsx

    The e-mail gives the quarter in words, the framework and the intake deadline
    (counted from --date), and asks who will work in the audit portal. Organisations
    announced already in this cycle are passed by. Send them with
    `cbct-docs send OUT/aankondiging`.
    """
    from ..runs.before_audit import announce as run
    from ..runs.before_audit import parse_quarter

    place = _office(office, config)
    with Progress("Aankondigingen") as progress:
        result = run(place, parse_quarter(quarter), today(day), out=out, overwrite=overwrite,
                     register=register, progress=progress)
    finish(result)


@click.command("intake-reminder", epilog=OFFICE_HELP)
@click.option("--quarter", "-q", required=True, metavar="YYYY-QN",
              help="The quarter that was announced, e.g. 2025-Q2.")
@common
def intake_reminder(quarter: str, out: Path, office: Path | None, register: Path | None,
                    config: Path | None, day: dt.date | None, overwrite: bool) -> None:
    """Intake reminders for the organisations of a quarter that did not return it.

    Only organisations that were announced and whose intake was not recorded as
    received (`cbct-docs record CERTNR intake-ontvangen`) get one; the deadline counts
    from each one's announcement (one more week when it has passed).

    \b
    Example:
      cbct-docs intake-reminder -q 2025-Q2 --date 27-1-2025
    """
    from ..runs.before_audit import intake_reminder as run
    from ..runs.before_audit import parse_quarter

    result = run(_office(office, config), parse_quarter(quarter), today(day), out=out,
                 overwrite=overwrite, register=register)
    finish(result)


@click.command(epilog=OFFICE_HELP)
@click.argument("planning", type=FILE)
@click.option("--quarter", "-q", metavar="YYYY-QN",
              help="Only the audits of this quarter (default: the whole planning).")
@click.option("--org", "only", multiple=True, metavar="CERTNR",
              help="Only this organisation (repeatable).")
@common
@word_options
def confirm(planning: Path, quarter: str | None, only: tuple[str, ...], out: Path,
            office: Path | None, register: Path | None, config: Path | None,
            day: dt.date | None, overwrite: bool, pdf: bool, cover: bool) -> None:
    """Bevestigingsbrieven from a planning workbook (sheets Audits and Afspraken).

    \b
    Examples:
      cbct-docs confirm planning.xlsx --quarter 2025-Q2 --pdf --email
      cbct-docs confirm planning.xlsx --org CBCT-0101 --date 1-3-2025

    Each letter lists all appointments (date, time, location), the audit category and
    its duration, the auditors, the zelfevaluatie deadline and what happens next. An
    audit outside the quarter in which the certificate ends is refused, unless the
    postponement was recorded (`cbct-docs record CERTNR uitstel`).
    """
    from ..runs.before_audit import confirm as run
    from ..runs.before_audit import parse_quarter

    place = _office(office, config)
    result = run(place, planning, today(day), out=out,
                 quarter=parse_quarter(quarter) if quarter else None, only=only,
                 overwrite=overwrite, register=register)
    finish(result, pdf, cover, place.letterhead() if cover else None, overwrite)


@click.command(epilog=OFFICE_HELP)
@click.argument("sheets", nargs=-1, required=True, type=FILE)
@click.option("--concept/--definitief", default=True,
              help="Concept (marked CONCEPT, with the response deadline) or definitive.")
@click.option("--response", metavar="TEXT",
              help="Definitief: how the organisation's response was processed.")
@click.option("--no-response", is_flag=True,
              help="Definitief: the organisation did not respond within the term.")
@click.option("--reason", default="", metavar="TEXT",
              help="Concept: why it goes out later than the term (recorded).")
@common
@word_options
def report(sheets: tuple[Path, ...], concept: bool, response: str | None, no_response: bool,
           reason: str, out: Path, office: Path | None, register: Path | None,
           config: Path | None, day: dt.date | None, overwrite: bool, pdf: bool,
           cover: bool) -> None:
    """Audit reports from filled score sheets.

    \b
    Examples:
      cbct-docs report scores/CBCT-0101.xlsx --concept --date 2-6-2025
      cbct-docs report scores/*.xlsx --definitief --no-response --date 1-7-2025 --pdf

    Per norm: the question scores, findings, strengths and improvement points; a
    summary table, a score chart and the advice. The concept records the audit and
    carries CONCEPT on every page and the response deadline (hoor en wederhoor). The
    definitief report comes after a reaction (--response) or when the term has passed
    (--no-response).
    """
    from ..runs.reports import report as run

    if not concept and not response and not no_response:
        # The definitive report states what became of the response: never by default.
        raise UsageError("--definitief needs --response TEXT (how the response was "
                         "processed) or --no-response (none came within the term)")
    if response and no_response:
        raise UsageError("give --response or --no-response, not both")
    place = _office(office, config)
    with Progress("Reports") as progress:
        result = run(place, sheets, today(day), out=out, concept=concept, response=response,
                     reason=reason, overwrite=overwrite, register=register,
                     progress=progress)
    finish(result, pdf, cover, place.letterhead() if cover else None, overwrite)


@click.command(epilog=OFFICE_HELP)
@click.argument("sheets", nargs=-1, required=True, type=FILE)
@click.option("--certificates/--no-certificates", default=True, show_default=True,
              help="Also make the certificaat for each organisation that is certified.")
@common
@word_options
def decide(sheets: tuple[Path, ...], certificates: bool, out: Path, office: Path | None,
           register: Path | None, config: Path | None, day: dt.date | None,
           overwrite: bool, pdf: bool, cover: bool) -> None:
    """Besluitbrieven (and certificaten) from filled score sheets.

    \b
    Examples:
      cbct-docs decide scores/*.xlsx --date 15-7-2025 --pdf
      cbct-docs decide heraudit/CBCT-0102.xlsx --date 20-1-2026

    Needs the definitief report. Certified: congratulations, the certificaat (numbered
    from the office database) and the new certified-until in the database.
    Voorwaardelijk or niet: the insufficient norms, the heraudit about half a year
    later, and the bezwaar period. After a heraudit, give the heraudit's score sheet:
    the letter speaks of the heraudit and its norms, "alsnog gecertificeerd" when they
    are now sufficient.
    """
    from ..runs.audit import decide as run

    place = _office(office, config)
    with Progress("Decisions") as progress:
        result = run(place, sheets, today(day), out=out, with_certificates=certificates,
                     overwrite=overwrite, register=register, progress=progress)
    finish(result, pdf, cover, place.letterhead() if cover else None, overwrite)


@click.command(epilog=OFFICE_HELP)
@click.option("--org", "only", multiple=True, required=True, metavar="CERTNR",
              help="The organisation (repeatable).")
@click.option("--reason", default="", metavar="TEXT",
              help="Re-issue a certificate that was issued already (recorded).")
@click.option("--number", default="", metavar="NUMBER",
              help="Certificate number to print (default: the next from the office "
                   "database); one --org only.")
@common
@word_options
def certificate(only: tuple[str, ...], reason: str, number: str, out: Path,
                office: Path | None,
                register: Path | None, config: Path | None, day: dt.date | None,
                overwrite: bool, pdf: bool, cover: bool) -> None:
    """Certificaat (A4 landscape) after a Gecertificeerd decision.

    \b
    Examples:
      cbct-docs certificate --org CBCT-0101
      cbct-docs certificate --org CBCT-0101 --reason "lost in the post" --overwrite

    The number, validity and date come from the decision in the dossier; --date is not
    used. Once per cycle: a second one needs --reason.
    """
    from ..runs.audit import certificate as run

    del day  # the decision's date is the certificate's
    place = _office(office, config)
    result = run(place, only, out=out, reason=reason, number=number, overwrite=overwrite,
                 register=register)
    finish(result, pdf, cover, place.letterhead() if cover else None, overwrite)


@click.command(epilog=OFFICE_HELP)
@click.argument("sheets", nargs=-1, required=True, type=FILE)
@click.option("--on", "on", type=DATE, help="Heraudit day (default: half a year after the "
                                            "decision, on a working day).")
@common
@word_options
def heraudit(sheets: tuple[Path, ...], on: dt.date | None, out: Path, office: Path | None,
             register: Path | None, config: Path | None, day: dt.date | None,
             overwrite: bool, pdf: bool, cover: bool) -> None:
    """Heraudit letters, on the insufficient norms only, from the audit's score sheets.

    \b
    Example:
      cbct-docs heraudit scores/CBCT-0102.xlsx --date 1-11-2025 --on 12-1-2026

    Needs a decision that was not Gecertificeerd; records the heraudit as planned.
    """
    from ..runs.heraudit import heraudit as run

    place = _office(office, config)
    result = run(place, sheets, today(day), out=out, on=on, overwrite=overwrite,
                 register=register)
    finish(result, pdf, cover, place.letterhead() if cover else None, overwrite)


@click.command(epilog=OFFICE_HELP)
@click.option("--org", "only", multiple=True, required=True, metavar="CERTNR",
              help="The organisation (repeatable).")
@common
def survey(only: tuple[str, ...], out: Path, office: Path | None, register: Path | None,
           config: Path | None, day: dt.date | None, overwrite: bool) -> None:
    """Tevredenheidsenquête e-mails (.eml) after the decision, once per cycle.

    \b
    Example:
      cbct-docs survey --org CBCT-0101 --org CBCT-0107 --date 1-8-2025
    """
    from ..runs.after import survey as run

    finish(run(_office(office, config), only, today(day), out=out, overwrite=overwrite,
               register=register))


commands = [announce, intake_reminder, confirm, report, decide, certificate, heraudit, survey]
