"""The Dutch the web pages show for what the rules and the operations say in English.

The command line speaks English; its refusals (``Refusal`` of
:mod:`cbct_docs.domain.process`, by their ``code``) and the errors of the operations reach
the web app as English text. Here is the one Dutch text for each: a refusal by its code,
an error by its English text (the constant the operation raises, or its words where the
operation keeps them inline). :func:`dutch` turns an English message into Dutch, filling in
the values it carried (dates, numbers, names); a text it does not know stays as it is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..deliver.sending import Decision
from ..domain.refusals import REFUSALS
from ..errors import CbctError, ProblemList
from ..runs.record import TWICE, UNKNOWN_EVENT
from ..runs.run import Note, Skip
from ..runs.sent import NOT_UNCONFIRMED

_DATE = "controleer de datum"

#: Refusal code → (what, hint) in Dutch; the same {values} as the English.
REFUSALS_NL: dict[str, tuple[str, str]] = {
    "announced": ("aangekondigd op {day}", ""),
    "not_announced": ("nog niet aangekondigd", "kondig het kwartaal eerst aan"),
    "intake_received": ("intake ontvangen op {day}", ""),
    "reminder_before_announcement": (
        "een herinnering met datum {day} ligt vóór de aankondiging ({announced})",
        "geef de herinnering haar eigen datum"),
    "confirmed": ("bevestigd op {day}", ""),
    "audit_outside_quarter": (
        "de audit op {day} valt buiten het {quarter_label} ({quarter}), het kwartaal "
        "waarin het certificaat afloopt",
        "plan de audit in dat kwartaal, of leg het uitstel vast (Vastleggen: uitstel, "
        "met het nieuwe kwartaal en een reden)"),
    "concept_sent": ("conceptrapport verstuurd op {day}", ""),
    "concept_before_audit": ("een conceptrapport met datum {day} ligt vóór de audit ({audit})",
                             _DATE),
    "concept_late": ("een conceptrapport met datum {day} is later dan de termijn van {weeks} "
                     "weken na de audit (uiterlijk {latest})",
                     "leg met een reden vast waarom het later is"),
    "final_done": ("definitief rapport vastgesteld op {day}", ""),
    "no_concept": ("er is nog geen conceptrapport verstuurd", "maak eerst het conceptrapport"),
    "final_before_concept": ("het definitieve rapport ({day}) ligt vóór het concept "
                             "({concept})", _DATE),
    "response_term_running": ("de reactietermijn op het concept van {concept} loopt tot "
                              "{term}, en er is geen reactie vastgelegd",
                              "wacht de termijn af, of leg de reactie vast"),
    "decided": ("besluit genomen op {day}", ""),
    "no_final": ("er is nog geen definitief rapport", "maak eerst het definitieve rapport"),
    "decision_before_final": ("het besluit ({day}) ligt vóór het definitieve rapport "
                              "({final})", _DATE),
    "no_decision": ("er is nog geen besluit", "neem eerst het besluit"),
    "not_certified": ("het besluit van {day} is '{decision}', niet 'Gecertificeerd'",
                      "een certificaat volgt alleen op het besluit Gecertificeerd"),
    "certificate_issued": ("certificaat {number} is op {day} in deze cyclus uitgereikt",
                           "opnieuw uitreiken vraagt een reden (die wordt vastgelegd)"),
    "no_heraudit_needed": ("gecertificeerd: geen heraudit nodig", ""),
    "heraudit_decided": ("over de heraudit is besloten", ""),
    "heraudit_planned": ("heraudit gepland op {day}", ""),
    "survey_sent": ("enquête verstuurd op {day}", ""),
    "survey_no_decision": ("er is nog geen besluit: de enquête volgt op het besluit",
                           "neem eerst het besluit"),
    "survey_before_decision": ("een enquête met datum {day} ligt vóór het besluit "
                               "({decision})", _DATE),
    "recorded_by_command": ("'{kind}' wordt vastgelegd door de stap die het document maakt",
                            "leg een van deze vast: {kinds}"),
    "recorded_already": ("{label} is al vastgelegd ({day})", ""),
    "needs_announcement": ("de audit is nog niet aangekondigd", ""),
    "needs_concept": ("er is nog geen conceptrapport verstuurd", ""),
    "needs_certificate": ("er is nog geen certificaat uitgereikt", ""),
    "needs_heraudit": ("er is geen heraudit gepland", ""),
    "needs_objection": ("er is geen bezwaar ingediend", ""),
    "needs_decision": ("er is geen besluit om bezwaar tegen te maken", ""),
    "term_running": ("de reactietermijn loopt tot {term}", ""),
    "postponement_incomplete": ("uitstel vraagt het nieuwe kwartaal en een reden",
                                "vul het nieuwe kwartaal (bijvoorbeeld 2025-Q3) en de reden in"),
    "postponement_not_later": ("{target} is niet later dan {quarter}", ""),
}

#: What the operations (and the layers under them) say in English → Dutch.
ERRORS_NL: dict[str, str] = {
    UNKNOWN_EVENT: "onbekende gebeurtenis '{kind}'",
    TWICE: "'{kind}' staat twee keer bij {cert_nr}",
    NOT_UNCONFIRMED: "alleen een onbevestigd bericht kan als verzonden worden gemarkeerd",
    "ledger: {path}": "verzendlogboek: {path}",
    "one of: {kinds}": "een van: {kinds}",
    "no organisation with certificate number {number}":
        "er is geen organisatie met certificaatnummer {number}",
    "did you mean {numbers}?": "bedoelt u {numbers}?",
    "see the register's cert_nr column": "zie de kolom cert_nr van het register",
    "the office database has no organisations yet":
        "de kantoordatabase heeft nog geen organisaties",
    "read the register in: cbct-docs register import register.xlsx (or pass --register FILE)":
        "lees eerst het register in bij Bestanden",
    "the office database failed: {error}": "de kantoordatabase gaf een fout: {error}",
    "is the disk full, or the file read-only or damaged? Nothing of this step was recorded; "
    "run it again when that is solved":
        "is de schijf vol, of het bestand alleen-lezen of beschadigd? Er is niets van deze "
        "stap vastgelegd; doe het opnieuw als dat opgelost is",
    "exists already": "bestaat al",
    "exists already (and {count} more)": "bestaat al (en nog {count})",
    "nothing was written; use --overwrite to replace":
        "er is niets geschreven; een bestaand bestand wordt niet overschreven",
    "[web] four_eyes must be true or false": "[web] four_eyes moet true of false zijn",
}


def _pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"\{(\w+)\}", template)
    regex = "".join(re.escape(part) if i % 2 == 0 else f"(?P<{part}>.*?)"
                    for i, part in enumerate(parts))
    return re.compile(regex + r"\Z", re.DOTALL)


def _catalog() -> list[tuple[re.Pattern[str], str]]:
    pairs: dict[str, str] = {}
    for code, (what, hint) in REFUSALS.items():
        what_nl, hint_nl = REFUSALS_NL[code]
        pairs[what] = what_nl
        if hint:
            pairs[hint] = hint_nl
    pairs.update(ERRORS_NL)
    # The longest English text first: a text with more fixed words is the more precise.
    ordered = sorted(pairs.items(), key=lambda pair: -len(re.sub(r"\{\w+\}", "", pair[0])))
    return [(_pattern(english), nl) for english, nl in ordered]


_CATALOG = _catalog()


def dutch(text: str) -> str:
    """The Dutch of an English message (with its values), or the text as it is."""
    for pattern, nl in _CATALOG:
        found = pattern.match(text)
        if found is not None:
            return nl.format(**found.groupdict())
    return text


def dutch_lines(error: CbctError) -> list[str]:
    """Every problem of the error as a person reads it in the web pages: where, what, and
    what to do, in Dutch."""
    problems: Iterable[CbctError] = (error.problems if isinstance(error, ProblemList)
                                     else [error])
    lines = []
    for problem in problems:
        if isinstance(problem, ProblemList):
            lines += dutch_lines(problem)
            continue
        what = dutch(problem.what)
        text = f"{problem.location}: {what}" if problem.location else what
        lines.append(f"{text} ({dutch(problem.hint)})" if problem.hint else text)
    return lines


def note_text(note: str) -> str:
    """A run's note as the web pages show it: its own Dutch, else as :func:`dutch` has it."""
    return note.nl if isinstance(note, Note) else dutch(note)


def note_category(note: str) -> str:
    """The flash category of a run's note: a warning, or information."""
    return "waarschuwing" if isinstance(note, Note) and note.warning else "info"


def skip_text(skip: Skip) -> str:
    """An organisation passed by, with the reason in Dutch."""
    return f"{skip.cert_nr} {skip.name}: {dutch(skip.reason)}"


#: The send rule's cases (``Decision.state`` of deliver/sending.py) that hold a message
#: back, in Dutch; the English reason names command-line options.
DECISIONS_NL = {
    "busy": "wordt nu door een andere verzendrun verzonden",
    "stale": "geclaimd door een verzendrun die hier niet na te gaan is (een andere computer, "
             "een herstart, of langer dan een half uur geleden); is die weg, kies dan "
             "Opnieuw versturen in het verzendlogboek",
    "unconfirmed": "onzeker: is misschien aangekomen; niet opnieuw verzonden (kijk het na, "
                   "en kies Is aangekomen of Opnieuw versturen in het verzendlogboek)",
    "readdressed": "dit bericht ging al eerder, naar andere ontvangers; het bestand is met "
                   "de hand gewijzigd: maak de e-mail opnieuw om het te verzenden",
    "changed": "dit bericht ging al eerder, met een andere inhoud; het bestand is sindsdien "
               "gewijzigd: maak de e-mail opnieuw om het te verzenden",
    "sent": "al verzonden",
    "failed": "eerder mislukt (kies Opnieuw proberen in het verzendlogboek)",
}

#: An outcome of a send run (``Outcome.status``), in Dutch.
OUTCOMES_NL = {"sent": "verzonden", "failed": "mislukt", "deferred": "uitgesteld",
               "unconfirmed": "onzeker", "skipped": "overgeslagen"}


def decision_text(decision: Decision | None, detail: str = "") -> str:
    """Why the send rule holds a message back, in Dutch (when it went already: since
    when); ``detail`` (a server's answer) as it is otherwise."""
    if decision is None or decision.state not in DECISIONS_NL:
        return dutch(detail or (decision.reason if decision else ""))
    text = DECISIONS_NL[decision.state]
    entry = decision.entry
    if decision.state == "sent" and entry is not None and (entry.sent_at or entry.updated_at):
        text += f" ({nl_stamp(entry.sent_at or entry.updated_at)})"
    return text


def nl_stamp(text: str) -> str:
    """An ISO time of the ledger as people write it here: 30-11-2026 21:18."""
    import datetime as dt

    try:
        stamp = dt.datetime.fromisoformat(text)
    except ValueError:
        return text
    if stamp.tzinfo is not None:
        stamp = stamp.astimezone()
    return f"{stamp.day}-{stamp.month}-{stamp.year} {stamp:%H:%M}"
