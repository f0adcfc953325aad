"""``cbct-docs overview``: the sector overview of a period."""

from __future__ import annotations

from pathlib import Path

import click

from ..overview import build_overview
from .common import Progress

FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


@click.command()
@click.argument("results", type=FILE)
@click.option("--scores", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Folder with the score workbooks (.xlsx) of the period; adds the "
                   "scores per norm.")
@click.option("--survey", type=FILE,
              help="Satisfaction survey (.xlsx or .csv, one row per respondent); adds the "
                   "satisfaction distribution.")
@click.option("--out", "-o", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder for the report and its charts (created if needed).")
@click.option("--period", default="", metavar="TEXT",
              help="Period named in the report, e.g. '2025' or 'tweede helft 2025'.")
@click.option("--sheet", help="Worksheet of RESULTS to read (default: the first).")
@click.option("--template", type=FILE,
              help="Your own Word template (default: templates/reports/overview.docx).")
@click.option("--overwrite", is_flag=True, help="Replace a report and charts that exist.")
def overview(results: Path, scores: Path | None, survey: Path | None, out: Path, period: str,
             sheet: str | None, template: Path | None, overwrite: bool) -> None:
    """Make the sector overview of a period from the RESULTS table.

    RESULTS is .xlsx or .csv with exactly these headers: nr., cert. nr., Naam
    organisatie, Branchevereniging, Resultaat, Opmerking and optionally
    Auditcategorie. Writes sectoroverzicht.docx and every chart as PNG into --out.

    \b
    Examples:
      cbct-docs overview resultaten-2025.xlsx --out out/overzicht --period 2025
      cbct-docs overview resultaten.csv --survey enquete.csv --out out/overzicht
      cbct-docs overview resultaten.xlsx --scores scoreformulieren/ --out out/overzicht

    All problems of the inputs are listed at once and nothing is written then.
    """
    click.echo(f"Reading {results.name}…", err=True)
    with Progress("Reading score workbooks") as advance:
        report = build_overview(results, scores=scores, survey=survey, sheet=sheet,
                                period=period, template=template, progress=advance)
    written = report.write(out, overwrite=overwrite)
    c = report.counts
    click.echo(f"{c.rows} organisations, {c.trajectories} trajectories, "
               f"{c.certified_at_once} certified at once, {c.certified_after_heraudit} after a "
               f"heraudit, {c.certified} certified in all.")
    if report.audits:
        click.echo(f"Scores from {len(report.audits)} workbooks.")
    if report.survey is not None:
        click.echo(f"Survey: {report.survey.respondents} respondents, "
                   f"{len(report.survey.questions)} questions.")
        if report.survey.ignored_columns:
            click.echo("Survey columns not used as questions: "
                       + ", ".join(report.survey.ignored_columns))
    click.echo(f"Wrote {written[0].name} and {len(written) - 1} charts → {out}")


commands = [overview]
