"""The overview's template context and its charts, built from validated inputs.

Keys are Dutch, as template authors read them. Numbers that a reader sees as a
percentage are formatted here (``91,1 %``), so the template only places them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..render.filters import getal
from ..render.images import DocxImage
from . import charts
from .counting import Counts, category_order, count, percentage, split
from .results import BRANCHES, ResultRow, ResultsTable
from .scores import (
    COLOURS,
    ScoredAudit,
    average,
    distribution,
    framework_code,
)
from .survey import SCALE, SurveyResult

CHART_WIDTH_MM = 160
NO_CATEGORY = "(geen categorie)"
COLOUR_WORDS = {"red": "rood", "yellow": "geel", "green": "groen"}
SURVEY_COLOURS = ("darkgreen", "lightgreen", "grey", "orange", "red")


@dataclass
class Chart:
    name: str  # file name of the PNG, e.g. "deelname.png"
    title: str
    png: bytes

    def image(self) -> DocxImage:
        return DocxImage(self.png, CHART_WIDTH_MM)


@dataclass
class Built:
    context: dict[str, Any]
    counts: Counts
    charts: list[Chart] = field(default_factory=list)


def number_and_share(part: int, whole: int) -> str:
    return f"{part} ({percentage(part, whole)})"


def counts_fields(c: Counts) -> dict[str, dict[str, Any]]:
    """Every line of the counts table: the number and its percentage of its own base."""
    def line(n: int, base: int) -> dict[str, Any]:
        return {"aantal": n, "procent": percentage(n, base)}

    return {
        "organisaties": line(c.rows, c.rows),
        "geen_deelname": line(c.no_participation, c.rows),
        "trajecten": line(c.trajectories, c.rows),
        "direct": line(c.certified_at_once, c.trajectories),
        "heraudit_groep": line(c.heraudit_group, c.trajectories),
        "voorwaardelijk": line(c.conditional, c.heraudit_group),
        "na_heraudit": line(c.certified_after_heraudit, c.heraudit_group),
        "heraudit_rest": line(c.heraudit_rest, c.heraudit_group),
        "in_voorbereiding": line(c.heraudit_preparing, c.heraudit_group),
        "geen_heraudit": line(c.no_heraudit_requested, c.heraudit_group),
        "zonder_opmerking": line(c.heraudit_no_remark, c.heraudit_group),
        "gecertificeerd": line(c.certified, c.trajectories),
        "niet_gecertificeerd": line(c.not_certified, c.rows),
    }


def split_line(name: str, c: Counts) -> dict[str, Any]:
    return {
        "naam": name, "organisaties": c.rows, "trajecten": c.trajectories,
        "deelname": percentage(c.trajectories, c.rows),
        "direct": number_and_share(c.certified_at_once, c.trajectories),
        "na_heraudit": c.certified_after_heraudit,
        "gecertificeerd": number_and_share(c.certified, c.trajectories),
    }


def _category(row: ResultRow) -> str:
    return row.category or NO_CATEGORY


def results_part(table: ResultsTable) -> tuple[dict[str, Any], list[Chart], Counts]:
    rows = table.rows
    total = count(rows)
    branches = [(name, count(group)) for name, group in split(rows, lambda r: r.branch,
                                                              BRANCHES)]
    categories: list[tuple[str, Counts]] = []
    if table.has_category:
        order = category_order(r.category for r in rows if r.category)
        categories = [(name, count(group))
                      for name, group in split(rows, _category, [*order, NO_CATEGORY])]
    outcome = [("Direct gecertificeerd", total.certified_at_once),
               ("Gecertificeerd na heraudit", total.certified_after_heraudit),
               ("Heraudit in voorbereiding", total.heraudit_preparing),
               ("Geen heraudit aangevraagd", total.no_heraudit_requested),
               ("Heraudit-groep zonder opmerking", total.heraudit_no_remark),
               ("Geen deelname", total.no_participation)]
    result_chart = Chart("resultaten.png", "Uitkomst per organisatie", charts.bar_chart(
        "Uitkomst per organisatie (aantal)", [label for label, _ in outcome],
        [n for _, n in outcome], [str(n) for _, n in outcome]))
    shown = [*branches, ("Totaal", total)]
    participation = [100 * c.trajectories / c.rows for _, c in shown]
    participation_chart = Chart("deelname.png", "Deelname per branchevereniging",
                                charts.bar_chart(
        "Deelname per branchevereniging (trajecten van alle organisaties)",
        [name for name, _ in shown], participation,
        [percentage(c.trajectories, c.rows) for _, c in shown], limit=100))
    part = {
        "telling": counts_fields(total),
        "per_branche": [split_line(name, c) for name, c in branches],
        "totaal": split_line("Totaal", total),
        "heeft_categorie": bool(categories),
        "per_categorie": [split_line(name, c) for name, c in categories],
        "grafieken": {"resultaten": result_chart.image(),
                      "deelname": participation_chart.image()},
        "bijlage": appendix(rows, table.notes),
    }
    return part, [result_chart, participation_chart], total


def remark_text(row: ResultRow, note: str = "") -> str:
    """The Opmerking as the appendix shows it, with its note: ``Heraudit in voorbereiding
    (gepland op 13-1-2026)``."""
    if row.remark and note:
        return f"{row.remark} ({note})"
    return row.remark or note


def appendix(rows: Sequence[ResultRow],
             notes: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """One table per branch association, its rows in the order of the results table."""
    notes = notes or {}
    return [{"branche": name, "aantal": len(group), "rijen": [
        {"nr": r.nr, "cert_nr": r.cert_nr, "naam": r.name, "resultaat": r.result,
         "opmerking": remark_text(r, notes.get(r.cert_nr, "")), "categorie": r.category}
        for r in group]}
        for name, group in split(rows, lambda r: r.branch, BRANCHES)]


def _norm_lines(framework: Any, audits: Sequence[ScoredAudit]) -> list[dict[str, Any]]:
    lines = []
    for dist in distribution(framework, [a.sheet for a in audits]):
        colours = dist.by_colour(framework)
        mean = average(dist, framework)
        line: dict[str, Any] = {"nummer": dist.number, "titel": dist.title,
                                "aantal": dist.total,
                                "gemiddelde": getal(mean, 1) if mean is not None else "–"}
        for colour in COLOURS:
            line[COLOUR_WORDS[colour]] = number_and_share(colours[colour], dist.total)
        lines.append(line)
    return lines


def _score_panel(title: str, framework: Any, audits: Sequence[ScoredAudit]) -> charts.Panel:
    rows = []
    for dist in distribution(framework, [a.sheet for a in audits]):
        colours = dist.by_colour(framework)
        rows.append((f"{dist.number}. {dist.title}", [colours[c] for c in COLOURS]))
    return charts.Panel(title, rows)


def score_series(framework: Any) -> list[charts.Series]:
    series = []
    for colour in COLOURS:
        levels = [lv for lv in framework.scale if lv.colour == colour]
        meaning = levels[0].meaning if levels else colour
        names = ", ".join(lv.name for lv in levels)
        series.append(charts.Series(f"{names} ({meaning})" if names else meaning, colour))
    return series


def audits_text(number: int) -> str:
    return f"{number} audit{'s' if number != 1 else ''}"


def _audit_category(audit: ScoredAudit) -> str:
    """The results table's category; else the one on the workbook's Audit sheet."""
    return audit.row.category or str(getattr(audit.sheet, "category", "") or "")


def _score_splits(audits: Sequence[ScoredAudit]) -> list[tuple[str, str, list[Any]]]:
    """(file slug, words, groups) for the splits per branch and, when known, category."""
    splits = [("branchevereniging", "per branchevereniging",
               split(audits, lambda a: a.row.branch, BRANCHES))]
    categories = [_audit_category(a) for a in audits if _audit_category(a)]
    if categories:
        order = [*category_order(categories), NO_CATEGORY]
        splits.append(("auditcategorie", "per auditcategorie",
                       split(audits, lambda a: _audit_category(a) or NO_CATEGORY, order)))
    return splits


def scores_part(audits: Sequence[ScoredAudit],
                frameworks: dict[str, Any]) -> tuple[list[dict[str, Any]], list[Chart]]:
    """Per framework: the table per norm and charts overall, per branch, per category."""
    parts, made = [], []
    for code, framework in frameworks.items():
        mine = [a for a in audits if framework_code(a.sheet) == code]
        if not mine:
            continue
        series = score_series(framework)
        framework_charts = [Chart(f"scores-{code}.png", f"Scores per norm, {framework.name}",
                                  charts.stacked_chart(
            f"Scores per norm, {framework.name} ({audits_text(len(mine))})",
            [_score_panel("Alle audits", framework, mine)], series))]
        for slug, words, groups in _score_splits(mine):
            panels = [_score_panel(f"{name} ({len(group)})", framework, group)
                      for name, group in groups]
            framework_charts.append(Chart(
                f"scores-{code}-{slug}.png", f"Scores per norm {words}, {framework.name}",
                charts.stacked_chart(f"Scores per norm {words}, {framework.name}", panels,
                                     series)))
        legend = {COLOUR_WORDS[s.colour]: s.label for s in series}
        parts.append({"code": code, "naam": framework.name, "audits": len(mine),
                      "audits_tekst": audits_text(len(mine)),
                      "normen": _norm_lines(framework, mine), "legenda": legend,
                      "grafieken": [{"titel": c.title, "afbeelding": c.image()}
                                    for c in framework_charts]})
        made.extend(framework_charts)
    return parts, made


def survey_part(survey: SurveyResult) -> tuple[dict[str, Any], Chart]:
    def line(question: Any) -> dict[str, Any]:
        fields = {level.replace(" ", "_"): number_and_share(question.counts[level],
                                                             question.answered)
                  for level in SCALE}
        return {"vraag": question.question, "antwoorden": question.answered, **fields}

    everything = [*survey.questions, survey.total()]
    chart = Chart("tevredenheid.png", "Tevredenheid", charts.stacked_chart(
        f"Tevredenheid ({survey.respondents} respondenten)",
        [charts.Panel("", [(q.question, [q.counts[level] for level in SCALE])
                           for q in everything])],
        [charts.Series(level, colour) for level, colour in zip(SCALE, SURVEY_COLOURS,
                                                                strict=True)]))
    part = {"respondenten": survey.respondents,
            "vragen": [line(q) for q in survey.questions], "totaal": line(survey.total()),
            "grafiek": chart.image()}
    return part, chart


def build_context(table: ResultsTable, *, audits: Sequence[ScoredAudit] = (),
                  frameworks: dict[str, Any] | None = None, survey: SurveyResult | None = None,
                  period: str = "", today: dt.date | None = None) -> Built:
    results, made, total = results_part(table)
    context: dict[str, Any] = {
        "titel": "Sectoroverzicht certificering",
        "periode": period,
        "datum": today or dt.date.today(),
        "bron": table.label,
        **results,
        "scores": [],
        "tevredenheid": None,
    }
    if audits:
        context["scores"], score_charts = scores_part(audits, frameworks or {})
        made.extend(score_charts)
    if survey is not None:
        context["tevredenheid"], survey_chart = survey_part(survey)
        made.append(survey_chart)
    return Built(context, total, made)
