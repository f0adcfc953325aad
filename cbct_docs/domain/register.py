"""The organisation register: one row per certified organisation, keyed by certificate number.

Names repeat (two "Bibliotheek Rivierenland"s), so the certificate number is the identity.
Columns may carry the English field names or their Dutch equivalents (see
``COLUMN_ALIASES``); every problem of the file is reported at once, location first.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar, cast

from ..errors import DataError, Problems, UsageError
from ..records import Origin, Record, parse_date, read_records
from ..records.readers import bulk
from .frameworks import Framework, framework_table

T = TypeVar("T")
BRANCHES = ("VOB", "Cultuurconnectie")
REQUIRED = ("cert_nr", "name", "branch", "framework", "email", "certified_until", "category")
OPTIONAL = ("modules", "contact", "street", "postcode", "city")
COLUMN_ALIASES = {
    "cert_nr": ("certificaatnummer", "certificaat_nr", "cert_nummer", "certificate_number"),
    "name": ("naam", "organisatie", "naam_organisatie"),
    "branch": ("branchevereniging", "branche", "branch_association"),
    "framework": ("kader", "kwaliteitskader"),
    "modules": ("module",),
    "contact": ("contactpersoon",),
    "email": ("e_mail", "mail", "emailadres", "e_mailadres"),
    "street": ("adres", "straat", "postadres"),
    "postcode": ("postal_code",),
    "city": ("plaats", "woonplaats", "vestigingsplaats"),
    "certified_until": ("gecertificeerd_tot", "geldig_tot", "certificaat_geldig_tot"),
    "category": ("categorie", "auditcategorie"),
}
# A JSON register may give these as lists (["VOB", "Cultuurconnectie"]), under any alias.
LIST_FIELDS = tuple(name for field in ("branch", "modules")
                    for name in (field, *COLUMN_ALIASES[field]))
ROMAN = {"1": "I", "2": "II", "3": "III", "4": "IV"}
_EMAIL = re.compile(r"^[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")
_POSTCODE = re.compile(r"^([1-9][0-9]{3})\s?([A-Za-z]{2})$")
_SPLIT = re.compile(r"\s*(?:[,;/+&|]|\ben\b)\s*")


@dataclass(frozen=True)
class Organisation:
    cert_nr: str
    name: str
    branch: tuple[str, ...]
    framework: str
    modules: tuple[str, ...]
    contact: str
    email: str
    street: str
    postcode: str
    city: str
    certified_until: dt.date
    category: str
    origin: Origin = field(compare=False)  # two readings of one row are equal


def _norm_header(name: str) -> str:
    return re.sub(r"[\s.\-]+", "_", name.strip().lower()).strip("_")


def _column_map(fields: Iterable[str]) -> dict[str, str]:
    """Canonical field → the column name as written in the file."""
    found: dict[str, str] = {}
    for column in fields:
        key = _norm_header(column)
        for canonical, aliases in COLUMN_ALIASES.items():
            if key == canonical or key in aliases:
                found.setdefault(canonical, column)
    return found


def read_register(path: str | Path, sheet: str | None = None, *,
                  frameworks: Mapping[str, Framework] | None = None) -> list[Organisation]:
    """Read and check the register (.xlsx, .csv or .json); all problems at once."""
    records = read_records(path, sheet, structured=LIST_FIELDS)
    if not records:
        raise DataError("the register has no organisations", location=path)
    table = dict(frameworks) if frameworks is not None else framework_table()
    columns = _column_map(records[0].fields)
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        origin = records[0].origin
        where = f"{origin.file}:{origin.sheet}" if origin.sheet else origin.file
        raise DataError(f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}",
                        location=where, hint=_missing_hint(missing, records[0].fields))
    problems = Problems()
    _check_unknown_columns(records[0], columns, problems)
    organisations: list[Organisation] = []
    first_seen: dict[str, Origin] = {}
    by_code = _by_code(table)
    seen: dict[tuple[Any, ...], Any] = {}
    from .register_quick import Quick  # it imports this module

    quick = Quick(columns, by_code, seen).organisation
    with bulk():
        for record in records:
            organisation = quick(record)  # the common row; else checked by _RowChecker
            if organisation is None:
                organisation = _RowChecker(record, columns, table, problems, by_code,
                                           seen).organisation()
            if organisation is None:
                continue
            key = organisation.cert_nr.casefold()
            if key in first_seen:
                problems.add(DataError(
                    f"certificate number {organisation.cert_nr!r} appears twice",
                    location=record.where(columns["cert_nr"]),
                    hint=f"first at {_row_of(first_seen[key])}; names may repeat, "
                         "numbers may not"))
                continue
            first_seen[key] = record.origin
            organisations.append(organisation)
    problems.raise_if_any()
    return organisations


def _missing_hint(missing: Iterable[str], found: Iterable[str]) -> str:
    import difflib

    found = list(found)
    guesses = []
    for name in missing:
        candidates = {_norm_header(c): c for c in found}
        close = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.75)
        if close:
            guesses.append(f"is {candidates[close[0]]!r} meant to be {name!r}?")
    listed = f"columns found: {', '.join(found)}"
    return "; ".join([*guesses, listed])


def _check_unknown_columns(first: Record, columns: Mapping[str, str], problems: Problems) -> None:
    """An extra column (notes, say) is fine; one that looks like a misspelt known column is
    not: its values would be silently ignored while a letter goes out without them."""
    import difflib

    known = {name: name for name in (*REQUIRED, *OPTIONAL)}
    known.update({alias: canonical for canonical, aliases in COLUMN_ALIASES.items()
                  for alias in aliases})
    used = set(columns.values())
    origin = first.origin
    where = f"{origin.file}:{origin.sheet}" if origin.sheet else origin.file
    for column in first.fields:
        if column in used:
            continue
        close = difflib.get_close_matches(_norm_header(column), list(known), n=1, cutoff=0.75)
        if close and known[close[0]] not in columns:
            problems.add(DataError(f"unknown column {column!r}", location=where,
                                   hint=f"did you mean {known[close[0]]!r}?"))


def _by_code(frameworks: Mapping[str, Framework]) -> dict[str, Framework]:
    return {code.casefold(): framework for code, framework in frameworks.items()}


def _row_of(origin: Origin) -> str:
    return f"{origin.unit} {origin.row}"


class _RowChecker:
    """Turns one record into an Organisation, adding every problem it finds."""

    def __init__(self, record: Record, columns: dict[str, str],
                 frameworks: Mapping[str, Framework], problems: Problems,
                 by_code: Mapping[str, Framework] | None = None,
                 seen: dict[tuple[Any, ...], Any] | None = None) -> None:
        self.record, self.columns, self.frameworks = record, columns, frameworks
        self.fields = record.fields
        self.problems = problems
        self.ok = True
        self.by_code = by_code if by_code is not None else _by_code(frameworks)
        self.seen = seen if seen is not None else {}

    def error(self, field: str, what: str, hint: str | None = None) -> None:
        self.ok = False
        self.problems.add(DataError(what, location=self.record.where(self.columns[field]),
                                    hint=hint))

    def raw(self, field: str) -> Any:
        column = self.columns.get(field)
        return None if column is None else self.fields.get(column)

    def text(self, field: str, required: bool = False) -> str:
        column = self.columns.get(field)
        value = None if column is None else self.fields.get(column)
        if value is None:
            text = ""
        elif isinstance(value, str):
            text = " ".join(value.split())
        else:
            if isinstance(value, float) and value.is_integer():
                value = int(value)  # a certificate number typed as 101 comes back as 101.0
            text = " ".join(str(value).split())
        if not text.isascii():
            text = unicodedata.normalize("NFC", text)
        if required and not text:
            self.error(field, f"{field} is required")
        return text

    def items(self, field: str) -> list[str] | None:
        """The parts of a text (``VOB; Cultuurconnectie``) or a JSON list; None when the
        value is refused (reported here)."""
        value = self.raw(field)
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return [" ".join(str(v).split()) for v in value if str(v).strip()]
        if isinstance(value, list | dict | bool):
            self.error(field, f"{field} must be a text or a list of texts",
                       hint='e.g. "VOB; Cultuurconnectie" or ["VOB", "Cultuurconnectie"]')
            return None
        text = self.text(field)
        return [part for part in _SPLIT.split(text) if part] if text else []

    def organisation(self) -> Organisation | None:
        cert_nr = self.text("cert_nr", required=True)
        name = self.text("name", required=True)
        branch = self.once(("branch", self.raw("branch")), self.branch)
        framework = self.framework()
        code = framework.code if framework else None
        modules = self.once(("modules", self.raw("modules"), code),
                            lambda: self.modules(framework))
        email = self.email()
        until = self.date("certified_until")
        category = self.once(("category", self.raw("category"), code),
                             lambda: self.category(framework))
        postcode = self.postcode()
        if not self.ok or until is None or framework is None:
            return None
        return Organisation(
            cert_nr=cert_nr, name=name, branch=branch, framework=framework.code,
            modules=modules, contact=self.text("contact"), email=email,
            street=self.text("street"), postcode=postcode, city=self.text("city"),
            certified_until=until, category=category, origin=self.record.origin)

    def once(self, key: tuple[Any, ...], check: Callable[[], T]) -> T:
        """``check()``, or what it gave for an earlier row with the same value: a register
        repeats a few branches, module lists and categories over thousands of rows. A
        value that gave a problem is checked again for each row, so each is located."""
        try:
            return cast(T, self.seen[key])
        except KeyError:
            pass
        except TypeError:  # a JSON list cannot be a key
            return check()
        before = len(self.problems)
        result = check()
        if len(self.problems) == before:
            self.seen[key] = result
        return result

    def branch(self) -> tuple[str, ...]:
        parts = self.items("branch")
        if parts is None:
            return ()
        if not parts:
            self.error("branch", "a branch association is required",
                       hint="VOB, Cultuurconnectie or beide")
            return ()
        chosen: set[str] = set()
        for part in parts:
            lowered = part.casefold()
            if lowered in ("beide", "both"):
                chosen.update(BRANCHES)
                continue
            match = next((b for b in BRANCHES if b.casefold() == lowered), None)
            if match is None:
                self.error("branch", f"unknown branch association {part!r}",
                           hint="use VOB, Cultuurconnectie, or both as 'VOB; Cultuurconnectie'")
            else:
                chosen.add(match)
        return tuple(b for b in BRANCHES if b in chosen)

    def framework(self) -> Framework | None:
        code = self.text("framework", required=True)
        if not code:
            return None
        framework = self.by_code.get(code.casefold())
        if framework is None:
            self.error("framework", f"unknown framework {code!r}",
                       hint=f"use {' or '.join(self.frameworks)}")
        return framework

    def modules(self, framework: Framework | None) -> tuple[str, ...]:
        found: list[str] = []
        for part in self.items("modules") or []:
            code = part.casefold()
            if framework is None:
                continue
            if code not in framework.modules:
                self.error("modules", f"module {part!r} is not part of {framework.code}",
                           hint=f"modules of {framework.code}: {', '.join(framework.modules)}")
            elif code not in found:
                found.append(code)
        if framework is None:
            return ()
        return tuple(m for m in framework.modules if m in found)  # framework order

    def email(self) -> str:
        email = self.text("email", required=True)
        if email and not _EMAIL.match(email):
            self.error("email", f"{email!r} is not an e-mail address",
                       hint="one address, like naam@organisatie.nl")
        return email

    def date(self, field: str) -> dt.date | None:
        value = self.raw(field)
        try:
            return parse_date(value)
        except DataError as error:
            self.ok = False
            self.problems.add(error.at(self.record.where(self.columns[field])))
            return None

    def category(self, framework: Framework | None) -> str:
        text = self.text("category", required=True)
        code = ROMAN.get(text, text.upper())
        known = framework.categories if framework else {c: None for c in ROMAN.values()}
        if text and code not in known:
            self.error("category", f"unknown audit category {text!r}",
                       hint=f"use {', '.join(known)}")
        return code

    def postcode(self) -> str:
        text = self.text("postcode")
        if not text:
            return ""
        match = _POSTCODE.match(text)
        if not match:
            self.error("postcode", f"{text!r} is not a Dutch postcode", hint="like 4001 AB")
            return text
        return f"{match[1]} {match[2].upper()}"


def organisation_finder(organisations: Sequence[Organisation]
                        ) -> Callable[[str], Organisation]:
    """:func:`find_organisation` for many look-ups: the register indexed once (the same
    match: case-insensitive, the first of equals; the same error when none matches)."""
    index: dict[str, Organisation] = {}
    for organisation in organisations:
        index.setdefault(organisation.cert_nr.casefold(), organisation)

    def find(cert_nr: str) -> Organisation:
        found = index.get(cert_nr.strip().casefold())
        return found if found is not None else find_organisation(organisations, cert_nr)
    return find


def find_organisation(organisations: Iterable[Organisation], cert_nr: str) -> Organisation:
    """The organisation with this certificate number (case-insensitive), or a usage error."""
    organisations = list(organisations)
    wanted = cert_nr.strip().casefold()
    for organisation in organisations:
        if organisation.cert_nr.casefold() == wanted:
            return organisation
    close = [o.cert_nr for o in organisations if wanted and wanted in o.cert_nr.casefold()]
    hint = f"did you mean {', '.join(close[:5])}?" if close else "see the register's cert_nr column"
    raise UsageError(f"no organisation with certificate number {cert_nr!r}", hint=hint)
