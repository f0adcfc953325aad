"""A rendered document body as lxml would write it, without parsing every document.

Every document's body goes through lxml once (:func:`.docx_body.fix_body`): parsed
strictly (a tag that opens in a table cell and closes after it is an error), its tables
checked, its pictures numbered, and written back the way python-docx writes it. For a
report that was over half of rendering it.

What varies from one document to the next is mostly data: the values a template prints.
The body template is compiled a second time with an ``escape`` that records each printed
value and prints a stand-in character instead (:mod:`.skeleton_template`): the
*skeleton*. The skeleton goes through lxml once and is kept; a document is its kept form
with every stand-in replaced by the value, escaped as lxml escapes text (``&``, ``<``,
``>``) or an attribute (and ``"``). That is the same bytes, because:

- a printed value is escaped (markupsafe), so it can only be character data where it
  stands: the document's tree is the skeleton's with each stand-in character replaced by
  the value (the stand-in is one ordinary character, U+E010, in text or an attribute);
- lxml writes a text or attribute value character by character, so writing the value
  where the stand-in was is writing the document;
- a tab, line or page break in a value stays in the skeleton between stand-ins, so
  docxtpl's listing rewrite (which makes them Word's own elements) runs over the skeleton
  as it would over the document;
- everything that could break this sends the document the old way: a value with a
  carriage return or a character XML cannot hold (lxml would refuse or normalise it),
  a stand-in in a comment, name or ``xmlns``, a skeleton lxml refuses or whose tables
  docxtpl would repair, a stand-in the skeleton itself contains, and templates that do
  more with a printed value than print it (a ``{% set %}`` block, a macro,
  ``{% filter %}``), whose output would change.

Objects that print XML (``__html__``: a picture) are part of the skeleton as they are.
An object that gives its XML as written by lxml (``__xml_opaque__``: XML before, XML
as lxml writes it with one ``<wp:docPr id="1"``, XML after; the score chart) gets a
second stand-in (U+E011) instead, and its XML goes there unparsed, its picture numbered
in its place.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from typing import Any, TypeVar

from markupsafe import escape

from .body_blocks import END, Split, body_blocks, split_written
from .docx_body import LISTING_CHARACTERS, PARAGRAPH
from .skeleton_template import _PICTURE, OPAQUE, STAND_IN, Recorded, SkeletonKey

_STAND_IN = STAND_IN.encode("utf-8")
_OPAQUE = OPAQUE.encode("utf-8")
#: What sends a document the old way when a printed value holds it.
_NOT_PLAIN = re.compile(
    "[\t\n\r\x07\x0c\x00-\x08\x0b\x0e-\x1f\ufffe\uffff\ud800-\udfff\ue011]")
#: Characters of skeletons and of blocks kept per template (each kept with its written
#: bytes): a report's body is ~70,000; a report's chart, new for most organisations, is a
#: block of ~20,000. Past this they are forgotten and kept anew.
KEPT = 2_000_000

_K = TypeVar("_K")
_V = TypeVar("_V")


class Bounded(dict[_K, _V]):
    """A dict whose keys hold at most :data:`KEPT` characters together (the skeletons,
    blocks and checks a long run keeps): past that it is emptied and kept anew."""

    def __init__(self) -> None:
        super().__init__()
        self.size = 0  # characters of its keys

    def keep(self, key: _K, value: _V, size: int) -> _V:
        """``value`` kept under ``key``, whose text is ``size`` characters."""
        self.size += size
        if self.size > KEPT:
            self.clear()
            self.size = size
        self[key] = value
        return value


def filled(recorded: Recorded) -> str | None:
    """What the template itself renders: the stand-ins replaced by the values, escaped as
    ``{{ }}`` escapes them, and by the opaque XML; None when the skeleton has stand-ins of
    its own."""
    skeleton, values = recorded.skeleton, recorded.values
    if recorded.opaque:
        segments = skeleton.split(OPAQUE)
        if len(segments) != len(recorded.opaque) + 1:
            return None
        skeleton = _interleave(segments, recorded.opaque)
    segments = skeleton.split(STAND_IN)
    if len(segments) != len(values) + 1:
        return None
    if not values:
        return skeleton
    texts = str(escape(STAND_IN.join(values))).split(STAND_IN)  # escape() leaves it be
    if len(texts) != len(values):  # a value holds the stand-in itself
        texts = [str(escape(value)) for value in values]
    return _interleave(segments, texts)


def _interleave(segments: list[str], between: list[str]) -> str:
    out = [segments[0]] * (2 * len(between) + 1)
    out[1::2] = between
    out[2::2] = segments[1:]
    return "".join(out)


#: That, the picture numbers of the opaque XML, and which of those bytes hold its places.
Written = tuple[list[bytes], list[bool], list[int], list[int]]


class Tally:
    """How often kept skeletons made a part (hits) and how often it went the old way
    (misses): the skeleton is not tried any more once it rarely helps."""

    def __init__(self) -> None:
        self.hits = self.misses = 0

    @property
    def worth_it(self) -> bool:
        """False once most documents needed lxml after all."""
        return self.misses < 64 or self.hits >= self.misses


class Skeletons(Tally):
    """A template body's skeletons as lxml writes them, kept whole and per block (a
    paragraph or table of the body: a skeleton not seen before is mostly blocks seen
    before, as a report with one more improvement point than the last)."""

    def __init__(self, canonical: Callable[[str, int], tuple[bytes, int] | None],
                 listing: Callable[[str], str]) -> None:
        #: The body through lxml as :func:`.docx_body.fix_body` writes it, its pictures
        #: numbered from the given number, and how many; None where that would repair a
        #: table (or cannot parse it).
        self.canonical = canonical
        #: docxtpl's listing rewrite (tabs, breaks in text), applied before lxml. The
        #: values hold none of those characters, nor ``<``: it rewrites the skeleton as
        #: it would rewrite the document.
        self.listing = listing
        self.kept: Bounded[SkeletonKey, Written | None] = Bounded()
        self.blocks: Bounded[Any, tuple[Split, int] | None] = Bounded()
        self.start: bytes | None = None  # the body's start tag as lxml writes it
        #: Opaque XML (by id, the text held) with its picture's number: its bytes, for 64
        #: at most (:func:`_numbered`). A report's chart is drawn once per set of scores
        #: (documents.chart): the same text. (Not the opaque XML itself: Recorded.opaque.)
        self.numbered: dict[tuple[int, int], tuple[str, bytes]] = {}
        super().__init__()

    def body(self, recorded: Recorded, before: bytes = b"", after: bytes = b""
             ) -> bytes | None:
        """The body's bytes as lxml writes them, between ``before`` and ``after`` (the
        document's XML around its body: joined in one go), or None: make it the old way."""
        skeleton, values, key = recorded.skeleton, recorded.values, recorded.key
        plain = "".join(values)
        if not plain.isprintable() and _NOT_PLAIN.search(plain):  # (printable: none)
            return None
        try:  # (a look-up, not "in" and then one: another thread may clear it between)
            kept = self.kept[key]
        except KeyError:
            kept = None
            if not any(c in skeleton for c in LISTING_CHARACTERS):
                kept = self._assembled(skeleton)
            elif OPAQUE not in skeleton or _listing_passes_opaque(skeleton):
                kept = self._assembled(self.listing(skeleton))
            self.kept.keep(key, kept, len(skeleton))
        if kept is None:
            self.misses += 1
            return None
        self.hits += 1
        out = fill_kept(kept, values)
        if out is None or not _place_opaque(out, kept, recorded.opaque, self.numbered):
            return None
        if before:
            out[0] = before + out[0]
        if after:
            out.append(after)
        return b"".join(out)

    def _assembled(self, skeleton: str) -> Written | None:
        """The skeleton from its blocks' kept forms (each block's made when new)."""
        opened = skeleton.find(">") + 1
        chunks = body_blocks(skeleton, opened) if skeleton.startswith("<w:body") else None
        if not chunks:
            return self._whole(skeleton)
        start = skeleton[:opened]
        parts: list[bytes] = [b""]
        in_attribute: list[bool] = []
        pictures: list[int] = []  # the opaque XML's picture numbers
        number = 1001
        for chunk in chunks:
            opaque = chunk.count(OPAQUE)
            if opaque and "docPr" in chunk:
                return None  # its own pictures and the opaque ones: not numbered here
            key = (number, chunk) if opaque or "docPr" in chunk else chunk
            try:
                block = self.blocks[key]
            except KeyError:
                block = self.blocks.keep(key, self._block(start, chunk, number), len(chunk))
            if block is None:
                return self._whole(skeleton)  # a block lxml refuses: decided as a whole
            (chunk_parts, chunk_attributes), numbered = block
            parts[-1] += chunk_parts[0]
            parts += chunk_parts[1:]
            in_attribute += chunk_attributes
            pictures += range(number, number + opaque)
            number += numbered + opaque
        if self.start is None:
            return None
        parts[0] = self.start + parts[0]
        parts[-1] += END.encode()
        return parts, in_attribute, pictures, _holding_opaque(parts)

    def _block(self, start: str, chunk: str, first: int) -> tuple[Split, int] | None:
        written = self.canonical(start + chunk + END, first)
        if written is None or not written[0].endswith(END.encode()):
            return None
        xml, pictures = written
        head = xml[: xml.find(b">") + 1]
        if self.start is None:
            self.start = head
        if head != self.start:
            return None
        split = split_written(xml[len(head) : -len(END)], _STAND_IN)
        return (split, pictures) if split is not None else None

    def _whole(self, skeleton: str) -> Written | None:
        if OPAQUE in skeleton:
            return None
        written = self.canonical(skeleton, 1001)
        split = split_written(written[0], _STAND_IN) if written is not None else None
        return (*split, [], _holding_opaque(split[0])) if split is not None else None


def _listing_passes_opaque(skeleton: str) -> bool:
    """True when no paragraph with opaque XML has a tab or break: the listing rewrite
    then changes neither it nor (in the document) the opaque XML's own paragraphs, which
    it sees instead of that paragraph."""
    return not any(OPAQUE in paragraph and any(c in paragraph for c in LISTING_CHARACTERS)
                   for paragraph in PARAGRAPH.findall(skeleton))


def fill_kept(kept: Written, values: list[str]) -> list[bytes] | None:
    """The kept bytes with the values, escaped as lxml escapes text or an attribute (the
    pieces of the body, in order: kept bytes, a value, kept bytes …)."""
    parts, in_attribute, _pictures, _holding = kept
    if len(parts) != len(values) + 1:
        return None
    if not values:
        return [parts[0]]
    # Escaped and encoded all at once, then cut apart again at the stand-ins.
    joined = STAND_IN.join(values)
    escaped = joined.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    texts = escaped.encode("utf-8").split(_STAND_IN)
    if len(texts) != len(values):  # a value holds the stand-in itself
        return None
    out = [parts[0]] * (2 * len(values) + 1)
    out[1::2] = texts
    out[2::2] = parts[1:]
    for index in itertools.compress(itertools.count(), in_attribute):  # in attributes
        out[2 * index + 1] = texts[index].replace(b'"', b"&quot;")
    return out


def _holding_opaque(parts: list[bytes]) -> list[int]:
    """Which of the kept bytes hold an opaque stand-in (a value never does)."""
    return [index for index, part in enumerate(parts) if _OPAQUE in part]


def _place_opaque(out: list[bytes], kept: Written, opaque: list[str],
                  written: dict[tuple[int, int], tuple[str, bytes]]) -> bool:
    """The opaque XML put in ``out`` (:func:`_fill`'s pieces) where the kept bytes hold
    its stand-ins, each picture numbered where it stands; False when they do not match."""
    pictures, holding = kept[2], kept[3]
    if len(pictures) != len(opaque):
        return False
    if not opaque:
        return not holding
    xml = [_numbered(text, number, written)
           for text, number in zip(opaque, pictures, strict=True)]
    placed = 0
    for index in holding:
        pieces = out[2 * index].split(_OPAQUE)
        between = xml[placed : placed + len(pieces) - 1]
        placed += len(pieces) - 1
        if len(between) != len(pieces) - 1:
            return False
        joined = [pieces[0]] * (2 * len(pieces) - 1)
        joined[1::2] = between
        joined[2::2] = pieces[1:]
        out[2 * index] = b"".join(joined)
    return placed == len(opaque)


def _numbered(text: str, number: int, written: dict[tuple[int, int], tuple[str, bytes]]
              ) -> bytes:
    """Opaque XML with its picture numbered, as bytes: kept in ``written`` by the text's
    identity (a run's same chart, drawn once, is encoded once)."""
    kept = written.get((id(text), number))
    if kept is not None and kept[0] is text:
        return kept[1]
    made = text.replace(_PICTURE, f'<wp:docPr id="{number}" ', 1).encode("utf-8")
    if len(written) >= 64:
        written.clear()
    written[(id(text), number)] = (text, made)
    return made
