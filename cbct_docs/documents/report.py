"""The audit report, concept or definitief, from a filled score sheet."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..domain.advice import CERTIFIED, CONDITIONAL, evaluate
from ..domain.frameworks import load_framework
from ..domain.planning import response_deadline
from ..render.environment import PlainContext, clean_text
from .chart import score_chart
from .context import Office
from .fields import (
    category_fields,
    insufficient_items,
    organisation_fields,
    organisation_kind,
    part_label,
)
from .wording import auditor_words, days_text, dutch_list, norm_words

TEMPLATE = "reports/auditrapport.docx"
#: Cell shading per scale colour (light, so the text stays readable in print).
CELL_FILL = {"red": "F4C7C3", "yellow": "FCE8B2", "green": "B7E1CD"}
SUFFICIENT_FILL, INSUFFICIENT_FILL = "B7E1CD", "F4C7C3"


def lines(value: Any) -> list[str]:
    """Strengths and improvement points: a list, or text with one point per line."""
    if value is None:
        return []
    if isinstance(value, str):
        return [point for line in value.splitlines() if (point := line.strip(" -•\t"))]
    return [str(v) for v in value if str(v).strip()]


def norm_rows(sheet: Any, result: Any, framework: Any,
              kind: str | None = None) -> list[dict[str, Any]]:
    """The norms and modules with their scores; question texts worded for the
    organisation's ``kind`` (``cultuurorganisatie``) where the framework has a variant.
    Each row is cleaned as it is made (:class:`~cbct_docs.render.environment.PlainContext`:
    a renderer takes it as it is, without walking it again)."""
    return _rows(sheet, result, framework, kind)[0]


#: A part, its number, title and label cleaned, its questions' ids and texts cleaned,
#: and its label in the chart.
_Part = tuple[Any, tuple[str, str, str], dict[str, tuple[str, str]], str]


#: A scale level, its name and meaning cleaned, and its cell's fill.
_Level = tuple[Any, str, str, str]


def _level_words(level: Any) -> _Level:
    """What a row takes from a scale level, cleaned."""
    return (level, clean_text(level.name), clean_text(level.meaning),
            CELL_FILL.get(level.colour, "FFFFFF"))


class _Wording:
    """What a report's rows take from one framework for one kind of organisation, cleaned
    (render.environment.clean_text) once per run instead of once per report."""

    def __init__(self, framework: Any, kind: str | None) -> None:
        self.framework = framework  # held: its id() is the cache's key
        self.levels: dict[str, _Level] = {}
        for level in framework.scale:  # the first of a name, as framework.level finds it
            if level.name not in self.levels:
                self.levels[level.name] = _level_words(level)
        self.kind = kind
        self.parts: dict[int, _Part] = {}

    def part(self, part: Any) -> _Part:
        """The part (held); its number, title and label, and per question id the id and
        the text, all cleaned; its label in the chart (as it is)."""
        kept = self.parts.get(id(part))
        if kept is None or kept[0] is not part:
            short, label = part_label(part)
            kept = self.parts[id(part)] = (
                part, (clean_text(short), clean_text(part.title), clean_text(label)),
                {q.id: (clean_text(q.id), clean_text(q.text_for(self.kind)))
                 for q in part.questions},  # the last of an id, as a dict has it
                f"{short}. {part.title}" if short != "module" else label)
        return kept


#: Per framework (by id, the framework held) and kind: its wording. Frameworks are
#: read-only by convention (domain.frameworks); a run uses one or two.
_WORDINGS: dict[tuple[int, str | None], _Wording] = {}


def _wording(framework: Any, kind: str | None) -> _Wording:
    wording = _WORDINGS.get((id(framework), kind))
    if wording is None or wording.framework is not framework:
        if len(_WORDINGS) >= 32:
            _WORDINGS.clear()
        wording = _WORDINGS[(id(framework), kind)] = _Wording(framework, kind)
    return wording


def _clean(text: str) -> str:
    """:func:`clean_text`, with the common case (printable text, which it leaves as it
    is) first."""
    return text if type(text) is str and text.isprintable() else clean_text(text)


def _rows(sheet: Any, result: Any, framework: Any, kind: str | None
          ) -> tuple[list[dict[str, Any]], list[tuple[str, dict[str, int]]]]:
    """:func:`norm_rows`, and the chart's rows (label and counts, as given: not cleaned)."""
    wording = _wording(framework, kind)
    levels = wording.levels
    rows: list[dict[str, Any]] = []
    chart: list[tuple[str, dict[str, int]]] = []
    for norm_result in [*result.norm_results, *getattr(result, "module_results", [])]:
        part, names, texts, chart_label = wording.part(norm_result.norm)
        questions = []
        counts: dict[str, int] = {}
        for qid, name in norm_result.scores.items():
            found = levels.get(name)
            if found is None:  # not on the scale: DataError (or as framework.level has it)
                found = _level_words(framework.level(name))
            level, score, meaning, fill = found
            counts[level.name] = counts.get(level.name, 0) + 1
            text = texts.get(qid)
            if text is None:
                text = (_clean(qid), _clean(qid))
            questions.append(PlainContext(id=text[0], tekst=text[1], score=score,
                                          betekenis=meaning, kleur=fill))
        rows.append(_row(sheet, norm_result, part, names, questions, counts, framework,
                         levels))
        chart.append((chart_label, counts))
    return rows, chart


def _row(sheet: Any, norm_result: Any, part: Any, names: tuple[str, str, str],
         questions: list[PlainContext], counts: dict[str, int], framework: Any,
         levels: dict[str, _Level]) -> PlainContext:
    """One norm's or module's row, cleaned."""
    short, title, label = names
    notes = sheet.notes.get(part.key)
    verdict = "voldoende" if norm_result.sufficient else "onvoldoende"
    reason = getattr(norm_result, "reason", "")
    return PlainContext({
        "nummer": short, "titel": title, "label": label,
        "vragen": questions,
        "aantallen": counts,
        "scores_tekst": ", ".join(f"{counts[level.name]}× {levels[level.name][1]}"
                                  for level in framework.scale if level.name in counts),
        "voldoende": norm_result.sufficient,
        "oordeel": verdict,
        "oordeel_toelichting": _clean(f"{verdict} ({reason})") if reason else verdict,
        "oordeel_kleur": SUFFICIENT_FILL if norm_result.sufficient else INSUFFICIENT_FILL,
        "bevindingen": _clean((getattr(notes, "findings", "") or "").strip() or
                              "Geen bijzonderheden."),
        "sterke_punten": [_clean(line) for line in lines(getattr(notes, "strengths", None))]
                         or ["Geen genoemd."],
        "verbeterpunten": [_clean(line)
                           for line in lines(getattr(notes, "improvements", None))]
                          or ["Geen genoemd."],
    })


def report_context(org: Any, sheet: Any, office: Office, day: dt.date, *, concept: bool,
                   response: str | None = None, result: Any = None) -> dict[str, Any]:
    """``day``: when the concept is sent, or when the definitive report is fixed."""
    framework = load_framework(org.framework)
    result = result or evaluate(sheet, framework)
    rows, chart = _rows(sheet, result, framework, organisation_kind(org))
    dates = sorted(sheet.audit_dates)
    return {
        **office.fields(),
        **organisation_fields(org, framework, office),
        "concept": concept,
        "versie": "concept" if concept else "definitief",
        "rapportdatum": day,
        "briefdatum": day,
        "reactie_deadline": response_deadline(day, framework.deadlines),
        "reactie": "" if concept else (response or "").strip(),
        "auditdata": dates,
        "auditdata_tekst": days_text(dates),
        "auditoren": list(sheet.auditors),
        "auditoren_tekst": dutch_list(sheet.auditors),
        "categorie": category_fields(framework, org.category),
        "normen": rows,
        "grafiek": score_chart(chart, [(level.name, level.colour) for level in framework.scale]),
        "advies": result.advice,
        "advies_reden": result.override_reason or "",
        "advies_gecertificeerd": result.advice == CERTIFIED,
        "advies_voorwaardelijk": result.advice == CONDITIONAL,
        "advies_niet": result.advice not in (CERTIFIED, CONDITIONAL),
        "alle_normen_voldoende": not result.insufficient_parts,
        "onvoldoende_normen": insufficient_items(result),
        "onvoldoende_tekst": dutch_list(part_label(p)[1] for p in result.insufficient_parts),
        **auditor_words(len(sheet.auditors)),
        **norm_words(len(result.insufficient_parts)),
    }

