"""The score sheets of a batch: read by worker processes for a large batch
(:mod:`.parallel`), each workbook once, and matched to the register.

:func:`scoresheets` reads every sheet whole. :func:`sheet_owners` reads only each
workbook's Audit sheet, for a run that needs the whole sheet of a few organisations only
(heraudit: the letter goes to the organisations whose decision was not Gecertificeerd).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path

from ..domain.register import Organisation, organisation_finder
from ..domain.scoresheet import (
    AUDIT,
    ScoreSheet,
    cert_nr_of,
    check_sheet_matches,
    read_scoresheet,
)
from ..errors import CbctError, DataError, Problems, UsageError
from ..records.readers import read_sheets
from .parallel import LOCAL, results


def scoresheets(paths: Sequence[Path], orgs: Sequence[Organisation]
                ) -> list[tuple[Organisation, ScoreSheet]]:
    """(organisation, score sheet) pairs; every unreadable sheet reported at once. Many
    sheets are read by worker processes (:mod:`.parallel`), each workbook once."""
    problems = Problems()
    pairs = []
    find = organisation_finder(orgs)  # a scan per sheet made 2,000 sheets quadratic
    for path, read in zip(paths, results(paths, read_scoresheet), strict=True):
        with problems.catch():
            sheet = read_scoresheet(path) if read is LOCAL else read  # LOCAL: raise it here
            org = _owner(find, sheet.cert_nr, path)
            check_sheet_matches(sheet, org)
            pairs.append((org, sheet))
    problems.raise_if_any()
    return pairs


def sheet_owners(paths: Sequence[Path], orgs: Sequence[Organisation]
                 ) -> list[tuple[Organisation, Path]]:
    """(organisation, path) pairs from each workbook's Audit sheet alone (its cert_nr),
    matched as :func:`scoresheets` matches them. A sheet whose number cannot be read that
    way is read whole, so that its problems are reported as :func:`scoresheets` reports
    them; every problem at once. The rest of a sheet is not checked here: read it with
    :func:`~cbct_docs.domain.scoresheet.read_scoresheet` where it is used."""
    problems = Problems()
    owners = []
    find = organisation_finder(orgs)
    for path, number in zip(paths, results(paths, audit_cert_nr), strict=True):
        with problems.catch():
            if number is LOCAL:
                number = _quietly(path)
            if number is None:  # missing or unreadable: the whole sheet says why
                number = read_scoresheet(path).cert_nr
            owners.append((_owner(find, number, path), path))
    problems.raise_if_any()
    return owners


def audit_cert_nr(path: Path) -> str | None:
    """The certificate number on a score sheet's Audit sheet, as
    :func:`~cbct_docs.domain.scoresheet.read_scoresheet` reads it; None when it has none."""
    return cert_nr_of(read_sheets(path, (AUDIT,))[AUDIT])


def _quietly(path: Path) -> str | None:
    try:
        return audit_cert_nr(path)
    except CbctError:
        return None  # read whole, to report it as a whole sheet's problem


def _owner(find: Callable[[str], Organisation], cert_nr: str, path: Path) -> Organisation:
    try:
        return find(cert_nr)
    except UsageError as error:
        raise DataError(error.what, location=path, hint=error.hint) from None


def iso_days(days: Sequence[dt.date]) -> list[str]:
    """Audit days as an event records them: sorted, ISO dates."""
    return [d.isoformat() for d in sorted(days)]
