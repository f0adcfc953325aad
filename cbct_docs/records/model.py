"""A record is a mapping of field name to value that remembers where it came from."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Origin:
    """Where a record (or one of its fields) came from, for location-first messages.

    ``str(Origin("register.xlsx", "Organisaties", 14, field="certified_until"))`` gives
    ``register.xlsx:Organisaties:row 14:certified_until``.
    """

    file: str
    sheet: str | None = None
    row: int | None = None
    field: str | None = None
    unit: str = "row"  # "row" for tables, "record" for JSON lists

    def __str__(self) -> str:
        parts = [self.file]
        if self.sheet:
            parts.append(self.sheet)
        if self.row is not None:
            parts.append(f"{self.unit} {self.row}")
        if self.field:
            parts.append(self.field)
        return ":".join(parts)

    def at(self, field_name: str) -> Origin:
        return Origin(self.file, self.sheet, self.row, field_name, self.unit)


_new = object.__new__


def row_origin(file: str, sheet: str | None, row: int) -> Origin:
    """``Origin(file, sheet, row)``, equal to it in every way (fields, ``==``, hash,
    ``repr``), made without the frozen dataclass's ``__init__``: its ``object.__setattr__``
    per field cost ~1.1 us, this ~0.45; a table reader makes one per row (issue 16)."""
    origin = _new(Origin)
    fields = origin.__dict__
    fields["file"] = file
    fields["sheet"] = sheet
    fields["row"] = row
    fields["field"] = None
    fields["unit"] = "row"
    return origin


@dataclass
class Record(Mapping[str, Any]):
    """Field values of one row, plus its origin. Reads like a dict."""

    fields: dict[str, Any]
    origin: Origin
    number: int = 0  # 1-based position among the records of its source
    extra: dict[str, Any] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Any:
        return self.fields[key]

    def get(self, key: str, default: Any = None) -> Any:
        """``Mapping.get``, in one call (the domain reads every field of every row so)."""
        return self.fields.get(key, default)

    def __iter__(self) -> Iterator[str]:
        return iter(self.fields)

    def __len__(self) -> int:
        return len(self.fields)

    def where(self, field_name: str) -> Origin:
        """The origin of one field, e.g. ``register.csv:row 4:email``."""
        return self.origin.at(field_name)
