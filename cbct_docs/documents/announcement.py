"""Aankondiging and intake reminder: e-mails to every organisation whose certificate
expires in a quarter."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..domain.frameworks import load_framework
from ..domain.planning import Quarter, intake_deadline
from ..errors import DataError
from ..render.filters import datum
from .context import Office
from .fields import organisation_fields


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
