"""Taking the office's files in: register, planning and score sheets, each checked in full
before it replaces anything (every problem at once, with its location)."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import tempfile
import zipfile
from collections.abc import Sequence
from pathlib import Path

from ..deliver.files import atomic_write, safe_filename
from ..documents.planning_data import AuditPlan, read_planning
from ..domain.process import Kind
from ..errors import CbctError, DataError, Problems
from ..records.dates import day_text
from ..store.dossiers import Change
from .audit import scoresheets
from .office import REGISTER_NAME, OfficeFolder
from .record import Note, record_notes
from .register import import_register

PLANNING_NAME = "planning.xlsx"
SCORES_NAME = "scores"
PREVIOUS_NAME = "vorige"  # scores/vorige/: the versions a new upload replaced
MAX_UPLOAD = 10 * 1024 * 1024  # 10 MB: a register of thousands of rows is far less


def check_xlsx(data: bytes, name: str) -> None:
    """An Excel workbook by its content (a zip with ``xl/workbook.xml``), whatever its name
    says; and not larger than :data:`MAX_UPLOAD`."""
    if len(data) > MAX_UPLOAD:
        raise DataError(f"het bestand is groter dan {MAX_UPLOAD // (1024 * 1024)} MB",
                        location=name)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError):
        names, unpacked = set(), 0
    if "xl/workbook.xml" not in names:
        raise DataError("dit is geen Excel-werkmap (.xlsx)", location=name,
                        hint="sla het bestand in Excel op als Excel-werkmap (*.xlsx)")
    if unpacked > 20 * MAX_UPLOAD:
        raise DataError("de werkmap is uitgepakt te groot", location=name)


class _Upload:
    """The upload as a file in the office folder under its own name, for the readers
    (which report locations by file name); removed afterwards."""

    def __init__(self, office: OfficeFolder, data: bytes, name: str) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix=".upload-", dir=office.folder))
        stem = safe_filename(Path(name.replace("\\", "/")).stem, "upload")
        self.path = self.folder / f"{stem}.xlsx"
        self.path.write_bytes(data)

    def __enter__(self) -> Path:
        return self.path

    def __exit__(self, *exc: object) -> None:
        # On Windows a reader may still hold the file: then it stays until next time.
        with contextlib.suppress(OSError):
            self.path.unlink(missing_ok=True)
            os.rmdir(self.folder)
        error = exc[1] if len(exc) > 1 else None
        if isinstance(error, CbctError):
            _by_name(error, self.folder)


def _by_name(error: CbctError, folder: Path) -> None:
    """Problems located by the upload's own name, not the folder it was read from."""
    prefix = str(folder) + os.sep
    for problem in getattr(error, "problems", None) or [error]:
        if problem.location:
            problem.location = problem.location.replace(prefix, "")


def take_register(office: OfficeFolder, data: bytes, name: str) -> list[Change]:
    """A new register: read into the database (what changed), then kept as the office's
    ``register.xlsx``. Nothing changes when it has a problem."""
    check_xlsx(data, name)
    with _Upload(office, data, name) as path:
        changes = import_register(office, path)
    atomic_write(office.folder / REGISTER_NAME, data, overwrite=True)
    return changes


def planning_path(office: OfficeFolder) -> Path | None:
    path = office.folder / PLANNING_NAME
    return path if path.is_file() else None


def take_planning(office: OfficeFolder, data: bytes, name: str) -> int:
    """The planning (sheets Audits and Afspraken), kept as ``planning.xlsx``; returns the
    number of audits in it."""
    check_xlsx(data, name)
    with _Upload(office, data, name) as path:
        plans = read_planning(path)
        orgs, _changes = office.organisations()
        known = {org.cert_nr for org in orgs}
        problems = Problems()
        for cert_nr in plans:
            if cert_nr not in known:
                problems.add(DataError(f"certificaatnummer {cert_nr} staat niet in het "
                                       "register", location=path.name))
        problems.raise_if_any()
    before = _plans(planning_path(office))
    atomic_write(office.folder / PLANNING_NAME, data, overwrite=True)
    record_notes(office, [Note(nr, Kind.PLANNING_READ, _plan_text(plan), {"bestand": name})
                          for nr, plan in plans.items() if _plan_key(before.get(nr))
                          != _plan_key(plan)])
    return len(plans)


def _plans(path: Path | None) -> dict[str, AuditPlan]:
    """The plans of the planning a new one replaces (none when it cannot be read)."""
    if path is None:
        return {}
    try:
        return read_planning(path)
    except CbctError:
        return {}


def _plan_key(plan: AuditPlan | None) -> object:
    if plan is None:
        return None
    return (plan.announced, tuple(plan.auditors), tuple(
        (a.day, a.start, a.end, a.location, a.part) for a in plan.appointments))


def _plan_text(plan: AuditPlan) -> str:
    """``auditdagen 12-5-2025, 13-5-2025; auditoren A, B`` (what a dossier reader needs)."""
    days = ", ".join(day_text(day) for day in plan.days) or "geen"
    return f"auditdagen {days}; auditoren {', '.join(plan.auditors) or 'geen'}"


def scores_folder(office: OfficeFolder) -> Path:
    return office.folder / SCORES_NAME


def score_sheets(office: OfficeFolder) -> list[Path]:
    folder = scores_folder(office)
    return sorted(folder.glob("*.xlsx")) if folder.is_dir() else []


def take_scoresheets(office: OfficeFolder, files: Sequence[tuple[str, bytes]],
                     cert_nr: str | None = None) -> list[Path]:
    """Score sheets, each checked against the register (and against ``cert_nr`` when they
    are uploaded on an organisation's page); kept as ``scores/CERTNR.xlsx``."""
    problems = Problems()
    for name, data in files:
        with problems.catch():
            check_xlsx(data, name)
    problems.raise_if_any()
    orgs, _changes = office.organisations()
    uploads = [_Upload(office, data, name) for name, data in files]
    try:
        pairs = scoresheets([u.path for u in uploads], orgs)
        for (org, _sheet), upload in zip(pairs, uploads, strict=True):
            if cert_nr is not None and org.cert_nr != cert_nr:
                problems.add(DataError(f"dit scoreformulier is van {org.cert_nr}, niet van "
                                       f"{cert_nr}", location=upload.path.name))
        problems.raise_if_any()
    except CbctError as error:
        for upload in uploads:
            _by_name(error, upload.folder)
        raise
    finally:
        for upload in uploads:
            upload.__exit__()
    kept, notes = [], []
    for (org, _sheet), (name, data) in zip(pairs, files, strict=True):
        target = scores_folder(office) / f"{org.cert_nr}.xlsx"
        target.parent.mkdir(exist_ok=True)
        note = f"{name}, bewaard als {SCORES_NAME}/{target.name}"
        if target.is_file() and target.read_bytes() != data:
            # The sheet it replaces (the first audit's, before a heraudit) is kept.
            kept_as = target.parent / PREVIOUS_NAME / (
                f"{org.cert_nr}-{dt.datetime.now():%Y%m%d-%H%M%S}.xlsx")
            kept_as.parent.mkdir(exist_ok=True)
            atomic_write(kept_as, target.read_bytes())
            note += f"; het vorige staat in {SCORES_NAME}/{PREVIOUS_NAME}/{kept_as.name}"
        atomic_write(target, data, overwrite=True)
        kept.append(target)
        notes.append(Note(org.cert_nr, Kind.SCORESHEET_READ, note,
                          {"bestand": f"{SCORES_NAME}/{target.name}"}))
    record_notes(office, notes, open_for=[org for org, _sheet in pairs])
    return kept
