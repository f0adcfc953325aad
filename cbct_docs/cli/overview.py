"""``cbct-docs overview``: the sector overview of a period."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from .common import DATE, Progress

FILE = click.Path(exists=True, dir_okay=False, path_type=Path)
FOLDER = click.Path(exists=True, file_okay=False, path_type=Path)


@click.command()
@click.argument("results", type=FILE, required=False)
@click.option("--period", default="", metavar="TEXT",
              help="The period: 2025, 2025-H2 or 2025-Q2 for the recorded decisions; with "
                   "RESULTS any name the report should give it ('tweede helft 2025').")
@click.option("--scores", type=FOLDER,
              help="Folder with the score workbooks (.xlsx) of the period; adds the "
                   "scores per norm.")
@click.option("--survey", type=FILE,
              help="Satisfaction survey (.xlsx or .csv, one row per respondent); adds the "
                   "satisfaction distribution.")
@click.option("--out", "-o", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder for the report and its charts (created if needed).")
@click.option("--office", type=FOLDER, default=None,
              help="The office folder (its database holds the decisions). "
                   "Default: $CBCT_OFFICE, else this folder.")
@click.option("--date", "day", type=DATE, default=None,
              help="Date of the report (default: today); what was recorded for later days "
                   "is not counted.")
@click.option("--sheet", help="Worksheet of RESULTS to read (default: the first).")
@click.option("--template", type=FILE,
              help="Your own Word template (default: templates/reports/overview.docx).")
@click.option("--overwrite", is_flag=True, help="Replace a report and charts that exist.")
def overview(results: Path | None, period: str, scores: Path | None, survey: Path | None,
             out: Path, office: Path | None, day: dt.date | None, sheet: str | None,
             template: Path | None, overwrite: bool) -> None:
    """Make the sector overview of a period.

    Without RESULTS it counts the decisions recorded in the office database: every
    dossier whose decision on the audit falls in --period, with the decision that
    stands (after a heraudit, that one: alsnog gecertificeerd counts as certified
    after a heraudit).

    For a period before the tool give its RESULTS table: .xlsx or .csv with exactly
    these headers: nr., cert. nr., Naam organisatie, Branchevereniging, Resultaat,
    Opmerking and optionally Auditcategorie.

    Writes sectoroverzicht.docx and every chart as PNG into --out.

    \b
    Examples:
      cbct-docs overview --period 2025 --out out/overzicht
      cbct-docs overview --period 2025-H2 --scores scoreformulieren/ --out out/overzicht
      cbct-docs overview resultaten-2024.xlsx --out out/overzicht --period 2024
      cbct-docs overview resultaten-2025.xlsx --out out/overzicht --period 2025
      cbct-docs overview resultaten.csv --survey enquete.csv --out out/overzicht

    All problems of the inputs are listed at once and nothing is written then.
    """
    from ..runs.office import open_office
    from ..runs.overview import overview as run

    click.echo(f"Reading {results.name if results else 'the recorded decisions'}…", err=True)
    with Progress("Reading score workbooks") as advance:
        result = run(open_office(office), period, out=out, results=results, scores=scores,
                     survey=survey, sheet=sheet, template=template, day=day,
                     overwrite=overwrite, progress=advance)
    for note in result.notes:
        click.echo(note)
    click.echo(f"Wrote {result.made[0].path.name} and {len(result.made) - 1} charts → {out}")


commands = [overview]
