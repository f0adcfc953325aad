"""Build samples/planning.xlsx (audit appointments) and samples/campaign.xlsx (a pilot).

Run ``.venv/bin/python samples/make_planning.py`` to regenerate both. The audits belong
to organisations of samples/register.xlsx; people and places are fictional.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from make_register import SAVED, fixed_times  # samples/make_register.py, next to this script
from openpyxl import Workbook
from openpyxl.styles import Font

from cbct_docs.deliver.files import atomic_write
from cbct_docs.domain.register import find_organisation, read_register

HERE = Path(__file__).resolve().parent
D, T = dt.date, dt.time

# cert_nr, announced, auditors
AUDITS = [
    ("CBCT-0101", D(2025, 1, 13), "Anna de Wit; Karim El Amrani"),
    ("CBCT-0102", D(2025, 1, 13), "Joke Verbeek-Dijkstra; Thijs van 't Hof"),
    ("CBCT-0104", D(2025, 1, 13), "Esra Yılmaz; Anna de Wit"),
    ("CBCT-0107", D(2025, 1, 13), "Karim El Amrani; Joke Verbeek-Dijkstra; Esra Yılmaz"),
    ("CBCT-0111", D(2025, 1, 13), "Thijs van 't Hof; Anna de Wit"),
    ("CBCT-0103", D(2024, 10, 14), "Esra Yılmaz"),
]

# cert_nr, day, start, end, location, part
APPOINTMENTS = [
    ("CBCT-0101", D(2025, 5, 13), T(9, 0), T(12, 30), "Hoofdvestiging Tiel, Havenstraat 12",
     "Gesprek met directie en staf"),
    ("CBCT-0101", D(2025, 5, 13), T(13, 30), T(17, 0), "Hoofdvestiging Tiel, Havenstraat 12",
     "Rondgang en gesprekken met medewerkers"),
    ("CBCT-0101", D(2025, 5, 14), T(9, 0), T(12, 30), "Vestiging Geldermalsen, Plein 4",
     "Gesprek met scholen en gemeente"),
    ("CBCT-0101", D(2025, 5, 14), T(13, 30), T(16, 0), "Vestiging Geldermalsen, Plein 4",
     "Terugkoppeling van de eerste bevindingen"),
    ("CBCT-0102", D(2025, 5, 20), T(9, 30), T(12, 30), "Markt 3, Culemborg",
     "Gesprek met directie en bestuur"),
    ("CBCT-0102", D(2025, 5, 20), T(13, 30), T(17, 0), "Markt 3, Culemborg",
     "Gesprekken met medewerkers en leesconsulenten"),
    ("CBCT-0102", D(2025, 5, 21), T(9, 30), T(12, 0), "Markt 3, Culemborg",
     "Terugkoppeling van de eerste bevindingen"),
    ("CBCT-0104", D(2025, 6, 3), T(9, 0), T(12, 30), "Thorbeckegracht 40, Zwolle",
     "Gesprek met coördinator en partners"),
    ("CBCT-0104", D(2025, 6, 3), T(13, 30), T(17, 0), "Taalpunt Stadshagen, Zwolle",
     "Gesprekken met taalvrijwilligers en deelnemers"),
    ("CBCT-0104", D(2025, 6, 4), T(9, 0), T(11, 30), "Thorbeckegracht 40, Zwolle",
     "Terugkoppeling van de eerste bevindingen"),
    ("CBCT-0107", D(2025, 4, 8), T(9, 0), T(12, 30), "Kerkbrink 6, Hilversum",
     "Gesprek met directie en managementteam"),
    ("CBCT-0107", D(2025, 4, 8), T(13, 30), T(17, 0), "Kerkbrink 6, Hilversum",
     "Informatiepunt Digitale Overheid en taalhuis"),
    ("CBCT-0107", D(2025, 4, 9), T(9, 0), T(12, 30), "Vestiging Bussum, Wilhelminaplantsoen 2",
     "Leesbevordering: gesprek met scholen"),
    ("CBCT-0107", D(2025, 4, 9), T(13, 30), T(17, 0), "Vestiging Huizen, Oostermeent 11",
     "Rondgang en gesprekken met medewerkers"),
    ("CBCT-0107", D(2025, 4, 10), T(9, 0), T(12, 30), "Kerkbrink 6, Hilversum",
     "Gesprek met gemeenten en financiers"),
    ("CBCT-0107", D(2025, 4, 10), T(13, 30), T(16, 0), "Kerkbrink 6, Hilversum",
     "Terugkoppeling van de eerste bevindingen"),
    ("CBCT-0111", D(2025, 5, 27), T(9, 0), T(12, 30), "Eemplein 77, Amersfoort",
     "Gesprek met directie en staf"),
    ("CBCT-0111", D(2025, 5, 27), T(13, 30), T(17, 0), "Eemplein 77, Amersfoort",
     "Informatiepunt Digitale Overheid"),
    ("CBCT-0111", D(2025, 5, 28), T(9, 0), T(12, 0), "Eemplein 77, Amersfoort",
     "Terugkoppeling van de eerste bevindingen"),
    ("CBCT-0103", D(2025, 2, 18), T(9, 30), T(13, 0), "Mondriaanplein 5, Uden",
     "Gesprek met directie, docenten en vrijwilligers"),
    ("CBCT-0103", D(2025, 2, 18), T(14, 0), T(16, 30), "Mondriaanplein 5, Uden",
     "Rondgang en terugkoppeling"),
]

# A pilot with limited places: the first to register are accepted. Who registered, when;
# name, contact and e-mail come from the register (samples/register.xlsx), the source of
# truth, so the campaign spells every name as the register does.
CAMPAIGN = [
    ("CBCT-0106", dt.datetime(2025, 3, 3, 9, 12)),
    ("CBCT-0113", dt.datetime(2025, 3, 3, 8, 47)),
    ("CBCT-0108", dt.datetime(2025, 3, 4, 14, 5)),
    ("CBCT-0105", dt.datetime(2025, 3, 3, 11, 30)),
    ("CBCT-0112", dt.datetime(2025, 3, 5, 16, 40)),
    ("CBCT-0114", dt.datetime(2025, 3, 3, 10, 2)),
    ("CBCT-0109", dt.datetime(2025, 3, 6, 8, 15)),
]


def registrations() -> list[tuple]:
    """The campaign's rows: cert_nr, naam, contact, email, aangemeld_op."""
    orgs = read_register(HERE / "register.xlsx")
    rows = []
    for cert_nr, registered in CAMPAIGN:
        org = find_organisation(orgs, cert_nr)
        rows.append((cert_nr, org.name, org.contact, org.email, registered))
    return rows


def _sheet(book: Workbook, title: str, header: list[str], rows: list[tuple], formats: dict):
    sheet = book.create_sheet(title)
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(list(row))
    for column, number_format in formats.items():
        for cell in sheet[column][1:]:
            cell.number_format = number_format
    for column in sheet.columns:
        width = max(len(str(c.value or "")) for c in column)
        sheet.column_dimensions[column[0].column_letter].width = min(max(width, 10) + 2, 60)
    return sheet


def _save(book: Workbook, path: Path) -> None:
    """Saved with fixed times (as make_register.py saves), so regenerating gives the same
    bytes."""
    book.properties.created = SAVED
    buffer = io.BytesIO()
    book.save(buffer)
    atomic_write(path, fixed_times(buffer.getvalue()), overwrite=True)


def main() -> None:
    planning = Workbook()
    planning.remove(planning.active)
    _sheet(planning, "Audits", ["cert_nr", "aangekondigd", "auditoren"], AUDITS,
           {"B": "d-m-yyyy"})
    _sheet(planning, "Afspraken", ["cert_nr", "datum", "begin", "eind", "locatie",
                                   "onderdeel"], APPOINTMENTS,
           {"B": "d-m-yyyy", "C": "h:mm", "D": "h:mm"})
    _save(planning, HERE / "planning.xlsx")

    campaign = Workbook()
    campaign.remove(campaign.active)
    _sheet(campaign, "Aanmeldingen", ["cert_nr", "naam", "contact", "email", "aangemeld_op"],
           registrations(), {"E": "d-m-yyyy h:mm"})
    _save(campaign, HERE / "campaign.xlsx")
    print("samples/planning.xlsx, samples/campaign.xlsx")


if __name__ == "__main__":
    main()
