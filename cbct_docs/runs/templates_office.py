"""The office's own templates: start a copy of a bundled template, and compare the copies
with the templates of this version of cbct-docs.

The own folder is ``[documents] templates`` in ``cbct-docs.toml``, else ``templates/`` in the
office folder. A file there replaces the bundled template of the same name for every
command; an upgrade of cbct-docs never writes into it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..deliver.files import atomic_write, ensure_folder
from ..errors import OutputError, Problems, UsageError
from ..paths import templates_dir
from ..render import DocxRenderer, HtmlRenderer
from ..render.fields import used_fields
from ..render.print_layout import at_top, window_table_of
from .office import OfficeFolder

SUFFIXES = (".docx", ".html", ".txt")


def bundled_templates() -> list[str]:
    """Every bundled template, relative to the templates folder (``letters/x.docx``)."""
    root = templates_dir()
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*")
                  if p.is_file() and p.suffix in SUFFIXES and len(p.relative_to(root).parts) == 2)


def resolve_names(names: Iterable[str]) -> list[str]:
    """``besluitbrief``, ``besluitbrief.docx``, ``letters/besluitbrief.docx``,
    ``aankondiging`` (its .html and .txt) → bundled templates; unknown names at once."""
    available = bundled_templates()
    chosen: list[str] = []
    problems = Problems()
    for name in names:
        wanted = name.strip().replace("\\", "/")
        matches = [t for t in available
                   if wanted in (t, t.split("/", 1)[1], t.rsplit(".", 1)[0],
                                 t.split("/", 1)[1].rsplit(".", 1)[0])]
        if not matches:
            stems = sorted({t.split("/", 1)[1].rsplit(".", 1)[0] for t in available
                            if not t.split("/", 1)[1].startswith("_")})
            problems.add(UsageError(f"no bundled template is called {name!r}",
                                    hint="templates: " + ", ".join(stems)))
        chosen += [m for m in matches if m not in chosen]
    problems.raise_if_any()
    return chosen


def own_folder(office: OfficeFolder) -> Path:
    """The office's own templates folder (``templates/`` in the office folder when the
    settings name none)."""
    return office.templates_setting(must_exist=False) or office.folder / "templates"


def copy_templates(office: OfficeFolder, names: Iterable[str], *,
                   overwrite: bool = False) -> list[Path]:
    """Copy bundled templates into the office's folder, at the same place (``letters/…``).
    An own copy that exists is never replaced unless ``overwrite``; nothing is written when
    one of them exists."""
    relatives = resolve_names(names)
    folder = own_folder(office)
    targets = [(templates_dir() / r, folder / r) for r in relatives]
    existing = [target for _source, target in targets if target.exists()]
    if existing and not overwrite:
        more = f" (and {len(existing) - 1} more)" if len(existing) > 1 else ""
        raise OutputError(f"exists already{more}: the office's own copy", location=existing[0],
                          hint="nothing was copied; it is yours — edit it, or use "
                               "--overwrite to start again from the bundled version")
    for source, target in targets:
        ensure_folder(target.parent)
        atomic_write(target, source.read_bytes(), overwrite=overwrite)
    return [target for _source, target in targets]


@dataclass(frozen=True)
class Difference:
    template: Path  # the office's own file
    field: str
    kind: str  # "lacks" (the current version offers it) | "gone" (no longer offered)
    #          | "window" (the bundled letter has an address block for the envelope, this not)

    def __str__(self) -> str:
        if self.kind == "window":
            return (f"{self.template}: has no address block for the envelope window (a "
                    "table titled 'Venster', or the table the letter opens with holding "
                    "{{ organisatie.… }}): [print] cannot place its address")
        if self.kind == "window-top":
            return (f"{self.template}: the address block is not the first thing in the "
                    "letter: what stands above it decides its top, not [print] venster_boven")
        if self.kind == "gone":
            return (f"{self.template}: uses {self.field!r}, which this version of cbct-docs no "
                    "longer offers (the document would stop at it)")
        return (f"{self.template}: does not use {self.field!r}, which the current version of "
                "the template uses")


@dataclass
class TemplatesCheck:
    folder: Path | None
    own: list[tuple[Path, str]]  # (own file, the bundled template it replaces)
    differences: list[Difference]

    @property
    def gone(self) -> list[Difference]:
        return [d for d in self.differences if d.kind == "gone"]


def _fields(path: Path) -> set[str]:
    renderer = (DocxRenderer(path, exact=True) if path.suffix == ".docx"
                else HtmlRenderer(path, exact=True))
    return used_fields(renderer.ast)


def _window(path: Path) -> str:
    """Where a Word template has the address block [print] places: ``top`` (the letter
    opens with it), ``lower`` (something stands above it) or ``none``."""
    found = window_table_of(path.read_bytes())
    if found is None:
        return "none"
    body = next(found.iterancestors("{*}body"), None)
    return "top" if body is not None and at_top(body, found) else "lower"


def _offered(relative: str) -> tuple[set[str], set[str], dict[str, Any] | None]:
    """What the current version offers a template: the fields its bundled version uses,
    and its example context (``<name>.sample.json``) when there is one."""
    bundled = templates_dir() / relative
    same = _fields(bundled)
    fields = set(same)
    if relative.startswith("emails/"):
        stem = relative.rsplit(".", 1)[0]
        for suffix in (".html", ".txt"):  # an e-mail's two halves have the same fields
            other = templates_dir() / f"{stem}{suffix}"
            if other != bundled and other.is_file():
                fields |= _fields(other)
        layout = templates_dir() / "emails" / f"_layout{bundled.suffix}"
        if layout.is_file():
            fields |= _fields(layout)
    sample_path = bundled.with_suffix(".sample.json")
    sample = None
    if sample_path.is_file():
        sample = json.loads(sample_path.read_text(encoding="utf-8"))
    return same, fields, sample


def _in_sample(field: str, sample: Mapping[str, Any]) -> bool:
    value: Any = sample
    for part in field.split("."):
        if isinstance(value, list):
            value = value[0] if value else {}
        if not isinstance(value, Mapping) or part not in value:
            return False
        value = value[part]
    return True


def check_templates(office: OfficeFolder) -> TemplatesCheck:
    """Each own template against the current version: fields it lacks, fields gone."""
    folder = office.templates
    if folder is None:
        return TemplatesCheck(None, [], [])
    bundled = {r: r for r in bundled_templates()}
    by_name = {r.split("/", 1)[1]: r for r in bundled}
    own: list[tuple[Path, str]] = []
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or path.suffix not in SUFFIXES:
            continue
        relative = path.relative_to(folder).as_posix()
        match = bundled.get(relative) or by_name.get(path.name)
        if match is not None:
            own.append((path, match))
    differences: list[Difference] = []
    problems = Problems()
    for path, relative in own:
        with problems.catch():
            mine = _fields(path)
            same, offered, sample = _offered(relative)
            tops = {f.split(".", 1)[0] for f in offered}
            for name in sorted(mine):
                top = name.split(".", 1)[0]
                known = (name in offered or (sample is not None and _in_sample(name, sample))
                         or (sample is None and top in tops and "." in name)
                         or any(o.startswith(name + ".") for o in offered))
                if not known and not (sample is not None and top in sample
                                      and "." not in name):
                    differences.append(Difference(path, name, "gone"))
            for name in sorted(same - mine):
                if not any(m.startswith(name + ".") or name.startswith(m + ".")
                           for m in mine):
                    differences.append(Difference(path, name, "lacks"))
            if path.suffix == ".docx" and _window(templates_dir() / relative) != "none":
                found = _window(path)
                if found != "top":
                    differences.append(Difference(path, "Venster", "window" if found == "none"
                                                  else "window-top"))
    problems.raise_if_any()
    return TemplatesCheck(folder, own, differences)
