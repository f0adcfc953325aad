"""The common register row checked in one pass (issue 16: a register check of 100,000
rows spent ~21 us a row in :class:`.register._RowChecker`, as long as reading them).

A row whose every value is as a register's rows almost always are (texts, a date cell,
a framework code known, the branch, modules and category values met before in this
register and found right then, an e-mail address and a postcode of the usual form) is
made into its :class:`.register.Organisation` here, with the very operations
``_RowChecker`` applies to such values. Any other row gives None and goes through
``_RowChecker``, which checks it (and reports its problems) as it always did; it is also
the one that checks each branch, modules and category value the first time, and keeps
what it found for the rows after (``seen``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import fields
from operator import itemgetter
from typing import Any, cast
from unicodedata import normalize

from ..records import Record
from .frameworks import Framework
from .register import _EMAIL, _POSTCODE, Organisation

#: The fields, in the order :meth:`Quick.organisation` takes them.
FIELDS = ("cert_nr", "name", "branch", "framework", "modules", "email", "certified_until",
          "category", "postcode", "contact", "street", "city")


class Quick:
    """The rows of one register: their columns and frameworks, and the values
    ``_RowChecker`` checked before (``seen``, shared with it)."""

    def __init__(self, columns: Mapping[str, str], by_code: Mapping[str, Framework],
                 seen: Mapping[tuple[Any, ...], Any]) -> None:
        self.columns = tuple(columns.get(name) for name in FIELDS)
        self.by_code, self.seen = by_code, seen
        # every field's column in the header (a register as the office's template has it):
        # the twelve values taken at once
        self.all = None if None in self.columns else itemgetter(*self.columns)

    def organisation(self, record: Record) -> Organisation | None:
        """The row's organisation, or None: ``_RowChecker`` is to check it."""
        fields = record.fields
        try:
            values = self.all(fields) if self.all is not None else None
        except KeyError:  # a record without one of them (JSON): one at a time
            values = None
        if values is None:
            values = [None if column is None else fields.get(column)
                      for column in self.columns]
        branch, modules, until, category = values[2], values[4], values[6], values[7]
        # _RowChecker.text of each text field: white space made single (then NFC below);
        # None for a value of another kind (a number, a list …): that row goes there
        cleaned = ["" if value is None else " ".join(value.split())
                   if value.__class__ is str else None
                   for value in (values[0], values[1], values[3], values[5], values[8],
                                 values[9], values[10], values[11])]
        if None in cleaned or not (cleaned[0] and cleaned[1] and cleaned[2] and cleaned[3]):
            return None  # another kind of value, or a required one missing
        texts = cast(list[str], cleaned)
        if not "".join(texts).isascii():
            texts = [normalize("NFC", text) for text in texts]
        cert_nr, name, code, email, postcode, contact, street, city = texts
        chosen = self.by_code.get(code.casefold())
        if chosen is None or not _EMAIL.match(email) or until.__class__ is not dt.date:
            return None
        if postcode:
            match = _POSTCODE.match(postcode)
            if match is None:
                return None
            postcode = f"{match[1]} {match[2].upper()}"
        seen, code = self.seen, chosen.code
        try:
            branches = seen[("branch", branch)]
            parts = seen[("modules", modules, code)]
            level = seen[("category", category, code)]
        except (KeyError, TypeError):  # not met yet (or a list: never kept)
            return None
        return _made((cert_nr, name, branches, code, parts, contact, email, street, postcode,
                      city, until, level, record.origin))


#: Organisation's fields in order; its generated __init__ only sets them (frozen: through
#: object.__setattr__, ~5 us for thirteen), so an instance whose __dict__ gets them at
#: once is the same (equal, the same repr and hash). Made so only while that holds.
_NAMES = tuple(field.name for field in fields(Organisation))
_PLAIN = (not hasattr(Organisation, "__post_init__")
          and _NAMES == ("cert_nr", "name", "branch", "framework", "modules", "contact",
                         "email", "street", "postcode", "city", "certified_until", "category",
                         "origin"))


def _made(values: tuple[Any, ...]) -> Organisation:
    if not _PLAIN:
        return Organisation(*values)
    made = object.__new__(Organisation)
    made.__dict__.update(zip(_NAMES, values, strict=True))
    return made
