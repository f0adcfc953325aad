"""The throw-away LibreOffice profile starts as after a first start: no self-test, one start."""

from __future__ import annotations

from pathlib import Path

import pytest

from cbct_docs.deliver.pdf import _Runner, build_id, find_soffice, seed_profile, soffice_available

from .conftest import make_docx
from .test_bundle import pages


def test_build_id_is_read_from_the_installation(tmp_path: Path) -> None:
    program = tmp_path / "lib" / "libreoffice" / "program"
    program.mkdir(parents=True)
    (program / "soffice").write_text("#!/bin/sh\n")
    (program / "versionrc").write_text("[Version]\r\nAllLanguages=en-US nl\r\n"
                                       "buildid=40(Build:2)\r\nVendor=Debian\r\n")
    link = tmp_path / "bin" / "soffice"
    link.parent.mkdir()
    link.symlink_to(program / "soffice")
    assert build_id(link) == "40(Build:2)"  # found beside the program the link points to

    seed_profile(tmp_path / "profile", link)
    user = tmp_path / "profile" / "user"
    assert (user / "extensions" / "buildid").read_text() == "40(Build:2)"
    assert "ooSetupLastVersion" in (user / "registrymodifications.xcu").read_text()


def test_without_a_build_id_only_the_settings_are_written(tmp_path: Path) -> None:
    (tmp_path / "soffice").write_text("#!/bin/sh\n")
    assert build_id(tmp_path / "soffice") is None
    seed_profile(tmp_path / "profile", tmp_path / "soffice")
    assert [p.name for p in (tmp_path / "profile" / "user").iterdir()] == [
        "registrymodifications.xcu"]


def test_an_existing_profile_is_left_alone(tmp_path: Path) -> None:
    profile = tmp_path / "profile"
    (profile / "user").mkdir(parents=True)
    (profile / "user" / "registrymodifications.xcu").write_text("<oor:items/>")
    seed_profile(profile, tmp_path / "soffice")
    assert (profile / "user" / "registrymodifications.xcu").read_text() == "<oor:items/>"


@pytest.mark.skipif(not soffice_available(), reason="LibreOffice not installed")
def test_a_conversion_skips_the_self_test_and_starts_once(tmp_path: Path) -> None:
    letter = make_docx(tmp_path / "brief.docx", ["Geachte directie van De Brûg,"],
                       footer="Certificatiebureau Cultuur & Taal")
    soffice = find_soffice()
    assert soffice is not None
    (tmp_path / "scratch").mkdir()
    run = _Runner(soffice, tmp_path / "scratch", timeout=120)
    run([letter], ["--convert-to", "pdf"])
    assert "Geachte directie van De Brûg," in " ".join(pages(run.converted / "brief.pdf"))
    user = tmp_path / "scratch" / "profile" / "user"
    # LibreOffice writes this log when it runs its graphics self-test, and records a
    # restart in progress when it had to start itself twice.
    assert (user / "registrymodifications.xcu").is_file()
    assert not (user / "GraphicsRenderTests.log").exists()
    assert "OfficeRestartInProgress" not in (user / "registrymodifications.xcu").read_text()


def test_the_scratch_folder_goes_to_memory_when_there_is_room(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import cbct_docs.deliver.pdf as pdf

    monkeypatch.delenv("TMPDIR", raising=False)
    monkeypatch.setattr(pdf, "SHARED_MEMORY", str(tmp_path))
    assert pdf.scratch_root(50) == str(tmp_path)
    assert pdf.scratch_root(10**12) is None  # a terabyte of letters: not there
    monkeypatch.setenv("TMPDIR", str(tmp_path / "elders"))
    assert pdf.scratch_root(50) is None  # the user's choice: tempfile follows TMPDIR
    monkeypatch.delenv("TMPDIR")
    monkeypatch.setattr(pdf, "SHARED_MEMORY", str(tmp_path / "geen"))
    assert pdf.scratch_root(50) is None


def test_libreoffice_starts_early_for_a_batch_of_two_half_bundles() -> None:
    from cbct_docs.deliver.pdf import EARLY_START
    from cbct_docs.deliver.pdf_split import HALF_BUNDLE

    assert EARLY_START == 2 * HALF_BUNDLE  # pdf.py does not import pdf_split to start it


def test_a_template_s_large_parts_are_unpacked_once_and_compared_byte_for_byte(
        tmp_path: Path) -> None:
    import zipfile

    from cbct_docs.deliver.pdf_split import LARGE_PART, _xml_parts, bundle_key

    from .test_bundle import make_letters

    first, second, *_ = make_letters(tmp_path / "brieven")
    styles = "word/styles.xml"
    with zipfile.ZipFile(first) as archive:
        assert archive.getinfo(styles).file_size >= LARGE_PART  # python-docx's: ~40 kB
        unpacked = archive.read(styles)
    one, two = _xml_parts(first), _xml_parts(second)
    assert one[styles] == unpacked and two[styles] is one[styles]  # unpacked once
    # The same parts packed otherwise (stored, not deflated) are unpacked anew, and the
    # letter still shares the bundle: the key is the parts' bytes, not their packing.
    stored = tmp_path / "opgeslagen.docx"
    with zipfile.ZipFile(first) as source, zipfile.ZipFile(stored, "w") as target:
        for info in source.infolist():
            target.writestr(info.filename, source.read(info), zipfile.ZIP_STORED)
    assert _xml_parts(stored)[styles] == unpacked
    assert _xml_parts(stored)[styles] is not one[styles]
    assert bundle_key(stored) == bundle_key(first) and bundle_key(first)[0] is not None
    # Other styles: another key.
    other = tmp_path / "andere-stijlen.docx"
    with zipfile.ZipFile(first) as source, zipfile.ZipFile(other, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == styles:
                data = data.replace(b'w:val="Normal"', b'w:val="Standaard"', 1)
            target.writestr(info, data)
    assert bundle_key(other)[0] not in (None, bundle_key(first)[0])
