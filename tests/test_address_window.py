"""An address too long for the envelope window is not cut off in silence: the letter is
made, and the run's summary says which letter and what does not fit (located warning);
`templates check` says it of a letter's example when the office's window is small."""

from __future__ import annotations

import copy
import io
import zipfile
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner, Result
from docx.oxml.ns import qn

from cbct_docs.cli import cli
from cbct_docs.deliver.pdf import convert_to_pdf, soffice_available
from cbct_docs.paths import samples_dir, templates_dir
from cbct_docs.render.address_fit import address_fit, text_width
from cbct_docs.render.print_layout import place_window
from cbct_docs.render.window import use_window
from cbct_docs.settings import EnvelopeWindow

from .golden import docx_reading_text
from .registers import edited_register

SAMPLES = samples_dir()
REPO = Path(__file__).resolve().parent.parent
LETTER_DAY = ("--date", "4-11-2024")  # before every sample audit's zelfevaluatie
LONG_NAME = ("Stichting Centrum voor Kunst, Cultuur en Cultuureducatie Maashorst, Uden en "
             "Omstreken")


@pytest.fixture(autouse=True)
def standard_window() -> object:
    """Each test starts and ends with the standard window in use (it is per process)."""
    use_window(None)
    yield
    use_window(None)


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, [*args], catch_exceptions=False)


def warnings_in(output: str) -> list[str]:
    return [line for line in output.splitlines() if ": warning: " in line]


def test_a_name_too_long_for_the_window_is_a_located_warning(tmp_path: Path) -> None:
    register = edited_register(tmp_path / "register.xlsx", {"CBCT-0103": {"name": LONG_NAME}})
    out = tmp_path / "out"
    result = run("confirm", str(SAMPLES / "planning.xlsx"), "--register", str(register),
                 "--config", str(REPO / "cbct-docs.toml"), *LETTER_DAY, "--out", str(out))
    assert result.exit_code == 0, result.output  # a warning, not a refusal
    letters = sorted((out / "bevestigingsbrief").glob("*.docx"))
    assert len(letters) == 6
    [letter] = [p for p in letters if p.name.startswith("CBCT-0103")]
    assert LONG_NAME in docx_reading_text(letter)  # the letter is made, name and all
    [warning] = warnings_in(result.output)
    assert warning.startswith(f"{letter}: warning: the address may not fit the "
                              "envelope window (90 × 40 mm): ")
    assert f"{LONG_NAME!r} is about " in warning
    assert "the window 90 mm: it wraps onto a next line" in warning
    assert "cut off" not in warning  # wrapped, the lines still fit in height
    assert "venster_breedte" in warning  # and what to do about it


def own_letter_with_more_lines(folder: Path, *lines: str) -> Path:
    """The office's own bevestigingsbrief with fixed lines added under the name in its
    address block (as an office adds its department or a PO box), saved the way Word
    would (python-docx)."""
    document = docx.Document(str(templates_dir() / "letters" / "bevestigingsbrief.docx"))
    cell = document.tables[0].cell(0, 0)
    name = next(p for p in cell.paragraphs if "organisatie.naam" in p.text)
    for text in reversed(lines):
        added = copy.deepcopy(name._p)
        name._p.addnext(added)
        for run in added.iter(qn("w:t")):
            run.text = ""
        next(added.iter(qn("w:t"))).text = text
    target = folder / "templates" / "letters" / "bevestigingsbrief.docx"
    target.parent.mkdir(parents=True)
    document.save(str(target))
    return target


def test_too_many_lines_for_a_low_window(tmp_path: Path) -> None:
    """The lowest window allowed and an own letter whose address block has two lines
    more: the lines do not fit in height, though each is narrow enough."""
    office = tmp_path / "kantoor"
    office.mkdir()
    (office / "cbct-docs.toml").write_text(
        (REPO / "cbct-docs.toml").read_text(encoding="utf-8")
        + "\n[print]\nvenster_hoogte = 30\n", encoding="utf-8")
    own_letter_with_more_lines(office, "Afdeling Kwaliteit en Beleid", "Postbus 1234")
    out = tmp_path / "out"
    result = run("confirm", str(SAMPLES / "planning.xlsx"), "--org", "CBCT-0101",
                 "--register", str(SAMPLES / "register.xlsx"), "--office", str(office),
                 *LETTER_DAY, "--out", str(out))
    assert result.exit_code == 0, result.output
    [letter] = (out / "bevestigingsbrief").glob("*.docx")
    text = docx_reading_text(letter)
    assert "Bibliotheek Rivierenland\nAfdeling Kwaliteit en Beleid\nPostbus 1234" in text
    [warning] = warnings_in(result.output)
    assert warning.startswith(f"{letter}: warning: the address may not fit the "
                              "envelope window (90 × 30 mm): its 7 lines need about ")
    assert "the window holds 28 mm: the last are cut off" in warning
    assert "is about" not in warning  # no line too wide


def test_letters_that_fit_say_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run("confirm", str(SAMPLES / "planning.xlsx"), "--register",
                 str(SAMPLES / "register.xlsx"), "--config", str(REPO / "cbct-docs.toml"),
                 *LETTER_DAY, "--out", str(out))
    assert result.exit_code == 0, result.output
    assert warnings_in(result.output) == []
    for letter in (out / "bevestigingsbrief").glob("*.docx"):
        fit = address_fit(letter.read_bytes())
        assert fit is not None and fit.fits, letter
        assert fit.lines[1].text in docx_reading_text(letter)  # the organisation's name


def test_templates_check_warns_for_a_small_window(tmp_path: Path) -> None:
    office = tmp_path / "kantoor"
    office.mkdir()
    settings = (REPO / "cbct-docs.toml").read_text(encoding="utf-8")
    (office / "cbct-docs.toml").write_text(settings, encoding="utf-8")
    quiet = run("templates", "check", "--office", str(office))
    assert quiet.exit_code == 0, quiet.output
    assert warnings_in(quiet.output) == []

    (office / "cbct-docs.toml").write_text(
        settings + "\n[print]\nvenster_breedte = 60\nvenster_hoogte = 30\n", encoding="utf-8")
    small = run("templates", "check", "--office", str(office))
    assert small.exit_code == 0, small.output
    warned = {line.split(": warning: ")[0] for line in warnings_in(small.output)}
    letters = templates_dir() / "letters"
    assert warned == {str(letters / f"{name}.docx") for name in
                      ("bevestigingsbrief", "besluitbrief", "besluitbrief-heraudit",
                       "heraudit")}  # every letter with an address block; no certificate
    assert "the address of its example letter may not fit the envelope window " \
           "(60 × 30 mm)" in small.output


def test_the_estimate_follows_the_text_and_the_window() -> None:
    data = place_window((templates_dir() / "letters" / "bevestigingsbrief.docx").read_bytes(),
                        EnvelopeWindow())
    # the template's own tags are the address here: long enough to show the arithmetic
    fit = address_fit(data)
    assert fit is not None and fit.box == pytest.approx((90, 40), abs=0.1)
    assert fit.room_height == pytest.approx(40 - 113 / 1440 * 25.4, abs=0.01)  # top margin
    assert [line.size for line in fit.lines][:2] == [7, 10.5]
    # wider text is wider; a capital wider than a small letter; é as e
    assert text_width("WWWW", 10) > text_width("wwww", 10) > text_width("iiii", 10)
    assert text_width("café", 10) == text_width("cafe", 10)


def test_a_letter_without_an_address_block_is_not_measured() -> None:
    certificate = (templates_dir() / "letters" / "certificaat.docx").read_bytes()
    assert address_fit(certificate) is None
    assert address_fit(b"not a zip") is None


def test_an_old_template_without_the_title_gets_it_when_placed() -> None:
    """An own letter from before the title existed: its opening table is placed, and the
    made letter says which table is the address block, so it is measured too."""
    data = (templates_dir() / "letters" / "bevestigingsbrief.docx").read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    xml = parts["word/document.xml"].decode("utf-8")
    start = xml.index("<w:tblCaption")
    parts["word/document.xml"] = (xml[:start] + xml[xml.index("/>", start) + 2:]).encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for name, part in parts.items():
            target.writestr(name, part)
    old = buffer.getvalue()
    assert address_fit(old) is None  # nothing to go by
    fit = address_fit(place_window(old, EnvelopeWindow()))
    assert fit is not None and fit.box == pytest.approx((90, 40), abs=0.1)


@pytest.mark.skipif(not soffice_available(), reason="LibreOffice not installed")
def test_the_estimate_agrees_with_the_printed_letter(tmp_path: Path) -> None:
    """From the PDF LibreOffice prints (word positions): where the estimate says the lines
    are too many, the last address line is missing from the window; where it says a long
    name only wraps, every word of the address is inside the window."""
    import pdfplumber

    letters = {}
    for name, height, extra, org_name in (("cut", 30, ("Afdeling Kwaliteit en Beleid",
                                                       "Postbus 1234"), None),
                                          ("wraps", 40, (), LONG_NAME)):
        office = tmp_path / name
        office.mkdir()
        (office / "cbct-docs.toml").write_text(
            (REPO / "cbct-docs.toml").read_text(encoding="utf-8")
            + f"\n[print]\nvenster_hoogte = {height}\n", encoding="utf-8")
        if extra:
            own_letter_with_more_lines(office, *extra)
        register = edited_register(office / "register.xlsx",
                                   {"CBCT-0101": {"name": org_name} if org_name else {}})
        result = run("confirm", str(SAMPLES / "planning.xlsx"), "--org", "CBCT-0101",
                     "--register", str(register), "--office", str(office), *LETTER_DAY,
                     "--out", str(office / "out"))
        assert len(warnings_in(result.output)) == 1, result.output
        [letters[name]] = (office / "out" / "bevestigingsbrief").glob("*.docx")
        use_window(None)
    pdfs = dict(zip(letters, convert_to_pdf(list(letters.values()), tmp_path / "pdf"),
                    strict=True))

    def in_window(name: str, height: float) -> str:
        mm = 72 / 25.4
        with pdfplumber.open(str(pdfs[name])) as pdf:
            words = pdf.pages[0].extract_words()
        return " ".join(w["text"] for w in words
                        if 45 * mm - 1 <= w["top"] and w["bottom"] <= (45 + height) * mm + 1
                        and 20 * mm - 1 <= w["x0"] and w["x1"] <= 110 * mm + 1)

    cut = in_window("cut", 30)
    assert "Postbus 1234" in cut and "Havenstraat 12" in cut
    assert "Tiel" not in cut  # the last line, 4001 AB  Tiel, is cut off
    wraps = in_window("wraps", 40)
    assert " ".join(LONG_NAME.split()) in wraps and wraps.endswith("4001 AB Tiel")


class _Unseekable(io.RawIOBase):
    """A stream zipfile cannot seek in: it writes each member's sizes after its data."""

    def __init__(self) -> None:
        self.data = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, chunk: bytes) -> int:  # type: ignore[override]
        self.data += chunk
        return len(chunk)


def test_a_letter_zipped_with_sizes_after_the_data_reads_the_same(tmp_path: Path) -> None:
    """The fast reading of the zip's local headers gives way to zipfile where they do not
    say the sizes; the estimate is the same."""
    register = edited_register(tmp_path / "register.xlsx", {"CBCT-0103": {"name": LONG_NAME}})
    out = tmp_path / "out"
    run("confirm", str(SAMPLES / "planning.xlsx"), "--org", "CBCT-0103", "--register",
        str(register), "--config", str(REPO / "cbct-docs.toml"), *LETTER_DAY, "--out", str(out))
    [letter] = (out / "bevestigingsbrief").glob("*.docx")
    data = letter.read_bytes()
    stream = _Unseekable()
    with zipfile.ZipFile(io.BytesIO(data)) as source, \
            zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, source.read(info))
    rezipped = bytes(stream.data)
    assert rezipped != data and zipfile.ZipFile(io.BytesIO(rezipped)).testzip() is None
    first, second = address_fit(data), address_fit(rezipped)
    assert first is not None and second is not None and not first.fits
    assert (second.lines, second.height, second.too_wide) == \
        (first.lines, first.height, first.too_wide)
