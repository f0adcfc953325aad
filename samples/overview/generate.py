"""Write the sample inputs of ``cbct-docs overview`` (all organisations are fictional).

    python samples/overview/generate.py

writes ``results.xlsx`` and ``results.csv`` (the same 41 rows), ``survey.csv`` and, when
the domain's score sheets are available, one score workbook per audited organisation in
``scores/``. The tests count these rows by hand, so change them together.
"""

from __future__ import annotations

import csv
import io
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent
HEADERS = ["nr.", "cert. nr.", "Naam organisatie", "Branchevereniging", "Resultaat",
           "Opmerking", "Auditcategorie"]
G, V, N = "Gecertificeerd", "Voorwaardelijk gecertificeerd", "Niet gecertificeerd"
NA, VB, GA, GD = ("Gecertificeerd na heraudit", "Heraudit in voorbereiding",
                  "Geen heraudit aangevraagd", "Geen deelname")
VOB, CC, CCV = "VOB", "Cultuurconnectie", "Cultuurconnectie + VOB"

# (cert. nr., name, branch, Resultaat, Opmerking, Auditcategorie), in the order staff
# pasted them: not sorted by branch. Two organisations share the name "Bibliotheek
# Rivierenland": they are told apart by their certificate numbers.
ROWS = [
    ("CB-1001", "Bibliotheek Rivierenland", VOB, G, "", "II"),
    ("CB-1002", "Bibliotheek De Drie Polders", VOB, G, "", "I"),
    ("CB-2001", "Kunstpunt Zuiderhaven", CC, G, "", "I"),
    ("CB-1003", "Bibliotheek Veluwezoom-Oost", VOB, V, NA, "III"),
    ("CB-3001", "Cultuurhuis & Bibliotheek De Kruisweg", CCV, G, "", "III"),
    ("CB-1004", "Bibliotheek Hollands Plassengebied", VOB, G, "", "II"),
    ("CB-2002", "Muziekschool Het Klankbord", CC, V, NA, "II"),
    ("CB-1005", "Bibliotheek Noorderkempen", VOB, "", GD, "I"),
    ("CB-1006", "Bibliotheek Maas en Heuvel", VOB, G, "", "IV"),
    ("CB-2003", "Centrum voor de Kunsten Lindeveld", CC, G, "", "III"),
    ("CB-1007", "Bibliotheek Rivierenland", VOB, N, NA, "I"),
    ("CB-3002", "Bibliotheek en Theater De Schakel", CCV, V, NA, "II"),
    ("CB-1008", "Bibliotheek Kop van het Wad", VOB, G, "", "I"),
    ("CB-2004", "Taalhuis Oostergouw", CC, N, VB, "I"),
    ("CB-1009", "Bibliotheek Gooi en Vecht", VOB, V, VB, "III"),
    ("CB-1010", "Bibliotheek Zandstad", VOB, G, "", "II"),
    ("CB-2005", "Dansschool Vrije Voeten", CC, G, "", "I"),
    ("CB-3003", "Kulturhus Benthuizen", CCV, G, "", "I"),
    ("CB-1011", "Bibliotheek Eemvallei", VOB, G, "", "III"),
    ("CB-2006", "Kunstencentrum De Pijler", CC, "", GD, "II"),
    ("CB-1012", "Bibliotheek Westerkwartier-Zuid", VOB, N, GA, "II"),
    ("CB-2007", "Cultuurcentrum Het Anker", CC, G, "", "II"),
    ("CB-1013", "Bibliotheek Duin en Bollen", VOB, G, "", "IV"),
    ("CB-3004", "Bibliotheek en Muziekschool De Brug", CCV, V, GA, "II"),
    ("CB-1014", "Bibliotheek Ommelanden", VOB, N, GD, "I"),
    ("CB-2008", "Theaterwerkplaats Scheldezicht", CC, V, "", "I"),
    ("CB-1015", "Bibliotheek Vechtstreek", VOB, G, "", "II"),
    ("CB-2009", "Centrum voor Amateurkunst Hoogland", CC, G, "", "II"),
    ("CB-1016", "Bibliotheek Lekkerland & Alblas", VOB, G, "", "I"),
    ("CB-3005", "Cultuurbedrijf De Lindenhof", CCV, G, "", "IV"),
    ("CB-1017", "Bibliotheek Kennemerduin", VOB, G, "", "III"),
    ("CB-2010", "Stichting Kunsteducatie Deltastad", CC, G, "", "III"),
    ("CB-1018", "Bibliotheek Peelland-Noord", VOB, G, "", "II"),
    ("CB-3006", "Bibliotheek en Cultuur Beekdal", CCV, N, GD, "I"),
    ("CB-1019", "Bibliotheek IJsselmonde-West", VOB, G, "", "IV"),
    ("CB-2011", "Muziek- en Dansschool De Maat", CC, G, "", "I"),
    ("CB-1020", "Bibliotheek Twentse Heuvels", VOB, G, "", "III"),
    ("CB-3007", "Kulturhus De Esch", CCV, G, "", "II"),
    ("CB-2012", "Kunstkwartier Rijnoever", CC, G, "", "IV"),
    ("CB-1021", "Bibliotheek Groene Hart-Zuid", VOB, G, "", "I"),
    ("CB-3008", "Cultuurcluster en Bibliotheek Marke", CCV, G, "", "III"),
]

SURVEY_QUESTIONS = {
    # question → answers per level: zeer tevreden, tevreden, neutraal, ontevreden,
    # zeer ontevreden, then the number of "n.v.t." and empty cells
    "Hoe tevreden bent u over de voorbereiding van de audit?": (9, 12, 4, 2, 1, 0, 0),
    "Hoe tevreden bent u over het auditgesprek?": (14, 10, 3, 1, 0, 0, 0),
    "Hoe tevreden bent u over het auditrapport?": (8, 11, 5, 2, 0, 1, 1),
    "Hoe tevreden bent u over de communicatie met het bureau?": (11, 13, 2, 0, 1, 1, 0),
}
LEVELS = ["zeer tevreden", "tevreden", "neutraal", "ontevreden", "zeer ontevreden",
          "n.v.t.", ""]
REMARKS = ["Prettige auditoren, heldere vragen.", "", "Het rapport kwam wat laat.", "",
           "Goed georganiseerd.", ""]


def numbered_rows() -> list[list[object]]:
    return [[number, *row] for number, row in enumerate(ROWS, start=1)]


def write_results() -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Resultaten"
    sheet.append(HEADERS)
    for row in numbered_rows():
        sheet.append([value if value != "" else None for value in row])
    for column, width in zip("ABCDEFG", (5, 10, 40, 24, 30, 28, 14), strict=True):
        sheet.column_dimensions[column].width = width
    book.save(HERE / "results.xlsx")
    # Dutch Excel writes "CSV UTF-8" with a BOM and semicolons.
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADERS)
    writer.writerows(numbered_rows())
    (HERE / "results.csv").write_text("\ufeff" + buffer.getvalue(), encoding="utf-8")


def write_survey() -> None:
    shuffle = random.Random(2025)
    respondents = sum(SURVEY_QUESTIONS[next(iter(SURVEY_QUESTIONS))])
    columns = {}
    for question, spec in SURVEY_QUESTIONS.items():
        assert sum(spec) == respondents, question
        answers = [level for level, n in zip(LEVELS, spec, strict=True) for _ in range(n)]
        shuffle.shuffle(answers)
        columns[question] = answers
    audited = [row for row in ROWS if row[4] != "Geen deelname"][:respondents]
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(["Tijdstempel", "cert. nr.", *SURVEY_QUESTIONS, "Toelichting"])
    for index, row in enumerate(audited):
        stamp = f"{3 + index % 20}-11-2025 {9 + index % 8}:{index * 7 % 60:02d}"
        writer.writerow([stamp, row[0], *(columns[q][index] for q in SURVEY_QUESTIONS),
                         REMARKS[index % len(REMARKS)]])
    (HERE / "survey.csv").write_text("\ufeff" + buffer.getvalue(), encoding="utf-8")


# Libraries and culture organisations are certified under Kwaliteit in Beeld (KiB),
# language organisations under Zicht op Ontwikkeling (ZoO): here Taalhuis Oostergouw,
# whatever its branch association.
LANGUAGE_ORGANISATIONS = {"CB-2004"}


def framework_of(cert: str) -> str:
    return "ZoO" if cert in LANGUAGE_ORGANISATIONS else "KiB"


# The organisations with a score workbook in scores/: every branch and category, both
# organisations named "Bibliotheek Rivierenland", at once and after a heraudit.
SCORED = ["CB-1001", "CB-1003", "CB-1007", "CB-1009", "CB-1011", "CB-1013", "CB-1019",
          "CB-2001", "CB-2002", "CB-2004", "CB-2010", "CB-2012", "CB-3001", "CB-3002",
          "CB-3004", "CB-3005"]
AUDITORS = ["Fenna Kuipers", "Jurre Bosman", "Latifa El Amrani", "Sven Hoekstra"]


def score_for(level_names: list[str], result: str, pick: random.Random) -> str:
    """Mostly good scores for an organisation certified at once, some weak ones else."""
    weights = (1, 4, 45, 50) if result == G else (8, 22, 45, 25)
    return pick.choices(level_names, weights=weights)[0]


def write_scores() -> None:
    import datetime as dt

    import openpyxl

    from cbct_docs.documents.scoresheet_file import new_scoresheet
    from cbct_docs.domain.frameworks import load_framework
    from cbct_docs.domain.register import Organisation
    from cbct_docs.records import Origin

    folder = HERE / "scores"
    folder.mkdir(exist_ok=True)
    for old in folder.glob("*.xlsx"):
        old.unlink()
    by_cert = {row[0]: row for row in ROWS}
    for index, cert in enumerate(SCORED):
        _cert, name, branch, result, _remark, category = by_cert[cert]
        framework = load_framework(framework_of(cert))
        org = Organisation(
            cert_nr=cert, name=name, branch=tuple(branch.split(" + ")),
            framework=framework.code, modules=(), contact="mevrouw J. de Vries",
            email=f"info@{cert.lower()}.example", street="Marktplein 1", postcode="1234 AB",
            city="Ergens", certified_until=dt.date(2025, 12, 31), category=category,
            origin=Origin("generate.py"))
        day = dt.date(2025, 3, 3) + dt.timedelta(days=7 * index)
        path = new_scoresheet(org, framework, folder, audit_dates=[day],
                              auditors=AUDITORS[index % 4:index % 4 + 2], overwrite=True)
        book = openpyxl.load_workbook(path)
        sheet = book["Scores"]
        pick = random.Random(cert)
        names = framework.scale_names
        for row in range(2, sheet.max_row + 1):
            sheet.cell(row, 5).value = score_for(names, result, pick)
        book.save(path)


if __name__ == "__main__":
    write_results()
    write_survey()
    write_scores()
    print("results.xlsx, results.csv, survey.csv, scores/")
