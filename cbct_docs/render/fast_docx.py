"""The compiled Word path: docxtpl's work done once per template instead of once per record.

docxtpl opens the whole document with python-docx, patches and compiles the XML, renders
it, and saves every part again, for every record. :class:`CompiledDocx` runs docxtpl's own
``patch_xml`` once per part (body, headers, footers, footnotes), compiles each part once
with the shared strict environment (autoescape on), and per record renders only those
parts, applies docxtpl's post-processing (listing characters, table grid, picture ids,
document properties) and copies every other zip member as it is (:mod:`.fast_zip`).
Pictures (:class:`~.images.DocxImage`) are placed as docxtpl's InlineImage places them:
media part, relationship, content type and drawing (:class:`~.images.Placement`).

The one deliberate difference: docxtpl turns ``{_{``, ``}_}``, ``{_%`` and ``%_}`` into
Jinja brackets in its *output*, so a name that contains ``{_{`` comes out changed. Here
the template's own ``{_{`` become literal text at compile time and data stays untouched.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import docx.oxml.ns
from lxml import etree

from .docx_body import LISTING_CHARACTERS, canonical_body, fix_body, resolve_listing
from .environment import CleanContext, PlainContext, StrictEnvironment
from .fast_zip import Member, UnsupportedZip, ZipCopier
from .header_skeleton import HeaderSkeletons
from .images import PictureNotPlaced, Placement, picture_facts, place_images
from .limits import MAX_OUTPUT_CHARS, check_output
from .skeleton import Bounded, Recorded, Skeletons, filled
from .skeleton_template import SkeletonKey, skeleton_template, template_and_code

FOOTNOTES_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
#: Core properties docxtpl renders (the string ones python-docx can write back).
PROPERTIES = ("author", "comments", "identifier", "language", "subject", "title")
_DC = "{http://purl.org/dc/elements/1.1/}"
_PROPERTY_TAGS = {"author": _DC + "creator", "comments": _DC + "description",
                  "identifier": _DC + "identifier", "language": _DC + "language",
                  "subject": _DC + "subject", "title": _DC + "title"}
_LITERAL_BRACKETS = re.compile(r"\{_\{|\}_\}|\{_%|%_\}")
_JINJA = re.compile(r"\{\{|\{%|\{#")
_BODY_MARK = "cbct-docs-body"


class FastPathUnsupported(Exception):
    """The template (or this record's context) needs docxtpl itself; the text says why."""


@dataclass
class _Part:
    """A part of the template rendered per document: the body, a header or footer."""

    zipname: str
    kind: str  # body | header | footnotes
    source: str
    template: Any = None
    #: The names a header's, footer's or footnotes' text depends on alone (None: it is
    #: rendered for every document).
    inputs: tuple[str, ...] | None = None
    #: A header's or footer's template printing skeletons (render.header_skeleton),
    #: compiled when the part is made a second time (None: it cannot be, or is not used).
    skeleton: Any = None


def patched_parts(tpl: Any) -> list[_Part]:
    """The Jinja source docxtpl renders for each part: body, headers, footers, footnotes."""
    parts = [_Part(_zipname(tpl.docx.part), "body", tpl.patch_xml(tpl.get_xml()))]
    for uri in (tpl.HEADER_URI, tpl.FOOTER_URI):
        for _key, part in tpl.get_headers_footers(uri):
            parts.append(_Part(_zipname(part), "header", tpl.patch_xml(tpl.get_part_xml(part))))
    for part in tpl.docx.part.package.parts:
        if part.content_type == FOOTNOTES_TYPE:
            parts.append(_Part(_zipname(part), "footnotes", tpl.patch_xml(part.blob.decode())))
    return parts


def _zipname(part: Any) -> str:
    return str(part.partname).lstrip("/")


def literal_brackets(source: str) -> str:
    """``{_{`` → a raw block that prints ``{{`` (and so on), so only the template's own
    escapes are turned into brackets, never a record's data."""
    return _LITERAL_BRACKETS.sub(
        lambda m: "{% raw %}" + m.group(0).replace("_", "") + "{% endraw %}", source)


def context_needs_docxtpl(odd: Iterable[Any]) -> str | None:
    """Why a context needs docxtpl (an InlineImage, Subdoc or RichText), or None, from
    its values that are not text, numbers, dates, mappings or lists (``odd``, as
    :func:`~.environment.clean_collecting` collects them)."""
    for value in odd:
        kind = type(value)
        # A DocxImage is placed by the compiled path itself (render.images.Placement).
        # Listing is plain escaped text with line breaks: resolve_listing handles it.
        if kind.__module__.startswith("docxtpl") and kind.__name__ != "Listing":
            return f"the context holds a docxtpl {kind.__name__}"
    return None


def inputs_of(env: StrictEnvironment, source: str) -> tuple[str, ...] | None:
    """The names a part's template reads from the context, when its text depends on
    their values alone; None when it draws at random or reads another template."""
    from jinja2 import meta, nodes

    ast = env.parse(source)
    if any(node.name == "random" for node in ast.find_all(nodes.Filter)) or any(
            ast.find_all((nodes.Include, nodes.Import, nodes.FromImport, nodes.Extends))):
        return None
    return tuple(sorted(meta.find_undeclared_variables(ast)))


#: Exact types whose equal values print the same (not a float: 0.0 == -0.0; not a
#: datetime: equal instants in two time zones; not a Decimal: 1.0 == 1.00).
_ATOMS = frozenset({str, int, bool, type(None), dt.date})
_TEXT = frozenset({str})  # a mapping's keys
_ABSENT = object()
_UNTRIED = object()  # a header's skeleton template not compiled yet


def inputs_key(names: tuple[str, ...], context: Mapping[str, Any]) -> tuple[Any, ...] | None:
    """The values of ``names`` in ``context``, typed, to compare with another
    document's: text, whole numbers, yes/no, dates, and mappings of those (the
    letterhead); None when one is anything else (a list, a picture)."""
    key: list[Any] = []
    for name in names:
        value = context.get(name, _ABSENT)
        kind = type(value)
        if kind in _ATOMS or value is _ABSENT:
            key.append((kind, value))
        elif kind is dict or kind is CleanContext or kind is PlainContext:
            types = tuple(map(type, value.values()))  # (compared too: True == 1)
            if not (_ATOMS.issuperset(types) and _TEXT.issuperset(map(type, value))):
                return None
            key.append((kind, tuple(value.items()), types))
        else:
            return None
    return tuple(key)


class CompiledDocx:
    """A Word template compiled once; :meth:`render` makes one document's bytes."""

    def __init__(self, tpl: Any, data: bytes, env: StrictEnvironment,
                 parts: list[_Part] | None = None) -> None:
        try:
            self.zip = ZipCopier(data)
        except UnsupportedZip as error:
            raise FastPathUnsupported(str(error)) from None
        self.parts = parts if parts is not None else patched_parts(tpl)
        names = [p.zipname for p in self.parts]
        if len(set(names)) != len(names) or not set(names) <= set(self.zip.members):
            raise FastPathUnsupported("a header or footer part is shared or missing")
        if any(p.kind == "footnotes" for p in self.parts) and len(tpl.docx.sections) > 1:
            # docxtpl renders footnotes once per section (re-rendering its own output).
            raise FastPathUnsupported("footnotes in a document with several sections")
        sources = [literal_brackets(part.source) for part in self.parts]
        # The body (the first part) parsed once for its template and its skeleton's.
        self.parts[0].template, body_code = template_and_code(env, sources[0])
        for part, source in zip(self.parts[1:], sources[1:], strict=True):
            part.template = env.from_string(source)
            part.inputs = inputs_of(env, source)
            if part.kind == "header":
                part.skeleton = _UNTRIED
        #: The body compiled to print skeletons (render.skeleton), when it can be.
        self.skeleton = skeleton_template(env, sources[0], body_code)
        self.skeletons = Skeletons(canonical_body, resolve_listing)
        self.header_skeletons = HeaderSkeletons(_header_bytes)
        self.env = env
        self.body_prefix, self.body_suffix = _around_body(tpl.docx.element)
        self.properties = self._compile_properties(tpl, env)
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            types = archive.read("[Content_Types].xml")
        #: What placing a picture needs to know (body, headers and footers show them).
        self.pictures = picture_facts(tpl, [p.zipname for p in self.parts
                                            if p.kind != "footnotes"], types)
        #: Per part: the last rendered XML and its compressed member, to reuse when equal;
        #: the same for the last body made from its skeleton, by its finished bytes.
        self.last: dict[str, tuple[str, Member]] = {}
        self.last_finished: dict[str, tuple[bytes, Member]] = {}
        #: Called with (part name, rendered XML) for every newly rendered part: raises
        #: when the template's text did not reach it.
        self.verify: Callable[[str, str], None] | None = None
        #: The same check on the body's skeleton (part name, skeleton): True when it
        #: passes. None: every body is checked as rendered (when ``verify`` is set).
        self.text_kept: Callable[[str, str], bool] | None = None
        #: Per part and skeleton: whether ``text_kept`` passed it (bounded by characters).
        self.checked: Bounded[tuple[str, SkeletonKey], bool] = Bounded()
        #: Per part with ``inputs``: their last values, and the part made from them.
        self.same_inputs: dict[str, tuple[tuple[Any, ...], Member]] = {}

    def _compile_properties(self, tpl: Any, env: StrictEnvironment) -> dict[str, Any]:
        """Only properties with template tags are rendered; the others stay as they are."""
        core = tpl.docx.core_properties
        tagged = {name: getattr(core, name) for name in PROPERTIES}
        tagged = {name: text for name, text in tagged.items() if text and _JINJA.search(text)}
        if not tagged:
            return {}
        self.core_name = _zipname(tpl.docx.part.package._core_properties_part)
        if self.core_name not in self.zip.members:
            raise FastPathUnsupported("document properties are not in the template's zip")
        self.core_root = etree.fromstring(tpl.docx.part.package._core_properties_part.blob,
                                          _part_parser())
        # Plain text, not XML: lxml escapes it once when writing (docxtpl escapes it twice).
        plain = env.overlay(autoescape=False)
        return {name: plain.from_string(text) for name, text in tagged.items()}

    def render(self, context: Mapping[str, Any], *, pictures: bool = True) -> bytes:
        """The finished ``.docx``. Jinja errors propagate for the caller to translate;
        FastPathUnsupported when a picture stands where this path places none.
        ``pictures=False``: the caller knows the context holds no DocxImage (it is not
        looked through for one)."""
        placement: Placement | None = None
        if pictures:
            context, placement = place_images(context, lambda: Placement(self.pictures))
        replaced: dict[str, bytes | Member] = {}
        for part in self.parts:
            if placement is not None:
                placement.enter(part.zipname)
            try:
                replaced[part.zipname] = self._part(part, context, placement)
            except PictureNotPlaced as why:
                raise FastPathUnsupported(str(why)) from None
        if self.properties:
            replaced[self.core_name] = self._render_properties(context)
        if placement is None:
            return self.zip.write(replaced)
        return self._write_with(replaced, placement.members())

    def _part(self, part: _Part, context: Mapping[str, Any],
              placement: Placement | None) -> Member:
        """One part: the last one made when the values its text depends on are the same
        (a letterhead, a footer), else made anew."""
        if part.inputs is None:
            return self._made(part, context, placement)
        values = inputs_key(part.inputs, context)
        kept = self.same_inputs.get(part.zipname)
        if values is not None and kept is not None and kept[0] == values:
            return kept[1]
        member = self._made(part, context, placement)
        if values is not None:
            self.same_inputs[part.zipname] = (values, member)
        return member

    def _made(self, part: _Part, context: Mapping[str, Any],
              placement: Placement | None) -> Member:
        """One part rendered, checked (its size, its template's text) and compressed."""
        finished: bytes | None = None  # the part's bytes from its kept skeleton
        template = self._skeleton_template(part, placement)
        if template is not None:
            skeleton = template.render(context)
            finished = self._kept_bytes(part, skeleton)
            if finished is not None and self._sure(part.zipname, skeleton):
                return self._member(part.zipname, finished)
            xml = filled(skeleton)  # what part.template renders
            if xml is None:  # the template's own text holds the stand-in
                if placement is not None:  # rendering again would place again
                    raise FastPathUnsupported("the template holds U+E010")
                finished, xml = None, part.template.render(context)
        else:
            xml = part.template.render(context)
        xml = check_output(xml, part.zipname)
        last = self.last.get(part.zipname)
        if last is not None and last[0] == xml:
            return last[1]  # letterheads and footers often come out the same every time
        if self.verify is not None:
            self.verify(part.zipname, xml)
        member = self.zip.compress(part.zipname, finished if finished is not None
                                   else self._finish(part, xml))
        self.last[part.zipname] = (xml, member)
        return member

    def _skeleton_template(self, part: _Part, placement: Placement | None) -> Any:
        """The template printing the part's skeleton, or None: render it whole. The
        body's is compiled with the template; a header's or footer's the second time the
        part is made (a letterhead the same in every document is made once: it never
        needs one), and not used where pictures are placed."""
        if part.kind == "body":
            return self.skeleton if self.skeletons.worth_it else None
        if part.skeleton is None or placement is not None or not self.header_skeletons.worth_it:
            return None
        if part.skeleton is _UNTRIED:
            if part.zipname not in self.last:  # the first time: made the old way
                return None
            part.skeleton = skeleton_template(self.env, literal_brackets(part.source))
        return part.skeleton

    def _kept_bytes(self, part: _Part, skeleton: Recorded) -> bytes | None:
        """The part's finished bytes from its kept skeleton, or None: the old way."""
        if part.kind == "body":
            return self.skeletons.body(skeleton, self.body_prefix, self.body_suffix)
        return self.header_skeletons.part(skeleton)

    def _sure(self, zipname: str, recorded: Recorded) -> bool:
        """True when the part that ``recorded`` fills in passes the size limit and the
        template text check (:attr:`verify`), known without filling it in: the check
        passed on the skeleton (kept per skeleton). Its text is the document's with the
        values and the opaque XML left out, so a piece of template text found there in
        order is found in the document in order; where it is not, the document itself
        is checked. The size is at most the skeleton's with every value escaped
        (at most five characters for one) and the opaque XML."""
        skeleton = recorded.skeleton
        passed = self.checked.get((zipname, recorded.key))
        if passed is None:
            passed = self.checked.keep(
                (zipname, recorded.key), self.verify is None if self.text_kept is None
                else self.text_kept(zipname, skeleton), len(skeleton))
        size = (len(skeleton) + 5 * sum(map(len, recorded.values))
                + sum(map(len, recorded.opaque)))
        return passed and size <= MAX_OUTPUT_CHARS

    def _member(self, zipname: str, finished: bytes) -> Member:
        """The finished part compressed, or the last one when it is the same."""
        last = self.last_finished.get(zipname)
        if last is not None and last[0] == finished:
            return last[1]
        member = self.zip.compress(zipname, finished)
        self.last_finished[zipname] = (finished, member)
        return member

    def _write_with(self, replaced: dict[str, bytes | Member], members: dict[str, bytes]
                    ) -> bytes:
        """The zip with the pictures' members: new ones (media, a part's first
        relationships) after the template's, changed ones in their place."""
        added: list[Member] = []
        for name, content in members.items():
            if name in self.zip.members:
                replaced[name] = content
            else:  # dated like the template's body, so a document is the same every run
                member = self.zip.compress(self.parts[0].zipname, content)
                added.append(dataclasses.replace(member, name=name.encode("utf-8")))
        return self.zip.write(replaced, added)

    def _finish(self, part: _Part, xml: str) -> bytes:
        """docxtpl's post-processing of one rendered part, as the bytes python-docx saves."""
        if any(c in xml for c in LISTING_CHARACTERS):
            xml = resolve_listing(xml)
        if part.kind == "body":
            return self.body_prefix + fix_body(xml) + self.body_suffix
        if part.kind == "header":
            return _header_bytes(xml)
        return xml.encode("utf-8")

    def _render_properties(self, context: Mapping[str, Any]) -> bytes:
        root = copy.deepcopy(self.core_root)
        for name, template in self.properties.items():
            element = root.find(_PROPERTY_TAGS[name])
            if element is not None:
                element.text = str(template.render(context))
        return etree.tostring(root, encoding="UTF-8", standalone=True)


def _header_bytes(xml: str) -> bytes:
    """A rendered header or footer as python-docx reads and saves it."""
    root = etree.fromstring(xml.encode("utf-8"), _part_parser())
    return bytes(etree.tostring(root, encoding="UTF-8", standalone=True))


def _part_parser() -> etree.XMLParser:
    """python-docx's parser settings (headers must come out the same way); a new one per
    call because lxml parsers must not be shared between threads."""
    return etree.XMLParser(remove_blank_text=True, resolve_entities=False)


def _around_body(document: Any) -> tuple[bytes, bytes]:
    """document.xml as python-docx saves it, cut where the rendered body goes."""
    root = copy.deepcopy(document)
    body = root.find(docx.oxml.ns.qn("w:body"))
    marker = etree.Element(body.tag)
    marker.append(etree.Comment(_BODY_MARK))
    root.replace(body, marker)
    xml = etree.tostring(root, encoding="UTF-8", standalone=True)
    before, _, after = xml.partition(f"<!--{_BODY_MARK}-->".encode())
    before = before[: before.rindex(b"<")]  # drop the marker's start tag
    after = after[after.index(b">") + 1 :]  # and its end tag
    return before, after

