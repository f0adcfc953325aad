"""Builds the score sheet workbook (the reader lives in ``domain/scoresheet.py``).

Auditors work in Excel: dropdowns for scores, answers and the advice override,
score cells coloured like the scale, wrapped long texts and frozen headers. Every value
goes in through ``records.inert``: a name or auditor such as ``=1+1`` stays text.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from ..domain.advice import ADVICES
from ..domain.frameworks import Framework
from ..domain.register import Organisation
from ..domain.scoresheet import (
    ANSWERS,
    AUDIT,
    AUDIT_COLUMNS,
    INDICATOR_COLUMNS,
    INDICATORS,
    NOTE_COLUMNS,
    NOTES,
    SCORE_COLUMNS,
    SCORES,
)
from ..records.inert import append_row
from .fields import organisation_kind

FILLS = {"red": "FFC7CE", "orange": "FFD8A8", "yellow": "FFEB9C", "green": "C6EFCE"}
HEADER_FILL = "DDE4EE"
DATE_FORMAT = "d-m-yyyy"


def build_workbook(org: Organisation, framework: Framework, audit_dates: list[dt.date],
                   auditors: list[str]) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    scores = workbook.active
    assert scores is not None
    scores.title = SCORES
    _scores_sheet(scores, org, framework)
    _notes_sheet(workbook.create_sheet(NOTES), org, framework)
    _indicator_sheet(workbook.create_sheet(INDICATORS), org, framework)
    _audit_sheet(workbook.create_sheet(AUDIT), org, framework, audit_dates, auditors)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _header(sheet: Any, columns: tuple[str, ...], widths: tuple[int, ...]) -> None:
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    append_row(sheet, columns)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor=HEADER_FILL)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"


def _wrap(sheet: Any, *columns: str) -> None:
    from openpyxl.styles import Alignment

    for column in columns:
        for cell in sheet[column][1:]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")


def _dropdown(sheet: Any, cells: str, options: list[str], title: str, message: str) -> None:
    from openpyxl.worksheet.datavalidation import DataValidation

    validation = DataValidation(type="list", formula1='"' + ",".join(options) + '"',
                                allow_blank=True)
    validation.errorTitle, validation.error = title, message
    validation.showErrorMessage = True
    sheet.add_data_validation(validation)
    validation.add(cells)


def _scores_sheet(sheet: Any, org: Organisation, framework: Framework) -> None:
    from openpyxl.formatting.rule import CellIsRule
    from openpyxl.styles import PatternFill

    _header(sheet, SCORE_COLUMNS, (8, 11, 80, 12, 14, 60))
    kind = organisation_kind(org)
    for part in framework.parts(org.modules):
        for question in part.questions:
            if question.applies_to(org.modules):
                append_row(sheet, [part.key, question.id, question.text_for(kind), question.scope,
                                   None, None])
    last = sheet.max_row
    _wrap(sheet, "C", "F")
    names = framework.scale_names
    cells = f"E2:E{last}"
    _dropdown(sheet, cells, names, "Ongeldige score", f"Kies {', '.join(names)}.")
    for level in framework.scale:
        fill = PatternFill("solid", fgColor=FILLS[level.colour], bgColor=FILLS[level.colour])
        sheet.conditional_formatting.add(
            cells, CellIsRule(operator="equal", formula=[f'"{level.name}"'], fill=fill))


def _notes_sheet(sheet: Any, org: Organisation, framework: Framework) -> None:
    _header(sheet, NOTE_COLUMNS, (8, 40, 60, 45, 45))
    for part in framework.parts(org.modules):
        append_row(sheet, [part.key, part.label, None, None, None])
    _wrap(sheet, "B", "C", "D", "E")


def _indicator_sheet(sheet: Any, org: Organisation, framework: Framework) -> None:
    _header(sheet, INDICATOR_COLUMNS, (8, 11, 80, 12, 10))
    kind = organisation_kind(org)
    for part in framework.parts(org.modules):
        for indicator in part.indicators:
            if indicator.applies_to(org.modules):
                append_row(sheet, [part.key, indicator.id, indicator.text_for(kind),
                                   indicator.scope,
                                   None])
    _wrap(sheet, "C")
    _dropdown(sheet, f"E2:E{max(sheet.max_row, 2)}", list(ANSWERS), "Ongeldig antwoord",
              "Kies ja of nee.")


def _audit_sheet(sheet: Any, org: Organisation, framework: Framework,
                 audit_dates: list[dt.date], auditors: list[str]) -> None:
    category = framework.categories.get(org.category)
    _header(sheet, AUDIT_COLUMNS, (18, 45, 70))
    rows: list[list[Any]] = [
        ["cert_nr", org.cert_nr, "Certificaatnummer; niet wijzigen."],
        ["organisatie", org.name, ""],
        ["kader", framework.code, framework.name],
        ["modules", "; ".join(org.modules), "Modules die in deze audit worden beoordeeld."],
        ["categorie", org.category,
         f"{category.dagdelen} dagdelen, {category.auditors} auditor(en)" if category else ""],
    ]
    days: list[dt.date | None] = [*audit_dates] or [None]  # an empty row to fill in
    for day in days:
        rows.append(["auditdatum", day, "Eén rij per auditdag; voeg rijen toe als dat nodig is."])
    names: list[str | None] = [*auditors] or [None]
    for name in names:
        rows.append(["auditor", name, "Eén rij per auditor."])
    rows.append(["advies_override", None,
                 "Alleen invullen als het advies afwijkt van wat de scores opleveren."])
    rows.append(["override_reden", None, "Verplicht bij een afwijkend advies."])
    for row in rows:
        number = append_row(sheet, row)
        if row[0] == "auditdatum":
            sheet.cell(number, 2).number_format = DATE_FORMAT
    _wrap(sheet, "B", "C")
    override_row = next(i for i, row in enumerate(rows, start=2) if row[0] == "advies_override")
    _dropdown(sheet, f"B{override_row}", list(ADVICES), "Ongeldig advies",
              f"Kies {', '.join(ADVICES)}.")
