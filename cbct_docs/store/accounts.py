"""The web app's user accounts in the office database: a name and a password hash.

The table is created on first use (``CREATE TABLE IF NOT EXISTS``); it does not change the
schema version of the office's own tables. Passwords are never stored, only the hash that
:mod:`werkzeug.security` makes (salted scrypt or pbkdf2).
"""

from __future__ import annotations

import datetime as dt
import sqlite3

from ..deliver.ledger import transaction

SCHEMA = """
CREATE TABLE IF NOT EXISTS web_accounts (
    name           TEXT PRIMARY KEY COLLATE NOCASE,
    password_hash  TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
)
"""


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def ensure_table(db: sqlite3.Connection) -> None:
    db.execute(SCHEMA)


def set_password_hash(db: sqlite3.Connection, name: str, password_hash: str) -> bool:
    """Create the account or replace its password; True when it is new."""
    ensure_table(db)
    now = _now()
    with transaction(db):
        exists = db.execute("SELECT 1 FROM web_accounts WHERE name = ?",
                            (name,)).fetchone() is not None
        db.execute("INSERT INTO web_accounts (name, password_hash, created_at, updated_at) "
                   "VALUES (?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET "
                   "password_hash = excluded.password_hash, updated_at = excluded.updated_at",
                   (name, password_hash, now, now))
    return not exists


def password_hash(db: sqlite3.Connection, name: str) -> tuple[str, str] | None:
    """(the name as stored, its hash), or None."""
    ensure_table(db)
    row = db.execute("SELECT name, password_hash FROM web_accounts WHERE name = ?",
                     (name,)).fetchone()
    return (str(row[0]), str(row[1])) if row else None


def account_names(db: sqlite3.Connection) -> list[str]:
    ensure_table(db)
    return [str(r[0]) for r in db.execute("SELECT name FROM web_accounts ORDER BY name")]


def remove(db: sqlite3.Connection, name: str) -> bool:
    ensure_table(db)
    with transaction(db):
        return db.execute("DELETE FROM web_accounts WHERE name = ?", (name,)).rowcount > 0
