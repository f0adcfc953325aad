"""Operations before the audit: announce, intake reminder, confirm."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..documents.announcement import announcement_context, refuse_expired
from ..documents.context import Office, docx_template, file_stem
from ..documents.fields import recipient
from ..domain.permissions import audit_in_quarter, may_announce, may_confirm, may_remind
from ..domain.planning import Quarter
from ..domain.process import Kind
from ..domain.register import Organisation
from ..errors import CbctError, DataError, UsageError
from .office import OfficeFolder
from .run import Note, Progress, Run, RunResult, email_each, org_label, render_each

if TYPE_CHECKING:  # the confirmation's modules load when confirm runs (not for e-mails)
    from ..documents.planning_data import AuditPlan


def due(run: Run, orgs: Sequence[Organisation], quarter: Quarter,
        starting: bool = False) -> list[Organisation]:
    """Organisations whose audit falls in ``quarter``: by the end of their certificate,
    or the quarter their audit was postponed to."""
    return [org for org in orgs if run.state(org, starting=starting).quarter == quarter]


def announce(office: OfficeFolder, quarter: Quarter, day: dt.date, *, out: Path,
             overwrite: bool = False, register: Path | None = None,
             progress: Progress | None = None) -> RunResult:
    """An aankondiging e-mail to every organisation whose audit falls in ``quarter``
    and that has not been announced in this cycle."""
    return _announce(office, quarter, day, out, overwrite, register, reminder=False,
                     progress=progress)


def intake_reminder(office: OfficeFolder, quarter: Quarter, day: dt.date, *, out: Path,
                    overwrite: bool = False, register: Path | None = None,
                    progress: Progress | None = None) -> RunResult:
    """An intake reminder to every organisation of ``quarter`` that was announced and has
    not returned its intake; the deadline counts from its own announcement."""
    return _announce(office, quarter, day, out, overwrite, register, reminder=True,
                     progress=progress)


def _announce(office: OfficeFolder, quarter: Quarter, day: dt.date, out: Path,
              overwrite: bool, register: Path | None, *, reminder: bool,
              progress: Progress | None) -> RunResult:
    run, orgs = Run.begin(office, out, overwrite, register, stream=True)
    kind = "intake-herinnering" if reminder else "aankondiging"
    chosen = due(run, orgs, quarter, starting=not reminder)
    email_each(run, chosen, kind,
               lambda org: _announcement(run, org, quarter, day, reminder),
               Kind.INTAKE_REMINDED if reminder else Kind.ANNOUNCED,
               {"kwartaal": str(quarter)}, day, progress)
    if not chosen:
        run.result.notes.append(Note(f"No organisation has its audit in {quarter}.",
                                     f"Geen organisatie heeft haar audit in {quarter}."))
    return run.commit()


def _announcement(run: Run, org: Organisation, quarter: Quarter, day: dt.date,
                  reminder: bool) -> tuple[dict[str, Any], str] | CbctError | None:
    """The e-mail's context and addressee; None: passed by; an error: raised in turn."""
    try:
        state = run.state(org, starting=not reminder)
        if reminder:
            if not run.allowed(org, may_remind(state, day)):
                return None
            announced = state.day(Kind.ANNOUNCED)
            assert announced is not None
        else:
            if not run.allowed(org, may_announce(state)):
                return None
            announced = day
            refuse_expired(org, announced)
        return (announcement_context(org, quarter, announced, run.letterhead,
                                     day if reminder else None), recipient(org))
    except CbctError as error:
        return error


def confirm(office: OfficeFolder, planning: Path, day: dt.date, *, out: Path,
            quarter: Quarter | None = None, only: Sequence[str] = (),
            overwrite: bool = False, register: Path | None = None,
            progress: Progress | None = None) -> RunResult:
    """A bevestigingsbrief per planned audit: of one quarter, of the organisations named,
    or of the whole planning. Organisations already confirmed are passed by."""
    from ..documents.confirmation import KIND as CONFIRMATION
    from ..documents.confirmation import TEMPLATE as CONFIRMATION_TEMPLATE
    from ..documents.planning_data import read_planning
    from .address_window import Measured, WindowNotes, measured  # lxml: not for e-mails

    plans = read_planning(planning)
    run, orgs = Run.begin(office, out, overwrite, register, stream=True)
    letterhead = run.letterhead
    by_number = {org.cert_nr: org for org in orgs}
    wanted = list(only) or [nr for nr in plans if nr in by_number]
    for number in wanted:
        if number not in by_number:
            run.problems.add(DataError(f"certificate number {number} is not in the register",
                                       location=planning))
        elif number not in plans:
            run.problems.add(DataError(f"{number} has no audit in the planning",
                                       location=planning))
    chosen = [by_number[nr] for nr in wanted if nr in by_number and nr in plans]
    if quarter is not None:
        chosen = [org for org in chosen if run.state(org).quarter == quarter]
    renderer = docx_template(CONFIRMATION_TEMPLATE)
    notes = WindowNotes()  # a located note for each address the window may cut

    def render(context: dict[str, Any]) -> Measured:
        # The letter and its address estimate, both made where the letter is rendered
        # (on every core for a large batch) instead of read back from disk afterwards.
        return measured(renderer.render(context))

    def stage(org: Organisation, _context: Any, made: Measured) -> None:
        data, fit = made
        path = run.batch.add(CONFIRMATION, file_stem(org, CONFIRMATION), ".docx", data,
                             org.name, organisation=org)
        run.record(org, Kind.CONFIRMED, day, _plan_data(plans[org.cert_nr]), path)
        notes.staged(path, fit)

    render_each(run, chosen,
                lambda org: _confirmation(run, org, plans[org.cert_nr], letterhead, day),
                render, stage, progress)
    return notes.add_to(run.commit())  # after the commit's own notes


def _confirmation(run: Run, org: Organisation, plan: AuditPlan, letterhead: Office,
                  day: dt.date) -> dict[str, Any] | CbctError | None:
    """The letter's context; None: passed by; an error: raised in turn."""
    from ..documents.confirmation import confirmation_context

    try:
        if not run.allowed(org, may_confirm(run.state(org), plan.days)):
            return None
        return confirmation_context(org, plan, letterhead, day)
    except CbctError as error:
        return error


def _plan_data(plan: AuditPlan) -> dict[str, object]:
    return {"dagen": [d.isoformat() for d in plan.days], "auditoren": plan.auditors,
            "aangekondigd": plan.announced.isoformat()}


def check_audit_quarter(run: Run, org: Organisation, days: Sequence[dt.date]) -> None:
    refusal = audit_in_quarter(run.state(org), days)
    if refusal is not None:
        raise DataError(refusal.what, location=org_label(org), hint=refusal.hint)


def parse_quarter(text: str) -> Quarter:
    try:
        return Quarter.parse(text)
    except DataError as error:
        raise UsageError(f"--quarter: {error.what}", hint="e.g. 2025-Q2") from None
