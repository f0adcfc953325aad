"""The office's documents as batches, for review: which run made what, for whom, and
where each document stands (problems, verdict).

A batch is what one run made of one kind: the events recorded together (one transaction:
consecutive ids, one time, one user), each with its document. Its id is the first of those
events' ids. Nothing here is
stored anew; the batches are read from the dossiers' event log.
"""

from __future__ import annotations

import hashlib
import os
import stat
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..domain.approval import (
    APPROVED,
    CHANGED,
    HELD,
    TO_REVIEW,
    Verdict,
    review_status,
    verdicts,
)
from ..domain.process import INFO_KINDS, LABELS, Event, Kind
from ..domain.register import Organisation
from ..errors import UsageError
from ..store.dossiers import Dossier
from .emails import recipients_and_subject
from .office import OfficeFolder
from .snapshot import reading

#: A batch by the documents it holds.
BATCH_LABELS = {
    Kind.ANNOUNCED: "Aankondigingen",
    Kind.INTAKE_REMINDED: "Herinneringen intake",
    Kind.CONFIRMED: "Bevestigingsbrieven",
    Kind.CONCEPT_SENT: "Conceptrapporten",
    Kind.FINAL_REPORT: "Definitieve rapporten",
    Kind.DECIDED: "Besluitbrieven",
    Kind.CERTIFICATE_ISSUED: "Certificaten",
    Kind.HERAUDIT_PLANNED: "Heraudit-brieven",
    Kind.HERAUDIT_DECIDED: "Besluitbrieven na heraudit",
    Kind.SURVEY_SENT: "Tevredenheidsenquêtes",
}

#: Events that name a document another event made (a verdict on it, its sending): not
#: documents of a batch of their own.
NOT_MADE = (Kind.APPROVED, Kind.SENT, *INFO_KINDS)

#: Where the web app writes the documents it makes, inside the office folder.
OUT_NAME = "out"


@dataclass
class DocumentItem:
    event_id: int
    cert_nr: str
    org_name: str
    kind: Kind
    document: str  # the path as recorded
    path: Path | None  # the file inside the office folder; None when outside it
    sha256_made: str
    made_by: str
    made_at: str
    verdict: Verdict | None = None
    status: str = TO_REVIEW
    problems: list[str] = field(default_factory=list)
    sha256_now: str = ""
    run: int = 0  # which run made it (see _runs)

    @property
    def is_email(self) -> bool:
        return self.document.lower().endswith(".eml")

    @property
    def name(self) -> str:
        return Path(self.document).name


@dataclass
class BatchInfo:
    id: int
    kind: Kind
    made_by: str
    made_at: str
    items: list[DocumentItem]
    run: int = 0  # batches of one run (a decision and its certificate) share it
    others: list[BatchInfo] = field(default_factory=list)  # the run's other batches

    @property
    def label(self) -> str:
        """What the batch holds, in words (not the event's label: "verstuurd" is not yet
        true while it waits for review)."""
        return BATCH_LABELS.get(self.kind, LABELS[self.kind])

    def count(self, status: str) -> int:
        return sum(1 for item in self.items if item.status == status)

    @property
    def problems(self) -> int:
        return sum(1 for item in self.items if item.problems)

    @property
    def open(self) -> int:
        return self.count(TO_REVIEW) + self.count(CHANGED)

    @property
    def approved(self) -> int:
        return self.count(APPROVED)

    @property
    def held(self) -> int:
        return self.count(HELD)


def out_folder(office: OfficeFolder) -> Path:
    return office.folder / OUT_NAME


def inside_office(office: OfficeFolder, document: str | Path) -> Path:
    """The document's file, refused when it lies outside the office folder (also through a
    link or ``..``). A relative path counts from the office folder."""
    root = office.folder.resolve()
    path = Path(document)
    if not path.is_absolute():
        path = root / path
    resolved = path.resolve()
    if not resolved.is_relative_to(root):
        raise UsageError("dit bestand ligt buiten de kantoormap", location=document,
                         hint="alleen bestanden in de kantoormap worden getoond")
    return resolved


def _items(dossiers: Iterable[Dossier], names: dict[str, str]) -> list[DocumentItem]:
    """Every document the dossiers name (files not yet looked at)."""
    return _documents((d.cert_nr, names.get(d.cert_nr, ""), d.state.events) for d in dossiers)


def _documents(timelines: Iterable[tuple[str, str, Sequence[Event]]]) -> list[DocumentItem]:
    items = []
    stamps: dict[int, tuple[str, str]] = {}
    for cert_nr, name, events in timelines:
        judged = verdicts(events)
        for event in events:
            stamps[event.id] = (event.recorded_at, event.recorded_by)
            if not event.document or event.kind in NOT_MADE:
                continue
            verdict = judged.get(event.document)
            items.append(DocumentItem(event.id, cert_nr, name, event.kind,
                                      event.document, None, event.sha256, event.recorded_by,
                                      event.recorded_at, verdict,
                                      review_status(verdict, event.sha256)))
    runs = _runs(stamps)
    for item in items:
        item.run = runs[item.event_id]
    return items


def _runs(stamps: dict[int, tuple[str, str]]) -> dict[int, int]:
    """Which run recorded each event: one run's events are appended in one transaction,
    so they have consecutive ids, one time and one user."""
    runs: dict[int, int] = {}
    number, previous, last = 0, None, None
    for event_id in sorted(stamps):
        stamp = stamps[event_id]
        if stamp != last or previous is None or event_id != previous + 1:
            number += 1
        runs[event_id] = number
        previous, last = event_id, stamp
    return runs


class _Finder:
    """Finds documents inside the office folder; a folder's real path is worked out once
    (documents of a batch share their folder), and a link as the file itself is refused."""

    def __init__(self, office: OfficeFolder) -> None:
        self.office = office
        self.root = office.folder.resolve()
        self.folders: dict[str, Path | None] = {}

    def __call__(self, document: str) -> Path | None:
        if not os.path.isabs(document):
            # Relative to the office folder; a command run from the folder above it
            # (``cbct-docs demo --out out``) recorded it relative to where it ran.
            inside, above = self.root / document, Path.cwd() / document
            document = str(inside if inside.exists() or not above.exists() else above)
        parent, name = os.path.split(document)  # strings: 2,000 documents a page
        if parent not in self.folders:
            real = Path(parent).resolve()
            self.folders[parent] = real if real.is_relative_to(self.root) else None
        folder = self.folders[parent]
        if folder is None or name in ("", ".", ".."):
            return None
        return folder / name


def _locate(item: DocumentItem, find: _Finder) -> os.stat_result | None:
    item.path = find(item.document)
    if item.path is None:
        item.problems.append("Het bestand ligt buiten de kantoormap.")
        return None
    try:
        found = os.lstat(str(item.path))
    except OSError:
        found = None
    if found is not None and stat.S_ISLNK(found.st_mode):
        item.problems.append("Het bestand ligt buiten de kantoormap.")  # a link: anywhere
        item.path = None
        return None
    if found is None or not stat.S_ISREG(found.st_mode):
        item.problems.append("Het bestand is er niet meer.")
        item.path = None
        return None
    return found


#: (path, size, mtime) → what reading the file found: its sha256, its recipients, whether
#: it has a subject. A file that changes gets another key; the oldest go first.
_SEEN: dict[tuple[str, int, int], tuple[str, tuple[str, ...], bool]] = {}
_SEEN_MAX = 20000
_CACHE_LOCK = threading.Lock()


def _read(path: Path, found_stat: os.stat_result | None = None
          ) -> tuple[str, tuple[str, ...], bool]:
    info = found_stat or path.stat()
    key = (str(path), info.st_size, info.st_mtime_ns)
    found = _SEEN.get(key)
    if found is None:
        data = path.read_bytes()
        to: tuple[str, ...] = ()
        subject = True
        if path.suffix.lower() == ".eml":
            to, subject = recipients_and_subject(data)
        found = (hashlib.sha256(data).hexdigest(), to, subject)
        with _CACHE_LOCK:  # the web app reads from several threads
            if len(_SEEN) >= _SEEN_MAX:
                del _SEEN[next(iter(_SEEN))]
            _SEEN[key] = found
    return found


def sha256_of(path: Path) -> str:
    """A document's sha256 as the review reads it (kept per path, size and time)."""
    return _read(path)[0]


def _check(item: DocumentItem, orgs: Mapping[str, Organisation],
           found_stat: os.stat_result | None = None) -> None:
    """What a reviewer must see first: the file changed, no or another recipient."""
    if item.path is None:
        return
    item.sha256_now, to, has_subject = _read(item.path, found_stat)
    if item.sha256_made and item.sha256_now != item.sha256_made:
        item.problems.append("Het bestand is gewijzigd nadat het gemaakt is.")
    item.status = review_status(item.verdict, item.sha256_now)
    if item.is_email:
        if not to or not all("@" in address for address in to):
            item.problems.append("De e-mail heeft geen geldig adres bij Aan.")
        if not has_subject:
            item.problems.append("De e-mail heeft geen onderwerp.")
        org = orgs.get(item.cert_nr)
        if org is not None and org.email and to and org.email.lower() not in (
                a.lower() for a in to):
            item.problems.append(f"Het register heeft nu een ander adres: {org.email}.")


def _batches(items: list[DocumentItem]) -> list[BatchInfo]:
    groups: dict[tuple[int, str], list[DocumentItem]] = {}
    for item in items:
        groups.setdefault((item.run, item.kind.value), []).append(item)
    result = []
    for (run, _kind), members in groups.items():
        members.sort(key=lambda i: i.event_id)
        first = members[0]
        result.append(BatchInfo(first.event_id, first.kind, first.made_by, first.made_at,
                                members, run))
    result.sort(key=lambda b: b.id, reverse=True)
    return result


def _load(office: OfficeFolder) -> tuple[Mapping[str, Dossier], Mapping[str, Organisation]]:
    """Every latest dossier and organisation (runs/snapshot.py: shared, never changed)."""
    found = reading(office)
    return found.dossiers, found.by_number


def batches(office: OfficeFolder) -> list[BatchInfo]:
    """Every batch of documents, newest first (statuses counted, files not yet opened)."""
    dossiers, orgs = _load(office)
    names = {nr: org.name for nr, org in orgs.items()}
    return _batches(_items(dossiers.values(), names))


def batches_of(timelines: Iterable[tuple[str, str, Sequence[Event]]]) -> list[BatchInfo]:
    """The batches in timelines already read (cert_nr, name, events), e.g. from
    :func:`~cbct_docs.runs.status.status`'s rows: no second read of the database."""
    return _batches(_documents(timelines))


def batch(office: OfficeFolder, batch_id: int) -> BatchInfo:
    """One batch with every document checked; those with problems first."""
    dossiers, orgs = _load(office)
    names = {nr: org.name for nr, org in orgs.items()}
    find = _Finder(office)
    every = _batches(_items(dossiers.values(), names))
    for found in every:
        if found.id == batch_id:
            found.others = [b for b in every if b.run == found.run and b.id != found.id]
            for item in found.items:
                _check(item, orgs, _locate(item, find))
            found.items.sort(key=lambda i: (not i.problems, i.event_id))
            return found
    raise UsageError(f"er is geen reeks {batch_id}", hint="kies een reeks op de overzichtspagina")


def document(office: OfficeFolder, event_id: int) -> DocumentItem:
    """The document an event made (checked), for showing or downloading."""
    dossiers, orgs = _load(office)
    for dossier in dossiers.values():
        for event in dossier.state.events:
            if event.id == event_id and event.document:
                verdict = verdicts(dossier.state.events).get(event.document)
                item = DocumentItem(event.id, dossier.cert_nr,
                                    orgs[dossier.cert_nr].name if dossier.cert_nr in orgs
                                    else "", event.kind, event.document, None, event.sha256,
                                    event.recorded_by, event.recorded_at, verdict,
                                    review_status(verdict, event.sha256))
                _check(item, orgs, _locate(item, _Finder(office)))
                return item
    raise UsageError(f"er is geen document bij gebeurtenis {event_id}")


def out_file(office: OfficeFolder, relative: str) -> Path:
    """A file in the office's out folder by its path there; nothing outside it."""
    root = out_folder(office).resolve()
    path = (root / relative).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        raise UsageError("dit bestand is er niet in de map met documenten", location=relative)
    return path
