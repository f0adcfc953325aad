"""The address of a letter in the window of the office's window envelope.

A letter template marks its address block as a one-cell table with the title
``Venster`` (Word: Table Properties → Alt Text → Title); a template without that title
(an office copy made before it existed) has its address block found as the table the
letter opens with when that table holds ``{{ organisatie.`` fields. The block's place
and size come from ``[print]`` in ``cbct-docs.toml`` (:class:`EnvelopeWindow`), so the
template never fixes them: :func:`place_window` writes them into the template before it
is compiled —

- left: the table's indent from the page's left margin (``w:tblInd``);
- top: the page's top margin when the window lies higher, else an empty paragraph of
  exactly the difference before the table (when the letter opens with the block; else
  what stands above it decides, and ``cbct-docs templates check`` says so);
- width and height: the column, the cell and an exact row height, so the block never
  grows out of the window.

The window in use is set once per process (:func:`.window.use_window`, where the office's
settings are read); every Word renderer applies it.
"""

from __future__ import annotations

import io
import re
import zipfile

from lxml import etree

from ..settings import EnvelopeWindow

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}
TWIPS_PER_MM = 1440 / 25.4
CAPTION = "venster"
DOCUMENT = "word/document.xml"
WORD_MARGIN = "1440"  # Word's page margin when a document gives none (1 inch)


def _w(name: str) -> str:
    return f"{{{W}}}{name}"


def twips(mm: float) -> int:
    return round(mm * TWIPS_PER_MM)


def window_table(body: etree._Element) -> etree._Element | None:
    """The address block: the table titled ``Venster``, else the table the letter opens
    with when it holds the addressee's fields."""
    for table in body.iter(_w("tbl")):
        caption = table.find("w:tblPr/w:tblCaption", NS)
        if caption is not None and caption.get(_w("val"), "").strip().lower() == CAPTION:
            return table
    first = next((child for child in body if child.tag in (_w("tbl"), _w("p"))), None)
    if first is not None and first.tag == _w("tbl"):
        text = "".join(first.itertext())
        if re.search(r"\{\{-?\s*organisatie\.", text):
            return first
    return None


def window_table_of(data: bytes) -> etree._Element | None:
    """The address block of a .docx (see :func:`window_table`), or None."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            root = etree.fromstring(archive.read(DOCUMENT))
    except (zipfile.BadZipFile, KeyError, etree.XMLSyntaxError):
        return None
    body = root.find("w:body", NS)
    return window_table(body) if body is not None else None


def place_window(data: bytes, window: EnvelopeWindow) -> bytes:
    """``data`` (a .docx) with its address block in ``window``; unchanged when the
    document has no address block."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        if DOCUMENT not in archive.namelist():
            return data
        try:
            root = etree.fromstring(archive.read(DOCUMENT))
        except etree.XMLSyntaxError:
            return data  # the template check says what is wrong with it
        body = root.find("w:body", NS)
        table = window_table(body) if body is not None else None
        if body is None or table is None:
            return data
        _place(body, table, window)
        document = etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                                  standalone=True)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
            for info in archive.infolist():
                member = document if info.filename == DOCUMENT else archive.read(info)
                target.writestr(info, member)
    return buffer.getvalue()


def _place(body: etree._Element, table: etree._Element, window: EnvelopeWindow) -> None:
    section = next(body.iter(_w("sectPr")), None)
    margins = section.find("w:pgMar", NS) if section is not None else None
    left = int(margins.get(_w("left"), WORD_MARGIN)) if margins is not None else 1440
    top = int(margins.get(_w("top"), WORD_MARGIN)) if margins is not None else 1440
    width, height = twips(window.breedte), twips(window.hoogte)
    properties = _properties(table, "tblPr")
    if properties.find("w:tblCaption", NS) is None:  # found as the table the letter opens
        _set(properties, "tblCaption", val="Venster")  # with: so the made letter says so
    _set(properties, "tblW", w=str(width), type="dxa")
    _set(properties, "tblInd", w=str(twips(window.links) - left), type="dxa")
    schema_order(properties)
    grid = table.find("w:tblGrid", NS)
    if grid is not None:
        columns = grid.findall("w:gridCol", NS)
        for column in columns:
            column.set(_w("w"), str(width // max(len(columns), 1)))
    row = table.find("w:tr", NS)
    if row is not None:
        _set(_properties(row, "trPr"), "trHeight", val=str(height), hRule="exact")
        for cell in row.findall("w:tc", NS):
            cell_width = width // max(len(row.findall("w:tc", NS)), 1)
            _set(_properties(cell, "tcPr"), "tcW", w=str(cell_width), type="dxa")
    if not at_top(body, table):
        return  # what stands above it decides its top; `templates check` says so
    wanted = twips(window.boven)
    if wanted < top and margins is not None:
        margins.set(_w("top"), str(wanted))
    elif wanted > top:
        table.addprevious(_spacer(wanted - top))


def at_top(body: etree._Element, table: etree._Element) -> bool:
    """Whether the letter opens with the address block, so its top is the page's top
    margin (and the window's top can be set)."""
    if table.getparent() is not body:
        return False  # inside another table
    first = next((child for child in body if child.tag in (_w("tbl"), _w("p"))), None)
    return first is table


def _spacer(height: int) -> etree._Element:
    """An empty paragraph exactly ``height`` twips high."""
    paragraph = etree.Element(_w("p"))
    properties = etree.SubElement(paragraph, _w("pPr"))
    _set(properties, "spacing", before="0", after="0", line=str(height), lineRule="exact")
    run_properties = etree.SubElement(properties, _w("rPr"))
    _set(run_properties, "sz", val="2")
    return paragraph


def _properties(parent: etree._Element, name: str) -> etree._Element:
    """The properties element of a table, row or cell (its first child), made if absent."""
    found = parent.find(f"w:{name}", NS)
    if found is None:
        found = etree.Element(_w(name))
        parent.insert(0, found)
    return found


#: Where a property goes among its siblings (the schema's order, which Word insists on).
ORDER = {
    "tblPr": ["tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize",
              "tblStyleColBandSize", "tblW", "jc", "tblCellSpacing", "tblInd", "tblBorders",
              "shd", "tblLayout", "tblCellMar", "tblLook", "tblCaption", "tblDescription"],
    "trPr": ["cnfStyle", "divId", "gridBefore", "gridAfter", "wBefore", "wAfter",
             "cantSplit", "trHeight", "tblHeader", "tblCellSpacing", "jc", "hidden"],
    "tcPr": ["cnfStyle", "tcW", "gridSpan", "hMerge", "vMerge", "tcBorders", "shd",
             "noWrap", "tcMar", "textDirection", "tcFitText", "vAlign", "hideMark"],
    "pPr": ["pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr",
            "widowControl", "numPr", "suppressLineNumbers", "pBdr", "shd", "tabs",
            "suppressAutoHyphens", "kinsoku", "wordWrap", "overflowPunct", "topLinePunct",
            "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd", "snapToGrid", "spacing",
            "ind", "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc", "rPr"],
    "rPr": ["sz"],
}


def schema_order(properties: etree._Element) -> None:
    """Put the children of a properties element in the schema's order (stable)."""
    order = ORDER.get(etree.QName(properties).localname, [])
    children = list(properties)
    children.sort(key=lambda child: order.index(etree.QName(child).localname)
                  if etree.QName(child).localname in order else len(order))
    for child in children:
        properties.append(child)


def _set(parent: etree._Element, name: str, **attributes: str) -> etree._Element:
    """The child ``name`` of a properties element, with these attributes, in the place the
    schema gives it (Word refuses a document with properties out of order)."""
    element = parent.find(f"w:{name}", NS)
    if element is None:
        element = etree.Element(_w(name))
    else:
        parent.remove(element)
    order = ORDER.get(etree.QName(parent).localname, [])
    rank = order.index(name) if name in order else len(order)
    later = [child for child in parent
             if etree.QName(child).localname in order
             and order.index(etree.QName(child).localname) > rank]
    if later:
        later[0].addprevious(element)
    else:
        parent.append(element)
    for key, value in attributes.items():
        element.set(_w(key), value)
    return element
