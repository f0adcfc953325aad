"""Aankondiging and intake reminder: e-mails to every organisation whose certificate
expires in a quarter."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from ..domain.frameworks import load_framework
from ..domain.planning import Quarter, due_in, intake_deadline
from ..errors import DataError, Problems
from ..render.filters import datum
from .context import (
    Batch,
    Office,
    about,
    email_bytes,
    file_stem,
    organisation_fields,
    recipient,
    render_email,
)


def refuse_expired(org: Any, announced: dt.date) -> None:
    """An audit announced after the certificate ended is no renewal: the office must look."""
    if org.certified_until < announced:
        raise DataError(
            f"the certificate expired on {datum(org.certified_until)}, before this "
            f"announcement ({datum(announced)})",
            location=org.origin.at("certified_until"),
            hint="check certified_until in the register, or give the intended --date")


#: A reminder sent on or after the intake deadline gives this many weeks more.
REMINDER_GRACE_WEEKS = 1


def announcement_context(org: Any, quarter: Quarter, announced: dt.date, office: Office,
                         reminder_date: dt.date | None = None) -> dict[str, Any]:
    framework = load_framework(org.framework)
    deadline = intake_deadline(announced, framework.deadlines)
    if reminder_date is not None and reminder_date >= deadline:
        # A reminder never asks for a date already past: it gives one more week.
        deadline = reminder_date + dt.timedelta(weeks=REMINDER_GRACE_WEEKS)
    return {
        **office.fields(),
        **organisation_fields(org, framework, office),
        "kwartaal": str(quarter),
        "geldig_tot": org.certified_until,
        "aankondigingsdatum": announced,
        "intake_deadline": deadline,
        "zelfevaluatie_weken": framework.deadlines.selfevaluation_weeks_before,
        "cyclus_jaren": framework.deadlines.validity_years,
        "briefdatum": reminder_date or announced,
    }


def announce(orgs: Sequence[Any], quarter: Quarter, batch: Batch, office: Office,
             announced: dt.date, *, reminder: bool = False,
             reminder_date: dt.date | None = None) -> list[Any]:
    """Write one .eml per organisation due in ``quarter``; returns those organisations.

    ``reminder`` writes the intake reminder instead, dated ``reminder_date``, with the
    deadline counted from the announcement date (or one more week when that has passed).
    """
    kind = "intake-herinnering" if reminder else "aankondiging"
    due = due_in(orgs, quarter)
    problems = Problems()
    for org in due:
        with problems.catch(), about(org):
            refuse_expired(org, announced)
            context = announcement_context(org, quarter, announced, office,
                                           reminder_date if reminder else None)
            email = render_email(kind, context, recipient(org))
            batch.add(kind, file_stem(org, kind), ".eml", email_bytes(email, office), org.name)
    problems.raise_if_any()
    return due
