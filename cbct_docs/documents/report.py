"""The audit report, concept or definitief, from a filled score sheet."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from typing import Any

from ..domain.advice import CERTIFIED, CONDITIONAL, evaluate
from ..domain.frameworks import load_framework
from ..domain.planning import response_deadline
from .chart import ScoreChart, score_chart
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
        return [line.strip(" -•\t") for line in value.splitlines() if line.strip(" -•\t")]
    return [str(v) for v in value if str(v).strip()]


def norm_rows(sheet: Any, result: Any, framework: Any,
              kind: str | None = None) -> list[dict[str, Any]]:
    """The norms and modules with their scores; question texts worded for the
    organisation's ``kind`` (``cultuurorganisatie``) where the framework has a variant."""
    levels: dict[str, Any] = {}
    for level in framework.scale:  # the first of a name, as framework.level finds it
        levels.setdefault(level.name, level)
    rows = []
    for norm_result in [*result.norm_results, *getattr(result, "module_results", [])]:
        part = norm_result.norm
        short, label = part_label(part)
        questions = []
        counts: Counter[str] = Counter()
        texts = {q.id: q.text_for(kind) for q in part.questions}
        for qid, name in norm_result.scores.items():
            level = levels[name] if name in levels else framework.level(name)
            counts[level.name] += 1
            questions.append({"id": qid, "tekst": texts.get(qid, qid), "score": level.name,
                              "betekenis": level.meaning,
                              "kleur": CELL_FILL.get(level.colour, "FFFFFF")})
        notes = sheet.notes.get(part.key)
        verdict = "voldoende" if norm_result.sufficient else "onvoldoende"
        reason = getattr(norm_result, "reason", "")
        rows.append({
            "nummer": short, "titel": part.title, "label": label,
            "vragen": questions,
            "aantallen": dict(counts),
            "scores_tekst": ", ".join(f"{counts[level.name]}× {level.name}"
                                      for level in framework.scale if counts[level.name]),
            "voldoende": norm_result.sufficient,
            "oordeel": verdict,
            "oordeel_toelichting": f"{verdict} ({reason})" if reason else verdict,
            "oordeel_kleur": SUFFICIENT_FILL if norm_result.sufficient else INSUFFICIENT_FILL,
            "bevindingen": (getattr(notes, "findings", "") or "").strip() or
                           "Geen bijzonderheden.",
            "sterke_punten": lines(getattr(notes, "strengths", None)) or ["Geen genoemd."],
            "verbeterpunten": lines(getattr(notes, "improvements", None)) or ["Geen genoemd."],
        })
    return rows


def report_context(org: Any, sheet: Any, office: Office, day: dt.date, *, concept: bool,
                   response: str | None = None, result: Any = None) -> dict[str, Any]:
    """``day``: when the concept is sent, or when the definitive report is fixed."""
    framework = load_framework(org.framework)
    result = result or evaluate(sheet, framework)
    rows = norm_rows(sheet, result, framework, organisation_kind(org))
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
        "grafiek": chart_for(rows, framework),
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


def chart_for(rows: Sequence[dict[str, Any]], framework: Any) -> ScoreChart:
    return score_chart([(f"{row['nummer']}. {row['titel']}" if row["nummer"] != "module"
                         else row["label"], row["aantallen"]) for row in rows],
                       [(level.name, level.colour) for level in framework.scale])
