"""The register in and out of the office database."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from pathlib import Path

from ..deliver.files import atomic_write
from ..domain.process import Kind
from ..domain.register import Organisation
from ..records.inert import append_row
from ..store.dossiers import Change, load_organisations
from .office import OfficeFolder
from .record import Note, record_notes

EXPORT_COLUMNS = ("cert_nr", "name", "branch", "framework", "modules", "contact", "email",
                  "street", "postcode", "city", "certified_until", "category")


def import_register(office: OfficeFolder, path: Path) -> list[Change]:
    """Read a register into the database: new organisations, changed fields, and those
    no longer in it; a certified-until set by a decision is kept. Each organisation whose
    row changed gets a ``register-ingelezen`` event in its dossier saying what changed
    (one that has no dossier yet has no history to add it to)."""
    changes = office.import_register(path)
    record_notes(office, [Note(c.cert_nr, Kind.REGISTER_READ, change_text(c),
                               {"bestand": path.name}) for c in changes
                          if c.what in NOTED])
    return changes


#: The changes a dossier tells ("behouden" comes back at every reading until the register
#: has the decision's date: not news; "nieuw" has no dossier yet).
NOTED = ("gewijzigd", "niet meer in het register", "weer in het register")


#: The register's columns as a person names them in a dossier.
FIELD_NAMES = {"name": "naam", "branch": "branche", "framework": "kader",
               "modules": "modules", "contact": "contactpersoon", "email": "e-mailadres",
               "street": "straat", "postcode": "postcode", "city": "plaats",
               "certified_until": "gecertificeerd tot", "category": "categorie"}


def change_text(change: Change) -> str:
    """``gewijzigd: e-mailadres a@x.nl → b@x.nl`` (the change as the timeline says it)."""
    details = []
    for detail in change.details:
        name, _colon, rest = detail.partition(": ")
        details.append(f"{FIELD_NAMES[name]}: {rest}" if name in FIELD_NAMES else detail)
    return change.what + (": " + "; ".join(details) if details else "")


def export_register(office: OfficeFolder, path: Path, *, overwrite: bool = False) -> int:
    """Write the register as it now stands (decisions included); returns the count."""
    orgs = load_organisations(office.database())
    atomic_write(path, register_workbook(orgs), overwrite=overwrite)
    return len(orgs)


def register_workbook(orgs: list[Organisation]) -> bytes:
    rows: list[list[object]] = []
    for org in orgs:
        values: list[object] = []
        for name in EXPORT_COLUMNS:
            value = getattr(org, name)
            values.append(", ".join(value) if isinstance(value, tuple) else value)
        rows.append(values)
    return inert_workbook("Organisaties", EXPORT_COLUMNS, rows)


def inert_workbook(title: str, header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """One sheet: a header and rows; every text stays text (records/inert.py), every date
    reads as a Dutch date."""
    import datetime as dt

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title
    append_row(sheet, header)
    for values in rows:
        row = append_row(sheet, values)
        for cell in sheet[row]:
            if isinstance(cell.value, dt.date):
                cell.number_format = "DD-MM-YYYY"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
