"""Planning rules on edge dates: quarter borders, year ends and leap days."""

from __future__ import annotations

import datetime as dt

import pytest

from cbct_docs.domain.frameworks import Deadlines, load_framework
from cbct_docs.domain.planning import (
    Quarter,
    add_months,
    bezwaar_deadline,
    concept_report_deadline,
    due_in,
    heraudit_date,
    intake_deadline,
    new_valid_until,
    planned_quarter,
    response_deadline,
    selfevaluation_deadline,
    validity_period,
)
from cbct_docs.domain.register import read_register
from cbct_docs.errors import DataError
from cbct_docs.paths import samples_dir

D = dt.date
KIB = load_framework("KiB").deadlines


@pytest.mark.parametrize("until,quarter", [
    (D(2025, 5, 1), "2025-Q2"),
    (D(2025, 1, 1), "2025-Q1"),
    (D(2025, 3, 31), "2025-Q1"),
    (D(2025, 4, 1), "2025-Q2"),
    (D(2025, 6, 30), "2025-Q2"),
    (D(2025, 7, 1), "2025-Q3"),
    (D(2025, 12, 31), "2025-Q4"),
    (D(2028, 2, 29), "2028-Q1"),
])
def test_planned_quarter(until: dt.date, quarter: str) -> None:
    assert str(planned_quarter(until, KIB)) == quarter


def test_planning_offset_moves_back_over_the_year_end() -> None:
    earlier = Deadlines(planning_offset_quarters=1)
    assert planned_quarter(D(2025, 1, 1), earlier) == Quarter(2024, 4)
    assert planned_quarter(D(2025, 3, 31), earlier) == Quarter(2024, 4)
    assert planned_quarter(D(2025, 4, 1), earlier) == Quarter(2025, 1)
    assert planned_quarter(D(2025, 12, 31), Deadlines(planning_offset_quarters=5)) == \
        Quarter(2024, 3)


def test_quarter_parse_borders_and_label() -> None:
    for text in ("2025-Q2", "2025q2", "Q2 2025", "q2-2025"):
        assert Quarter.parse(text) == Quarter(2025, 2)
    q1 = Quarter.parse("2024-Q1")
    assert (q1.start, q1.end) == (D(2024, 1, 1), D(2024, 3, 31))
    assert Quarter(2024, 4).end == D(2024, 12, 31)
    assert q1.contains(D(2024, 2, 29)) and not q1.contains(D(2024, 4, 1))
    assert Quarter(2025, 2).label == "tweede kwartaal van 2025"
    assert sorted([Quarter(2025, 1), Quarter(2024, 4)]) == [Quarter(2024, 4), Quarter(2025, 1)]
    with pytest.raises(DataError, match="'2025-Q5' is not a quarter"):
        Quarter.parse("2025-Q5")


def test_week_deadlines_cross_month_and_year_ends() -> None:
    assert intake_deadline(D(2025, 12, 22), KIB) == D(2026, 1, 5)
    assert selfevaluation_deadline(D(2025, 2, 10), KIB) == D(2024, 12, 30)
    assert selfevaluation_deadline(D(2024, 4, 11), KIB) == D(2024, 2, 29)
    assert concept_report_deadline(D(2024, 2, 8), KIB) == D(2024, 2, 29)
    assert concept_report_deadline(D(2025, 2, 8), KIB) == D(2025, 3, 1)
    assert response_deadline(D(2025, 3, 31), KIB) == D(2025, 4, 14)
    assert bezwaar_deadline(D(2025, 12, 31), KIB) == D(2026, 2, 11)


def test_terms_come_from_the_deadlines() -> None:
    slow = Deadlines(intake_weeks=3, selfevaluation_weeks_before=8, concept_report_weeks=4,
                     response_weeks=1, heraudit_months=3, validity_years=3, bezwaar_weeks=4)
    assert intake_deadline(D(2025, 1, 1), slow) == D(2025, 1, 22)
    assert selfevaluation_deadline(D(2025, 3, 1), slow) == D(2025, 1, 4)
    assert concept_report_deadline(D(2025, 1, 1), slow) == D(2025, 1, 29)
    assert response_deadline(D(2025, 1, 1), slow) == D(2025, 1, 8)
    assert heraudit_date(D(2025, 1, 31), slow) == D(2025, 4, 30)
    assert new_valid_until(D(2024, 2, 29), slow) == D(2027, 2, 28)  # 3 years, t/m
    assert bezwaar_deadline(D(2025, 1, 1), slow) == D(2025, 1, 29)


def test_validity_from_leap_day() -> None:
    # "geldig tot en met": four years, the last day inclusive
    assert new_valid_until(D(2024, 2, 29), KIB) == D(2028, 2, 28)
    assert new_valid_until(D(2024, 2, 29), Deadlines(validity_years=1)) == D(2025, 2, 28)
    assert new_valid_until(D(2024, 3, 1), Deadlines(validity_years=1)) == D(2025, 2, 28)
    assert new_valid_until(D(2025, 1, 1), KIB) == D(2028, 12, 31)
    assert new_valid_until(D(2025, 12, 31), KIB) == D(2029, 12, 30)


def test_validity_continues_from_previous_end_when_decided_in_time() -> None:
    # the old certificate holds up to and including 1 May 2025; the new one the day after
    assert validity_period(D(2025, 3, 15), KIB, previous_until=D(2025, 5, 1)) == (
        D(2025, 5, 2), D(2029, 5, 1))
    assert validity_period(D(2025, 5, 1), KIB, previous_until=D(2025, 5, 1)) == (
        D(2025, 5, 2), D(2029, 5, 1))
    assert validity_period(D(2025, 6, 2), KIB, previous_until=D(2025, 5, 1)) == (
        D(2025, 6, 2), D(2029, 6, 1))


def test_a_decision_long_before_the_old_end_is_refused() -> None:
    assert validity_period(D(2024, 11, 1), KIB, previous_until=D(2025, 5, 1))[1] == (
        D(2029, 5, 1))
    with pytest.raises(DataError, match="more than 6 months before the certificate ends"):
        validity_period(D(2025, 7, 1), KIB, previous_until=D(2028, 2, 29))


def test_heraudit_months_keep_day_or_take_month_end() -> None:
    assert heraudit_date(D(2025, 1, 15), KIB) == D(2025, 7, 15)
    assert heraudit_date(D(2025, 8, 31), KIB) == D(2026, 2, 28)
    assert heraudit_date(D(2023, 8, 31), KIB) == D(2024, 2, 29)
    assert heraudit_date(D(2025, 12, 31), KIB) == D(2026, 6, 30)
    assert add_months(D(2024, 3, 31), -1) == D(2024, 2, 29)


def test_due_in_sample_register() -> None:
    organisations = read_register(samples_dir() / "register.xlsx")
    due = due_in(organisations, Quarter(2025, 2), KIB)
    # samples/make_register.py: certified until 1-4, 30-6, 1-5, 15-4 and 31-5-2025
    assert [(o.cert_nr, o.certified_until) for o in due] == [
        ("CBCT-0101", D(2025, 4, 1)), ("CBCT-0102", D(2025, 6, 30)),
        ("CBCT-0104", D(2025, 5, 1)), ("CBCT-0107", D(2025, 4, 15)),
        ("CBCT-0111", D(2025, 5, 31))]
    # by each organisation's own framework (KiB and ZoO both plan in the quarter itself)
    assert due_in(organisations, Quarter(2025, 2)) == due


def test_every_day_of_a_leap_year_lies_in_its_planned_quarter() -> None:
    day, seen = D(2024, 1, 1), []
    while day.year == 2024:
        quarter = planned_quarter(day, KIB)
        assert quarter.contains(day) and quarter.year == 2024
        assert add_months(day, 12).day == (28 if (day.month, day.day) == (2, 29) else day.day)
        seen.append(str(quarter))
        day += dt.timedelta(days=1)
    assert [seen.count(f"2024-Q{q}") for q in (1, 2, 3, 4)] == [91, 91, 92, 92]


def test_dutch_public_holidays() -> None:
    from cbct_docs.domain.planning import is_public_holiday

    holidays_2025 = [D(2025, 1, 1), D(2025, 4, 18), D(2025, 4, 20), D(2025, 4, 21),
                     D(2025, 4, 26),  # 27 April 2025 is a Sunday: Koningsdag on Saturday
                     D(2025, 5, 5), D(2025, 5, 29), D(2025, 6, 8), D(2025, 6, 9),
                     D(2025, 12, 25), D(2025, 12, 26)]
    assert all(is_public_holiday(day) for day in holidays_2025)
    assert not is_public_holiday(D(2025, 4, 27))
    assert is_public_holiday(D(2026, 4, 27)) and is_public_holiday(D(2026, 4, 6))
    workdays = [D(2025, 4, 22), D(2025, 5, 30), D(2025, 12, 24), D(2026, 1, 2)]
    assert not any(is_public_holiday(day) for day in workdays)


def test_heraudit_day_is_a_working_day() -> None:
    from cbct_docs.documents.decision import next_weekday

    # half a year after 1 July 2025 is New Year's Day 2026, a Thursday
    assert next_weekday(heraudit_date(D(2025, 7, 1), KIB)) == D(2026, 1, 2)
    # after 25 June 2025: Christmas Day 2025 and Boxing Day, then the weekend
    assert next_weekday(heraudit_date(D(2025, 6, 25), KIB)) == D(2025, 12, 29)
