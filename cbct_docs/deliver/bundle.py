"""A print run: many letters in one .docx, each letter starting on a new page.

Every letter starts a section of its own (a "next page" section break): it keeps its own
header and footer (a header may name the addressee), the first-page letterhead comes back
for every letter, page numbers restart at 1, and so do numbered lists. A letter of several
sections keeps them; only its first one starts the new page. Styles, list
definitions and settings are those of the first letter, so bundle letters made from one
template.

Works on the package XML directly (lxml) rather than python-docx/docxcompose: loading 200
letters through python-docx alone takes seconds, this takes a fraction of that.
"""

from __future__ import annotations

import hashlib
import io
import posixpath
import zipfile
from collections.abc import Sequence
from copy import deepcopy
from pathlib import Path

from lxml import etree

from ..errors import DataError, OutputError, Problems, UsageError
from .bundle_headers import CT, PKG_REL, R, W, no_inherited_headers, w  # noqa: F401 - W: callers use bundle.W
from .bundle_numbering import Numbering, insert_in_order
from .bundle_pages import Letter, PageCounts
from .bundle_parts import LazyParts, read_parts, resolve
from .files import atomic_write

WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
OFFICE_DOCUMENT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"

# Children of w:sectPr that come after w:type / w:pgNumType in the schema's order.
_AFTER_TYPE = ("pgSz", "pgMar", "paperSrc", "pgBorders", "lnNumType", "pgNumType", "cols",
               "formProt", "vAlign", "noEndnote", "titlePg", "textDirection", "bidi",
               "rtlGutter", "docGrid", "printerSettings", "sectPrChange")
_AFTER_PGNUM = _AFTER_TYPE[_AFTER_TYPE.index("cols"):]


class _Package:
    """A .docx read into memory: parts by name, plus relationship and content-type helpers."""

    def __init__(self, path: Path, *, whole: bool = True) -> None:
        self.path = path
        try:
            self.parts = read_parts(path) if whole else LazyParts(path)
            root_rels = etree.fromstring(self.parts["_rels/.rels"])
            main = next(r for r in root_rels if r.get("Type") == OFFICE_DOCUMENT)
            self.main = str(main.get("Target")).lstrip("/")
            self.types = etree.fromstring(self.parts["[Content_Types].xml"])
            self.document = etree.fromstring(self.parts[self.main])
        except (OSError, zipfile.BadZipFile) as error:
            raise DataError(f"not a readable Word document: {error}", location=path) from None
        except KeyError as error:
            raise DataError(f"not a Word document: the part {error} is missing",
                            location=path) from None
        except StopIteration:
            raise DataError("not a Word document: _rels/.rels names no main document",
                            location=path) from None
        except etree.XMLSyntaxError as error:
            raise DataError(f"not a readable Word document: broken XML ({error})",
                            location=path) from None

    def rels_name(self, part: str) -> str:
        folder, name = posixpath.split(part)
        return posixpath.join(folder, "_rels", name + ".rels")

    def rels(self, part: str) -> etree._Element:
        data = self.parts.get(self.rels_name(part))
        if data is None:
            return etree.Element(f"{{{PKG_REL}}}Relationships", nsmap={None: PKG_REL})
        try:
            return etree.fromstring(data)
        except etree.XMLSyntaxError as error:
            raise DataError(f"broken XML in {self.rels_name(part)} ({error})",
                            location=self.path) from None

    def content_type(self, part: str) -> tuple[str, str] | None:
        """("Override", type) or ("Default", type) for a part."""
        for item in self.types.iter(f"{{{CT}}}Override"):
            if item.get("PartName") == "/" + part:
                return "Override", item.get("ContentType")
        extension = part.rsplit(".", 1)[-1].lower()
        for item in self.types.iter(f"{{{CT}}}Default"):
            if item.get("Extension", "").lower() == extension:
                return "Default", item.get("ContentType")
        return None


class _Bundle:
    def __init__(self, base: _Package) -> None:
        self.base = base
        self.rels = base.rels(base.main)
        self.copied: dict[str, str] = {}  # content key → part name in the bundle
        self.next_rel = 1 + max((int(r.get("Id")[3:]) for r in self.rels
                                 if r.get("Id", "").startswith("rId")
                                 and r.get("Id")[3:].isdigit()), default=0)

    def new_rel_id(self) -> str:
        self.next_rel += 1
        return f"rId{self.next_rel}"

    def adopt(self, letter: _Package, elements: list[etree._Element]) -> None:
        """Point the letter's relationship ids (images, links, headers) at copies in the bundle."""
        letter_rels = {r.get("Id"): r for r in letter.rels(letter.main)}
        mapping: dict[str, str] = {}
        for element in elements:
            for node in element.iter():
                for attribute, value in node.attrib.items():
                    if not attribute.startswith(f"{{{R}}}") or value not in letter_rels:
                        continue
                    if value not in mapping:
                        mapping[value] = self._copy_rel(letter, letter.main, letter_rels[value],
                                                        self.rels, self.base.main)
                    node.set(attribute, mapping[value])

    def _copy_rel(self, letter: _Package, source: str, rel: etree._Element,
                  into: etree._Element, into_part: str) -> str:
        new = deepcopy(rel)
        new_id = self.new_rel_id() if into is self.rels else rel.get("Id")
        new.set("Id", new_id)
        if rel.get("TargetMode") != "External":
            part = resolve(source, rel.get("Target"))
            copied = self._copy_part(letter, part)
            new.set("Target", posixpath.relpath(copied, posixpath.dirname(into_part)))
        into.append(new)
        return new_id

    def _copy_part(self, letter: _Package, part: str) -> str:
        """Copy a part and the parts it refers to; identical parts are stored once."""
        data = letter.parts.get(part)
        if data is None:
            raise DataError(f"refers to a missing part {part}", location=letter.path)
        own_rels = letter.parts.get(letter.rels_name(part), b"")
        key = hashlib.sha256(data + b"\0" + own_rels).hexdigest()
        # Identical in bytes and relations: reuse, also across letters (a shared logo).
        if key in self.copied:
            return self.copied[key]
        folder, name = posixpath.split(part)
        stem, dot, extension = name.rpartition(".")
        name = f"{folder}/{stem}_b{len(self.copied) + 1}{dot}{extension}"
        self.copied[key] = name
        self.base.parts[name] = data
        if own_rels:
            rels = etree.Element(f"{{{PKG_REL}}}Relationships", nsmap={None: PKG_REL})
            for rel in letter.rels(part):
                self._copy_rel(letter, part, rel, rels, name)
            self.base.parts[self.base.rels_name(name)] = etree.tostring(
                rels, xml_declaration=True, encoding="UTF-8", standalone=True)
        self._register_type(letter, part, name)
        return name

    def _register_type(self, letter: _Package, part: str, name: str) -> None:
        found = letter.content_type(part)
        if found is None:
            return
        kind, content_type = found
        if kind == "Override":
            etree.SubElement(self.base.types, f"{{{CT}}}Override",
                             PartName="/" + name, ContentType=content_type)
        elif self.base.content_type(name) is None:
            etree.SubElement(self.base.types, f"{{{CT}}}Default",
                             Extension=name.rsplit(".", 1)[-1], ContentType=content_type)


#: Bookmark at the start of letter n (1-based) with ``bookmarks=True``.
BOOKMARK_FORMAT = "cbct_letter_{:04d}"


def make_bundle(paths: Sequence[Path], out: Path, overwrite: bool = False, *,
                bookmarks: bool = False) -> Path:
    """Merge letters (.docx) into one .docx, in the given order, each on a new page.

    ``bookmarks`` marks where every letter starts with an (invisible) Word bookmark named
    ``BOOKMARK_FORMAT.format(n)``; PDF export can turn those into named destinations.
    """
    packages = _read_letters([Path(p) for p in paths], Path(out), overwrite)
    base = packages[0]
    bundle = _Bundle(base)
    try:
        numbering = Numbering(base)
    except etree.XMLSyntaxError as error:
        raise DataError(f"broken XML in its list or style definitions ({error})",
                        location=base.path) from None
    document = etree.fromstring(base.parts[base.main])  # the frame; base.document gives letter 1
    body = document.find(w("body"))
    assert body is not None
    for child in list(body):
        body.remove(child)
    letters = _Letters(body)
    for number, letter in enumerate(packages):
        letters.append(letter, last=number == len(packages) - 1,
                       adopt_into=(bundle, numbering) if number else None)
    if len(packages) > 1:
        settings = next((base.parts.get(resolve(base.main, r.get("Target", "")))
                         for r in bundle.rels if r.get("Type", "").endswith("/settings")), None)
        no_inherited_headers(letters.sections, base.parts, bundle.rels, base.types,
                             bundle.new_rel_id,
                             even_pages=settings is None or b"evenAndOddHeaders" in settings)
        PageCounts(base.parts, base.main, bundle.rels, base.types,
                   bundle.new_rel_id).apply(letters.counted, body, mark_every_end=bookmarks)
    if bookmarks:
        _mark_starts(body, letters.starts)
    numbering.save()
    _save(base, bundle, document, Path(out), overwrite)
    return Path(out)


def _read_letters(paths: list[Path], out: Path, overwrite: bool) -> list[_Package]:
    """The letters' packages (the first read whole), or every problem with them at once."""
    if not paths:
        raise UsageError("no letters to bundle", hint="name one or more .docx files")
    problems = Problems()
    packages: list[_Package] = []
    for path in paths:
        with problems.catch():
            if path.suffix.lower() != ".docx":
                raise UsageError("only .docx letters can be bundled", location=path)
            packages.append(_Package(path, whole=not packages))
    if out.exists() and not overwrite:
        problems.add(OutputError("exists already", location=out,
                                 hint="use --overwrite to replace it"))
    problems.raise_if_any()
    return packages


class _Letters:
    """The bundle's body, filled letter by letter, and what is noted of each letter."""

    def __init__(self, body: etree._Element) -> None:
        self.body = body
        self.drawing_id = 0
        self.starts: list[etree._Element | None] = []  # first paragraph of each letter
        self.sections: list[etree._Element] = []  # the first section of each letter
        self.counted: list[Letter] = []  # for the page counts of "pagina 1 van 2"

    def append(self, letter: _Package, *, last: bool,
               adopt_into: tuple[_Bundle, Numbering] | None) -> None:
        """A letter's body into the bundle; a later letter's parts and lists are taken over
        (``adopt_into``), the first letter's are the bundle's own."""
        source_body = letter.document.find(w("body"))
        if source_body is None:
            raise DataError("has no document body", location=letter.path)
        content = [c for c in source_body if c.tag != w("sectPr")]
        section = source_body.find(w("sectPr"))
        section = deepcopy(section) if section is not None else etree.Element(w("sectPr"))
        # A letter of several sections: its first one (in a paragraph, in document order)
        # starts the new page and page 1 and must not show the previous letter's header;
        # its later sections keep their own start and inherit from the letter's own.
        first = next((s for c in content for s in c.iter(w("sectPr"))), section)
        _start_on_new_page(first)
        self.sections.append(first)
        if adopt_into is not None:
            bundle, numbering = adopt_into
            _refuse_notes(letter, content)
            bundle.adopt(letter, [*content, section])
            numbering.restart(content)
        self.starts.append(next((p for c in content for p in c.iter(w("p"))), None))
        body = self.body
        for element in content:
            for node in element.iter(f"{{{WP}}}docPr"):
                self.drawing_id += 1  # Word wants drawing ids unique in the document
                node.set("id", str(self.drawing_id))
            for node in element.iter():
                for attribute in (f"{{{W14}}}paraId", f"{{{W14}}}textId"):
                    node.attrib.pop(attribute, None)
            body.append(element)
        own_sections = [s for c in content for s in c.iter(w("sectPr"))] + [section]
        if not last:
            _end_section(body, content, section)
            end: etree._Element | None = body[-1]
        else:
            body.append(section)
            end = _last_paragraph(content)
        self.counted.append(Letter(len(self.counted) + 1, own_sections, content, end))


def _save(base: _Package, bundle: _Bundle, document: etree._Element, out: Path,
          overwrite: bool) -> None:
    base.parts[base.main] = etree.tostring(document, xml_declaration=True, encoding="UTF-8",
                                           standalone=True)
    base.parts[base.rels_name(base.main)] = etree.tostring(
        bundle.rels, xml_declaration=True, encoding="UTF-8", standalone=True)
    base.parts["[Content_Types].xml"] = etree.tostring(
        base.types, xml_declaration=True, encoding="UTF-8", standalone=True)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", base.parts.pop("[Content_Types].xml"))
        for name, data in base.parts.items():
            archive.writestr(name, data)
    atomic_write(out, buffer.getvalue(), overwrite=overwrite)


def _last_paragraph(content: list[etree._Element]) -> etree._Element | None:
    """The last paragraph of a letter (inside its closing table, if it ends in one)."""
    for element in reversed(content):
        if element.tag == w("p"):
            return element
        paragraphs = list(element.iter(w("p")))
        if paragraphs:
            return paragraphs[-1]
    return None


def _mark_starts(body: etree._Element, starts: list[etree._Element | None]) -> None:
    """A collapsed bookmark at the start of each letter's first paragraph (ids kept unique)."""
    taken = [int(m.get(w("id"), "0")) for m in body.iter(w("bookmarkStart"))
             if m.get(w("id"), "").isdigit()]
    first_id = max(taken, default=0) + 1
    for number, start in enumerate(starts):
        mark_id = str(first_id + number)
        marks = [etree.Element(w("bookmarkStart"), {w("id"): mark_id,
                                                    w("name"): BOOKMARK_FORMAT.format(number + 1)}),
                 etree.Element(w("bookmarkEnd"), {w("id"): mark_id})]
        if start is None:  # no paragraph to mark: the PDF split notices
            continue
        properties = start.find(w("pPr"))
        start.insert(0 if properties is None else start.index(properties) + 1, marks[0])
        marks[0].addnext(marks[1])


def _refuse_notes(letter: _Package, content: list[etree._Element]) -> None:
    """Footnotes and comments live in parts of their own; a later letter's would be lost."""
    for element in content:
        for tag in ("footnoteReference", "endnoteReference", "commentReference"):
            if element.find(f".//{w(tag)}") is not None:
                raise DataError(f"has a {tag.removesuffix('Reference')}, which a bundle "
                                "cannot carry over from any letter but the first",
                                location=letter.path, hint="remove it, or print it apart")


def _start_on_new_page(section: etree._Element) -> None:
    """Section type "next page", page numbers from 1."""
    for old in section.findall(w("type")):
        section.remove(old)
    insert_in_order(section, etree.Element(w("type"), {w("val"): "nextPage"}), _AFTER_TYPE)
    numbering = section.find(w("pgNumType"))
    if numbering is None:
        numbering = etree.Element(w("pgNumType"))
        insert_in_order(section, numbering, _AFTER_PGNUM)
    numbering.set(w("start"), "1")


def _end_section(body: etree._Element, content: list[etree._Element],
                 section: etree._Element) -> None:
    """A section ends in its last paragraph's properties; add a paragraph only if needed."""
    last = content[-1] if content else None
    if last is None or last.tag != w("p") or last.find(f"{w('pPr')}/{w('sectPr')}") is not None:
        last = etree.SubElement(body, w("p"))
    properties = last.find(w("pPr"))
    if properties is None:
        properties = etree.Element(w("pPr"))
        last.insert(0, properties)
    properties.append(section)  # sectPr belongs after the other paragraph properties…
    change = properties.find(w("pPrChange"))
    if change is not None:  # …except a tracked change, which comes last
        properties.append(change)
