"""Bevestigingsbrief: the appointments of an audit, confirmed by letter.

Which organisations get one (the planning's, or those named; already confirmed ones
passed by) is decided in one place: :func:`cbct_docs.runs.before_audit.confirm`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..domain.frameworks import load_framework
from ..domain.planning import concept_report_deadline, selfevaluation_deadline
from ..errors import DataError
from ..render.filters import datum
from .context import Office
from .fields import category_fields, organisation_fields, reference, require_postal_address
from .planning_data import AuditPlan
from .wording import auditor_words, dutch_list

KIND = "bevestigingsbrief"
TEMPLATE = "letters/bevestigingsbrief.docx"


def confirmation_context(org: Any, plan: AuditPlan, office: Office,
                         today: dt.date) -> dict[str, Any]:
    require_postal_address(org)
    framework = load_framework(org.framework)
    deadlines = framework.deadlines
    first_day = plan.first_day
    last_day = max(plan.days)
    concept = concept_report_deadline(last_day, deadlines)
    due = selfevaluation_deadline(first_day, deadlines)
    expected = framework.categories[org.category].auditors
    if len(plan.auditors) != expected:
        # The letter names the category's number of auditors and then the planned ones.
        where = plan.origin.at("auditoren") if plan.origin else org.origin
        raise DataError(f"{len(plan.auditors)} auditor(s) planned, but audit category "
                        f"{org.category} has {expected}", location=where,
                        hint="plan the category's number of auditors, or correct the "
                             "category in the register")
    if due < today:
        # The letter would ask for something already overdue on the day it is sent.
        # The planning's audit row is at fault (its first day), not the register's.
        where = plan.origin or org.origin
        raise DataError(f"{org.cert_nr} {org.name}: the zelfevaluatie was due on {datum(due)}, "
                        f"{deadlines.selfevaluation_weeks_before} weeks before the audit, so "
                        f"before the date of this letter "
                        f"({datum(today)})", location=where,
                        hint="date the letter earlier with --date, or plan the audit later")
    return {
        **office.fields(),
        **organisation_fields(org, framework, office),
        "briefdatum": today,
        "kenmerk": reference(framework, org, "BV", today),
        "afspraken": [{"datum": a.day, "begin": a.start, "eind": a.end,
                       "locatie": a.location, "onderdeel": a.part} for a in plan.appointments],
        "categorie": category_fields(framework, org.category),
        "duur_uren": plan.hours,
        "auditoren": plan.auditors,
        "auditoren_tekst": dutch_list(plan.auditors),
        "eerste_auditdag": first_day,
        "zelfevaluatie_deadline": due,
        "zelfevaluatie_weken": deadlines.selfevaluation_weeks_before,
        "conceptrapport_deadline": concept,
        "reactie_weken": deadlines.response_weeks,
        **auditor_words(len(plan.auditors)),
    }
