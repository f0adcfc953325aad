"""Organisations, dossiers and their events in the office database.

Reading a register stores each organisation (its row as JSON, with where it came from);
reading an edited register again updates them and tells what changed. A decision writes
the new certified-until back; a later register that still has the old date does not undo
that. Dossiers hold an append-only event log (see :mod:`cbct_docs.domain.process`).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, fields
from typing import Any

from ..deliver.ledger import transaction
from ..domain.planning import Quarter, audit_quarter
from ..domain.process import DossierState, Event, Kind, fold
from ..domain.register import Organisation
from ..records.model import Origin


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


# --- organisations -----------------------------------------------------------------------

def org_to_json(org: Organisation) -> str:
    data: dict[str, Any] = {}
    for f in fields(org):
        value = getattr(org, f.name)
        if f.name == "origin":
            value = {"file": value.file, "sheet": value.sheet, "row": value.row,
                     "unit": value.unit}
        elif isinstance(value, dt.date):
            value = value.isoformat()
        elif isinstance(value, tuple):
            value = list(value)
        data[f.name] = value
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


def org_from_row(data: str, certified_until: str) -> Organisation:
    return _organisation(json.loads(data), certified_until)


def _organisation(raw: dict[str, Any], certified_until: str) -> Organisation:
    """An organisation from its stored row, the JSON parsed already."""
    origin = raw.pop("origin")
    raw["certified_until"] = _day(certified_until)
    for name in ("branch", "modules"):
        raw[name] = tuple(raw[name])
    return Organisation(**raw, origin=Origin(origin["file"], origin["sheet"], origin["row"],
                                             unit=origin.get("unit") or "row"))


#: Fields compared when a register is read again (what a person would call a change).
COMPARED = ("name", "branch", "framework", "modules", "contact", "email", "street",
            "postcode", "city", "certified_until", "category")


@dataclass(frozen=True)
class Change:
    cert_nr: str
    name: str
    what: str  # "nieuw", "gewijzigd", "niet meer in het register", "behouden"
    details: tuple[str, ...] = ()

    def __str__(self) -> str:
        extra = f": {'; '.join(self.details)}" if self.details else ""
        return f"{self.cert_nr} {self.name}: {self.what}{extra}"


def _show(value: Any) -> str:
    if isinstance(value, tuple):
        return ", ".join(value) or "—"
    if isinstance(value, dt.date):
        return f"{value.day}-{value.month}-{value.year}"
    return str(value) or "—"


def store_register(db: sqlite3.Connection, orgs: Sequence[Organisation]) -> list[Change]:
    """Take a register into the database; returns what changed (empty: nothing)."""
    changes: list[Change] = []
    now = _now()
    with transaction(db):
        known = {row[0]: row for row in db.execute(
            "SELECT cert_nr, data, certified_until, until_source, in_register "
            "FROM organisations")}
        for org in orgs:
            row = known.pop(org.cert_nr, None)
            until, source = org.certified_until, "register"
            if row is None:
                changes.append(Change(org.cert_nr, org.name, "nieuw"))
            else:
                old = org_from_row(row[1], row[2])
                if row[3] == "besluit" and old.certified_until > org.certified_until:
                    # The decision's date stands; the spreadsheet has not caught up.
                    until, source = old.certified_until, "besluit"
                    changes.append(Change(org.cert_nr, org.name, "behouden", (
                        f"certified_until {_show(old.certified_until)} from the decision "
                        f"(register says {_show(org.certified_until)})",)))
                details = tuple(
                    f"{name}: {_show(getattr(old, name))} → {_show(getattr(org, name))}"
                    for name in COMPARED if name != "certified_until"
                    and getattr(old, name) != getattr(org, name))
                if source == "register" and old.certified_until != until:
                    details += (f"certified_until: {_show(old.certified_until)} → "
                                f"{_show(until)}",)
                if details:
                    changes.append(Change(org.cert_nr, org.name, "gewijzigd", details))
                elif not row[4]:
                    changes.append(Change(org.cert_nr, org.name, "weer in het register"))
            db.execute(
                "INSERT INTO organisations (cert_nr, data, certified_until, until_source, "
                "in_register, updated_at) VALUES (?, ?, ?, ?, 1, ?) "
                "ON CONFLICT (cert_nr) DO UPDATE SET data = excluded.data, "
                "certified_until = excluded.certified_until, "
                "until_source = excluded.until_source, in_register = 1, "
                "updated_at = excluded.updated_at",
                (org.cert_nr, org_to_json(org), until.isoformat(), source, now))
        for cert_nr, row in known.items():
            if row[4]:
                old = org_from_row(row[1], row[2])
                changes.append(Change(cert_nr, old.name, "niet meer in het register"))
                db.execute("UPDATE organisations SET in_register = 0, updated_at = ? "
                           "WHERE cert_nr = ?", (now, cert_nr))
    return changes


def load_organisations(db: sqlite3.Connection, *, all_: bool = False) -> list[Organisation]:
    """The organisations in register order (file row), those still in the register."""
    rows = [r for r in db.execute(
        "SELECT data, certified_until, in_register FROM organisations") if all_ or r[2]]
    # The rows' JSON parsed as one text (:func:`_all_data`): ~3 us a row less.
    orgs = [_organisation(raw, r[1])
            for r, raw in zip(rows, _all_data([r[0] for r in rows]), strict=True)]
    return sorted(orgs, key=lambda o: (o.origin.row or 0, o.cert_nr))


def write_back_until(db: sqlite3.Connection, cert_nr: str, until: dt.date) -> None:
    """A decision's new certified-until (inside the caller's transaction)."""
    db.execute("UPDATE organisations SET certified_until = ?, until_source = 'besluit', "
               "updated_at = ? WHERE cert_nr = ?", (until.isoformat(), _now(), cert_nr))


# --- dossiers and events -----------------------------------------------------------------

@dataclass(frozen=True)
class Dossier:
    id: int
    cert_nr: str
    cycle: Quarter
    framework: str
    state: DossierState


#: Event kinds by their stored value (Kind(value) is an enum lookup: slow for 10,000s).
_KINDS = {kind.value: kind for kind in Kind}


@functools.lru_cache(maxsize=4096)  # an office's events fall on a few hundred days
def _day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


@functools.lru_cache(maxsize=256)  # the dossiers of an office are in a few cycles
def _quarter(text: str) -> Quarter:
    return Quarter.parse(text)  # frozen: one object shared by the dossiers of a cycle


def _event(row: sqlite3.Row | tuple[Any, ...]) -> Event:
    data = row[3]
    return Event(_KINDS.get(row[1]) or Kind(row[1]), _day(row[2]),
                 {} if data == "{}" else json.loads(data),  # most events carry no data
                 row[6], row[7], row[4], row[5], row[0])


def _all_data(texts: list[str]) -> list[dict[str, Any]]:
    """``json.loads`` of each event's data, the ones that are not ``{}`` parsed together
    as one JSON array: one call instead of ~10,000 (each a Python-level decode and two
    regular-expression matches). Should the array not give exactly one value per text
    (stored data that is not one JSON value), each is parsed on its own, as before."""
    wanted = [text for text in texts if text != "{}"]
    parsed: list[Any] = []
    if wanted:
        try:
            parsed = json.loads(f"[{','.join(wanted)}]")
        except ValueError:
            parsed = []
        if len(parsed) != len(wanted):
            parsed = [json.loads(text) for text in wanted]
    values = iter(parsed)
    return [{} if text == "{}" else next(values) for text in texts]


def _dossier(db: sqlite3.Connection, row: tuple[Any, ...]) -> Dossier:
    events = [_event(r) for r in db.execute(
        "SELECT id, kind, day, data, document, sha256, recorded_at, recorded_by "
        "FROM events WHERE dossier_id = ? ORDER BY id", (row[0],))]
    cycle = Quarter.parse(row[2])
    return Dossier(row[0], row[1], cycle, row[3], fold(row[1], cycle, events))


def latest_dossier(db: sqlite3.Connection, cert_nr: str) -> Dossier | None:
    row = db.execute("SELECT id, cert_nr, cycle, framework FROM dossiers WHERE cert_nr = ? "
                     "ORDER BY id DESC LIMIT 1", (cert_nr,)).fetchone()
    return _dossier(db, row) if row else None


def all_dossiers(db: sqlite3.Connection) -> dict[str, Dossier]:
    """The latest dossier of every organisation, read in two queries; the events' data
    parsed as one JSON text (:func:`_all_data`)."""
    rows = db.execute("SELECT id, cert_nr, cycle, framework FROM dossiers ORDER BY id")
    latest = {row[1]: row for row in rows}
    events = db.execute("SELECT dossier_id, id, kind, day, data, document, sha256, "
                        "recorded_at, recorded_by FROM events ORDER BY id").fetchall()
    by_id: dict[int, list[Event]] = {}
    kinds, day = _KINDS, _day
    for r, data in zip(events, _all_data([r[4] for r in events]), strict=True):
        # recorded_at, recorded_by, document, sha256, id: by position (keywords cost more)
        by_id.setdefault(r[0], []).append(Event(
            kinds.get(r[2]) or Kind(r[2]), day(r[3]), data, r[7], r[8], r[5], r[6], r[1]))
    result = {}
    for cert_nr, row in latest.items():
        cycle = _quarter(row[2])
        result[cert_nr] = Dossier(row[0], cert_nr, cycle, row[3],
                                  fold(cert_nr, cycle, by_id.get(row[0], [])))
    return result


def open_dossier(db: sqlite3.Connection, org: Organisation,
                 cycle: Quarter | None = None) -> Dossier:
    """A new dossier for the cycle (by default the one the certificate's end gives)."""
    cycle = cycle or audit_quarter(org)
    db.execute("INSERT OR IGNORE INTO dossiers (cert_nr, cycle, framework, opened_at) "
               "VALUES (?, ?, ?, ?)", (org.cert_nr, str(cycle), org.framework, _now()))
    row = db.execute("SELECT id, cert_nr, cycle, framework FROM dossiers "
                     "WHERE cert_nr = ? AND cycle = ?", (org.cert_nr, str(cycle))).fetchone()
    return _dossier(db, row)


def current_dossier(db: sqlite3.Connection, org: Organisation) -> Dossier:
    """The dossier the organisation's process is in: the latest, or a new one for the
    cycle its certificate's end gives when it has none or the latest is complete."""
    latest = latest_dossier(db, org.cert_nr)
    if latest is None:
        return open_dossier(db, org)
    planned = audit_quarter(org)
    if planned > latest.state.quarter and latest.state.certified:
        # Certified, so the certificate's end moved on: the next cycle has begun.
        return open_dossier(db, org, planned)
    return latest


def open_dossier_ids(db: sqlite3.Connection, orgs: Sequence[Organisation],
                     quarter_of: Callable[[Organisation], Quarter] = audit_quarter,
                     ) -> dict[str, int]:
    """:func:`open_dossier` for many organisations at once (each in the cycle its
    certificate's end gives), inside the caller's transaction: cert_nr → dossier id.
    ``quarter_of``: :func:`~cbct_docs.domain.planning.audit_quarter`, or a run's cached
    version of it (~20 us an organisation otherwise)."""
    cycles = {org.cert_nr: str(quarter_of(org)) for org in orgs}
    now = _now()
    db.executemany("INSERT OR IGNORE INTO dossiers (cert_nr, cycle, framework, opened_at) "
                   "VALUES (?, ?, ?, ?)",
                   [(org.cert_nr, cycles[org.cert_nr], org.framework, now) for org in orgs])
    ids: dict[str, int] = {}
    numbers = sorted(cycles)
    for start in range(0, len(numbers), 500):  # SQLite's limit on ? per statement
        chunk = numbers[start:start + 500]
        marks = ", ".join("?" * len(chunk))
        for dossier_id, cert_nr, cycle in db.execute(
                f"SELECT id, cert_nr, cycle FROM dossiers WHERE cert_nr IN ({marks})", chunk):
            if cycles[cert_nr] == cycle:
                ids[cert_nr] = dossier_id
    return ids


@dataclass(frozen=True)
class NewEvent:
    cert_nr: str
    kind: Kind
    day: dt.date
    data: dict[str, Any]
    document: str = ""
    sha256: str = ""
    dossier_id: int | None = None


def append_events(db: sqlite3.Connection, items: Iterable[NewEvent], user: str) -> int:
    """Append events (inside the caller's transaction), in the order given, in one
    statement; returns how many."""
    now = _now()
    rows = []
    for item in items:
        if item.dossier_id is None:
            raise ValueError("an event needs its dossier")
        rows.append((item.dossier_id, item.kind.value, item.day.isoformat(),
                     json.dumps(item.data, ensure_ascii=False, sort_keys=True, default=str),
                     item.document, item.sha256, now, user))
    db.executemany(
        "INSERT INTO events (dossier_id, kind, day, data, document, sha256, recorded_at, "
        "recorded_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
    return len(rows)


def documents_by_sha256(db: sqlite3.Connection, digests: Iterable[str]
                        ) -> dict[str, list[tuple[int, str]]]:
    """sha256 → [(dossier id, kind)] of the events whose document had that content."""
    wanted = sorted(set(digests))
    found: dict[str, list[tuple[int, str]]] = {}
    for start in range(0, len(wanted), 500):  # SQLite's limit on ? per statement
        chunk = wanted[start:start + 500]
        marks = ", ".join("?" * len(chunk))
        for dossier_id, kind, sha256 in db.execute(
                f"SELECT dossier_id, kind, sha256 FROM events WHERE sha256 IN ({marks})",
                chunk):
            found.setdefault(sha256, []).append((dossier_id, kind))
    return found
