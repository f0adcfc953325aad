"""The decision letter's verbs agree with the number of auditors: "De auditor gaf dit
advies" for one, "De auditoren gaven dit advies" for two; likewise "het bureau of de
auditor de audit uitvoerde" in the paragraph on complaints (issue 16)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
from pathlib import Path

import docx
import pytest

from cbct_docs.documents.context import load_office
from cbct_docs.documents.decision import DECISION_TEMPLATE, decision_context
from cbct_docs.domain.register import find_organisation, read_register
from cbct_docs.domain.scoresheet import read_scoresheet
from cbct_docs.paths import samples_dir, templates_dir
from cbct_docs.render.docx import DocxRenderer

REPO = Path(__file__).resolve().parent.parent


def decision_text(auditors: list[str]) -> str:
    """The besluitbrief of the sample culture organisation CBCT-0103 (certified by the
    auditor's advice although norm 7 fell short), audited by ``auditors``."""
    org = find_organisation(read_register(samples_dir() / "register.xlsx"), "CBCT-0103")
    sheet = read_scoresheet(samples_dir() / "scores" / "CBCT-0103.xlsx")
    sheet = dataclasses.replace(sheet, auditors=auditors)
    context = decision_context(org, sheet, load_office(REPO / "cbct-docs.toml"),
                               dt.date(2025, 4, 1))
    data = DocxRenderer(templates_dir() / DECISION_TEMPLATE).render(context)
    return "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)


@pytest.mark.parametrize(("auditors", "advice", "complaint"), [
    (["Esra Yılmaz"], "De auditor gaf dit advies, al is niet elke norm voldoende beoordeeld",
     "het bureau of de auditor de audit uitvoerde binnen zes weken"),
    (["Esra Yılmaz", "Anna de Wit"],
     "De auditoren gaven dit advies, al is niet elke norm voldoende beoordeeld",
     "het bureau of de auditoren de audit uitvoerden binnen zes weken"),
], ids=["one auditor", "two auditors"])
def test_decision_verbs_agree_with_the_auditors(auditors: list[str], advice: str,
                                                complaint: str) -> None:
    text = decision_text(auditors)
    assert advice in text
    assert complaint in text
    assert "advies van " + ("de auditor heeft" if len(auditors) == 1
                            else "de auditoren heeft") in text
