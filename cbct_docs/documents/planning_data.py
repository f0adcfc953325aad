"""The planning workbook: per organisation the announcement date, the auditors and the
appointments of the audit.

Sheet ``Audits``: ``cert_nr``, ``aangekondigd`` (date of the announcement e-mail),
``auditoren`` (names separated by ``;``). Sheet ``Afspraken``: ``cert_nr``, ``datum``,
``begin``, ``eind`` (times such as 9:30), ``locatie``, ``onderdeel``. An organisation
has one Audits row and one or more Afspraken rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import DataError, Problems
from ..records import Record, read_sheets
from ..records.dates import parse_date
from ..records.model import Origin

AUDITS, APPOINTMENTS = "Audits", "Afspraken"


@dataclass(frozen=True)
class Appointment:
    day: dt.date
    start: dt.time
    end: dt.time
    location: str
    part: str

    @property
    def hours(self) -> float:
        end = self.end.hour * 60 + self.end.minute
        return (end - (self.start.hour * 60 + self.start.minute)) / 60


@dataclass
class AuditPlan:
    cert_nr: str
    announced: dt.date
    auditors: list[str]
    appointments: list[Appointment] = field(default_factory=list)
    origin: Origin | None = None

    @property
    def first_day(self) -> dt.date:
        return min(a.day for a in self.appointments)

    @property
    def days(self) -> list[dt.date]:
        return sorted({a.day for a in self.appointments})

    @property
    def hours(self) -> float:
        return sum(a.hours for a in self.appointments)


def read_planning(path: str | Path) -> dict[str, AuditPlan]:
    """Audit plans by certificate number; every problem of the workbook at once."""
    problems = Problems()
    plans: dict[str, AuditPlan] = {}
    sheets = read_sheets(path, (AUDITS, APPOINTMENTS), required={  # the workbook once
        AUDITS: ["cert_nr", "aangekondigd", "auditoren"],
        APPOINTMENTS: ["cert_nr", "datum", "begin", "eind", "locatie", "onderdeel"]})
    audits: list[Record] = sheets[AUDITS]
    appointments: list[Record] = sheets[APPOINTMENTS]
    # Numbers with an Audits row, also when that row has a problem of its own.
    listed = {str(r.fields.get("cert_nr") or "").strip() for r in audits}
    for record in audits:
        with problems.catch():
            plan = _plan(record)
            if plan.cert_nr in plans:
                raise DataError(f"certificate number {plan.cert_nr} appears twice",
                                location=record.where("cert_nr"))
            plans[plan.cert_nr] = plan
    for record in appointments:
        with problems.catch():
            cert_nr = _text(record, "cert_nr")
            if cert_nr not in plans and cert_nr not in listed:
                raise DataError(f"{cert_nr} has appointments but no row in {AUDITS}",
                                location=record.where("cert_nr"))
            appointment = _appointment(record)
            if cert_nr in plans:
                plans[cert_nr].appointments.append(appointment)
    for plan in plans.values():
        if not plan.appointments:
            problems.add(DataError(f"{plan.cert_nr} has no appointments in {APPOINTMENTS}",
                                   location=plan.origin))
        plan.appointments.sort(key=lambda a: (a.day, a.start))
    problems.raise_if_any()
    return plans


def _text(record: Record, name: str) -> str:
    value = record.fields.get(name)
    if value is None or not str(value).strip():
        raise DataError("is empty", location=record.where(name))
    return str(value).strip()


def _date(record: Record, name: str) -> dt.date:
    try:
        return parse_date(record.fields.get(name))
    except DataError as error:
        raise error.at(record.where(name)) from None


def _plan(record: Record) -> AuditPlan:
    auditors = [a.strip() for a in _text(record, "auditoren").split(";") if a.strip()]
    announced = _date(record, "aangekondigd")
    return AuditPlan(_text(record, "cert_nr"), announced, auditors, origin=record.origin)


def _appointment(record: Record) -> Appointment:
    day = _date(record, "datum")
    start, end = _time(record, "begin"), _time(record, "eind")
    if end <= start:
        raise DataError(f"ends ({end:%H:%M}) before it begins ({start:%H:%M})",
                        location=record.where("eind"))
    return Appointment(day, start, end, _text(record, "locatie"), _text(record, "onderdeel"))


def _time(record: Record, name: str) -> dt.time:
    value: Any = record.fields.get(name)
    if isinstance(value, dt.datetime):
        return value.time()
    if isinstance(value, dt.time):
        return value
    text = str(value or "").strip().replace(".", ":")
    hours, _, minutes = text.partition(":")
    try:
        return dt.time(int(hours), int(minutes or 0))
    except ValueError:
        raise DataError(f"{value!r} is not a time", location=record.where(name),
                        hint="write it as 9:30") from None
