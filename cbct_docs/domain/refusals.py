"""Why a step cannot be taken now: every refusal the process rules give, by code.

The command line shows the English texts here; the web app shows a Dutch text for each
code (cbct_docs/web/messages.py; a test keeps the two complete).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..records.dates import day_text


@dataclass(frozen=True)
class Refusal:
    """Why a step cannot be taken now. ``skip``: not at that step (a batch passes it by,
    listing the reason); otherwise a conflict that stops the command. ``code`` names the
    text in :data:`REFUSALS` (the web app shows its Dutch text by that code) and
    ``params`` the values filled in."""

    what: str
    hint: str = ""
    skip: bool = False
    code: str = ""
    params: Mapping[str, str] = field(default_factory=dict)


_SEE_DATE = "check --date"
_DECIDE_FIRST = "decide first: cbct-docs decide SHEET"

#: Every refusal the rules give: code → (what, hint), in the command line's words (a
#: step passed by reads as ``status`` does, in Dutch). The web app has a Dutch text for
#: every code (cbct_docs/web/messages.py; a test keeps the two complete).
REFUSALS: dict[str, tuple[str, str]] = {
    "announced": ("aangekondigd op {day}", ""),
    "not_announced": ("nog niet aangekondigd", "announce the quarter first"),
    "intake_received": ("intake ontvangen op {day}", ""),
    "reminder_before_announcement": (
        "a reminder dated {day} comes before the announcement ({announced})",
        "give the reminder's own --date"),
    "confirmed": ("bevestigd op {day}", ""),
    "audit_outside_quarter": (
        "the audit on {day} falls outside {quarter_label} ({quarter}), the quarter in "
        "which the certificate ends",
        "plan the audit in that quarter, or record the postponement: "
        "cbct-docs record CERTNR uitstel --quarter YYYY-QN --reason TEXT"),
    "concept_sent": ("conceptrapport verstuurd op {day}", ""),
    "concept_before_audit": ("a concept report dated {day} comes before the audit ({audit})",
                             "check --date (or give --reason)"),
    "concept_late": ("a concept report dated {day} is later than the term of {weeks} weeks "
                     "after the audit (by {latest})",
                     "give --reason TEXT to record why it is late"),
    "final_done": ("definitief rapport vastgesteld op {day}", ""),
    "no_concept": ("no concept report was sent yet",
                   "make it first: cbct-docs report SHEET --concept"),
    "final_before_concept": ("the definitief report ({day}) comes before the concept "
                             "({concept})", _SEE_DATE),
    "response_term_running": ("the reaction term on the concept of {concept} runs until "
                              "{term}, and no reaction was recorded",
                              "wait for the term, or record the reaction (--response TEXT)"),
    "decided": ("besluit genomen op {day}", ""),
    "no_final": ("there is no definitief report yet",
                 "make it first: cbct-docs report SHEET --definitief"),
    "decision_before_final": ("the decision ({day}) comes before the definitief report "
                              "({final})", _SEE_DATE),
    "no_decision": ("there is no decision yet", _DECIDE_FIRST),
    "not_certified": ("the decision of {day} is '{decision}', not 'Gecertificeerd'",
                      "a certificate follows only a Gecertificeerd decision"),
    "certificate_issued": ("certificate {number} was issued on {day} in this cycle",
                           "a re-issue needs --reason TEXT (it is recorded)"),
    "no_heraudit_needed": ("gecertificeerd: no heraudit needed", ""),
    "heraudit_decided": ("the heraudit has been decided on", ""),
    "heraudit_planned": ("heraudit gepland op {day}", ""),
    "survey_sent": ("enquête verstuurd op {day}", ""),
    "survey_no_decision": ("there is no decision yet: the survey follows the decision",
                           _DECIDE_FIRST),
    "survey_before_decision": ("a survey dated {day} comes before the decision ({decision})",
                               _SEE_DATE),
    "recorded_by_command": ("'{kind}' is recorded by the command that makes its document",
                            "record one of: {kinds}"),
    "recorded_already": ("{label} was recorded already ({day})", ""),
    "needs_announcement": ("the audit was not announced yet", ""),
    "needs_concept": ("no concept report was sent yet", ""),
    "needs_certificate": ("no certificate was issued yet", ""),
    "needs_heraudit": ("no heraudit was planned", ""),
    "needs_objection": ("no bezwaar was filed", ""),
    "needs_decision": ("there is no decision to object to", ""),
    "term_running": ("the reaction term runs until {term}", ""),
    "postponement_incomplete": ("uitstel needs the new quarter and a reason",
                                "--quarter YYYY-QN --reason TEXT"),
    "postponement_not_later": ("{target} is not later than {quarter}", ""),
}


def refuse(code: str, *, skip: bool = False, **params: Any) -> Refusal:
    """The refusal of :data:`REFUSALS` named ``code``, its values filled in (a date as
    people write it: 1-5-2025)."""
    values = {key: day_text(value) if isinstance(value, dt.date) else str(value)
              for key, value in params.items()}
    what, hint = REFUSALS[code]
    return Refusal(what.format(**values), hint.format(**values), skip, code, values)
