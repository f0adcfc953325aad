"""The sector overview of a period: from the decisions recorded in the office database, or
from the results table of a period before the tool."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from ..documents.context import Made
from ..errors import UsageError
from ..overview import Overview, build_overview
from ..overview.recorded import parse_period, recorded_rows, recorded_table
from ..overview.results import ResultsTable
from ..records.dates import day_text
from ..store.decisions import decided_dossiers, decision_span
from .office import OfficeFolder
from .run import Progress, RunResult


@dataclass
class OverviewResult(RunResult):
    """A run's result, with the report itself (its counts, score workbooks, survey)."""

    report: Overview | None = None
    source: str = ""  # what the rows came from, in words


def overview(office: OfficeFolder, period: str = "", *, out: Path,
             results: Path | None = None, scores: Path | None = None,
             survey: Path | None = None, sheet: str | None = None,
             template: Path | None = None, day: dt.date | None = None,
             overwrite: bool = False, progress: Progress | None = None) -> OverviewResult:
    """Make ``sectoroverzicht.docx`` and its charts in ``out``.

    Without ``results`` the rows are the dossiers decided in ``period`` (``2025``,
    ``2025-H2``, ``2025-Q2``) as the office database has them; ``day`` dates the report
    (default: today) and, when given, leaves out what was recorded for later days. With
    ``results`` (the table of a period before the tool) ``period`` is only the name the
    report gives it. Every problem of the inputs is raised at once, nothing written.
    """
    if results is None and not period.strip():
        raise UsageError("give --period (e.g. --period 2025) to count the recorded "
                         "decisions, or the RESULTS table of a period before the tool",
                         location="cbct-docs overview")
    if sheet and results is None:
        raise UsageError("--sheet is a worksheet of RESULTS; no RESULTS was given",
                         location="--sheet")
    today = day or dt.date.today()
    label = period
    results_name: str | None = None
    recorded = ""
    table: Path | ResultsTable
    if results is not None:
        table, source = results, results.name
    else:
        chosen = parse_period(period)
        if not office.database_path.exists():  # a report never starts a database
            raise UsageError("there is no office database here", location=office.database_path,
                             hint="give --office DIR, the folder with the office's database; "
                                  "for a period before the tool give its RESULTS table")
        database = office.database()
        rows = recorded_rows(decided_dossiers(database, chosen.start, chosen.end), chosen,
                             source=office.database_path, as_of_day=day)
        table = recorded_table(rows, chosen, source=office.database_path,
                               span=decision_span(database))
        label, source = chosen.label, f"decisions recorded in {chosen}"
        recorded = f"{len(rows)} dossiers decided in {chosen}" + (
            f", as recorded up to {day_text(day)}." if day else ".")
        results_name = f"the decisions recorded in {chosen.label}"
    report = build_overview(table, scores=scores, survey=survey, sheet=sheet, period=label,
                            template=template, today=today, progress=progress,
                            results_name=results_name)
    written = report.write(out, overwrite=overwrite)
    made = [Made("sectoroverzicht", written[0]),
            *(Made("grafiek", path) for path in written[1:])]
    c = report.counts
    result = OverviewResult(made=made, out=out, report=report, source=source, counts={
        "organisaties": c.rows, "trajecten": c.trajectories, "direct": c.certified_at_once,
        "na_heraudit": c.certified_after_heraudit, "gecertificeerd": c.certified,
        "score_workbooks": len(report.audits),
        "respondenten": report.survey.respondents if report.survey else 0})
    if recorded:
        result.notes.append(recorded)
    result.notes.append(
        f"{c.rows} organisations, {c.trajectories} trajectories, {c.certified_at_once} "
        f"certified at once, {c.certified_after_heraudit} after a heraudit, {c.certified} "
        f"certified in all.")
    if report.audits:
        result.notes.append(f"Scores from {len(report.audits)} workbooks.")
    if report.survey is not None:
        result.notes.append(f"Survey: {report.survey.respondents} respondents, "
                            f"{len(report.survey.questions)} questions.")
        if report.survey.ignored_columns:
            result.notes.append("Survey columns not used as questions: "
                                + ", ".join(report.survey.ignored_columns))
    return result
