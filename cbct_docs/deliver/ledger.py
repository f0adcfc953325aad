"""The ledger: a SQLite file that hands out certificate numbers once and never again.

Numbers come from one ever-increasing sequence (SQLite ``AUTOINCREMENT``: a number stays
used even if its row were deleted) and read ``KiB-2025-0007``: framework, year of the
decision, sequence. Asking again for the same organisation, framework and year gives
the same number, so a rerun prints the same certificate. Two runs at the same time are
serialised by ``BEGIN IMMEDIATE`` and wait for each other (busy timeout), so they never
get the same number.

Other modules may keep their own tables in the same file: open it with :func:`connect`
(WAL, busy timeout, full sync) and write inside :func:`transaction`.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..errors import OutputError
from .files import ensure_folder
from .journal import journal_mode

DEFAULT_NAME = "cbct-ledger.sqlite"
DEFAULT_PATTERN = "{series}-{year}-{seq:04d}"
BUSY_TIMEOUT_MS = 30_000
SCHEMA = """
CREATE TABLE IF NOT EXISTS certificate_numbers (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    number       TEXT NOT NULL UNIQUE,
    org_key      TEXT NOT NULL,
    framework    TEXT NOT NULL DEFAULT '',
    year         INTEGER NOT NULL,
    allocated_at TEXT NOT NULL,
    UNIQUE (org_key, framework, year)
)
"""


def default_ledger_path(out_dir: Path) -> Path:
    """A ledger that lives with one output folder (the demo's: its numbers are fiction)."""
    return Path(out_dir) / DEFAULT_NAME


def office_ledger_path(config: Path | None = None) -> Path:
    """The office's one ledger (the office database): ``$CBCT_LEDGER``, else
    ``cbct-ledger.sqlite`` in the office folder — ``$CBCT_OFFICE``, else the folder of the
    settings file given (``--config``), else the working folder. So a command run from a
    subfolder with ``--config ../cbct-docs.toml`` finds the office's ledger, never a new
    one beside it, and no certificate number or e-mail is handed out twice."""
    override = os.environ.get("CBCT_LEDGER")
    if override:
        return Path(override)
    return office_folder(config) / DEFAULT_NAME


def office_folder(config: Path | None = None) -> Path:
    """``$CBCT_OFFICE``, else the folder of the settings file given, else the working
    folder (see also ``runs.office.open_office``, which adds ``--office``)."""
    named = os.environ.get("CBCT_OFFICE")
    if named:
        return Path(named)
    return Path(config).resolve().parent if config is not None else Path.cwd()


def connect(path: str | Path) -> sqlite3.Connection:
    """Open (or create) a ledger file: WAL on a local disk, the rollback journal on a
    network drive (:mod:`.journal`), busy timeout, full sync, explicit transactions.

    The connection is in autocommit mode; group writes with :func:`transaction`.
    """
    path = Path(path)
    ensure_folder(path.parent)
    try:
        connection = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000,
                                     isolation_level=None)
        connection.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        connection.execute(f"PRAGMA journal_mode={journal_mode(path)}")
        connection.execute("PRAGMA synchronous=FULL")
    except sqlite3.DatabaseError as error:
        raise OutputError(f"cannot open the ledger: {error}", location=path,
                          hint="is it a SQLite file? Give another --ledger path") from None
    return connection


@contextmanager
def transaction(connection: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """``BEGIN IMMEDIATE`` … ``COMMIT``: takes the write lock at once, so the reads inside
    see what no other writer can change before the commit."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        yield connection
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")


@dataclass(frozen=True)
class Allocation:
    number: str
    org_key: str
    framework: str
    year: int
    allocated_at: str


class Ledger:
    """Certificate numbers in a SQLite file; safe to use from several processes at once."""

    def __init__(self, path: str | Path, pattern: str = DEFAULT_PATTERN,
                 default_series: str = "CBCT") -> None:
        self.path = Path(path)
        self.pattern, self.default_series = pattern, default_series
        self.connection = connect(self.path)
        try:
            with transaction(self.connection):
                self.connection.execute(SCHEMA)
        except sqlite3.DatabaseError as error:
            raise OutputError(f"cannot use the ledger: {error}", location=self.path) from None

    def close(self) -> None:
        self.connection.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def allocate_certificate_number(self, org_key: str, framework: str = "",
                                    year: int | None = None) -> str:
        """The number for this organisation, framework and year: new, or the one it got."""
        year = year if year is not None else dt.date.today().year
        try:
            with transaction(self.connection) as db:
                row = db.execute(
                    "SELECT number FROM certificate_numbers "
                    "WHERE org_key = ? AND framework = ? AND year = ?",
                    (org_key, framework, year)).fetchone()
                if row is not None:
                    return str(row[0])
                now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
                # Insert first to draw the sequence number, then write the number it gives.
                cursor = db.execute(
                    "INSERT INTO certificate_numbers (number, org_key, framework, year, "
                    "allocated_at) VALUES (?, ?, ?, ?, ?)",
                    (f"pending-{uuid.uuid4()}", org_key, framework, year, now))
                seq = cursor.lastrowid
                assert seq is not None
                number = self.pattern.format(series=framework or self.default_series,
                                             framework=framework, year=year, seq=seq)
                db.execute("UPDATE certificate_numbers SET number = ? WHERE seq = ?",
                           (number, seq))
                return number
        except sqlite3.IntegrityError:
            raise OutputError(f"certificate number pattern {self.pattern!r} gave a number "
                              "that exists already", location=self.path,
                              hint="keep {seq} in the pattern") from None
        except sqlite3.DatabaseError as error:
            raise OutputError(f"cannot allocate a certificate number: {error}",
                              location=self.path) from None

    def claim_number(self, number: str, org_key: str, framework: str = "",
                     year: int | None = None) -> None:
        """Record a number the office chose itself (``certificate --number``), refusing one
        that belongs to another organisation, or a second number for the same one."""
        year = year if year is not None else dt.date.today().year
        with transaction(self.connection) as db:
            owner = db.execute("SELECT org_key FROM certificate_numbers WHERE number = ?",
                               (number,)).fetchone()
            if owner is not None and owner[0] != org_key:
                raise OutputError(f"certificate number {number} belongs to {owner[0]} already",
                                  location=self.path, hint="leave out --number to get the next")
            existing = db.execute(
                "SELECT number FROM certificate_numbers "
                "WHERE org_key = ? AND framework = ? AND year = ?",
                (org_key, framework, year)).fetchone()
            if existing is not None and existing[0] != number:
                raise OutputError(f"{org_key} has certificate number {existing[0]} for "
                                  f"{framework} {year} already", location=self.path,
                                  hint="leave out --number to print that one")
            if owner is None:
                db.execute(
                    "INSERT INTO certificate_numbers (number, org_key, framework, year, "
                    "allocated_at) VALUES (?, ?, ?, ?, ?)",
                    (number, org_key, framework, year,
                     dt.datetime.now(dt.UTC).isoformat(timespec="seconds")))

    def continue_after(self, seq: int) -> None:
        """Start the sequence after ``seq`` (an office moving over from its own numbering).
        The sequence never goes back."""
        with transaction(self.connection) as db:
            current = db.execute("SELECT seq FROM sqlite_sequence WHERE name = ?",
                                 ("certificate_numbers",)).fetchone()
            if current is None:
                db.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)",
                           ("certificate_numbers", seq))
            elif current[0] < seq:
                db.execute("UPDATE sqlite_sequence SET seq = ? WHERE name = ?",
                           (seq, "certificate_numbers"))

    def allocations(self) -> list[Allocation]:
        rows = self.connection.execute(
            "SELECT number, org_key, framework, year, allocated_at FROM certificate_numbers "
            "ORDER BY seq").fetchall()
        return [Allocation(str(r[0]), str(r[1]), str(r[2]), int(r[3]), str(r[4])) for r in rows]
