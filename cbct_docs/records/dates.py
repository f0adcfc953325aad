"""Dates as Dutch offices write them: real Excel dates, serial numbers, or text.

Accepted text: ``1-5-2025``, ``01-05-2025``, ``1/5/2025``, ``1.5.2025`` (day first),
``2025-05-01`` (ISO), ``1 mei 2025``, ``1 mei '25`` is *not* accepted (two-digit years
are ambiguous), month names in full or abbreviated (``mrt``, ``sept``), case-insensitive.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from ..errors import DataError

MONTHS_NL = {
    "januari": 1, "jan": 1,
    "februari": 2, "feb": 2, "febr": 2,
    "maart": 3, "mrt": 3, "mar": 3, "maa": 3,
    "april": 4, "apr": 4,
    "mei": 5,
    "juni": 6, "jun": 6,
    "juli": 7, "jul": 7,
    "augustus": 8, "aug": 8,
    "september": 9, "sep": 9, "sept": 9,
    "oktober": 10, "okt": 10, "oct": 10,
    "november": 11, "nov": 11,
    "december": 12, "dec": 12,
}  # fmt: skip

MONTH_NAMES = [
    "januari", "februari", "maart", "april", "mei", "juni",
    "juli", "augustus", "september", "oktober", "november", "december",
]  # fmt: skip

# Excel's day 0 is 1899-12-30 once its 1900 leap-year bug is accounted for.
EXCEL_EPOCH = dt.date(1899, 12, 30)
# Workbooks made with "1904 date system" (old Mac Excel) count from 1 January 1904.
MAC_EPOCH = dt.date(1904, 1, 1)


class Serial1904Int(int):
    """A whole number read from a 1904 workbook: as a date it counts from 1904."""

    excel_epoch = MAC_EPOCH


class Serial1904Float(float):
    """A number read from a 1904 workbook: as a date it counts from 1904."""

    excel_epoch = MAC_EPOCH

# Serial numbers outside 1 jan 1950 .. 31 dec 2099 are almost surely not dates.
SERIAL_RANGE = (18264, 73415)

_NUMERIC = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[Tt ]00:00(?::00)?)?$")  # text is lowered
_WORDS = re.compile(r"^(\d{1,2})\s+([a-z]+)\.?\s+(\d{4})$")
_SERIAL_TEXT = re.compile(r"^\d{5}(?:[.,]0+)?$")


def _build(year: int, month: int, day: int, text: str) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        if 1 <= month <= 12:
            reason = f"{MONTH_NAMES[month - 1]} {year} has no day {day}"
        else:
            reason = f"there is no month {month}"
        raise DataError(f"{text!r} is not a valid date: {reason}") from None


def from_serial(serial: float, text: str | None = None,
                epoch: dt.date = EXCEL_EPOCH) -> dt.date:
    shift = (epoch - EXCEL_EPOCH).days
    if not SERIAL_RANGE[0] <= serial + shift <= SERIAL_RANGE[1]:
        raise DataError(
            f"{text or serial!r} is not a date",
            hint="an Excel date number should lie between 1950 and 2099",
        )
    return epoch + dt.timedelta(days=int(serial))


def parse_date(value: Any) -> dt.date:
    """Turn a cell value into a date, or raise DataError saying why not (no location)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool) or value is None:
        raise DataError("a date is required", hint="for example 1-5-2025 or 1 mei 2025")
    if isinstance(value, int | float):
        return from_serial(value, epoch=getattr(value, "excel_epoch", EXCEL_EPOCH))
    text = " ".join(str(value).split()).lower()
    if not text:
        raise DataError("a date is required", hint="for example 1-5-2025 or 1 mei 2025")
    if m := _NUMERIC.match(text):
        return _build(int(m[3]), int(m[2]), int(m[1]), str(value))
    if m := _ISO.match(text):
        return _build(int(m[1]), int(m[2]), int(m[3]), str(value))
    if m := _WORDS.match(text):
        month = MONTHS_NL.get(m[2])
        if month is None:
            raise DataError(f"{value!r} is not a date: unknown month {m[2]!r}")
        return _build(int(m[3]), month, int(m[1]), str(value))
    if _SERIAL_TEXT.match(text):
        return from_serial(float(text.replace(",", ".")), str(value))
    raise DataError(
        f"{value!r} is not a date", hint="write it as 1-5-2025, 2025-05-01 or 1 mei 2025"
    )


def day_text(day: dt.date | None) -> str:
    """A date as the office types it in messages and lists: ``1-5-2025`` ("" for none)."""
    return f"{day.day}-{day.month}-{day.year}" if day else ""
