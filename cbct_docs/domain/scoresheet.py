"""Score sheets: an xlsx per audit, prefilled from the register and the framework.

This module holds the format and its reader; writing a new sheet is
``documents/scoresheet_file.py`` (``new_scoresheet``), as the domain writes no files.

Sheets (names are part of the format; the reader looks for them):

- ``Scores``: one row per applicable question, ``score`` with a dropdown of the scale;
- ``Bevindingen``: per norm and module: findings, strengths, improvement points;
- ``Indicatoren``: the yes/no indicators, answered ``ja`` or ``nee``;
- ``Audit``: certificate number, organisation, framework, modules, audit dates,
  auditors, and an optional advice override with its mandatory reason.

Reading checks every cell and reports all problems together, e.g.
``score.xlsx:Scores:row 12:score: 'Grotendeel' is not one of Niet, Beperkt, Grotendeels, Volledig``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import DataError, Problems, UsageError
from ..records import Record, parse_date, read_sheets
from ..records.cells import number_ranges
from .advice import ADVICES
from .frameworks import Framework, Question, available_frameworks, load_framework
from .register import Organisation

SCORES, NOTES, INDICATORS, AUDIT = "Scores", "Bevindingen", "Indicatoren", "Audit"
SCORE_COLUMNS = ("norm", "id", "vraag", "scope", "score", "toelichting")
NOTE_COLUMNS = ("norm", "onderdeel", "bevindingen", "sterke_punten", "verbeterpunten")
INDICATOR_COLUMNS = ("norm", "id", "indicator", "scope", "antwoord")
AUDIT_COLUMNS = ("veld", "waarde", "uitleg")
ANSWERS = {"ja": True, "nee": False}


@dataclass(frozen=True)
class NormNotes:
    findings: str = ""
    strengths: str = ""
    improvements: str = ""


@dataclass(frozen=True)
class AdviceOverride:
    """The auditor's own advice; without a reason it is refused."""

    advice: str
    reason: str

    def __post_init__(self) -> None:
        if self.advice not in ADVICES:
            raise DataError(f"{self.advice!r} is not one of {', '.join(ADVICES)}")
        if not self.reason.strip():
            raise DataError(f"an advice override ({self.advice}) needs a reason",
                            hint="explain why the advice differs from the scores")


@dataclass
class ScoreSheet:
    cert_nr: str
    org_name: str
    framework: str  # the framework's code
    audit_dates: list[dt.date]
    auditors: list[str]
    scores: dict[str, str]  # question id → scale level name
    notes: dict[int | str, NormNotes]  # norm number or module code → notes
    override: AdviceOverride | None = None
    modules: tuple[str, ...] = ()
    category: str = ""
    comments: dict[str, str] = field(default_factory=dict)  # question id → toelichting
    indicators: dict[str, bool | None] = field(default_factory=dict)  # None: not answered
    source: str = ""


def check_sheet_matches(sheet: ScoreSheet, org: Organisation) -> None:
    """A score sheet is made for one framework and set of modules: if the register says
    otherwise now, a report would put its scores under the wrong questions."""
    where = f"{sheet.source or sheet.cert_nr}:{AUDIT}"
    if sheet.framework != org.framework:
        raise DataError(f"the sheet scores {sheet.framework}, but the register has "
                        f"{org.cert_nr} under {org.framework}", location=where,
                        hint="make a new score sheet, or correct the register")
    if set(sheet.modules) != set(org.modules):
        shown = ", ".join(sorted(sheet.modules)) or "none"
        registered = ", ".join(sorted(org.modules)) or "none"
        raise DataError(f"the sheet has modules {shown}, the register {registered}",
                        location=where, hint="make a new score sheet, or correct the register")


def read_scoresheet(path: str | Path, framework: Framework | str | None = None) -> ScoreSheet:
    """Read a filled-in score sheet and check every cell; all problems at once."""
    return _read(Path(path), framework, None)[0]


def read_scoresheet_bytes(path: Path, data: bytes) -> tuple[ScoreSheet, bool]:
    """The score sheet in ``data`` (the bytes of ``path``), as :func:`read_scoresheet`
    reads it, and whether those bytes alone decide it: read by a framework shipped with
    the package, named on its Audit sheet (not a framework file elsewhere on disk)."""
    return _read(path, None, data)


def _is_bundled(code: str) -> bool:
    """Whether :func:`load_framework` takes ``code`` as a shipped framework's code."""
    return code.strip().lower() in {known.lower() for known in available_frameworks()}


def _read(path: Path, framework: Framework | str | None, data: bytes | None
          ) -> tuple[ScoreSheet, bool]:
    sheets = read_sheets(path, (AUDIT, SCORES, NOTES, INDICATORS), data=data)  # once
    problems = Problems()
    meta = _Meta(sheets[AUDIT], problems, str(path))
    bundled = False
    if framework is None:
        framework = meta.framework_code or ""
        bundled = _is_bundled(framework)
    if isinstance(framework, str):
        try:
            framework = load_framework(framework)
        except UsageError as error:
            raise DataError(error.what, location=meta.where("kader"), hint=error.hint) from None
    meta.check(framework)
    questions = framework.applicable_questions(meta.modules)
    scores, comments, present = _read_scores(sheets[SCORES], framework, questions, problems)
    notes = _read_notes(sheets[NOTES], framework, meta.modules, problems)
    indicators = _read_indicators(sheets[INDICATORS], framework, meta.modules, problems)
    missing = [q.id for q in questions if q.id not in present]
    if missing:
        plural = "s" if len(missing) > 1 else ""
        problems.add(DataError(f"no row{plural} for question{plural} {', '.join(missing)}",
                               location=f"{path}:{SCORES}",
                               hint="make a new score sheet, or copy the rows back"))
    problems.raise_if_any()
    return ScoreSheet(
        cert_nr=meta.text("cert_nr"), org_name=meta.text("organisatie"),
        framework=framework.code, audit_dates=meta.dates, auditors=meta.auditors,
        scores=scores, notes=notes, override=meta.override, modules=meta.modules,
        category=meta.text("categorie"), comments=comments, indicators=indicators,
        source=str(path)), bundled


def cert_nr_of(audit: list[Record]) -> str | None:
    """The certificate number of an Audit sheet's rows, as :func:`read_scoresheet` reads
    it (the last ``cert_nr`` row's value, its white space made single); None when none."""
    return _Meta(audit, Problems()).text("cert_nr") or None


class _Meta:
    """The Audit sheet: ``veld`` / ``waarde`` rows; dates and auditors may repeat."""

    def __init__(self, records: list[Record], problems: Problems, path: str = "") -> None:
        self.records, self.problems, self.path = records, problems, path
        self.values: dict[str, tuple[Any, Record]] = {}
        self.dates: list[dt.date] = []
        self.auditors: list[str] = []
        self.modules: tuple[str, ...] = ()
        self.override: AdviceOverride | None = None
        self.bad_dates = 0
        for record in records:
            key = str(record.get("veld") or "").strip().lower()
            value = record.get("waarde")
            if key == "auditdatum":
                if value is not None:
                    try:
                        self.dates.append(parse_date(value))
                    except DataError as error:
                        self.bad_dates += 1
                        problems.add(error.at(record.where("waarde")))
            elif key == "auditor":
                if value is not None:
                    self.auditors.append(" ".join(str(value).split()))
            elif key:
                self.values[key] = (value, record)

    @property
    def framework_code(self) -> str | None:
        value = self.values.get("kader", (None, None))[0]
        return str(value) if value is not None else None

    def where(self, key: str) -> str:
        if key in self.values:
            return str(self.values[key][1].where("waarde"))
        origin = self.records[0].origin if self.records else None
        return f"{origin.file}:{origin.sheet}" if origin else f"{self.path}:{AUDIT}"

    def text(self, key: str) -> str:
        value = self.values.get(key, (None, None))[0]
        return "" if value is None else " ".join(str(value).split())

    def error(self, key: str, what: str, hint: str | None = None) -> None:
        self.problems.add(DataError(what, location=self.where(key), hint=hint))

    def check(self, framework: Framework) -> None:
        if not self.text("cert_nr"):
            self.error("cert_nr", "the certificate number is missing")
        if self.text("kader") and self.text("kader").lower() != framework.code.lower():
            self.error("kader", f"the sheet is for {self.text('kader')}, "
                                f"but framework {framework.code} was given")
        modules = []
        for part in self.text("modules").replace(",", ";").split(";"):
            code = part.strip().lower()
            if code and code not in framework.modules:
                self.error("modules", f"module {part.strip()!r} is not part of {framework.code}",
                           hint=f"modules: {', '.join(framework.modules)}")
            elif code:
                modules.append(code)
        self.modules = tuple(m for m in framework.modules if m in modules)
        if not self.dates and not self.bad_dates:
            self.error("auditdatum", "no audit date", hint="fill in at least one 'auditdatum' row")
        if not self.auditors:
            self.error("auditor", "no auditor", hint="fill in at least one 'auditor' row")
        advice, reason = self.text("advies_override"), self.text("override_reden")
        if advice:
            match = next((a for a in ADVICES if a.lower() == advice.lower()), None)
            if match is None:
                self.error("advies_override", f"{advice!r} is not one of {', '.join(ADVICES)}")
            elif not reason:
                self.error("override_reden", "an advice override needs a reason",
                           hint="explain why the advice differs from the scores")
            else:
                self.override = AdviceOverride(match, reason)
        elif reason:
            self.error("advies_override", "a reason is given but no advice is chosen",
                       hint="choose the advice, or clear 'override_reden'")


def _text(value: Any) -> str:
    """A value as text, stripped ("" for none); a text without a call to ``str``."""
    if value.__class__ is str:
        return value.strip()
    return "" if value is None else str(value).strip()


def _columns(records: list[Record], expected: Iterable[str], problems: Problems) -> bool:
    if not records:
        return True
    missing = [c for c in expected if c not in records[0].fields]
    if missing:
        origin = records[0].origin
        problems.add(DataError(f"missing column{'s' if len(missing) > 1 else ''} "
                               f"{', '.join(missing)}", location=f"{origin.file}:{origin.sheet}"))
        return False
    return True


def _read_scores(records: list[Record], framework: Framework, questions: list[Question],
                 problems: Problems) -> tuple[dict[str, str], dict[str, str], set[str]]:
    """Scores and comments by question id, and the ids that have a row at all.
    ``questions``: the questions that apply (``framework.applicable_questions(modules)``)."""
    scores: dict[str, str] = {}
    comments: dict[str, str] = {}
    applicable = {q.id for q in questions}
    if not _columns(records, ("id", "score"), problems):
        return scores, comments, applicable
    levels = {name.lower(): name for name in framework.scale_names}
    allowed = ", ".join(framework.scale_names)
    seen: dict[str, Record] = {}
    blank: list[Record] = []
    for record in records:
        fields = record.fields
        qid = _text(fields.get("id"))  # a retyped 1.1 comes back as the number 1.1: same text
        if qid not in applicable:
            known = qid in {q.id for q in framework.applicable_questions(framework.modules)}
            problems.add(DataError(
                f"question {qid!r} does not apply to this audit" if known
                else f"unknown question id {qid!r}", location=record.where("id"),
                hint="the modules on the Audit sheet decide which questions apply" if known
                else "do not change the id column"))
            continue
        if qid in seen:
            problems.add(DataError(f"question {qid} appears twice", location=record.where("id"),
                                   hint=f"first at row {seen[qid].origin.row}"))
            continue
        seen[qid] = record
        score = _text(fields.get("score"))
        if not score:
            blank.append(record)
        else:
            level = levels.get(score.lower())
            if level is None:
                problems.add(DataError(f"{score!r} is not one of {allowed}",
                                       location=record.where("score")))
            else:
                scores[qid] = level
        comment = _text(fields.get("toelichting"))
        if comment:
            comments[qid] = comment
    if 0 < len(blank) <= 3:
        for record in blank:
            problems.add(DataError("no score", location=record.where("score"),
                                   hint=f"choose one of {allowed}"))
    elif blank:  # a sheet not yet filled in: one message, not thirty
        origin = blank[0].origin
        rows = number_ranges([r.origin.row or 0 for r in blank])
        problems.add(DataError(f"{len(blank)} questions have no score (rows {rows})",
                               location=f"{origin.file}:{origin.sheet}",
                               hint=f"choose one of {allowed} in column 'score'"))
    return scores, comments, set(seen)


def _part_key(value: Any, numbers: set[int], modules: tuple[str, ...]) -> int | str | None:
    """``3`` or ``3.0`` → norm 3 (``numbers``: the framework's norm numbers); ``ido`` →
    module ido; anything else → None."""
    text = _text(value)
    if text.endswith(".0"):
        text = text[:-2]
    if text.isdecimal() and numbers and int(text) in numbers:  # not "²": int() refuses it
        return int(text)
    return text.lower() if text.lower() in modules else None


def _read_notes(records: list[Record], framework: Framework, modules: tuple[str, ...],
                problems: Problems) -> dict[int | str, NormNotes]:
    notes: dict[int | str, NormNotes] = {}
    if not _columns(records, NOTE_COLUMNS[:1] + NOTE_COLUMNS[2:], problems):
        return notes
    numbers = {n.number for n in framework.norms}
    for record in records:
        fields = record.fields
        key = _part_key(fields.get("norm"), numbers, modules)
        if key is None:
            problems.add(DataError(f"{_text(fields.get('norm'))!r} is not a norm or module "
                                   "of this audit", location=record.where("norm")))
            continue
        if key in notes:
            problems.add(DataError(f"norm {key} appears twice", location=record.where("norm")))
            continue
        notes[key] = NormNotes(_text(fields.get("bevindingen")),
                               _text(fields.get("sterke_punten")),
                               _text(fields.get("verbeterpunten")))
    return notes


def _read_indicators(records: list[Record], framework: Framework, modules: tuple[str, ...],
                     problems: Problems) -> dict[str, bool | None]:
    answers: dict[str, bool | None] = {}
    if not _columns(records, ("id", "antwoord"), problems):
        return answers
    known = {i.id for part in framework.parts(modules) for i in part.indicators}
    for record in records:
        fields = record.fields
        iid = _text(fields.get("id"))
        if iid not in known:
            problems.add(DataError(f"unknown indicator id {iid!r}", location=record.where("id"),
                                   hint="do not change the id column"))
            continue
        given = _text(fields.get("antwoord"))
        answer = given.lower()
        if answer and answer not in ANSWERS:
            problems.add(DataError(f"{given!r} is not ja or nee",
                                   location=record.where("antwoord")))
            continue
        answers[iid] = ANSWERS.get(answer)
    return answers
