"""Operations on the audit's reports: the concept report (records the audit held) and the
definitief report (records the reaction or the end of its term).

Each report's checks are made in the main process, in the order of the sheets; its context
is made where it is rendered, on every core for a large batch (:func:`.run.render_each`);
the events are recorded as each report is staged, in the same order as on one core.
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..documents.context import docx_template
from ..documents.report import TEMPLATE, report_context
from ..documents.reserved import Reserved, Written
from ..domain.frameworks import load_framework
from ..domain.permissions import may_finalise, may_send_concept
from ..domain.planning import response_deadline
from ..domain.process import Kind
from ..domain.register import Organisation
from ..domain.scoresheet import ScoreSheet
from ..errors import CbctError, DataError
from ..store.sheet_index import SheetIndex
from .before_audit import check_audit_quarter
from .office import OfficeFolder
from .run import Progress, Run, RunResult, org_label, render_each
from .sheets import iso_days, scoresheets
from .written import reserve, taken, write

#: The folder the reports are written to.
FOLDER = "rapporten"

#: An event to record when the report is staged: kind, day, data.
Pending = tuple[Kind, dt.date, dict[str, Any]]


@dataclass
class _Job:
    org: Organisation
    sheet: ScoreSheet
    events: list[Pending]
    names: list[Reserved] = field(default_factory=list)  # the report's, when reserved


def report(office: OfficeFolder, sheets: Sequence[Path], day: dt.date, *, out: Path,
           concept: bool = True, response: str | None = None, reason: str = "",
           overwrite: bool = False, register: Path | None = None,
           progress: Progress | None = None) -> RunResult:
    """Concept (records the audit from the sheet, and the concept sent) or definitief
    (records the reaction, or the end of its term, and the report)."""
    run, orgs = Run.begin(office, out, overwrite, register, stream=True)
    letterhead = run.letterhead
    # The template is compiled while workers read the sheets (when they do).
    pairs = deque(scoresheets(sheets, orgs, SheetIndex(run.db),
                              meanwhile=lambda: docx_template(TEMPLATE)))
    document = "rapport-concept" if concept else "rapport-definitief"  # its kind
    renderer = docx_template(TEMPLATE)

    def prepare(org: Organisation) -> _Job | CbctError | None:
        """Called once per pair, in order (render_each): this pair's checks and events."""
        org, sheet = pairs.popleft()
        try:
            step = _concept if concept else _definitive
            events = step(run, org, sheet, day, response, reason)
        except CbctError as error:
            return error
        if events is None:
            return None
        job = _Job(org, sheet, events)
        # Written where it is rendered (a name taken already: staged in its turn).
        reserve(run, [org], [job], lambda _job: [document], folder=FOLDER)
        return job

    def render(job: _Job) -> bytes | Written:
        """The report, its context made here too (on a worker for a large batch), and
        written there when its name was reserved."""
        return write(job.names, 0, renderer.render(report_context(
            job.org, job.sheet, letterhead, day, concept=concept, response=response)))

    def stage(org: Organisation, job: _Job, data: bytes | Written) -> None:
        for kind, when, facts in job.events:
            run.record(org, kind, when, facts)
        path = taken(run, org, document, data, job.names, 0, folder=FOLDER)
        run.record(org, Kind.CONCEPT_SENT if concept else Kind.FINAL_REPORT, day,
                   {"reden": reason} if reason else {}, path)

    render_each(run, [org for org, _sheet in pairs], prepare, render, stage, progress)
    return run.commit()


def _concept(run: Run, org: Organisation, sheet: ScoreSheet, day: dt.date,
             response: str | None, reason: str) -> list[Pending] | None:
    """The events before the concept is sent; None: passed by."""
    state = run.state(org)
    deadlines = load_framework(org.framework).deadlines
    last_day = max(sheet.audit_dates)
    if not run.allowed(org, may_send_concept(state, day, last_day, deadlines, reason)):
        return None
    if state.audit_days == sorted(sheet.audit_dates):
        return []
    check_audit_quarter(run, org, sheet.audit_dates)
    return [(Kind.AUDIT_HELD, last_day,
             {"dagen": iso_days(sheet.audit_dates), "auditoren": list(sheet.auditors)})]


def _definitive(run: Run, org: Organisation, sheet: ScoreSheet, day: dt.date,
                response: str | None, reason: str) -> list[Pending] | None:
    """The events before the definitive report; None: passed by."""
    state = run.state(org)
    deadlines = load_framework(org.framework).deadlines
    if not run.allowed(org, may_finalise(state, day, deadlines, responded=bool(response))):
        return None
    received = state.last(Kind.RESPONSE_RECEIVED)
    if response is None and received is not None:
        raise DataError(f"a reaction was recorded on {received.day:%d-%m-%Y}",
                        location=org_label(org),
                        hint="say how it was processed: --response TEXT")
    if response is not None and received is None:
        return [(Kind.RESPONSE_RECEIVED, day, {"verwerking": response})]
    if response is None and state.response_closed is None:
        concept = state.day(Kind.CONCEPT_SENT)
        assert concept is not None
        return [(Kind.RESPONSE_TERM_PASSED,
                 response_deadline(concept, deadlines) + dt.timedelta(days=1), {})]
    return []
