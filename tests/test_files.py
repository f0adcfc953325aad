"""Output files: safe names, batched atomic writes, and leftovers of killed runs."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cbct_docs.deliver.files import (
    ensure_folder,
    safe_filename,
    temp_name,
    write_files,
    writer_of,
)


@pytest.mark.parametrize("text,expected", [
    ('Stichting "De Kunst" / Noord', "Stichting -De Kunst- - Noord"),
    ("../../etc/passwd", "etc-passwd"),
    ("Bibliotheek Súdwest-Fryslân", "Bibliotheek Súdwest-Fryslân"),
    ("CON", "_CON"),
    ("COM¹", "_COM¹"),  # Windows reserves the superscript digits too
    ("LPT²", "_LPT²"),
    ("CONIN$", "_CONIN$"),
    ("conout$.txt", "_conout$.txt"),
    ("  ..  ", "document"),
    ("a\x00b\tc", "a-b-c"),
])
def test_safe_filename(text: str, expected: str) -> None:
    assert safe_filename(text) == expected


def test_write_files_writes_all_and_reports_the_ones_it_cannot(tmp_path: Path) -> None:
    (tmp_path / "bestaat.txt").write_text("oud", encoding="utf-8")
    items: list[tuple[Path, bytes | str]] = [
        (tmp_path / "a.txt", "Fryslân"), (tmp_path / "bestaat.txt", "nieuw"),
        (tmp_path / "b.bin", b"\x00\x01")]
    results = write_files(items)
    assert (tmp_path / "a.txt").read_text(encoding="utf-8") == "Fryslân"
    assert (tmp_path / "b.bin").read_bytes() == b"\x00\x01"
    assert results[0].sha256 == hashlib.sha256("Fryslân".encode()).hexdigest()
    assert results[1].error is not None and "exists already" in str(results[1].error)
    assert (tmp_path / "bestaat.txt").read_text(encoding="utf-8") == "oud"
    assert not list(tmp_path.glob(".*.tmp"))
    write_files([(tmp_path / "bestaat.txt", "nieuw")], overwrite=True)
    assert (tmp_path / "bestaat.txt").read_text(encoding="utf-8") == "nieuw"


def test_ensure_folder_clears_only_leftovers_of_dead_runs(tmp_path: Path) -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    dead_pid = int(dead.stdout)  # that process has ended
    leftover = tmp_path / f".brief.docx.{dead_pid}.abc123.tmp"
    live = tmp_path / f".brief2.docx.{os.getpid()}.def456.tmp"  # a writer still running
    foreign = tmp_path / ".iets.tmp"  # not named by us
    for path in (leftover, live, foreign):
        path.write_bytes(b"half")
    ensure_folder(tmp_path)
    assert not leftover.exists()
    assert live.exists() and foreign.exists()


def test_long_names_with_accents_fit_the_file_system(tmp_path: Path) -> None:
    stem = safe_filename("é" * 130 + " Bibliotheek")
    assert len(stem.encode("utf-8")) <= 180 and stem.startswith("é")
    (result,) = write_files([(tmp_path / f"{stem}-2.docx", b"brief")])
    assert result.error is None and (tmp_path / f"{stem}-2.docx").read_bytes() == b"brief"


def test_invisible_format_characters_leave_file_names() -> None:
    assert safe_filename("factuur\u202excod.docx") == "factuurxcod.docx"


def test_a_file_made_meanwhile_is_never_replaced_without_overwrite(tmp_path: Path) -> None:
    from cbct_docs.deliver.files import _replace, _temp_file
    from cbct_docs.errors import OutputError

    target = tmp_path / "brief.docx"
    tmp = _temp_file(target, b"nieuw", sync=False)
    target.write_bytes(b"van een andere run")  # appears between the check and the rename
    with pytest.raises(OutputError, match="exists already"):
        _replace(tmp, target, overwrite=False)
    assert target.read_bytes() == b"van een andere run"
    assert not list(tmp_path.glob(".*.tmp"))


def test_name_pattern_refuses_groups_of_values() -> None:
    from cbct_docs.deliver.files import NamePattern
    from cbct_docs.errors import DataError

    pattern = NamePattern("{naam}-{adres}")
    assert pattern.stem({"naam": "Oost", "adres": "Markt 3"}) == "Oost-Markt 3"
    with pytest.raises(DataError, match="'adres' holds a group of values"):
        pattern.stem({"naam": "Oost", "adres": {"straat": "Markt 3"}})


def test_the_writer_of_a_temporary_name_is_its_process() -> None:
    """Our temporary names carry the process that writes them (merge's workers and the
    clean-up of a dead run's leftovers both read it); any other name has none."""
    ours = Path(temp_name(Path("/out/CBCT-0101 De.Bieb.docx")))
    assert ours.parent == Path("/out") and writer_of(ours) == os.getpid()
    for other in ("CBCT-0101.docx", ".CBCT-0101.docx.tmp", ".a.b.12x.3.tmp", "a.12.3.docx",
                  ".CBCT-0101.docx.12.3.tmp.bak", ".a.docx.\u00b23.1.tmp"):  # ² is no pid
        assert writer_of(Path(other)) == 0, other
    assert writer_of(Path(".notities.txt.4242.7.tmp")) == 4242
