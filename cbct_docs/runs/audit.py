"""Operations from the audit on: report, decide (also after a heraudit), certificate,
heraudit letter."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..deliver.ledger import Ledger
from ..documents import certificate as certificates
from ..documents import decision as decisions
from ..documents.context import about
from ..domain.advice import CERTIFIED, evaluate
from ..domain.frameworks import load_framework
from ..domain.planning import validity_period
from ..domain.process import (
    Kind,
    is_heraudit_decision,
    judge_heraudit,
    may_certify,
    may_decide,
    may_plan_heraudit,
)
from ..domain.register import Organisation, organisation_finder
from ..domain.scoresheet import ScoreSheet, check_sheet_matches, read_scoresheet
from ..errors import DataError, Problems, UsageError
from .address_window import check_addresses
from .numbers import certificate_number, claim_number
from .office import OfficeFolder
from .parallel import LOCAL, results
from .run import Progress, Run, RunResult, org_label


def scoresheets(paths: Sequence[Path], orgs: Sequence[Organisation]
                ) -> list[tuple[Organisation, ScoreSheet]]:
    """(organisation, score sheet) pairs; every unreadable sheet reported at once. Many
    sheets are read by worker processes (:mod:`.parallel`), each workbook once."""
    problems = Problems()
    pairs = []
    find = organisation_finder(orgs)  # a scan per sheet made 2,000 sheets quadratic
    for path, read in zip(paths, results(paths, read_scoresheet), strict=True):
        with problems.catch():
            sheet = read_scoresheet(path) if read is LOCAL else read  # LOCAL: raise it here
            try:
                org = find(sheet.cert_nr)
            except UsageError as error:
                raise DataError(error.what, location=path, hint=error.hint) from None
            check_sheet_matches(sheet, org)
            pairs.append((org, sheet))
    problems.raise_if_any()
    return pairs


def iso_days(days: Sequence[dt.date]) -> list[str]:
    """Audit days as an event records them: sorted, ISO dates."""
    return [d.isoformat() for d in sorted(days)]


def decide(office: OfficeFolder, sheets: Sequence[Path], day: dt.date, *, out: Path,
           with_certificates: bool = True, overwrite: bool = False,
           register: Path | None = None, progress: Progress | None = None) -> RunResult:
    """Besluitbrief (and certificaat) per score sheet; after a heraudit, the sheet of the
    heraudit gives the decision on the parts it covered."""
    run, orgs = Run.begin(office, out, overwrite, register)
    letterhead = run.letterhead
    pairs = scoresheets(sheets, orgs)
    with _Numbers(office) as numbers:
        for done, (org, sheet) in enumerate(pairs, start=1):
            with run.problems.catch(), about(org):
                state = run.state(org)
                if run.allowed(org, may_decide(state, day)):
                    decided = (_decide_heraudit(run, org, sheet, day, letterhead)
                               if is_heraudit_decision(state)
                               else _decide_first(run, org, sheet, day, letterhead))
                    if decided is not None and with_certificates:
                        _issue(run, org, day, decided, letterhead,
                               number=numbers.allocate(org, day))
            if progress:
                progress(done, len(pairs))
    return check_addresses(run.commit())  # a note for an address the window cuts


class _Numbers:
    """Certificate numbers for one run over one ledger connection: each number is still
    allocated and committed in its own transaction before its certificate is made (as
    :func:`.numbers.certificate_number` does), without opening the ledger anew for each
    (~4 ms a certificate)."""

    def __init__(self, office: OfficeFolder) -> None:
        self.office = office
        self.ledger: Ledger | None = None

    def allocate(self, org: Organisation, day: dt.date) -> str:
        if self.ledger is None:
            self.office.database()  # migrated and checked first
            self.ledger = Ledger(self.office.database_path)
        return self.ledger.allocate_certificate_number(org.cert_nr, org.framework, day.year)

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
                  letterhead: Any) -> dict[str, Any] | None:
    result = evaluate(sheet, load_framework(org.framework))
    decisions.decide(org, sheet, run.batch, letterhead, day, result)
    data: dict[str, Any] = {"besluit": result.advice, "berekend": result.computed_advice,
                            "onvoldoende": [str(p.key) for p in result.insufficient_parts]}
    if result.override_reason:
        data["afwijking_reden"] = result.override_reason
    if result.advice == CERTIFIED:
        data.update(_validity(org, day))
        run.write_back_until(org, dt.date.fromisoformat(data["geldig_tot"]))
    run.record(org, Kind.DECIDED, day, data, run.batch.last_path)
    run.result.outcomes[org.cert_nr] = result.advice
    return data if result.advice == CERTIFIED else None


def _decide_heraudit(run: Run, org: Organisation, sheet: ScoreSheet, day: dt.date,
                     letterhead: Any) -> dict[str, Any] | None:
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
    if state.last(Kind.HERAUDIT_HELD) is None:
        run.record(org, Kind.HERAUDIT_HELD, max(sheet.audit_dates),
                   {"dagen": iso_days(sheet.audit_dates), "auditoren": list(sheet.auditors)})
    data: dict[str, Any] = {"besluit": outcome.advice,
                            "herbeoordeeld": [str(r.norm.key) for r in outcome.reassessed],
                            "onvoldoende": [str(r.norm.key) for r in outcome.still_insufficient]}
    if outcome.advice == CERTIFIED:
        data.update(_validity(org, day))
        run.write_back_until(org, dt.date.fromisoformat(data["geldig_tot"]))
    decisions.heraudit_decision(org, sheet, run.batch, letterhead, day, outcome,
                                first_decision=first.day)
    run.record(org, Kind.HERAUDIT_DECIDED, day, data, run.batch.last_path)
    run.result.outcomes[org.cert_nr] = outcome.advice
    return data if outcome.advice == CERTIFIED else None


def _issue(run: Run, org: Organisation, day: dt.date, decision: dict[str, Any],
           letterhead: Any, reason: str = "", number: str = "") -> None:
    number = number or certificate_number(run.office, org, day)
    before = replace(org, certified_until=dt.date.fromisoformat(decision["vorige_geldig_tot"]))
    until = dt.date.fromisoformat(decision["geldig_tot"])
    certificates.certificate(before, number, run.batch, letterhead, day, until)
    data = {"nummer": number, "geldig_van": decision["geldig_van"],
            "geldig_tot": decision["geldig_tot"]}
    if reason:
        data["reden"] = reason
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


def heraudit(office: OfficeFolder, sheets: Sequence[Path], day: dt.date, *, out: Path,
             on: dt.date | None = None, overwrite: bool = False,
             register: Path | None = None) -> RunResult:
    """The heraudit letter after a decision that was not Gecertificeerd: on the parts
    that fell short only; records the heraudit as planned."""
    run, orgs = Run.begin(office, out, overwrite, register)
    letterhead = run.letterhead
    for org, sheet in scoresheets(sheets, orgs):
        with run.problems.catch(), about(org):
            state = run.state(org)
            if not run.allowed(org, may_plan_heraudit(state)):
                continue
            decision = state.decision
            assert decision is not None
            made = decisions.heraudit_letter(org, sheet, run.batch, letterhead, decision.day,
                                             day, on)
            if made:
                run.record(org, Kind.HERAUDIT_PLANNED, day,
                           {"datum": decisions.planned_heraudit_day(org, decision.day,
                                                                    on).isoformat(),
                            "normen": list(decision.data.get("onvoldoende", ()))},
                           run.batch.last_path)
    return check_addresses(run.commit())  # a note for an address the window cuts
