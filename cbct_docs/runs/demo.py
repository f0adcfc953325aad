"""A whole certification round on the sample office, built from the application layer's
operations — as the demo, the golden texts and the tests run it.

Every organisation's documents get the dates they would have in a real round, derived
from the planning (announcement, audit days) and the framework's deadlines, so the output
is the same on every run. Events from outside the tool (intake and zelfevaluatie received,
certificate posted) are recorded as an office would record them.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ..documents.planning_data import AuditPlan, read_planning
from ..domain.advice import CERTIFIED
from ..domain.frameworks import Deadlines, load_framework
from ..domain.planning import Quarter, concept_report_deadline, heraudit_date
from ..domain.process import Kind
from ..domain.register import Organisation, find_organisation
from . import after, audit, before_audit, communications, reports, status
from .office import OfficeFolder
from .record import Happening, record
from .run import RunResult

CAMPAIGN_PLACES = 4
CAMPAIGN_TITLE = "pilot digitale zelfevaluatie"
#: The decision after a heraudit (its score sheets are in samples/heraudit/).
HERAUDIT_WEEKS_AFTER_DAY = 2


@dataclass(frozen=True)
class Samples:
    register: Path
    planning: Path
    scores: Path  # folder of filled score sheets
    heraudit: Path  # folder of heraudit score sheets
    campaign: Path

    @classmethod
    def in_folder(cls, folder: Path) -> Samples:
        return cls(folder / "register.xlsx", folder / "planning.xlsx", folder / "scores",
                   folder / "heraudit", folder / "campaign.xlsx")


@dataclass(frozen=True)
class RoundDates:
    """When each document of one organisation's round goes out."""

    confirmed: dt.date
    concept: dt.date
    definitive: dt.date
    decided: dt.date
    survey: dt.date

    @classmethod
    def for_audit(cls, announced: dt.date, last_day: dt.date,
                  deadlines: Deadlines) -> RoundDates:
        concept = concept_report_deadline(last_day, deadlines) - dt.timedelta(days=7)
        definitive = concept + dt.timedelta(weeks=deadlines.response_weeks + 1)
        decided = definitive + dt.timedelta(weeks=1)
        return cls(confirmed=announced + dt.timedelta(weeks=3), concept=concept,
                   definitive=definitive, decided=decided,
                   survey=decided + dt.timedelta(weeks=1))


@dataclass
class RoundSummary:
    quarters: list[str] = field(default_factory=list)
    outcomes: dict[str, str] = field(default_factory=dict)  # cert_nr → final advice
    results: list[RunResult] = field(default_factory=list)
    campaign: dict[str, int] = field(default_factory=dict)

    def add(self, result: RunResult) -> RunResult:
        self.results.append(result)
        return result

    @property
    def made(self) -> list[Path]:
        return [m.path for r in self.results for m in r.made]

    @property
    def kinds(self) -> Counter[str]:
        return Counter(m.kind for r in self.results for m in r.made)


def run_round(office: OfficeFolder, samples: Samples, out: Path,
              overwrite: bool = False) -> RoundSummary:
    """The whole round for the organisations of the sample planning, into ``out``."""
    summary = RoundSummary()
    orgs, _changes = office.organisations(samples.register)
    plans = read_planning(samples.planning)
    _announce(office, summary, orgs, plans, out, overwrite)
    for cert_nr, plan in plans.items():
        _audit_round(office, summary, find_organisation(orgs, cert_nr), plan, samples, out,
                     overwrite)
    summary.campaign = _campaign(office, summary, samples, out, overwrite)
    return summary


def _announce(office: OfficeFolder, summary: RoundSummary, orgs: list[Organisation],
              plans: dict[str, AuditPlan], out: Path, overwrite: bool) -> None:
    """Announcements per quarter; every intake comes in but the last of each quarter's,
    which gets the reminder a week later."""
    quarters: dict[Quarter, list[AuditPlan]] = {}
    for cert_nr, plan in plans.items():
        org = find_organisation(orgs, cert_nr)
        quarter = status.quarter_of(office, org)
        quarters.setdefault(quarter, []).append(plan)
    for quarter, planned in sorted(quarters.items()):
        announced = min(plan.announced for plan in planned)
        summary.quarters.append(str(quarter))
        summary.add(before_audit.announce(office, quarter, announced, out=out,
                                          overwrite=overwrite))
        intakes = [Happening(plan.cert_nr, Kind.INTAKE_RECEIVED, announced +
                             dt.timedelta(days=5)) for plan in planned[:-1]]
        summary.add(record(office, intakes))
        summary.add(before_audit.intake_reminder(office, quarter,
                                                 announced + dt.timedelta(weeks=1),
                                                 out=out, overwrite=overwrite))


def _audit_round(office: OfficeFolder, summary: RoundSummary, org: Organisation,
                 plan: AuditPlan, samples: Samples, out: Path, overwrite: bool) -> None:
    deadlines = load_framework(org.framework).deadlines
    dates = RoundDates.for_audit(plan.announced, max(plan.days), deadlines)
    summary.add(before_audit.confirm(office, samples.planning, dates.confirmed, out=out,
                                     only=[org.cert_nr], overwrite=overwrite))
    summary.add(record(office, [Happening(org.cert_nr, Kind.SELFEVALUATION_RECEIVED,
                                          plan.first_day - dt.timedelta(weeks=7))]))
    sheet = samples.scores / f"{org.cert_nr}.xlsx"
    if not sheet.is_file():
        return
    summary.add(reports.report(office, [sheet], dates.concept, out=out, concept=True,
                             overwrite=overwrite))
    summary.add(reports.report(office, [sheet], dates.definitive, out=out, concept=False,
                             overwrite=overwrite))
    decided = summary.add(audit.decide(office, [sheet], dates.decided, out=out,
                                       overwrite=overwrite))
    advice = decided.outcomes.get(org.cert_nr, "")
    summary.outcomes[org.cert_nr] = advice
    certified_on = dates.decided
    if advice != CERTIFIED:
        letter_date = heraudit_date(dates.decided, deadlines) - dt.timedelta(weeks=10)
        summary.add(audit.heraudit(office, [sheet], letter_date, out=out,
                                   overwrite=overwrite))
        again = samples.heraudit / f"{org.cert_nr}.xlsx"
        if again.is_file():
            summary.outcomes[org.cert_nr], certified_on = _heraudit(
                office, summary, org, again, out, overwrite)
    summary.add(after.survey(office, [org.cert_nr], dates.survey, out=out,
                             overwrite=overwrite))
    if summary.outcomes[org.cert_nr] == CERTIFIED:
        summary.add(record(office, [Happening(org.cert_nr, Kind.POSTED,
                                              certified_on + dt.timedelta(days=3))]))


def _heraudit(office: OfficeFolder, summary: RoundSummary, org: Organisation, sheet: Path,
              out: Path, overwrite: bool) -> tuple[str, dt.date]:
    """The heraudit's decision, two weeks after its day: the outcome and its date."""
    from ..domain.scoresheet import read_scoresheet

    day = max(read_scoresheet(sheet).audit_dates) + dt.timedelta(
        weeks=HERAUDIT_WEEKS_AFTER_DAY)
    decided = summary.add(audit.decide(office, [sheet], day, out=out, overwrite=overwrite))
    return decided.outcomes.get(org.cert_nr, ""), day


def _campaign(office: OfficeFolder, summary: RoundSummary, samples: Samples, out: Path,
              overwrite: bool) -> dict[str, int]:
    result = summary.add(communications.campaign(office, samples.campaign, CAMPAIGN_PLACES,
                                                 out=out, title=CAMPAIGN_TITLE,
                                                 overwrite=overwrite))
    return dict(result.counts)
