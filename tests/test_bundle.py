"""Print bundle: every letter, in order, each on its own page with its own header."""

from __future__ import annotations

import struct
import zipfile
import zlib
from pathlib import Path
from types import ModuleType

import docx
import pypdf
import pytest
from click.testing import CliRunner
from docx.enum.section import WD_SECTION

from cbct_docs.cli import cli
from cbct_docs.deliver.bundle import make_bundle
from cbct_docs.deliver.pdf import soffice_available
from cbct_docs.errors import DataError, ProblemList, UsageError

from .conftest import make_docx

ORGANISATIONS = ["Bibliotheek Kennemerwaard", "Cultuurhuis De Brûg", "Taalpunt Oostzaan",
                 "Bibliotheek Zuid-Kennemerland"]


def tiny_png() -> bytes:
    """A 2×2 red PNG, built by hand so the test needs no image library."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))
    raw = b"".join(b"\x00" + b"\xff\x00\x00" * 2 for _ in range(2))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def make_letters(folder: Path) -> list[Path]:
    folder.mkdir(exist_ok=True)
    logo = folder / "handtekening.png"
    logo.write_bytes(tiny_png())
    letters = []
    for number, name in enumerate(ORGANISATIONS, 1):
        path = make_docx(folder / f"{number:02}-brief.docx",
                         [f"Geachte directie van {name},",
                          f"Hierbij bevestigen wij de auditdatum voor {name}.",
                          "Met vriendelijke groet,"],
                         header=f"Aan: {name}", footer="Bureau Certificering Cultuur")
        document = docx.Document(str(path))
        for norm in ("Norm 2: voldoende", "Norm 5: goed"):  # a numbered list in every letter
            document.add_paragraph(norm, style="List Number")
        if number == 2:  # a letter with a picture (a signature) in its body
            document.add_picture(str(logo))
        if number == 3:  # a letter that ends in a table, not a paragraph
            table = document.add_table(rows=1, cols=2)
            table.cell(0, 0).text, table.cell(0, 1).text = "Norm 4", "voldoende"
        document.save(str(path))
        letters.append(path)
    return letters


def body_text(document: docx.document.Document) -> str:
    return "\n".join(p.text for p in document.paragraphs)


def test_bundle_has_every_letter_in_order_each_in_its_own_section(tmp_path: Path) -> None:
    letters = make_letters(tmp_path / "brieven")
    bundle = make_bundle(letters, tmp_path / "drukwerk.docx")
    document = docx.Document(str(bundle))
    text = body_text(document)
    positions = [text.index(f"Geachte directie van {name},") for name in ORGANISATIONS]
    assert positions == sorted(positions)
    assert text.count("Met vriendelijke groet,") == len(ORGANISATIONS)
    assert [[c.text for c in row.cells] for row in document.tables[0].rows] == [
        ["Norm 4", "voldoende"]]
    # One section per letter, each starting on a new page with its own header.
    assert len(document.sections) == len(ORGANISATIONS)
    for section, name in zip(document.sections, ORGANISATIONS, strict=True):
        assert section.start_type == WD_SECTION.NEW_PAGE
        assert section.header.paragraphs[0].text == f"Aan: {name}"
        assert section.footer.paragraphs[0].text == "Bureau Certificering Cultuur"
    assert len(document.inline_shapes) == 1
    with zipfile.ZipFile(bundle) as archive:
        media = [n for n in archive.namelist() if n.startswith("word/media/")]
        assert [archive.read(n) for n in media] == [tiny_png()]


def test_bundle_refuses_to_overwrite_and_reports_all_bad_inputs(tmp_path: Path) -> None:
    letters = make_letters(tmp_path / "brieven")
    out = tmp_path / "drukwerk.docx"
    out.write_bytes(b"ouder drukwerk")
    not_a_letter = tmp_path / "notities.txt"
    not_a_letter.write_text("geen brief", encoding="utf-8")
    broken = tmp_path / "kapot.docx"
    broken.write_bytes(b"dit is geen zip")
    with pytest.raises(ProblemList) as caught:
        make_bundle([*letters, not_a_letter, broken], out)
    messages = "\n".join(caught.value.messages())
    assert "notities.txt: only .docx letters can be bundled" in messages
    assert "kapot.docx: not a readable Word document" in messages
    assert "drukwerk.docx: exists already" in messages
    assert out.read_bytes() == b"ouder drukwerk"
    make_bundle(letters[:2], out, overwrite=True)
    assert "Cultuurhuis De Brûg" in body_text(docx.Document(str(out)))


def test_empty_bundle_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError):
        make_bundle([], tmp_path / "leeg.docx")


def pages(path: Path) -> list[str]:
    """The text of each PDF page, whitespace collapsed."""
    return [" ".join((page.extract_text() or "").split()) for page in pypdf.PdfReader(path).pages]


@pytest.mark.skipif(not soffice_available(), reason="LibreOffice not installed")
def test_bundle_command_with_pdf_starts_every_letter_on_a_new_page(tmp_path: Path) -> None:
    make_letters(tmp_path / "brieven")
    out = tmp_path / "post" / "drukwerk.docx"
    result = CliRunner().invoke(cli, ["bundle", str(tmp_path / "brieven"), "--out", str(out),
                                      "--pdf"])
    assert result.exit_code == 0, result.output
    assert result.output == (f"4 letters bundled → {out}\n"
                             f"PDF → {out.with_suffix('.pdf')}\n")
    printed = pages(out.with_suffix(".pdf"))
    assert len(printed) == len(ORGANISATIONS)
    for text, name in zip(printed, ORGANISATIONS, strict=True):
        assert text.startswith(f"Aan: {name}")  # each page opens with its own header
        assert "1. Norm 2: voldoende 2. Norm 5: goed" in text  # lists count from 1 again
        assert f"Geachte directie van {name}," in text
        assert sum(f"Geachte directie van {o}," in text for o in ORGANISATIONS) == 1
    again = CliRunner().invoke(cli, ["bundle", str(tmp_path / "brieven"), "--out", str(out),
                                     "--pdf"])
    assert again.exit_code == 1
    assert "drukwerk.pdf: exists already" in again.output


def test_a_later_letter_with_a_footnote_is_refused_not_garbled(tmp_path: Path) -> None:
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    letters = make_letters(tmp_path / "brieven")
    document = docx.Document(str(letters[1]))
    document.paragraphs[1]._p.append(
        parse_xml(f'<w:r {nsdecls("w")}><w:footnoteReference w:id="1"/></w:r>'))
    document.save(str(letters[1]))
    with pytest.raises(DataError, match="02-brief.docx: has a footnote, which a bundle"):
        make_bundle(letters, tmp_path / "drukwerk.docx")
    assert not (tmp_path / "drukwerk.docx").exists()


def test_bookmarks_mark_where_every_letter_starts(tmp_path: Path) -> None:
    from lxml import etree

    from cbct_docs.deliver.bundle import W

    letters = make_letters(tmp_path / "brieven")
    plain = make_bundle(letters, tmp_path / "drukwerk.docx")
    marked = make_bundle(letters, tmp_path / "met bladwijzers.docx", bookmarks=True)

    def body(path: Path) -> etree._Element:
        with zipfile.ZipFile(path) as archive:
            return etree.fromstring(archive.read("word/document.xml"))

    assert body(plain).find(f".//{{{W}}}bookmarkStart") is None  # off unless asked for
    marks = body(marked).findall(f".//{{{W}}}bookmarkStart")
    starts = [m for m in marks if m.get(f"{{{W}}}name").startswith("cbct_letter_")]
    ends = [m for m in marks if m.get(f"{{{W}}}name").startswith("cbct_end_")]
    assert [s.get(f"{{{W}}}name") for s in starts] == [
        "cbct_letter_0001", "cbct_letter_0002", "cbct_letter_0003", "cbct_letter_0004"]
    assert [e.get(f"{{{W}}}name") for e in ends] == [
        "cbct_end_0001", "cbct_end_0002", "cbct_end_0003", "cbct_end_0004"]
    assert len(marks) == 8
    ids = [s.get(f"{{{W}}}id") for s in marks]
    assert len(set(ids)) == len(ids)
    # The end of each letter: after its last words, or in the paragraph with its picture,
    # or in the paragraph that closes its section after its table.
    assert ["".join(e.getparent().itertext()) for e in ends] == [
        "Norm 5: goed", "", "", "Norm 5: goed"]
    assert [e.getparent().find(f".//{{{W}}}drawing") is not None for e in ends] == [
        False, True, False, False]
    assert all(e.getnext().tag == f"{{{W}}}bookmarkEnd" and e.getnext().getnext() is None
               for e in ends)
    for start, name in zip(starts, ORGANISATIONS, strict=True):
        paragraph = start.getparent()
        assert "".join(paragraph.itertext()) == f"Geachte directie van {name},"
        end = start.getnext()  # collapsed: it marks a place, it selects nothing
        assert end.tag == f"{{{W}}}bookmarkEnd" and end.get(f"{{{W}}}id") == start.get(
            f"{{{W}}}id")
    # Invisible: the text a reader sees is the same with or without them.
    assert body_text(docx.Document(str(marked))) == body_text(docx.Document(str(plain)))


def test_a_letter_without_header_does_not_show_the_previous_letters(tmp_path: Path) -> None:
    with_header = make_docx(tmp_path / "brief.docx", ["Geachte directie van Taalpunt Oostzaan,"],
                            header="Aan: Taalpunt Oostzaan", footer="Bureau Certificering")
    without = make_docx(tmp_path / "certificaat.docx", ["CERTIFICAAT", "Cultuurhuis De Brûg"])
    bundle = make_bundle([with_header, without, with_header], tmp_path / "bundel.docx")
    sections = docx.Document(str(bundle)).sections
    assert [s.header.paragraphs[0].text for s in sections] == [
        "Aan: Taalpunt Oostzaan", "", "Aan: Taalpunt Oostzaan"]
    assert [s.footer.paragraphs[0].text for s in sections] == [
        "Bureau Certificering", "", "Bureau Certificering"]
    assert not any(s.header.is_linked_to_previous for s in sections)
    if soffice_available():  # what the printer gets: page 2 carries no header of page 1
        from cbct_docs.deliver.pdf import convert_to_pdf

        (pdf,) = convert_to_pdf([bundle], tmp_path / "pdf", bundled=False)
        pages = [page.extract_text() for page in pypdf.PdfReader(str(pdf)).pages]
        assert "Aan: Taalpunt Oostzaan" in pages[0] and "Aan: Taalpunt Oostzaan" in pages[2]
        assert "Aan:" not in pages[1] and "Cultuurhuis De Brûg" in pages[1]


def test_a_bundle_written_into_its_own_folder_is_not_bundled_again(tmp_path: Path) -> None:
    letters = make_letters(tmp_path / "brieven")
    out = tmp_path / "brieven" / "drukwerk.docx"
    first = CliRunner().invoke(cli, ["bundle", str(tmp_path / "brieven"), "--out", str(out)])
    assert first.exit_code == 0, first.output
    again = CliRunner().invoke(cli, ["bundle", str(tmp_path / "brieven"), "--out", str(out),
                                     "--overwrite"])
    assert again.exit_code == 0, again.output
    assert again.output == f"4 letters bundled → {out}\n"
    text = body_text(docx.Document(str(out)))
    for name in ORGANISATIONS:  # every letter once, not once more from the old bundle
        assert text.count(f"Geachte directie van {name},") == 1
    named = CliRunner().invoke(cli, ["bundle", str(letters[0]), str(out), "--out", str(out),
                                     "--overwrite"])
    assert named.exit_code == 2
    assert "drukwerk.docx: the bundle cannot also be one of its letters" in named.output


def test_the_package_namespaces_are_defined_once() -> None:
    import ast
    import inspect

    from cbct_docs.deliver import bundle, bundle_headers

    def assigned(module: ModuleType) -> set[str]:
        tree = ast.parse(inspect.getsource(module))
        return {target.id for node in tree.body if isinstance(node, ast.Assign)
                for target in node.targets if isinstance(target, ast.Name)}

    shared = {"W", "R", "PKG_REL", "CT"}
    assert shared <= assigned(bundle_headers)
    assert not shared & assigned(bundle)  # bundle imports them, it does not repeat them
    assert (bundle.W, bundle.CT) == (bundle_headers.W, bundle_headers.CT)


def test_a_first_page_header_is_never_the_previous_letters(tmp_path: Path) -> None:
    """A letter with a different first page but no first-page header of its own gets an
    empty one; a letter without a different first page shows none, so needs none."""
    letters = []
    for name, first_header in [("a", "Briefhoofd Taalpunt Oostzaan"), ("b", None), ("c", None)]:
        path = make_docx(tmp_path / f"{name}.docx", [f"Brief {name.upper()}"],
                         header=f"Vervolg {name.upper()}")
        document = docx.Document(str(path))
        section = document.sections[0]
        if name != "c":
            section.different_first_page_header_footer = True
        if first_header:
            section.first_page_header.paragraphs[0].text = first_header
        document.save(str(path))
        letters.append(path)
    bundle = make_bundle(letters, tmp_path / "bundel.docx")
    sections = docx.Document(str(bundle)).sections
    assert [s.different_first_page_header_footer for s in sections] == [True, True, False]
    assert [s.first_page_header.is_linked_to_previous for s in sections] == [
        False, False, True]
    assert [p.text for p in sections[1].first_page_header.paragraphs] == [""]
    if soffice_available():
        from cbct_docs.deliver.pdf import convert_to_pdf

        (pdf,) = convert_to_pdf([bundle], tmp_path / "pdf", bundled=False)
        assert pages(pdf) == ["Briefhoofd Taalpunt Oostzaan Brief A", "Brief B",
                              "Vervolg C Brief C"]


def rewrite(source: Path, target: Path, change: dict[str, bytes | None]) -> Path:
    """A copy of a .docx with parts replaced (bytes) or left out (None)."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for name in old.namelist():
            if name in change:
                data = change[name]
                if data is not None:
                    new.writestr(name, data)
            else:
                new.writestr(name, old.read(name))
    return target


def damaged_letters(folder: Path, good: Path) -> dict[str, Path]:
    return {
        "broken XML": rewrite(good, folder / "kapotte-xml.docx",
                              {"word/document.xml": b"<w:document><w:body>"}),
        "no package rels": rewrite(good, folder / "zonder-rels.docx", {"_rels/.rels": None}),
        "no content types": rewrite(good, folder / "zonder-types.docx",
                                    {"[Content_Types].xml": None}),
    }


def test_damaged_letters_are_data_errors_at_the_file(tmp_path: Path) -> None:
    letters = make_letters(tmp_path / "brieven")
    damaged = damaged_letters(tmp_path, letters[1])
    with pytest.raises(ProblemList) as caught:
        make_bundle([letters[0], *damaged.values()], tmp_path / "drukwerk.docx")
    messages = "\n".join(caught.value.messages())
    assert "kapotte-xml.docx: not a readable Word document: broken XML" in messages
    assert "zonder-rels.docx: not a Word document: the part '_rels/.rels' is missing" in messages
    assert ("zonder-types.docx: not a Word document: the part '[Content_Types].xml' is "
            "missing") in messages
    assert not (tmp_path / "drukwerk.docx").exists()


def test_a_zip_bomb_is_refused_before_it_is_unpacked(tmp_path: Path) -> None:
    letters = make_letters(tmp_path / "brieven")
    bomb = tmp_path / "bom.docx"
    with zipfile.ZipFile(letters[0]) as old, zipfile.ZipFile(bomb, "w",
                                                             zipfile.ZIP_DEFLATED) as new:
        for name in old.namelist():
            new.writestr(name, old.read(name))
        with new.open("word/media/groot.bin", "w") as member:  # 101 MB of zeros, ~100 kB packed
            block = bytes(2**20)
            for _ in range(101):
                member.write(block)
    with pytest.raises(ProblemList) as caught:
        make_bundle([letters[1], bomb], tmp_path / "drukwerk.docx")
    assert caught.value.messages() == [
        f"{bomb}: part word/media/groot.bin unpacks to 105,906,176 bytes, more than the "
        "100 MB a document may hold (is it really a letter?)"]


def two_sections(path: Path, first_header: str | None, second_header: str | None) -> Path:
    """A letter with a bijlage in a second section; a header None: the section has none."""
    make_docx(path, [f"Geachte directie, zie de bijlage ({path.stem})."], header=first_header)
    document = docx.Document(str(path))
    bijlage = document.add_section(WD_SECTION.NEW_PAGE)
    if second_header is not None:
        bijlage.header.is_linked_to_previous = False
        bijlage.header.paragraphs[0].text = second_header
    document.add_paragraph(f"Bijlage: normenoverzicht ({path.stem}).")
    document.save(str(path))
    return path


def test_a_letter_of_two_sections_starts_clean_and_keeps_its_own_headers(
        tmp_path: Path) -> None:
    from docx.oxml.ns import qn

    first = make_docx(tmp_path / "brief.docx", ["Geachte directie van Taalpunt Oostzaan,"],
                      header="Aan: Taalpunt Oostzaan", footer="Bureau Certificering")
    # The letter's first section has no header (it must not show the brief's), its
    # bijlage has one; the other letter's bijlage has none (it shows its own letter's).
    bare = two_sections(tmp_path / "besluit.docx", None, "Bijlage bij het besluit")
    own = two_sections(tmp_path / "rapport.docx", "Aan: Cultuurhuis De Brûg", None)
    bundle = make_bundle([first, bare, own], tmp_path / "bundel.docx")
    sections = docx.Document(str(bundle)).sections
    assert [s.header.paragraphs[0].text for s in sections] == [
        "Aan: Taalpunt Oostzaan", "", "Bijlage bij het besluit",
        "Aan: Cultuurhuis De Brûg", "Aan: Cultuurhuis De Brûg"]
    assert [s.footer.paragraphs[0].text for s in sections] == [
        "Bureau Certificering", "", "", "", ""]
    assert [s.header.is_linked_to_previous for s in sections] == [
        False, False, False, False, True]  # the bijlage still takes its own letter's
    assert all(s.start_type == WD_SECTION.NEW_PAGE for s in sections)
    restarts = [s._sectPr.find(qn("w:pgNumType")) for s in sections]
    assert [r is not None and r.get(qn("w:start")) == "1" for r in restarts] == [
        True, True, False, True, False]  # page 1 where a letter starts, not at its bijlage
    if soffice_available():  # what the printer gets, page by page
        from cbct_docs.deliver.pdf import convert_to_pdf

        (pdf,) = convert_to_pdf([bundle], tmp_path / "pdf", bundled=False)
        printed = pages(pdf)
        assert len(printed) == 5
        assert "Aan:" not in printed[1] and "zie de bijlage (besluit)" in printed[1]
        assert printed[2].startswith("Bijlage bij het besluit")
        assert printed[3].startswith("Aan: Cultuurhuis De Brûg")
        assert printed[4].startswith("Aan: Cultuurhuis De Brûg")
        assert "normenoverzicht (rapport)" in printed[4]


def test_letters_of_several_sections_go_to_pdf_file_by_file(tmp_path: Path) -> None:
    from cbct_docs.deliver.pdf_split import plan_groups

    letters = make_letters(tmp_path / "brieven")
    # Both sections define the same kinds of header: only the count of sections tells.
    several = [two_sections(tmp_path / f"besluit-{n}.docx", f"Aan: {ORGANISATIONS[n]}",
                            "Bijlage") for n in (1, 2)]
    groups, alone = plan_groups([*letters, *several], tmp_path / "scratch")
    assert [group.letters for group in groups] == [letters]
    assert sorted(alone) == several
