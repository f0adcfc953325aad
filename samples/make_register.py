"""Build the sample register: samples/register.xlsx and samples/register.csv.

Run ``.venv/bin/python samples/make_register.py`` to regenerate both. All organisations,
people and addresses are fictional. The CSV is saved the way Dutch Excel saves
"CSV (gescheiden door lijstscheidingsteken)": ';' between fields, Windows-1252, CRLF,
dates written as 1-4-2025.

Frameworks as the office uses them: libraries and culture organisations are certified
under Kwaliteit in Beeld (KiB), language organisations (taalhuis, taalpunt, Lezen &
Schrijven) under Zicht op Ontwikkeling (ZoO). Audit categories as the frameworks define
them (categories in kib.yaml, zoo.yaml): category I is an organisation without modules
(KiB) or without a taalhuis (ZoO); KiB's category II has at most one module.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from pathlib import Path

from cbct_docs.deliver.files import atomic_write

HERE = Path(__file__).resolve().parent
COLUMNS = ["cert_nr", "name", "branch", "framework", "modules", "contact", "email",
           "street", "postcode", "city", "certified_until", "category"]

D = dt.date
ORGANISATIONS = [
    ["CBCT-0101", "Bibliotheek Rivierenland", "VOB", "KiB", "leesbevordering; ido",
     "mevrouw A. van Wijk", "kwaliteit@rivierenland-bieb.example.nl",
     "Havenstraat 12", "4001 AB", "Tiel", D(2025, 4, 1), "III"],
    ["CBCT-0102", "Bibliotheek Rivierenland", "VOB", "KiB", "leesbevordering",
     "de heer P. Brouwer", "directie@bieb-rivierenland.example.nl",
     "Markt 3", "4101 BW", "Culemborg", D(2025, 6, 30), "II"],
    ["CBCT-0103", "Kunst&Co Uden", "Cultuurconnectie", "KiB", "",
     "mevrouw S. Çelik", "info@kunstenco-uden.example.nl",
     "Mondriaanplein 5", "5401 HX", "Uden", D(2025, 3, 31), "I"],
    ["CBCT-0104", "Taalhuis Noord/Oost", "VOB; Cultuurconnectie", "ZoO", "taalhuis",
     "de heer R. Hoekstra", "coordinator@taalhuis-noordoost.example.nl",
     "Thorbeckegracht 40", "8011 VP", "Zwolle", D(2025, 5, 1), "II"],
    ["CBCT-0105", "Bibliotheek Súdwest-Fryslân", "VOB", "KiB", "ido; taalhuis",
     "mevrouw F. de Boer", "bestjoer@bibliotheek-sudwest.example.nl",
     "Wijde Burgstraat 7", "8601 EG", "Sneek", D(2025, 12, 31), "IV"],
    ["CBCT-0106", "Cultuurhuis De Kêvel", "Cultuurconnectie", "KiB", "leesbevordering",
     "de heer L. Ramakers", "secretariaat@dekevel.example.nl",
     "Rosmolenstraat 2", "6131 HX", "Sittard", D(2026, 1, 1), "II"],
    ["CBCT-0107", "Bibliotheek Gooi & Vecht", "VOB", "KiB", "leesbevordering, ido, taalhuis",
     "mevrouw M. Kuipers-Öztürk", "m.kuipers@gooienvecht-bieb.example.nl",
     "Kerkbrink 6", "1211 BX", "Hilversum", D(2025, 4, 15), "IV"],
    ["CBCT-0108", "Stichting Lezen & Schrijven Zuid", "beide", "ZoO", "taalhuis",
     "de heer J. van der Heijden", "info@lezenschrijvenzuid.example.nl",
     "Stationsplein 21", "5611 AC", "Eindhoven", D(2025, 9, 30), "III"],
    ["CBCT-0109", "Bibliotheek Hoeksche Waard", "VOB", "KiB", "",
     "mevrouw E. Groenewegen", "kwaliteit@hw-bibliotheek.example.nl",
     "Kaatsbaan 1", "3262 AA", "Oud-Beijerland", D(2025, 7, 1), "II"],
    ["CBCT-0110", "Muziekschool & Théâtre Lochem", "Cultuurconnectie", "KiB", "",
     "de heer B. Smits", "administratie@theatre-lochem.example.nl",
     "Tramstraat 18", "7241 CJ", "Lochem", D(2025, 2, 28), "I"],
    ["CBCT-0111", "Bibliotheek Eemland/Amersfoort", "VOB", "KiB", "ido",
     "mevrouw H. Ploeg", "h.ploeg@eemland-bieb.example.nl",
     "Eemplein 77", "3812 EA", "Amersfoort", D(2025, 5, 31), "III"],
    ["CBCT-0112", "Centrum voor de Kunsten 't Gooi", "VOB; Cultuurconnectie", "KiB",
     "leesbevordering", "de heer K. Visser", "directie@kunsten-tgooi.example.nl",
     "Oude Enghweg 24", "1217 JC", "Hilversum", D(2025, 10, 1), "II"],
    ["CBCT-0113", "Bibliotheek Maas & Peel", "VOB", "KiB", "taalhuis",
     "mevrouw C. Hendriks", "c.hendriks@maasenpeel-bieb.example.nl",
     "Raadhuisplein 3", "5881 GB", "Venray", D(2028, 2, 29), "II"],
    ["CBCT-0114", "Taalpunt Zeeuws-Vlaanderen", "beide", "ZoO", "taalhuis",
     "mevrouw N. De Clercq", "taalpunt@zvl-taal.example.nl",
     "Noordstraat 9", "4531 GB", "Terneuzen", D(2025, 11, 15), "IV"],
]


def build_xlsx() -> bytes:
    import openpyxl
    from openpyxl.styles import Font

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Organisaties"
    sheet.append(COLUMNS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in ORGANISATIONS:
        sheet.append(row)
        sheet.cell(sheet.max_row, COLUMNS.index("certified_until") + 1).number_format = "d-m-yyyy"
    widths = {"A": 11, "B": 34, "C": 24, "D": 10, "E": 30, "F": 26, "G": 42, "H": 22,
              "I": 9, "J": 16, "K": 15, "L": 9}
    for column, width in widths.items():
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "C2"
    workbook.properties.created = SAVED
    buffer = io.BytesIO()
    workbook.save(buffer)
    return fixed_times(buffer.getvalue())


#: The time written into the workbook, so that regenerating gives the same bytes.
SAVED = dt.datetime(2025, 1, 6, 9, 0)


def fixed_times(data: bytes) -> bytes:
    """The workbook with :data:`SAVED` as its modified time and the time of every part:
    openpyxl stamps the moment of saving in both, whatever the workbook's properties say."""
    stamp = SAVED.strftime("%Y-%m-%dT%H:%M:%SZ")
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            part = source.read(info)
            if info.filename == "docProps/core.xml":
                part = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + stamp.encode(),
                              part)
            fixed = zipfile.ZipInfo(info.filename, date_time=SAVED.timetuple()[:6])
            fixed.compress_type = info.compress_type
            target.writestr(fixed, part)
    return buffer.getvalue()


def build_csv() -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in ORGANISATIONS:
        writer.writerow([f"{v.day}-{v.month}-{v.year}" if isinstance(v, dt.date) else v
                         for v in row])
    return buffer.getvalue().encode("cp1252")


def main() -> None:
    atomic_write(HERE / "register.xlsx", build_xlsx(), overwrite=True)
    atomic_write(HERE / "register.csv", build_csv(), overwrite=True)
    print(f"{len(ORGANISATIONS)} organisations → {HERE / 'register.xlsx'}, register.csv")


if __name__ == "__main__":
    main()
