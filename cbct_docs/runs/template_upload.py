"""A new version of a template from the web app: checked before it is taken (its content,
its syntax, and the fields it uses against what this version of cbct-docs offers), the
office's previous own version kept, then put in the office's own templates folder — where
every command takes it instead of the bundled one (see :mod:`cbct_docs.render.lookup`)."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from ..deliver.files import atomic_write, ensure_folder
from ..errors import CbctError, DataError, Problems, UsageError
from ..render.lookup import own_template
from .office import OfficeFolder
from .templates_office import Difference, bundled_templates, check_templates, own_folder

MAX_TEMPLATE = 5 * 1024 * 1024
PREVIOUS_NAME = "vorige"  # <own templates>/vorige/: the versions an upload replaced


@dataclass
class TemplateUpload:
    path: Path  # where the new version now is
    kept: Path | None  # the previous own version, when there was one
    warnings: list[str] = field(default_factory=list)  # fields it does not use


def check_content(relative: str, data: bytes) -> None:
    """A Word template is a .docx (a zip with word/document.xml); an e-mail template is
    UTF-8 text."""
    if len(data) > MAX_TEMPLATE:
        raise DataError(f"het bestand is groter dan {MAX_TEMPLATE // (1024 * 1024)} MB",
                        location=relative)
    if relative.endswith(".docx"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                ok = "word/document.xml" in archive.namelist()
        except (zipfile.BadZipFile, ValueError):
            ok = False
        if not ok:
            raise DataError("dit is geen Word-document (.docx)", location=relative,
                            hint="sla het in Word op als Word-document (*.docx)")
        return
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise DataError("dit is geen tekst in UTF-8", location=relative,
                        hint="sla het op als UTF-8") from None
    if "\x00" in text:
        raise DataError("dit is geen tekstbestand", location=relative)


class _Staged(OfficeFolder):
    """The office, with its own templates folder replaced by a staging copy."""

    staged: Path

    @property
    def templates(self) -> Path | None:
        return self.staged


def upload_template(office: OfficeFolder, relative: str, data: bytes) -> TemplateUpload:
    """Take ``data`` as the office's own version of the bundled template ``relative``
    (``letters/bevestigingsbrief.docx``). Refused, with nothing changed, when it is not that
    kind of file, does not read as a template, or uses a field this version does not offer;
    fields of the bundled version it leaves out are returned as warnings."""
    if relative not in bundled_templates():
        raise UsageError(f"er is geen sjabloon {relative}")
    check_content(relative, data)
    target = own_folder(office) / relative
    scratch = Path(tempfile.mkdtemp(prefix=".upload-", dir=office.folder))
    try:
        staged_file = scratch / relative
        ensure_folder(staged_file.parent)
        staged_file.write_bytes(data)
        staged = _Staged(office.folder, office.config, office.user)
        staged.staged = scratch
        try:
            found = check_templates(staged)
        except CbctError as error:
            for problem in getattr(error, "problems", None) or [error]:
                if problem.location:
                    problem.location = problem.location.replace(str(scratch) + "/", "")
            raise
        problems = Problems()
        warnings = []
        for difference in found.differences:
            text = _dutch(difference, relative)
            if difference.kind == "gone":
                problems.add(DataError(text, location=relative,
                                       hint="gebruik alleen velden die het sjabloon kent"))
            else:
                warnings.append(text)
        problems.raise_if_any()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    kept = None
    existing = own_template(relative, own_folder(office))
    if existing is not None:
        target = existing  # the office's own version, wherever in its folder it is
        kept = own_folder(office) / PREVIOUS_NAME / (
            f"{target.stem}-{dt.datetime.now():%Y%m%d-%H%M%S}{target.suffix}")
        ensure_folder(kept.parent)
        atomic_write(kept, target.read_bytes())
    ensure_folder(target.parent)
    atomic_write(target, data, overwrite=True)
    return TemplateUpload(target, kept, warnings)


def _dutch(difference: Difference, relative: str) -> str:
    if difference.kind == "window":
        return ("heeft geen adresblok voor het venster van de envelop (een tabel met de titel "
                "'Venster', of een tabel met {{ organisatie.… }} waarmee de brief begint): "
                "het adres kan niet in het venster worden gezet")
    if difference.kind == "window-top":
        return ("het adresblok staat niet bovenaan de brief: wat erboven staat bepaalt waar "
                "het adres komt, niet [print] venster_boven")
    if difference.kind == "gone":
        return (f"gebruikt het veld '{difference.field}', dat deze versie van cbct-docs niet "
                "(meer) kent: het document zou daar stoppen")
    return f"gebruikt het veld '{difference.field}' niet, dat het standaardsjabloon wel gebruikt"
