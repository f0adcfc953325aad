"""A whole certification round for a set of organisations, as the demo and the golden
tests run it: announcement, reminder, confirmation, concept and definitive report,
decision, certificate, heraudit, survey, and a campaign.

Every document gets the date it would have in a real round, derived from the planning
(announcement date, audit days) and the framework's deadlines, so the output is the same
on every run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..domain.advice import evaluate
from ..domain.frameworks import load_framework
from ..domain.planning import Quarter, concept_report_deadline, heraudit_date, planned_quarter
from ..domain.register import find_organisation, read_register
from ..domain.scoresheet import check_sheet_matches, read_scoresheet
from ..errors import Problems
from .announcement import announce
from .campaign import campaign
from .certificate import certificate, survey
from .confirmation import confirm
from .context import Batch, Office
from .decision import decide, heraudit_letter, outcome_of
from .planning_data import read_planning
from .report import report

CAMPAIGN_PLACES = 4
CAMPAIGN_TITLE = "pilot digitale zelfevaluatie"


@dataclass(frozen=True)
class Samples:
    register: Path
    planning: Path
    scores: Path  # folder of filled score sheets
    campaign: Path

    @classmethod
    def in_folder(cls, folder: Path) -> Samples:
        return cls(folder / "register.xlsx", folder / "planning.xlsx", folder / "scores",
                   folder / "campaign.xlsx")


@dataclass(frozen=True)
class RoundDates:
    """When each document of one organisation's round goes out."""

    confirmed: dt.date
    concept: dt.date
    definitive: dt.date
    decided: dt.date
    survey: dt.date

    @classmethod
    def for_audit(cls, announced: dt.date, last_day: dt.date, deadlines: Any) -> RoundDates:
        concept = concept_report_deadline(last_day, deadlines) - dt.timedelta(days=7)
        definitive = concept + dt.timedelta(weeks=deadlines.response_weeks + 1)
        decided = definitive + dt.timedelta(weeks=1)
        return cls(confirmed=announced + dt.timedelta(weeks=3), concept=concept,
                   definitive=definitive, decided=decided,
                   survey=decided + dt.timedelta(weeks=1))


CertificateNumbers = Callable[[Any, dt.date], str]


def ledger_numbers(path: Path) -> CertificateNumbers:
    """Certificate numbers from the SQLite ledger at ``path`` (same number on a rerun)."""
    from ..deliver.ledger import Ledger

    def number(org: Any, decided: dt.date) -> str:
        with Ledger(path) as ledger:
            return ledger.allocate_certificate_number(org.cert_nr, org.framework,
                                                      decided.year)

    return number


def run_round(samples: Samples, batch: Batch, office: Office,
              numbers: CertificateNumbers) -> dict[str, Any]:
    """Render the whole round into ``batch`` (not yet written). Returns a summary:
    the quarters announced and the outcome per certificate number."""
    orgs = read_register(samples.register)
    plans = read_planning(samples.planning)
    problems = Problems()

    # Announcements and reminders, per quarter that the planning covers.
    quarters: dict[Quarter, dt.date] = {}
    for cert_nr, plan in plans.items():
        org = find_organisation(orgs, cert_nr)
        quarter = planned_quarter(org.certified_until, load_framework(org.framework).deadlines)
        quarters[quarter] = min(plan.announced, quarters.get(quarter, plan.announced))
    for quarter, announced in sorted(quarters.items()):
        with problems.catch():
            announce(orgs, quarter, batch, office, announced)
            announce(orgs, quarter, batch, office, announced, reminder=True,
                     reminder_date=announced + dt.timedelta(weeks=1))

    outcomes: dict[str, str] = {}
    for cert_nr, plan in plans.items():
        org = find_organisation(orgs, cert_nr)
        deadlines = load_framework(org.framework).deadlines
        dates = RoundDates.for_audit(plan.announced, max(plan.days), deadlines)
        with problems.catch():
            confirm(orgs, plans, batch, office, dates.confirmed, only=[cert_nr])
        sheet_path = samples.scores / f"{cert_nr}.xlsx"
        if not sheet_path.is_file():
            continue
        with problems.catch():
            sheet = read_scoresheet(sheet_path)
            check_sheet_matches(sheet, org)
            result = evaluate(sheet)
            report(org, sheet, batch, office, dates.concept, versions=("concept",))
            report(org, sheet, batch, office, dates.definitive, versions=("definitief",),
                   response=None)
            decide(org, sheet, batch, office, dates.decided, result)
            outcomes[cert_nr] = result.advice
            if outcome_of(result) == "gecertificeerd":
                certificate(org, numbers(org, dates.decided), batch, office, dates.decided)
            else:
                letter_date = heraudit_date(dates.decided, deadlines) - dt.timedelta(weeks=10)
                heraudit_letter(org, sheet, batch, office, dates.decided, letter_date,
                                result=result)
            survey(org, batch, office, dates.survey)
    problems.raise_if_any()
    return {"quarters": [str(q) for q in sorted(quarters)], "outcomes": outcomes}


def run_campaign(samples: Samples, batch: Batch, office: Office) -> dict[str, int]:
    """The campaign goes through the generic merge, which writes its own files."""
    return campaign(samples.campaign, batch, office, CAMPAIGN_PLACES, title=CAMPAIGN_TITLE)
