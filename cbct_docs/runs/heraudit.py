"""The heraudit letter after a decision that was not Gecertificeerd (its own module: the
command loads neither the decision's nor the certificate's code)."""

from __future__ import annotations

import datetime as dt
import functools
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..documents import decision as decisions
from ..documents.context import about, docx_template
from ..documents.reserved import Reserved
from ..domain.advice import evaluate
from ..domain.frameworks import load_framework
from ..domain.permissions import may_plan_heraudit
from ..domain.process import Kind
from ..domain.register import Organisation
from ..domain.scoresheet import check_sheet_matches, read_scoresheet
from ..errors import CbctError
from ..store.sheet_index import SheetIndex, decode
from .address_window import WindowNotes
from .office import OfficeFolder
from .run import Run, RunResult, render_each
from .sheets import sheet_owners
from .written import Letter, release, reserve, taken, written


def heraudit(office: OfficeFolder, sheets: Sequence[Path], day: dt.date, *, out: Path,
             on: dt.date | None = None, overwrite: bool = False,
             register: Path | None = None) -> RunResult:
    """The heraudit letter after a decision that was not Gecertificeerd: on the parts
    that fell short only; records the heraudit as planned.

    Each sheet's organisation is found from its Audit sheet alone (or, for a sheet read
    before, such as by ``decide``, from the office's index of sheets by their bytes); the
    whole sheet is read only for an organisation whose dossier is at this step, in the job
    that evaluates it and renders its letter (on every core for a large batch:
    :func:`.run.render_each`)."""
    run, orgs = Run.begin(office, out, overwrite, register, stream=True)
    letterhead = run.letterhead
    # Looked up (and compiled) once per process in this run, not per letter.
    template = functools.cache(lambda: docx_template(decisions.HERAUDIT_TEMPLATE))
    owners = deque(sheet_owners(sheets, orgs, SheetIndex(run.db)))

    def prepare(org: Organisation) -> _Heraudit | CbctError | None:
        org, path, kept = owners.popleft()
        try:
            with about(org):
                state = run.state(org)
                if not run.allowed(org, may_plan_heraudit(state)):
                    return None
                decision = state.decision
                assert decision is not None
                job = _Heraudit(org, path, decision.day, list(decision.data.get(
                    "onvoldoende", ())), kept)
        except CbctError as error:
            return error
        reserve(run, [org], [job], lambda _job: ["heraudit"])  # written where rendered
        return job

    def render(job: _Heraudit) -> Letter | None:
        """The letter (written, when its name was reserved), or None when the sheet
        shows no heraudit is needed."""
        sheet = (read_scoresheet(job.path) if job.kept is None
                 else decode(job.kept, str(Path(job.path))))
        check_sheet_matches(sheet, job.org)
        result = evaluate(sheet, load_framework(job.org.framework))
        if not decisions.needs_heraudit(result):
            return None
        context = decisions.heraudit_context(job.org, sheet, letterhead, job.decided, day, on,
                                             result=result)
        return written(job.names, 0, template().render(context))

    def stage(org: Organisation, job: _Heraudit, made: Letter | None) -> None:
        if made is None:
            release(run, job.names)
            return
        document, fit = made
        planned = decisions.planned_heraudit_day(org, job.decided, on)
        path = taken(run, org, "heraudit", document, job.names, 0)
        run.record(org, Kind.HERAUDIT_PLANNED, day,
                   {"datum": planned.isoformat(), "normen": job.parts},
                   notes.staged(path, fit))

    notes = WindowNotes()
    render_each(run, [org for org, _path, _kept in owners], prepare, render, stage,
                sparse=True, warm=template)
    return notes.add_to(run.commit())  # a note for an address the window cuts


@dataclass
class _Heraudit:
    """A heraudit letter to consider: the sheet to read, the decision it follows."""

    org: Organisation
    path: Path
    decided: dt.date
    parts: list[str]  # the parts that fell short, as the decision recorded them
    kept: bytes | None = None  # the sheet as kept when read before (store.sheet_index)
    names: list[Reserved] = field(default_factory=list)  # the letter's, when reserved
