"""Build the filled sample score sheets in samples/scores/ (one per audit of the planning).

Run ``.venv/bin/python samples/make_scores.py`` to regenerate them. Each sheet starts as
the domain's ``new_scoresheet`` and is then filled in as an auditor would: scores,
findings, strengths, improvement points and indicator answers. Together they give all
three outcomes, and one advice override:

- CBCT-0101, CBCT-0107: Gecertificeerd;
- CBCT-0102 (norm 3), CBCT-0111 (norm 6 and module IDO): Voorwaardelijk gecertificeerd;
- CBCT-0104 (norms 2, 4 and 6): Niet gecertificeerd;
- CBCT-0103: the scores give Voorwaardelijk (norm 7); the auditor overrides to
  Gecertificeerd, with a reason.
"""

from __future__ import annotations

import io
import random
import sys
from pathlib import Path

from openpyxl import load_workbook

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from cbct_docs.deliver.files import atomic_write  # noqa: E402
from cbct_docs.documents.planning_data import read_planning  # noqa: E402
from cbct_docs.documents.scoresheet_file import new_scoresheet  # noqa: E402
from cbct_docs.domain.register import find_organisation, read_register  # noqa: E402

FOLDER = HERE / "scores"

# cert_nr → {norm number or module code: levels for its questions, in order}
WEAK: dict[str, dict[int | str, list[str]]] = {
    "CBCT-0102": {3: ["Grotendeels", "Beperkt", "Beperkt"]},
    "CBCT-0111": {6: ["Beperkt", "Grotendeels", "Beperkt"], "ido": ["Niet", "Grotendeels",
                                                                   "Beperkt"]},
    "CBCT-0104": {2: ["Beperkt", "Beperkt", "Grotendeels"], 4: ["Niet", "Beperkt", "Beperkt"],
                  6: ["Grotendeels", "Niet", "Beperkt"]},
    # KiB norm 7 (Compliance): the first question, personal data under the AVG, is the
    # one the override reason answers (a processing agreement signed during the audit).
    "CBCT-0103": {7: ["Niet", "Grotendeels", "Volledig"]},
}
OVERRIDES = {
    "CBCT-0103": ("Gecertificeerd",
                  "De ontbrekende verwerkersovereenkomst is tijdens de audit alsnog "
                  "ondertekend en aan de auditor overhandigd; norm 7 is daarmee in orde."),
}

STRONG_FINDINGS = [
    "De organisatie heeft dit onderwerp goed op orde en kan dat met documenten onderbouwen.",
    "Medewerkers vertellen eensgezind hoe het werk is georganiseerd en waarom.",
    "Afspraken zijn vastgelegd en worden in de praktijk ook nagekomen.",
]
WEAK_FINDINGS = [
    "De opzet is er, maar de uitvoering is nog niet overal zichtbaar.",
    "Belangrijke afspraken zijn niet vastgelegd of niet actueel.",
    "De organisatie kon tijdens de audit niet laten zien hoe zij hier op stuurt.",
]
STRENGTHS = [
    "Heldere taakverdeling tussen directie en teams",
    "Betrokken medewerkers en vrijwilligers",
    "Goede contacten met gemeente en onderwijs",
    "Regelmatige evaluatie van activiteiten",
    "Toegankelijke en uitnodigende vestigingen",
]
IMPROVEMENTS = [
    "Leg afspraken met partners schriftelijk vast",
    "Maak doelen meetbaar en rapporteer er jaarlijks over",
    "Borg kennis die nu bij één medewerker ligt",
    "Actualiseer het beleidsdocument en laat het vaststellen",
    "Betrek deelnemers bij de evaluatie van het aanbod",
]


def _column(sheet, name: str) -> int:
    header = [cell.value for cell in sheet[1]]
    return header.index(name) + 1


def fill(path: Path, cert_nr: str) -> None:
    book = load_workbook(path)
    fill_book(book, cert_nr, WEAK.get(cert_nr, {}))
    if cert_nr in OVERRIDES:
        audit = book["Audit"]
        advice, reason = OVERRIDES[cert_nr]
        for row in range(2, audit.max_row + 1):
            field = audit.cell(row, 1).value
            if field == "advies_override":
                audit.cell(row, 2).value = advice
            elif field == "override_reden":
                audit.cell(row, 2).value = reason
    buffer = io.BytesIO()
    book.save(buffer)
    atomic_write(path, buffer.getvalue(), overwrite=True)


def fill_book(book, seed: str, weak: dict[int | str, list[str]]) -> None:
    """Fill a new score sheet (an openpyxl workbook) in as an auditor would: every question
    scored (``weak``: the levels of a short norm's questions, in order), per norm a finding,
    two strengths and one or two improvement points, the indicators answered; all drawn
    from ``seed`` (the same sheet on every run). bench/lifecycle.py fills its sheets so."""
    rng = random.Random(seed)
    scores = book["Scores"]
    part_col, score_col = _column(scores, "norm"), _column(scores, "score")
    seen: dict[object, int] = {}
    for row in range(2, scores.max_row + 1):
        key = scores.cell(row, part_col).value
        if key is None:
            continue
        key = int(key) if str(key).isdigit() else str(key)
        index = seen.get(key, 0)
        seen[key] = index + 1
        levels = weak.get(key)
        if levels:
            level = levels[index % len(levels)]
        else:
            level = rng.choice(["Volledig", "Volledig", "Grotendeels"])
        scores.cell(row, score_col).value = level

    notes = book["Bevindingen"]
    columns = {name: _column(notes, name) for name in
               ("norm", "bevindingen", "sterke_punten", "verbeterpunten")}
    for row in range(2, notes.max_row + 1):
        key = notes.cell(row, columns["norm"]).value
        if key is None:
            continue
        key = int(key) if str(key).isdigit() else str(key)
        is_weak = key in weak
        finding = rng.choice(WEAK_FINDINGS if is_weak else STRONG_FINDINGS)
        notes.cell(row, columns["bevindingen"]).value = finding
        notes.cell(row, columns["sterke_punten"]).value = "\n".join(rng.sample(STRENGTHS, 2))
        count = 2 if is_weak else 1
        notes.cell(row, columns["verbeterpunten"]).value = "\n".join(
            rng.sample(IMPROVEMENTS, count))

    indicators = book["Indicatoren"]
    answer_col = _column(indicators, "antwoord")
    for row in range(2, indicators.max_row + 1):
        if indicators.cell(row, 1).value is not None:
            indicators.cell(row, answer_col).value = "nee" if rng.random() < 0.1 else "ja"


def main() -> None:
    orgs = read_register(HERE / "register.xlsx")
    plans = read_planning(HERE / "planning.xlsx")
    FOLDER.mkdir(exist_ok=True)
    for cert_nr, plan in plans.items():
        org = find_organisation(orgs, cert_nr)
        path = FOLDER / f"{cert_nr}.xlsx"
        new_scoresheet(org, org.framework, path, plan.days, plan.auditors, overwrite=True)
        fill(path, cert_nr)
        print(path.relative_to(HERE.parent))


if __name__ == "__main__":
    main()
