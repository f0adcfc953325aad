"""Dutch formatting filters for templates (Babel, locale nl_NL).

==============  ==========================================  ==========================
filter          example                                     gives
==============  ==========================================  ==========================
``datum``       ``{{ d|datum }}``                           ``1 mei 2025``
                ``{{ d|datum('EEEE d MMMM y') }}``          ``donderdag 1 mei 2025``
                ``{{ d|datum('short') }}``                  ``01-05-2025``
``kwartaal``    ``{{ d|kwartaal }}``                        ``tweede kwartaal van 2025``
                ``{{ d|kwartaal('kort') }}``                ``Q2 2025``
``geld``        ``{{ 1000|geld }}``                         ``€ 1.000,00``
``getal``       ``{{ 1234.5|getal }}``                      ``1.234,5``
                ``{{ 2.0|getal(1) }}``                      ``2,0``
``procent``     ``{{ 0.911|procent }}``                     ``91,1%``
                ``{{ 0.911|procent(1, ' ') }}``             ``91,1 %``
``tijd``        ``{{ t|tijd }}``                            ``14:30``
``woord``       ``{{ 2|woord }}``                           ``twee`` (13 and up: digits)
``data``        ``{{ [d1, d2]|data }}``                     ``13 en 14 mei 2025``
==============  ==========================================  ==========================

English aliases: ``date``, ``quarter``, ``money``, ``number``, ``percent``, ``time``,
``words``, ``dates``.
Dates may be real dates, Excel serial numbers or Dutch text (``1-5-2025``). Numbers may be
text when they can be read one way only: ``1.250,50``, ``1250``, ``0,911``, ``0.911``,
``12.345.678``; ``1.250`` and ``1,250`` (a thousand, or a fraction?) are refused.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ..errors import DataError
from ..records.dates import parse_date

if TYPE_CHECKING:
    from babel import Locale

QUARTER_WORDS = {1: "eerste", 2: "tweede", 3: "derde", 4: "vierde"}
#: Month and weekday names as Babel's nl_NL writes them (``MMMM``, ``EEEE``; a test checks
#: them against Babel): the date formats of the bundled templates are made without Babel,
#: whose import and locale data took ~40 ms of a command's start. Every other format, and
#: every number, amount and time, goes through Babel.
MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
          "september", "oktober", "november", "december")
WEEKDAYS = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")


@functools.cache
def _locale() -> Locale:
    """nl_NL, parsed once (Babel parses a locale string anew on every call otherwise)."""
    from babel import Locale

    return Locale.parse("nl_NL")


def quarter_of(day: dt.date) -> int:
    return (day.month - 1) // 3 + 1


def datum(value: Any, fmt: str = "d MMMM y") -> str:
    return _format_date(parse_date(value), fmt)


@functools.lru_cache(maxsize=4096)
def _format_date(day: dt.date, fmt: str) -> str:
    # A batch prints the same few dates thousands of times.
    if fmt == "d MMMM y":
        return f"{day.day} {MONTHS[day.month - 1]} {day.year}"
    if fmt == "d MMMM":
        return f"{day.day} {MONTHS[day.month - 1]}"
    if fmt == "EEEE d MMMM y":
        return f"{WEEKDAYS[day.weekday()]} {day.day} {MONTHS[day.month - 1]} {day.year}"
    if fmt == "MMMM y":
        return f"{MONTHS[day.month - 1]} {day.year}"
    from babel.dates import format_date

    return format_date(day, fmt, locale=_locale())


def kwartaal(value: Any, style: str = "lang") -> str:
    """``tweede kwartaal van 2025``; ``kort``: ``Q2 2025``. Accepts a date or ``2025-Q2``."""
    year, quarter = _year_quarter(value)
    if style in ("kort", "short"):
        return f"Q{quarter} {year}"
    return f"{QUARTER_WORDS[quarter]} kwartaal van {year}"


def _year_quarter(value: Any) -> tuple[int, int]:
    if isinstance(value, tuple) and len(value) == 2:
        return int(value[0]), int(value[1])
    if hasattr(value, "year") and hasattr(value, "quarter"):
        return int(value.year), int(value.quarter)
    if isinstance(value, str) and "-Q" in value.upper():
        year, _, quarter = value.upper().partition("-Q")
        if year.isdecimal() and quarter in ("1", "2", "3", "4"):
            return int(year), int(quarter)
    day = parse_date(value)
    return day.year, quarter_of(day)


# Numbers written as text must be read one way only. Dutch: 1.250,50 (dot groups
# thousands, comma decimals); also accepted when it cannot be misread: 1250.5, 0.911,
# 12.345.678, 1,250.50. A single separator followed by exactly three digits (1.250,
# 1,250) could be a thousand or a fraction: refused, never guessed.
_GROUPED = r"\d{{1,3}}(?:{sep}\d{{3}})+"
_PLAIN = re.compile(r"\d+")
_DECIMAL = re.compile(r"(\d+)([.,])(\d+)")


def _parse_number_text(text: str, original: Any) -> Decimal:
    sign = ""
    if text[:1] in "+-":
        sign, text = ("-" if text[0] == "-" else ""), text[1:]
    if _PLAIN.fullmatch(text):
        return Decimal(sign + text)
    for group, decimal in ((".", ","), (",", ".")):
        grouped = _GROUPED.format(sep=re.escape(group))
        if re.fullmatch(grouped + re.escape(decimal) + r"\d+", text):  # 1.250,50
            return Decimal(sign + text.replace(group, "").replace(decimal, "."))
        if text.count(group) > 1 and re.fullmatch(grouped, text):  # 12.345.678
            return Decimal(sign + text.replace(group, ""))
    match = _DECIMAL.fullmatch(text)
    if match:
        whole, _separator, fraction = match.groups()
        if len(fraction) == 3 and whole != "0" and not whole.startswith("0") \
                and len(whole) <= 3:
            short = f"{whole},{fraction.rstrip('0') or '0'}"
            raise DataError(
                f"{original!r} is ambiguous: {whole}{fraction} or {short}?",
                hint=f"write {whole}{fraction} or {whole}.{fraction},00 for the whole "
                     f"number, {short} for the fraction")
        return Decimal(sign + f"{whole}.{fraction}")
    raise DataError(f"{original!r} is not a number", hint="write an amount like 1.234,50")


def _number(value: Any) -> Decimal | float | int:
    if isinstance(value, bool):
        raise DataError(f"{value!r} is not a number")
    if isinstance(value, int | float | Decimal):
        number: Decimal | float | int = value
    else:
        text = str(value).strip().replace("€", "").replace(" ", "").replace("\xa0", "")
        number = _parse_number_text(text, value)
    finite = number.is_finite() if isinstance(number, Decimal) else math.isfinite(number)
    if not finite:
        raise DataError(f"{value!r} is not a number", hint="write an amount like 1.234,50")
    return number


def geld(value: Any) -> str:
    from babel.numbers import format_currency

    # Babel puts a no-break space after the euro sign; office letters use a plain one.
    return format_currency(_number(value), "EUR", locale=_locale()).replace("\xa0", " ")


def getal(value: Any, decimals: int | None = None) -> str:
    number = _number(value)
    if type(number) is int or type(number) is float:
        # Keyed by type and repr: 1, 1.0, -0.0 and Decimal("1.00") print differently.
        return _format_repr(type(number) is float, repr(number), decimals)
    return _format_number(number, decimals)


@functools.lru_cache(maxsize=4096)
def _format_repr(is_float: bool, text: str, decimals: int | None) -> str:
    # A batch prints the same few numbers (hours, counts) thousands of times.
    return _format_number(float(text) if is_float else int(text), decimals)


def _format_number(number: Decimal | float | int, decimals: int | None) -> str:
    from babel.numbers import format_decimal

    if decimals is None:
        return format_decimal(number, locale=_locale())
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    return format_decimal(number, pattern, locale=_locale())


def procent(value: Any, decimals: int = 1, sep: str = "") -> str:
    """A fraction as a Dutch percentage: 0.911 → ``91,1%``."""
    number = Decimal(str(_number(value))) * 100
    return getal(number, decimals) + sep + "%"


def tijd(value: Any, fmt: str = "HH:mm") -> str:
    # Babel prints the current time for None: a letter would show a time nobody chose.
    if value is None or (isinstance(value, str) and not value.strip()):
        raise DataError("has no time", hint="fill in a time like 14:30")
    if isinstance(value, str):
        hours, _, minutes = value.replace(".", ":").partition(":")
        try:
            value = dt.time(int(hours), int(minutes or 0))
        except ValueError:
            raise DataError(f"{value!r} is not a time", hint="write it as 14:30") from None
    if type(value) is dt.time and value.tzinfo is None:
        return _format_time(value, fmt)
    from babel.dates import format_time

    return format_time(value, fmt, locale=_locale())


@functools.lru_cache(maxsize=4096)
def _format_time(value: dt.time, fmt: str) -> str:
    # Appointments begin and end at the same few times in every letter.
    from babel.dates import format_time

    return format_time(value, fmt, locale=_locale())


_NUMBER_WORDS = ("nul", "één", "twee", "drie", "vier", "vijf", "zes", "zeven", "acht", "negen",
                 "tien", "elf", "twaalf")


def woord(value: Any) -> str:
    """A small whole number in words, as a letter writes it: ``2`` → ``twee``; from 13 on
    the digits (``14``)."""
    number = int(value)
    return _NUMBER_WORDS[number] if 0 <= number < len(_NUMBER_WORDS) else str(number)


def data(values: Any) -> str:
    """Days as one Dutch letter writes them: ``13 en 14 mei 2025``, ``30 april en 1 mei
    2025``, ``12 december 2025 en 8 januari 2026``, ``2, 3 en 4 juni 2025``."""
    days = sorted({parse_date(v) for v in values})
    if not days:
        return ""
    parts = []
    for index, day in enumerate(days):
        later = days[index + 1] if index + 1 < len(days) else None
        if later is not None and later.year == day.year and later.month == day.month:
            parts.append(str(day.day))
        elif later is not None and later.year == day.year:
            parts.append(_format_date(day, "d MMMM"))
        else:
            parts.append(_format_date(day, "d MMMM y"))
    if len(parts) == 1:
        return parts[0]
    return ", ".join(parts[:-1]) + " en " + parts[-1]


FILTERS = {
    "woord": woord, "words": woord,
    "data": data, "dates": data,
    "datum": datum, "date": datum,
    "kwartaal": kwartaal, "quarter": kwartaal,
    "geld": geld, "money": geld,
    "getal": getal, "number": getal,
    "procent": procent, "percent": procent,
    "tijd": tijd, "time": tijd,
}  # fmt: skip
