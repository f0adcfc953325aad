"""Numbered lists in a bundle count from 1 again in every letter."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from lxml import etree

from .bundle_headers import w
from .bundle_parts import resolve

if TYPE_CHECKING:
    from .bundle import _Package

# Children of w:pPr that come after w:numPr.
_AFTER_NUMPR = ("suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku",
                "wordWrap", "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN",
                "bidi", "adjustRightInd", "snapToGrid", "spacing", "ind", "contextualSpacing",
                "mirrorIndents", "suppressOverlap", "jc", "textDirection", "textAlignment",
                "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr", "sectPr",
                "pPrChange")


class Numbering:
    """Numbered lists restart in every letter (Word would count on across the bundle).

    Each later letter gets its own ``w:num`` per list, pointing at the same list definition
    with the counters reset. Bullets are left alone: they have nothing to count.
    """

    def __init__(self, base: _Package) -> None:
        self.base = base
        self.part = self._part_of_type("numbering")
        self.root = etree.fromstring(base.parts[self.part]) if self.part else None
        self.abstract: dict[str, str] = {}  # numId → abstractNumId
        self.counted: set[str] = set()  # numIds (with level) that count, not bullet
        self.next_id = 1
        if self.root is not None:
            formats: dict[str, dict[str, str]] = {}
            for abstract in self.root.iter(w("abstractNum")):
                formats[abstract.get(w("abstractNumId"), "")] = {
                    level.get(w("ilvl"), "0"): val(level.find(w("numFmt"))) or "decimal"
                    for level in abstract.iter(w("lvl"))}
            for num in self.root.iter(w("num")):
                num_id = num.get(w("numId"), "")
                abstract_id = val(num.find(w("abstractNumId")))
                self.abstract[num_id] = abstract_id
                self.next_id = max(self.next_id, int(num_id) + 1 if num_id.isdigit() else 0)
                for level, fmt in formats.get(abstract_id, {}).items():
                    if fmt not in ("bullet", "none"):
                        self.counted.add(f"{num_id}:{level}")
        self.style_lists = self._style_lists()

    def _part_of_type(self, kind: str) -> str | None:
        suffix = f"/relationships/{kind}"
        for rel in self.base.rels(self.base.main):
            if rel.get("Type", "").endswith(suffix):
                return resolve(self.base.main, rel.get("Target"))
        return None

    def _style_lists(self) -> dict[str, tuple[str, str]]:
        """Paragraph styles that number by themselves (e.g. "List Number")."""
        styles_part = self._part_of_type("styles")
        if styles_part is None or styles_part not in self.base.parts:
            return {}
        found = {}
        for style in etree.fromstring(self.base.parts[styles_part]).iter(w("style")):
            num_pr = style.find(f"{w('pPr')}/{w('numPr')}")
            if num_pr is not None:
                found[style.get(w("styleId"), "")] = (
                    val(num_pr.find(w("numId"))), val(num_pr.find(w("ilvl"))) or "0")
        return found

    def restart(self, elements: list[etree._Element]) -> None:
        """Give the lists of one letter fresh counters."""
        if self.root is None:
            return
        fresh: dict[str, str] = {}
        for element in elements:
            for paragraph in element.iter(w("p")):
                properties = paragraph.find(w("pPr"))
                if properties is None:
                    continue
                num_pr = properties.find(w("numPr"))
                if num_pr is not None:
                    num_id_node = num_pr.find(w("numId"))
                    num_id, level = val(num_id_node), val(num_pr.find(w("ilvl"))) or "0"
                else:
                    style = val(properties.find(w("pStyle")))
                    num_id, level = self.style_lists.get(style, ("", "0"))
                    num_id_node = None
                if f"{num_id}:{level}" not in self.counted:
                    continue
                if num_id not in fresh:
                    fresh[num_id] = self._new_num(num_id)
                if num_id_node is not None:
                    num_id_node.set(w("val"), fresh[num_id])
                else:  # numbered through its style: say so on the paragraph, with the new id
                    num_pr = etree.Element(w("numPr"))
                    etree.SubElement(num_pr, w("ilvl"), {w("val"): level})
                    etree.SubElement(num_pr, w("numId"), {w("val"): fresh[num_id]})
                    insert_in_order(properties, num_pr, _AFTER_NUMPR)

    def _new_num(self, num_id: str) -> str:
        assert self.root is not None
        new_id = str(self.next_id)
        self.next_id += 1
        num = etree.Element(w("num"), {w("numId"): new_id})
        etree.SubElement(num, w("abstractNumId"), {w("val"): self.abstract[num_id]})
        for level in range(9):
            override = etree.SubElement(num, w("lvlOverride"), {w("ilvl"): str(level)})
            etree.SubElement(override, w("startOverride"), {w("val"): "1"})
        existing = self.root.findall(w("num"))
        if existing:
            existing[-1].addnext(num)
        else:
            self.root.append(num)
        return new_id

    def save(self) -> None:
        if self.root is not None and self.part is not None:
            self.base.parts[self.part] = etree.tostring(
                self.root, xml_declaration=True, encoding="UTF-8", standalone=True)


def val(node: etree._Element | None) -> str:
    return "" if node is None else str(node.get(w("val"), ""))


def insert_in_order(section: etree._Element, element: etree._Element,
                     followers: Sequence[str]) -> None:
    for child in section:
        if etree.QName(child).localname in followers:
            child.addprevious(element)
            return
    section.append(element)
