"""docxtpl's post-processing of a rendered body, as the compiled Word path does it: the
listing characters (tabs and breaks in text) made Word's own elements, the table grid
repaired where docxtpl would repair it, the pictures numbered, and the body written as
python-docx writes it (:mod:`.fast_docx`, :mod:`.skeleton`)."""

from __future__ import annotations

import re
from typing import Any

import docx.oxml.ns
from lxml import etree

LISTING_CHARACTERS = ("\t", "\a", "\n", "\f")
_DOCPR = etree.XPath("//wp:docPr", namespaces=docx.oxml.ns.nsmap)
_W = "{" + docx.oxml.ns.nsmap["w"] + "}"


def resolve_listing(xml: str) -> str:
    """docxtpl's ``resolve_listing`` (0.20): tabs, ``\\a``, line and page breaks in text
    become Word's own elements. Its rewriting, paragraph by paragraph, changes only a
    paragraph that holds one of those characters; the others are passed by as they are."""
    return PARAGRAPH.sub(_resolve_paragraph, xml)


#: A paragraph, as docxtpl's listing rewrite finds them.
PARAGRAPH = re.compile(r"<w:p(?: [^>]*)?>.*?</w:p>", re.DOTALL)
_PARAGRAPH_PROPERTIES = re.compile(r"<w:pPr>.*?</w:pPr>")
_RUN = re.compile(r"<w:r(?: [^>]*)?>.*?</w:r>", re.DOTALL)
_RUN_PROPERTIES = re.compile(r"<w:rPr>.*?</w:rPr>")
_TEXT = re.compile(r"<w:t(?: [^>]*)?>.*?</w:t>", re.DOTALL)


def _resolve_paragraph(match: re.Match[str]) -> str:
    paragraph = match.group(0)
    if not any(c in paragraph for c in LISTING_CHARACTERS):
        return paragraph
    found = _PARAGRAPH_PROPERTIES.search(paragraph)
    paragraph_properties = found.group(0) if found else ""
    return _RUN.sub(lambda run: _resolve_run(paragraph_properties, run), paragraph)


def _resolve_run(paragraph_properties: str, match: re.Match[str]) -> str:
    found = _RUN_PROPERTIES.search(match.group(0))
    run_properties = found.group(0) if found else ""
    return _TEXT.sub(lambda text: _resolve_text(run_properties, paragraph_properties, text),
                     match.group(0))


def _resolve_text(run_properties: str, paragraph_properties: str, match: re.Match[str]
                  ) -> str:
    xml = match.group(0).replace(
        "\t", f"</w:t></w:r><w:r>{run_properties}<w:tab/></w:r>"
              f'<w:r>{run_properties}<w:t xml:space="preserve">')
    xml = xml.replace(
        "\a", f"</w:t></w:r></w:p><w:p>{paragraph_properties}<w:r>{run_properties}"
              '<w:t xml:space="preserve">')
    xml = xml.replace("\n", '</w:t><w:br/><w:t xml:space="preserve">')
    return xml.replace(
        "\f", "</w:t></w:r></w:p>"
              '<w:p><w:r><w:br w:type="page"/></w:r></w:p>'
              f'<w:p>{paragraph_properties}<w:r>{run_properties}<w:t xml:space="preserve">')


def fix_body(xml: str) -> bytes:
    """docxtpl's table grid repair and picture id renumbering, on the rendered body.
    Strict: a recovering parser would quietly repair a {% if %} that opens in a table cell
    and closes after the table, and lose text on the way; the renderer reports it instead
    (the parser's error propagates)."""
    tree = etree.fromstring(xml, etree.XMLParser())
    if "<w:tbl" in xml and tables_need_fixing(tree):
        from docxtpl import DocxTemplate

        tree = DocxTemplate.fix_tables(None, xml)  # uses no instance state
    return _numbered(tree, xml, 1001)[0]


def canonical_body(xml: str, first: int = 1001) -> tuple[bytes, int] | None:
    """:func:`fix_body`'s result where it repairs no table, its pictures numbered from
    ``first``, and how many it numbered; None where it would repair one, or where the XML
    is not well-formed."""
    try:
        tree = etree.fromstring(xml, etree.XMLParser())
    except etree.XMLSyntaxError:
        return None
    if "<w:tbl" in xml and tables_need_fixing(tree):
        return None
    return _numbered(tree, xml, first)


def _numbered(tree: Any, xml: str, first: int) -> tuple[bytes, int]:
    """The tree's pictures numbered from ``first``, and the tree as lxml writes it."""
    count = 0
    if "docPr" in xml:
        for count, element in enumerate(_DOCPR(tree), start=1):
            element.attrib["id"] = str(first + count - 1)
    return bytes(etree.tostring(tree, encoding="UTF-8")), count


def tables_need_fixing(tree: Any) -> bool:
    """False when docxtpl's fix_tables would change nothing: no row has more cells than the
    grid has columns, and some row spans them all (fix_tables' own two conditions)."""
    for table in tree.iter(_W + "tbl"):
        grid = table.find(_W + "tblGrid")
        if grid is None:
            return True
        columns = len(grid.findall(_W + "gridCol"))
        # Like fix_tables, nested tables' rows count too (both look at every descendant).
        if _ROW_WIDER_THAN_GRID(table, columns=columns):
            return True
        for row in table.iter(_W + "tr"):  # the first row that spans the grid is enough
            try:
                if sum(_span(cell) for cell in row.findall(_W + "tc")) >= columns:
                    break
            except (TypeError, ValueError):  # an odd gridSpan: docxtpl decides (and fails)
                return True
        else:
            return True
    return False


_ROW_WIDER_THAN_GRID = etree.XPath("boolean(.//w:tr[count(w:tc) > $columns])",
                                   namespaces=docx.oxml.ns.nsmap)


def _span(cell: Any) -> int:
    span = cell.find(_W + "tcPr/" + _W + "gridSpan")
    if span is None:
        return 1
    return int(span.get(_W + "val"))
