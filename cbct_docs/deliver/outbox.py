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

A claim (``sending``, ``unconfirmed``) names its process as :class:`Owner`: host, boot,
PID namespace, PID and the process's start time, so that a later run can tell whether that
very process still runs (:func:`claim_holder`), also when its number was given to another
process since. What a run then does with each message is :func:`.sending.decide`.
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
    """The office ledger's connection, as :func:`.ledger.connect` opens it (its journal mode,
    busy timeout and sync level are the ledger's to choose: a network drive needs another
    journal than a local disk), with the outbox table. Every state is committed before the
    next step, so the outbox asks nothing more of the file than the ledger does."""
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
    return OutboxReader(connection, has_table=found is not None, path=path)


class OutboxReader:
    """Rows of a ledger opened read-only (see :func:`read_only`)."""

    def __init__(self, connection: sqlite3.Connection, *, has_table: bool,
                 path: Path | None = None) -> None:
        self.connection = connection
        self.has_table = has_table
        self.path = path

    def get(self, message_id: str) -> Entry | None:
        if not self.has_table:
            return None
        try:
            return _get(self.connection, message_id)
        except sqlite3.Error as error:  # a damaged page shows only when it is read
            raise DeliveryError(f"cannot read the outbox ledger: {error}",
                                location=self.path or "the ledger",
                                hint="restore the ledger from a backup; nothing was sent"
                                ) from None

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
        # Who holds a claim: this very process, so a later run can tell it is gone.
        self.owner = str(Owner.this_process())

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

    def release(self, message_id: str, previous: Entry | None, *,
                answered: bool = False) -> None:
        """Give a claim back untouched: nothing of the message went to the server (the run
        stopped on a fault of the set-up, or was interrupted before it began).

        ``answered``: the server refused the message with a fault of the set-up, also after
        its end went out (Graph: a token refused), so an ``unconfirmed`` claim of this
        run goes back too: the answer settles that nothing was taken."""
        held = "('sending', 'unconfirmed')" if answered else "('sending')"
        with self.transaction() as db:
            if previous is None:
                db.execute("DELETE FROM outbox WHERE message_id = ? AND owner = ? "
                           f"AND status IN {held}", (message_id, self.owner))
            else:
                db.execute(
                    "UPDATE outbox SET status = ?, detail = ?, owner = ?, updated_at = ? "
                    f"WHERE message_id = ? AND owner = ? AND status IN {held}",
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


#: A claim older than this is not trusted to be alive, even if its process runs: one message
#: never takes this long (attempts × timeout plus the pauses); the run may hang.
STALE_AFTER = dt.timedelta(minutes=30)


@dataclass(frozen=True)
class Owner:
    """Who holds a claim: a process, told apart from any later process with its number.

    ``boot`` is the kernel's boot id (``/proc/sys/kernel/random/boot_id``; elsewhere the boot
    time) and ``ns`` the PID namespace (a container has its own: its first process is PID
    1); ``started`` is the process's start time. A PID is reused, by the next boot, in
    another container, or by a later program: with all four, a claim is only taken as
    alive when it is that very process. Nothing here is POSIX-only: where ``/proc`` is
    missing (Windows, macOS) psutil tells the start and boot times.
    """

    host: str
    pid: int
    boot: str = ""
    ns: str = ""
    started: str = ""  # empty: a claim of an older version, or a system that cannot tell

    def __str__(self) -> str:
        return f"{self.host}:{self.pid};boot={self.boot};ns={self.ns};started={self.started}"

    @classmethod
    def parse(cls, text: str) -> Owner | None:
        """The column's text (older versions wrote only ``host:pid``); None if unreadable."""
        head, *rest = text.split(";")
        host, _, pid = head.rpartition(":")
        if not host or not pid.isdigit():
            return None
        fields = dict(part.partition("=")[::2] for part in rest)
        return cls(host, int(pid), fields.get("boot", ""), fields.get("ns", ""),
                   fields.get("started", ""))

    @classmethod
    def this_process(cls) -> Owner:
        pid = os.getpid()
        return cls(socket.gethostname(), pid, boot_id(), pid_namespace(),
                   process_start(pid) or "")


def boot_id() -> str:
    """This boot of this machine's kernel ("" when the system does not tell)."""
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        pass
    try:
        import psutil
    except ImportError:
        return ""
    return f"b{int(psutil.boot_time())}"


def pid_namespace() -> str:
    """This process's PID namespace (Linux); "" elsewhere."""
    try:
        return os.readlink("/proc/self/ns/pid")
    except (OSError, AttributeError, NotImplementedError):
        return ""


def process_start(pid: int) -> str | None:
    """When process ``pid`` (of this PID namespace) started, as a token that a later process
    with the same number does not share; None when no such process runs; "" when this
    system cannot tell."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_bytes()
    except (FileNotFoundError, ProcessLookupError):
        if Path("/proc/self/stat").exists():
            return None  # /proc works, and has no such process
    except OSError:
        return ""
    else:
        fields = stat.rpartition(b")")[2].split()  # the name in (…) may hold spaces
        if len(fields) < 20:
            return ""
        if fields[0] == b"Z":
            return None  # a zombie: it has ended, its parent just did not look yet
        return "t" + fields[19].decode("ascii", "replace")  # clock ticks after boot
    try:
        import psutil
    except ImportError:
        return ""
    try:
        return f"c{psutil.Process(pid).create_time():.3f}"
    except psutil.NoSuchProcess:
        return None
    except psutil.Error:
        return ""


def claim_holder(entry: Entry, now: dt.datetime | None = None) -> str:
    """"running": the very process that claimed, on this host, claimed recently; "gone":
    that process has ended (its number is free, or belongs to a later process now);
    "unknown": it cannot be checked from here (another host or PID namespace, a
    restart, a claim older than :data:`STALE_AFTER`, a system that cannot tell)."""
    owner = Owner.parse(entry.owner)
    if owner is None or owner.host != socket.gethostname():
        return "unknown"
    if owner.boot or owner.ns or owner.started:  # a claim of this version
        me = Owner.this_process()
        if (owner.boot, owner.ns) != (me.boot, me.ns):
            return "unknown"  # restarted since, or a container: its PIDs are not ours
    started = process_start(owner.pid)
    if started is None:
        return "gone"
    if not started or not owner.started:
        return "unknown"  # alive, but nothing tells whether it is the same process
    if started != owner.started:
        return "gone"  # the number is another process's now
    try:
        claimed = dt.datetime.fromisoformat(entry.updated_at)
    except ValueError:
        return "unknown"
    if (now or dt.datetime.now(dt.UTC)) - claimed > STALE_AFTER:
        return "unknown"
    return "running"
