"""What a command may do with a dossier, from its state: each rule gives a
:class:`~cbct_docs.domain.refusals.Refusal` (why not) or None; the heraudit's judgement;
the events an office records by hand. Pure, like :mod:`.process`, whose state it reads."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .advice import CERTIFIED
from .frameworks import Deadlines
from .planning import Quarter, concept_report_deadline, response_deadline
from .process import LABELS, MANUAL_KINDS, DossierState, Kind
from .refusals import Refusal, refuse

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
