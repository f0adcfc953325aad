"""Building blocks for the Word templates of templates/build_templates.py: an A4 page in
the office style, paragraphs that keep each tag in one run, the letterhead, tables with
``{%tr for %}`` rows, bullets, and a reproducible save."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import docx
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

ACCENT = RGBColor(0x1F, 0x4E, 0x5F)
GREY = RGBColor(0x59, 0x59, 0x59)
FONT = "Arial"


def new_document(landscape: bool = False) -> docx.document.Document:
    document = docx.Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Mm(297), Mm(210)
    section.left_margin = section.right_margin = Mm(25)
    section.top_margin, section.bottom_margin = Mm(35), Mm(25)
    section.header_distance, section.footer_distance = Mm(12), Mm(10)
    styles = document.styles
    normal = styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(10.5)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.15
    for name, size in (("Title", 24), ("Heading 1", 15), ("Heading 2", 12)):
        style = styles[name]
        style.font.name, style.font.size, style.font.color.rgb = FONT, Pt(size), ACCENT
        style.font.bold = True
        style.element.rPr.rFonts.set(qn("w:asciiTheme"), FONT)
    return document


def add(document, text: str = "", style: str | None = None, *, bold: bool = False,
        size: float | None = None, colour: RGBColor | None = None,
        align: WD_ALIGN_PARAGRAPH | None = None, after: float | None = None):
    """A paragraph with one run, so that every tag stays inside a single run."""
    paragraph = document.add_paragraph(style=style)
    if text:
        run = paragraph.add_run(text)
        run.bold = bold or None
        if size:
            run.font.size = Pt(size)
        if colour is not None:
            run.font.color.rgb = colour
    if align is not None:
        paragraph.alignment = align
    if after is not None:
        paragraph.paragraph_format.space_after = Pt(after)
    return paragraph


def tag(document, text: str) -> None:
    """A docxtpl paragraph tag (``{%p ... %}``); the paragraph disappears on rendering."""
    document.add_paragraph(text)


def bottom_border(paragraph) -> None:
    properties = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("val", "single"), ("sz", "8"), ("space", "4"), ("color", "1F4E5F")):
        bottom.set(qn(f"w:{key}"), value)
    borders.append(bottom)
    properties.append(borders)


def page_border(section, colour: str = "1F4E5F") -> None:
    """A double frame around the page (the certificate), a fixed distance from the edge."""
    borders = OxmlElement("w:pgBorders")
    borders.set(qn("w:offsetFrom"), "page")
    for side in ("top", "left", "bottom", "right"):
        line = OxmlElement(f"w:{side}")
        for key, value in (("val", "double"), ("sz", "18"), ("space", "24"),
                           ("color", colour)):
            line.set(qn(f"w:{key}"), value)
        borders.append(line)
    properties = section._sectPr
    # Schema order: pgBorders comes right after pgMar.
    margins = properties.find(qn("w:pgMar"))
    if margins is not None:
        margins.addnext(borders)
    else:
        properties.append(borders)


def page_number_field(paragraph) -> None:
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)
    run.font.size = Pt(8)


def letterhead(document, extra_header: list[tuple[str, dict]] | None = None) -> None:
    """Office name and address in the header, contact line and page number in the footer."""
    section = document.sections[0]
    header = section.header
    first = header.paragraphs[0]
    run = first.add_run("{{ bureau.naam }}")
    run.bold, run.font.size, run.font.color.rgb = True, Pt(14), ACCENT
    line = header.add_paragraph()
    small = line.add_run("{{ bureau.straat }} · {{ bureau.postcode }} {{ bureau.plaats }}")
    small.font.size, small.font.color.rgb = Pt(8.5), GREY
    bottom_border(line)
    for text, options in extra_header or []:
        paragraph = header.add_paragraph()
        if text.startswith("{%p"):
            paragraph.add_run(text)
            continue
        extra = paragraph.add_run(text)
        extra.bold = options.get("bold")
        extra.font.size = Pt(options.get("size", 9))
        if "colour" in options:
            extra.font.color.rgb = options["colour"]
    footer = section.footer.paragraphs[0]
    contact = footer.add_run("{{ bureau.telefoon }} · {{ bureau.email }} · {{ bureau.website }}"
                             " · KvK {{ bureau.kvk }}   ·   pagina ")
    contact.font.size, contact.font.color.rgb = Pt(8), GREY
    page_number_field(footer)
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER


def address_block(document) -> None:
    add(document, "{{ organisatie.naam }}", after=0)
    tag(document, "{%p if organisatie.contact %}")
    add(document, "t.a.v. {{ organisatie.contact }}", after=0)
    tag(document, "{%p endif %}")
    add(document, "{{ organisatie.straat }}", after=0)
    add(document, "{{ organisatie.postcode }}  {{ organisatie.plaats }}", after=0)
    add(document, after=18)


def letter_opening(document, subject: str) -> None:
    address_block(document)
    table = document.add_table(rows=3, cols=2)
    rows = (("Datum", "{{ bureau.plaats }}, {{ briefdatum|datum }}"),
            ("Kenmerk", "{{ kenmerk }}"), ("Betreft", subject))
    set_widths(table, [30, 130])
    for row, (label, value) in zip(table.rows, rows, strict=True):
        label_run = row.cells[0].paragraphs[0].add_run(label)
        label_run.font.color.rgb, label_run.font.size = GREY, Pt(9.5)
        row.cells[1].paragraphs[0].add_run(value)
    add(document, after=12)
    add(document, "{{ aanhef }},")


def signature(document) -> None:
    add(document, "Met vriendelijke groet,", after=30)
    add(document, "{{ ondertekenaar.naam }}", bold=True, after=0)
    add(document, "{{ ondertekenaar.functie }}", after=0)
    add(document, "{{ bureau.naam }}")


def table(document, headers: list[str], loop: str, cells: list[str], endloop: str = "endfor",
          widths: list[float] | None = None):
    """A header row, then ``{%tr for %}`` rows: the docxtpl way to repeat table rows."""
    grid = document.add_table(rows=4, cols=len(headers))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(grid.rows[0].cells, headers, strict=True):
        run = cell.paragraphs[0].add_run(text)
        run.bold = True
        shade(cell, "DCE6EA")
    grid.rows[1].cells[0].paragraphs[0].add_run(f"{{%tr {loop} %}}")
    for cell, text in zip(grid.rows[2].cells, cells, strict=True):
        cell.paragraphs[0].add_run(text)
    grid.rows[3].cells[0].paragraphs[0].add_run(f"{{%tr {endloop} %}}")
    if widths:
        set_widths(grid, widths)
    add(document, after=4)
    return grid


def set_widths(grid, widths: list[float]) -> None:
    """Column widths that Word and LibreOffice both honour (grid and every cell)."""
    grid.autofit = False
    for column, width in zip(grid._tbl.tblGrid.gridCol_lst, widths, strict=True):
        column.w = Mm(width)
    for row in grid.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = Mm(width)


def shade(cell, fill: str) -> None:
    properties = cell._tc.get_or_add_tcPr()
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    properties.append(shading)


def bullets(document, loop: str, item: str) -> None:
    tag(document, f"{{%p {loop} %}}")
    add(document, item, "List Bullet", after=2)
    tag(document, "{%p endfor %}")


def save_stable(document, path: Path, title: str) -> None:
    """Same script, same bytes: fixed document dates and zip timestamps, so a rebuild
    without changes leaves git with nothing to commit."""
    fixed = dt.datetime(2025, 1, 1)
    properties = document.core_properties
    properties.author = properties.last_modified_by = "cbct-docs"
    properties.title, properties.revision = title, 1
    properties.created = properties.modified = properties.last_printed = fixed
    buffer = io.BytesIO()
    document.save(buffer)
    stable = io.BytesIO()
    with zipfile.ZipFile(buffer) as source, \
            zipfile.ZipFile(stable, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            member.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(member, source.read(info.filename))
    path.write_bytes(stable.getvalue())
