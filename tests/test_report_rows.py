"""The report's norm rows are cleaned where they are made (issue 16): the renderer takes
them as they are (render.environment.PlainContext), so they must be exactly what cleaning
the whole context made of them before: every text cleaned, the chart's labels as given."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from cbct_docs.documents.context import load_office
from cbct_docs.documents.report import lines, norm_rows, report_context
from cbct_docs.domain.advice import evaluate
from cbct_docs.domain.frameworks import load_framework
from cbct_docs.domain.register import find_organisation, read_register
from cbct_docs.domain.scoresheet import NormNotes, read_scoresheet
from cbct_docs.paths import samples_dir
from cbct_docs.render.environment import PlainContext, clean_collecting, clean_context

REPO = Path(__file__).resolve().parent.parent
DIRTY = "regel\r\nnog een\rslot \x01\x0b\ufffe & <b>"


def dirty_sheet() -> tuple[Any, Any]:
    orgs = read_register(samples_dir() / "register.xlsx")
    org = find_organisation(orgs, "CBCT-0111")
    sheet = read_scoresheet(samples_dir() / "scores" / "CBCT-0111.xlsx")
    notes = {key: NormNotes(findings=f"  {DIRTY}  ", strengths=f"{DIRTY}\n- twee\r\n",
                            improvements="\x02")
             for key in sheet.notes}
    return org, dataclasses.replace(sheet, notes=notes)


def dirty_framework(code: str) -> Any:
    """The framework with a carriage return and characters XML cannot hold in the texts
    a report takes from it."""
    framework = load_framework(code)
    norms = [dataclasses.replace(
        norm, title=f"{norm.title}\r\n\x03",
        questions=[dataclasses.replace(q, text=f"{q.text}\r\x04") for q in norm.questions])
        for norm in framework.norms]
    scale = [dataclasses.replace(level, meaning=f"{level.meaning}\x05") for level in
             framework.scale]
    return dataclasses.replace(framework, norms=norms, scale=scale, _questions={})


def strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for item in value.values() for s in strings(item)]
    if isinstance(value, list | tuple):
        return [s for item in value for s in strings(item)]
    return []


def reference_rows(sheet: Any, result: Any, framework: Any, kind: str | None) -> list[Any]:
    """norm_rows as it was before its rows were cleaned where made (83754db)."""
    from collections import Counter

    from cbct_docs.documents.fields import part_label
    from cbct_docs.documents.report import CELL_FILL, INSUFFICIENT_FILL, SUFFICIENT_FILL

    levels: dict[str, Any] = {}
    for level in framework.scale:
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
            "nummer": short, "titel": part.title, "label": label, "vragen": questions,
            "aantallen": dict(counts),
            "scores_tekst": ", ".join(f"{counts[level.name]}× {level.name}"
                                      for level in framework.scale if counts[level.name]),
            "voldoende": norm_result.sufficient, "oordeel": verdict,
            "oordeel_toelichting": f"{verdict} ({reason})" if reason else verdict,
            "oordeel_kleur": SUFFICIENT_FILL if norm_result.sufficient else INSUFFICIENT_FILL,
            "bevindingen": (getattr(notes, "findings", "") or "").strip() or
                           "Geen bijzonderheden.",
            "sterke_punten": lines(getattr(notes, "strengths", None)) or ["Geen genoemd."],
            "verbeterpunten": lines(getattr(notes, "improvements", None)) or ["Geen genoemd."],
        })
    return rows


@pytest.mark.parametrize("code", ["KiB", "ZoO"])
@pytest.mark.parametrize("kind", [None, "bibliotheek", "cultuurorganisatie", "taalhuis"])
@pytest.mark.parametrize("dirty", [False, True])
def test_rows_are_what_cleaning_made_of_them_before(code: str, kind: str | None,
                                                    dirty: bool) -> None:
    org, sheet = dirty_sheet()
    framework = dirty_framework(code) if dirty else load_framework(code)
    modules = tuple(framework.modules)
    sheet = dataclasses.replace(sheet, framework=code, modules=modules, scores={
        q.id: framework.scale[i % len(framework.scale)].name
        for i, q in enumerate(framework.applicable_questions(modules))})
    if not dirty:
        sheet = dataclasses.replace(sheet, notes={})
    result = evaluate(sheet, framework)
    rows = norm_rows(sheet, result, framework, kind)
    assert rows == clean_context(reference_rows(sheet, result, framework, kind))
    assert len(rows) == len(framework.norms) + len(modules)
    assert all(type(row) is PlainContext for row in rows)
    assert all(type(q) is PlainContext for row in rows for q in row["vragen"])
    texts = strings(rows)
    assert not [t for t in texts if "\r" in t or "\x01" in t or "\x03" in t or "\x05" in t]
    if dirty:
        assert rows[0]["titel"] == framework.norms[0].title.replace("\r\n\x03", "\n")
        assert rows[0]["bevindingen"] == "regel\nnog een\nslot  & <b>"
        assert rows[0]["verbeterpunten"] == [""]  # a point of only an illegal character
        assert any(q["tekst"].endswith("\n") for row in rows for q in row["vragen"])


def test_a_renderer_takes_the_rows_as_they_are() -> None:
    org, sheet = dirty_sheet()
    context = report_context(org, sheet, load_office(REPO / "cbct-docs.toml"),
                             dt.date(2025, 6, 11), concept=True)
    odd: list[Any] = []
    cleaned = clean_collecting(dict(context), odd)
    assert all(a is b for a, b in zip(cleaned["normen"], context["normen"], strict=True))
    assert [type(o).__name__ for o in odd] == ["ScoreChart"]  # the chart, nothing in rows


def test_the_chart_takes_the_frameworks_titles_as_they_are() -> None:
    """As before rows were cleaned where made: the chart's labels are the framework's."""
    org, sheet = dirty_sheet()
    framework = dirty_framework(org.framework)
    from cbct_docs.documents import report

    rows, chart = report._rows(sheet, evaluate(sheet, framework), framework, None)
    assert chart[0][0] == f"1. {framework.norms[0].title}"
    assert "\r\n\x03" in chart[0][0]
    assert [counts for _label, counts in chart] == [row["aantallen"] for row in rows]


def test_wording_kept_under_a_framework_or_parts_id_is_its_own() -> None:
    """The wording kept per framework and per part is found by id() and used only for
    the very object it was made from (an id is given again once its object is gone):
    planted under a like framework's and part's ids, the other's wording is not used."""
    from cbct_docs.documents import report

    org, sheet = dirty_sheet()
    framework = load_framework(org.framework)
    result = evaluate(sheet, framework)
    assert norm_rows(sheet, result, framework)[0]["titel"] == framework.norms[0].title
    renamed = dataclasses.replace(
        framework, norms=[dataclasses.replace(framework.norms[0], title="Anders"),
                          *framework.norms[1:]],
        scale=[dataclasses.replace(level, meaning="anders") for level in framework.scale])
    report._WORDINGS[(id(renamed), None)] = report._wording(framework, None)
    row = norm_rows(sheet, evaluate(sheet, renamed), renamed)[0]
    assert row["titel"] == "Anders"
    assert {question["betekenis"] for question in row["vragen"]} == {"anders"}
    wording = report._wording(framework, None)  # a part's, under a like part's id
    wording.parts[id(renamed.norms[0])] = wording.part(framework.norms[0])
    assert wording.part(renamed.norms[0])[1][1] == "Anders"
