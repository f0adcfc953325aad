"""Operations from the audit on: decide (also after a heraudit) and the certificate; the
heraudit letter is in :mod:`.heraudit` (named here too)."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..deliver.ledger import Ledger
from ..documents import certificate as certificates
from ..documents import decision as decisions
from ..documents.context import about, docx_template
from ..documents.reserved import Reserved
from ..domain.advice import CERTIFIED, evaluate
from ..domain.frameworks import load_framework
from ..domain.permissions import (
    is_heraudit_decision,
    judge_heraudit,
    may_certify,
    may_decide,
)
from ..domain.planning import validity_period
from ..domain.process import Kind
from ..domain.register import Organisation, organisation_finder
from ..domain.scoresheet import ScoreSheet
from ..errors import CbctError, DataError, UsageError
from ..store.sheet_index import SheetIndex
from . import parallel
from .address_window import WindowNotes
from .heraudit import heraudit  # its own module; named here as before
from .numbers import certificate_number, claim_number
from .office import OfficeFolder
from .run import WINDOW, Progress, Run, RunResult, org_label, render_each
from .sheets import iso_days, scoresheets
from .written import Letter, reserve, taken, written

__all__ = ["certificate", "decide", "heraudit", "iso_days", "scoresheets"]


def decide(office: OfficeFolder, sheets: Sequence[Path], day: dt.date, *, out: Path,
           with_certificates: bool = True, overwrite: bool = False,
           register: Path | None = None, progress: Progress | None = None) -> RunResult:
    """Besluitbrief (and certificaat) per score sheet; after a heraudit, the sheet of the
    heraudit gives the decision on the parts it covered.

    Each organisation's checks, letter context and certificate number are made in the main
    process, in the order of the sheets; the letter and the certificate (with its QR code)
    of a large batch are rendered on every core (:func:`.run.render_each`); the events are
    recorded as they are staged, in the same order as on one core."""
    run, orgs = Run.begin(office, out, overwrite, register, stream=True)
    letterhead = run.letterhead
    pairs = scoresheets(sheets, orgs, SheetIndex(run.db))
    notes = WindowNotes()
    template = functools.cache(docx_template)  # looked up once per process, not per letter
    with _Numbers(office) as numbers:

        def prepare(org: Organisation, sheet: ScoreSheet) -> _Decision | CbctError | None:
            """Called once per pair, in order: this pair's checks and context."""
            try:
                with about(org):
                    state = run.state(org)
                    if not run.allowed(org, may_decide(state, day)):
                        return None
                    return (_decide_heraudit(run, org, sheet, day, letterhead)
                            if is_heraudit_decision(state)
                            else _decide_first(run, org, sheet, day, letterhead))
            except CbctError as error:
                return error

        def render(job: _Decision) -> tuple[Letter, Letter | None]:
            letter = written(job.names, 0, template(job.template).render(job.context))
            if job.certificate is None:
                return letter, None
            made = job.certificate
            context = certificates.certificate_context(made.org, made.number, letterhead,
                                                       made.day, made.until)
            return letter, written(job.names, 1,
                                    template(certificates.TEMPLATE).render(context))

        def stage(org: Organisation, job: _Decision, made: tuple[Letter, Letter | None]) -> None:
            (letter, fit), certificate_made = made
            for kind, when, facts in job.before:
                run.record(org, kind, when, facts)
            run.record(org, *job.event,
                       notes.staged(taken(run, org, job.kind, letter, job.names, 0), fit))
            if job.certificate is not None and certificate_made is not None:
                data, fit = certificate_made
                run.record(org, Kind.CERTIFICATE_ISSUED, job.certificate.day,
                           job.certificate.data,
                           notes.staged(taken(run, org, "certificaat", data, job.names, 1),
                                        fit))

        for start in range(0, len(pairs), WINDOW):  # render_each's windows, one by one
            window = pairs[start:start + WINDOW]
            chosen = [org for org, _sheet in window]
            jobs = [prepare(org, sheet) for org, sheet in window]
            if with_certificates:
                numbers.give(chosen, jobs, day)
            reserve(run, chosen, jobs, _kinds)
            if start == 0:
                _warm_up(render, jobs)
            render_each(run, chosen, _one_by_one(jobs),
                        render, stage, _counted(progress, start, len(pairs)))
    return notes.add_to(run.commit())  # a note for an address the window cuts


#: An event to record when a document is staged (or before it): kind, day, data.
Pending = tuple[Kind, dt.date, dict[str, Any]]


@dataclass
class _Certificate:
    """A certificate to render: the organisation as before the decision, its number
    (allocated in order before any certificate is made), the decision's day, the new end
    of the validity, and the data of its event."""

    org: Organisation
    number: str
    day: dt.date
    until: dt.date
    data: dict[str, Any]


@dataclass
class _Decision:
    """One organisation's documents to render, and the events they make."""

    kind: str  # besluitbrief | besluitbrief-heraudit
    template: str
    context: dict[str, Any]
    event: Pending  # recorded with the letter
    before: list[Pending] = field(default_factory=list)  # recorded before it, no document
    certified: dict[str, Any] | None = None  # the decision's data when Gecertificeerd
    certificate: _Certificate | None = None
    names: list[Reserved] = field(default_factory=list)  # letter's, certificate's: reserved


def _kinds(job: _Decision | CbctError | None) -> list[str]:
    """The documents a decision makes, in the order they are staged."""
    if not isinstance(job, _Decision):
        return []
    return [job.kind] + (["certificaat"] if job.certificate is not None else [])


def _warm_up(render: Callable[[_Decision], Any], jobs: Sequence[Any]) -> None:
    """Render the first certificate of a large batch once before the workers fork, so
    they inherit its compiled template and the QR code's modules (numpy, ~0.25 s to
    import) instead of each loading them: render_each warms up with the first job only,
    which may have no certificate."""
    made = [job for job in jobs if isinstance(job, _Decision)]
    first = next((job for job in made if job.certificate is not None), None)
    if len(made) >= parallel.MIN_BATCH and first is not None and first is not made[0]:
        with contextlib.suppress(CbctError):  # its turn comes: it says so then
            render(first)


def _one_by_one(jobs: Sequence[Any]) -> Callable[[Organisation], Any]:
    """render_each's ``prepare`` for jobs prepared beforehand, in the same order."""
    queue = iter(jobs)
    return lambda _org: next(queue)


def _counted(progress: Progress | None, before: int, total: int) -> Progress | None:
    """``progress`` for a window that starts after ``before`` of ``total``."""
    if progress is None:
        return None
    return lambda done, _window: progress(before + done, total)


class _Numbers:
    """Certificate numbers for one run over one ledger connection: each number is still
    allocated and committed in its own transaction, in the order of the organisations,
    before its certificate is made (as :func:`.numbers.certificate_number` does), without
    opening the ledger anew for each (~4 ms a certificate)."""

    def __init__(self, office: OfficeFolder) -> None:
        self.office = office
        self.ledger: Ledger | None = None
        self.wal: bool | None = None

    def allocate(self, org: Organisation, day: dt.date) -> str:
        if self.ledger is None:
            self.office.database()  # migrated and checked first
            self.ledger = Ledger(self.office.database_path)
        return self.ledger.allocate_certificate_number(org.cert_nr, org.framework, day.year)

    def give(self, orgs: Sequence[Organisation], jobs: list[_Decision | CbctError | None],
             day: dt.date) -> None:
        """A number for every Gecertificeerd decision among ``jobs`` (one per org), in
        their order; a number that cannot be allocated makes its job that error.

        On a WAL ledger the commits before the last one of the window skip their fsync
        (``synchronous=NORMAL``: still atomic, and kept when the process is killed); the
        last commit, with ``FULL``, syncs the log and so every number before it. So each
        number is on disk before any certificate of the window is rendered, at one fsync
        a window instead of one a number (~0.7 ms each, more on a busy disk)."""
        wanted = [n for n, job in enumerate(jobs)
                  if isinstance(job, _Decision) and job.certified is not None]
        for count, index in enumerate(wanted, start=1):
            org, job = orgs[index], jobs[index]
            assert isinstance(job, _Decision) and job.certified is not None
            try:
                with about(org):
                    self._sync(last=count == len(wanted))
                    number = self.allocate(org, day)
            except CbctError as error:
                jobs[index] = error
                continue
            job.certificate = _certificate(org, day, job.certified, number)

    def _sync(self, *, last: bool) -> None:
        if self.ledger is None:
            return  # the first allocation opens the ledger with its full sync
        connection = self.ledger.connection
        if self.wal is None:  # asked once: it does not change while the ledger is open
            self.wal = connection.execute("PRAGMA journal_mode").fetchone()[0].lower() == "wal"
        if self.wal:
            connection.execute(f"PRAGMA synchronous={'FULL' if last else 'NORMAL'}")

    def __enter__(self) -> _Numbers:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.ledger is not None:
            self.ledger.close()


def _validity(org: Organisation, day: dt.date) -> dict[str, Any]:
    deadlines = load_framework(org.framework).deadlines
    start, end = validity_period(day, deadlines, org.certified_until)
    return {"geldig_van": start.isoformat(), "geldig_tot": end.isoformat(),
            "vorige_geldig_tot": org.certified_until.isoformat()}


def _decide_first(run: Run, org: Organisation, sheet: ScoreSheet, day: dt.date,
                  letterhead: Any) -> _Decision:
    result = evaluate(sheet, load_framework(org.framework))
    context = decisions.decision_context(org, sheet, letterhead, day, result)
    data: dict[str, Any] = {"besluit": result.advice, "berekend": result.computed_advice,
                            "onvoldoende": [str(p.key) for p in result.insufficient_parts]}
    if result.override_reason:
        data["afwijking_reden"] = result.override_reason
    if result.advice == CERTIFIED:
        data.update(_validity(org, day))
        run.write_back_until(org, dt.date.fromisoformat(data["geldig_tot"]))
    run.result.outcomes[org.cert_nr] = result.advice
    return _Decision("besluitbrief", decisions.DECISION_TEMPLATE, context,
                     (Kind.DECIDED, day, data),
                     certified=data if result.advice == CERTIFIED else None)


def _decide_heraudit(run: Run, org: Organisation, sheet: ScoreSheet, day: dt.date,
                     letterhead: Any) -> _Decision:
    state = run.state(org)
    first = state.last(Kind.DECIDED)
    planned = state.last(Kind.HERAUDIT_PLANNED)
    assert first is not None and planned is not None
    if min(sheet.audit_dates) <= first.day:
        raise DataError(f"this score sheet's audit ({min(sheet.audit_dates):%d-%m-%Y}) is "
                        f"not a heraudit after the decision of {first.day:%d-%m-%Y}",
                        location=sheet.source or org_label(org),
                        hint="give the score sheet of the heraudit")
    outcome = judge_heraudit(evaluate(sheet, load_framework(org.framework)),
                             first.data.get("onvoldoende", ()))
    before: list[Pending] = []
    if state.last(Kind.HERAUDIT_HELD) is None:
        before.append((Kind.HERAUDIT_HELD, max(sheet.audit_dates),
                       {"dagen": iso_days(sheet.audit_dates),
                        "auditoren": list(sheet.auditors)}))
    data: dict[str, Any] = {"besluit": outcome.advice,
                            "herbeoordeeld": [str(r.norm.key) for r in outcome.reassessed],
                            "onvoldoende": [str(r.norm.key) for r in outcome.still_insufficient]}
    if outcome.advice == CERTIFIED:
        data.update(_validity(org, day))
        run.write_back_until(org, dt.date.fromisoformat(data["geldig_tot"]))
    context = decisions.heraudit_decision_context(org, sheet, letterhead, day, outcome,
                                                  first_decision=first.day)
    run.result.outcomes[org.cert_nr] = outcome.advice
    return _Decision("besluitbrief-heraudit", decisions.HERAUDIT_DECISION_TEMPLATE, context,
                     (Kind.HERAUDIT_DECIDED, day, data), before,
                     certified=data if outcome.advice == CERTIFIED else None)


def _certificate(org: Organisation, day: dt.date, decision: dict[str, Any],
                 number: str) -> _Certificate:
    """The certificate after ``decision`` (its data), as :func:`_issue` makes it."""
    before = replace(org, certified_until=dt.date.fromisoformat(decision["vorige_geldig_tot"]))
    return _Certificate(before, number, day, dt.date.fromisoformat(decision["geldig_tot"]),
                        {"nummer": number, "geldig_van": decision["geldig_van"],
                         "geldig_tot": decision["geldig_tot"]})


def _issue(run: Run, org: Organisation, day: dt.date, decision: dict[str, Any],
           letterhead: Any, reason: str = "", number: str = "") -> None:
    made = _certificate(org, day, decision, number or certificate_number(run.office, org, day))
    certificates.certificate(made.org, made.number, run.batch, letterhead, day, made.until)
    data = {**made.data, "reden": reason} if reason else made.data
    run.record(org, Kind.CERTIFICATE_ISSUED, day, data, run.batch.last_path)


def certificate(office: OfficeFolder, only: Sequence[str], day: dt.date | None = None, *,
                out: Path, reason: str = "", number: str = "", overwrite: bool = False,
                register: Path | None = None) -> RunResult:
    """The certificaat after a Gecertificeerd decision; once per cycle (a re-issue needs
    a reason, and is recorded). ``number``: the office's own choice for one organisation
    (recorded, so it is never given twice). The certificate carries the decision's date:
    ``day`` is not used (still accepted, also positionally, for callers that pass it)."""
    del day
    if number and len(only) > 1:
        raise UsageError("--number fits one --org only")
    run, orgs = Run.begin(office, out, overwrite, register)
    letterhead = run.letterhead
    find = organisation_finder(orgs)
    for cert_nr in only:
        with run.problems.catch():
            org = find(cert_nr)
            with about(org):
                state = run.state(org)
                if run.allowed(org, may_certify(state, reason)):
                    decision = state.decision
                    assert decision is not None
                    if number:
                        claim_number(office, org, decision.day, number)
                    _issue(run, org, decision.day, dict(decision.data), letterhead, reason,
                           number)
    return run.commit()
