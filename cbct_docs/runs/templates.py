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


def window_warnings(office: OfficeFolder) -> list[str]:
    """Each Word letter in use (the office's own version or the bundled one) made for its
    example (``<name>.sample.json`` next to the bundled template) with the office's
    envelope window: a located warning when that address would not fit the window. A
    template that cannot be made with the example is left to the field check."""
    import json

    from ..errors import CbctError
    from ..render import DocxRenderer
    from ..render.address_fit import address_fit
    from ..render.print_layout import window_table_of
    from .address_window import window_note

    warnings: list[str] = []
    for info in templates_in_use(office):
        sample = templates_dir() / info.relative.replace(".docx", ".sample.json")
        if not info.relative.startswith("letters/") or not sample.is_file():
            continue
        path = template_file(office, info.relative)
        if path is None or window_table_of(path.read_bytes()) is None:
            continue
        try:
            letter = DocxRenderer(path, exact=True).render(
                json.loads(sample.read_text(encoding="utf-8")))
        except (CbctError, ValueError):
            continue
        fit = address_fit(letter)
        if fit is not None and not fit.fits:
            warnings.append(window_note(path, fit, "the address of its example letter"))
    return warnings
