"""Pictures in Word templates: a :class:`DocxImage` in the context shows as a picture
where the template says ``{{ chart }}``.

The compiled path (:mod:`.fast_docx`) places pictures itself, as docxtpl's
``InlineImage`` would: per document a :class:`Placement` adds each picture's media part
(``word/media/imageN.png``, one per distinct picture), its relationship from the part that
shows it, the content type of its kind, and the drawing XML python-docx writes, with the
same names, numbers and sizes. :func:`bind_images` makes them docxtpl ``InlineImage``
values instead, for the docxtpl path (the reference, and the fallback).
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import hashlib
import io
import posixpath
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from lxml import etree

if TYPE_CHECKING:
    from docx.shared import Length

#: What docxtpl's InlineImage puts in place of the tag: the run with the drawing.
_DRAWING = ('</w:t></w:r><w:r><w:drawing>%s</w:drawing></w:r><w:r>'
            '<w:t xml:space="preserve">')
_IMAGE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/image"
_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"


@dataclass(frozen=True)
class DocxImage:
    """PNG or JPEG bytes, shown ``width_mm`` wide (height in proportion)."""

    data: bytes
    width_mm: float | None = None

    def __html__(self) -> str:
        # Reached only when a renderer skipped binding: fail loudly, never print a repr.
        from ..errors import TemplateError

        raise TemplateError("a picture reached a renderer that cannot place it",
                            hint="render this context through docxtpl (render.images)")

    __str__ = __html__


def bind_images(value: Any, tpl: Any) -> Any:
    """``value`` with every DocxImage (in nested dicts and lists) made an InlineImage."""
    if isinstance(value, DocxImage):
        from docx.shared import Mm
        from docxtpl import InlineImage

        width = Mm(value.width_mm) if value.width_mm else None
        return InlineImage(tpl, io.BytesIO(value.data), width=width)
    if isinstance(value, dict):
        return {k: bind_images(v, tpl) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [bind_images(v, tpl) for v in value]
    return value


class PictureNotPlaced(Exception):
    """A picture where the compiled path does not place one (footnotes); docxtpl can."""


@dataclass(frozen=True)
class _Story:
    """A part that can show pictures (body, header, footer), as the template has it."""

    partname: str  # "/word/document.xml"
    rels_member: str  # "word/_rels/document.xml.rels"
    rels: etree._Element | None  # the template's relationships of this part, if any
    rel_ids: frozenset[str]
    image_rels: Mapping[str, str]  # image partname → rId already related in the template
    shape_id: int  # python-docx's next_id of the part, as docxtpl uses it


@dataclass
class PictureFacts:
    """What the template has that placing pictures depends on; read once per template."""

    stories: dict[str, _Story]  # zip member → story
    images: dict[str, str]  # sha1 → partname of the template's own image parts
    numbers: list[int | None]  # their partname numbers (image3.png → 3)
    content_types: etree._Element
    defaults: frozenset[str]  # extensions with a Default content type
    _types_cache: dict[frozenset[tuple[str, str]], bytes] = field(default_factory=dict)

    def content_types_with(self, kinds: Iterable[tuple[str, str]]) -> bytes | None:
        """[Content_Types].xml with a Default for each new (extension, content type), as
        python-docx writes them; None when the template's has them all."""
        missing = frozenset((ext, kind) for ext, kind in kinds if ext not in self.defaults)
        if not missing:
            return None
        if missing not in self._types_cache:
            root = copy.deepcopy(self.content_types)
            for ext, kind in sorted(missing):  # among the Defaults in their order
                defaults = [e for e in root if etree.QName(e).localname == "Default"]
                later = [e for e in defaults if e.get("Extension", "").lower() > ext]
                at = root.index(later[0]) if later else (
                    root.index(defaults[-1]) + 1 if defaults else 0)
                root.insert(at, etree.Element(f"{{{_TYPES}}}Default", Extension=ext,
                                              ContentType=kind))
            self._types_cache[missing] = etree.tostring(root, encoding="UTF-8",
                                                        standalone=True)
        return self._types_cache[missing]


def picture_facts(tpl: Any, zipnames: Iterable[str], content_types: bytes) -> PictureFacts:
    """The facts for the story parts ``zipnames`` of the python-docx document in ``tpl``."""
    package = tpl.docx.part.package
    parts = {str(part.partname).lstrip("/"): part for part in package.iter_parts()}
    stories = {name: _story(parts[name]) for name in zipnames if name in parts}
    image_parts = list(package.image_parts)
    root = etree.fromstring(content_types)
    defaults = frozenset(e.get("Extension", "").lower() for e in root
                         if etree.QName(e).localname == "Default")
    return PictureFacts(stories, {p.sha1: str(p.partname) for p in image_parts},
                        [p.partname.idx for p in image_parts], root, defaults)


def _story(part: Any) -> _Story:
    rels_member = str(part.partname.rels_uri).lstrip("/")
    rels = None
    if len(part.rels):
        xml = part.rels.xml  # bytes in python-docx 1.2, str before
        rels = etree.fromstring(xml.encode("utf-8") if isinstance(xml, str) else xml)
    image_rels = {str(rel.target_part.partname): rel.rId for rel in part.rels.values()
                  if rel.reltype == _IMAGE and not rel.is_external}
    return _Story(str(part.partname), rels_member, rels, frozenset(part.rels),
                  image_rels, part.next_id)


@dataclass
class _Image:
    """A picture as python-docx reads it: kind, extension and size."""

    ext: str
    content_type: str
    size: Callable[[Length | None], tuple[Length, Length]]


#: Pictures read, by their SHA-1 (a letterhead's logo is read once per run, not per
#: document): 16 at most, each of at most :data:`READ_KEPT` bytes (a reading holds the
#: picture), so a merge with a photo per record keeps little.
_READ: dict[str, _Image] = {}
READ_KEPT = 256 * 1024


def _read_once(data: bytes, sha1: str) -> _Image:
    """:func:`_read_image`, kept by the picture's SHA-1 when it is small."""
    read = _READ.get(sha1)
    if read is None:
        read = _read_image(data)
        if len(data) <= READ_KEPT:
            if len(_READ) >= 16:
                _READ.clear()
            _READ[sha1] = read
    return read


@functools.lru_cache(maxsize=256)
def _inline_xml(shape_id: int, rId: str, filename: str, cx: Length, cy: Length) -> str:
    """python-docx's picture inline (InlineImage's XML) for these values: the same values
    give the same XML, so a batch of certificates makes it once (~0.15 ms each)."""
    from docx.oxml.shape import CT_Inline

    return str(CT_Inline.new_pic_inline(shape_id, rId, filename, cx, cy).xml)


def _read_image(data: bytes) -> _Image:
    from docx.image.image import Image

    image = Image.from_blob(data)

    def size(width: Length | None) -> tuple[Length, Length]:
        return image.scaled_dimensions(width, None)

    return _Image(image.ext, image.content_type, size)


class Placement:
    """The pictures of one document on the compiled path: call :meth:`enter` before
    rendering each part, let the template print the bound pictures, then take
    :meth:`members` for the zip."""

    def __init__(self, facts: PictureFacts) -> None:
        self.facts = facts
        self.images = dict(facts.images)
        self.numbers = list(facts.numbers)
        self.media: dict[str, bytes] = {}  # new image partname → bytes
        self.kinds: set[tuple[str, str]] = set()
        self.added: dict[str, dict[str, str]] = {}  # story member → image partname → rId
        self.story: _Story | None = None
        self.zipname = ""

    def enter(self, zipname: str) -> None:
        self.zipname = zipname
        self.story = self.facts.stories.get(zipname)

    def place(self, image: DocxImage) -> str:
        """The drawing that shows ``image`` in the current part (InlineImage's XML)."""
        from docx.shared import Mm

        if self.story is None:
            raise PictureNotPlaced(f"a picture in {self.zipname}")
        sha1 = hashlib.sha1(image.data).hexdigest()
        read = _read_once(image.data, sha1)
        partname = self._image_part(image.data, read, sha1)
        rId = self._relate(self.story, partname)
        cx, cy = read.size(Mm(image.width_mm) if image.width_mm else None)
        return _DRAWING % _inline_xml(self.story.shape_id, rId, f"image.{read.ext}", cx, cy)

    def _image_part(self, data: bytes, read: _Image, sha1: str) -> str:
        """python-docx's ImageParts.get_or_add_image_part: the same picture once."""
        if sha1 in self.images:
            return self.images[sha1]
        used = self.numbers
        number = next((n for n in range(1, len(used) + 1) if n not in used), len(used) + 1)
        partname = f"/word/media/image{number}.{read.ext}"
        self.images[sha1] = partname
        self.numbers.append(number)
        self.media[partname] = data
        self.kinds.add((read.ext.lower(), read.content_type))
        return partname

    def _relate(self, story: _Story, partname: str) -> str:
        """python-docx's Relationships.get_or_add: the part's existing image relation, or
        the first free rId."""
        if partname in story.image_rels:
            return story.image_rels[partname]
        added = self.added.setdefault(self.zipname, {})
        if partname in added:
            return added[partname]
        taken = story.rel_ids | set(added.values())
        rId = next(f"rId{n}" for n in range(1, len(taken) + 2) if f"rId{n}" not in taken)
        added[partname] = rId
        return rId

    def members(self) -> dict[str, bytes]:
        """The zip members this document adds or changes: media, relationships, types."""
        made = {name.lstrip("/"): data for name, data in self.media.items()}
        for zipname, related in self.added.items():
            story = self.facts.stories[zipname]
            made[story.rels_member] = _relationships(story, related)
        types = self.facts.content_types_with(self.kinds)
        if types is not None:
            made["[Content_Types].xml"] = types
        return made


def _relationships(story: _Story, related: Mapping[str, str]) -> bytes:
    root = (copy.deepcopy(story.rels) if story.rels is not None
            else etree.Element(f"{{{_RELS}}}Relationships", nsmap={None: _RELS}))
    base = posixpath.dirname(story.partname)
    for partname, rId in related.items():
        etree.SubElement(root, f"{{{_RELS}}}Relationship", Id=rId, Type=_IMAGE,
                         Target=posixpath.relpath(partname, base))
    return bytes(etree.tostring(root, encoding="UTF-8", standalone=True))


class _Placed:
    """A DocxImage bound to a document's :class:`Placement`."""

    __slots__ = ("image", "placement")

    def __init__(self, image: DocxImage, placement: Placement) -> None:
        self.image, self.placement = image, placement

    def __html__(self) -> str:
        return self.placement.place(self.image)

    __str__ = __html__


def place_images(value: Any, placement: Callable[[], Placement]) -> tuple[Any, Placement | None]:
    """``value`` with every DocxImage bound to one Placement (made by ``placement`` when
    the first is found), and that Placement; ``value`` itself and None when it holds none."""
    made: list[Placement] = []

    def bind(item: Any) -> Any:
        kind = type(item)
        if kind in _PLAIN:  # exact types first: isinstance against the ABCs is slow
            return item
        if isinstance(item, DocxImage):
            if not made:
                made.append(placement())
            return _Placed(item, made[0])
        if isinstance(item, Mapping):
            pairs = [(k, bind(v)) for k, v in item.items()]
            return item if all(v is item[k] for k, v in pairs) else dict(pairs)
        if isinstance(item, list | tuple):
            items = [bind(v) for v in item]
            return item if all(a is b for a, b in zip(items, item, strict=True)) else items
        return item

    return bind(value), (made[0] if made else None)


#: Exact types that hold no picture.
_PLAIN = frozenset({str, int, float, bool, type(None), dt.date, dt.datetime, dt.time, Decimal})
