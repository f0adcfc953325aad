"""Which template file a document uses: the office's own, else the bundled one.

An office keeps its own versions of templates in one folder (``[documents] templates`` in
``cbct-docs.toml``, by default ``templates/`` in the office folder). A file there replaces
the bundled template of the same name — at the same place (``letters/besluitbrief.docx``)
or directly in the folder (``besluitbrief.docx``) — for every command: the lifecycle, the
merge, the whitepaper, the overview, the campaign and the news item. An upgrade of
cbct-docs never writes into that folder.

Every template lookup goes through :func:`template_path`. The office in use is set once
per process (:func:`use_office_templates`, called when the office folder is opened); a
renderer given a path inside the bundled folder is redirected here too, so code that names
a bundled template (the overview, the whitepaper) uses the office's version all the same.
"""

from __future__ import annotations

from pathlib import Path

from ..paths import templates_dir

_active: Path | None = None


def use_office_templates(folder: Path | None) -> None:
    """The office's own templates folder for this process (None: only the bundled)."""
    global _active
    _active = Path(folder) if folder is not None else None


def office_templates() -> Path | None:
    return _active


def own_template(relative: str | Path, own: Path | None = None) -> Path | None:
    """The office's own file for a bundled template's place, or None."""
    folder = own if own is not None else _active
    if folder is None:
        return None
    relative = Path(relative)
    for candidate in (folder / relative, folder / relative.name):
        if candidate.is_file():
            return candidate
    return None


def template_path(relative: str | Path, own: Path | None = None) -> Path:
    """``relative`` to the templates folder (``letters/besluitbrief.docx``) → the file to
    use: the office's own version when there is one, else the bundled template."""
    found = own_template(relative, own)
    return found if found is not None else templates_dir() / relative


def bundled_relative(path: Path) -> Path | None:
    """``path``'s place inside the bundled templates folder, or None when it is elsewhere."""
    try:
        return path.resolve().relative_to(templates_dir().resolve())
    except (ValueError, OSError):
        return None


def redirect(path: str | Path) -> Path:
    """A bundled template's path → the office's own version when there is one."""
    path = Path(path)
    relative = bundled_relative(path)
    if relative is None:
        return path
    found = own_template(relative)
    return found if found is not None else path


def search_folders(path: Path) -> list[str]:
    """Where ``{% extends %}`` / ``{% include %}`` look: next to the template, then — for
    an office's own template — in the office folder's ``emails/`` and the bundled
    ``emails/``, so an own ``aankondiging.html`` still finds the bundled ``_layout.html``."""
    folders = [path.parent]
    own = _active
    if own is not None and path.resolve().is_relative_to(own.resolve()):
        folders += [own / "emails", own, templates_dir() / "emails"]
    unique: list[str] = []
    for folder in folders:
        if str(folder) not in unique:
            unique.append(str(folder))
    return unique
