"""Writing a new score sheet: an xlsx per audit, prefilled from the register and the
framework (the format and its reader live in ``domain/scoresheet.py``; the workbook is
built in ``scoresheet_layout.py``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from ..deliver.files import atomic_write, safe_filename
from ..domain.frameworks import Framework, load_framework
from ..domain.register import Organisation
from ..errors import UsageError
from .scoresheet_layout import build_workbook

__all__ = ["default_name", "new_scoresheet"]


def default_name(org: Organisation) -> str:
    return f"{safe_filename(f'{org.cert_nr}-{org.name}')}-scores.xlsx"


def new_scoresheet(org: Organisation, framework: Framework | str, path: str | Path,
                   audit_dates: Sequence[dt.date] = (), auditors: Sequence[str] = (),
                   overwrite: bool = False) -> Path:
    """Write a score sheet for ``org``; ``path`` may be a folder (a name is chosen)."""
    if isinstance(framework, str):
        framework = load_framework(framework)
    if org.framework != framework.code:
        raise UsageError(f"{org.cert_nr} ({org.name}) is certified under {org.framework}, "
                         f"not {framework.code}", location=org.origin)
    path = Path(path)
    if path.is_dir():
        path = path / default_name(org)
    if path.suffix.lower() != ".xlsx":
        raise UsageError("a score sheet must be an .xlsx file", location=path)
    if not path.parent.is_dir():
        raise UsageError("folder does not exist", location=path.parent)
    data = build_workbook(org, framework, list(audit_dates), list(auditors))
    atomic_write(path, data, overwrite=overwrite)
    return path
