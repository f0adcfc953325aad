"""The certification process as pure rules: a dossier's events in, its state out.

One dossier per organisation per certification cycle. Its events are appended, never
changed (the office database enforces that); everything else — the step reached, the next
action and its deadline, whether a command may run — is derived here from the events and
the framework's deadlines, so the command line, the demo and the web app agree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from .advice import CERTIFIED
from .frameworks import Deadlines
from .planning import (
    Quarter,
    concept_report_deadline,
    heraudit_date,
    intake_deadline,
    response_deadline,
    selfevaluation_deadline,
)
from .refusals import REFUSALS, Refusal, refuse  # noqa: F401 (the rules' API)


class Kind(StrEnum):
    """What can happen in a dossier; the value is how people write it (``record``)."""

    ANNOUNCED = "aangekondigd"
    INTAKE_REMINDED = "intake-herinnerd"
    INTAKE_RECEIVED = "intake-ontvangen"
    CONFIRMED = "bevestigd"
    SELFEVALUATION_RECEIVED = "zelfevaluatie-ontvangen"
    AUDIT_HELD = "audit-gehouden"
    CONCEPT_SENT = "concept-verstuurd"
    RESPONSE_RECEIVED = "reactie-ontvangen"
    RESPONSE_TERM_PASSED = "reactietermijn-verstreken"
    FINAL_REPORT = "definitief-rapport"
    DECIDED = "besluit"
    CERTIFICATE_ISSUED = "certificaat-uitgereikt"
    POSTED = "post-verstuurd"
    HERAUDIT_PLANNED = "heraudit-gepland"
    HERAUDIT_HELD = "heraudit-gehouden"
    HERAUDIT_DECIDED = "heraudit-besluit"
    POSTPONED = "uitstel"
    OBJECTION_FILED = "bezwaar-ingediend"
    OBJECTION_SETTLED = "bezwaar-afgehandeld"
    SURVEY_SENT = "enquete-verstuurd"
    COMPLAINT = "klacht"
    APPROVED = "goedgekeurd"
    SENT = "verzonden"  # a document's e-mail went out (recorded by the send step)
    # What the office did that changes no step (the dossier's account of who did what):
    MARKED_SENT = "als-verzonden-gemarkeerd"  # an unconfirmed e-mail found to have arrived
    TEST_SENT = "testmail-verstuurd"  # one message of a batch to the user's own address
    REGISTER_READ = "register-ingelezen"  # a register that changed the organisation's row
    PLANNING_READ = "planning-ingelezen"  # a planning with a new or changed audit row
    SCORESHEET_READ = "scoreformulier-ingelezen"  # the organisation's score sheet taken in


#: Events that happen outside the tool, recorded with ``cbct-docs record`` (or a sheet).
MANUAL_KINDS = (Kind.INTAKE_RECEIVED, Kind.SELFEVALUATION_RECEIVED, Kind.AUDIT_HELD,
                Kind.RESPONSE_RECEIVED, Kind.RESPONSE_TERM_PASSED, Kind.POSTED,
                Kind.HERAUDIT_HELD, Kind.POSTPONED, Kind.OBJECTION_FILED,
                Kind.OBJECTION_SETTLED, Kind.COMPLAINT)

#: Events that only tell who did what: no step, no deadline, no rule looks at them
#: (:func:`next_action` and every ``may_*`` ask for other kinds), and ``record`` refuses
#: them (the operation that did it records them).
INFO_KINDS = (Kind.MARKED_SENT, Kind.TEST_SENT, Kind.REGISTER_READ, Kind.PLANNING_READ,
              Kind.SCORESHEET_READ)

#: How a person reads each event in a timeline. A document event is dated by its
#: document and recorded when the document is made (sending it is the send step's).
LABELS = {
    Kind.ANNOUNCED: "Aankondiging gemaakt",
    Kind.INTAKE_REMINDED: "Herinnering intake gemaakt",
    Kind.INTAKE_RECEIVED: "Intake ontvangen",
    Kind.CONFIRMED: "Bevestigingsbrief gemaakt",
    Kind.SELFEVALUATION_RECEIVED: "Zelfevaluatie ontvangen",
    Kind.AUDIT_HELD: "Audit gehouden",
    Kind.CONCEPT_SENT: "Conceptrapport gemaakt",
    Kind.RESPONSE_RECEIVED: "Reactie op concept ontvangen",
    Kind.RESPONSE_TERM_PASSED: "Reactietermijn verstreken",
    Kind.FINAL_REPORT: "Definitief rapport vastgesteld",
    Kind.DECIDED: "Besluit genomen",
    Kind.CERTIFICATE_ISSUED: "Certificaat uitgereikt",
    Kind.POSTED: "Certificaat en gevelbord per post verstuurd",
    Kind.HERAUDIT_PLANNED: "Heraudit gepland",
    Kind.HERAUDIT_HELD: "Heraudit gehouden",
    Kind.HERAUDIT_DECIDED: "Besluit na heraudit",
    Kind.POSTPONED: "Uitstel",
    Kind.OBJECTION_FILED: "Bezwaar ingediend",
    Kind.OBJECTION_SETTLED: "Bezwaar afgehandeld",
    Kind.SURVEY_SENT: "Tevredenheidsenquête gemaakt",
    Kind.COMPLAINT: "Klacht",
    Kind.APPROVED: "Goedgekeurd",
    Kind.SENT: "Verzonden per e-mail",
    Kind.MARKED_SENT: "Als verzonden gemarkeerd (aankomst nagekeken)",
    Kind.TEST_SENT: "Testmail naar eigen adres verstuurd",
    Kind.REGISTER_READ: "Register ingelezen",
    Kind.PLANNING_READ: "Planning ingelezen",
    Kind.SCORESHEET_READ: "Scoreformulier ingelezen",
}


def parse_kind(text: str) -> Kind:
    """``intake-ontvangen``, ``intake ontvangen`` or ``Intake_ontvangen`` → the kind."""
    key = "-".join(str(text).strip().lower().replace("_", " ").split())
    key = key.replace("enquête", "enquete")
    for kind in Kind:
        if kind.value == key:
            return kind
    raise ValueError(key)


@dataclass(frozen=True)
class Event:
    kind: Kind
    day: dt.date  # when it happened (the document's date for documents)
    data: Mapping[str, Any] = field(default_factory=dict)
    recorded_at: str = ""
    recorded_by: str = ""
    document: str = ""  # path of the document the event made, if any
    sha256: str = ""
    id: int = 0

    @property
    def label(self) -> str:
        if self.kind == Kind.APPROVED and self.data.get("oordeel") == "tegengehouden":
            return "Tegengehouden"  # a verdict on a document, recorded as its approval step
        return LABELS[self.kind]

    @property
    def reason(self) -> str:
        return str(self.data.get("reden") or "")


def _days(values: Iterable[Any]) -> list[dt.date]:
    return sorted(dt.date.fromisoformat(str(v)) for v in values)


@dataclass
class DossierState:
    """What has happened in one cycle, folded from its events in order."""

    cert_nr: str
    cycle: Quarter
    events: list[Event] = field(default_factory=list)

    def last(self, *kinds: Kind) -> Event | None:
        for event in reversed(self.events):
            if event.kind in kinds:
                return event
        return None

    def day(self, kind: Kind) -> dt.date | None:
        event = self.last(kind)
        return event.day if event else None

    @property
    def quarter(self) -> Quarter:
        """The quarter the audit falls in: the cycle's, or the one it was postponed to."""
        postponed = self.last(Kind.POSTPONED)
        return Quarter.parse(str(postponed.data["kwartaal"])) if postponed else self.cycle

    @property
    def planned_days(self) -> list[dt.date]:
        event = self.last(Kind.CONFIRMED)
        return _days(event.data.get("dagen", ())) if event else []

    @property
    def audit_days(self) -> list[dt.date]:
        event = self.last(Kind.AUDIT_HELD)
        return _days(event.data.get("dagen", ())) if event else []

    @property
    def decision(self) -> Event | None:
        """The decision that stands: after a heraudit, that one."""
        return self.last(Kind.HERAUDIT_DECIDED, Kind.DECIDED)

    @property
    def certified(self) -> bool:
        decision = self.decision
        return decision is not None and decision.data.get("besluit") == CERTIFIED

    @property
    def certificates(self) -> list[Event]:
        return [e for e in self.events if e.kind == Kind.CERTIFICATE_ISSUED]

    @property
    def response_closed(self) -> Event | None:
        return self.last(Kind.RESPONSE_RECEIVED, Kind.RESPONSE_TERM_PASSED)

    @property
    def exceptions(self) -> list[Event]:
        """Steps taken against a rule, with the reason given (shown in ``status``)."""
        return [e for e in self.events
                if e.reason and e.kind != Kind.POSTPONED and e.kind not in INFO_KINDS]


def fold(cert_nr: str, cycle: Quarter, events: Sequence[Event]) -> DossierState:
    return DossierState(cert_nr, cycle, list(events))


# --- where a dossier stands -------------------------------------------------------------

@dataclass(frozen=True)
class NextAction:
    step: str  # the step reached, in words
    action: str  # what is to be done next, in words ("" when the cycle is complete)
    command: str  # how to do it (a command or "record …")
    deadline: dt.date | None = None

    def overdue(self, today: dt.date) -> bool:
        return self.deadline is not None and self.deadline < today


def next_action(state: DossierState, deadlines: Deadlines) -> NextAction:
    """The step reached and what comes next, with its deadline."""
    for rule in _RULES:
        found = rule(state, deadlines)
        if found is not None:
            return found
    return NextAction("Cyclus afgerond", "", "")


#: Once one of these happened, the steps before the audit are behind the dossier.
_AUDIT_ON = (Kind.AUDIT_HELD, Kind.CONCEPT_SENT, Kind.FINAL_REPORT, Kind.DECIDED)


def _before_audit(s: DossierState, d: Deadlines) -> NextAction | None:
    if s.last(*_AUDIT_ON) is not None:
        return None
    announced = s.day(Kind.ANNOUNCED)
    if announced is None:
        return NextAction("Nog niet aangekondigd", "Aankondiging versturen",
                          f"announce --quarter {s.quarter}", s.quarter.start)
    if s.day(Kind.INTAKE_RECEIVED) is None and s.day(Kind.CONFIRMED) is None:
        return NextAction("Aangekondigd", "Intake ontvangen", "record intake-ontvangen",
                          intake_deadline(announced, d))
    if s.day(Kind.CONFIRMED) is None:
        return NextAction("Intake ontvangen", "Bevestigingsbrief versturen",
                          f"confirm --quarter {s.quarter}", None)
    planned = s.planned_days
    if s.day(Kind.SELFEVALUATION_RECEIVED) is None and planned:
        return NextAction("Bevestigd", "Zelfevaluatie ontvangen",
                          "record zelfevaluatie-ontvangen",
                          selfevaluation_deadline(planned[0], d))
    return NextAction("Zelfevaluatie ontvangen", "Audit houden", "record audit-gehouden",
                      planned[-1] if planned else s.quarter.end)


def _audit_to_decision(s: DossierState, d: Deadlines) -> NextAction | None:
    if s.decision is not None:
        return None
    concept = s.day(Kind.CONCEPT_SENT)
    if concept is None:
        last_day = s.audit_days[-1] if s.audit_days else s.quarter.end
        return NextAction("Audit gehouden", "Conceptrapport versturen", "report --concept",
                          concept_report_deadline(last_day, d))
    if s.response_closed is None and s.day(Kind.FINAL_REPORT) is None:
        return NextAction("Concept verstuurd", "Reactie afwachten (hoor en wederhoor)",
                          "record reactie-ontvangen", response_deadline(concept, d))
    if s.day(Kind.FINAL_REPORT) is None:
        return NextAction("Reactie verwerkt", "Definitief rapport vaststellen",
                          "report --definitief", None)
    return NextAction("Definitief rapport", "Besluit nemen", "decide", None)


def _after_decision(s: DossierState, d: Deadlines) -> NextAction | None:
    decision = s.decision
    if decision is None:
        return None
    if s.certified:
        if not s.certificates:
            return NextAction("Gecertificeerd", "Certificaat uitreiken", "certificate",
                              decision.day)
        if s.day(Kind.POSTED) is None:
            return NextAction("Certificaat uitgereikt", "Certificaat en gevelbord per post",
                              "record post-verstuurd", None)
    elif decision.kind == Kind.DECIDED:
        planned = s.last(Kind.HERAUDIT_PLANNED)
        if planned is None:
            return NextAction(str(decision.data.get("besluit")), "Heraudit plannen",
                              "heraudit", heraudit_date(decision.day, d))
        if s.last(Kind.HERAUDIT_HELD) is None:
            return NextAction("Heraudit gepland", "Heraudit houden",
                              "record heraudit-gehouden",
                              dt.date.fromisoformat(str(planned.data["datum"])))
        return NextAction("Heraudit gehouden", "Besluit na heraudit", "decide", None)
    if s.day(Kind.SURVEY_SENT) is None:
        return NextAction(_decided_step(s), "Tevredenheidsenquête versturen", "survey", None)
    return None


def _decided_step(s: DossierState) -> str:
    decision = s.decision
    assert decision is not None
    return str(decision.data.get("besluit"))


_RULES = (_before_audit, _audit_to_decision, _after_decision)


# --- what a command may do ---------------------------------------------------------------

def may_announce(s: DossierState) -> Refusal | None:
    announced = s.day(Kind.ANNOUNCED)
    if announced is not None:
        return refuse("announced", skip=True, day=announced)
    return None


def may_remind(s: DossierState, day: dt.date) -> Refusal | None:
    announced = s.day(Kind.ANNOUNCED)
    if announced is None:
        return refuse("not_announced", skip=True)
    received = s.day(Kind.INTAKE_RECEIVED)
    if received is not None:
        return refuse("intake_received", skip=True, day=received)
    if day < announced:
        return refuse("reminder_before_announcement", day=day, announced=announced)
    return None


def may_confirm(s: DossierState, days: Sequence[dt.date]) -> Refusal | None:
    confirmed = s.day(Kind.CONFIRMED)
    if confirmed is not None:
        return refuse("confirmed", skip=True, day=confirmed)
    return audit_in_quarter(s, days)


def audit_in_quarter(s: DossierState, days: Sequence[dt.date]) -> Refusal | None:
    outside = [d for d in days if not s.quarter.contains(d)]
    if outside:
        return refuse("audit_outside_quarter", day=outside[0],
                      quarter_label=s.quarter.label, quarter=s.quarter)
    return None


def may_send_concept(s: DossierState, day: dt.date, last_audit_day: dt.date,
                     deadlines: Deadlines, reason: str = "") -> Refusal | None:
    sent = s.day(Kind.CONCEPT_SENT)
    if sent is not None:
        return refuse("concept_sent", skip=True, day=sent)
    if reason:
        return None
    if day < last_audit_day:
        return refuse("concept_before_audit", day=day, audit=last_audit_day)
    latest = concept_report_deadline(last_audit_day, deadlines)
    if day > latest:
        return refuse("concept_late", day=day, weeks=deadlines.concept_report_weeks,
                      latest=latest)
    return None


def may_finalise(s: DossierState, day: dt.date, deadlines: Deadlines,
                 responded: bool) -> Refusal | None:
    done = s.day(Kind.FINAL_REPORT)
    if done is not None:
        return refuse("final_done", skip=True, day=done)
    concept = s.day(Kind.CONCEPT_SENT)
    if concept is None:
        return refuse("no_concept")
    if day < concept:
        return refuse("final_before_concept", day=day, concept=concept)
    term = response_deadline(concept, deadlines)
    if not responded and s.last(Kind.RESPONSE_RECEIVED) is None and day <= term:
        return refuse("response_term_running", concept=concept, term=term)
    return None


def may_decide(s: DossierState, day: dt.date) -> Refusal | None:
    if s.decision is not None and not _heraudit_pending(s):
        return refuse("decided", skip=True, day=s.decision.day)
    if _heraudit_pending(s):
        return None
    final = s.day(Kind.FINAL_REPORT)
    if final is None:
        return refuse("no_final")
    if day < final:
        return refuse("decision_before_final", day=day, final=final)
    return None


def _heraudit_pending(s: DossierState) -> bool:
    """A heraudit was planned after a first decision and not yet decided on."""
    decision = s.decision
    return (decision is not None and decision.kind == Kind.DECIDED and not s.certified
            and s.last(Kind.HERAUDIT_PLANNED) is not None)


def is_heraudit_decision(s: DossierState) -> bool:
    return _heraudit_pending(s)


def may_certify(s: DossierState, reason: str = "") -> Refusal | None:
    decision = s.decision
    if decision is None:
        return refuse("no_decision")
    if not s.certified:
        return refuse("not_certified", day=decision.day,
                      decision=decision.data.get("besluit"))
    issued = s.certificates
    if issued and not reason:
        first = issued[-1]
        return refuse("certificate_issued", number=first.data.get("nummer"), day=first.day)
    return None


def may_plan_heraudit(s: DossierState) -> Refusal | None:
    decision = s.decision
    if decision is None:
        return refuse("no_decision")
    if s.certified:
        return refuse("no_heraudit_needed", skip=True)
    if decision.kind == Kind.HERAUDIT_DECIDED:
        return refuse("heraudit_decided", skip=True)
    planned = s.last(Kind.HERAUDIT_PLANNED)
    if planned is not None:
        return refuse("heraudit_planned", skip=True, day=planned.data.get("datum"))
    return None


def may_survey(s: DossierState, day: dt.date) -> Refusal | None:
    sent = s.day(Kind.SURVEY_SENT)
    if sent is not None:
        return refuse("survey_sent", skip=True, day=sent)
    decision = s.last(Kind.DECIDED)  # the survey asks about the audit: its decision
    if decision is None:
        return refuse("survey_no_decision")
    if day < decision.day:
        return refuse("survey_before_decision", day=day, decision=decision.day)
    return None


# --- the heraudit -------------------------------------------------------------------------

@dataclass(frozen=True)
class HerauditOutcome:
    advice: str  # Gecertificeerd ("alsnog") or Niet gecertificeerd
    reassessed: list[Any]  # the NormResults of the parts the heraudit covered
    still_insufficient: list[Any]


def judge_heraudit(result: Any, covered: Sequence[str]) -> HerauditOutcome:
    """A heraudit looks only at the parts that fell short (``covered``: their keys, as
    the first decision recorded them): all sufficient now → alsnog gecertificeerd."""
    from .advice import NOT_CERTIFIED

    wanted = {str(key) for key in covered}
    reassessed = [r for r in [*result.norm_results, *result.module_results]
                  if str(r.norm.key) in wanted]
    weak = [r for r in reassessed if not r.sufficient]
    return HerauditOutcome(CERTIFIED if not weak else NOT_CERTIFIED, reassessed, weak)


# --- events recorded by hand ----------------------------------------------------------------

#: Events that happen once in a cycle; recording one again is a mistake.
ONCE = (Kind.INTAKE_RECEIVED, Kind.SELFEVALUATION_RECEIVED, Kind.AUDIT_HELD,
        Kind.RESPONSE_RECEIVED, Kind.RESPONSE_TERM_PASSED, Kind.POSTED, Kind.HERAUDIT_HELD)
#: Kind → (the kind that must come first, the refusal's code when it has not).
NEEDS = {
    Kind.INTAKE_RECEIVED: (Kind.ANNOUNCED, "needs_announcement"),
    Kind.SELFEVALUATION_RECEIVED: (Kind.ANNOUNCED, "needs_announcement"),
    Kind.RESPONSE_RECEIVED: (Kind.CONCEPT_SENT, "needs_concept"),
    Kind.RESPONSE_TERM_PASSED: (Kind.CONCEPT_SENT, "needs_concept"),
    Kind.POSTED: (Kind.CERTIFICATE_ISSUED, "needs_certificate"),
    Kind.HERAUDIT_HELD: (Kind.HERAUDIT_PLANNED, "needs_heraudit"),
    Kind.OBJECTION_SETTLED: (Kind.OBJECTION_FILED, "needs_objection"),
    Kind.OBJECTION_FILED: (Kind.DECIDED, "needs_decision"),
}


def may_record(s: DossierState, kind: Kind, day: dt.date, data: Mapping[str, Any],
               deadlines: Deadlines) -> Refusal | None:
    """Whether an event from outside the tool fits the dossier."""
    if kind not in MANUAL_KINDS:
        return refuse("recorded_by_command", kind=kind.value,
                      kinds=", ".join(k.value for k in MANUAL_KINDS))
    earlier = s.last(kind)
    if kind in ONCE and earlier is not None:
        return refuse("recorded_already", label=LABELS[kind].lower(), day=earlier.day)
    if kind in NEEDS:
        needed, code = NEEDS[kind]
        if s.last(needed) is None:
            return refuse(code)
    return _record_rule(s, kind, day, data, deadlines)


def _record_rule(s: DossierState, kind: Kind, day: dt.date, data: Mapping[str, Any],
                 deadlines: Deadlines) -> Refusal | None:
    if kind == Kind.AUDIT_HELD:
        return audit_in_quarter(s, [day])
    if kind == Kind.RESPONSE_TERM_PASSED:
        concept = s.day(Kind.CONCEPT_SENT)
        assert concept is not None
        term = response_deadline(concept, deadlines)
        if day <= term:
            return refuse("term_running", term=term)
    if kind == Kind.POSTPONED:
        target = data.get("kwartaal")
        if not target or not data.get("reden"):
            return refuse("postponement_incomplete")
        if Quarter.parse(str(target)) <= s.quarter:
            return refuse("postponement_not_later", target=target, quarter=s.quarter)
    return None
