"""The sample register with some cells changed, for tests that read a register in again."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterable, Mapping
from pathlib import Path

import openpyxl

from cbct_docs.domain.process import Kind
from cbct_docs.paths import samples_dir
from cbct_docs.records.inert import set_cell
from cbct_docs.runs.office import OfficeFolder
from cbct_docs.runs.run import Run

REPO = Path(__file__).resolve().parent.parent


def edited_register(path: Path, changes: Mapping[str, Mapping[str, object]]) -> Path:
    """samples/register.xlsx with cells changed (cert_nr → column → value), saved at
    ``path``. Values go in as typed: a text stays a text cell."""
    book = openpyxl.load_workbook(samples_dir() / "register.xlsx")
    sheet = book.worksheets[0]
    header = [cell.value for cell in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        number = row[header.index("cert_nr")].value
        for column, value in changes.get(str(number), {}).items():
            set_cell(row[header.index(column)], value)
    book.save(path)
    return path


def reported_office(folder: Path, register: Path, numbers: Iterable[str]) -> OfficeFolder:
    """An office in ``folder`` with ``register`` read in, where the organisations
    ``numbers`` had their audit (10-4-2025), concept, reaction term and definitief report
    recorded: ready for decide (and then heraudit)."""
    office = OfficeFolder(folder, REPO / "cbct-docs.toml", new_database_ok=True,
                          database_file=folder / "cbct-ledger.sqlite")
    office.import_register(register)
    orgs = {o.cert_nr: o for o in office.organisations(None)[0]}
    run = Run(office, folder / "out")
    for cert_nr in numbers:
        org = orgs[cert_nr]
        run.record(org, Kind.AUDIT_HELD, dt.date(2025, 4, 10), {"dagen": ["2025-04-10"]})
        run.record(org, Kind.CONCEPT_SENT, dt.date(2025, 4, 24))
        run.record(org, Kind.RESPONSE_TERM_PASSED, dt.date(2025, 5, 9))
        run.record(org, Kind.FINAL_REPORT, dt.date(2025, 5, 12))
    run.commit()
    return office


def edited(folder: Path, cert_nr: str, sheet: str, cell: str, value: object) -> Path:
    """A copy of the sample sheet of ``cert_nr`` in ``folder`` with one cell changed."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{cert_nr}.xlsx"
    shutil.copy(samples_dir() / "scores" / f"{cert_nr}.xlsx", path)
    book = openpyxl.load_workbook(path)
    book[sheet][cell] = value
    book.save(path)
    return path
