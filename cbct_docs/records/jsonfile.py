"""The JSON reader: a list of objects (or ``{"records": [...]}``), one record per object.

A field holds a text, a number or nothing. A group (``{...}``), a list or a yes/no
(``true``) is refused per field, located (``data.json:record 3:contact``), all problems
of the file at once — a letter would otherwise print ``['mevrouw A.', 'B']`` or ``True``.
Only the fields the caller declares (``ReadOptions.structured``) may hold them, for
templates that use them as structures (``campagne.titel``, ``{% if geplaatst %}``).

Numbers JSON cannot hold exactly (``NaN``, ``Infinity``, a number of 5,000 digits) and
keys given twice are refused wherever they stand; a file nested deeper than
``MAX_DEPTH`` is refused with the line where it gets too deep.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from pathlib import Path
from typing import Any

from ..errors import DataError, Problems
from .model import Origin, Record
from .readers import ReadOptions, clean_value, decode_text, reader

MAX_DIGITS = 100
MAX_DEPTH = 100
_STRUCTURE = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


class _Unreadable:
    """A JSON value that has no place in a letter (NaN, Infinity, a number of 5,000 digits)."""

    def __init__(self, text: str, why: str) -> None:
        self.text, self.why = text, why


class _Pairs(dict[str, Any]):
    """A JSON object that remembers the keys it held twice."""

    duplicates: list[str]


def _object(pairs: list[tuple[str, Any]]) -> _Pairs:
    result = _Pairs()
    result.duplicates = []
    for key, value in pairs:
        name = unicodedata.normalize("NFC", key)
        if name in result:
            result.duplicates.append(name)
        result[name] = value
    return result


def _constant(text: str) -> _Unreadable:
    return _Unreadable(text, f"{text} is not a number a letter can show")


def _integer(text: str) -> int | _Unreadable:
    digits = len(text.lstrip("-"))
    if digits > MAX_DIGITS:
        return _Unreadable(text[:20], f"a number of {digits} digits is not a value a letter "
                                      "can show")
    return int(text)


def _float(text: str) -> float | _Unreadable:
    number = float(text)
    if not math.isfinite(number):
        return _Unreadable(text[:20], f"{text[:20]} is too large a number")
    return number


def _too_deep(text: str) -> int:
    """The line at which ``text`` nests deeper than MAX_DEPTH (1 when not found)."""
    depth = 0
    for match in _STRUCTURE.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return text.count("\n", 0, match.start()) + 1
        elif token in "]}":
            depth -= 1
    return 1


def _nested(value: Any, where: Origin, problems: Problems) -> Any:
    """A declared field's value with every problem inside it located
    (``record 2:adres.straat``): numbers JSON cannot hold exactly, keys given twice."""
    if isinstance(value, _Unreadable):
        problems.add(DataError(value.why, location=where))
        return None
    if isinstance(value, dict):
        for key in getattr(value, "duplicates", ()):
            problems.add(DataError(f"key {key!r} appears twice", location=where,
                                   hint="each key once; the last one would win unseen"))
        return {k: _nested(v, where.at(f"{where.field}.{k}"), problems)
                for k, v in value.items()}
    if isinstance(value, list):
        return [_nested(v, where.at(f"{where.field}[{i}]"), problems)
                for i, v in enumerate(value, start=1)]
    return value


def _shown(value: Any) -> str:
    """A short JSON rendering of a refused value, as the person typed it."""
    marked = json.dumps(value, ensure_ascii=False, default=lambda v: f"\0{v.text}\0")
    text = marked.replace('"\\u0000', "").replace('\\u0000"', "")  # NaN shown as typed
    return text if len(text) <= 40 else text[:39].rstrip(", ") + "…"


def _scalar(value: Any, where: Origin, problems: Problems) -> Any:
    """A field that was not declared structured: a text, a number or nothing."""
    if isinstance(value, _Unreadable):
        problems.add(DataError(value.why, location=where))
        return None
    if isinstance(value, bool):
        what = f"a yes/no value ({_shown(value)})"
        hint = 'write the words the letter should show, e.g. "ja" or "nee"'
    elif isinstance(value, dict):
        what = f"a group of values ({_shown(value)})"
        hint = "give each value its own field, e.g. \"adres_straat\": \"Kerkstraat 1\""
    elif isinstance(value, list):
        count = f"{len(value)} value{'s' if len(value) != 1 else ''}"
        what = f"a list of {count} ({_shown(value)})"
        hint = "give one value, e.g. \"contact\": \"mevrouw A. van Wijk\", or one field per value"
    else:
        return clean_value(value)
    problems.add(DataError(f"holds {what}, not a text or number", location=where, hint=hint))
    return None


@reader(".json")
def read_json(path: Path, sheet: str | None, options: ReadOptions) -> list[Record]:
    text = decode_text(path.read_bytes(), str(path))
    try:
        data = json.loads(text, object_pairs_hook=_object, parse_constant=_constant,
                          parse_int=_integer, parse_float=_float)
    except json.JSONDecodeError as error:
        raise DataError(f"not valid JSON: {error.msg}",
                        location=f"{path}:line {error.lineno}") from None
    except RecursionError:
        raise DataError(f"nested deeper than {MAX_DEPTH} levels",
                        location=f"{path}:line {_too_deep(text)}",
                        hint="expected a list of objects whose values are text or numbers"
                        ) from None
    problems = Problems()
    if isinstance(data, _Pairs):
        for key in data.duplicates:
            problems.add(DataError(f"key {key!r} appears twice", location=path))
        if isinstance(data.get("records"), list):
            data = data["records"]
    if not isinstance(data, list):
        raise DataError("expected a list of objects, or {\"records\": [...]}", location=path)
    records = []
    for index, item in enumerate(data, start=1):
        origin = Origin(str(path), None, index, unit="record")
        if not isinstance(item, dict):
            problems.add(DataError(f"expected an object, found {type(item).__name__}",
                                   location=origin))
            continue
        for key in getattr(item, "duplicates", ()):
            problems.add(DataError(f"key {key!r} appears twice", location=origin.at(key),
                                   hint="a record holds each field once"))
        fields: dict[str, Any] = {}
        for key, value in item.items():
            where = origin.at(key)
            fields[key] = (clean_value(_nested(value, where, problems))
                           if key in options.structured else _scalar(value, where, problems))
        records.append(Record(fields, origin, index))
    problems.raise_if_any()
    return records
