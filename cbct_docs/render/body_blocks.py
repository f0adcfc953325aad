"""A body's XML cut into its own paragraphs, tables and content controls, by their tags
alone (:mod:`.skeleton` keeps a body's written form per block)."""

from __future__ import annotations

import re

_BLOCK = re.compile(r"<(/?)w:(p|tbl|sdt)([ >/])")
_OPENS = {name: re.compile(f"<w:{name}[ >/]") for name in ("p", "tbl", "sdt")}
_END = "</w:body>"


def body_blocks(skeleton: str, opened: int) -> list[str] | None:
    """The body's skeleton cut after each of its own paragraphs, tables and content
    controls (nested ones are inside them); None when the tags do not add up. (A cut in
    the wrong place only costs time: that block does not parse, and the skeleton goes
    through lxml whole.)"""
    if not skeleton.endswith(_END):
        return None
    end = len(skeleton) - len(_END)
    chunks = []
    last = opened
    search, find = _BLOCK.search, skeleton.find
    while (match := search(skeleton, last, end)) is not None:
        closing, name, after = match.group(1, 2, 3)
        if closing:
            return None
        tag_end = match.end() if after == ">" else find(">", match.end() - 1) + 1
        if after != ">" and skeleton[tag_end - 2] == "/":
            close = tag_end  # an empty element
        else:  # to its end tag, unless one of its kind is inside: then counted
            closer = f"</w:{name}>"
            stop = find(closer, tag_end, end)
            if stop < 0:
                return None
            if _OPENS[name].search(skeleton, tag_end, stop) is None:
                close = stop + len(closer)
            elif (matched := _matching(skeleton, match.start(), end)) is not None:
                close = matched
            else:
                return None
        chunks.append(skeleton[last:close])
        last = close
    if last < end:
        chunks.append(skeleton[last:end])
    return chunks


def _matching(skeleton: str, start: int, end: int) -> int | None:
    """Where the block that opens at ``start`` ends, its nested blocks counted."""
    depth = 0
    for match in _BLOCK.finditer(skeleton, start, end):
        closing, _name, after = match.group(1, 2, 3)
        tag_end = match.end() if after == ">" else skeleton.find(">", match.end() - 1) + 1
        if closing:
            depth -= 1
            if depth == 0:
                return tag_end
            if depth < 0:
                return None
        elif after == ">" or skeleton[tag_end - 2] != "/":
            depth += 1
        elif depth == 0:
            return tag_end
    return None
