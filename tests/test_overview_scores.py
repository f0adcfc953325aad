"""Sector overview with score workbooks: joined by certificate number, the distribution
per norm counted by hand, charts per framework and split, and join errors."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import docx
import openpyxl
import pytest
from click.testing import CliRunner
from PIL import Image

from cbct_docs.cli import cli
from cbct_docs.documents.scoresheet_file import new_scoresheet
from cbct_docs.domain.frameworks import load_framework
from cbct_docs.domain.register import Organisation
from cbct_docs.errors import ProblemList
from cbct_docs.overview import build_overview
from cbct_docs.paths import samples_dir
from cbct_docs.records import Origin

HEADERS = ["nr.", "cert. nr.", "Naam organisatie", "Branchevereniging", "Resultaat",
           "Opmerking", "Auditcategorie"]
ROWS = [
    [1, "CB-11", "Bibliotheek Rivierenland", "VOB", "Gecertificeerd", None, "I"],
    [2, "CB-12", "Bibliotheek Rivierenland", "VOB", "Voorwaardelijk gecertificeerd",
     "Gecertificeerd na heraudit", "II"],
    [3, "CB-21", "Kunstpunt Aa", "Cultuurconnectie", "Gecertificeerd", None, "I"],
    [4, "CB-31", "Cultuurhuis Bb", "Cultuurconnectie + VOB", None, "Geen deelname", "I"],
]


def organisation(cert: str, name: str, framework: str, category: str) -> Organisation:
    return Organisation(cert_nr=cert, name=name, branch=("VOB",), framework=framework,
                        modules=(), contact="J. de Vries", email="info@voorbeeld.example",
                        street="Markt 1", postcode="1234 AB", city="Ergens",
                        certified_until=dt.date(2025, 12, 31), category=category,
                        origin=Origin("test"))


def scored_workbook(folder: Path, cert: str, name: str, framework: str,
                    scores: dict[str, str], default: str, file: str | None = None) -> Path:
    """A real score sheet from the domain module, filled in as an auditor would."""
    org = organisation(cert, name, framework, "I")
    path = new_scoresheet(org, framework, folder / (file or f"{cert}.xlsx"),
                          audit_dates=[dt.date(2025, 5, 12)], auditors=["Fenna Kuipers"])
    book = openpyxl.load_workbook(path)
    sheet = book["Scores"]
    for row in range(2, sheet.max_row + 1):
        qid = str(sheet.cell(row, 2).value)
        sheet.cell(row, 5).value = scores.get(qid, default)
    book.save(path)
    return path


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("scores")
    results = root / "results.xlsx"
    book = openpyxl.Workbook()
    book.active.append(HEADERS)
    for row in ROWS:
        book.active.append(row)
    book.save(results)
    folder = root / "scoreformulieren"
    folder.mkdir()
    # Same name, different organisations: the workbooks hold the certificate numbers.
    scored_workbook(folder, "CB-11", "Bibliotheek Rivierenland", "KiB", {}, "Volledig")
    scored_workbook(folder, "CB-12", "Bibliotheek Rivierenland", "KiB",
                    {"1.1": "Niet", "1.2": "Beperkt"}, "Grotendeels")
    scored_workbook(folder, "CB-21", "Kunstpunt Aa", "ZoO", {}, "Beperkt")
    return results, folder


@pytest.fixture(scope="module")
def report(inputs: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    results, folder = inputs
    out = tmp_path_factory.mktemp("out")
    build_overview(results, scores=folder).write(out)
    return out


def score_tables(path: Path) -> list[list[list[str]]]:
    document = docx.Document(str(path))
    tables = [[[c.text.strip() for c in row.cells] for row in t.rows] for t in document.tables]
    return [t for t in tables if t[0][0] == "Norm"]


def test_the_frameworks_hold_the_questions_this_test_counts() -> None:
    kib, zoo = load_framework("KiB"), load_framework("ZoO")
    assert [q.id for q in kib.norm(1).questions] == ["1.1", "1.2", "1.3"]
    assert [q.id for q in kib.norm(2).questions] == ["2.1", "2.2", "2.3"]
    # Without a taalhuis module the taalhuis questions (n.3 of norms 1-6) do not apply.
    assert [(q.id, q.scope) for q in zoo.norm(1).questions][2] == ("1.3", "taalhuis")
    assert [q.scope for q in zoo.norm(7).questions] == ["organisatie"] * 3
    assert [(lv.name, lv.colour) for lv in kib.scale] == [
        ("Niet", "red"), ("Beperkt", "red"), ("Grotendeels", "yellow"), ("Volledig", "green")]


def test_distribution_per_norm_counted_by_hand(report: Path) -> None:
    kib, zoo = score_tables(report / "sectoroverzicht.docx")
    assert kib[0] == ["Norm", "Titel", "Niet, Beperkt (onvoldoende)", "Grotendeels (voldoende)",
                      "Volledig (goed)", "Gemiddelde"]
    # KiB norm 1, six scores: CB-11 three times Volledig; CB-12 1.1 Niet, 1.2 Beperkt,
    # 1.3 Grotendeels. Red 2/6 = 33,3 %, yellow 1/6 = 16,7 %, green 3/6 = 50,0 %.
    # Mean on 1..4: (1 + 2 + 3 + 4 + 4 + 4) / 6 = 18 / 6 = 3,0.
    assert kib[1][0] == "1" and kib[1][2:] == ["2 (33,3 %)", "1 (16,7 %)", "3 (50,0 %)", "3,0"]
    # Norm 2: CB-11 Volledig ×3, CB-12 Grotendeels ×3 → 0, 3 (50,0 %), 3; mean 21/6 = 3,5.
    assert kib[2][2:] == ["0 (0,0 %)", "3 (50,0 %)", "3 (50,0 %)", "3,5"]
    assert len(kib) == 1 + 7
    # ZoO: only CB-21, everything Beperkt; norm 1 has two questions that apply, norm 7 three.
    assert zoo[1][2:] == ["2 (100,0 %)", "0 (0,0 %)", "0 (0,0 %)", "2,0"]
    assert zoo[7][2:] == ["3 (100,0 %)", "0 (0,0 %)", "0 (0,0 %)", "2,0"]


def test_headings_and_charts_per_framework_and_split(report: Path) -> None:
    text = "\n".join(p.text for p in docx.Document(str(report / "sectoroverzicht.docx"))
                     .paragraphs)
    assert "Kwaliteit in Beeld (2 audits)" in text
    assert "Zicht op Ontwikkeling (1 audit)" in text
    assert "Figuur: Scores per norm per branchevereniging, Kwaliteit in Beeld." in text
    names = sorted(p.name for p in report.glob("scores-*.png"))
    assert names == ["scores-KiB-auditcategorie.png", "scores-KiB-branchevereniging.png",
                     "scores-KiB.png", "scores-ZoO-auditcategorie.png",
                     "scores-ZoO-branchevereniging.png", "scores-ZoO.png"]
    for name in names:
        with Image.open(report / name) as image:
            image.verify()
    # Two categories (I and II) among the KiB audits: two panels, wider than tall enough.
    with Image.open(report / "scores-KiB-auditcategorie.png") as image:
        assert image.format == "PNG" and image.size[0] > 800


def test_join_errors_all_at_once(inputs: tuple[Path, Path], tmp_path: Path) -> None:
    results, _ = inputs
    folder = tmp_path / "scores"
    folder.mkdir()
    scored_workbook(folder, "CB-11", "Bibliotheek Rivierenland", "KiB", {}, "Volledig",
                    "a.xlsx")
    second = scored_workbook(folder, "CB-11", "Bibliotheek Rivierenland", "KiB", {},
                             "Volledig", "b.xlsx")
    stranger = scored_workbook(folder, "CB-99", "Bibliotheek Elders", "KiB", {}, "Volledig",
                               "c.xlsx")
    absent = scored_workbook(folder, "CB-31", "Cultuurhuis Bb", "KiB", {}, "Volledig",
                             "d.xlsx")
    with pytest.raises(ProblemList) as caught:
        build_overview(results, scores=folder)
    assert caught.value.messages() == [
        f"{second}: a second workbook for cert. nr. 'CB-11' (the other is a.xlsx; keep one "
        "per organisation)",
        f"{stranger}: cert. nr. 'CB-99' is not in results.xlsx (workbooks are joined to the "
        "results by certificate number)",
        f"{absent}: cert. nr. 'CB-31' has scores but its row says 'Geen deelname' (see "
        f"{results}:Sheet:row 5)",
    ]


def test_a_bad_score_cell_is_reported_with_its_location(inputs: tuple[Path, Path],
                                                        tmp_path: Path) -> None:
    results, _ = inputs
    path = scored_workbook(tmp_path, "CB-11", "Bibliotheek Rivierenland", "KiB",
                           {"2.2": "Grotendeel"}, "Volledig")
    with pytest.raises(ProblemList) as caught:
        build_overview(results, scores=tmp_path)
    [message] = caught.value.messages()
    assert message.startswith(f"{path}:Scores:row ") and ":score: 'Grotendeel' is not" in message


def test_sample_workbooks_join_by_certificate_number() -> None:
    samples = samples_dir() / "overview"
    overview = build_overview(samples / "results.xlsx", scores=samples / "scores")
    joined = {a.row.cert_nr: (a.row.name, a.sheet.cert_nr) for a in overview.audits}
    assert len(joined) == 16
    assert joined["CB-1001"] == ("Bibliotheek Rivierenland", "CB-1001")
    assert joined["CB-1007"] == ("Bibliotheek Rivierenland", "CB-1007")
    assert all(cert == sheet_cert for cert, (_name, sheet_cert) in joined.items())


def test_cli_with_scores(inputs: tuple[Path, Path], tmp_path: Path) -> None:
    results, folder = inputs
    result = CliRunner().invoke(cli, ["overview", str(results), "--scores", str(folder),
                                      "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "Scores from 3 workbooks." in result.output
    assert "Wrote sectoroverzicht.docx and 8 charts" in result.output


def test_scores_folder_without_workbooks(inputs: tuple[Path, Path], tmp_path: Path) -> None:
    results, _ = inputs
    with pytest.raises(ProblemList) as caught:
        build_overview(results, scores=tmp_path)
    assert caught.value.messages() == [
        f"{tmp_path}: no score workbooks (.xlsx) in this folder"]

