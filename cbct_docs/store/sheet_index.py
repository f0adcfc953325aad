"""Score sheets already read, kept in the office database by the digest of their bytes
(issue 16).

The round reads the same workbooks again and again: the concept report, the definitief
report, the decision and the heraudit letter each read every sheet whole (~1.5 ms each).
What a sheet reads as depends on its bytes, on the reading code and on the framework it
names, nothing else; so a sheet read once is kept here under

- the sha256 of the whole file (never a name or a modification time: a sheet changed by
  one byte is another sheet), and
- the version of the reading: a digest of the code that reads a score sheet (the
  records and domain packages, this module), of the frameworks shipped with the package,
  and of the versions of openpyxl and Python. Any change to them makes every kept sheet
  unknown again, to be read anew.

Only a sheet read without problems by a framework shipped with the package and named on
its Audit sheet is kept (a framework file elsewhere on disk may change under it), and
only when the kept form gives it back exactly (the same ``repr``, so the same values,
types and order). A sheet with problems is never kept: it is read, and its problems are
reported, each time. At most :data:`MOST` sheets are kept; the oldest go first.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.util
import json
import os
import sqlite3
import sys
import zlib
from collections.abc import Iterable, Sequence
from functools import cache
from pathlib import Path
from typing import Any

from ..deliver.ledger import transaction
from ..domain.scoresheet import AdviceOverride, NormNotes, ScoreSheet
from ..paths import PACKAGE, data_dir

#: Sheets kept at most (~0.5 KB each).
MOST = 20_000
#: Files larger than this are never looked up (a score sheet is ~12 KB).
LARGEST = 1 << 20
#: Digests asked for in one query.
_CHUNK = 500


@cache
def reader_version() -> str | None:
    """The digest of what decides how a score sheet reads (see the module's text); None
    when the package's sources cannot be found (nothing is then kept or found)."""
    files = sorted([*(PACKAGE / "records").glob("*.py"), *(PACKAGE / "domain").glob("*.py"),
                    *(data_dir() / "frameworks").glob("*.yaml"), Path(__file__)])
    # openpyxl's version (in its _constants.py) without importing it (~0.2 s)
    spec = importlib.util.find_spec("openpyxl")
    if spec is None or spec.origin is None or not any(f.suffix == ".py" for f in files):
        return None
    digest = hashlib.sha256(f"{sys.version}\0".encode())
    try:
        for file in [*files, Path(spec.origin).parent / "_constants.py"]:
            digest.update(f"{file.name}\0".encode())
            digest.update(file.read_bytes())
    except OSError:
        return None
    return digest.hexdigest()


def digest_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def encode(sheet: ScoreSheet) -> bytes | None:
    """The sheet as it is kept, or None when that form would not give it back exactly:
    every value must be of the one type :func:`decode` makes of it (a check of each
    value's type instead of decoding and comparing: ~0.2 ms a sheet less)."""
    if not _decodable(sheet):
        return None
    try:
        return zlib.compress(json.dumps(_as_json(sheet), ensure_ascii=False,
                                        separators=(",", ":")).encode(), 1)
    except (TypeError, ValueError):  # a text JSON cannot carry (a lone surrogate)
        return None


#: The fields :func:`encode` keeps (with ``source``, given to :func:`decode`): a field
#: added to ScoreSheet is not kept until it is added here, to _as_json and to decode.
_FIELDS = ("cert_nr", "org_name", "framework", "audit_dates", "auditors", "scores",
           "notes", "override", "modules", "category", "comments", "indicators", "source")


def _decodable(sheet: ScoreSheet) -> bool:
    """Whether :func:`decode` gives ``sheet`` back exactly (the same values and types)."""
    texts = (str,)
    override = sheet.override
    return (type(sheet) is ScoreSheet and tuple(vars(sheet)) == _FIELDS
            and all(type(value) is str for value in (sheet.cert_nr, sheet.org_name,
                                                     sheet.framework, sheet.category))
            and type(sheet.audit_dates) is list
            and all(type(day) is dt.date for day in sheet.audit_dates)
            and _all_of(sheet.auditors, list, texts)
            and _text_dict(sheet.scores) and _text_dict(sheet.comments)
            and type(sheet.notes) is dict
            and all(type(key) in (int, str) and type(notes) is NormNotes
                    and tuple(vars(notes)) == ("findings", "strengths", "improvements")
                    and all(type(text) is str for text in vars(notes).values())
                    for key, notes in sheet.notes.items())
            and (override is None or (type(override) is AdviceOverride
                                      and tuple(vars(override)) == ("advice", "reason")
                                      and type(override.advice) is str
                                      and type(override.reason) is str))
            and _all_of(sheet.modules, tuple, texts)
            and type(sheet.indicators) is dict
            and all(type(key) is str and (answer is None or type(answer) is bool)
                    for key, answer in sheet.indicators.items()))


def _all_of(values: Any, container: type[list[Any]] | type[tuple[Any, ...]],
            types: tuple[type, ...]) -> bool:
    return type(values) is container and all(type(value) in types for value in values)


def _text_dict(values: Any) -> bool:
    return type(values) is dict and all(type(key) is str and type(value) is str
                                        for key, value in values.items())


def decode(kept: bytes, source: str) -> ScoreSheet:
    """A kept sheet, as read from the file ``source``."""
    data = json.loads(zlib.decompress(kept))
    override = data["override"]
    return ScoreSheet(
        cert_nr=data["cert_nr"], org_name=data["org_name"], framework=data["framework"],
        audit_dates=[dt.date.fromisoformat(day) for day in data["audit_dates"]],
        auditors=data["auditors"], scores=data["scores"],
        notes={key: NormNotes(*texts) for key, *texts in data["notes"]},
        override=None if override is None else AdviceOverride(*override),
        modules=tuple(data["modules"]), category=data["category"],
        comments=data["comments"], indicators=data["indicators"], source=source)


def _as_json(sheet: ScoreSheet) -> dict[str, Any]:
    override = sheet.override
    return {
        "cert_nr": sheet.cert_nr, "org_name": sheet.org_name, "framework": sheet.framework,
        "audit_dates": [day.isoformat() for day in sheet.audit_dates],
        "auditors": sheet.auditors, "scores": sheet.scores,
        "notes": [[key, notes.findings, notes.strengths, notes.improvements]
                  for key, notes in sheet.notes.items()],
        "override": None if override is None else [override.advice, override.reason],
        "modules": list(sheet.modules), "category": sheet.category,
        "comments": sheet.comments, "indicators": sheet.indicators}


def file_digest(path: Path) -> str | None:
    """The digest of a small file's bytes; None for a file that cannot be read or is
    too large to be a score sheet (it is read as before, and says why)."""
    data = small_file(path)
    return None if data is None else digest_of(data)


def small_file(path: Path) -> bytes | None:
    """The bytes of a file of at most :data:`LARGEST` bytes; None for a larger one or one
    that cannot be read. (``open().read(LARGEST + 1)`` would cost ~50 us a file for its
    buffer of a megabyte; this ~10.)"""
    try:
        handle = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    except OSError:
        return None
    try:
        size = os.fstat(handle).st_size
        if size > LARGEST:
            return None
        data = b""
        while len(data) <= LARGEST:  # normally one read, and one that finds the end
            part = os.read(handle, size + 1 if not data else LARGEST + 1 - len(data))
            if not part:
                return data
            data += part
        return None  # it grew past LARGEST while read
    except OSError:
        return None
    finally:
        os.close(handle)


class SheetIndex:
    """The kept sheets of one office database (opened by ``store.database.open_database``,
    whose migration 3 makes the table)."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        self.version = reader_version()

    def has_sheets(self) -> bool:
        """Whether any sheet is kept by this version."""
        found = self.db.execute("SELECT EXISTS (SELECT 1 FROM sheet_index WHERE reader = ?)",
                                (self.version,)).fetchone()
        return bool(found[0])

    def find(self, digests: Iterable[str]) -> dict[str, tuple[str, bytes]]:
        """digest → (cert_nr, kept sheet) for the digests kept by this version."""
        wanted = list(dict.fromkeys(digests))
        found: dict[str, tuple[str, bytes]] = {}
        if self.version is None or not wanted:
            return found
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start:start + _CHUNK]
            rows = self.db.execute(
                "SELECT digest, cert_nr, sheet FROM sheet_index WHERE reader = ? AND "
                f"digest IN ({','.join('?' * len(chunk))})",
                (self.version, *chunk)).fetchall()
            found.update((digest, (cert_nr, bytes(sheet))) for digest, cert_nr, sheet in rows)
        return found

    def find_files(self, paths: Sequence[Path]) -> dict[Path, tuple[str, bytes]]:
        """path → (cert_nr, kept sheet) for the files whose bytes are kept."""
        if self.version is None or not self.has_sheets():
            return {}  # nothing kept: no file needs reading for its digest (~30 us each)
        digests = {path: file_digest(path) for path in paths}
        found = self.find(digest for digest in digests.values() if digest is not None)
        return {path: found[digest] for path, digest in digests.items()
                if digest is not None and digest in found}

    def keep(self, entries: Sequence[tuple[str, str, bytes]]) -> None:
        """Keep (digest, cert_nr, kept sheet) entries, in one transaction; the oldest
        and those of another version go beyond :data:`MOST`."""
        if self.version is None or not entries:
            return
        with transaction(self.db):
            self.db.executemany(
                "INSERT OR REPLACE INTO sheet_index (digest, reader, cert_nr, sheet) "
                "VALUES (?, ?, ?, ?)",
                [(digest, self.version, cert_nr, kept) for digest, cert_nr, kept in entries])
            self.db.execute("DELETE FROM sheet_index WHERE reader != ?", (self.version,))
            self.db.execute(
                "DELETE FROM sheet_index WHERE rowid IN (SELECT rowid FROM sheet_index "
                "ORDER BY rowid LIMIT max(0, (SELECT count(*) FROM sheet_index) - ?))",
                (MOST,))
