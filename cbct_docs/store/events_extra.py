"""Small reads of the event log the dossiers' own module does not offer (yet): which
dossier an informational event goes to, without reading every event; what the office's
content is now (a stamp), and the events recorded since a reading."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import NamedTuple

from ..domain.process import Event
from .decisions import EVENT_COLUMNS
from .dossiers import _event


def latest_dossier_ids(db: sqlite3.Connection, cert_nrs: Iterable[str]) -> dict[str, int]:
    """cert_nr → the id of its latest dossier, for those that have one."""
    wanted = sorted(set(cert_nrs))
    found: dict[str, int] = {}
    for start in range(0, len(wanted), 500):  # SQLite's limit on ? per statement
        chunk = wanted[start:start + 500]
        marks = ", ".join("?" * len(chunk))
        for cert_nr, dossier_id in db.execute(
                f"SELECT cert_nr, MAX(id) FROM dossiers WHERE cert_nr IN ({marks}) "
                "GROUP BY cert_nr", chunk):
            found[str(cert_nr)] = int(dossier_id)
    return found


class Stamp(NamedTuple):
    """What the organisations, dossiers and events are, exactly: events and dossiers are
    only ever added (their count and last id say which are there; the last event's time
    tells one database from another); organisations change in place, so their rows are
    hashed."""

    events: int
    last_event: int
    last_at: str
    dossiers: int
    last_dossier: int
    digest: str


def content_stamp(db: sqlite3.Connection) -> Stamp:
    """The office's :class:`Stamp` now, without reading anything into objects (a few
    milliseconds at 2,000 organisations)."""
    events = db.execute("SELECT COUNT(*), MAX(id), (SELECT recorded_at FROM events "
                        "ORDER BY id DESC LIMIT 1) FROM events").fetchone()
    dossiers = db.execute("SELECT COUNT(*), MAX(id) FROM dossiers").fetchone()
    rows = db.execute(
        "SELECT group_concat(cert_nr || char(31) || data || char(31) || certified_until "
        "|| char(31) || in_register, char(30)) FROM (SELECT * FROM organisations "
        "ORDER BY cert_nr)").fetchone()[0]
    digest = hashlib.blake2b((rows or "").encode("utf-8"), digest_size=16).hexdigest()
    return Stamp(int(events[0]), int(events[1] or 0), str(events[2] or ""),
                 int(dossiers[0]), int(dossiers[1] or 0), digest)


@contextmanager
def read_together(db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One read transaction: every query inside sees the database as it was at the first
    (a writer meanwhile is not seen halfway)."""
    if db.in_transaction:
        yield db
        return
    db.execute("BEGIN")
    try:
        yield db
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def events_after(db: sqlite3.Connection, after: int) -> dict[int, list[Event]]:
    """Dossier id → the events recorded after event id ``after``, in order."""
    found: dict[int, list[Event]] = {}
    for row in db.execute(f"SELECT dossier_id, {EVENT_COLUMNS} FROM events WHERE id > ? "
                          "ORDER BY id", (after,)):
        found.setdefault(int(row[0]), []).append(_event(row[1:]))
    return found


def recorded_at(db: sqlite3.Connection, event_id: int) -> str | None:
    """When the event was recorded (None: there is no such event)."""
    row = db.execute("SELECT recorded_at FROM events WHERE id = ?", (event_id,)).fetchone()
    return str(row[0]) if row else None


def dossiers_after(db: sqlite3.Connection, after: int) -> list[tuple[int, str, str, str]]:
    """(id, cert_nr, cycle, framework) of the dossiers opened after dossier id ``after``,
    in order."""
    return [(int(row[0]), str(row[1]), str(row[2]), str(row[3])) for row in db.execute(
        "SELECT id, cert_nr, cycle, framework FROM dossiers WHERE id > ? ORDER BY id",
        (after,))]
