"""Restart Word list numbering in every section of a rendered whitepaper.

All "List Number" paragraphs share one list through their style, so Word would count on
from the last section (taalhuis indicators starting at 7). After rendering, each run of
numbered paragraphs between two headings (or tables) gets its own list instance (a
``w:num`` over the style's abstract numbering, started at 1). Explanations between the
items do not break a run: the numbering continues past them, as a reader expects.
"""

from __future__ import annotations

import io

import docx
from docx.oxml.ns import qn

NUMBERED_STYLE = "List Number"


def restart_numbering(data: bytes, style_name: str = NUMBERED_STYLE) -> bytes:
    document = docx.Document(io.BytesIO(data))
    style = document.styles[style_name]
    style_num = style.element.find(qn("w:pPr") + "/" + qn("w:numPr") + "/" + qn("w:numId"))
    if style_num is None:
        return data
    numbering = document.part.numbering_part.element
    abstract_id = numbering.num_having_numId(int(style_num.get(qn("w:val")))).abstractNumId.val
    headings = {s.style_id for s in document.styles if s.name and s.name.startswith(
        ("Heading", "Title"))}

    current: int | None = None
    for child in document.element.body.iterchildren():
        if child.tag == qn("w:tbl"):
            current = None
            continue
        if child.tag != qn("w:p"):
            continue
        style_id = child.style
        if style_id in headings:
            current = None
        elif style_id == style.style_id:
            if current is None:
                num = numbering.add_num(abstract_id)
                num.add_lvlOverride(ilvl=0).add_startOverride(1)
                current = num.numId
            properties = child.get_or_add_pPr()
            num_pr = properties.get_or_add_numPr()
            num_pr.get_or_add_ilvl().val = 0
            num_pr.get_or_add_numId().val = current
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
