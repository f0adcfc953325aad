"""A template check that a typo cannot get past, and the promise every render keeps.

:func:`scan_docx` reads a Word template the way a person sees it: paragraph by paragraph
(table cells by table, row and cell), the text of all its runs joined, so a tag Word split
over several runs is one tag again. It reports, each located by part, paragraph or cell and
the paragraph's own text:

- a ``{{`` / ``{%`` / ``{#`` not closed in the same paragraph (a missing brace, or a tag
  that spans paragraphs) and a closing ``}}`` / ``%}`` without its opening;
- ``{% if %}`` / ``{% for %}`` that open in one paragraph and close in another without being
  paragraph tags (``{%p %}``, ``{%tr %}``, ``{%tc %}``), one that never closes, and an
  ``{% endif %}`` that closes nothing;
- text sharing a paragraph with a ``{%p %}`` tag (or a row with ``{%tr %}``, a cell with
  ``{%tc %}``): docxtpl drops the whole paragraph, row or cell with its text;
- Word mail-merge fields (``MERGEFIELD``) and their «field» look-alikes.

The scan also gives the template's *static text*: every piece of text outside tags that no
condition or loop encloses. :func:`lost_text` finds the first of those pieces missing from a
rendered part, so :class:`~cbct_docs.render.docx.DocxRenderer` can refuse any letter that
lost text of its template in another way than through one of the template's conditions.

The reading of a part paragraph by paragraph is :mod:`.template_walk`; HTML and text
templates are checked line by line in :mod:`.text_check`; the names a template uses and the
"did you mean" for a misspelt one are in :mod:`.fields`.
"""

from __future__ import annotations

import html
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from ..errors import TemplateError
from .template_walk import Place, Walker, template_parts
from .text_check import GUILLEMETS, OPENERS

_ANY_BRACKET = re.compile(r"\{\{|\{%|\{#|\}\}|%\}|#\}")
_BLOCKS = {"if", "for", "with", "macro", "call", "filter", "block", "autoescape", "raw"}
_LEVEL = re.compile(r"^(p|tr|tc|r)\s")
_WORD_T = re.compile(r"<w:t(?:\s[^>]*)?>([^<]*)</w:t>")
_LITERALS = (("{_{", "{{"), ("}_}", "}}"), ("{_%", "{%"), ("%_}", "%}"))


@dataclass
class Tag:
    """A template tag found in a part's text, where it stands."""

    text: str
    kind: str  # "{{", "{%" or "{#"
    level: str  # "", "p", "tr", "tc", "r"
    keyword: str  # if, endif, for, else, ... ("" for {{ }})
    place: Place


@dataclass
class Problem:
    """A problem found in a template, where it stands."""

    place: Place
    what: str
    syntax: bool = False  # a brace or block problem: reported as a syntax error


@dataclass
class PartScan:
    """What a scan found in one part of a Word template."""

    zipname: str
    #: Static text outside every condition and loop, in order, with its place.
    static: list[tuple[str, Place]] = field(default_factory=list)
    tags: list[Tag] = field(default_factory=list)


@dataclass
class TemplateScan:
    """What a scan found in a Word template, part by part. (Dataclasses here have
    docstrings: dataclass works one out with inspect.signature at import otherwise.)"""

    name: str
    parts: list[PartScan] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def error(self) -> TemplateError | None:
        """All problems as one TemplateError (first problem first), or None."""
        if not self.problems:
            return None
        return template_problems(self.name, self.problems)

    def place_of(self, name: str) -> Place | None:
        """The paragraph of the first tag that uses ``name`` (as a name or an attribute)."""
        word = re.compile(r"(?<![\w'\"])" + re.escape(name) + r"(?!\w)")
        for part in self.parts:
            for tag in part.tags:
                if word.search(tag.text[2:-2]):
                    return tag.place
        return None

    def static_of(self, zipname: str) -> list[tuple[str, Place]]:
        for part in self.parts:
            if part.zipname == zipname:
                return part.static
        return []


def template_problems(name: str, problems: Sequence[Problem]) -> TemplateError:
    errors = []
    for problem in problems:
        if problem.syntax:
            what = f"syntax error in {problem.place}: {problem.what}"
        else:
            what = f"{problem.place}: {problem.what}"
        errors.append(TemplateError(what, location=name))
    if len(errors) == 1:
        return errors[0]
    return _TemplateProblemList(errors)


class _TemplateProblemList(TemplateError):
    """Several template problems, reported together (a TemplateError, so callers that
    catch TemplateError still do)."""

    def __init__(self, problems: list[TemplateError]) -> None:
        self.problems = problems
        super().__init__(f"{len(problems)} problems in the template")

    def __str__(self) -> str:
        return "\n".join(self.messages())

    def messages(self) -> list[str]:
        return [m for p in self.problems for m in p.messages()]

    def at(self, location: Any) -> TemplateError:
        for problem in self.problems:
            problem.at(location)
        return self


def scan_docx(data: bytes, name: str) -> TemplateScan:
    """Read a Word template's text and tags; problems are collected, never raised."""
    scan = TemplateScan(name)
    with zipfile.ZipFile(_bytes_io(data)) as archive:
        names = archive.namelist()
        for zipname in template_parts(names):
            try:
                root = etree.fromstring(archive.read(zipname),
                                        etree.XMLParser(resolve_entities=False, huge_tree=True))
            except etree.XMLSyntaxError as error:
                raise TemplateError(f"{zipname} is not valid XML: {error}",
                                    location=name) from None
            walker = Walker(zipname)
            walker.walk(root)
            scan.parts.append(_scan_part(zipname, walker, scan.problems))
    return scan


def _bytes_io(data: bytes) -> Any:
    import io

    return io.BytesIO(data)


def _scan_part(zipname: str, walker: Walker, problems: list[Problem]) -> PartScan:
    part = PartScan(zipname)
    stack: list[Tag] = []
    # Static text per segment, with the depth of blocks around it.
    pieces: list[tuple[str, Place, int]] = []
    _field_problems(walker, problems)
    for place, texts in walker.segments:
        text = "".join(texts)
        if text:
            _look_alike_problems(text, place, problems)
            _scan_segment(text, place, part, stack, pieces, problems)
    for tag in stack:
        problems.append(Problem(tag.place, f"'{_short(tag.text)}' is never closed "
                                           f"(no {{% end{tag.keyword} %}})", syntax=True))
    _keep_static(part, pieces, problems)
    return part


def _field_problems(walker: Walker, problems: list[Problem]) -> None:
    """Word mail-merge fields (MERGEFIELD): cbct-docs does not fill them in."""
    for place, field_instruction in walker.fields:
        name = field_instruction.split("MERGEFIELD", 1)[1].split()[0:1]
        shown = name[0].strip('"') if name else "?"
        problems.append(Problem(place, f"a Word mail-merge field ({field_instruction}) is not "
                                       f"filled in by cbct-docs; write {{{{ {shown} }}}} "
                                       "instead"))


def _look_alike_problems(text: str, place: Place, problems: list[Problem]) -> None:
    """«field» look-alikes, unless the paragraph has a real mail-merge field (reported)."""
    for match in GUILLEMETS.finditer(text):
        if not any(p.place is place and "MERGEFIELD" in p.what for p in problems):
            inner = match.group(0)[1:-1].strip()
            problems.append(Problem(place, f"{match.group(0)} looks like a Word mail-merge "
                                           f"field; write {{{{ {inner} }}}} instead"))


def _scan_segment(text: str, place: Place, part: PartScan, stack: list[Tag],
                  pieces: list[tuple[str, Place, int]], problems: list[Problem]) -> None:
    """One segment's tags (nested onto ``stack``) and the text between them (``pieces``)."""
    position = 0
    while True:
        found = _ANY_BRACKET.search(text, position)
        if found is None:
            pieces.append((text[position:], place, len(stack)))
            return
        bracket = found.group(0)
        if bracket not in OPENERS:
            problems.append(Problem(place, f"'{bracket}' closes a tag that was not opened "
                                           "in this paragraph", syntax=True))
            pieces.append((text[position:found.end()], place, len(stack)))
            position = found.end()
            continue
        pieces.append((text[position:found.start()], place, len(stack)))
        closer = OPENERS[bracket]
        end = text.find(closer, found.end())
        another = _ANY_BRACKET.search(text, found.end())
        if end < 0 or (another is not None and another.start() < end
                       and another.group(0) in OPENERS):
            problems.append(Problem(place, f"'{bracket}' is not closed by '{closer}' in "
                                           "the same paragraph (a missing brace, or a tag "
                                           "that runs into the next paragraph)",
                                    syntax=True))
            position = found.end()
            continue
        tag = _tag(text[found.start():end + 2], place)
        part.tags.append(tag)
        _nest(tag, stack, problems)
        position = end + 2


def _keep_static(part: PartScan, pieces: list[tuple[str, Place, int]],
                 problems: list[Problem]) -> None:
    """The static text outside every block into ``part.static``. Text that shares a
    paragraph (row, cell) with a {%p %} ({%tr %}, {%tc %}) tag is dropped with it by
    docxtpl: that is lost text, reported here before any letter."""
    levels = [(tag.level, tag.place) for tag in part.tags if tag.level in ("p", "tr", "tc")]
    removed_p = {id(place) for level, place in levels if level == "p"}
    removed_rows = {place.row for level, place in levels if level == "tr"}
    removed_cells = {place.cell for level, place in levels if level == "tc"}
    reported: set[int] = set()
    for text, place, depth in pieces:
        gone = (id(place) in removed_p or (place.row and place.row in removed_rows)
                or (place.cell and place.cell in removed_cells))
        if gone:
            if text.strip() and id(place) not in reported:
                reported.add(id(place))
                which = ("paragraph" if id(place) in removed_p else
                         "row" if place.row in removed_rows else "cell")
                problems.append(Problem(place, f"the text {text.strip()[:40]!r} shares its "
                                               f"{which} with a {{%{_level_of(which)} %}} tag, "
                                               f"which removes the whole {which}; put the tag "
                                               f"in a {which} of its own"))
            continue
        if depth == 0 and text.strip():
            part.static.append((_literal(text.strip()), place))


def _level_of(which: str) -> str:
    return {"paragraph": "p", "row": "tr", "cell": "tc"}[which]


def _literal(text: str) -> str:
    for escaped, printed in _LITERALS:
        text = text.replace(escaped, printed)
    return text


def _short(text: str) -> str:
    return text if len(text) <= 40 else text[:37] + "..."


def _tag(text: str, place: Place) -> Tag:
    kind = text[:2]
    inner = text[2:-2].strip("-").strip()
    level_match = _LEVEL.match(inner)
    level = ""
    if level_match:
        level = level_match.group(1)
        inner = inner[level_match.end():].strip()
    keyword = inner.split(None, 1)[0] if (kind == "{%" and inner) else ""
    if keyword == "set" and "=" in inner:
        keyword = "set="
    return Tag(text, kind, level, keyword, place)


def _nest(tag: Tag, stack: list[Tag], problems: list[Problem]) -> None:
    keyword = tag.keyword
    if keyword in _BLOCKS or keyword == "set":
        stack.append(tag)
        return
    if not keyword.startswith("end"):
        return
    wanted = keyword[3:]
    if not stack:
        problems.append(Problem(tag.place, f"'{_short(tag.text)}' closes a block that was "
                                           "never opened", syntax=True))
        return
    opened = stack.pop()
    if opened.keyword != wanted:
        problems.append(Problem(tag.place, f"'{_short(tag.text)}' closes "
                                           f"'{_short(opened.text)}' of {opened.place.label}",
                                syntax=True))
        return
    if opened.place is not tag.place and not (opened.level and tag.level):
        problems.append(Problem(opened.place, f"'{_short(opened.text)}' opens here and closes "
                                              f"in {tag.place.label}; a block over several "
                                              "paragraphs needs paragraph tags "
                                              f"({{%p {opened.keyword} … %}} … "
                                              f"{{%p end{opened.keyword} %}}, each in a "
                                              "paragraph of its own; {%tr %} for table rows)",
                                syntax=True))


# --- the promise every render keeps -----------------------------------------------------------

def rendered_text(xml: str) -> str:
    """The text a person reads in a rendered part: every ``<w:t>`` joined, unescaped."""
    return html.unescape("".join(_WORD_T.findall(xml)))


def lost_text(static: Sequence[tuple[str, Place]], xml: str) -> tuple[str, Place] | None:
    """The first piece of static template text that is not in the rendered part, in order."""
    if not static:
        return None
    text = rendered_text(xml)
    position = 0
    for piece, place in static:
        found = text.find(piece, position)
        if found < 0:
            return piece, place
        position = found + len(piece)
    return None


def lost_text_error(name: str, piece: str, place: Place) -> TemplateError:
    return TemplateError(f"the template's text {piece[:60]!r} ({place}) did not reach the "
                         "document, although no condition or loop of the template removes it",
                         location=name,
                         hint="a tag before it probably swallowed it: check the braces of the "
                              "tags before it; nothing was written")
