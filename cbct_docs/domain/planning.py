"""Planning rules as pure functions: quarters, deadlines, validity and heraudit dates.

Every term comes from the framework's :class:`Deadlines` (``deadlines:`` in the
framework file); the defaults are the office's usual terms. Adding months or years
keeps the day of the month where it exists and otherwise takes the month's last day:
29 February 2024 plus one year is 28 February 2025, plus four years 29 February 2028.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from ..errors import DataError
from .frameworks import Deadlines

DEFAULT_DEADLINES = Deadlines()
ORDINALS_NL = ("eerste", "tweede", "derde", "vierde")
_QUARTER = re.compile(r"^(?:(\d{4})\s*-?\s*Q([1-4])|Q([1-4])\s*[- ]?\s*(\d{4}))$", re.IGNORECASE)


@dataclass(frozen=True, order=True)
class Quarter:
    """A calendar quarter; ``str(Quarter(2025, 2)) == "2025-Q2"``."""

    year: int
    quarter: int

    def __post_init__(self) -> None:
        if not 1 <= self.quarter <= 4:
            raise DataError(f"there is no quarter {self.quarter}", hint="quarters are 1 to 4")

    def __str__(self) -> str:
        return f"{self.year}-Q{self.quarter}"

    @classmethod
    def parse(cls, text: str) -> Quarter:
        """``2025-Q2``, ``2025Q2``, ``Q2 2025`` or ``q2-2025``."""
        match = _QUARTER.match(text.strip())
        if not match:
            raise DataError(f"{text!r} is not a quarter", hint="write it as 2025-Q2")
        if match[1]:
            return cls(int(match[1]), int(match[2]))
        return cls(int(match[4]), int(match[3]))

    @classmethod
    def of(cls, day: dt.date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 3 * self.quarter - 2, 1)

    @property
    def end(self) -> dt.date:
        month = 3 * self.quarter
        return dt.date(self.year, month, calendar.monthrange(self.year, month)[1])

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    def shift(self, quarters: int) -> Quarter:
        index = self.year * 4 + (self.quarter - 1) + quarters
        return Quarter(index // 4, index % 4 + 1)

    @property
    def label(self) -> str:
        """Dutch, for letters: ``tweede kwartaal van 2025``."""
        return f"{ORDINALS_NL[self.quarter - 1]} kwartaal van {self.year}"


def add_months(day: dt.date, months: int) -> dt.date:
    """Calendar months; a day the target month lacks becomes its last day.

    31 August + 6 months → 28 (or 29) February.
    """
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_years(day: dt.date, years: int) -> dt.date:
    return add_months(day, 12 * years)


def planned_quarter(certified_until: dt.date, deadlines: Deadlines = DEFAULT_DEADLINES) -> Quarter:
    """The quarter of the audit: the one in which the certificate ends, moved
    ``planning_offset_quarters`` earlier (1 May 2025 → 2025-Q2 with the default 0)."""
    return Quarter.of(certified_until).shift(-deadlines.planning_offset_quarters)


def intake_deadline(announced: dt.date, deadlines: Deadlines = DEFAULT_DEADLINES) -> dt.date:
    """Latest date of the intake: ``intake_weeks`` after the audit was announced."""
    return announced + dt.timedelta(weeks=deadlines.intake_weeks)


def selfevaluation_deadline(audit_date: dt.date,
                            deadlines: Deadlines = DEFAULT_DEADLINES) -> dt.date:
    """The zelfevaluatie must be in ``selfevaluation_weeks_before`` before the audit."""
    return audit_date - dt.timedelta(weeks=deadlines.selfevaluation_weeks_before)


def concept_report_deadline(audit_date: dt.date,
                            deadlines: Deadlines = DEFAULT_DEADLINES) -> dt.date:
    """The concept report goes out ``concept_report_weeks`` after the (last) audit day."""
    return audit_date + dt.timedelta(weeks=deadlines.concept_report_weeks)


def response_deadline(concept_sent: dt.date, deadlines: Deadlines = DEFAULT_DEADLINES) -> dt.date:
    """End of hoor en wederhoor: ``response_weeks`` after the concept report was sent."""
    return concept_sent + dt.timedelta(weeks=deadlines.response_weeks)


#: A decision this many months or more before the old certificate ends is refused: the
#: new one would then run far beyond its validity (audits fall in the quarter it ends).
EARLIEST_DECISION_MONTHS = 6


def validity_period(decision_date: dt.date, deadlines: Deadlines = DEFAULT_DEADLINES,
                    previous_until: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """First and last day (both inclusive) of the new certificate, ``validity_years`` long.

    Decided on or before the old end date, the new certificate starts the day after it (no
    gap, no overlap, no lost time); decided later, it starts on the decision date. The last
    day is the day before the same date ``validity_years`` on (1-1-2025 → 31-12-2028;
    29-2-2024 → 28-2-2028).
    """
    start = decision_date
    if previous_until is not None and decision_date <= previous_until:
        if decision_date < add_months(previous_until, -EARLIEST_DECISION_MONTHS):
            raise DataError(
                f"a decision on {decision_date:%d-%m-%Y} comes more than "
                f"{EARLIEST_DECISION_MONTHS} months before the certificate ends "
                f"({previous_until:%d-%m-%Y})",
                hint="check the date of the decision and certified_until in the register")
        start = previous_until + dt.timedelta(days=1)
    return start, add_years(start - dt.timedelta(days=1), deadlines.validity_years)


def new_valid_until(decision_date: dt.date, deadlines: Deadlines = DEFAULT_DEADLINES,
                    previous_until: dt.date | None = None) -> dt.date:
    """Last day (inclusive) of the new certificate; see :func:`validity_period`."""
    return validity_period(decision_date, deadlines, previous_until)[1]


def is_public_holiday(day: dt.date) -> bool:
    """Dutch national holidays: no appointment is planned on them."""
    from dateutil.easter import easter

    fixed = {(1, 1), (12, 25), (12, 26), (5, 5)}
    kings_day = dt.date(day.year, 4, 27)
    if kings_day.weekday() == 6:  # on a Sunday, Koningsdag moves to Saturday the 26th
        kings_day -= dt.timedelta(days=1)
    easter_sunday = easter(day.year)
    moving = {easter_sunday + dt.timedelta(days=offset) for offset in (-2, 0, 1, 39, 49, 50)}
    return (day.month, day.day) in fixed or day == kings_day or day in moving


def heraudit_date(decision_date: dt.date, deadlines: Deadlines = DEFAULT_DEADLINES) -> dt.date:
    """After a conditional certificate: the heraudit ``heraudit_months`` after the decision."""
    return add_months(decision_date, deadlines.heraudit_months)


def bezwaar_deadline(decision_date: dt.date, deadlines: Deadlines = DEFAULT_DEADLINES) -> dt.date:
    """Last day to object: ``bezwaar_weeks`` after the decision."""
    return decision_date + dt.timedelta(weeks=deadlines.bezwaar_weeks)


class HasCertifiedUntil(Protocol):
    @property
    def certified_until(self) -> dt.date: ...


T = TypeVar("T", bound=HasCertifiedUntil)


def audit_quarter(organisation: Any, deadlines: Deadlines | None = None) -> Quarter:
    """The quarter of an organisation's audit, by its own framework's planning rule
    (or the ``deadlines`` given)."""
    if deadlines is None:
        from .frameworks import load_framework

        deadlines = load_framework(organisation.framework).deadlines
    return planned_quarter(organisation.certified_until, deadlines)


def due_in(organisations: Iterable[T], quarter: Quarter,
           deadlines: Deadlines | None = None) -> list[T]:
    """Organisations whose audit is planned in ``quarter``, in their register order;
    each by its own framework's rule unless ``deadlines`` is given."""
    return [o for o in organisations if audit_quarter(o, deadlines) == quarter]
