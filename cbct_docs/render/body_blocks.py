"""A body's XML cut into its own paragraphs, tables and content controls, by their tags
alone, and its written bytes cut at the stand-ins (:mod:`.skeleton` keeps a body's
written form per block)."""

from __future__ import annotations

import re

_BLOCK = re.compile(r"<(/?)w:(p|tbl|sdt)([ >/])")
_OPENS = {name: re.compile(f"<w:{name}[ >/]") for name in ("p", "tbl", "sdt")}
END = "</w:body>"
#: lxml's bytes between stand-ins, and which stand-ins are in attributes.
Split = tuple[list[bytes], list[bool]]


def body_blocks(skeleton: str, opened: int) -> list[str] | None:
    """The body's skeleton cut after each of its own paragraphs, tables and content
    controls (nested ones are inside them); None when the tags do not add up. (A cut in
    the wrong place only costs time: that block does not parse, and the skeleton goes
    through lxml whole.)"""
    if not skeleton.endswith(END):
        return None
    end = len(skeleton) - len(END)
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


def split_written(written: bytes, stand_in: bytes) -> Split | None:
    """lxml's bytes between stand-ins, and whether each stand-in is in an attribute;
    None where a stand-in is anywhere else than in text or an attribute's value."""
    if b"<!--" in written or b"<?" in written or b"<![CDATA[" in written:
        return None
    parts = written.split(stand_in)
    in_attribute = []
    inside = False  # in a tag (lxml writes < and > in values and text as &lt; &gt;)
    name = b""  # the attribute the last stand-in is in
    for part in parts[:-1]:
        opened, closed = part.rfind(b"<"), part.rfind(b">")
        if opened != closed:  # else: no < or >, where the stand-in before it was
            inside = opened > closed
            name = b""
        if inside:
            tag = part[opened + 1 :] if opened >= 0 else part
            start = tag.rfind(b'="')
            if start >= 0:
                name, tag = tag[:start].rsplit(b" ", 1)[-1], tag[start + 2 :]
            if b'"' in tag or not name or name.startswith(b"xmlns"):
                return None  # between attributes, in a name or a namespace: never here
        in_attribute.append(inside)
    return parts, in_attribute
