"""The office's documents as batches, for review: which run made what, for whom, and
where each document stands (problems, verdict).

A batch is what one run made: the events of one kind recorded together by one user,
each with its document. Its id is the first of those events' ids. Nothing here is
stored anew; the batches are read from the dossiers' event log.
"""

from __future__ import annotations

import email
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.utils import getaddresses
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
from ..domain.process import LABELS, Event, Kind
from ..domain.register import Organisation
from ..errors import UsageError
from ..store.dossiers import Dossier
from .office import OfficeFolder
from .run import Run

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


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _items(office: OfficeFolder, dossiers: Iterable[Dossier],
           names: dict[str, str]) -> list[DocumentItem]:
    items = []
    for dossier in dossiers:
        judged = verdicts(dossier.state.events)
        for event in dossier.state.events:
            if not event.document or event.kind == Kind.APPROVED:
                continue
            items.append(_item(office, dossier.cert_nr, names.get(dossier.cert_nr, ""),
                               event, judged.get(event.document)))
    return items


def _item(office: OfficeFolder, cert_nr: str, name: str, event: Event,
          verdict: Verdict | None) -> DocumentItem:
    item = DocumentItem(event.id, cert_nr, name, event.kind, event.document, None,
                        event.sha256, event.recorded_by, event.recorded_at, verdict)
    try:
        item.path = inside_office(office, event.document)
    except UsageError:
        item.problems.append("Het bestand ligt buiten de kantoormap.")
        return item
    if not item.path.is_file():
        item.problems.append("Het bestand is er niet meer.")
        item.path = None
        return item
    return item


def _check(item: DocumentItem, orgs: dict[str, Organisation]) -> None:
    """What a reviewer must see first: the file changed, no or another recipient."""
    if item.path is None:
        return
    item.sha256_now = _sha256(item.path)
    if item.sha256_made and item.sha256_now != item.sha256_made:
        item.problems.append("Het bestand is gewijzigd nadat het gemaakt is.")
    item.status = review_status(item.verdict, item.sha256_now)
    if item.is_email:
        message = read_email(item.path)
        to = [address for _name, address in getaddresses(message.get_all("To", []))]
        if not to or not all("@" in address for address in to):
            item.problems.append("De e-mail heeft geen geldig adres bij Aan.")
        if not str(message.get("Subject", "")).strip():
            item.problems.append("De e-mail heeft geen onderwerp.")
        org = orgs.get(item.cert_nr)
        if org is not None and org.email and to and org.email.lower() not in (
                a.lower() for a in to):
            item.problems.append(f"Het register heeft nu een ander adres: {org.email}.")


def _batches(items: list[DocumentItem]) -> list[BatchInfo]:
    groups: dict[tuple[str, str, str], list[DocumentItem]] = {}
    for item in items:
        groups.setdefault((item.kind.value, item.made_at, item.made_by), []).append(item)
    result = []
    for (_kind, made_at, made_by), members in groups.items():
        members.sort(key=lambda i: i.event_id)
        result.append(BatchInfo(members[0].event_id, members[0].kind, made_by, made_at,
                                members))
    result.sort(key=lambda b: b.id, reverse=True)
    return result


def _load(office: OfficeFolder) -> tuple[dict[str, Dossier], dict[str, Organisation]]:
    orgs, _changes = office.organisations()
    run = Run(office, out_folder(office))
    return run.dossiers, {org.cert_nr: org for org in orgs}


def batches(office: OfficeFolder) -> list[BatchInfo]:
    """Every batch of documents, newest first (statuses counted, files not yet opened)."""
    dossiers, orgs = _load(office)
    names = {nr: org.name for nr, org in orgs.items()}
    found = _batches(_items(office, dossiers.values(), names))
    for batch in found:
        for item in batch.items:
            if item.path is not None:
                item.status = review_status(item.verdict, item.sha256_made)
    return found


def batch(office: OfficeFolder, batch_id: int) -> BatchInfo:
    """One batch with every document checked; those with problems first."""
    dossiers, orgs = _load(office)
    names = {nr: org.name for nr, org in orgs.items()}
    for found in _batches(_items(office, dossiers.values(), names)):
        if found.id == batch_id:
            for item in found.items:
                _check(item, orgs)
            found.items.sort(key=lambda i: (not i.problems, i.event_id))
            return found
    raise UsageError(f"er is geen reeks {batch_id}", hint="kies een reeks op de overzichtspagina")


def document(office: OfficeFolder, event_id: int) -> DocumentItem:
    """The document an event made (checked), for showing or downloading."""
    dossiers, orgs = _load(office)
    for dossier in dossiers.values():
        for event in dossier.state.events:
            if event.id == event_id and event.document:
                item = _item(office, dossier.cert_nr, orgs[dossier.cert_nr].name
                             if dossier.cert_nr in orgs else "", event,
                             verdicts(dossier.state.events).get(event.document))
                _check(item, orgs)
                return item
    raise UsageError(f"er is geen document bij gebeurtenis {event_id}")


def out_file(office: OfficeFolder, relative: str) -> Path:
    """A file in the office's out folder by its path there; nothing outside it."""
    root = out_folder(office).resolve()
    path = (root / relative).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        raise UsageError("dit bestand is er niet in de map met documenten", location=relative)
    return path


# --- reading a document as a person does ------------------------------------------------

def read_email(path: Path) -> EmailMessage:
    with path.open("rb") as handle:
        message = email.message_from_binary_file(handle, policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


@dataclass(frozen=True)
class EmailView:
    subject: str
    sender: str
    to: str
    cc: str
    html: str
    text: str
    attachments: tuple[str, ...]


def email_view(path: Path) -> EmailView:
    message = read_email(path)
    html_part = message.get_body(preferencelist=("html",))
    text_part = message.get_body(preferencelist=("plain",))
    html = html_part.get_content() if html_part is not None else ""
    text = text_part.get_content() if text_part is not None else ""
    attachments = tuple(str(part.get_filename() or "bijlage")
                        for part in message.iter_attachments())
    return EmailView(str(message.get("Subject", "")), str(message.get("From", "")),
                     str(message.get("To", "")), str(message.get("Cc", "") or ""),
                     str(html), str(text), attachments)


def letter_text(path: Path) -> list[str]:
    """A Word letter's text as its reader sees it: paragraphs, then table rows."""
    import docx

    document = docx.Document(str(path))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.append(" | ".join(cell.text for cell in row.cells))
    return lines
