"""Sector overview: counting rules on the sample table (counted by hand), the report a
reader opens, its charts, the errors on bad input and the command line."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import docx
import openpyxl
import pytest
from click.testing import CliRunner
from PIL import Image

from cbct_docs.cli import cli
from cbct_docs.deliver.pdf import convert_to_pdf, soffice_available
from cbct_docs.errors import DataError, ProblemList
from cbct_docs.overview import (
    Overview,
    build_overview,
    count,
    percentage,
    read_results,
    read_survey,
)
from cbct_docs.paths import samples_dir

from .conftest import docx_text

SAMPLES = samples_dir() / "overview"
HEADERS = ["nr.", "cert. nr.", "Naam organisatie", "Branchevereniging", "Resultaat",
           "Opmerking"]

# The sample table (samples/overview/results.xlsx, 41 rows), counted by hand per branch:
#
#   VOB, CB-1001..CB-1021: 21 rows. Geen deelname: CB-1005 (Resultaat empty) and CB-1014
#     → 19 trajectories. Not certified at once: CB-1003 (na heraudit), CB-1007 (na
#     heraudit), CB-1009 (in voorbereiding), CB-1012 (geen heraudit aangevraagd) → 4;
#     certified at once 19 - 4 = 15; certified 15 + 2 = 17.
#   Cultuurconnectie, CB-2001..CB-2012: 12 rows. Geen deelname: CB-2006 → 11 trajectories.
#     Not at once: CB-2002 (na heraudit), CB-2004 (in voorbereiding), CB-2008 (no remark)
#     → 3; at once 8; certified 8 + 1 = 9.
#   Cultuurconnectie + VOB, CB-3001..CB-3008: 8 rows. Geen deelname: CB-3006 → 7
#     trajectories. Not at once: CB-3002 (na heraudit), CB-3004 (geen heraudit
#     aangevraagd) → 2; at once 5; certified 5 + 1 = 6.
#
#   Together: 41 rows, 4 Geen deelname, 37 trajectories, 28 at once, heraudit group 9
#   (of which 4 certified after a heraudit, rest 5: 2 in voorbereiding, 2 geen heraudit
#   aangevraagd, 1 without remark), 32 certified, not certified 5 + 4 = 9. In the heraudit
#   group the Resultaat is "Voorwaardelijk" for CB-1003, 1009, 2002, 2008, 3002, 3004 → 6.
#
# Percentages (one decimal, half to even): 37/41 = 90,24 → 90,2 %; 4/41 = 9,76 → 9,8 %;
# 28/37 = 75,68 → 75,7 %; 9/37 = 24,32 → 24,3 %; 4/9 = 44,4 %; 5/9 = 55,6 %;
# 2/9 = 22,2 %; 1/9 = 11,1 %; 32/37 = 86,49 → 86,5 %; 9/41 = 21,95 → 22,0 %.
# Participation: VOB 19/21 = 90,5 %, Cultuurconnectie 11/12 = 91,7 %, joint 7/8 = 87,5 %.
EXPECTED_COUNTS_TABLE = [
    ["Omschrijving", "Aantal", "Percentage", "Basis"],
    ["Organisaties in het overzicht", "41", "", ""],
    ["Geen deelname", "4", "9,8 %", "van alle organisaties"],
    ["Certificeringstrajecten", "37", "90,2 %", "van alle organisaties"],
    ["Direct gecertificeerd", "28", "75,7 %", "van de trajecten"],
    ["Heraudit-groep (niet direct gecertificeerd)", "9", "24,3 %", "van de trajecten"],
    ["waarvan gecertificeerd na heraudit", "4", "44,4 %", "van de heraudit-groep"],
    ["waarvan (nog) niet gecertificeerd", "5", "55,6 %", "van de heraudit-groep"],
    ["heraudit in voorbereiding", "2", "22,2 %", "van de heraudit-groep"],
    ["geen heraudit aangevraagd", "2", "22,2 %", "van de heraudit-groep"],
    ["zonder opmerking", "1", "11,1 %", "van de heraudit-groep"],
    ["Totaal gecertificeerd", "32", "86,5 %", "van de trajecten"],
    ["Niet gecertificeerd (inclusief geen deelname)", "9", "22,0 %", "van alle organisaties"],
]
# Direct and total certified as a share of each group's trajectories: VOB 15/19 = 78,9 %,
# 17/19 = 89,5 %; Cultuurconnectie 8/11 = 72,7 %, 9/11 = 81,8 %; joint 5/7 = 71,4 %,
# 6/7 = 85,7 %.
EXPECTED_BRANCH_TABLE = [
    ["Branchevereniging", "Organisaties", "Trajecten", "Deelname", "Direct gecertificeerd",
     "Na heraudit", "Totaal gecertificeerd"],
    ["VOB", "21", "19", "90,5 %", "15 (78,9 %)", "2", "17 (89,5 %)"],
    ["Cultuurconnectie", "12", "11", "91,7 %", "8 (72,7 %)", "1", "9 (81,8 %)"],
    ["Cultuurconnectie + VOB", "8", "7", "87,5 %", "5 (71,4 %)", "1", "6 (85,7 %)"],
    ["Totaal", "41", "37", "90,2 %", "28 (75,7 %)", "4", "32 (86,5 %)"],
]
# Category I: CB-1002, 2001, 1005 (geen deelname), 1007 (na heraudit), 1008, 2004
# (in voorbereiding), 2005, 3003, 1014 (geen deelname), 2008 (no remark), 1016, 3006
# (geen deelname), 2011, 1021 → 14 rows, 11 trajectories (78,6 %), 8 at once (8/11 =
# 72,7 %), 1 after a heraudit, 9 certified (81,8 %). Category IV: CB-1006, 1013, 3005,
# 1019, 2012, all certified at once → 5, 5, 100,0 %.
EXPECTED_CATEGORY_ROWS = {
    "I": ["I", "14", "11", "78,6 %", "8 (72,7 %)", "1", "9 (81,8 %)"],
    "IV": ["IV", "5", "5", "100,0 %", "5 (100,0 %)", "0", "5 (100,0 %)"],
}


def table_rows(table: Any) -> list[list[str]]:
    return [[cell.text.strip() for cell in row.cells] for row in table.rows]


def write_xlsx(path: Path, header: list[str], rows: list[list[Any]],
               sheet: str = "Sheet1") -> Path:
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet
    ws.append(header)
    for row in rows:
        ws.append(row)
    book.save(path)
    return path


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Overview, Path]:
    out = tmp_path_factory.mktemp("overzicht")
    overview = build_overview(SAMPLES / "results.xlsx", survey=SAMPLES / "survey.csv",
                              period="2025")
    overview.write(out)
    return overview, out


@pytest.fixture(scope="module")
def document(report: tuple[Overview, Path]) -> Any:
    return docx.Document(str(report[1] / "sectoroverzicht.docx"))


def test_counting_rules_on_the_sample_table() -> None:
    table = read_results(SAMPLES / "results.xlsx")
    c = count(table.rows)
    assert (c.rows, c.no_participation, c.trajectories) == (41, 4, 37)
    assert (c.certified_at_once, c.heraudit_group, c.conditional) == (28, 9, 6)
    assert (c.certified_after_heraudit, c.heraudit_rest) == (4, 5)
    assert (c.heraudit_preparing, c.no_heraudit_requested, c.heraudit_no_remark) == (2, 2, 1)
    assert (c.certified, c.not_certified) == (32, 9)
    vob = count(r for r in table.rows if r.branch == "VOB")
    assert (vob.rows, vob.trajectories, vob.certified_at_once, vob.certified) == (21, 19, 15, 17)


def test_csv_and_xlsx_samples_hold_the_same_rows() -> None:
    xlsx, csv = read_results(SAMPLES / "results.xlsx"), read_results(SAMPLES / "results.csv")
    strip = [(r.nr, r.cert_nr, r.name, r.branch, r.result, r.remark, r.category)
             for r in xlsx.rows]
    assert strip == [(r.nr, r.cert_nr, r.name, r.branch, r.result, r.remark, r.category)
                     for r in csv.rows]
    assert strip[0] == ("1", "CB-1001", "Bibliotheek Rivierenland", "VOB", "Gecertificeerd",
                        "", "II")
    assert str(xlsx.rows[0].origin) == f"{SAMPLES / 'results.xlsx'}:Resultaten:row 2"


def test_percentages_have_a_decimal_comma() -> None:
    assert percentage(41, 45) == "91,1 %"
    assert percentage(37, 41) == "90,2 %"
    assert percentage(5, 5) == "100,0 %"
    assert percentage(0, 0) == "–"


def test_counts_table_and_summary_in_the_report(document: Any) -> None:
    assert table_rows(document.tables[0]) == EXPECTED_COUNTS_TABLE
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Periode: 2025" in text
    assert ("In deze periode stonden 41 organisaties op de lijst. Daarvan doorliepen er 37 "
            "een certificeringstraject (90,2 %); 4 namen niet deel.") in text
    assert "In totaal zijn 32 organisaties gecertificeerd: 86,5 % van de trajecten." in text


def test_participation_per_branch_association(document: Any) -> None:
    assert table_rows(document.tables[1]) == EXPECTED_BRANCH_TABLE


def test_split_per_audit_category(document: Any) -> None:
    rows = table_rows(document.tables[2])
    assert rows[0][0] == "Auditcategorie"
    assert [r[0] for r in rows[1:]] == ["I", "II", "III", "IV", "Totaal"]
    assert rows[1] == EXPECTED_CATEGORY_ROWS["I"]
    assert rows[4] == EXPECTED_CATEGORY_ROWS["IV"]


def test_survey_distribution(document: Any) -> None:
    # survey.csv: 28 respondents. Question 1: 9 zeer tevreden, 12 tevreden, 4 neutraal,
    # 2 ontevreden, 1 zeer ontevreden → 9/28 = 32,1 %, 12/28 = 42,9 %. Question 3 has one
    # "n.v.t." and one empty cell → 26 answers, 8/26 = 30,8 %. All questions: 9 + 14 + 8 +
    # 11 = 42 zeer tevreden of 28 + 28 + 26 + 27 = 109 answers → 38,5 %.
    rows = table_rows(document.tables[3])
    assert rows[0] == ["Vraag", "Zeer tevreden", "Tevreden", "Neutraal", "Ontevreden",
                       "Zeer ontevreden", "Antwoorden"]
    assert rows[1] == ["Hoe tevreden bent u over de voorbereiding van de audit?",
                       "9 (32,1 %)", "12 (42,9 %)", "4 (14,3 %)", "2 (7,1 %)", "1 (3,6 %)",
                       "28"]
    assert rows[3][1] == "8 (30,8 %)" and rows[3][-1] == "26"
    assert rows[-1][0] == "Alle vragen" and rows[-1][1] == "42 (38,5 %)"
    assert rows[-1][-1] == "109"
    assert "28 respondenten vulden de tevredenheidsenquête in." in docx_text_of(document)


def docx_text_of(document: Any) -> str:
    return "\n".join(p.text for p in document.paragraphs)


def test_appendix_has_one_table_per_branch_with_rows_as_given(document: Any) -> None:
    tables = [table_rows(t) for t in document.tables[4:]]
    assert len(tables) == 3
    text = docx_text_of(document)
    for heading in ("VOB (21)", "Cultuurconnectie (12)", "Cultuurconnectie + VOB (8)"):
        assert heading in text
    vob, cc, joint = tables
    assert vob[0] == ["nr.", "cert. nr.", "Naam organisatie", "Resultaat", "Opmerking",
                      "Auditcategorie"]
    assert len(vob) == 1 + 21 and len(cc) == 1 + 12 and len(joint) == 1 + 8
    # Rows keep the order of the results table (its nr. column), not sorted by name.
    assert [r[0] for r in cc[1:4]] == ["3", "7", "10"]
    # Same name, two organisations: told apart by certificate number.
    assert vob[1] == ["1", "CB-1001", "Bibliotheek Rivierenland", "Gecertificeerd", "", "II"]
    assert vob[7] == ["11", "CB-1007", "Bibliotheek Rivierenland", "Niet gecertificeerd",
                      "Gecertificeerd na heraudit", "I"]
    assert vob[5] == ["8", "CB-1005", "Bibliotheek Noorderkempen", "", "Geen deelname", "I"]
    assert joint[1][2] == "Cultuurhuis & Bibliotheek De Kruisweg"


def test_charts_are_png_files_and_pictures_in_the_report(report: tuple[Overview, Path]) -> None:
    overview, out = report
    names = sorted(p.name for p in out.glob("*.png"))
    assert names == ["deelname.png", "resultaten.png", "tevredenheid.png"]
    for name in names:
        with Image.open(out / name) as image:
            image.verify()
        with Image.open(out / name) as image:
            assert image.format == "PNG" and image.size[0] > 600 and image.size[1] > 150
    with zipfile.ZipFile(out / "sectoroverzicht.docx") as package:
        media = [n for n in package.namelist() if n.startswith("word/media/")]
        body = package.read("word/document.xml").decode("utf-8")
    assert len(media) == 3
    assert body.count("<wp:inline") == 3
    assert "{{" not in body and "{%" not in body
    pictures = {Image.open(io.BytesIO(chart.png)).size for chart in overview.charts}
    assert len(pictures) >= 2  # different charts, not one image three times


def test_report_converts_with_libreoffice(report: tuple[Overview, Path],
                                          tmp_path: Path) -> None:
    if not soffice_available():
        pytest.skip("LibreOffice not installed")
    from pypdf import PdfReader

    [pdf] = convert_to_pdf([report[1] / "sectoroverzicht.docx"], tmp_path)
    text = " ".join(page.extract_text() for page in PdfReader(str(pdf)).pages)
    assert "Sectoroverzicht certificering" in text
    assert "91,7 %" in text and "Bibliotheek Rivierenland" in text


# --- bad input ----------------------------------------------------------------------------

def good_rows(count: int = 6) -> list[list[Any]]:
    rows = [[1, "CB-1", "Bibliotheek Aa", "VOB", "Gecertificeerd", None],
            [2, "CB-2", "Bibliotheek Bb", "VOB", "Voorwaardelijk gecertificeerd",
             "Gecertificeerd na heraudit"],
            [3, "CB-3", "Kunstpunt Cc", "Cultuurconnectie", "Niet gecertificeerd",
             "Heraudit in voorbereiding"],
            [4, "CB-4", "Bibliotheek Aa", "Cultuurconnectie + VOB", None, "Geen deelname"],
            [5, "CB-5", "Muziekschool Dd", "Cultuurconnectie", "Gecertificeerd", None],
            [6, "CB-6", "Theater Ee", "Cultuurconnectie", "Gecertificeerd", None]]
    return rows[:count]


def test_unknown_result_is_a_location_first_error(tmp_path: Path) -> None:
    rows = good_rows()
    rows[5][4] = "Gecertificeert"  # sheet row 7: header, then data rows 2..7
    path = write_xlsx(tmp_path / "results.xlsx", HEADERS, rows)
    with pytest.raises(ProblemList) as caught:
        read_results(path)
    [message] = caught.value.messages()
    assert message == (f"{path}:Sheet1:row 7:Resultaat: 'Gecertificeert' is not one of "
                       "Gecertificeerd, Voorwaardelijk gecertificeerd, Niet gecertificeerd "
                       "(did you mean 'Gecertificeerd'?)")


def test_every_problem_of_the_table_at_once(tmp_path: Path) -> None:
    rows = good_rows()
    rows[0][3] = "VOG"
    rows[1][5] = "Heraudit gepland"
    rows[2][1] = None
    rows[4][5] = "Gecertificeerd na heraudit"  # at once and after a heraudit: contradiction
    rows[5][1] = "CB-5"  # the certificate number of row 6 again
    path = write_xlsx(tmp_path / "results.xlsx", HEADERS, rows)
    with pytest.raises(ProblemList) as caught:
        read_results(path)
    messages = caught.value.messages()
    where = f"{path}:Sheet1"
    assert messages[0].startswith(f"{where}:row 2:Branchevereniging: 'VOG' is not one of VOB,")
    assert messages[1].startswith(f"{where}:row 3:Opmerking: 'Heraudit gepland' is not one of")
    assert messages[2].startswith(f"{where}:row 4:cert. nr.: a value is required")
    assert messages[3].startswith(f"{where}:row 6:Opmerking: Resultaat 'Gecertificeerd' with "
                                  "Opmerking 'Gecertificeerd na heraudit' contradicts itself")
    assert messages[4].startswith(f"{where}:row 7:cert. nr.: cert. nr. 'CB-5' appears twice")
    assert f"also at {where}:row 6" in messages[4]
    assert len(messages) == 5


def test_values_are_read_without_regard_to_case_and_spaces(tmp_path: Path) -> None:
    rows = good_rows(2)
    rows[0][3], rows[0][4] = "Cultuurconnectie+VOB", "  gecertificeerd "
    rows[1][5] = "gecertificeerd NA heraudit"
    table = read_results(write_xlsx(tmp_path / "r.xlsx", HEADERS, rows))
    assert [(r.branch, r.result, r.remark) for r in table.rows] == [
        ("Cultuurconnectie + VOB", "Gecertificeerd", ""),
        ("VOB", "Voorwaardelijk gecertificeerd", "Gecertificeerd na heraudit")]
    assert not table.has_category


def test_header_only_table_is_a_clear_error(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "results.xlsx", HEADERS, [])
    with pytest.raises(DataError) as caught:
        read_results(path)
    assert str(caught.value) == (f"{path}: the table has no rows below its header "
                                 "(expected one row per organisation of the period)")
    empty = tmp_path / "leeg.csv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(DataError, match="the file is empty"):
        read_results(empty)


def test_missing_header_is_named(tmp_path: Path) -> None:
    header = [h if h != "Opmerking" else "Opmerkingen" for h in HEADERS]
    path = write_xlsx(tmp_path / "results.xlsx", header, good_rows())
    with pytest.raises(ProblemList) as caught:
        read_results(path)
    assert caught.value.messages() == [
        f"{path}:Sheet1: missing column 'Opmerking' (found 'Opmerkingen'; write the header "
        "exactly as 'Opmerking')"]


def test_small_table_without_category_counted_by_hand(tmp_path: Path) -> None:
    # good_rows: CB-4 is Geen deelname (Resultaat empty) → 5 trajectories; at once CB-1,
    # CB-5, CB-6 → 3 (60,0 %); heraudit group CB-2 (after heraudit) and CB-3 (preparing).
    path = write_xlsx(tmp_path / "results.xlsx", HEADERS, good_rows())
    overview = build_overview(path)
    c = overview.counts
    assert (c.rows, c.trajectories, c.certified_at_once, c.heraudit_group) == (6, 5, 3, 2)
    assert (c.certified_after_heraudit, c.certified, c.not_certified) == (1, 4, 2)
    overview.write(tmp_path / "out")
    document = docx.Document(str(tmp_path / "out" / "sectoroverzicht.docx"))
    assert table_rows(document.tables[0])[4] == ["Direct gecertificeerd", "3", "60,0 %",
                                                 "van de trajecten"]
    text = docx_text(tmp_path / "out" / "sectoroverzicht.docx")
    assert "Resultaten per auditcategorie" not in text and "Tevredenheid" not in text
    appendix = [table_rows(t) for t in document.tables[2:]]
    assert [t[0] for t in appendix] == [["nr.", "cert. nr.", "Naam organisatie", "Resultaat",
                                         "Opmerking"]] * 3
    assert [len(t) - 1 for t in appendix] == [2, 3, 1]  # VOB, Cultuurconnectie, joint
    assert sorted(p.name for p in (tmp_path / "out").glob("*.png")) == [
        "deelname.png", "resultaten.png"]


def test_survey_answer_off_the_scale(tmp_path: Path) -> None:
    path = tmp_path / "enquete.csv"
    path.write_text("Naam;Hoe tevreden bent u?;Toelichting\nA;Tevreden;prima\n"
                    "B;zeer  tevreden;\nC;heel tevreden;te laat\nD;n.v.t.;\n", encoding="utf-8")
    with pytest.raises(ProblemList) as caught:
        read_survey(path)
    assert caught.value.messages()[0].startswith(
        f"{path}:row 4:Hoe tevreden bent u?: 'heel tevreden' is not one of zeer tevreden,")
    path.write_text("Naam;Hoe tevreden bent u?;Toelichting\nA;Tevreden;prima\n"
                    "B;zeer  tevreden;\nC;neutraal;te laat\nD;n.v.t.;\n", encoding="utf-8")
    survey = read_survey(path)
    assert survey.ignored_columns == ["Naam", "Toelichting"]
    assert survey.questions[0].counts == {"zeer tevreden": 1, "tevreden": 1, "neutraal": 1,
                                          "ontevreden": 0, "zeer ontevreden": 0}


# --- command line -------------------------------------------------------------------------

def test_cli_writes_report_and_refuses_to_overwrite(tmp_path: Path) -> None:
    out = tmp_path / "out"
    runner = CliRunner()
    result = runner.invoke(cli, ["overview", str(SAMPLES / "results.csv"), "--out", str(out),
                                 "--period", "2025"])
    assert result.exit_code == 0, result.output
    assert "41 organisations, 37 trajectories, 28 certified at once, 4 after a heraudit, " \
           "32 certified in all." in result.output
    assert "Wrote sectoroverzicht.docx and 2 charts" in result.output
    assert "90,2 %" in docx_text(out / "sectoroverzicht.docx")
    before = (out / "sectoroverzicht.docx").read_bytes()
    again = runner.invoke(cli, ["overview", str(SAMPLES / "results.csv"), "--out", str(out)])
    assert again.exit_code == 1
    assert "exists already: sectoroverzicht.docx, resultaten.png, deelname.png" in again.output
    assert (out / "sectoroverzicht.docx").read_bytes() == before
    forced = runner.invoke(cli, ["overview", str(SAMPLES / "results.csv"), "--out", str(out),
                                 "--overwrite"])
    assert forced.exit_code == 0, forced.output


def test_cli_bad_input_writes_nothing(tmp_path: Path) -> None:
    rows = good_rows()
    rows[5][4] = "Gecertificeert"
    path = write_xlsx(tmp_path / "results.xlsx", HEADERS, rows)
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["overview", str(path), "--out", str(out)])
    assert result.exit_code == 1
    assert f"Error: {path}:Sheet1:row 7:Resultaat: 'Gecertificeert'" in result.output
    assert "Traceback" not in result.output
    assert not out.exists()


def test_cli_help_teaches() -> None:
    result = CliRunner().invoke(cli, ["overview", "--help"])
    assert result.exit_code == 0
    assert "cbct-docs overview resultaten-2025.xlsx --out out/overzicht" in result.output
    assert "--scores" in result.output and "--survey" in result.output



def test_problems_of_results_and_survey_come_together(tmp_path: Path) -> None:
    rows = good_rows()
    rows[0][4] = "Gecertificeert"
    results = write_xlsx(tmp_path / "results.xlsx", HEADERS, rows)
    survey = tmp_path / "enquete.csv"
    survey.write_text("Vraag 1\ntevreden\nbest wel\ntevreden\n", encoding="utf-8")
    with pytest.raises(ProblemList) as caught:
        build_overview(results, survey=survey)
    messages = caught.value.messages()
    assert len(messages) == 2
    assert messages[0].startswith(f"{results}:Sheet1:row 2:Resultaat: 'Gecertificeert'")
    assert messages[1].startswith(f"{survey}:row 3:Vraag 1: 'best wel' is not one of")
