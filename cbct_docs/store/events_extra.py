"""Small reads of the event log the dossiers' own module does not offer (yet): which
dossier an informational event goes to, without reading every event."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable


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
