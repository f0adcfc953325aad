"""Synthetic input for the benchmarks: many organisations, audits and e-mail contexts.

The names carry the characters that go wrong in naive templating (``&``, ``<``, quotes,
diacritics), so the fast paths are measured on the data they must survive.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

PLACES = ["Uden", "Zwolle", "Den Haag", "Leeuwarden", "Maastricht", "'s-Hertogenbosch"]
KINDS = ["Bibliotheek", "Taalhuis", "Cultuurhuis", "Bieb & Co", "Stichting \"De Kunst\"",
         "Leescentrum <Noord>"]
TODAY = dt.date(2025, 3, 3)


def organisations(count: int) -> list[Any]:
    from cbct_docs.domain.register import Organisation
    from cbct_docs.records.model import Origin

    return [Organisation(
        cert_nr=f"KiB-{1000 + n}", name=f"{KINDS[n % 6]} {PLACES[n % 6]} {n}",
        branch=("VOB",), framework="KiB", modules=("taalhuis",) if n % 3 == 0 else (),
        contact=f"mevrouw A. de Wit-Özdemir {n}", email=f"info{n}@bieb.example",
        street=f"Kerkstraat {n % 200 + 1}", postcode="5401 AB", city=PLACES[n % 6],
        certified_until=dt.date(2025, 6, 30), category=["I", "II", "III", "IV"][n % 4],
        origin=Origin("bench", row=n + 2)) for n in range(count)]


def plans(orgs: list[Any]) -> dict[str, Any]:
    from cbct_docs.documents.planning_data import Appointment, AuditPlan
    from cbct_docs.domain.frameworks import load_framework

    auditors = ["A. Jansen", "B. Çelik", "C. de Vries"]
    result = {}
    for n, org in enumerate(orgs):
        day = dt.date(2025, 5, 12) + dt.timedelta(days=n % 40)
        needed = load_framework(org.framework).categories[org.category].auditors
        result[org.cert_nr] = AuditPlan(
            org.cert_nr, TODAY, auditors[:needed], [
                Appointment(day, dt.time(9, 30), dt.time(12, 30), org.name,
                            "Gesprek & rondleiding"),
                Appointment(day, dt.time(13, 30), dt.time(16, 0), "Online", "Klantpanel")])
    return result


def letter_contexts(count: int) -> tuple[list[dict[str, Any]], str]:
    """Contexts for the bevestigingsbrief exactly as the application builds them. A failure
    here is a failure of the bench (reported as such), never a quiet stand-in."""
    from cbct_docs.documents.confirmation import confirmation_context
    from cbct_docs.documents.context import load_office

    office = load_office(example_fallback=True)
    orgs = organisations(count)
    by_number = plans(orgs)
    return [confirmation_context(o, by_number[o.cert_nr], office, TODAY)
            for o in orgs], "confirmation_context"


def email_contexts(count: int) -> list[dict[str, Any]]:
    """Contexts for the aankondiging exactly as the application builds them (a hand-made
    stand-in fell behind when the template gained fields, and the e-mail sides stopped)."""
    from cbct_docs.documents.announcement import announcement_context
    from cbct_docs.documents.context import load_office
    from cbct_docs.domain.planning import Quarter

    office = load_office(example_fallback=True)
    return [announcement_context(org, Quarter(2025, 2), TODAY, office)
            for org in organisations(count)]
