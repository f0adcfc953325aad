"""The sector overview's rows from the decisions recorded in the office database.

Pure rules; the database is read by ``cbct_docs.store.decisions`` and handed in as
(organisation, dossier state) pairs. Each dossier becomes one :class:`ResultRow`, written
as the results table of earlier periods would have it, so the counting rules of
:mod:`.counting` apply unchanged:

- A dossier belongs to the period when its decision on the audit (``besluit``) is dated in
  the period.
- Resultaat: that decision (Gecertificeerd, Voorwaardelijk gecertificeerd, Niet
  gecertificeerd).
- Opmerking, when the decision was not Gecertificeerd: the decision after a heraudit
  replaces the first one. ``Gecertificeerd na heraudit`` when it is Gecertificeerd
  ("alsnog gecertificeerd", also when it was taken after the period);
  ``Heraudit in voorbereiding`` when a heraudit was planned and not decided on yet;
  otherwise no remark (no heraudit planned yet, or the heraudit did not lead to a
  certificate), with what happened as a note in the appendix.
- Given a date, events after it are not counted: the report shows the decisions as they
  stood on that day.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from ..domain.planning import Quarter
from ..domain.process import DossierState, Kind, fold
from ..domain.register import Organisation
from ..errors import DataError, Problems, UsageError
from ..records import Origin
from ..records.dates import day_text
from .results import (
    AFTER_HERAUDIT,
    BRANCHES,
    CC_VOB,
    CERTIFIED,
    HERAUDIT_PREPARING,
    RESULTS,
    ResultRow,
    ResultsTable,
    canonical,
)

HALVES = ("eerste", "tweede")

#: Notes in the appendix for a heraudit group row without a remark.
NOTE_NO_HERAUDIT = "Nog geen heraudit gepland"
NOTE_HERAUDIT_FAILED = "Niet gecertificeerd na heraudit"


@dataclass(frozen=True)
class Period:
    """The days a report covers, with the words the report names them by."""

    text: str  # as given: "2025", "2025-H2", "2025-Q2"
    start: dt.date
    end: dt.date
    label: str  # "2025", "tweede helft van 2025", "tweede kwartaal van 2025"

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    def __str__(self) -> str:
        return f"{self.label} ({day_text(self.start)} – {day_text(self.end)})"



def parse_period(text: str) -> Period:
    """``2025`` (a year), ``2025-H2`` (a half year) or ``2025-Q2`` (a quarter)."""
    given = " ".join(str(text).split())
    compact = given.replace(" ", "").upper()
    if re.fullmatch(r"\d{4}", compact):
        year = int(compact)
        return Period(given, dt.date(year, 1, 1), dt.date(year, 12, 31), str(year))
    half = re.fullmatch(r"(\d{4})-?H([12])", compact)
    if half:
        year, number = int(half[1]), int(half[2])
        start = dt.date(year, 1 if number == 1 else 7, 1)
        end = dt.date(year, 6, 30) if number == 1 else dt.date(year, 12, 31)
        return Period(given, start, end, f"{HALVES[number - 1]} helft van {year}")
    if re.fullmatch(r"\d{4}-?Q[1-4]", compact):
        quarter = Quarter.parse(compact if "-" in compact else f"{compact[:4]}-{compact[4:]}")
        return Period(given, quarter.start, quarter.end, quarter.label)
    raise UsageError(f"{given!r} is not a period the recorded decisions can be counted for",
                     location="--period",
                     hint="give a year (2025), a half year (2025-H2) or a quarter "
                          "(2025-Q2); a period before the tool: give its results table "
                          "as RESULTS")


def branch_of(org: Organisation, where: Origin) -> str:
    """The register's branch associations as the overview groups them (one group each)."""
    if len(org.branch) > 1:
        return CC_VOB
    return canonical(org.branch[0] if org.branch else "", BRANCHES, where)


def as_of(state: DossierState, day: dt.date | None) -> DossierState:
    """The dossier as it stood on ``day``: later events are left out (None: all)."""
    if day is None:
        return state
    return fold(state.cert_nr, state.cycle, [e for e in state.events if e.day <= day])


def remark_and_note(state: DossierState) -> tuple[str, str]:
    """The Opmerking (a counting category) and the appendix note for a dossier whose
    first decision was not Gecertificeerd. The standing decision is the dossier's own
    rule (:attr:`DossierState.decision`): a heraudit decision replaces the first."""
    decision = state.decision
    assert decision is not None
    if decision.kind == Kind.HERAUDIT_DECIDED:
        if state.certified:
            return AFTER_HERAUDIT, f"besluit {day_text(decision.day)}"
        return "", f"{NOTE_HERAUDIT_FAILED} (besluit {day_text(decision.day)})"
    planned = state.last(Kind.HERAUDIT_PLANNED)
    if planned is not None:
        day = planned.data.get("datum")
        return HERAUDIT_PREPARING, (f"gepland op {day_text(dt.date.fromisoformat(str(day)))}"
                                    if day else "")
    return "", NOTE_NO_HERAUDIT


@dataclass(frozen=True)
class RecordedRow:
    """A row of the overview and the dossier it came from."""

    row: ResultRow
    note: str  # what the appendix says beside the Opmerking ("" when nothing)
    decided: dt.date  # the decision on the audit
    final: dt.date  # the decision that stands (the heraudit's, after one)


def recorded_rows(dossiers: Sequence[tuple[Organisation | None, DossierState]],
                  period: Period, *, source: Path,
                  as_of_day: dt.date | None = None) -> list[RecordedRow]:
    """One row per dossier decided in ``period`` (as the decisions stood on
    ``as_of_day``, when given), in certificate-number order; every problem at once."""
    problems = Problems()
    found: list[tuple[ResultRow, str, dt.date, dt.date]] = []
    for org, recorded in dossiers:
        state = as_of(recorded, as_of_day)
        first = state.last(Kind.DECIDED)
        if first is None or not period.contains(first.day):
            continue
        where = Origin(source.name, f"dossier {state.cert_nr} ({state.cycle})")
        if org is None:
            problems.add(DataError("the organisation of this dossier is not in the office "
                                   "database", location=where,
                                   hint="read the register in: cbct-docs register import"))
            continue
        with problems.catch():
            result = canonical(first.data.get("besluit"), RESULTS, where.at("besluit"))
            remark, note = ("", "") if result == CERTIFIED else remark_and_note(state)
            final = state.decision
            assert final is not None
            row = ResultRow(nr="", cert_nr=org.cert_nr, name=org.name,
                            branch=branch_of(org, where), result=result, remark=remark,
                            category=org.category, origin=where)
            found.append((row, note, first.day, final.day))
    problems.raise_if_any()
    found.sort(key=lambda item: item[0].cert_nr)
    return [RecordedRow(_numbered(row, nr), note, decided, final)
            for nr, (row, note, decided, final) in enumerate(found, start=1)]


def _numbered(row: ResultRow, nr: int) -> ResultRow:
    return replace(row, nr=str(nr))


def recorded_table(rows: Sequence[RecordedRow], period: Period, *, source: Path,
                   span: tuple[dt.date, dt.date] | None) -> ResultsTable:
    """The results table of the period; a period without recorded decisions is an error
    (an empty report would read as "nothing happened")."""
    if not rows:
        known = (f"the recorded decisions run from {day_text(span[0])} to {day_text(span[1])}"
                 if span else "no decisions are recorded at all yet")
        raise DataError(f"no decisions recorded in {period}", location=source,
                        hint=f"{known}; decisions are recorded by cbct-docs decide. For a "
                             "period before the tool give its results table: cbct-docs "
                             "overview RESULTS --period TEXT")
    return ResultsTable(source, [r.row for r in rows], has_category=True,
                        source=f"de vastgelegde besluiten ({source.name})",
                        notes={r.row.cert_nr: r.note for r in rows if r.note})
