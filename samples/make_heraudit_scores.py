"""Build samples/heraudit/CBCT-0102.xlsx: the score sheet of a heraudit.

Bibliotheek Rivierenland (CBCT-0102) was voorwaardelijk gecertificeerd on norm 3
(Mensen). Half a year later the heraudit finds that norm in order: the sheet is the first
audit's, with the heraudit's day and the re-assessed questions of norm 3. Run
``.venv/bin/python samples/make_heraudit_scores.py`` to regenerate it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl

HERE = Path(__file__).resolve().parent
HERAUDIT_DAY = dt.datetime(2026, 1, 13)
RESCORED = {"3.2": "Grotendeels", "3.3": "Volledig"}
FINDING = ("Sinds de audit voert de organisatie de jaargesprekken met alle medewerkers en "
           "heeft zij een vrijwilligerscoördinator aangesteld.")


def build(target: Path = HERE / "heraudit" / "CBCT-0102.xlsx") -> Path:
    book = openpyxl.load_workbook(HERE / "scores" / "CBCT-0102.xlsx")
    for row in book["Scores"].iter_rows(min_row=2):
        if row[1].value in RESCORED:
            row[4].value = RESCORED[row[1].value]
    for row in book["Bevindingen"].iter_rows(min_row=2):
        if row[0].value == 3:
            row[2].value = FINDING
    audit = book["Audit"]
    dates = [row for row in audit.iter_rows(min_row=2) if row[0].value == "auditdatum"]
    dates[0][1].value = HERAUDIT_DAY
    for extra in reversed(dates[1:]):  # one heraudit day
        audit.delete_rows(extra[0].row)
    auditors = [row for row in audit.iter_rows(min_row=2) if row[0].value == "auditor"]
    for extra in reversed(auditors[1:]):  # one auditor for the heraudit
        audit.delete_rows(extra[0].row)
    target.parent.mkdir(parents=True, exist_ok=True)
    book.save(target)
    return target


if __name__ == "__main__":
    print(build().relative_to(HERE))
