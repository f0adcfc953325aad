"""Where every organisation stands: step, next action, deadline, overdue; and the year's
audits per quarter and per auditor per month (the office's capacity)."""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..domain.frameworks import Deadlines, load_framework
from ..domain.planning import Quarter
from ..domain.process import DossierState, Event, Kind, NextAction, next_action
from ..domain.register import Organisation, find_organisation
from ..records.dates import day_text
from .office import OfficeFolder
from .run import Run
from .snapshot import Reading, reading


@dataclass(frozen=True)
class StatusRow:
    cert_nr: str
    name: str
    framework: str
    quarter: Quarter
    step: str
    action: str
    command: str
    deadline: dt.date | None
    overdue: bool
    exceptions: tuple[str, ...] = ()
    events: tuple[Event, ...] = field(default=(), compare=False)


def quarter_of(office: OfficeFolder, org: Organisation) -> Quarter:
    """The quarter of the organisation's audit in its current (or next) cycle."""
    return Run(office, office.folder).state(org, starting=True).quarter


def status(office: OfficeFolder, today: dt.date, *, quarter: Quarter | None = None,
           overdue_only: bool = False, register: Path | None = None) -> list[StatusRow]:
    """Every organisation's step, next action and deadline, in register order (those in
    ``quarter``, or overdue, only when asked)."""
    if register is not None:
        orgs, _changes = office.organisations(register)
        rows = list(_rows(Run(office, office.folder), orgs, today).values())
    else:
        rows = _kept_rows(office, today)
    return [row for row in rows if (quarter is None or row.quarter == quarter)
            and (not overdue_only or row.overdue)]


#: Per office database: the reading and day the rows were made for, and the rows.
_ROWS: dict[str, tuple[Reading, dt.date, dict[str, StatusRow]]] = {}
_ROWS_LOCK = threading.Lock()


def _kept_rows(office: OfficeFolder, today: dt.date) -> list[StatusRow]:
    """The rows of the office as it is now (runs/snapshot.py): made again only for the
    organisations whose dossier changed since the last time, all when the organisations
    did (or the day)."""
    found = reading(office)
    key = str(office.database_path.resolve())
    with _ROWS_LOCK:
        old = _ROWS.get(key)
    if old is not None and old[0] is found and old[1] == today:
        rows = old[2]
    else:
        if old is not None and old[1] == today and old[0].orgs is found.orgs:
            changed = [org for org in found.orgs if found.dossiers.get(org.cert_nr)
                       is not old[0].dossiers.get(org.cert_nr)]
            rows = dict(old[2])
        else:
            changed, rows = list(found.orgs), {}
        if changed:  # the state of each by the run's own rule for the current dossier
            rows.update(_rows(Run(office, office.folder), changed, today))
        with _ROWS_LOCK:
            _ROWS[key] = (found, today, rows)
            while len(_ROWS) > 4:
                del _ROWS[next(iter(_ROWS))]
    return [rows[org.cert_nr] for org in found.orgs]


def _rows(run: Run, orgs: Iterable[Organisation], today: dt.date) -> dict[str, StatusRow]:
    rows = {}
    deadlines: dict[str, Deadlines] = {}  # per framework: looked up once, not per row
    for org in orgs:
        state = run.state(org)
        if org.framework not in deadlines:
            deadlines[org.framework] = load_framework(org.framework).deadlines
        action = next_action(state, deadlines[org.framework])
        exceptions = tuple(f"{e.label} ({day_text(e.day)}): {e.reason}"
                           for e in state.exceptions)
        rows[org.cert_nr] = StatusRow(org.cert_nr, org.name, org.framework, state.quarter,
                                      action.step, action.action, action.command,
                                      action.deadline, action.overdue(today), exceptions,
                                      tuple(state.events))
    return rows


def status_lines(rows: list[StatusRow], *, overdue_only: bool = False) -> list[str]:
    """The status as ``cbct-docs status`` prints it (and its golden text keeps it)."""
    lines = []
    for row in rows:
        deadline = f" (uiterlijk {day_text(row.deadline)})" if row.deadline else ""
        action = f"→ {row.action}{deadline}" if row.action else ""
        lines.append(f"{row.cert_nr}  {row.name}  [{row.framework} {row.quarter}]  "
                     f"{row.step} {action}".rstrip())
        lines += [f"    afwijking: {exception}" for exception in row.exceptions]
    late = [row for row in rows if row.overdue]
    if late and not overdue_only:
        lines += ["", f"Te laat ({len(late)}):"]
        lines += [f"  {row.cert_nr}  {row.name}: {row.action}, uiterlijk {day_text(row.deadline)}"
                  for row in late]
    lines += ["", f"{len(rows)} organisation(s), {len(late)} overdue."]
    return lines


@dataclass(frozen=True)
class YearView:
    year: int
    per_quarter: dict[str, int]  # "2025-Q2" → audits
    per_auditor: dict[str, dict[int, int]]  # auditor → month → audit days


def year_view(office: OfficeFolder, year: int) -> YearView:
    """Audits per quarter (planned or held) and audit days per auditor per month."""
    orgs, _changes = office.organisations()
    run = Run(office, office.folder)
    quarters: Counter[str] = Counter()
    auditors: dict[str, Counter[int]] = {}
    for org in orgs:
        state = run.state(org)
        if state.quarter.year == year:
            quarters[str(state.quarter)] += 1
        event = state.last(Kind.AUDIT_HELD, Kind.CONFIRMED)
        if event is None:
            continue
        for day in (dt.date.fromisoformat(d) for d in event.data.get("dagen", ())):
            if day.year == year:
                for name in event.data.get("auditoren", ()):
                    auditors.setdefault(str(name), Counter())[day.month] += 1
    per_quarter = {str(Quarter(year, q)): quarters[str(Quarter(year, q))] for q in range(1, 5)}
    return YearView(year, per_quarter,
                    {name: dict(sorted(months.items())) for name, months in
                     sorted(auditors.items())})


STATUS_COLUMNS = ("cert_nr", "naam", "kader", "kwartaal", "stap", "volgende actie",
                  "termijn", "te laat", "afwijkingen")


def status_workbook(rows: list[StatusRow]) -> bytes:
    """The status as an .xlsx; every value is text or a date, never a formula."""
    from .register import inert_workbook

    return inert_workbook("Status", STATUS_COLUMNS, (
        [row.cert_nr, row.name, row.framework, str(row.quarter), row.step, row.action,
         row.deadline, "ja" if row.overdue else "", "; ".join(row.exceptions)]
        for row in rows))


@dataclass(frozen=True)
class DossierView:
    """One organisation's dossier as a person reads it: timeline and next step."""

    org: Organisation
    state: DossierState
    action: NextAction
    events: tuple[Event, ...]  # the latest dossier's timeline (also when it is complete)


def dossier_view(office: OfficeFolder, cert_nr: str,
                 register: Path | None = None) -> DossierView:
    orgs, _changes = office.organisations(register)
    org = find_organisation(orgs, cert_nr)
    run = Run(office, office.folder)
    state = run.state(org)
    latest = run.dossiers.get(org.cert_nr)
    events = tuple(latest.state.events) if latest is not None else ()
    return DossierView(org, state, next_action(state, load_framework(org.framework).deadlines),
                       events)
