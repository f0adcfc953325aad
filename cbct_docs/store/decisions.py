"""The decisions recorded in the office database, for the sector overview. Read only.

A dossier is decided in a period when its decision on the audit (the ``besluit`` event) is
dated in it. What counts as its outcome (a heraudit decision replaces the first) is a rule
of the overview (``cbct_docs.overview.recorded``), not of this query: it hands over each
such dossier whole, with its organisation as the database has it now.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterable

from ..domain.planning import Quarter
from ..domain.process import DossierState, Event, Kind, fold
from ..domain.register import Organisation
from .dossiers import _event, org_from_row

EVENT_COLUMNS = "id, kind, day, data, document, sha256, recorded_at, recorded_by"


def decided_dossiers(db: sqlite3.Connection, start: dt.date, end: dt.date
                     ) -> list[tuple[Organisation | None, DossierState]]:
    """Every dossier with a ``besluit`` dated from ``start`` to ``end`` (both included),
    with all its events and its organisation (None when the database lacks it), in
    certificate-number order."""
    rows = db.execute(
        "SELECT d.id, d.cert_nr, d.cycle, o.data, o.certified_until FROM dossiers d "
        "LEFT JOIN organisations o ON o.cert_nr = d.cert_nr "
        "WHERE EXISTS (SELECT 1 FROM events e WHERE e.dossier_id = d.id AND e.kind = ? "
        "AND e.day BETWEEN ? AND ?) ORDER BY d.cert_nr, d.id",
        (Kind.DECIDED.value, start.isoformat(), end.isoformat())).fetchall()
    events = _events(db, [int(row[0]) for row in rows])
    result: list[tuple[Organisation | None, DossierState]] = []
    for dossier_id, cert_nr, cycle, data, until in rows:
        org = org_from_row(data, until) if data is not None else None
        result.append((org, fold(cert_nr, Quarter.parse(cycle), events.get(dossier_id, []))))
    return result


def _events(db: sqlite3.Connection, ids: Iterable[int]) -> dict[int, list[Event]]:
    wanted = sorted(set(ids))
    found: dict[int, list[Event]] = {}
    for first in range(0, len(wanted), 500):  # SQLite limits the number of parameters
        chunk = wanted[first:first + 500]
        marks = ", ".join("?" * len(chunk))
        for row in db.execute(f"SELECT dossier_id, {EVENT_COLUMNS} FROM events "
                              f"WHERE dossier_id IN ({marks}) ORDER BY id", chunk):
            found.setdefault(int(row[0]), []).append(_event(row[1:]))
    return found


def decision_span(db: sqlite3.Connection) -> tuple[dt.date, dt.date] | None:
    """The first and last day on which a ``besluit`` is recorded (None: none yet)."""
    row = db.execute("SELECT MIN(day), MAX(day) FROM events WHERE kind = ?",
                     (Kind.DECIDED.value,)).fetchone()
    if row is None or row[0] is None:
        return None
    return dt.date.fromisoformat(row[0]), dt.date.fromisoformat(row[1])
