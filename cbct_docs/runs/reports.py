"""Operations on the audit's reports: the concept report (records the audit held) and the
definitief report (records the reaction or the end of its term)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from ..documents import chart as charts
from ..documents.context import about
from ..documents.report import chart_for, norm_rows
from ..documents.report import report as make_report
from ..domain.advice import evaluate
from ..domain.frameworks import load_framework
from ..domain.planning import response_deadline
from ..domain.process import Kind, may_finalise, may_send_concept
from ..domain.register import Organisation
from ..domain.scoresheet import ScoreSheet
from ..errors import DataError
from .audit import scoresheets
from .before_audit import check_audit_quarter
from .office import OfficeFolder
from .parallel import LOCAL, results
from .run import Progress, Run, RunResult, org_label


def _days(days: Sequence[dt.date]) -> list[str]:
    return [d.isoformat() for d in sorted(days)]


def report(office: OfficeFolder, sheets: Sequence[Path], day: dt.date, *, out: Path,
           concept: bool = True, response: str | None = None, reason: str = "",
           overwrite: bool = False, register: Path | None = None,
           progress: Progress | None = None) -> RunResult:
    """Concept (records the audit from the sheet, and the concept sent) or definitief
    (records the reaction, or the end of its term, and the report)."""
    run, orgs = Run.begin(office, out, overwrite, register)
    letterhead = run.letterhead
    pairs = scoresheets(sheets, orgs)
    for done, (org, sheet) in enumerate(pairs, start=1):
        if done % CHART_WINDOW == 1:
            _draw_charts_ahead(pairs[done - 1:done - 1 + CHART_WINDOW])
        with run.problems.catch(), about(org):
            step = _concept if concept else _definitive
            if step(run, org, sheet, day, response, reason):
                version = "concept" if concept else "definitief"
                make_report(org, sheet, run.batch, letterhead, day, versions=(version,),
                            response=response)
                run.record(org, Kind.CONCEPT_SENT if concept else Kind.FINAL_REPORT, day,
                           {"reden": reason} if reason else {}, run.batch.last_path)
        if progress:
            progress(done, len(pairs))
    charts.forget_drawn()
    return run.commit()


#: Reports whose charts are drawn ahead together (on every core), at most.
CHART_WINDOW = 200


def _draw_charts_ahead(pairs: Sequence[tuple[Organisation, ScoreSheet]]) -> None:
    """The score charts of the next reports, drawn by worker processes (a chart is most of
    a report's time); the reports then take them as drawn. A chart not drawn ahead (a
    small run, a sheet that fails) is drawn when its report is made, as before."""
    charts.forget_drawn()
    drawn = [chart for chart in results(pairs, _report_chart) if chart is not LOCAL]
    charts.keep_drawn(dict(drawn))


def _report_chart(pair: tuple[Organisation, ScoreSheet]) -> tuple[charts.Key, bytes]:
    """In a worker: the chart the report of ``pair`` shows, with its key."""
    org, sheet = pair
    framework = load_framework(org.framework)
    with charts.recorded() as drawn:
        chart_for(norm_rows(sheet, evaluate(sheet, framework), framework), framework)
    return drawn[-1]


def _concept(run: Run, org: Organisation, sheet: ScoreSheet, day: dt.date,
             response: str | None, reason: str) -> bool:
    state = run.state(org)
    deadlines = load_framework(org.framework).deadlines
    last_day = max(sheet.audit_dates)
    if not run.allowed(org, may_send_concept(state, day, last_day, deadlines, reason)):
        return False
    if state.audit_days != sorted(sheet.audit_dates):
        check_audit_quarter(run, org, sheet.audit_dates)
        run.record(org, Kind.AUDIT_HELD, last_day,
                   {"dagen": _days(sheet.audit_dates), "auditoren": list(sheet.auditors)})
    return True


def _definitive(run: Run, org: Organisation, sheet: ScoreSheet, day: dt.date,
                response: str | None, reason: str) -> bool:
    state = run.state(org)
    deadlines = load_framework(org.framework).deadlines
    if not run.allowed(org, may_finalise(state, day, deadlines, responded=bool(response))):
        return False
    received = state.last(Kind.RESPONSE_RECEIVED)
    if response is None and received is not None:
        raise DataError(f"a reaction was recorded on {received.day:%d-%m-%Y}",
                        location=org_label(org),
                        hint="say how it was processed: --response TEXT")
    if response is not None and received is None:
        run.record(org, Kind.RESPONSE_RECEIVED, day, {"verwerking": response})
    elif response is None and state.response_closed is None:
        concept = state.day(Kind.CONCEPT_SENT)
        assert concept is not None
        run.record(org, Kind.RESPONSE_TERM_PASSED,
                   response_deadline(concept, deadlines) + dt.timedelta(days=1), {})
    return True
