"""The score sheets of a batch: read by worker processes for a large batch
(:mod:`.parallel`), each workbook once, and matched to the register.

:func:`scoresheets` reads every sheet whole. :func:`sheet_owners` reads only each
workbook's Audit sheet, for a run that needs the whole sheet of a few organisations only
(heraudit: the letter goes to the organisations whose decision was not Gecertificeerd).

Given the office's :class:`~cbct_docs.store.sheet_index.SheetIndex`, both first look each
file's bytes up among the sheets read before (by the digest of the whole file), read
only the others, and :func:`scoresheets` keeps what it read for the next command.
"""

from __future__ import annotations

import contextlib
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
    read_scoresheet_bytes,
)
from ..errors import CbctError, DataError, Problems, UsageError
from ..records.readers import read_sheets
from ..store.sheet_index import SheetIndex, decode, digest_of, encode, small_file
from .parallel import LOCAL, MIN_BATCH, results

#: A sheet read to be kept: the sheet, the digest of its bytes, its kept form (None: it
#: may not be kept, see :func:`read_to_keep`).
Read = tuple[ScoreSheet, str, bytes | None]


def scoresheets(paths: Sequence[Path], orgs: Sequence[Organisation],
                index: SheetIndex | None = None, *,
                meanwhile: Callable[[], object] | None = None
                ) -> list[tuple[Organisation, ScoreSheet]]:
    """(organisation, score sheet) pairs; every unreadable sheet reported at once. Many
    sheets are read by worker processes (:mod:`.parallel`), each workbook once. With an
    ``index``, a sheet whose bytes were read before is taken from it, and the sheets read
    now are kept in it (also when another sheet has a problem). ``meanwhile``: see
    :func:`.parallel.results`."""
    problems = Problems()
    pairs = []
    find = organisation_finder(orgs)  # a scan per sheet made 2,000 sheets quadratic
    kept = index.find_files(paths) if index is not None else {}
    unknown = [path for path in paths if path not in kept]
    _reader_before_workers(unknown)
    new: list[tuple[str, str, bytes]] = []
    with contextlib.closing(results(unknown, read_scoresheet if index is None
                                    else read_to_keep, meanwhile=meanwhile)) as read:
        for path in paths:
            found = kept.get(path)
            done = LOCAL if found is not None else next(read)
            with problems.catch():
                if found is not None:
                    sheet = decode(found[1], str(Path(path)))  # as read_scoresheet names it
                elif index is None:
                    sheet = read_scoresheet(path) if done is LOCAL else done  # LOCAL: here
                else:
                    sheet, digest, form = read_to_keep(path) if done is LOCAL else done
                    if form is not None:
                        new.append((digest, sheet.cert_nr, form))
                org = _owner(find, sheet.cert_nr, path)
                check_sheet_matches(sheet, org)
                pairs.append((org, sheet))
    if index is not None:
        index.keep(new)
    problems.raise_if_any()
    return pairs


def _reader_before_workers(unknown: Sequence[Path]) -> None:
    """openpyxl imported here before a batch large enough for worker processes: a worker
    forked before the import imports it again itself (~0.3 s of CPU each), and this
    process imports it anyway for the sheets it reads while it waits for them."""
    if len(unknown) >= MIN_BATCH:
        import openpyxl  # noqa: F401


def read_to_keep(path: Path) -> Read:
    """The sheet as :func:`read_scoresheet` reads it, with the digest of the bytes it was
    read from and its kept form (None for a sheet that may not be kept: see
    :mod:`~cbct_docs.store.sheet_index`)."""
    data = small_file(path)
    if data is None:  # not read here: read_scoresheet says why, or reads it as before
        return read_scoresheet(path), "", None
    sheet, bundled = read_scoresheet_bytes(path, data)
    return sheet, digest_of(data), encode(sheet) if bundled else None


def sheet_owners(paths: Sequence[Path], orgs: Sequence[Organisation],
                 index: SheetIndex | None = None
                 ) -> list[tuple[Organisation, Path, bytes | None]]:
    """(organisation, path, kept sheet or None) from each workbook's Audit sheet alone
    (its cert_nr), matched as :func:`scoresheets` matches them. A sheet whose number
    cannot be read that way is read whole, so that its problems are reported as
    :func:`scoresheets` reports them; every problem at once. The rest of a sheet is not
    checked here: read it with :func:`~cbct_docs.domain.scoresheet.read_scoresheet` where
    it is used. With an ``index``, a sheet read whole before is found by its bytes (its
    kept form is the third item: what reading it would give)."""
    problems = Problems()
    owners = []
    find = organisation_finder(orgs)
    kept = index.find_files(paths) if index is not None else {}
    unknown = [path for path in paths if path not in kept]
    with contextlib.closing(results(unknown, audit_cert_nr)) as numbers:
        for path in paths:
            found = kept.get(path)
            number = found[0] if found is not None else next(numbers)
            with problems.catch():
                if number is LOCAL:
                    number = _quietly(path)
                if number is None:  # missing or unreadable: the whole sheet says why
                    number = read_scoresheet(path).cert_nr
                owners.append((_owner(find, number, path), path,
                               found[1] if found is not None else None))
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
