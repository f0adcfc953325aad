"""The certification process as pure rules: a dossier's events in, its state out.

One dossier per organisation per certification cycle. Its events are appended, never
changed (the office database enforces that); everything else — the step reached, the next
action and its deadline — is derived here from the events and the framework's deadlines
(whether a command may run: :mod:`.permissions`), so the command line, the demo and the
web app agree.
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


@dataclass(frozen=True, init=False)
class Event:
    kind: Kind
    day: dt.date  # when it happened (the document's date for documents)
    data: Mapping[str, Any]  # what the event recorded ({} for nothing); always given
    recorded_at: str = ""
    recorded_by: str = ""
    document: str = ""  # path of the document the event made, if any
    sha256: str = ""
    id: int = 0

    def __init__(self, kind: Kind, day: dt.date, data: Mapping[str, Any],
                 recorded_at: str = "", recorded_by: str = "", document: str = "",
                 sha256: str = "", id: int = 0) -> None:  # noqa: A002 (the field's name)
        # The fields set in one go: a frozen dataclass's own __init__ sets them one by one
        # through object.__setattr__ (~0.7 us an event more; an office reads 10,000s).
        object.__setattr__(self, "__dict__", {
            "kind": kind, "day": day, "data": data,
            "recorded_at": recorded_at, "recorded_by": recorded_by, "document": document,
            "sha256": sha256, "id": id})

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
