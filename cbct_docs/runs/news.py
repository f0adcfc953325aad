"""The news item after a certification: only for an organisation whose dossier records a
Gecertificeerd decision (or alsnog after a heraudit) and its certificate."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ..documents.news import news_context, news_item
from ..domain.frameworks import load_framework
from ..domain.process import DossierState, Kind
from ..domain.register import Organisation, find_organisation
from ..errors import DataError
from .office import OfficeFolder
from .run import Run, RunResult, org_label


def news(office: OfficeFolder, cert_nr: str, *, out: Path, overwrite: bool = False,
         register: Path | None = None) -> RunResult:
    """``<certnr>-nieuwsbericht-<name>.docx`` and ``.html`` for a certified organisation.
    Nothing is recorded: the news item is the organisation's to publish."""
    run, orgs = Run.begin(office, out, overwrite, register)
    letterhead = run.letterhead
    org = find_organisation(orgs, cert_nr)
    dossier = run.dossiers.get(org.cert_nr)  # the last cycle, also when it is complete
    state = dossier.state if dossier is not None else None
    decision = state.decision if state is not None else None
    if state is None or decision is None or not state.certified:
        if state is None:
            what = "has no dossier"
        elif decision is None:
            what = "has no decision yet"
        else:
            what = f"is not certified (besluit: {decision.data.get('besluit')})"
        raise DataError(f"{what}; a news item is only for a certified organisation",
                        location=org_label(org),
                        hint="see cbct-docs dossier show " + org.cert_nr)
    if not state.certificates:
        raise DataError("is certified, but no certificate was issued yet",
                        location=org_label(org), hint="cbct-docs certificate --org "
                                                      + org.cert_nr)
    certificate = state.certificates[-1].data
    heraudit = decision.kind == Kind.HERAUDIT_DECIDED
    context = news_context(
        org, letterhead, decided=decision.day, audit_days=state.audit_days,
        number=str(certificate.get("nummer", "")),
        valid_until=dt.date.fromisoformat(str(certificate["geldig_tot"])),
        auditors=_auditor_count(org, state),
        heraudit_days=_heraudit_days(state) if heraudit else ())
    with run.problems.catch():
        news_item(org, context, run.batch)
    return run.commit()


def _heraudit_days(state: DossierState) -> list[dt.date]:
    """The heraudit's days as recorded (``heraudit-gehouden``), else its decision's day."""
    event = state.last(Kind.HERAUDIT_HELD)
    days = event.data.get("dagen", ()) if event is not None else ()
    found = [dt.date.fromisoformat(str(d)) for d in days]
    decision = state.decision
    return found or ([decision.day] if decision is not None else [])


def _auditor_count(org: Organisation, state: DossierState) -> int:
    """How many auditors audited: as recorded with the audit (from its score sheet), else
    as planned in the confirmation, else the number its audit category prescribes (the
    register refuses an unknown category)."""
    for kind in (Kind.AUDIT_HELD, Kind.CONFIRMED):
        event = state.last(kind)
        names = event.data.get("auditoren") if event is not None else None
        if names:
            return len(names)
    return load_framework(org.framework).categories[org.category].auditors
