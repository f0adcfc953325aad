"""HTML e-mail templates with their CSS inlined once, at compile time, instead of per message.

Inlining parses and re-serialises every message (css-inline: ~40 µs, premailer: ~2 ms). The
stylesheet and the markup it styles are the same for every message; only the Jinja tags
differ. So :class:`InlinedHtmlRenderer`:

1. flattens the template (``{% extends %}``, ``{% block %}``, ``{% include %}``) with every
   other Jinja tag replaced by a placeholder the HTML parser leaves in place (a comment
   between elements, a private-use token inside attributes and ``<title>``);
2. inlines the CSS once with :func:`cbct_docs.render.inline.inline_css`;
3. puts the Jinja tags back and compiles the result with the shared environment.

That gives the same HTML as inlining each rendered message only when the CSS cannot see
what the tags change. Otherwise the renderer inlines per message and says why in
``fallback_reason``: selectors with pseudo-classes, sibling combinators or attribute tests;
tags inside ``class``/``id``/``style`` or ``<style>``; ``{% if %}``/``{% for %}`` branches
that do not open and close the same elements; ``super()``/``raw``. The first message is
also checked against per-message inlining, and a difference switches the template back.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import nodes

from ..errors import TemplateError
from .environment import StrictEnvironment, render_located
from .html import HtmlRenderer
from .inline import inline_css
from .lookup import search_folders

_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
_KEYWORD = re.compile(r"^\{%[-+]?\s*(\w+)")
STRUCTURE = {"extends", "block", "endblock", "include"}
OPENERS = {"if": "endif", "for": "endfor", "with": "endwith", "macro": "endmacro",
           "call": "endcall", "filter": "endfilter"}
MIDDLES = {"elif", "else"}
_TOKEN = re.compile("\ue000(\\d+)\ue001")
_COMMENT = re.compile("<!--cbct(\\d+)-->")
_RAW_TEXT = ("title", "style", "script", "textarea")
_STRUCTURAL_CSS = re.compile(r"[:+~\[]")
_HTML_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)[^>]*?(/?)>")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


class CannotInlineOnce(Exception):
    """The template's CSS has to be inlined per message; the text says why."""


class InlinedHtmlRenderer:
    """Like :class:`HtmlRenderer`, but ``render`` returns HTML with its CSS inlined."""

    def __init__(self, path: str | Path, env: StrictEnvironment | None = None) -> None:
        self.plain = HtmlRenderer(path, env)
        self.name, self.env = self.plain.name, self.plain.env
        self.template: jinja2.Template | None = None
        self.fallback_reason: str | None = None
        self.checked = False
        try:
            self.source = compile_inlined(self.plain.path, self.env)
            self.template = self.env.from_string(self.source)
        except CannotInlineOnce as why:
            self._fall_back(str(why))
        except jinja2.TemplateError as error:
            self._fall_back(f"the flattened template does not compile: {error}")

    @property
    def fast(self) -> bool:
        return self.template is not None

    def variables(self) -> set[str]:
        return self.plain.variables()

    def render(self, context: Mapping[str, Any]) -> str:
        if self.template is None:
            return inline_css(self.plain.render(context))
        html = render_located(self.template, context, self.name)
        if not self.checked:
            reference = inline_css(self.plain.render(context))
            # Equal text needs no parsing (lxml is then not even imported): the common case.
            if html != reference and canonical_html(html) != canonical_html(reference):
                self._fall_back("inlining once gave other HTML than inlining the message")
                self.template = None
                return reference
            self.checked = True  # only once the comparison has been made and passed
        return html

    def _fall_back(self, reason: str) -> None:
        import logging  # only here: an e-mail run does not otherwise load it

        logging.getLogger(__name__).info("%s: inlining CSS per message: %s", self.name, reason)
        self.fallback_reason = reason


def canonical_html(html: str) -> bytes:
    """The parsed document, serialised one way: entity spelling and quoting do not count."""
    import lxml.html
    from lxml import etree

    return bytes(etree.tostring(lxml.html.document_fromstring(html), method="html",
                                encoding="utf-8"))


def compile_inlined(path: Path, env: StrictEnvironment) -> str:
    """The template as one Jinja source with its CSS already inlined."""
    if path.suffix.lower() not in (".html", ".htm"):
        raise CannotInlineOnce("not an HTML template")
    tags: list[str] = []
    flat = _flatten(path, tags)
    if any("super(" in t or "self." in t for t in tags):
        raise CannotInlineOnce("the template uses super() or self.<block>()")
    marked = _place_markers(flat, tags)
    _check_css(marked)
    _check_branches(marked, tags)
    try:
        inlined = inline_css(marked)
    except TemplateError as error:
        raise CannotInlineOnce(str(error)) from None
    _check_branches(inlined, tags)  # the parser may have added elements (<tbody>) in a loop
    seen: list[int] = []

    def restore(match: re.Match[str]) -> str:
        seen.append(int(match.group(1)))
        return tags[int(match.group(1))]

    source = _TOKEN.sub(restore, _COMMENT.sub(restore, inlined))
    if sorted(seen) != list(range(len(tags))):
        raise CannotInlineOnce("the HTML parser moved or dropped a template tag")
    return source


def _flatten(path: Path, tags: list[str]) -> str:
    """Render only the template structure: every other tag becomes a numbered token.

    Runs in the sandbox with a loader for the template's own folder, and only for
    ``{% include %}``/``{% extends %}`` of a constant relative name: an expression there
    would run at compile time, before any record is seen."""
    skeleton = StrictEnvironment()
    skeleton.loader = _StructureLoader(search_folders(path), tags, skeleton)
    try:
        return skeleton.get_template(path.name).render()
    except (jinja2.TemplateError, OSError) as error:
        raise CannotInlineOnce(f"cannot flatten the template: {error}") from None


class _StructureLoader(jinja2.FileSystemLoader):
    """Templates from one folder, with every non-structure tag replaced by a token."""

    def __init__(self, folders: list[str], tags: list[str], env: StrictEnvironment) -> None:
        super().__init__(folders)
        self.tags, self.env = tags, env

    def get_source(self, environment: jinja2.Environment,
                   template: str) -> tuple[str, str, Callable[[], bool]]:
        source, filename, uptodate = super().get_source(environment, template)

        def protect(match: re.Match[str]) -> str:
            keyword = _KEYWORD.match(match.group(0))
            if keyword and keyword.group(1) in STRUCTURE:
                return match.group(0)
            self.tags.append(match.group(0))
            return f"\ue000{len(self.tags) - 1}\ue001"

        flat = _TAG.sub(protect, source.removeprefix("\ufeff"))
        _check_structure_names(self.env.parse(flat, template))
        return flat, filename, uptodate


def _check_structure_names(tree: nodes.Template) -> None:
    for node in tree.find_all((nodes.Include, nodes.Extends)):
        name = getattr(node, "template", None)
        if not (isinstance(name, nodes.Const) and isinstance(name.value, str)):
            raise CannotInlineOnce("an include or extends with a computed template name")
        parts = name.value.replace("\\", "/").split("/")
        if name.value.startswith("/") or ".." in parts or ":" in parts[0]:
            raise CannotInlineOnce(f"{name.value!r} is not a file next to the template")


def _place_markers(flat: str, tags: list[str]) -> str:
    """Tokens between elements become comments (tables keep them in place); tokens inside
    a start tag or in <title>/<style> stay tokens (text the parser does not move)."""
    out: list[str] = []
    in_tag, raw_element, pos = False, "", 0
    for match in _TOKEN.finditer(flat):
        text = flat[pos : match.start()]
        in_tag, raw_element = _scan(text, in_tag, raw_element)
        out.append(text)
        if in_tag:
            if re.search(r"""(?:class|id|style)\s*=\s*["']?[^"'>]*$""", text, re.I) or \
                    re.search(r"<\s*$", text):
                raise CannotInlineOnce(f"{tags[int(match.group(1))]} sets a class, id, style "
                                       "or element name")
            out.append(match.group(0))
        elif raw_element == "style":
            raise CannotInlineOnce("a template tag inside <style>")
        elif raw_element:
            out.append(match.group(0))
        else:
            out.append(f"<!--cbct{match.group(1)}-->")
        pos = match.end()
    out.append(flat[pos:])
    return "".join(out)


def _scan(text: str, in_tag: bool, raw_element: str) -> tuple[bool, str]:
    """Whether the end of ``text`` is inside a start tag, or inside <title>/<style>…"""
    for match in re.finditer(r"<(/?)([a-zA-Z]+)|>", text):
        if match.group(0) == ">":
            in_tag = False
            continue
        closing, name = match.group(1), match.group(2).lower()
        if raw_element and not (closing and name == raw_element):
            continue
        in_tag = True
        raw_element = "" if closing else (name if name in _RAW_TEXT else "")
    return in_tag, raw_element


def _check_css(html: str) -> None:
    for block in re.findall(r"<style[^>]*>(.*?)</style>", html, re.DOTALL | re.I):
        css = re.sub(r"/\*.*?\*/", "", block, flags=re.DOTALL)
        css = _strip_at_rules(css)
        for selector in re.findall(r"([^{}]+)\{", css):
            if _STRUCTURAL_CSS.search(selector):
                raise CannotInlineOnce(f"CSS selector {selector.strip()!r} depends on "
                                       "structure or attributes that template tags change")


def _strip_at_rules(css: str) -> str:
    """Drop @media/@font-face blocks: css-inline keeps them in <style>, unchanged."""
    out, depth, skipping, i = [], 0, False, 0
    while i < len(css):
        char = css[i]
        if not skipping and depth == 0 and char == "@":
            skipping = True
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if skipping and depth == 0:
                skipping = False
                i += 1
                continue
        if not skipping:
            out.append(char)
        i += 1
    return "".join(out)


def _check_branches(marked: str, tags: list[str]) -> None:
    """Each {% if %} branch and {% for %} body must open and close the same elements, or the
    HTML parser would repair the template differently from each rendered message."""
    stack: list[str] = []
    blocks: list[tuple[str, list[str]]] = []
    for match in re.finditer(r"<!--cbct(\d+)-->|" + _HTML_TAG.pattern, marked):
        if match.group(1) is not None:
            keyword = _KEYWORD.match(tags[int(match.group(1))])
            word = keyword.group(1) if keyword else ""
            if word in OPENERS:
                blocks.append((word, list(stack)))
            elif word in MIDDLES or (word.startswith("end") and word[3:] in OPENERS):
                if not blocks or stack != blocks[-1][1]:
                    raise CannotInlineOnce(f"a {{% {word} %}} branch opens or closes an "
                                           "element it does not close or open")
                if word.startswith("end"):
                    blocks.pop()
            continue
        closing, name, selfclosing = match.group(2), match.group(3).lower(), match.group(4)
        if name in VOID or selfclosing:
            continue
        if closing:
            if name in stack:
                while stack and stack.pop() != name:
                    pass
        else:
            stack.append(name)
