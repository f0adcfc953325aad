"""The office database: one SQLite file in the office folder, with a schema version.

It grew out of the certificate-number ledger (``cbct-ledger.sqlite``; the name stays so an
office's existing file is found): certificate numbers and sent e-mails keep their tables;
migrations add the organisations, the dossiers with their events, and the score sheets
read before. ``PRAGMA user_version`` is the schema version; each migration runs once, in
one transaction.

Where it is: ``$CBCT_LEDGER`` when set (tests, special set-ups), else ``cbct-ledger.sqlite``
in the office folder — never wherever the command happens to be started. A database that
existed must not silently start again empty: a zero-length file, or a ``-wal`` left
without its database, is refused unless the user says ``new_ok``.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..deliver.ledger import DEFAULT_NAME, Ledger, connect, transaction
from ..errors import OutputError

#: Version → statements. Version 1 is the ledger as it was (certificate numbers, outbox);
#: those tables are created by their own modules, so version 1 adds nothing here.
MIGRATIONS: dict[int, tuple[str, ...]] = {
    1: (),
    2: (
        """CREATE TABLE organisations (
            cert_nr          TEXT PRIMARY KEY,
            data             TEXT NOT NULL,          -- the register row, as JSON
            certified_until  TEXT NOT NULL,
            until_source     TEXT NOT NULL DEFAULT 'register',  -- or 'besluit'
            in_register      INTEGER NOT NULL DEFAULT 1,
            updated_at       TEXT NOT NULL
        )""",
        """CREATE TABLE dossiers (
            id         INTEGER PRIMARY KEY AUTOINCREMENT,
            cert_nr    TEXT NOT NULL,
            cycle      TEXT NOT NULL,                -- the quarter planned at opening
            framework  TEXT NOT NULL,
            opened_at  TEXT NOT NULL,
            UNIQUE (cert_nr, cycle)
        )""",
        """CREATE TABLE events (
            id           INTEGER PRIMARY KEY AUTOINCREMENT,
            dossier_id   INTEGER NOT NULL REFERENCES dossiers (id),
            kind         TEXT NOT NULL,
            day          TEXT NOT NULL,
            data         TEXT NOT NULL DEFAULT '{}',
            document     TEXT NOT NULL DEFAULT '',
            sha256       TEXT NOT NULL DEFAULT '',
            recorded_at  TEXT NOT NULL,
            recorded_by  TEXT NOT NULL
        )""",
        "CREATE INDEX events_by_dossier ON events (dossier_id, id)",
        "CREATE TABLE office_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        # The log is append-only: what happened stays as it was recorded.
        """CREATE TRIGGER events_no_update BEFORE UPDATE ON events
           BEGIN SELECT RAISE(ABORT, 'events are append-only'); END""",
        """CREATE TRIGGER events_no_delete BEFORE DELETE ON events
           BEGIN SELECT RAISE(ABORT, 'events are append-only'); END""",
    ),
    # Score sheets read before (store/sheet_index.py). Until version 3 the table was made
    # on first use, so a database of version 2 may have it already.
    3: (
        """CREATE TABLE IF NOT EXISTS sheet_index (
            digest   TEXT PRIMARY KEY,     -- sha256 of the workbook file's bytes
            reader   TEXT NOT NULL,        -- reader_version() when it was read
            cert_nr  TEXT NOT NULL,
            sheet    BLOB NOT NULL         -- the ScoreSheet, as zlib-compressed JSON
        )""",
    ),
}
SCHEMA_VERSION = max(MIGRATIONS)


def database_path(office_folder: Path) -> Path:
    override = os.environ.get("CBCT_LEDGER")
    return Path(override) if override else Path(office_folder) / DEFAULT_NAME


def refuse_fresh_start(path: Path) -> None:
    """A database that existed is never replaced by a new, empty one without a word."""
    wal = path.with_name(path.name + "-wal")
    if not path.exists() and wal.exists() and wal.stat().st_size > 0:
        raise OutputError("the office database is missing but its -wal file is here "
                          "(a copy made without it, or a deleted file?)", location=path,
                          hint="put the database back beside it; `cbct-docs register "
                               "import FILE --new-ledger` starts a new, empty one")
    if path.exists() and path.stat().st_size == 0:
        raise OutputError("the office database is an empty file: its records are gone",
                          location=path,
                          hint="restore it from a backup; `cbct-docs register import FILE "
                               "--new-ledger` starts a new, empty one")


def open_database(path: Path, *, new_ok: bool = False) -> sqlite3.Connection:
    """Open the office database, migrated to the current schema."""
    path = Path(path)
    if not new_ok:
        refuse_fresh_start(path)
    if path.exists() and path.stat().st_size == 0:
        path.unlink()
    # The ledger creates its tables (schema version 1) as it always did.
    Ledger(path).close()
    connection = connect(path)
    try:
        migrate(connection)
    except sqlite3.DatabaseError as error:
        connection.close()
        raise OutputError(f"cannot update the office database: {error}",
                          location=path) from None
    return connection


def schema_version(connection: sqlite3.Connection) -> int:
    return int(connection.execute("PRAGMA user_version").fetchone()[0])


def migrate(connection: sqlite3.Connection) -> None:
    version = schema_version(connection)
    if version > SCHEMA_VERSION:
        raise sqlite3.DatabaseError(f"schema version {version} is newer than this "
                                    f"cbct-docs knows ({SCHEMA_VERSION}); upgrade cbct-docs")
    for target in range(version + 1, SCHEMA_VERSION + 1):
        with transaction(connection):
            if schema_version(connection) >= target:  # another process was first
                continue
            for statement in MIGRATIONS[target]:
                connection.execute(statement)
            connection.execute(f"PRAGMA user_version = {target}")


@contextmanager
def guarded(path: Path) -> Iterator[None]:
    """Any SQLite failure (a full disk, a read-only or damaged file) as a located error:
    the transaction it broke was rolled back, so nothing of it was recorded."""
    try:
        yield
    except sqlite3.Error as error:
        raise OutputError(f"the office database failed: {error}", location=path,
                          hint="is the disk full, or the file read-only or damaged? Nothing "
                               "of this step was recorded; run it again when that is "
                               "solved") from None


def get_meta(connection: sqlite3.Connection, key: str) -> str | None:
    row = connection.execute("SELECT value FROM office_meta WHERE key = ?", (key,)).fetchone()
    return str(row[0]) if row else None


def set_meta(connection: sqlite3.Connection, key: str, value: str) -> None:
    connection.execute("INSERT INTO office_meta (key, value) VALUES (?, ?) "
                       "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (key, value))
