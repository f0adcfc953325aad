"""Cell references and row numbers as a person reads them: ``B12``, ``AA``, ``2-4, 7``;
a cell's value as a table's record holds it (:func:`clean_value`)."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import Any

COLUMNS: dict[str, int] = {}


def column_index(letters: str) -> int:
    index = COLUMNS.get(letters)
    if index is None:
        index = 0
        for char in letters:
            index = index * 26 + ord(char) - 64
        COLUMNS[letters] = index
    return index


def column_letters(index: int) -> str:
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def split_reference(coordinate: str) -> tuple[int, int]:
    """``B12`` → (12, 2)."""
    letters = coordinate.rstrip("0123456789")
    if not letters or letters == coordinate or not letters.isalpha():
        raise ValueError(coordinate)
    return int(coordinate[len(letters):]), column_index(letters.upper())


def keys_within(numbered: dict[int, Any], low: int, high: int) -> list[int]:
    """The keys of ``numbered`` from ``low`` to ``high``, in the cheaper of two ways (a
    range may be far larger than the sheet, or the sheet far larger than the range)."""
    if high - low < len(numbered):
        return [n for n in range(low, high + 1) if n in numbered]
    return [n for n in numbered if low <= n <= high]


def number_ranges(numbers: list[int]) -> str:
    """[2, 3, 4, 7] → '2-4, 7' (at most ten parts)."""
    parts: list[str] = []
    start = previous = numbers[0]
    for number in [*numbers[1:], None]:
        if number is not None and number == previous + 1:
            previous = number
            continue
        parts.append(str(start) if start == previous else f"{start}-{previous}")
        if number is not None:
            start = previous = number
    return ", ".join(parts[:10]) + (" …" if len(parts) > 10 else "")


def clean_value(value: Any) -> Any:
    """A text stripped and NFC-normalised, an empty one None; other values as they are."""
    if isinstance(value, str):
        value = value.strip()
        if not value.isascii():
            value = unicodedata.normalize("NFC", value)
        return value or None
    return value


def clean_row(raw: Iterable[Any]) -> list[Any]:
    """Each value as :func:`clean_value` gives it (without a call for the common ASCII
    text and for no value)."""
    return [(v.strip() or None) if v.__class__ is str and v.isascii()
            else None if v is None else clean_value(v) for v in raw]
