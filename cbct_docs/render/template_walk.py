"""A Word template's text as a person reads it: paragraph by paragraph (table cells by table,
row and cell), the text of all its runs joined, so a tag Word split over several runs is one
tag again; for :mod:`.template_check`."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@dataclass
class Place:
    """Where a paragraph is: ``paragraph 4``, ``table 1, row 2, cell 3``, ``header: …``."""

    label: str
    row: str = ""  # a key per table row (for {%tr %}), empty outside tables
    cell: str = ""  # a key per table cell (for {%tc %})
    text: str = ""  # the paragraph's text as a person reads it

    def __str__(self) -> str:
        shown = " ".join(self.text.split())
        if len(shown) > 70:
            shown = shown[:67] + "..."
        return f"{self.label} {shown!r}"



def template_parts(names: Iterable[str]) -> list[str]:
    """The parts of a .docx that hold template text, body first."""
    parts = [n for n in names if n == "word/document.xml"]
    parts += sorted(n for n in names if re.fullmatch(r"word/(header|footer)\d*\.xml", n))
    parts += [n for n in names if n == "word/footnotes.xml"]
    return parts


def part_label(zipname: str) -> str:
    stem = zipname.rsplit("/", 1)[-1].removesuffix(".xml")
    return "" if stem == "document" else re.sub(r"\d+$", "", stem) + ": "


class Walker:
    """Walks one part in document order, cutting its text into one segment per paragraph."""

    def __init__(self, zipname: str) -> None:
        self.prefix = part_label(zipname)
        self.paragraphs = 0
        self.tables = 0
        self.segments: list[tuple[Place, list[str]]] = []
        self.fields: list[tuple[Place, str]] = []  # MERGEFIELD instructions
        self.cell_stack: list[tuple[int, int, int]] = []  # (table, row, cell)
        self.current: list[str] = []

    def walk(self, element: Any) -> None:
        for child in element:
            tag = child.tag
            if not isinstance(tag, str):
                continue
            if tag == W + "p":
                self.paragraph(child)
            elif tag == W + "tbl":
                self.table(child)
            else:
                self.walk(child)

    def table(self, element: Any) -> None:
        self.tables += 1
        number = self.tables
        row_number = 0
        for row in element:
            if row.tag != W + "tr":
                self.walk_other(row)
                continue
            row_number += 1
            cell_number = 0
            for cell in row:
                if cell.tag != W + "tc":
                    self.walk_other(cell)
                    continue
                cell_number += 1
                self.cell_stack.append((number, row_number, cell_number))
                self.walk(cell)
                self.cell_stack.pop()

    def walk_other(self, element: Any) -> None:
        if isinstance(element.tag, str):
            self.walk(element)

    def paragraph(self, element: Any) -> None:
        if self.cell_stack:
            table, row, cell = self.cell_stack[-1]
            place = Place(f"{self.prefix}table {table}, row {row}, cell {cell}",
                          row=f"{table}.{row}", cell=f"{table}.{row}.{cell}")
        else:
            self.paragraphs += 1
            place = Place(f"{self.prefix}paragraph {self.paragraphs}")
        instructions: list[str] = []
        outer = self.current
        self.current = []
        self.segments.append((place, self.current))
        self.inside(element, place, instructions)
        place.text = "".join(t for p, texts in self.segments if p is place for t in texts)
        self.current = outer
        instruction = " ".join("".join(instructions).split())
        if re.search(r"\bMERGEFIELD\b", instruction):
            self.fields.append((place, instruction))

    def inside(self, element: Any, place: Place, instructions: list[str]) -> None:
        for child in element:
            tag = child.tag
            if not isinstance(tag, str):
                continue
            if tag == W + "t":
                self.current.append(child.text or "")
            elif tag == W + "instrText":
                instructions.append(child.text or "")
            elif tag == W + "p" or tag == W + "tbl":
                # A text box inside the paragraph: its own paragraphs, and the rest of this
                # one continues as a new segment after it.
                if tag == W + "p":
                    self.paragraph(child)
                else:
                    self.table(child)
                self.current = []
                self.segments.append((place, self.current))
            else:
                if tag == W + "fldSimple":
                    instructions.append(" " + (child.get(W + "instr") or "") + " ")
                self.inside(child, place, instructions)
