"""A rendered header or footer as python-docx writes it, without lxml for every document.

:class:`.fast_docx.CompiledDocx` finishes a header by parsing its rendered XML (blank text
dropped, as python-docx reads a part) and writing it again: a third of a short letter's
rendering when the header prints a field of the record (its number, say). As the body's
skeleton does (:mod:`.skeleton`, whose reasoning holds here), the header's template is
compiled a second time to print a stand-in for each value; each skeleton goes through
lxml once and is kept, and a document is its kept bytes with the values put in, escaped
as lxml escapes text or an attribute.

One thing more than in the body: the parser drops a *blank* text node (only whitespace),
and a value of only spaces could make a node blank that the stand-in kept. Such a value,
and one that is not printable (tabs and breaks, which docxtpl's listing rewrite changes,
or what XML cannot hold), sends the document the old way, as do a skeleton with those
characters of its own or with a stand-in anywhere but in text or an attribute's value.
"""

from __future__ import annotations

from collections.abc import Callable

from lxml import etree

from .body_blocks import split_written
from .docx_body import LISTING_CHARACTERS
from .skeleton import OPAQUE, STAND_IN, Bounded, Recorded, Tally, Written, fill_kept
from .skeleton_template import SkeletonKey

_STAND_IN = STAND_IN.encode("utf-8")
_DECLARATION_END = b"?>"


class HeaderSkeletons(Tally):
    """Headers' and footers' skeletons as lxml writes them (all parts of one template:
    a skeleton is its part's own XML, so parts do not share one)."""

    def __init__(self, finish: Callable[[str], bytes]) -> None:
        #: The rendered part as python-docx writes it (declaration included).
        self.finish = finish
        self.kept: Bounded[SkeletonKey, Written | None] = Bounded()
        super().__init__()

    def part(self, recorded: Recorded) -> bytes | None:
        """The part's bytes as :attr:`finish` writes them, or None: make it the old way."""
        values = recorded.values
        if recorded.opaque or any(not v.isprintable() or v.isspace() for v in values):
            self.misses += 1
            return None
        skeleton, key = recorded.skeleton, recorded.key
        try:
            kept = self.kept[key]
        except KeyError:
            kept = self.kept.keep(key, self._written(skeleton), len(skeleton))
        out = fill_kept(kept, values) if kept is not None else None
        if out is None:
            self.misses += 1
            return None
        self.hits += 1
        return b"".join(out)

    def _written(self, skeleton: str) -> Written | None:
        if OPAQUE in skeleton or any(c in skeleton for c in LISTING_CHARACTERS):
            return None
        try:
            written = self.finish(skeleton)
        except etree.XMLSyntaxError:
            return None  # the document itself then raises the error where it is made
        declaration = b""
        if written.startswith(b"<?xml"):
            end = written.index(_DECLARATION_END) + len(_DECLARATION_END)
            declaration, written = written[:end], written[end:]
        split = split_written(written, _STAND_IN)
        if split is None:
            return None
        parts, in_attribute = split
        parts[0] = declaration + parts[0]
        return parts, in_attribute, [], []
