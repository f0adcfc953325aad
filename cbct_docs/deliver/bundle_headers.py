"""No letter in a bundle may show another letter's header or footer.

Word (and LibreOffice) give a section without its own header the header of the section
before it. In a print bundle that would put letter A's letterhead or addressee on a
certificaat that has no header of its own. So every section gets a reference for every
header and footer kind it shows and lacks, to one shared empty part.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from lxml import etree

# The package's namespaces, for this module and .bundle (which imports them from here).
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
KINDS = {"header": "hdr", "footer": "ftr"}
CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.{}+xml"


def w(tag: str) -> str:
    """A WordprocessingML tag in Clark notation (``{namespace}tag``)."""
    return f"{{{W}}}{tag}"


def no_inherited_headers(sections: Sequence[etree._Element], parts: dict[str, bytes],
                         rels: etree._Element, types: etree._Element,
                         new_rel_id: Callable[[], str], *, even_pages: bool = True) -> None:
    """Give each section an explicit (empty) header and footer for every kind it shows.

    A first-page header shows only in a section with a different first page (``titlePg``),
    an even-page one only where the document has different odd and even pages
    (``even_pages``): the others are left out, as each costs LibreOffice a page style
    part when it converts the bundle.
    """
    empty_ids: dict[str, str] = {}
    for section in sections:
        first = section.find(f"{{{W}}}titlePg")
        shown = ["default"]
        if first is not None and first.get(f"{{{W}}}val", "true") not in ("0", "false", "off"):
            shown.append("first")
        if even_pages:
            shown.append("even")
        for kind, root in KINDS.items():
            for type_ in shown:
                found = section.find(f"{{{W}}}{kind}Reference[@{{{W}}}type='{type_}']")
                if found is not None:
                    continue
                if kind not in empty_ids:
                    empty_ids[kind] = _empty_part(kind, root, parts, rels, types, new_rel_id)
                reference = etree.Element(f"{{{W}}}{kind}Reference",
                                          {f"{{{W}}}type": type_, f"{{{R}}}id": empty_ids[kind]})
                section.insert(0, reference)  # references come first in w:sectPr


def _empty_part(kind: str, root: str, parts: dict[str, bytes], rels: etree._Element,
                types: etree._Element, new_rel_id: Callable[[], str]) -> str:
    name = f"word/{kind}_bundle_empty.xml"
    element = etree.Element(f"{{{W}}}{root}", nsmap={"w": W})
    etree.SubElement(element, f"{{{W}}}p")
    parts[name] = etree.tostring(element, xml_declaration=True, encoding="UTF-8",
                                 standalone=True)
    rel_id = new_rel_id()
    etree.SubElement(rels, f"{{{PKG_REL}}}Relationship", Id=rel_id,
                     Type=f"{R}/{kind}", Target=name.removeprefix("word/"))
    etree.SubElement(types, f"{{{CT}}}Override", PartName="/" + name,
                     ContentType=CONTENT_TYPE.format(kind))
    return rel_id
