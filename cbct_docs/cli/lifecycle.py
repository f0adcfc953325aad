"""The lifecycle commands: announce, intake-reminder, confirm, report, decide, certificate,
heraudit, survey and campaign. Each renders everything first and writes only when all is
well (nothing half-written); ``--pdf`` converts the Word documents in one batch."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from ..deliver.ledger import office_ledger_path
from ..documents.context import Batch, load_office
from ..errors import DataError, Problems, UsageError
from .common import DATE, Progress
from .lifecycle_support import (
    FILE,
    allocate_numbers,
    common,
    finish,
    organisations,
    scoresheets,
    word_options,
)

# --- the commands -----------------------------------------------------------------------

@click.command()
@click.option("--quarter", "-q", required=True, metavar="YYYY-QN",
              help="The quarter whose certificates expire, e.g. 2025-Q2.")
@common
def announce(quarter: str, out: Path, register: Path | None, config: Path | None,
             day: dt.date | None, overwrite: bool) -> None:
    """Aankondiging e-mails (.eml) for every organisation whose audit falls in a quarter.

    \b
    Examples:
      cbct-docs announce --quarter 2025-Q2 --register register.xlsx
      cbct-docs announce -q 2025-Q3 --date 1-4-2025 --out out/Q3

    The e-mail gives the quarter in words, the framework and the intake deadline
    (counted from --date), and asks who will work in the audit portal. Send them
    with `cbct-docs send OUT/aankondiging`.
    """
    _announce(quarter, out, register, config, day, overwrite, reminder=False)


@click.command("intake-reminder")
@click.option("--quarter", "-q", required=True, metavar="YYYY-QN",
              help="The quarter that was announced, e.g. 2025-Q2.")
@click.option("--announced", type=DATE, required=True,
              help="Date of the announcement; the intake deadline counts from it.")
@common
def intake_reminder(quarter: str, announced: dt.date, out: Path, register: Path | None,
                    config: Path | None, day: dt.date | None, overwrite: bool) -> None:
    """Intake reminder e-mails for the organisations of an announced quarter.

    \b
    Example:
      cbct-docs intake-reminder -q 2025-Q2 --announced 13-1-2025 --register register.xlsx
    """
    _announce(quarter, out, register, config, announced, overwrite, reminder=True,
              reminder_date=day or dt.date.today())


def _announce(quarter: str, out: Path, register: Path | None, config: Path | None,
              day: dt.date | None, overwrite: bool, reminder: bool,
              reminder_date: dt.date | None = None) -> None:
    from ..documents.announcement import announce as make
    from ..domain.planning import Quarter

    try:
        wanted = Quarter.parse(quarter)
    except DataError as error:
        raise UsageError(f"--quarter: {error.what}", hint="e.g. 2025-Q2") from None
    batch = Batch(out, overwrite)
    due = make(organisations(register), wanted, batch, load_office(config),
               day or dt.date.today(), reminder=reminder, reminder_date=reminder_date)
    if not due:
        click.echo(f"No organisation has its audit in {wanted}.")
    finish(batch)


@click.command()
@click.argument("planning", type=FILE)
@click.option("--org", "only", multiple=True, metavar="CERTNR",
              help="Only this organisation (repeatable). Default: all in the planning.")
@common
@word_options
def confirm(planning: Path, only: tuple[str, ...], out: Path, register: Path | None,
            config: Path | None, day: dt.date | None, overwrite: bool, pdf: bool,
            cover: bool) -> None:
    """Bevestigingsbrieven from a planning workbook (sheets Audits and Afspraken).

    \b
    Examples:
      cbct-docs confirm planning.xlsx --register register.xlsx --pdf --email
      cbct-docs confirm planning.xlsx --org CBCT-0101 --date 1-3-2025

    Each letter lists all appointments (date, time, location), the audit category and
    its duration, the auditors, the zelfevaluatie deadline and what happens next.
    """
    from ..documents.confirmation import confirm as make
    from ..documents.planning_data import read_planning

    batch, office = Batch(out, overwrite), load_office(config)
    make(organisations(register), read_planning(planning), batch, office,
         day or dt.date.today(), only)
    finish(batch, pdf, cover, office)


@click.command()
@click.argument("sheets", nargs=-1, required=True, type=FILE)
@click.option("--concept/--definitief", default=True,
              help="Concept (marked CONCEPT, with the response deadline) or definitive.")
@click.option("--response", metavar="TEXT",
              help="Definitief: how the organisation's response was processed.")
@click.option("--no-response", is_flag=True,
              help="Definitief: the organisation did not respond within the term.")
@common
@word_options
def report(sheets: tuple[Path, ...], concept: bool, response: str | None, no_response: bool,
           out: Path, register: Path | None, config: Path | None, day: dt.date | None,
           overwrite: bool, pdf: bool, cover: bool) -> None:
    """Audit reports from filled score sheets.

    \b
    Examples:
      cbct-docs report scores/CBCT-0101.xlsx --concept --register register.xlsx
      cbct-docs report scores/*.xlsx --definitief --no-response --date 1-7-2025 --pdf

    Per norm: the question scores, findings, strengths and improvement points; a
    summary table, a score chart and the advice. The concept carries CONCEPT on every
    page and the response deadline (hoor en wederhoor), counted from --date.
    """
    from ..documents.report import report as make

    if not concept and not response and not no_response:
        # The definitive report states what became of the response: never by default.
        raise UsageError("--definitief needs --response TEXT (how the response was "
                         "processed) or --no-response (none came within the term)")
    if response and no_response:
        raise UsageError("give --response or --no-response, not both")
    orgs = organisations(register)
    batch, office = Batch(out, overwrite), load_office(config)
    problems = Problems()
    pairs = scoresheets(sheets, orgs)
    with Progress("Reports") as advance:  # a chart per report: seconds for a quarter
        for done, (org, sheet) in enumerate(pairs, start=1):
            with problems.catch():
                make(org, sheet, batch, office, day or dt.date.today(),
                     versions=("concept" if concept else "definitief",), response=response)
            advance(done, len(pairs))
    problems.raise_if_any()
    finish(batch, pdf, cover, office)


@click.command()
@click.argument("sheets", nargs=-1, required=True, type=FILE)
@click.option("--certificates/--no-certificates", default=True, show_default=True,
              help="Also make the certificaat for each organisation that is certified.")
@click.option("--ledger", type=click.Path(dir_okay=False, path_type=Path),
              help="SQLite ledger that hands out certificate numbers (default: "
                   "$CBCT_LEDGER, else cbct-ledger.sqlite in the working folder).")
@common
@word_options
def decide(sheets: tuple[Path, ...], certificates: bool, ledger: Path | None, out: Path,
           register: Path | None, config: Path | None, day: dt.date | None,
           overwrite: bool, pdf: bool, cover: bool) -> None:
    """Besluitbrieven (one template, three outcomes) from filled score sheets.

    \b
    Examples:
      cbct-docs decide scores/*.xlsx --register register.xlsx --date 15-7-2025 --pdf

    Certified: congratulations, and the certificaat (numbered from the ledger).
    Voorwaardelijk or niet: the insufficient norms, the heraudit about half a year
    later, and the bezwaar period of the framework.
    """
    from ..documents.certificate import certificate as make_certificate
    from ..documents.decision import decide as make

    decided = day or dt.date.today()
    batch, office = Batch(out, overwrite), load_office(config)
    problems = Problems()
    certified = []
    for org, sheet in scoresheets(sheets, organisations(register)):
        with problems.catch():
            result = make(org, sheet, batch, office, decided)
            if result.advice == "Gecertificeerd":
                certified.append(org)
    problems.raise_if_any()
    if certificates and certified:
        numbers = allocate_numbers(certified, decided, ledger or office_ledger_path())
        for org in certified:
            make_certificate(org, numbers[org.cert_nr], batch, office, decided)
    finish(batch, pdf, cover, office)


@click.command()
@click.option("--org", "only", multiple=True, required=True, metavar="CERTNR",
              help="The organisation (repeatable).")
@click.option("--number", metavar="NUMBER",
              help="Certificate number to print (default: the next from the ledger).")
@click.option("--ledger", type=click.Path(dir_okay=False, path_type=Path),
              help="SQLite ledger (default: $CBCT_LEDGER, else cbct-ledger.sqlite in the "
                   "working folder).")
@common
@word_options
def certificate(only: tuple[str, ...], number: str | None, ledger: Path | None, out: Path,
                register: Path | None, config: Path | None, day: dt.date | None,
                overwrite: bool, pdf: bool, cover: bool) -> None:
    """Certificaten (A4 landscape): number, organisation, framework, modules, validity.

    \b
    Examples:
      cbct-docs certificate --org CBCT-0101 --register register.xlsx --date 15-7-2025
    """
    from ..documents.certificate import certificate as make
    from ..domain.register import find_organisation

    orgs = organisations(register)
    chosen = [find_organisation(orgs, nr) for nr in only]
    if number and len(chosen) > 1:
        raise UsageError("--number fits one --org only")
    start = day or dt.date.today()
    book = ledger or office_ledger_path()
    if number:  # the office's own choice: still recorded, so it is never given twice
        from ..deliver.ledger import Ledger

        with Ledger(book) as records:
            records.claim_number(number, chosen[0].cert_nr, chosen[0].framework, start.year)
        numbers = {chosen[0].cert_nr: number}
    else:
        numbers = allocate_numbers(chosen, start, book)
    batch = Batch(out, overwrite)
    office = load_office(config)
    for org in chosen:
        make(org, numbers[org.cert_nr], batch, office, start)
    finish(batch, pdf, cover, office)


@click.command()
@click.argument("sheets", nargs=-1, required=True, type=FILE)
@click.option("--decided", type=DATE, required=True, help="Date of the besluit.")
@click.option("--on", "on", type=DATE, help="Heraudit day (default: half a year after).")
@common
@word_options
def heraudit(sheets: tuple[Path, ...], decided: dt.date, on: dt.date | None, out: Path,
             register: Path | None, config: Path | None, day: dt.date | None,
             overwrite: bool, pdf: bool, cover: bool) -> None:
    """Heraudit letters, on the insufficient norms only, from the audit's score sheets.

    \b
    Example:
      cbct-docs heraudit scores/CBCT-0102.xlsx --decided 15-7-2025 --on 12-1-2026
    """
    from ..documents.decision import heraudit_letter

    batch, office = Batch(out, overwrite), load_office(config)
    skipped = [org.name for org, sheet in scoresheets(sheets, organisations(register))
               if not heraudit_letter(org, sheet, batch, office, decided,
                                      day or dt.date.today(), on)]
    for name in skipped:
        click.echo(f"No heraudit needed for {name}: all norms are sufficient.")
    finish(batch, pdf, cover, office)


@click.command()
@click.option("--org", "only", multiple=True, required=True, metavar="CERTNR",
              help="The organisation (repeatable).")
@common
def survey(only: tuple[str, ...], out: Path, register: Path | None, config: Path | None,
           day: dt.date | None, overwrite: bool) -> None:
    """Tevredenheidsenquête e-mails (.eml) after the decision.

    \b
    Example:
      cbct-docs survey --org CBCT-0101 --org CBCT-0107 --register register.xlsx
    """
    from ..documents.certificate import survey as make
    from ..domain.register import find_organisation

    orgs = organisations(register)
    batch, office = Batch(out, overwrite), load_office(config)
    for nr in only:
        make(find_organisation(orgs, nr), batch, office, day or dt.date.today())
    finish(batch)


@click.command()
@click.argument("data", type=FILE)
@click.option("--places", type=click.IntRange(min=1), required=True,
              help="How many places there are; the first N registrations get one.")
@click.option("--title", default="pilot digitale zelfevaluatie", show_default=True,
              help="Name of the campaign as the e-mails mention it.")
@click.option("--templates", "template_folder", type=click.Path(file_okay=False,
              exists=True, path_type=Path),
              help="Folder with campagne.html and campagne.txt (default: the built-in ones).")
@click.option("--out", "-o", type=click.Path(file_okay=False, path_type=Path),
              default=Path("out"), show_default=True, help="Folder for the documents.")
@click.option("--config", type=FILE, default=None, help="Settings file (cbct-docs.toml).")
@click.option("--overwrite", is_flag=True, help="Replace documents that exist already.")
def campaign(data: Path, places: int, title: str, template_folder: Path | None, out: Path,
             config: Path | None, overwrite: bool) -> None:
    """A campaign with limited places: first come, first placed; everyone answered.

    DATA has columns naam, contact, email and aangemeld_op (date and time of the
    registration). The selection is written to OUT/campagne/deelnemers.json and the
    answers go through the generic merge (HTML and text), then into .eml files.

    \b
    Example:
      cbct-docs campaign aanmeldingen.xlsx --places 4 --title "pilot digitale zelfevaluatie"
    """
    from ..documents.campaign import campaign as make

    batch = Batch(out, overwrite)
    counts = make(data, batch, load_office(config), places, title=title,
                  template_folder=template_folder)
    finish(batch)
    click.echo(f"{counts['geplaatst']} placed, {counts['bedankt']} thanked.")


commands = [announce, intake_reminder, confirm, report, decide, certificate, heraudit, survey,
            campaign]
