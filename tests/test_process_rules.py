"""The process rules (domain/process.py) on their own: events in, refusals and next
actions out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import pytest

from cbct_docs.domain.advice import CERTIFIED, CONDITIONAL, NOT_CERTIFIED
from cbct_docs.domain.frameworks import Deadlines
from cbct_docs.domain.permissions import (
    may_certify,
    may_confirm,
    may_decide,
    may_finalise,
    may_record,
    may_remind,
    may_send_concept,
    may_survey,
)
from cbct_docs.domain.planning import Quarter
from cbct_docs.domain.process import DossierState, Event, Kind, next_action, parse_kind
from cbct_docs.domain.refusals import Refusal

D = dt.date
TERMS = Deadlines()
Q2 = Quarter(2025, 2)


def state(*events: tuple[Kind, dt.date] | tuple[Kind, dt.date, Mapping[str, object]]
          ) -> DossierState:
    return DossierState("CBCT-0101", Q2, [Event(e[0], e[1], e[2] if len(e) > 2 else {})
                                          for e in events])


def refused(refusal: Refusal | None) -> Refusal:
    """The refusal a rule must give here (None would be: allowed)."""
    assert refusal is not None, "the rule allows what it should refuse"
    return refusal


ANNOUNCED = (Kind.ANNOUNCED, D(2025, 1, 13))
CONCEPT = (Kind.CONCEPT_SENT, D(2025, 6, 2))
FINAL = (Kind.FINAL_REPORT, D(2025, 6, 20))


DECISION_DAY = D(2025, 7, 1)


def decided(advice: str) -> tuple[Kind, dt.date, dict[str, object]]:
    return (Kind.DECIDED, DECISION_DAY, {"besluit": advice, "onvoldoende": ["3"]})


def test_reminder_refused_before_the_announcement_and_skipped_after_the_intake() -> None:
    refusal = may_remind(state(ANNOUNCED), D(2025, 1, 10))
    assert refusal is not None and not refusal.skip
    assert refusal.what == ("a reminder dated 10-1-2025 comes before the announcement "
                            "(13-1-2025)")
    received = may_remind(state(ANNOUNCED, (Kind.INTAKE_RECEIVED, D(2025, 1, 20))),
                          D(2025, 1, 27))
    assert received is not None and received.skip
    assert received.what == "intake ontvangen op 20-1-2025"
    assert may_remind(state(ANNOUNCED), D(2025, 1, 27)) is None
    assert refused(may_remind(state(), D(2025, 1, 27))).skip


def test_an_audit_outside_the_quarter_is_refused_unless_postponed() -> None:
    august = [D(2025, 8, 12)]
    refusal = may_confirm(state(ANNOUNCED), august)
    assert refusal is not None and not refusal.skip
    assert "falls outside tweede kwartaal van 2025 (2025-Q2)" in refusal.what
    postponed = state(ANNOUNCED, (Kind.POSTPONED, D(2025, 3, 1),
                                  {"kwartaal": "2025-Q3", "reden": "verbouwing"}))
    assert may_confirm(postponed, august) is None
    assert postponed.quarter == Quarter(2025, 3)


@pytest.mark.parametrize(("day", "expected"), [
    (D(2025, 5, 13), "a concept report dated 13-5-2025 comes before the audit (14-5-2025)"),
    (D(2025, 6, 26), "a concept report dated 26-6-2025 is later than the term of 3 weeks "
                     "after the audit (by 4-6-2025)"),
])
def test_a_concept_out_of_term_needs_a_reason(day: dt.date, expected: str) -> None:
    refusal = may_send_concept(state(ANNOUNCED), day, D(2025, 5, 14), TERMS)
    assert refusal is not None and refusal.what == expected
    assert may_send_concept(state(ANNOUNCED), day, D(2025, 5, 14), TERMS, "ziek") is None
    assert may_send_concept(state(ANNOUNCED), D(2025, 6, 4), D(2025, 5, 14), TERMS) is None


def test_definitief_waits_for_a_reaction_or_the_end_of_the_term() -> None:
    assert refused(may_finalise(state(), D(2025, 7, 1), TERMS, False)).what == (
        "no concept report was sent yet")
    early = may_finalise(state(CONCEPT), D(2025, 6, 3), TERMS, responded=False)
    assert early is not None
    assert early.what == ("the reaction term on the concept of 2-6-2025 runs until "
                          "16-6-2025, and no reaction was recorded")
    assert may_finalise(state(CONCEPT), D(2025, 6, 3), TERMS, responded=True) is None
    assert may_finalise(state(CONCEPT), D(2025, 6, 17), TERMS, responded=False) is None


def test_a_decision_needs_the_definitief_report() -> None:
    refusal = may_decide(state(CONCEPT), D(2025, 7, 1))
    assert refusal is not None and refusal.what == "there is no definitief report yet"
    assert may_decide(state(CONCEPT, FINAL), D(2025, 7, 1)) is None
    again = may_decide(state(CONCEPT, FINAL, decided(CERTIFIED)), D(2025, 7, 2))
    assert again is not None and again.skip


def test_a_decision_after_a_heraudit_needs_no_second_report() -> None:
    planned = (Kind.HERAUDIT_PLANNED, D(2025, 11, 1), {"datum": "2026-01-13"})
    assert may_decide(state(CONCEPT, FINAL, decided(CONDITIONAL), planned),
                      D(2026, 1, 27)) is None


@pytest.mark.parametrize(("advice", "expected"), [
    (NOT_CERTIFIED, "the decision of 1-7-2025 is 'Niet gecertificeerd', not 'Gecertificeerd'"),
    (CONDITIONAL, "the decision of 1-7-2025 is 'Voorwaardelijk gecertificeerd', not "
                  "'Gecertificeerd'"),
])
def test_no_certificate_without_a_certified_decision(advice: str, expected: str) -> None:
    refusal = may_certify(state(FINAL, decided(advice)))
    assert refusal is not None and refusal.what == expected
    assert refused(may_certify(state(FINAL))).what == "there is no decision yet"


def test_a_second_certificate_in_a_cycle_needs_a_reason() -> None:
    issued = (Kind.CERTIFICATE_ISSUED, D(2025, 7, 1), {"nummer": "KiB-2025-0001"})
    refusal = may_certify(state(FINAL, decided(CERTIFIED), issued))
    assert refusal is not None
    assert refusal.what == "certificate KiB-2025-0001 was issued on 1-7-2025 in this cycle"
    assert may_certify(state(FINAL, decided(CERTIFIED), issued), "verloren") is None


def test_alsnog_gecertificeerd_after_the_heraudit_allows_the_certificate() -> None:
    planned = (Kind.HERAUDIT_PLANNED, D(2025, 11, 1), {"datum": "2026-01-13"})
    after = (Kind.HERAUDIT_DECIDED, D(2026, 1, 27), {"besluit": CERTIFIED})
    assert may_certify(state(FINAL, decided(CONDITIONAL), planned, after)) is None


def test_survey_follows_the_decision() -> None:
    assert refused(may_survey(state(FINAL), D(2025, 7, 8))).what == (
        "there is no decision yet: the survey follows the decision")
    before = may_survey(state(FINAL, decided(CERTIFIED)), D(2025, 6, 30))
    assert before is not None
    assert before.what == "a survey dated 30-6-2025 comes before the decision (1-7-2025)"
    assert may_survey(state(FINAL, decided(CERTIFIED)), D(2025, 7, 8)) is None


def test_recorded_events_are_checked_against_the_dossier() -> None:
    early = refused(may_record(state(), Kind.INTAKE_RECEIVED, D(2025, 1, 20), {}, TERMS))
    assert early.what == "the audit was not announced yet"
    twice = state(ANNOUNCED, (Kind.INTAKE_RECEIVED, D(2025, 1, 20)))
    again = refused(may_record(twice, Kind.INTAKE_RECEIVED, D(2025, 1, 21), {}, TERMS))
    assert again.what == "intake ontvangen was recorded already (20-1-2025)"
    made = may_record(state(), Kind.DECIDED, D(2025, 1, 20), {}, TERMS)
    assert made is not None and "recorded by the command that makes its document" in made.what
    term = may_record(state(CONCEPT), Kind.RESPONSE_TERM_PASSED, D(2025, 6, 10), {}, TERMS)
    assert term is not None and term.what == "the reaction term runs until 16-6-2025"
    back = may_record(state(), Kind.POSTPONED, D(2025, 3, 1),
                      {"kwartaal": "2025-Q1", "reden": "x"}, TERMS)
    assert back is not None and back.what == "2025-Q1 is not later than 2025-Q2"


def test_next_action_walks_the_whole_cycle() -> None:
    steps = [
        (state(), "Aankondiging versturen", D(2025, 4, 1)),
        (state(ANNOUNCED), "Intake ontvangen", D(2025, 1, 27)),
        (state(ANNOUNCED, (Kind.INTAKE_RECEIVED, D(2025, 1, 20))),
         "Bevestigingsbrief versturen", None),
        (state(ANNOUNCED, (Kind.CONFIRMED, D(2025, 2, 3), {"dagen": ["2025-05-13"]})),
         "Zelfevaluatie ontvangen", D(2025, 4, 1)),
        (state(ANNOUNCED, (Kind.AUDIT_HELD, D(2025, 5, 14), {"dagen": ["2025-05-14"]})),
         "Conceptrapport versturen", D(2025, 6, 4)),
        (state(CONCEPT), "Reactie afwachten (hoor en wederhoor)", D(2025, 6, 16)),
        (state(CONCEPT, (Kind.RESPONSE_RECEIVED, D(2025, 6, 10))),
         "Definitief rapport vaststellen", None),
        (state(CONCEPT, FINAL), "Besluit nemen", None),
        (state(FINAL, decided(CERTIFIED)), "Certificaat uitreiken", D(2025, 7, 1)),
        (state(FINAL, decided(CONDITIONAL)), "Heraudit plannen", D(2026, 1, 1)),
        (state(FINAL, decided(CERTIFIED), (Kind.CERTIFICATE_ISSUED, D(2025, 7, 1)),
               (Kind.POSTED, D(2025, 7, 3))), "Tevredenheidsenquête versturen", None),
    ]
    for dossier, action, deadline in steps:
        found = next_action(dossier, TERMS)
        assert (found.action, found.deadline) == (action, deadline), dossier.events


def test_event_names_as_people_write_them() -> None:
    assert parse_kind("Intake ontvangen") == Kind.INTAKE_RECEIVED
    assert parse_kind("enquête_verstuurd") == Kind.SURVEY_SENT
    with pytest.raises(ValueError):
        parse_kind("intake binnen")


def test_what_the_office_did_tells_who_but_moves_no_step() -> None:
    """A test mail, a message marked as arrived or an upload is in the timeline; the step,
    its deadline and every rule are as they were without it."""
    from cbct_docs.domain.process import INFO_KINDS, LABELS

    intake = (Kind.INTAKE_RECEIVED, D(2025, 1, 20))
    plain = state(ANNOUNCED, intake)
    note: dict[str, object] = {"toelichting": "x", "reden": "y"}
    noted = state(ANNOUNCED, *[(kind, D(2025, 1, 21), note) for kind in INFO_KINDS], intake)
    assert next_action(noted, TERMS) == next_action(plain, TERMS)
    assert next_action(noted, TERMS).action == "Bevestigingsbrief versturen"
    assert may_confirm(noted, [D(2025, 5, 13)]) == may_confirm(plain, [D(2025, 5, 13)])
    assert may_remind(noted, D(2025, 2, 1)) == may_remind(plain, D(2025, 2, 1))
    assert noted.exceptions == []  # a note's data is no reason for a step taken
    for kind in INFO_KINDS:
        refused = may_record(plain, kind, D(2025, 1, 22), {}, TERMS)
        assert refused is not None and refused.code == "recorded_by_command"
        assert LABELS[kind] and Event(kind, D(2025, 1, 22), {}).label == LABELS[kind]
    assert LABELS[Kind.REGISTER_READ] == "Register ingelezen"


def test_every_refusal_has_a_code_and_its_text() -> None:
    from cbct_docs.domain.refusals import REFUSALS, refuse

    refusal = may_remind(state(ANNOUNCED), D(2025, 1, 1))
    assert refusal is not None and refusal.code == "reminder_before_announcement"
    assert refusal.params == {"day": "1-1-2025", "announced": "13-1-2025"}
    assert refusal.what == ("a reminder dated 1-1-2025 comes before the announcement "
                            "(13-1-2025)")
    with pytest.raises(KeyError):
        refuse("no-such-code")
    assert all(what for what, _hint in REFUSALS.values())


def test_an_event_is_built_by_position_or_by_name_and_cannot_be_changed() -> None:
    day = dt.date(2025, 3, 4)
    by_name = Event(Kind.APPROVED, day, {"oordeel": "tegengehouden"}, recorded_at="2025-03-04",
                    recorded_by="anna", document="out/a.docx", sha256="ab", id=7)
    by_position = Event(Kind.APPROVED, day, {"oordeel": "tegengehouden"}, "2025-03-04",
                        "anna", "out/a.docx", "ab", 7)
    assert by_name == by_position
    assert (by_name.recorded_by, by_name.document, by_name.sha256, by_name.id) == (
        "anna", "out/a.docx", "ab", 7)
    assert by_name.label == "Tegengehouden"
    bare = Event(Kind.APPROVED, day, {})
    assert (bare.data, bare.recorded_at, bare.document, bare.id) == ({}, "", "", 0)
    assert bare.label != "Tegengehouden"
    assert bare != by_name
    with pytest.raises(TypeError, match="data"):  # every caller says what it recorded
        Event(Kind.APPROVED, day)  # type: ignore[call-arg]
    with pytest.raises(AttributeError):
        bare.id = 3  # type: ignore[misc]
    assert repr(bare).startswith("Event(kind=<Kind.APPROVED")
