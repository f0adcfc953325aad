"""Recording what happened outside the tool, one event or a sheet of them, and starting
an office's dossiers from its history (register, planning, score sheets)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..deliver.ledger import transaction
from ..documents.planning_data import read_planning
from ..domain.frameworks import load_framework
from ..domain.permissions import may_record
from ..domain.planning import Quarter
from ..domain.process import INFO_KINDS, Kind, parse_kind
from ..domain.register import Organisation, organisation_finder
from ..errors import DataError, Problems, UsageError
from ..records import read_records
from ..records.dates import parse_date
from ..records.model import Origin
from ..store.database import guarded
from ..store.dossiers import NewEvent, append_events, current_dossier
from ..store.events_extra import latest_dossier_ids
from .audit import scoresheets
from .office import OfficeFolder
from .run import Run, RunResult, org_label

UNKNOWN_EVENT = "unknown event '{kind}'"
TWICE = "'{kind}' appears twice for {cert_nr}"


@dataclass(frozen=True)
class Happening:
    """One event as a person reports it."""

    cert_nr: str
    kind: str
    day: dt.date
    reason: str = ""
    quarter: str = ""
    note: str = ""
    where: Origin | str | None = None


def record(office: OfficeFolder, items: Sequence[Happening],
           register: Path | None = None) -> RunResult:
    """Record events; all are checked first, and none is recorded when one is wrong."""
    run, orgs = Run.begin(office, office.folder, register=register)
    find = organisation_finder(orgs)  # the register indexed once, not searched per event
    pending: dict[str, list[Kind]] = {}
    for item in items:
        with run.problems.catch():
            _one(run, find, item, pending)
    return run.commit()


def _one(run: Run, find: Callable[[str], Organisation], item: Happening,
         pending: dict[str, list[Kind]]) -> None:
    try:
        kind = parse_kind(item.kind)
    except ValueError:
        raise DataError(UNKNOWN_EVENT.format(kind=item.kind), location=item.where,
                        hint="one of: " + ", ".join(k.value for k in Kind)) from None
    try:
        org = find(item.cert_nr)
    except UsageError as error:
        raise DataError(error.what, location=item.where, hint=error.hint) from None
    data: dict[str, Any] = {}
    if item.reason:
        data["reden"] = item.reason
    if item.note:
        data["toelichting"] = item.note
    if item.quarter:
        data["kwartaal"] = str(Quarter.parse(item.quarter))
    if kind == Kind.AUDIT_HELD:
        data["dagen"] = [item.day.isoformat()]
    if kind in pending.get(org.cert_nr, []):
        raise DataError(TWICE.format(kind=kind.value, cert_nr=org.cert_nr),
                        location=item.where)
    refusal = may_record(run.state(org), kind, item.day, data,
                         load_framework(org.framework).deadlines)
    if refusal is not None:
        location = f"{item.where}:{org_label(org)}" if item.where else org_label(org)
        raise DataError(refusal.what, location=location, hint=refusal.hint or None)
    pending.setdefault(org.cert_nr, []).append(kind)
    run.record(org, kind, item.day, data)


def read_happenings(path: Path) -> list[Happening]:
    """A sheet of events: columns cert_nr, gebeurtenis, datum (and optional reden,
    kwartaal, toelichting)."""
    problems = Problems()
    items = []
    for row in read_records(path, required=["cert_nr", "gebeurtenis", "datum"]):
        with problems.catch():
            try:
                day = parse_date(row.fields.get("datum"))
            except DataError as error:
                raise error.at(row.where("datum")) from None
            text = {k: str(row.fields.get(k) or "").strip()
                    for k in ("cert_nr", "gebeurtenis", "reden", "kwartaal", "toelichting")}
            items.append(Happening(text["cert_nr"], text["gebeurtenis"], day, text["reden"],
                                   text["kwartaal"], text["toelichting"], row.origin))
    problems.raise_if_any()
    return items


def import_dossiers(office: OfficeFolder, *, planning: Path | None = None,
                    scores: Sequence[Path] = (), register: Path | None = None) -> RunResult:
    """Dossiers for an office that starts mid-cycle: announced and confirmed from the
    planning, the audit from the score sheets. What is recorded already stays; running
    it twice changes nothing."""
    run, orgs = Run.begin(office, office.folder, register=register)
    if planning is not None:
        find = organisation_finder(orgs)
        for cert_nr, plan in read_planning(planning).items():
            with run.problems.catch():
                org = find(cert_nr)
                state = run.state(org)
                if state.last(Kind.ANNOUNCED) is None:
                    run.record(org, Kind.ANNOUNCED, plan.announced,
                               {"kwartaal": str(state.quarter), "bron": "planning"})
                if state.last(Kind.CONFIRMED) is None:
                    run.record(org, Kind.CONFIRMED, plan.announced,
                               {"dagen": [d.isoformat() for d in plan.days],
                                "auditoren": plan.auditors, "bron": "planning"})
    for org, sheet in scoresheets(scores, orgs):
        if run.state(org).last(Kind.AUDIT_HELD) is None:
            run.record(org, Kind.AUDIT_HELD, max(sheet.audit_dates),
                       {"dagen": [d.isoformat() for d in sorted(sheet.audit_dates)],
                        "auditoren": list(sheet.auditors), "bron": "scoreformulier"})
    return run.commit()


# --- what the office did that changes no step ------------------------------------------------

@dataclass(frozen=True)
class Note:
    """An informational event (:data:`~cbct_docs.domain.process.INFO_KINDS`): who did what
    for the organisation (a test mail, a message marked as arrived, an upload). ``note``
    is what the timeline shows after the label."""

    cert_nr: str
    kind: Kind
    note: str = ""
    data: dict[str, Any] = field(default_factory=dict)


def record_notes(office: OfficeFolder, notes: Sequence[Note], *,
                 open_for: Sequence[Organisation] = (), day: dt.date | None = None) -> int:
    """Append the notes to each organisation's latest dossier, with the office's user;
    returns how many. An organisation without a dossier is passed by (nothing happened
    to it yet that a dossier tells), unless it is in ``open_for``: then its current
    dossier is opened (a score sheet belongs to the audit's cycle)."""
    for item in notes:
        if item.kind not in INFO_KINDS:
            raise ValueError(f"{item.kind.value} is no informational event")
    if not notes:
        return 0
    day = day or dt.date.today()
    with guarded(office.database_path):
        db = office.database()
        with transaction(db):
            ids = latest_dossier_ids(db, [n.cert_nr for n in notes])
            for org in open_for:
                ids[org.cert_nr] = current_dossier(db, org).id
            events = [NewEvent(n.cert_nr, n.kind, day,
                               {**n.data, **({"toelichting": n.note} if n.note else {})},
                               dossier_id=ids[n.cert_nr])
                      for n in notes if n.cert_nr in ids]
            return append_events(db, events, office.user)
