""""pagina 1 van 2" in a bundle: each letter counts its own pages.

A NUMPAGES field counts the pages of the whole document, so in a bundle of 50 letters a
footer would read "pagina 1 van 100". Each letter of a bundle starts its own section with
page numbers from 1, so the number of pages of a letter is the page number of its last
paragraph. The bundle therefore marks the end of every such letter with an (invisible)
bookmark and turns the letter's NUMPAGES fields into PAGEREF fields to that bookmark: in
its body, and in its own copy of every header and footer that has one. Word and
LibreOffice both show a PAGEREF as the page number where the bookmark is (SECTIONPAGES
would do in Word, but LibreOffice 7.4 shows it empty).

Only the plain field is rewritten (``NUMPAGES``, optionally ``\\* MERGEFORMAT`` or
``\\* Arabic``), and only for a letter whose sections number its pages 1, 2, 3 … in
arabic numerals without restarting after its first section: otherwise the page number of
its end is not its number of pages, and the field is left as it is.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from lxml import etree

from .bundle_headers import CT, PKG_REL, R, w

#: Bookmark at the end of letter n (1-based), for its page count and the PDF split's check.
END_FORMAT = "cbct_end_{:04d}"
# The NUMPAGES instructions that mean just "the number of pages" in arabic numerals.
PLAIN_NUMPAGES = re.compile(r"\s*NUMPAGES(\s+\\\*\s+(MERGEFORMAT|Arabic))*\s*$", re.IGNORECASE)
_REFERENCES = ("headerReference", "footerReference")


def counts_pages_from_one(sections: Iterable[etree._Element]) -> bool:
    """Whether pages are numbered 1, 2, 3 … through all sections of a letter.

    The first section's ``start`` is left out: a bundle sets it to 1 (the PDF route asks
    :func:`starts_at_one` of it as well, as a letter converted alone keeps its own).
    """
    for number, section in enumerate(sections):
        numbering = section.find(w("pgNumType"))
        if numbering is None:
            continue
        if numbering.get(w("fmt"), "decimal") != "decimal":
            return False
        if number and numbering.get(w("start")) is not None:
            return False
    return True


def starts_at_one(section: etree._Element) -> bool:
    numbering = section.find(w("pgNumType"))
    return numbering is None or numbering.get(w("start"), "1") == "1"


@dataclass
class Letter:
    """What the bundle knows of one letter: its sections, content and last paragraph."""

    number: int  # 1-based
    sections: list[etree._Element]
    content: list[etree._Element]
    end: etree._Element | None  # the paragraph that ends the letter in the bundle


class PageCounts:
    """Rewrites the NUMPAGES fields of the letters of one bundle (see the module)."""

    def __init__(self, parts: dict[str, bytes], main: str, rels: etree._Element,
                 types: etree._Element, new_rel_id: Callable[[], str]) -> None:
        self.parts, self.main, self.rels, self.types = parts, main, rels, types
        self.new_rel_id = new_rel_id

    def apply(self, letters: Sequence[Letter], body: etree._Element,
              mark_every_end: bool) -> None:
        """Rewrite each letter's fields; mark its end (every letter's, with ``mark_every_end``)."""
        marks = []
        for letter in letters:
            rewritten = False
            if letter.end is not None and counts_pages_from_one(letter.sections):
                name = END_FORMAT.format(letter.number)
                rewritten = _rewrite(letter.content, name)
                rewritten = self._own_parts(letter, name) or rewritten
            if letter.end is not None and (rewritten or mark_every_end):
                marks.append(letter)
        taken = [int(m.get(w("id"), "")) for m in body.iter(w("bookmarkStart"))
                 if m.get(w("id"), "").isdigit()]
        first_id = max(taken, default=0) + 1
        for number, letter in enumerate(marks):
            assert letter.end is not None
            mark_id = str(first_id + number)
            letter.end.append(etree.Element(w("bookmarkStart"), {
                w("id"): mark_id, w("name"): END_FORMAT.format(letter.number)}))
            letter.end.append(etree.Element(w("bookmarkEnd"), {w("id"): mark_id}))

    def _own_parts(self, letter: Letter, name: str) -> bool:
        """The letter's own copy of each header and footer with NUMPAGES, rewritten."""
        by_id = {r.get("Id"): r for r in self.rels}
        copies: dict[str, str] = {}  # the shared part's rel id → the letter's copy's
        for section in letter.sections:
            for reference in section:
                if etree.QName(reference).localname not in _REFERENCES:
                    continue
                rel_id = reference.get(f"{{{R}}}id", "")
                if rel_id not in copies:
                    copies[rel_id] = self._copy(by_id.get(rel_id), letter.number, name) or ""
                if copies[rel_id]:
                    reference.set(f"{{{R}}}id", copies[rel_id])
        return any(copies.values())

    def _copy(self, rel: etree._Element | None, number: int, name: str) -> str | None:
        if rel is None or rel.get("TargetMode") == "External":
            return None
        part = _resolve(self.main, rel.get("Target", ""))
        data = self.parts.get(part)
        if data is None or b"NUMPAGES" not in data.upper():
            return None
        root = etree.fromstring(data)
        if not _rewrite([root], name):
            return None
        stem, extension = posixpath.splitext(part)
        copy = f"{stem}_p{number:04d}{extension}"
        while copy in self.parts:
            copy = f"{posixpath.splitext(copy)[0]}x{extension}"
        self.parts[copy] = etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                                          standalone=True)
        own_rels = self.parts.get(_rels_name(part))
        if own_rels is not None:  # same folder: its targets hold for the copy too
            self.parts[_rels_name(copy)] = own_rels
        new_id = self.new_rel_id()
        etree.SubElement(self.rels, f"{{{PKG_REL}}}Relationship", Id=new_id,
                         Type=rel.get("Type", ""),
                         Target=posixpath.relpath(copy, posixpath.dirname(self.main)))
        content_type = next((o.get("ContentType") for o in self.types.iter(f"{{{CT}}}Override")
                             if o.get("PartName") == "/" + part), None)
        if content_type:
            etree.SubElement(self.types, f"{{{CT}}}Override", PartName="/" + copy,
                             ContentType=content_type)
        return new_id


def _rewrite(elements: Iterable[etree._Element], bookmark: str) -> bool:
    """NUMPAGES → PAGEREF ``bookmark`` in the fields of ``elements``; whether any was."""
    found = False
    for element in elements:
        for node in element.iter(w("instrText")):
            if node.text and PLAIN_NUMPAGES.match(node.text):
                node.text = _pageref(node.text, bookmark)
                found = True
        for node in element.iter(w("fldSimple")):
            instruction = node.get(w("instr"), "")
            if PLAIN_NUMPAGES.match(instruction):
                node.set(w("instr"), _pageref(instruction, bookmark))
                found = True
    return found


def _pageref(instruction: str, bookmark: str) -> str:
    return re.sub("NUMPAGES", f"PAGEREF {bookmark}", instruction, count=1, flags=re.IGNORECASE)


def _resolve(source_part: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(source_part), target))


def _rels_name(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")
