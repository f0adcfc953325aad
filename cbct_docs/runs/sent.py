"""What went out by e-mail, in the dossiers: after a send run (command line or web app),
each message whose file is a document a dossier recorded gets a ``verzonden`` event, with
its Message-ID and recipients; a message a person marked as arrived (``--mark-sent``, the
ledger view's *Is aangekomen*) gets an ``als-verzonden-gemarkeerd`` event with who did it.
The ledger stays what decides that a message never goes twice; this is the dossier's
account of it."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..deliver.ledger import transaction
from ..deliver.outbox import Outbox
from ..deliver.outgoing import Outgoing, read_outgoing
from ..domain.process import Kind
from ..errors import ProblemList, UsageError
from ..store.database import guarded
from ..store.dossiers import NewEvent, append_events, documents_by_sha256
from .office import OfficeFolder

NOT_UNCONFIRMED = "not an unconfirmed message in the ledger"

#: Kinds that say a dossier's message went (one of them per dossier and message is enough).
_WENT = (Kind.SENT.value, Kind.MARKED_SENT.value)


def _digest(path: Path) -> str | None:
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return None  # the file is gone since: the ledger still has the message


def _record(office: OfficeFolder, kind: Kind,
            found: dict[str, tuple[str, dict[str, Any]]], day: dt.date | None) -> int:
    """An event of ``kind`` in every dossier whose document has one of the sha256 digests
    (sha256 → (file, data)); not twice for a message that went already."""
    if not found:
        return 0
    with guarded(office.database_path):
        db = office.database()
        made = documents_by_sha256(db, found)
        events = []
        for sha, places in made.items():
            dossiers = {dossier for dossier, _kind in places}
            already = {dossier for dossier, kind in places if kind in _WENT}
            path, data = found[sha]
            events += [NewEvent("", kind, day or dt.date.today(), data, path, sha, dossier)
                       for dossier in sorted(dossiers - already)]
        with transaction(db):
            return append_events(db, events, office.user)


def record_sent(office: OfficeFolder, sent: Sequence[Outgoing],
                day: dt.date | None = None) -> int:
    """A ``verzonden`` event per sent message that a dossier made; returns how many."""
    found = {}
    for message in sent:
        digest = _digest(message.path)
        if digest is not None:
            found[digest] = (str(message.path), {"message_id": message.message_id,
                                                 "aan": ", ".join(message.recipients)})
    return _record(office, Kind.SENT, found, day)


def mark_sent(office: OfficeFolder, items: Sequence[str], how: str,
              detail: str = "") -> list[str]:
    """Unconfirmed messages a person checked and found arrived, settled as sent in the
    ledger (each item a Message-ID or its .eml file) and recorded in their dossiers, with
    the user and ``how`` (``--mark-sent``, the web app); ``detail`` is the ledger's note
    (by default: confirmed by the user). Returns the items marked; the others are raised
    together, after the rest are marked."""
    problems: list[UsageError] = []
    marked: list[str] = []
    found: dict[str, tuple[str, dict[str, Any]]] = {}
    with Outbox(office.database_path) as outbox:
        for item in items:
            key = item
            if item.lower().endswith(".eml"):
                key = read_outgoing([Path(item)])[0].message_id
            if not outbox.settle_as_sent(key, detail or f"confirmed by {office.user} ({how})"):
                problems.append(UsageError(NOT_UNCONFIRMED, location=item,
                                           hint=f"ledger: {office.database_path}"))
                continue
            marked.append(item)
            entry = outbox.get(key)
            digest = _digest(Path(entry.file)) if entry is not None else None
            if entry is not None and digest is not None:
                found[digest] = (entry.file, {"message_id": key, "aan": entry.recipient,
                                              "toelichting": f"aan {entry.recipient}, "
                                                             f"via {how}"})
    _record(office, Kind.MARKED_SENT, found, None)
    if problems:
        raise ProblemList(list(problems))
    return marked
