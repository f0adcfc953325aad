"""Read and validate the RESULTS table of a period (xlsx or csv, exact Dutch headers).

Staff paste this table from earlier reports, so the headers are fixed. Values are
compared without regard to case or extra spaces and stored in their canonical spelling;
anything else is a location-first error (all problems of the file at once).
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import DataError, Problems
from ..records import Origin, Record, read_records

COL_NR = "nr."
COL_CERT = "cert. nr."
COL_NAME = "Naam organisatie"
COL_BRANCH = "Branchevereniging"
COL_RESULT = "Resultaat"
COL_REMARK = "Opmerking"
COL_CATEGORY = "Auditcategorie"
REQUIRED_HEADERS = (COL_NR, COL_CERT, COL_NAME, COL_BRANCH, COL_RESULT, COL_REMARK)

VOB, CC, CC_VOB = "VOB", "Cultuurconnectie", "Cultuurconnectie + VOB"
BRANCHES = (VOB, CC, CC_VOB)

CERTIFIED = "Gecertificeerd"
CONDITIONAL = "Voorwaardelijk gecertificeerd"
NOT_CERTIFIED = "Niet gecertificeerd"
RESULTS = (CERTIFIED, CONDITIONAL, NOT_CERTIFIED)

AFTER_HERAUDIT = "Gecertificeerd na heraudit"
HERAUDIT_PREPARING = "Heraudit in voorbereiding"
NO_HERAUDIT_REQUESTED = "Geen heraudit aangevraagd"
NO_PARTICIPATION = "Geen deelname"
REMARKS = (AFTER_HERAUDIT, HERAUDIT_PREPARING, NO_HERAUDIT_REQUESTED, NO_PARTICIPATION)


@dataclass(frozen=True)
class ResultRow:
    """One organisation's line in the period's results, values in canonical spelling."""

    nr: str
    cert_nr: str
    name: str
    branch: str
    result: str  # "" only for a row with Opmerking "Geen deelname"
    remark: str  # "" when the cell is empty
    category: str  # "" when the column is absent or the cell empty
    origin: Origin


@dataclass(frozen=True)
class ResultsTable:
    path: Path
    rows: list[ResultRow]
    has_category: bool
    source: str = ""  # how the report names where the rows come from (default: file name)
    notes: dict[str, str] = field(default_factory=dict)  # cert. nr. → note in the appendix

    @property
    def label(self) -> str:
        return self.source or self.path.name


def _text(value: Any) -> str:
    """A cell as text; Excel gives whole numbers as 12.0, people mean 12."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def _key(text: str) -> str:
    return " ".join(text.replace("+", " + ").split()).casefold()


def canonical(value: Any, allowed: Sequence[str], where: Origin) -> str:
    """The canonical spelling of ``value`` among ``allowed``, or a DataError at ``where``."""
    text = _text(value)
    by_key = {_key(a): a for a in allowed}
    if _key(text) in by_key:
        return by_key[_key(text)]
    close = difflib.get_close_matches(text, allowed, n=1, cutoff=0.6)
    hint = f"did you mean {close[0]!r}?" if close else None
    shown = ", ".join(allowed)
    what = f"{text!r} is not one of {shown}" if text else f"a value is required: one of {shown}"
    raise DataError(what, location=where, hint=hint)


def check_headers(records: list[Record], path: Path) -> None:
    found = list(records[0].fields)
    missing = [h for h in REQUIRED_HEADERS if h not in found]
    if not missing:
        return
    problems = Problems()
    origin = records[0].origin
    where = f"{origin.file}:{origin.sheet}" if origin.sheet else origin.file
    for header in missing:
        close = difflib.get_close_matches(header, found, n=1, cutoff=0.6)
        hint = (f"found {close[0]!r}; write the header exactly as {header!r}" if close
                else "headers found: " + ", ".join(found))
        problems.add(DataError(f"missing column {header!r}", location=where, hint=hint))
    problems.raise_if_any()


def read_results(path: str | Path, sheet: str | None = None) -> ResultsTable:
    """Read, validate and normalise the RESULTS table. Raises all problems at once."""
    path = Path(path)
    records = read_records(path, sheet)
    if not records:
        raise DataError("the table has no rows below its header", location=path,
                        hint="expected one row per organisation of the period")
    check_headers(records, path)
    has_category = COL_CATEGORY in records[0].fields
    problems = Problems()
    rows = [_row(record, has_category, problems) for record in records]
    _check_unique_cert_numbers(rows, problems)
    problems.raise_if_any()
    return ResultsTable(path, rows, has_category)


def _row(record: Record, has_category: bool, problems: Problems) -> ResultRow:
    """Validate one record; field problems are collected, the row itself still returned."""
    f = record.fields
    values: dict[str, str] = {}
    for column, allowed in ((COL_BRANCH, BRANCHES), (COL_REMARK, REMARKS),
                            (COL_RESULT, RESULTS)):
        text = _text(f.get(column))
        if column == COL_REMARK and not text:
            values[column] = ""
            continue
        if column == COL_RESULT and not text and values.get(COL_REMARK) == NO_PARTICIPATION:
            values[column] = ""  # no audit took place, so there is no result
            continue
        values[column] = ""
        with problems.catch():
            values[column] = canonical(text, allowed, record.where(column))
    cert_nr = _text(f.get(COL_CERT))
    name = _text(f.get(COL_NAME))
    for column, text in ((COL_CERT, cert_nr), (COL_NAME, name)):
        if not text:
            problems.add(DataError("a value is required", location=record.where(column),
                                   hint="the certificate number identifies the organisation"
                                   if column == COL_CERT else None))
    result, remark = values[COL_RESULT], values[COL_REMARK]
    if result == CERTIFIED and remark:
        problems.add(DataError(
            f"Resultaat 'Gecertificeerd' with Opmerking {remark!r} contradicts itself",
            location=record.where(COL_REMARK),
            hint="'Gecertificeerd' means certified at once; after a heraudit the Resultaat "
                 "stays that of the first audit"))
    if remark == NO_PARTICIPATION and result in (CERTIFIED, CONDITIONAL):
        problems.add(DataError(
            f"Opmerking 'Geen deelname' with Resultaat {result!r} contradicts itself",
            location=record.where(COL_RESULT),
            hint="leave Resultaat empty or write 'Niet gecertificeerd'"))
    return ResultRow(
        nr=_text(f.get(COL_NR)), cert_nr=cert_nr, name=name, branch=values[COL_BRANCH],
        result=result, remark=remark,
        category=_text(f.get(COL_CATEGORY)) if has_category else "", origin=record.origin)


def _check_unique_cert_numbers(rows: list[ResultRow], problems: Problems) -> None:
    first: dict[str, ResultRow] = {}
    for row in rows:
        if not row.cert_nr:
            continue
        if row.cert_nr in first:
            problems.add(DataError(
                f"cert. nr. {row.cert_nr!r} appears twice",
                location=row.origin.at(COL_CERT),
                hint=f"also at {first[row.cert_nr].origin}; each organisation has one row"))
        else:
            first[row.cert_nr] = row
