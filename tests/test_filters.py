"""Dutch formatting filters, as template authors use them."""

from __future__ import annotations

import datetime as dt

import pytest

from cbct_docs.render import make_environment


def render(source: str, **context: object) -> str:
    return make_environment().from_string(source).render(context)


@pytest.mark.parametrize("source,expected", [
    ("{{ d|datum }}", "1 mei 2025"),
    ("{{ d|datum('EEEE d MMMM y') }}", "donderdag 1 mei 2025"),
    ("{{ d|kwartaal }}", "tweede kwartaal van 2025"),
    ("{{ d|kwartaal('kort') }}", "Q2 2025"),
    ("{{ '2025-Q4'|kwartaal }}", "vierde kwartaal van 2025"),
    ("{{ 1000|geld }}", "€ 1.000,00"),
    ("{{ '1.234,50'|geld }}", "€ 1.234,50"),
    ("{{ 1234.5|getal }}", "1.234,5"),
    ("{{ 2|getal(1) }}", "2,0"),
    ("{{ 0.911|procent }}", "91,1%"),
    ("{{ (41/45)|procent(1, ' ') }}", "91,1 %"),
    ("{{ '14.30'|tijd }}", "14:30"),
])
def test_dutch_filters(source: str, expected: str) -> None:
    assert render(source, d=dt.date(2025, 5, 1)) == expected


@pytest.mark.parametrize("day,quarter", [(dt.date(2025, 1, 1), "eerste"),
                                         (dt.date(2025, 3, 31), "eerste"),
                                         (dt.date(2025, 4, 1), "tweede"),
                                         (dt.date(2025, 12, 31), "vierde")])
def test_quarter_edges(day: dt.date, quarter: str) -> None:
    assert render("{{ d|kwartaal }}", d=day) == f"{quarter} kwartaal van 2025"


@pytest.mark.parametrize("value,expected", [
    ("1.000,00", "€ 1.000,00"),  # Dutch: dot for thousands, comma for decimals
    ("2.500.000", "€ 2.500.000,00"),  # more than one group: thousands, never a fraction
    ("0.911", "€ 0,91"),  # no thousands group starts with 0
    ("1250", "€ 1.250,00"),
    ("-12.345.678", "€ -12.345.678,00"),
    ("1.234,50", "€ 1.234,50"),
    ("1000.50", "€ 1.000,50"),
    ("€ 2,5", "€ 2,50"),
    ("0.5", "€ 0,50"),
    (1.5, "€ 1,50"),
])
def test_money_reads_dutch_thousands(value: object, expected: str) -> None:
    assert render("{{ v|geld }}", v=value) == expected


@pytest.mark.parametrize("value", ["1.250", "1,250", "2.500", "-1.000", "€ 999,999"])
@pytest.mark.parametrize("name", ["geld", "getal", "procent"])
def test_numbers_as_text_that_read_two_ways_are_refused(value: str, name: str) -> None:
    """1.250 is a thousand and a quarter in Dutch, one and a quarter in English: a letter
    must not guess (issue 15: 0.911|procent gave 91.100,0%)."""
    from cbct_docs.errors import DataError

    with pytest.raises(DataError, match="is ambiguous"):
        render("{{ v|" + name + " }}", v=value)


@pytest.mark.parametrize("value,expected", [("0.911", "91,1%"), ("0,911", "91,1%"),
                                            ("0,5", "50,0%"), (0.911, "91,1%")])
def test_percent_of_a_fraction_as_text(value: object, expected: str) -> None:
    assert render("{{ v|procent }}", v=value) == expected


@pytest.mark.parametrize("value", ["NaN", "nan", "sNaN", "Infinity", "-inf", float("nan"),
                                   float("inf")])
@pytest.mark.parametrize("name", ["geld", "getal", "procent"])
def test_numbers_refuse_nan_and_infinity(value: object, name: str) -> None:
    from cbct_docs.errors import DataError

    with pytest.raises(DataError, match="is not a number"):
        render("{{ v|" + name + " }}", v=value)


@pytest.mark.parametrize("value", [None, "", "  "])
def test_time_refuses_an_empty_value(value: object) -> None:
    from cbct_docs.errors import DataError

    with pytest.raises(DataError, match="no time"):
        render("{{ t|tijd }}", t=value)


def test_time_of_a_real_time() -> None:
    assert render("{{ t|tijd }}", t=dt.time(9, 5)) == "09:05"


@pytest.mark.parametrize("fmt", ["d MMMM y", "d MMMM", "EEEE d MMMM y", "MMMM y"])
def test_dates_made_without_babel_are_babels(fmt: str) -> None:
    """The bundled templates' date formats are written without Babel (issue 16: its
    import and locale data cost a command's start): every day of four years, and years
    far off, as Babel's nl_NL writes them; a datetime as its day."""
    from babel import Locale
    from babel.dates import format_date

    from cbct_docs.render import filters

    locale = Locale.parse("nl_NL")
    days = [dt.date(2023, 1, 1) + dt.timedelta(days=n) for n in range(4 * 366)]
    days += [dt.date(1, 1, 1), dt.date(999, 12, 31), dt.date(1900, 2, 28), dt.date(9999, 12, 31)]
    for day in days:
        assert filters._format_date(day, fmt) == format_date(day, fmt, locale=locale)
    moment = dt.datetime(2025, 5, 1, 23, 59)
    assert filters.datum(moment, fmt) == format_date(moment, fmt, locale=locale)
    assert filters.datum(dt.date(2025, 5, 1)) == "1 mei 2025"


def test_other_date_formats_still_go_through_babel() -> None:
    from cbct_docs.render import filters

    day = dt.date(2025, 5, 1)
    assert filters.datum(day, "short") == "01-05-2025"
    assert filters.datum(day, "EEE d MMM") == "do 1 mei"
    assert filters.datum(day, "dd-MM-yyyy") == "01-05-2025"
