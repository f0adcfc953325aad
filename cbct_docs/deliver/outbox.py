"""The outbox ledger: one SQLite row per e-mail, so that no message is ever sent twice.

A message is known by its Message-ID (content-derived, see :mod:`.email`). Its states:

``sending``
    claimed by a send run (committed before any SMTP traffic). If that run died, the
    server never received the message's final ``.``, so it cannot have delivered it:
    a later run sends it again.
``unconfirmed``
    committed just before the final ``.`` of the message went to the server. If the run
    dies now, the server may or may not have taken the message. It is **not** sent again
    automatically: ``cbct-docs send`` reports it; after checking the mailbox or the server
    log, ``--mark-sent`` settles it, or ``--resend-uncertain`` sends it again (with the same
    Message-ID, so the recipient's mail system can recognise a duplicate).
``sent``
    the server accepted it (250). Never sent again.
``failed``
    a permanent (5xx) refusal. Not retried unless ``--retry-failed``.
``deferred``
    temporary (4xx) refusals until the attempts ran out, or the connection was lost
    before the end of the message. Retried by the next run.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..errors import DeliveryError
from . import ledger

SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    message_id     TEXT PRIMARY KEY,
    recipient      TEXT NOT NULL,
    subject        TEXT NOT NULL,
    file           TEXT NOT NULL,
    content_sha256 TEXT NOT NULL,
    status         TEXT NOT NULL
                   CHECK (status IN ('sending', 'unconfirmed', 'sent', 'failed', 'deferred')),
    attempts       INTEGER NOT NULL DEFAULT 0,
    detail         TEXT NOT NULL DEFAULT '',
    owner          TEXT NOT NULL DEFAULT '',
    claimed_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    sent_at        TEXT
)
"""


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def connect(path: Path) -> sqlite3.Connection:
    """The shared ledger connection (WAL, busy timeout, FULL sync: a state must survive a
    power cut too) with the outbox table."""
    connection = ledger.connect(path)
    try:
        connection.execute(SCHEMA)
    except sqlite3.Error as error:
        connection.close()
        raise DeliveryError(f"cannot open the outbox ledger: {error}", location=path) from None
    connection.row_factory = sqlite3.Row
    return connection


def read_only(path: Path) -> OutboxReader | None:
    """The ledger for looking only (a dry run): None when there is no ledger file yet.

    Opened read-only, so looking creates no file, no table and no WAL switch.
    """
    path = Path(path)
    if not path.is_file():
        return None
    try:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        connection.row_factory = sqlite3.Row
        found = connection.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'outbox'").fetchone()
    except sqlite3.Error as error:
        raise DeliveryError(f"cannot read the outbox ledger: {error}", location=path) from None
    return OutboxReader(connection, has_table=found is not None)


class OutboxReader:
    """Rows of a ledger opened read-only (see :func:`read_only`)."""

    def __init__(self, connection: sqlite3.Connection, *, has_table: bool) -> None:
        self.connection = connection
        self.has_table = has_table

    def get(self, message_id: str) -> Entry | None:
        if not self.has_table:
            return None
        return _get(self.connection, message_id)

    def close(self) -> None:
        self.connection.close()


def _get(connection: sqlite3.Connection, message_id: str) -> Entry | None:
    row = connection.execute(
        "SELECT message_id, recipient, subject, file, content_sha256, status, attempts, "
        "detail, owner, updated_at, sent_at FROM outbox WHERE message_id = ?",
        (message_id,)).fetchone()
    return Entry(**dict(row)) if row else None


@dataclass(frozen=True)
class Entry:
    message_id: str
    recipient: str
    subject: str
    file: str
    content_sha256: str  # what was claimed or sent: a content fingerprint (see .email)
    status: str
    attempts: int
    detail: str
    owner: str
    updated_at: str
    sent_at: str | None


class Outbox:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.connection = connect(self.path)
        # Who holds a claim: a process on this host, so a later run can see it is gone.
        self.owner = f"{socket.gethostname()}:{os.getpid()}"

    def close(self) -> None:
        self.connection.close()

    def __enter__(self) -> Outbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction. IMMEDIATE: the write lock is taken before reading, so two
        runs cannot both decide to send the same message."""
        try:
            self.connection.execute("BEGIN IMMEDIATE")
            try:
                yield self.connection
            except BaseException:
                self.connection.execute("ROLLBACK")
                raise
            self.connection.execute("COMMIT")
        except sqlite3.Error as error:
            # Without a working ledger nothing may be sent: stop the run.
            raise DeliveryError(f"cannot write the outbox ledger: {error}",
                                location=self.path) from None

    def get(self, message_id: str) -> Entry | None:
        return _get(self.connection, message_id)

    def record_claim(self, message_id: str, *, recipient: str, subject: str, file: str,
                     content_sha256: str, new: bool) -> None:
        """Mark the message 'sending' for this run. Call inside :meth:`transaction`, after
        deciding from the row read in that same transaction (see :mod:`.sending`)."""
        if new:
            self.connection.execute(
                "INSERT INTO outbox (message_id, recipient, subject, file, content_sha256, "
                "status, owner, claimed_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, 'sending', ?, ?, ?)",
                (message_id, recipient, subject, file, content_sha256, self.owner,
                 _now(), _now()))
        else:
            self.connection.execute(
                "UPDATE outbox SET status = 'sending', owner = ?, recipient = ?, subject = ?, "
                "file = ?, content_sha256 = ?, updated_at = ? WHERE message_id = ?",
                (self.owner, recipient, subject, file, content_sha256, _now(), message_id))

    def release(self, message_id: str, previous: Entry | None) -> None:
        """Give a claim back untouched: nothing of the message went to the server (the run
        stopped on a fault of the set-up, or was interrupted before it began)."""
        with self.transaction() as db:
            if previous is None:
                db.execute("DELETE FROM outbox WHERE message_id = ? AND owner = ? "
                           "AND status = 'sending'", (message_id, self.owner))
            else:
                db.execute(
                    "UPDATE outbox SET status = ?, detail = ?, owner = ?, updated_at = ? "
                    "WHERE message_id = ? AND owner = ? AND status = 'sending'",
                    (previous.status, previous.detail, previous.owner, previous.updated_at,
                     message_id, self.owner))

    def mark(self, message_id: str, status: str, detail: str = "", *,
             attempt: bool = False) -> None:
        """Record a state change; committed before this returns."""
        with self.transaction() as db:
            db.execute(
                "UPDATE outbox SET status = ?, detail = ?, updated_at = ?, "
                "attempts = attempts + ?, "
                "sent_at = CASE WHEN ? = 'sent' THEN ? ELSE sent_at END "
                "WHERE message_id = ?",
                (status, detail, _now(), int(attempt), status, _now(), message_id))

    def settle_as_sent(self, message_id: str, detail: str) -> bool:
        """An operator confirmed delivery of an unconfirmed message (``--mark-sent``)."""
        with self.transaction() as db:
            changed = db.execute(
                "UPDATE outbox SET status = 'sent', detail = ?, updated_at = ?, sent_at = ? "
                "WHERE message_id = ? AND status = 'unconfirmed'",
                (detail, _now(), _now(), message_id)).rowcount
        return bool(changed)


#: A claim older than this is not trusted to be alive, even if its PID runs: PIDs are
#: reused, and one message never takes this long (attempts × timeout plus the pauses).
STALE_AFTER = dt.timedelta(minutes=30)


def claim_holder(entry: Entry, now: dt.datetime | None = None) -> str:
    """"running": a live process on this host, claimed recently; "gone": that process has
    ended; "unknown": another host (a new container, a renamed PC) or a claim older than
    :data:`STALE_AFTER` (its PID may belong to another program by now)."""
    host, _, pid = entry.owner.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return "unknown"
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return "gone"
    except PermissionError:
        pass  # it exists, under another user
    try:
        claimed = dt.datetime.fromisoformat(entry.updated_at)
    except ValueError:
        return "unknown"
    if (now or dt.datetime.now(dt.UTC)) - claimed > STALE_AFTER:
        return "unknown"
    return "running"
