"""Score sheets: a new one for an audit, prefilled from the office's register and the
framework; and the check of a filled one with its advice."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..documents.scoresheet_file import new_scoresheet
from ..domain.advice import AuditResult, evaluate
from ..domain.frameworks import Framework, load_framework
from ..domain.register import Organisation, find_organisation
from ..domain.scoresheet import ScoreSheet, read_scoresheet
from .office import OfficeFolder


@dataclass(frozen=True)
class NewSheet:
    path: Path
    organisation: Organisation
    framework: Framework
    questions: int


def new_sheet(office: OfficeFolder, cert_nr: str, out: Path, *,
              audit_dates: Sequence[dt.date] = (), auditors: Sequence[str] = (),
              framework_file: str | None = None, register: Path | None = None,
              overwrite: bool = False) -> NewSheet:
    """Write a score sheet for one audit of an organisation in the office database."""
    orgs, _changes = office.organisations(register)
    org = find_organisation(orgs, cert_nr)
    framework = load_framework(framework_file or org.framework)
    path = new_scoresheet(org, framework, out, list(audit_dates), list(auditors),
                          overwrite=overwrite)
    return NewSheet(path, org, framework, len(framework.applicable_questions(org.modules)))


def check_sheet(path: Path, framework_file: str | None = None
                ) -> tuple[ScoreSheet, AuditResult]:
    """Read a filled score sheet (every problem at once) and evaluate it."""
    framework = load_framework(framework_file) if framework_file else None
    sheet = read_scoresheet(path, framework)
    return sheet, evaluate(sheet, framework or sheet.framework)
