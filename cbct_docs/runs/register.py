"""The register in and out of the office database."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from pathlib import Path

from ..deliver.files import atomic_write
from ..domain.register import Organisation
from ..records.inert import append_row
from ..store.dossiers import Change, load_organisations
from .office import OfficeFolder

EXPORT_COLUMNS = ("cert_nr", "name", "branch", "framework", "modules", "contact", "email",
                  "street", "postcode", "city", "certified_until", "category")


def import_register(office: OfficeFolder, path: Path) -> list[Change]:
    """Read a register into the database: new organisations, changed fields, and those
    no longer in it; a certified-until set by a decision is kept."""
    return office.import_register(path)


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
