"""What went out by e-mail, in the dossiers: after a send run (command line or web app),
each message whose file is a document a dossier recorded gets a ``verzonden`` event, with
its Message-ID and recipients. The ledger stays what decides that a message never goes
twice; this is the dossier's account of it."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from pathlib import Path

from ..deliver.ledger import transaction
from ..deliver.smtp import Outgoing
from ..domain.process import Kind
from ..store.database import guarded
from ..store.dossiers import NewEvent, append_events, documents_by_sha256
from .office import OfficeFolder


def record_sent(office: OfficeFolder, sent: Sequence[Outgoing],
                day: dt.date | None = None) -> int:
    """A ``verzonden`` event per sent message that a dossier made; returns how many."""
    if not sent:
        return 0
    digests = {}
    for message in sent:
        try:
            digests[hashlib.sha256(Path(message.path).read_bytes()).hexdigest()] = message
        except OSError:
            continue  # the file is gone since: the ledger still has the message
    with guarded(office.database_path):
        db = office.database()
        made = documents_by_sha256(db, digests)
        events = []
        for sha, places in made.items():
            dossiers = {dossier for dossier, _kind in places}
            already = {dossier for dossier, kind in places if kind == Kind.SENT.value}
            message = digests[sha]
            events += [NewEvent("", Kind.SENT, day or dt.date.today(),
                                {"message_id": message.message_id,
                                 "aan": ", ".join(message.recipients)},
                                str(message.path), sha, dossier)
                       for dossier in sorted(dossiers - already)]
        with transaction(db):
            return append_events(db, events, office.user)
