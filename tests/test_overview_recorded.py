"""The sector overview counted from the decisions recorded in the office database.

The office is built as staff would build it, through the application layer: the register
read in, concept and definitief reports, decisions, a heraudit letter and the decision
after the heraudit (samples/heraudit/CBCT-0102.xlsx). Then ``cbct-docs overview --period``
runs through click, and the test reads the .docx a reader opens.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Mapping
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner

from cbct_docs.cli import cli
from cbct_docs.domain.planning import Quarter
from cbct_docs.domain.process import DossierState, Event, Kind, fold
from cbct_docs.errors import CbctError, DataError, UsageError
from cbct_docs.overview.recorded import parse_period, recorded_rows, remark_and_note
from cbct_docs.paths import samples_dir
from cbct_docs.runs.audit import decide, heraudit
from cbct_docs.runs.office import OfficeFolder, open_office
from cbct_docs.runs.overview import overview
from cbct_docs.runs.register import import_register
from cbct_docs.runs.reports import report

from .conftest import docx_text

SAMPLES = samples_dir()
REPO = Path(__file__).resolve().parent.parent
D = dt.date

# What the test records, and so what the 2025 overview must show (computed by hand below):
#
#   cert. nr.  branch                  cat.  besluit (date)                   after it
#   CBCT-0101  VOB                     III   Gecertificeerd (7-7-2025)        -
#   CBCT-0102  VOB                     II    Voorwaardelijk (7-7-2025)        heraudit planned
#                                                                             10-7-2025, decided
#                                                                             20-1-2026:
#                                                                             alsnog gecertificeerd
#   CBCT-0103  Cultuurconnectie        I     Gecertificeerd (20-3-2025)       -
#   CBCT-0104  Cultuurconnectie + VOB  II    Niet gecertificeerd (7-7-2025)   no heraudit planned
#   CBCT-0107  VOB                     IV    Gecertificeerd (7-7-2025)        -
#   CBCT-0111  VOB                     III   Voorwaardelijk (7-7-2025)        heraudit planned
#                                                                             10-7-2025
AUDITS = {  # cert. nr. → (date of the concept, within 3 weeks of the sheet's last audit day)
    "CBCT-0101": D(2025, 5, 21), "CBCT-0102": D(2025, 5, 28), "CBCT-0103": D(2025, 2, 25),
    "CBCT-0104": D(2025, 6, 10), "CBCT-0107": D(2025, 4, 17), "CBCT-0111": D(2025, 6, 10),
}
EARLY = "CBCT-0103"  # decided in the first quarter, the others in the third


def sheet(cert_nr: str) -> Path:
    return SAMPLES / "scores" / f"{cert_nr}.xlsx"


def new_office(tmp_path: Path) -> OfficeFolder:
    folder = tmp_path / "office"
    folder.mkdir()
    shutil.copyfile(REPO / "cbct-docs.toml", folder / "cbct-docs.toml")
    office = open_office(folder, new_database_ok=True)
    import_register(office, SAMPLES / "register.xlsx")
    return office


def record_the_year(office: OfficeFolder, out: Path) -> None:
    """Reports, decisions and the heraudit of the table above, through the runs layer."""
    for cert_nr, day in AUDITS.items():
        report(office, [sheet(cert_nr)], day, out=out, concept=True)
    # Definitief after the reaction term of two weeks (no reaction), then the decision.
    report(office, [sheet(EARLY)], D(2025, 3, 12), out=out, concept=False)
    decide(office, [sheet(EARLY)], D(2025, 3, 20), out=out)
    later = [sheet(c) for c in AUDITS if c != EARLY]
    report(office, later, D(2025, 7, 1), out=out, concept=False)
    outcome = decide(office, later, D(2025, 7, 7), out=out).outcomes
    assert outcome == {"CBCT-0101": "Gecertificeerd",
                       "CBCT-0102": "Voorwaardelijk gecertificeerd",
                       "CBCT-0104": "Niet gecertificeerd", "CBCT-0107": "Gecertificeerd",
                       "CBCT-0111": "Voorwaardelijk gecertificeerd"}
    heraudit(office, [sheet("CBCT-0102"), sheet("CBCT-0111")], D(2025, 7, 10), out=out)
    after = decide(office, [SAMPLES / "heraudit" / "CBCT-0102.xlsx"], D(2026, 1, 20), out=out)
    assert after.outcomes == {"CBCT-0102": "Gecertificeerd"}  # alsnog gecertificeerd


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> OfficeFolder:
    """One office for the module (a named office folder has its own database)."""
    tmp_path = tmp_path_factory.mktemp("recorded")
    place = new_office(tmp_path)
    record_the_year(place, tmp_path / "documents")
    return place


def run_overview(office: OfficeFolder, out: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["overview", "--office", str(office.folder),
                                      "--out", str(out), *args])
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def tables(path: Path) -> list[list[list[str]]]:
    document = docx.Document(str(path))
    return [[[cell.text.strip() for cell in row.cells] for row in table.rows]
            for table in document.tables]


# By hand, from the table above (period 2025, as recorded up to 1-2-2026):
#   6 dossiers decided in 2025, none without participation → 6 trajectories (100,0 %).
#   Certified at once: 0101, 0103, 0107 → 3 of 6 = 50,0 %.
#   Heraudit group: 0102, 0104, 0111 → 3 of 6 = 50,0 %; Voorwaardelijk among them: 2.
#     Certified after the heraudit: 0102 → 1 of 3 = 33,3 %; rest 2 of 3 = 66,7 %:
#     in voorbereiding 0111 (1, 33,3 %), geen heraudit aangevraagd 0 (0,0 %),
#     zonder opmerking 0104 (1, 33,3 %).
#   Certified in all 3 + 1 = 4 of 6 = 66,7 %; not certified 2 of 6 = 33,3 %.
COUNTS_2025 = [
    ["Omschrijving", "Aantal", "Percentage", "Basis"],
    ["Organisaties in het overzicht", "6", "", ""],
    ["Geen deelname", "0", "0,0 %", "van alle organisaties"],
    ["Certificeringstrajecten", "6", "100,0 %", "van alle organisaties"],
    ["Direct gecertificeerd", "3", "50,0 %", "van de trajecten"],
    ["Heraudit-groep (niet direct gecertificeerd)", "3", "50,0 %", "van de trajecten"],
    ["waarvan gecertificeerd na heraudit", "1", "33,3 %", "van de heraudit-groep"],
    ["waarvan (nog) niet gecertificeerd", "2", "66,7 %", "van de heraudit-groep"],
    ["heraudit in voorbereiding", "1", "33,3 %", "van de heraudit-groep"],
    ["geen heraudit aangevraagd", "0", "0,0 %", "van de heraudit-groep"],
    ["zonder opmerking", "1", "33,3 %", "van de heraudit-groep"],
    ["Totaal gecertificeerd", "4", "66,7 %", "van de trajecten"],
    ["Niet gecertificeerd (inclusief geen deelname)", "2", "33,3 %", "van alle organisaties"],
]
# Per branch association: VOB 0101, 0102, 0107, 0111 → at once 2 of 4 (50,0 %), after the
# heraudit 1, certified 3 of 4 (75,0 %); Cultuurconnectie 0103 → 1 of 1; the joint group
# 0104 → none of 1.
BRANCHES_2025 = [
    ["Branchevereniging", "Organisaties", "Trajecten", "Deelname", "Direct gecertificeerd",
     "Na heraudit", "Totaal gecertificeerd"],
    ["VOB", "4", "4", "100,0 %", "2 (50,0 %)", "1", "3 (75,0 %)"],
    ["Cultuurconnectie", "1", "1", "100,0 %", "1 (100,0 %)", "0", "1 (100,0 %)"],
    ["Cultuurconnectie + VOB", "1", "1", "100,0 %", "0 (0,0 %)", "0", "0 (0,0 %)"],
    ["Totaal", "6", "6", "100,0 %", "3 (50,0 %)", "1", "4 (66,7 %)"],
]


def test_the_year_counted_from_the_recorded_decisions(office: OfficeFolder,
                                                      tmp_path: Path) -> None:
    out = tmp_path / "overzicht"
    code, output = run_overview(office, out, "--period", "2025", "--date", "1-2-2026")
    assert code == 0, output
    assert "6 dossiers decided in 2025 (1-1-2025 – 31-12-2025), as recorded up to " \
           "1-2-2026." in output
    assert "6 organisations, 6 trajectories, 3 certified at once, 1 after a heraudit, " \
           "4 certified in all." in output
    path = out / "sectoroverzicht.docx"
    text = docx_text(path)
    assert "Periode: 2025" in text
    assert ("Opgesteld op 1 februari 2026 op basis van de vastgelegde besluiten "
            f"({office.database_path.name}).") in text
    assert ("Van de trajecten leidden er 3 direct tot een certificaat (50,0 %) en 1 na een "
            "heraudit. In totaal zijn 4 organisaties gecertificeerd: 66,7 % van de "
            "trajecten.") in text
    found = tables(path)
    assert found[0] == COUNTS_2025
    assert found[1] == BRANCHES_2025
    assert found[2][1:] == [  # per audit category, from the register
        ["I", "1", "1", "100,0 %", "1 (100,0 %)", "0", "1 (100,0 %)"],
        ["II", "2", "2", "100,0 %", "0 (0,0 %)", "1", "1 (50,0 %)"],
        ["III", "2", "2", "100,0 %", "1 (50,0 %)", "0", "1 (50,0 %)"],
        ["IV", "1", "1", "100,0 %", "1 (100,0 %)", "0", "1 (100,0 %)"],
        ["Totaal", "6", "6", "100,0 %", "3 (50,0 %)", "1", "4 (66,7 %)"]]
    # The appendix: the first decision as Resultaat, what followed as Opmerking.
    vob = found[3]
    assert vob[0] == ["nr.", "cert. nr.", "Naam organisatie", "Resultaat", "Opmerking",
                      "Auditcategorie"]
    assert vob[1:] == [
        ["1", "CBCT-0101", "Bibliotheek Rivierenland", "Gecertificeerd", "", "III"],
        ["2", "CBCT-0102", "Bibliotheek Rivierenland", "Voorwaardelijk gecertificeerd",
         "Gecertificeerd na heraudit (besluit 20-1-2026)", "II"],
        ["5", "CBCT-0107", "Bibliotheek Gooi & Vecht", "Gecertificeerd", "", "IV"],
        ["6", "CBCT-0111", "Bibliotheek Eemland/Amersfoort", "Voorwaardelijk gecertificeerd",
         "Heraudit in voorbereiding (gepland op 7-1-2026)", "III"]]
    assert found[4][1:] == [["3", "CBCT-0103", "Kunst&Co Uden", "Gecertificeerd", "", "I"]]
    assert found[5][1:] == [["4", "CBCT-0104", "Taalhuis Noord/Oost", "Niet gecertificeerd",
                             "Nog geen heraudit gepland", "II"]]


def test_before_the_heraudit_decision_it_is_still_in_preparation(
        office: OfficeFolder, tmp_path: Path) -> None:
    """The report shows the decisions as they stood on its date: on 1-12-2025 the heraudit
    of CBCT-0102 was planned, not yet decided."""
    out = tmp_path / "overzicht"
    code, output = run_overview(office, out, "--period", "2025", "--date", "1-12-2025")
    assert code == 0, output
    assert "3 certified at once, 0 after a heraudit, 3 certified in all." in output
    counts = tables(out / "sectoroverzicht.docx")[0]
    assert counts[6] == ["waarvan gecertificeerd na heraudit", "0", "0,0 %",
                         "van de heraudit-groep"]
    assert counts[8] == ["heraudit in voorbereiding", "2", "66,7 %", "van de heraudit-groep"]


def test_a_period_counts_the_dossiers_decided_in_it(office: OfficeFolder,
                                                    tmp_path: Path) -> None:
    """Membership goes by the decision on the audit: the third quarter holds the five
    decided on 7-7-2025, the first half only CBCT-0103. The heraudit decision of
    20-1-2026 does not put CBCT-0102 into 2026 a second time."""
    code, output = run_overview(office, tmp_path / "q3", "--period", "2025-Q3",
                                "--date", "1-2-2026")
    assert code == 0, output
    assert "5 dossiers decided in derde kwartaal van 2025" in output
    assert "5 organisations, 5 trajectories, 2 certified at once, 1 after a heraudit" in output
    assert "Periode: derde kwartaal van 2025" in docx_text(tmp_path / "q3" /
                                                            "sectoroverzicht.docx")
    code, output = run_overview(office, tmp_path / "h1", "--period", "2025-H1",
                                "--date", "1-2-2026")
    assert code == 0, output
    assert "1 organisations, 1 trajectories, 1 certified at once, 0 after a heraudit" in output

    code, output = run_overview(office, tmp_path / "2026", "--period", "2026")
    assert code == 1
    database = office.database_path
    assert (f"Error: {database}: no decisions recorded in 2026 (1-1-2026 – 31-12-2026) "
            "(the recorded decisions run from 20-3-2025 to 7-7-2025; decisions are recorded "
            "by cbct-docs decide.") in output
    assert not (tmp_path / "2026").exists()


def test_scores_come_from_the_score_sheets_of_the_decided_dossiers(
        office: OfficeFolder, tmp_path: Path) -> None:
    out = tmp_path / "overzicht"
    code, output = run_overview(office, out, "--period", "2025", "--date", "1-2-2026",
                                "--scores", str(SAMPLES / "scores"))
    assert code == 0, output
    assert "Scores from 6 workbooks." in output
    text = docx_text(out / "sectoroverzicht.docx")
    assert "Kwaliteit in Beeld (5 audits)" in text  # 0101, 0102, 0103, 0107, 0111
    assert "Zicht op Ontwikkeling (1 audit)" in text  # 0104
    # A workbook of an organisation not decided in the period is located.
    code, output = run_overview(office, tmp_path / "h1", "--period", "2025-H1",
                                "--scores", str(SAMPLES / "scores"))
    assert code == 1
    assert (f"Error: {sheet('CBCT-0101')}: cert. nr. 'CBCT-0101' is not in the decisions "
            "recorded in eerste helft van 2025") in output


def test_a_period_without_recorded_decisions_is_a_clear_message(tmp_path: Path) -> None:
    office = new_office(tmp_path)  # the register only: nothing decided yet
    out = tmp_path / "overzicht"
    code, output = run_overview(office, out, "--period", "2025")
    assert code == 1
    assert (f"Error: {office.database_path}: no decisions recorded in 2025 "
            "(1-1-2025 – 31-12-2025) (no decisions are recorded at all yet; decisions are "
            "recorded by cbct-docs decide. For a period before the tool give its results "
            "table: cbct-docs overview RESULTS --period TEXT)") in output
    assert not out.exists()
    with pytest.raises(DataError, match="no decisions recorded in 2025"):
        overview(office, "2025", out=out)


def test_the_period_must_be_one_the_decisions_can_be_counted_for(tmp_path: Path) -> None:
    assert parse_period("2025").start == D(2025, 1, 1)
    assert (parse_period("2025-h2").start, parse_period("2025-H2").end) == (
        D(2025, 7, 1), D(2025, 12, 31))
    assert parse_period("2025-Q2").label == "tweede kwartaal van 2025"
    with pytest.raises(UsageError, match="give a year"):
        parse_period("tweede helft 2025")
    office = new_office(tmp_path)
    code, output = run_overview(office, tmp_path / "out")
    assert code == 2
    assert "give --period (e.g. --period 2025) to count the recorded decisions, or the " \
           "RESULTS table" in output
    code, output = run_overview(office, tmp_path / "out", "--period", "tweede helft 2025")
    assert code == 2
    assert "Error: --period: 'tweede helft 2025' is not a period" in output
    elsewhere = OfficeFolder(tmp_path / "elsewhere")  # a folder that is no office
    elsewhere.folder.mkdir()
    code, output = run_overview(elsewhere, tmp_path / "out", "--period", "2025")
    assert code == 2
    assert (f"Error: {elsewhere.folder / 'cbct-ledger.sqlite'}: there is no office database "
            "here (give --office DIR") in output
    assert list(elsewhere.folder.iterdir()) == []  # no database started by a report


def test_the_table_of_an_earlier_period_is_still_accepted(tmp_path: Path) -> None:
    """RESULTS given: the table counts, --period is only the report's name for it, and the
    office database is not needed."""
    out = tmp_path / "overzicht"
    result = CliRunner().invoke(cli, ["overview", str(SAMPLES / "overview" / "results.xlsx"),
                                      "--period", "tweede helft 2024", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "41 organisations, 37 trajectories" in result.output
    text = docx_text(out / "sectoroverzicht.docx")
    assert "Periode: tweede helft 2024" in text
    assert "op basis van results.xlsx." in text
    assert not Path(os.environ["CBCT_LEDGER"]).exists()


# --- the rules, on dossiers made by hand ------------------------------------------------------

def dossier(*events: tuple[Kind, dt.date, Mapping[str, object]]) -> DossierState:
    return fold("CBCT-0102", Quarter(2025, 2), [Event(kind, day, data)
                                                 for kind, day, data in events])


CONDITIONAL = (Kind.DECIDED, D(2025, 7, 7), {"besluit": "Voorwaardelijk gecertificeerd",
                                             "onvoldoende": ["3"]})
PLANNED = (Kind.HERAUDIT_PLANNED, D(2025, 7, 10), {"datum": "2026-01-07", "normen": ["3"]})


def test_what_followed_a_decision_that_was_not_gecertificeerd() -> None:
    failed = dossier(CONDITIONAL, PLANNED,
                     (Kind.HERAUDIT_HELD, D(2026, 1, 13), {}),
                     (Kind.HERAUDIT_DECIDED, D(2026, 1, 20),
                      {"besluit": "Niet gecertificeerd", "onvoldoende": ["3"]}))
    assert remark_and_note(failed) == ("", "Niet gecertificeerd na heraudit (besluit "
                                           "20-1-2026)")
    held = dossier(CONDITIONAL, PLANNED, (Kind.HERAUDIT_HELD, D(2026, 1, 13), {}))
    assert remark_and_note(held) == ("Heraudit in voorbereiding", "gepland op 7-1-2026")
    assert remark_and_note(dossier(CONDITIONAL)) == ("", "Nog geen heraudit gepland")


def test_a_dossier_whose_organisation_is_missing_is_located(tmp_path: Path) -> None:
    with pytest.raises(CbctError, match=r"office.sqlite:dossier CBCT-0102 \(2025-Q2\): the "
                                        "organisation of this dossier is not in the office"):
        recorded_rows([(None, dossier(CONDITIONAL))], parse_period("2025"),
                      source=tmp_path / "office.sqlite")
