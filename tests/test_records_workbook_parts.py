"""The workbook opener (records/workbook_parts.py, issue 16) gives exactly what openpyxl's
reading gives — sheet list, states, epoch, shared strings, date and timedelta styles, and
so the records of every sheet — for every workbook of the samples and the bad-input
corpus, for workbooks openpyxl writes with rich text, 1904 dates, custom date formats and
hidden sheets, and for random shared-string tables; the first time a part is seen and the
times after, when its outcome is remembered."""

from __future__ import annotations

import datetime as dt
import io
import os
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.reader.strings import read_string_table

from cbct_docs.errors import CbctError
from cbct_docs.records import workbook_parts
from cbct_docs.records.workbook_parts import (
    InMemory,
    Parts,
    forget,
    read_parts,
    read_shared_strings,
    read_with_openpyxl,
)
from cbct_docs.records.xlsx import HIDDEN_ROW_CHOICES, Workbook

ROOT = Path(__file__).resolve().parent.parent
WORKBOOKS = sorted(p for p in [*(ROOT / "samples").rglob("*.xlsx"),
                                *(ROOT / "tests/badinput").rglob("*.xlsx")])
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def opened(read: Any, path: Path) -> Any:
    """What a reading of the parts gives: the parts, or the error it raises."""
    try:
        archive, parts = read(path)
    except Exception as error:  # noqa: BLE001 - the error is what is compared
        return ("raised", type(error), str(error))
    archive.close()
    return ("read", parts)


def tables(path: Path, read: Any) -> Any:
    """Every sheet of the workbook in every hidden-rows mode, as Workbook reads it with
    the parts ``read`` gives: rows and located problems, or the refusal."""
    try:
        with Workbook(path, read) as workbook:
            found: list[Any] = []
            for sheet in workbook.sheetnames:
                for mode in HIDDEN_ROW_CHOICES:
                    try:
                        table = workbook.table(sheet, mode)
                        found.append((sheet, mode, [(n, [(type(v), v) for v in row])
                                                    for n, row in table.rows],
                                      [e.messages() for e in table.problems]))
                    except CbctError as error:
                        found.append((sheet, mode, error.messages()))
            return ("read", workbook.sheets, found)
    except CbctError as error:
        return ("refused", error.messages())


def read_known(path: Path) -> Parts:
    """The quick reading alone, without falling back on openpyxl (it raises when unsure)."""
    with zipfile.ZipFile(path) as archive:
        return workbook_parts._read_known(archive)


def assert_same(path: Path, sure: bool = True) -> Any:
    """The parts and the tables are the same both ways; ``sure``: and a workbook that
    opens is opened by the quick reading, not by falling back on openpyxl."""
    expected = opened(read_with_openpyxl, path)
    forget()
    if sure and expected[0] == "read":
        assert read_known(path) == expected[1]
        assert read_known(path) == expected[1]  # and from what it remembered
        forget()
    assert opened(read_parts, path) == expected  # each part seen for the first time
    assert opened(read_parts, path) == expected  # each part's outcome remembered
    assert tables(path, read_parts) == tables(path, read_with_openpyxl)
    return expected


@pytest.mark.parametrize("path", WORKBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_workbook_opens_as_openpyxl_opens_it(path: Path) -> None:
    assert_same(path)


def test_the_corpus_has_workbooks_read_and_refused() -> None:
    """So that the comparison above compares both outcomes."""
    outcomes = {opened(read_with_openpyxl, path)[0] for path in WORKBOOKS}
    assert outcomes == {"read", "raised"} and len(WORKBOOKS) > 20


def written(path: Path, *, mac_1904: bool = False) -> Path:
    """A workbook as openpyxl writes it: shared strings with rich text, a custom date
    format, a timedelta format, a hidden and a very hidden sheet, a chartsheet."""
    book = openpyxl.Workbook()
    if mac_1904:
        book.epoch = openpyxl.utils.datetime.CALENDAR_MAC_1904
    sheet = book.active
    assert sheet is not None
    sheet.title = "Gegevens"
    sheet.append(["naam", "datum", "duur", "tekst"])
    sheet.append(["Bibliotheek Zuid", dt.date(2025, 3, 4), dt.timedelta(hours=30), "a_x000D_b"])
    sheet.append(["x005F_x", dt.datetime(2025, 3, 4, 9, 30), 1.5, "  spaties  "])
    sheet["D4"] = CellRichText(["vet ", TextBlock(InlineFont(b=True), "deel"), " eind"])
    sheet["B2"].number_format = "d-m-yyyy"
    sheet["C2"].number_format = "[h]:mm:ss"
    sheet["C3"].number_format = "0.00"
    hidden = book.create_sheet("Verborgen")
    hidden.sheet_state = "hidden"
    hidden.append(["a", "b"])
    very = book.create_sheet("Heel verborgen")
    very.sheet_state = "veryHidden"
    very.append(["c", 1])
    book.create_chartsheet("Grafiek")
    book.save(path)
    return path


@pytest.mark.parametrize("mac_1904", [False, True])
def test_workbooks_openpyxl_writes_open_as_openpyxl_opens_them(tmp_path: Path,
                                                              mac_1904: bool) -> None:
    path = written(tmp_path / "book.xlsx", mac_1904=mac_1904)
    kind, parts = assert_same(path)
    assert kind == "read" and isinstance(parts, Parts)
    assert parts.sheets == {"Gegevens": ("visible", "xl/worksheets/sheet1.xml"),
                            "Verborgen": ("hidden", "xl/worksheets/sheet2.xml"),
                            "Heel verborgen": ("veryHidden", "xl/worksheets/sheet3.xml")}
    with Workbook(path) as workbook:  # openpyxl writes its text inline
        texts = [v for _, row in workbook.table("Gegevens").rows for v in row]
    assert {"vet deel eind", "  spaties  ", "a_x000D_b", "x005F_x"} <= set(texts)
    assert parts.date_formats and parts.timedelta_formats < parts.date_formats
    assert (parts.epoch.year == 1904) == mac_1904


def replaced(base: Path, path: Path, name: str, data: bytes | None,
             **more: bytes) -> Path:
    """``base`` with one part replaced (or left out, for None), and ``more`` parts
    (by name, ``/`` written ``__``) replaced."""
    parts = {name: data, **{key.replace("__", "/"): value for key, value in more.items()}}
    with zipfile.ZipFile(base) as source, zipfile.ZipFile(path, "w") as target:
        for item in source.infolist():
            if item.filename not in parts:
                target.writestr(item, source.read(item))
        for part, value in parts.items():
            if value is not None:
                target.writestr(part, value)
    return path


STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"


def with_strings(base: Path, path: Path, table: bytes) -> Path:
    """``base`` with a shared-strings table (as Excel writes its text), its second sheet
    showing the first three strings."""
    with zipfile.ZipFile(base) as source:
        manifest = source.read("[Content_Types].xml")
    manifest = manifest.replace(b"</Types>", f'<Override PartName="/xl/sharedStrings.xml" '
                                             f'ContentType="{STRINGS_TYPE}"/></Types>'.encode())
    cells = "".join(f'<c r="{c}1" t="s"><v>{i}</v></c>' for i, c in enumerate("ABC"))
    sheet = f'<worksheet xmlns="{MAIN}"><sheetData><row r="1">{cells}</row></sheetData>' \
            "</worksheet>"
    return replaced(base, path, "xl/sharedStrings.xml", table,
                    **{"[Content_Types].xml": manifest,
                       "xl__worksheets__sheet2.xml": sheet.encode()})


SST = f'<sst xmlns="{MAIN}">{{}}</sst>'.encode()


@pytest.mark.parametrize("entries", [
    b'<si><t>plain</t></si><si><t xml:space="preserve"> kant </t></si><si><t/></si>',
    b'<si><r><t>een </t></r><r><rPr><b/></rPr><t>twee</t></r></si>',
    b'<si><t>\xe6\xbc\xa2\xe5\xad\x97</t><rPh sb="0" eb="2"><t>kanji</t></rPh>'
    b'<phoneticPr fontId="1"/></si>',
    b'<si><t>a_x000D_b_x005F_x000D_c&#13;d\r\ne</t></si>',
    b'<si><t>x</t><t>y</t></si><si><r><t>a</t></r><t>b</t></si>',
])
def test_shared_strings_open_as_openpyxl_opens_them(tmp_path: Path, entries: bytes) -> None:
    base = written(tmp_path / "base.xlsx")
    assert_same(with_strings(base, tmp_path / "book.xlsx", SST.replace(b"{}", entries)))


@pytest.mark.parametrize("entries", [
    b'<si count="1"><t>an attribute openpyxl refuses</t></si>',
    b'<si><t>a</t><si><t>b</t></si></si>',
    b'<si><t>a</t></si><extLst/>',
    b'<si><t>a<b/>c</t></si>',
    b'<si><t>unclosed</si>',
])
def test_unusual_shared_strings_open_as_openpyxl_opens_them(tmp_path: Path,
                                                           entries: bytes) -> None:
    base = written(tmp_path / "base.xlsx")
    assert_same(with_strings(base, tmp_path / "book.xlsx", SST.replace(b"{}", entries)),
                sure=False)


@pytest.mark.parametrize("name, data", [
    ("xl/styles.xml", None),
    ("xl/styles.xml", b"<styleSheet/>"),
    ("xl/styles.xml", f'<styleSheet xmlns="{MAIN}"><numFmts count="1"><numFmt numFmtId="170"'
                      f' formatCode="yyyy-mm-dd hh:mm"/></numFmts><cellXfs count="3"><xf/>'
                      f'<xf numFmtId="170"/><xf numFmtId="46"/></cellXfs></styleSheet>'
                      .encode()),
    ("xl/workbook.xml", f'<workbook xmlns="{MAIN}"><workbookPr date1904="1"/><sheets>'
                        f'<sheet name="Gegevens" sheetId="1"/></sheets></workbook>'.encode()),
    ("xl/workbook.xml", f'<workbook xmlns="{MAIN}" xmlns:r="http://schemas.openxmlformats.org'
                        f'/officeDocument/2006/relationships"><sheets><sheet name="Eén" '
                        f'sheetId="1" state="hidden" r:id="rId9"/></sheets></workbook>'
                        .encode()),
    ("xl/_rels/workbook.xml.rels", None),
    ("[Content_Types].xml", b"<Types/>"),
    ("xl/worksheets/sheet2.xml", None),
])
def test_parts_missing_or_unusual_open_as_openpyxl_opens_them(tmp_path: Path, name: str,
                                                              data: bytes | None) -> None:
    base = written(tmp_path / "base.xlsx")
    assert_same(replaced(base, tmp_path / "book.xlsx", name, data), sure=False)


def test_a_remembered_part_gives_what_its_own_bytes_give(tmp_path: Path) -> None:
    """Two workbooks alike but for their styles: the second is not read with the first's
    date styles (each part is remembered by its own bytes)."""
    forget()
    first = written(tmp_path / "first.xlsx")
    with zipfile.ZipFile(first) as source:
        styles = source.read("xl/styles.xml")
    second = replaced(first, tmp_path / "second.xlsx", "xl/styles.xml",
                      styles.replace(b'formatCode="d-m-yyyy"', b'formatCode="0.000"'))
    with Workbook(first) as one, Workbook(second) as other:
        assert one.date_formats != other.date_formats
        assert one.table("Gegevens").rows[1][1][1] == dt.date(2025, 3, 4)
        assert other.table("Gegevens").rows[1][1][1] == 45720
    assert len(workbook_parts._STYLES) == 2


SETTINGS = settings(max_examples=int(os.environ.get("CBCT_PROPERTY_EXAMPLES", "60")),
                    deadline=None, suppress_health_check=[HealthCheck.too_slow])
TEXT = st.text(alphabet=st.sampled_from(list("ab Z09&<>\"'\t\n\r;é€ĳ_x005F_x000D\u00a0")),
               max_size=8)


def xml_text(text: str) -> str:
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace("\r", "&#13;"))


@st.composite
def entry(draw: Any) -> str:
    """One <si> of the forms Excel, LibreOffice and openpyxl write."""
    def t() -> str:
        space = draw(st.sampled_from(("", ' xml:space="preserve"')))
        text = draw(TEXT)
        return f"<t{space}>{xml_text(text)}</t>" if text or draw(st.booleans()) else "<t/>"

    parts = []
    if draw(st.booleans()):
        parts.append(t())
    for _ in range(draw(st.integers(0, 2))):
        font = draw(st.sampled_from(("", "<rPr><b/></rPr>", '<rPr><sz val="11"/></rPr>')))
        parts.append(f"<r>{font}{t()}</r>")
    if draw(st.booleans()):
        parts.append(f'<rPh sb="0" eb="1">{t()}</rPh>')
    return f"<si>{''.join(parts)}</si>"


@SETTINGS
@given(entries=st.lists(entry(), max_size=6))
def test_random_shared_strings_read_as_openpyxl_reads_them(entries: list[str]) -> None:
    source = SST.replace(b"{}", "".join(entries).encode())
    assert read_shared_strings(source) == read_string_table(io.BytesIO(source))


# --- the members of a workbook read in memory (workbook_parts.InMemory) ----------------

def result(read: Any, *args: Any) -> Any:
    try:
        return ("read", read(*args))
    except Exception as error:  # noqa: BLE001 - the error is what is compared
        return ("raised", type(error), str(error))


def assert_members_read_as_zipfile_reads_them(data: bytes) -> int:
    """Every member (and a missing one) read from ``data`` by InMemory as ZipFile reads
    it; the number of members InMemory read itself."""
    quick = result(InMemory, data)
    plain = result(zipfile.ZipFile, io.BytesIO(data))
    assert quick[0] == plain[0]
    if quick[0] == "raised":
        assert quick[1:] == plain[1:]
        return 0
    archive, reference = quick[1], plain[1]
    for name in [*reference.namelist(), "missing.xml"]:
        expected = result(reference.read, name)
        assert result(archive.read, name) == expected, name
        assert result(archive.read_common, name) == expected, name  # inflated, or kept
        assert result(archive.read_common, name) == expected, name  # kept
    return sum(workbook_parts._member(data, info) is not None for info in archive.infolist())


@pytest.mark.parametrize("path", WORKBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_workbook_s_members_read_as_zipfile_reads_them(path: Path) -> None:
    assert_members_read_as_zipfile_reads_them(path.read_bytes())


def test_stored_and_deflated_members_and_unicode_names_are_read_in_memory(
        tmp_path: Path) -> None:
    target = io.BytesIO()
    with zipfile.ZipFile(target, "w") as archive:
        archive.writestr("stored.xml", b"<a/>" * 50, zipfile.ZIP_STORED)
        archive.writestr("deflated.xml", b"<b/>" * 50, zipfile.ZIP_DEFLATED)
        archive.writestr("één.xml", b"", zipfile.ZIP_DEFLATED)
    assert assert_members_read_as_zipfile_reads_them(target.getvalue()) == 3


@SETTINGS
@given(position=st.integers(0, 10_000), value=st.integers(0, 255), cut=st.booleans())
def test_damaged_workbooks_are_read_as_zipfile_reads_them(position: int, value: int,
                                                          cut: bool) -> None:
    """A byte changed (or the file cut off) anywhere: the same bytes or the same error."""
    assert_members_read_as_zipfile_reads_them(SMALL_BOOK)  # its parts kept, unchanged
    data = bytearray(SMALL_BOOK)
    position %= len(data)
    if cut:
        del data[position:]
    else:
        data[position] = value
    assert_members_read_as_zipfile_reads_them(bytes(data))


SMALL_BOOK = (ROOT / "samples/planning.xlsx").read_bytes()


def zipped(**parts: bytes) -> bytes:
    target = io.BytesIO()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return target.getvalue()


def test_a_kept_part_is_given_for_the_same_stored_bytes_crc_and_size_only() -> None:
    """read_common gives a part inflated before only to a member stored the same (its
    bytes, CRC and size); a member that differs in any of them is read as zipfile reads
    it: its own bytes, or zipfile's error."""
    forget()
    styles = b'<styleSheet><numFmts count="1"/></styleSheet>' * 20
    first = InMemory(zipped(a=b"eerste", styles=styles))
    kept = first.read_common("styles")
    assert kept == styles
    again = InMemory(zipped(b=b"tweede werkmap", styles=styles))  # at another offset
    assert again.read_common("styles") is kept  # the kept bytes, not inflated anew
    assert again.read("styles") == styles and again.read("styles") is not kept
    other = styles.replace(b'count="1"', b'count="2"')
    assert InMemory(zipped(styles=other)).read_common("styles") == other
    data = bytearray(zipped(styles=styles))
    directory = data.index(b"PK\x01\x02")
    data[directory + 16] ^= 0xFF  # the CRC zipfile checks, in the central directory
    with pytest.raises(zipfile.BadZipFile, match="Bad CRC-32"):
        zipfile.ZipFile(io.BytesIO(bytes(data))).read("styles")
    with pytest.raises(zipfile.BadZipFile, match="Bad CRC-32"):
        InMemory(bytes(data)).read_common("styles")
    forget()


def test_a_part_larger_than_common_largest_is_read_each_time_and_never_kept() -> None:
    """A part above COMMON_LARGEST (a workbook's own large styles, say) is inflated for
    every workbook, never kept: it gives its own bytes, equal but not the same object."""
    forget()
    large = b"<styleSheet>" + b"<xf/>" * (workbook_parts.COMMON_LARGEST // 5) + b"</styleSheet>"
    assert len(large) > workbook_parts.COMMON_LARGEST
    first = InMemory(zipped(styles=large)).read_common("styles")
    again = InMemory(zipped(a=b"andere", styles=large)).read_common("styles")
    assert first == again == large and again is not first
    assert len(workbook_parts._INFLATED) == 0
    forget()
