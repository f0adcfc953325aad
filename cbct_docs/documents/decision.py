"""The besluitbrief (three outcomes, one template) and the heraudit letter.

Both list the insufficient norms, and only those: they come from the advice
(:func:`cbct_docs.domain.advice.evaluate`), never from the letter's own reasoning.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from ..domain.advice import evaluate
from ..domain.frameworks import load_framework
from ..domain.planning import (
    bezwaar_deadline,
    heraudit_date,
    is_public_holiday,
    selfevaluation_deadline,
    validity_period,
)
from ..errors import DataError
from .context import Batch, Office, file_stem
from .fields import (
    insufficient_items,
    organisation_fields,
    part_label,
    reference,
    require_postal_address,
)
from .reserved import Reserved
from .wording import auditor_words, days_text, dutch_list, months_text, norm_words

DECISION_TEMPLATE = "letters/besluitbrief.docx"
HERAUDIT_TEMPLATE = "letters/heraudit.docx"
#: Advice text → the outcome key the template tests.
OUTCOMES = {
    "Gecertificeerd": "gecertificeerd",
    "Voorwaardelijk gecertificeerd": "voorwaardelijk",
    "Niet gecertificeerd": "niet",
}


def outcome_of(result: Any) -> str:
    return OUTCOMES[result.advice]


def next_weekday(day: dt.date) -> dt.date:
    """The planned heraudit day is an appointment: never on a weekend or a public holiday."""
    while day.weekday() >= 5 or is_public_holiday(day):
        day += dt.timedelta(days=1)
    return day


def decision_context(org: Any, sheet: Any, office: Office, decided: dt.date,
                     result: Any = None) -> dict[str, Any]:
    require_postal_address(org)
    framework = load_framework(org.framework)
    deadlines = framework.deadlines
    result = result or evaluate(sheet, framework)
    last_day = max(sheet.audit_dates)
    if decided <= last_day:
        raise DataError(f"the decision ({decided:%d-%m-%Y}) must come after the audit "
                        f"({last_day:%d-%m-%Y})", location=sheet.source or sheet.cert_nr,
                        hint="give the date of the decision with --date")
    return {
        **office.fields(),
        **organisation_fields(org, framework, office),
        "briefdatum": decided,
        "besluitdatum": decided,
        "kenmerk": reference(framework, org, "BB", decided),
        "auditdatum": min(sheet.audit_dates),
        "auditdata_tekst": days_text(sheet.audit_dates),
        "besluit": result.advice,
        "uitkomst": outcome_of(result),
        "gecertificeerd": outcome_of(result) == "gecertificeerd",
        "voorwaardelijk": outcome_of(result) == "voorwaardelijk",
        "niet_gecertificeerd": outcome_of(result) == "niet",
        **auditor_words(len(sheet.auditors)),
        **norm_words(len(result.insufficient_parts)),
        "onvoldoende_normen": insufficient_items(result),
        "geldig_tot": validity_period(decided, deadlines, org.certified_until)[1],
        "heraudit_datum": heraudit_date(decided, deadlines),
        "bezwaar_weken": deadlines.bezwaar_weeks,
        "bezwaar_deadline": bezwaar_deadline(decided, deadlines),
        "heraudit_termijn": months_text(deadlines.heraudit_months),
        "auditoren": list(sheet.auditors),
    }


def heraudit_context(org: Any, sheet: Any, office: Office, decided: dt.date, today: dt.date,
                     on: dt.date | None = None, auditors: list[str] | None = None,
                     result: Any = None) -> dict[str, Any]:
    """``on``: the heraudit day (default: the planned date, half a year after the decision)."""
    require_postal_address(org)
    framework = load_framework(org.framework)
    deadlines = framework.deadlines
    result = result or evaluate(sheet, framework)
    day = on or next_weekday(heraudit_date(decided, deadlines))
    names = list(auditors or sheet.auditors)
    return {
        **office.fields(),
        **organisation_fields(org, framework, office),
        "briefdatum": today,
        "besluitdatum": decided,
        "kenmerk": reference(framework, org, "HA", today),
        "onvoldoende_normen": insufficient_items(result),
        "heraudit_datum": day,
        "documenten_deadline": selfevaluation_deadline(day, deadlines),
        "auditoren": names,
        "auditoren_tekst": dutch_list(names),
        "rapport_weken": deadlines.concept_report_weeks,
        **norm_words(len(result.insufficient_parts)),
    }


def needs_heraudit(result: Any) -> bool:
    """A heraudit letter follows a decision unless the organisation is certified (perhaps
    by an override) or nothing fell short."""
    return outcome_of(result) != "gecertificeerd" and bool(result.insufficient_parts)


def stage_letter(batch: Batch, org: Any, kind: str, data: bytes,
                 folder: str | None = None) -> Path:
    """Stage a rendered Word document of ``kind`` (besluitbrief, besluitbrief-heraudit,
    heraudit, certificaat; rapport-concept, rapport-definitief in ``folder`` rapporten)
    for ``org``, named as every letter of the process is named."""
    return batch.add(kind, file_stem(org, kind), ".docx", data, org.name, folder=folder,
                     organisation=org)


def reserve_letter(batch: Batch, org: Any, kind: str, folder: str | None = None) -> Reserved:
    """:func:`stage_letter`'s name for the document (in ``folder``, else the folder of
    its kind), given out before it is rendered (a streamed batch:
    :meth:`~.batch.Batch.reserve`): the process that renders it writes it
    (:func:`~.reserved.write_document`)."""
    return batch.reserve(kind, file_stem(org, kind), ".docx", org.name, organisation=org,
                         folder=folder)


HERAUDIT_DECISION_TEMPLATE = "letters/besluitbrief-heraudit.docx"


def planned_heraudit_day(org: Any, decided: dt.date, on: dt.date | None = None) -> dt.date:
    """The heraudit day: as given, else half a year after the decision on a working day."""
    return on or next_weekday(heraudit_date(decided, load_framework(org.framework).deadlines))


def heraudit_decision_context(org: Any, sheet: Any, office: Office, decided: dt.date,
                              outcome: Any, first_decision: dt.date) -> dict[str, Any]:
    """``outcome``: :class:`cbct_docs.domain.permissions.HerauditOutcome`."""
    from ..domain.advice import CERTIFIED

    require_postal_address(org)
    framework = load_framework(org.framework)
    deadlines = framework.deadlines
    certified = outcome.advice == CERTIFIED
    covered = len(outcome.reassessed)
    weak = [part_label(r.norm)[1] for r in outcome.still_insufficient]
    days = sorted(sheet.audit_dates)
    return {
        **office.fields(),
        **organisation_fields(org, framework, office),
        "briefdatum": decided,
        "besluitdatum": decided,
        "eerste_besluitdatum": first_decision,
        "kenmerk": reference(framework, org, "BH", decided),
        "heraudit_datum": days[0],
        "heraudit_data_tekst": days_text(days),
        "besluit": "Alsnog gecertificeerd" if certified else "Niet gecertificeerd",
        "gecertificeerd": certified,
        **norm_words(covered),
        **auditor_words(len(sheet.auditors)),
        "waren": "waren" if covered > 1 else "was",
        "herbeoordeeld": [{"label": part_label(r.norm)[1],
                           "oordeel": "voldoende" if r.sufficient else "onvoldoende"}
                          for r in outcome.reassessed],
        "onvoldoende_normen": [{"label": label} for label in weak],
        "de_onvoldoende_normen": "deze normen" if len(weak) > 1 else "deze norm",
        "onvoldoende_zijn": "zijn" if len(weak) > 1 else "is",
        "geldig_tot": validity_period(decided, deadlines, org.certified_until)[1],
        "bezwaar_weken": deadlines.bezwaar_weeks,
        "bezwaar_deadline": bezwaar_deadline(decided, deadlines),
    }
