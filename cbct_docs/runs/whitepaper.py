"""Norm whitepapers for communications: a norm guide (YAML) → Word and HTML."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..documents.context import Made
from ..whitepaper import FORMATS, Brand, build_whitepapers
from .office import OfficeFolder
from .run import Progress, RunResult


def whitepaper(office: OfficeFolder, normfiles: Sequence[Path], *, out: Path,
               formats: Sequence[str] = FORMATS, overwrite: bool = False,
               templates: dict[str, Path] | None = None,
               progress: Progress | None = None) -> RunResult:
    """Check and render every norm file (all problems at once, nothing written then), then
    write ``<framework>-norm-<n>-<title>.<format>`` per format into ``out``. ``templates``:
    format → the office's own template. The whitepapers belong to no dossier, so nothing
    is recorded; they carry the office's name, website and logo when it has settings."""
    papers = build_whitepapers(list(normfiles), out, list(formats), overwrite=overwrite,
                               templates=dict(templates or {}), progress=progress,
                               brand=office_brand(office))
    result = RunResult(made=[Made("whitepaper", paper.path) for paper in papers], out=out)
    result.notes.extend(f"{paper.source} → {paper.path}" for paper in papers)
    result.counts["whitepapers"] = len(papers)
    return result


def office_brand(office: OfficeFolder) -> Brand | None:
    """The office's name, website and logo (``[letterhead]``); None without a settings
    file (a whitepaper needs none), an error when the settings are wrong."""
    if office.settings_path is None:
        return None
    letterhead = office.letterhead()
    return Brand(naam=letterhead.bureau["naam"], website=letterhead.bureau["website"],
                 logo=letterhead.logo)
