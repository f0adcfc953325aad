"""The templates in use: where each is, which documents it makes, whether the office has
its own version, and its file (only inside the bundled or the office's own templates
folder). A new own version comes in through :mod:`.template_upload`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from ..paths import templates_dir
from ..render.lookup import own_template
from .office import OfficeFolder

#: Template (relative to the templates folder) → the documents it makes, in words.
USED_BY: dict[str, tuple[str, ...]] = {
    "emails/aankondiging.html": ("Aankondiging (e-mail)",),
    "emails/aankondiging.txt": ("Aankondiging (e-mail, onderwerp en platte tekst)",),
    "emails/intake-herinnering.html": ("Herinnering intake (e-mail)",),
    "emails/intake-herinnering.txt": ("Herinnering intake (onderwerp en platte tekst)",),
    "emails/enquete.html": ("Tevredenheidsenquête (e-mail)",),
    "emails/enquete.txt": ("Tevredenheidsenquête (onderwerp en platte tekst)",),
    "emails/bijlage.html": ("Begeleidende e-mail bij een brief",),
    "emails/bijlage.txt": ("Begeleidende e-mail bij een brief (platte tekst)",),
    "emails/campagne.html": ("Campagne-e-mail",),
    "emails/campagne.txt": ("Campagne-e-mail (platte tekst)",),
    "emails/_layout.html": ("Opmaak van elke e-mail",),
    "emails/_layout.txt": ("Opmaak van elke e-mail (platte tekst)",),
    "letters/bevestigingsbrief.docx": ("Bevestigingsbrief",),
    "letters/besluitbrief.docx": ("Besluitbrief",),
    "letters/besluitbrief-heraudit.docx": ("Besluitbrief na heraudit",),
    "letters/heraudit.docx": ("Heraudit-brief",),
    "letters/certificaat.docx": ("Certificaat",),
    "reports/auditrapport.docx": ("Auditrapport (concept en definitief)",),
    "reports/overview.docx": ("Sectoroverzicht",),
    "reports/whitepaper.docx": ("Whitepaper",),
    "reports/whitepaper.html": ("Whitepaper (webpagina)",),
    "nieuws/nieuwsbericht.docx": ("Nieuwsbericht (Word)",),
    "nieuws/nieuwsbericht.html": ("Nieuwsbericht (webpagina)",),
}
SUFFIXES = (".docx", ".html", ".txt")


@dataclass(frozen=True)
class TemplateInfo:
    relative: str
    used_by: tuple[str, ...]
    size: int
    modified: dt.datetime
    own: Path | None = None  # the office's own version, which every command uses

    @property
    def kind(self) -> str:
        if self.relative.endswith(".docx"):
            return "Word"
        return "E-mail" if self.relative.startswith("emails/") else "HTML"


def templates_in_use(office: OfficeFolder) -> list[TemplateInfo]:
    root = templates_dir()
    own_folder = office.templates
    found = []
    for path in sorted(root.rglob("*")):
        if not path.is_file() or path.suffix not in SUFFIXES:
            continue
        relative = path.relative_to(root).as_posix()
        if relative.count("/") != 1:
            continue
        own = own_template(relative, own_folder) if own_folder is not None else None
        stat = (own or path).stat()
        found.append(TemplateInfo(relative, USED_BY.get(relative, ()), stat.st_size,
                                  dt.datetime.fromtimestamp(stat.st_mtime), own))
    return found


def template_file(office: OfficeFolder, relative: str, *, bundled: bool = False
                  ) -> Path | None:
    """The file a template's place stands for: the office's own version (unless
    ``bundled``), else the bundled one; None for anything that is not a template."""
    root = templates_dir().resolve()
    path = (root / relative).resolve()
    if not path.is_relative_to(root) or not path.is_file() or path.suffix not in SUFFIXES:
        return None
    own_folder = None if bundled else office.templates
    own = own_template(path.relative_to(root), own_folder) if own_folder else None
    return own if own is not None else path
