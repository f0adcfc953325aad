"""heraudit at office scale (issue 16): each sheet's organisation is found from its Audit
sheet alone, and the whole sheet is read only for the organisations that may get a
letter; a sheet that cannot be matched that way is reported as a whole read reports it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest

from cbct_docs.domain.register import read_register
from cbct_docs.errors import CbctError
from cbct_docs.paths import samples_dir
from cbct_docs.runs.audit import decide, heraudit
from cbct_docs.runs.sheets import scoresheets, sheet_owners

from .golden import docx_reading_text
from .registers import edited, reported_office


@pytest.mark.parametrize("workers", [False, True])
def test_owners_are_the_organisations_scoresheets_finds(
        workers: bool, monkeypatch: pytest.MonkeyPatch,
        forked_workers: Callable[..., None]) -> None:
    if workers:
        forked_workers(min_batch=2, chunk=2)
    paths = sorted((samples_dir() / "scores").glob("*.xlsx"))
    orgs = read_register(samples_dir() / "register.xlsx")
    owners = sheet_owners(paths, orgs)
    assert [(o.cert_nr, p) for o, p, _kept in owners] == [
        (o.cert_nr, Path(s.source)) for o, s in scoresheets(paths, orgs)]
    assert owners[0][0].cert_nr == "CBCT-0101"


def test_a_sheet_without_its_number_is_reported_as_a_whole_read_reports_it(
        tmp_path: Path) -> None:
    orgs = read_register(samples_dir() / "register.xlsx")
    good = samples_dir() / "scores" / "CBCT-0101.xlsx"
    missing = edited(tmp_path, "CBCT-0107", "Audit", "B2", None)
    (tmp_path / "other").mkdir()
    unknown = edited(tmp_path / "other", "CBCT-0111", "Audit", "B2", "CBCT-9999")
    with pytest.raises(CbctError) as whole:
        scoresheets([good, missing, unknown], orgs)
    with pytest.raises(CbctError) as audit_only:
        sheet_owners([good, missing, unknown], orgs)
    messages = [str(whole.value), str(audit_only.value)]
    assert messages[0] == messages[1]
    assert "the certificate number is missing" in messages[1]
    assert f"{missing}:Audit" in messages[1]
    assert "no organisation with certificate number 'CBCT-9999'" in messages[1]


def test_only_the_sheets_of_letters_are_read_whole(tmp_path: Path) -> None:
    """CBCT-0102 was voorwaardelijk gecertificeerd (a heraudit letter), CBCT-0107
    gecertificeerd (none): a score CBCT-0107's sheet cannot have does not stop the
    letter; the same fault in CBCT-0102's sheet is reported, located in its Scores."""
    office = reported_office(tmp_path, samples_dir() / "register.xlsx",
                             ("CBCT-0102", "CBCT-0107"))
    samples = [samples_dir() / "scores" / f"{c}.xlsx" for c in ("CBCT-0102", "CBCT-0107")]
    decided = decide(office, samples, dt.date(2025, 6, 19), out=tmp_path / "out")
    assert decided.outcomes == {"CBCT-0102": "Voorwaardelijk gecertificeerd",
                                "CBCT-0107": "Gecertificeerd"}
    (tmp_path / "b").mkdir()
    (tmp_path / "c").mkdir()
    broken = edited(tmp_path / "b", "CBCT-0107", "Scores", "E2", "Heel erg goed")
    broken_letter = edited(tmp_path / "c", "CBCT-0102", "Scores", "E2", "Heel erg goed")
    day = dt.date(2025, 11, 1)
    with pytest.raises(CbctError) as caught:
        heraudit(office, [broken_letter, broken], day, out=tmp_path / "out2")
    assert str(caught.value).startswith(f"{broken_letter}:Scores")  # only the one read
    assert "Heel erg goed" in str(caught.value) and str(broken) not in str(caught.value)
    assert not (tmp_path / "out2").exists()

    made = heraudit(office, [samples[0], broken], day, out=tmp_path / "out")
    [letter] = [m.path for m in made.made]
    assert letter.name.startswith("CBCT-0102-heraudit")
    assert "Bibliotheek Rivierenland" in docx_reading_text(letter)
    assert [s.cert_nr for s in made.skipped] == ["CBCT-0107"]
    office.close()


def _all_sufficient(folder: Path, cert_nr: str, cells: tuple[str, ...]) -> Path:
    """The sample sheet of ``cert_nr`` with the scores in ``cells`` made Volledig."""
    path = edited(folder, cert_nr, "Scores", cells[0], "Volledig")
    book = openpyxl.load_workbook(path)
    for cell in cells[1:]:
        book["Scores"][cell] = "Volledig"
    book.save(path)
    return path


@pytest.mark.parametrize("workers", [False, True])
def test_letters_written_where_rendered_are_those_of_one_core(
        tmp_path: Path, workers: bool, monkeypatch: pytest.MonkeyPatch,
        forked_workers: Callable[..., None]) -> None:
    """Each letter's name is given out before it is rendered and the process that renders
    it writes it (a worker too); a sheet that shows no heraudit is needed gives its name
    back. CBCT-0102's heraudit sheet now scores norm 3 Volledig (no letter), CBCT-0104
    and CBCT-0111 get one, CBCT-0107 (certified) is passed by: with workers or without,
    the same two letters, the same events, and no other file in the folder."""
    numbers = ("CBCT-0102", "CBCT-0104", "CBCT-0111", "CBCT-0107")
    made = {}
    for side in ("one", "workers"):
        if side == "workers" and not workers:
            continue
        if side == "workers":
            forked_workers(min_batch=2, chunk=1)
        else:
            monkeypatch.setenv("CBCT_WORKERS", "1")
        office = reported_office(tmp_path / side, samples_dir() / "register.xlsx", numbers)
        samples = [samples_dir() / "scores" / f"{c}.xlsx" for c in numbers]
        decide(office, samples, dt.date(2025, 6, 19), out=tmp_path / side / "out")
        good = _all_sufficient(tmp_path / side / "again", "CBCT-0102", ("E9", "E10"))
        result = heraudit(office, [good, *samples[1:]], dt.date(2025, 11, 1),
                          out=tmp_path / side / "letters")
        letters = tmp_path / side / "letters" / "heraudit"
        assert sorted(p.name for p in (tmp_path / side / "letters").rglob("*")) == sorted(
            ["heraudit", *(m.path.name for m in result.made)])
        assert [m.path.name[:9] for m in result.made] == ["CBCT-0104", "CBCT-0111"]
        assert [s.cert_nr for s in result.skipped] == ["CBCT-0107"]
        events = office.database().execute(
            "SELECT d.cert_nr, e.kind, e.data, e.document, e.sha256 FROM events e JOIN "
            "dossiers d ON d.id = e.dossier_id WHERE e.kind = 'heraudit-gepland' "
            "ORDER BY e.id").fetchall()
        made[side] = ([docx_reading_text(m.path) for m in result.made],
                      [(c, k, d, Path(p).relative_to(tmp_path / side), s)
                       for c, k, d, p, s in events])
        office.close()
        texts, recorded = made[side]
        assert "Taalhuis Noord/Oost" in texts[0] and "Eemland" not in texts[0]
        assert "Bibliotheek Eemland/Amersfoort" in texts[1]
        assert [c for c, *_rest in recorded] == ["CBCT-0104", "CBCT-0111"]
        assert all(Path(letters / p.name).exists() for *_r, p, _s in recorded)
    if workers:
        assert made["workers"] == made["one"]
