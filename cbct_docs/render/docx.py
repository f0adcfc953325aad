"""Word templates: compile once, render many records.

A :class:`DocxRenderer` reads, checks and compiles its template once; ``render(context)``
returns the bytes of a finished ``.docx``. Rendering uses the shared sandboxed environment
with autoescape on, through the compiled path (:mod:`.fast_docx`, same XML as docxtpl,
many times faster; pictures given as :class:`~.images.DocxImage` included). Where that path
does not apply (an InlineImage, Subdoc or RichText in the context, a picture in a footnote,
an unusual zip), the renderer uses docxtpl itself and says why in
``fallback_reason`` (and the log).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
from jinja2 import meta
from lxml import etree

from ..errors import CbctError, TemplateError
from ..settings import EnvelopeWindow
from .environment import StrictEnvironment, clean_collecting, make_environment, template_error
from .fast_docx import CompiledDocx, FastPathUnsupported, context_needs_docxtpl, patched_parts
from .images import DocxImage, bind_images
from .limits import check_package
from .lookup import redirect
from .print_layout import place_window
from .template_check import Problem, TemplateScan, lost_text, lost_text_error, scan_docx
from .window import active_window

if TYPE_CHECKING:
    import logging

HEADER_FOOTER_PREFIXES = ("word/header", "word/footer")
UNBALANCED_TAGS_HINT = ("check that every {% if %} or {% for %} closes in the same paragraph, "
                        "table cell or row it opens in (or use {%p %}, {%tr %}, {%tc %} tags)")
#: Words of the template language, which knows them only in lower case; Word's AutoCorrect
#: capitalises the first letter of a paragraph or sentence ("{% If naam %}").
STATEMENTS = {"if", "elif", "else", "endif", "for", "endfor", "set", "with", "endwith",
              "p", "tr", "tc", "r", "filter", "endfilter", "raw", "endraw"}
_OPERATORS = re.compile(r"(?<![\w.])(In|Not|And|Or|Is)(?!\w)")
_FILTER = re.compile(r"\|\s*([A-Z]\w*)")
_STRINGS = re.compile(r"'[^']*'|\"[^\"]*\"")


def _log() -> logging.Logger:
    """This module's logger, for the rare fallback: logging (with traceback, string and
    threading's helpers, ~5 ms) is imported when a renderer first has something to say."""
    import logging

    return logging.getLogger(__name__)


class DocxRenderer:
    """A Word template, read, checked and compiled once."""

    def __init__(self, path: str | Path, env: StrictEnvironment | None = None, *,
                 exact: bool = False) -> None:
        # The office's own version of a bundled template, unless ``exact``.
        self.path = Path(path) if exact else redirect(path)
        self.name = str(self.path)
        self.env = env or make_environment()
        try:
            self.data = self.path.read_bytes()
        except OSError as error:
            raise TemplateError(f"cannot read template: {error.strerror}",
                                location=self.name) from None
        self.original = self.data
        self._prepare(active_window())

    def _prepare(self, window: EnvelopeWindow) -> None:
        """Check and compile the template, its address block placed in ``window``."""
        if not zipfile.is_zipfile(io.BytesIO(self.original)):
            raise TemplateError("not a Word document (a .docx is a zip file; this one is not)",
                                location=self.name, hint="save it again as .docx in Word")
        with zipfile.ZipFile(io.BytesIO(self.original)) as archive:
            check_package(archive, self.name)  # before anything unpacks it: no zip bomb
        #: The envelope window the address block was placed in ([print] in the settings).
        self.window = window
        self.data = place_window(self.original, window)
        # The check a typo cannot get past: braces, blocks over paragraphs, mail-merge
        # fields, text a paragraph tag would drop; all located, all at once.
        self.scan: TemplateScan = scan_docx(self.data, self.name)
        # A capital Word's AutoCorrect put in ("{% If %}") is the cause; what it breaks
        # further on ("endif closes nothing") comes after it.
        self.scan.problems[:0] = capitalised_words(self.scan, self.env.filters)
        problem = self.scan.error()
        if problem is not None:
            raise problem
        tpl, parts = self._read_parts()
        # The Jinja source docxtpl would see: body, headers and footers, patched.
        self.source = "\n".join(p.source for p in parts if p.kind != "footnotes")
        try:
            self.ast = self.env.parse(self.source)
        except jinja2.TemplateSyntaxError as error:
            error.docx_context = _context_lines(self.source, error.lineno)  # type: ignore[attr-defined]
            raise template_error(error, self.name) from None
        #: True when records render through the compiled path; see ``fallback_reason``.
        self.fast = False
        #: Why the last render (or the template as a whole) went through docxtpl.
        self.fallback_reason: str | None = None
        #: How many renders went through docxtpl although the template is compiled.
        self.fallbacks = 0
        self.compiled: CompiledDocx | None = None
        try:
            self.compiled = CompiledDocx(tpl, self.data, self.env, parts)
            self.compiled.verify = self._verify_part
            self.compiled.text_kept = self._text_kept
            self.fast = True
        except FastPathUnsupported as why:
            self._fall_back(str(why))
        except jinja2.TemplateSyntaxError as error:  # only {_{ inside a tag can cause this
            self._fall_back(f"the compiled path cannot read it: {error.message}")
        except Exception as error:  # an unforeseen template shape: docxtpl still works
            _log().warning("%s: compiled path failed (%s: %s)", self.name,
                           type(error).__name__, error)
            self._fall_back(f"the compiled path failed: {type(error).__name__}: {error}")

    def _read_parts(self) -> tuple[Any, list[Any]]:
        from docxtpl import DocxTemplate

        try:
            tpl = DocxTemplate(io.BytesIO(self.data))
            tpl.init_docx()
            return tpl, patched_parts(tpl)
        except Exception as error:  # python-docx raises KeyError/ValueError for broken files
            raise TemplateError(f"not a readable Word document: {error}",
                                location=self.name) from None

    def _fall_back(self, reason: str) -> None:
        if reason != self.fallback_reason:
            _log().info("%s: rendering with docxtpl: %s", self.name, reason)
        self.fallback_reason = reason

    def variables(self) -> set[str]:
        """Top-level names the template uses that it does not define itself."""
        return meta.find_undeclared_variables(self.ast)

    def _verify_part(self, zipname: str, xml: str) -> None:
        """Every piece of the template's text outside its conditions and loops is in the
        rendered part, in order; anything else is an error, never a letter."""
        lost = lost_text(self.scan.static_of(zipname), xml)
        if lost is not None:
            raise lost_text_error(self.name, *lost)

    def _text_kept(self, zipname: str, skeleton: str) -> bool:
        """:meth:`_verify_part`'s check made on a body's skeleton (:mod:`.skeleton`):
        True when it passes there (then it passes in every document filled in from it)."""
        return lost_text(self.scan.static_of(zipname), skeleton) is None

    def _verify_document(self, data: bytes) -> None:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            for part in self.scan.parts:
                if part.static and part.zipname in names:
                    self._verify_part(part.zipname, archive.read(part.zipname).decode("utf-8"))

    def render(self, context: Mapping[str, Any]) -> bytes:
        if active_window() != self.window:  # the settings changed since it was compiled
            self._prepare(active_window())
        odd: list[Any] = []  # what is not text, numbers, dates, mappings or lists
        # (a dict is made anew by the cleaning: only another mapping is copied first)
        cleaned = clean_collecting(context if type(context) is dict else dict(context), odd)
        try:
            if self.compiled is not None:
                reason = context_needs_docxtpl(odd)  # RichText, Subdoc, InlineImage
                if reason is None:
                    pictures = any(isinstance(value, DocxImage) for value in odd)
                    try:  # pictures (DocxImage) too
                        return self.compiled.render(cleaned, pictures=pictures)
                    except FastPathUnsupported as why:  # a picture in a footnote
                        reason = str(why)
                self.fallbacks += 1
                self._fall_back(reason)
            data = self._docxtpl_keeping_brackets(cleaned)
            self._verify_document(data)
            return data
        except CbctError:
            raise
        except (jinja2.TemplateError, jinja2.sandbox.SecurityError) as error:
            raise template_error(error, self.name, context.keys(), scan=self.scan,
                                 context=cleaned) from None
        except etree.XMLSyntaxError as error:
            raise TemplateError(f"the filled-in template is not valid Word XML: {error}",
                                location=self.name,
                                hint=UNBALANCED_TAGS_HINT) from None
        except Exception as error:  # {{ 1/0 }}, a filter with a wrong argument
            raise template_error(error, self.name) from None

    def _docxtpl_keeping_brackets(self, context: Mapping[str, Any]) -> bytes:
        """docxtpl turns ``{_{`` into ``{{`` (and so on) in its output, data included; swap
        such sequences in the data for private-use characters first and restore them after,
        so the text comes out as it was given."""
        swapped, changed = _swap_brackets(context)
        data = self.render_with_docxtpl(swapped)
        return _restore_brackets(data) if changed else data

    def render_with_docxtpl(self, context: Mapping[str, Any]) -> bytes:
        """The reference path: docxtpl opens, renders and saves the whole document.
        Errors come out as docxtpl raises them; :meth:`render` translates them."""
        from docxtpl import DocxTemplate

        tpl = DocxTemplate(io.BytesIO(self.data))
        tpl.render(bind_images(dict(context), tpl), jinja_env=self.env, autoescape=True)
        buffer = io.BytesIO()
        tpl.save(buffer)
        return buffer.getvalue()


def capitalised_words(scan: TemplateScan, filters: Mapping[str, Any]) -> list[Problem]:
    """Template words with a capital the template language does not know (``If``,
    ``Endif``, ``In``, ``|Upper``), each located at its paragraph."""
    problems = []
    for part in scan.parts:
        for tag in part.tags:
            inner = _STRINGS.sub("''", tag.text[2:-2].strip("-").strip())
            words = inner.split()[:2] if tag.kind == "{%" else []
            wrong = [w for w in words if w != w.lower() and w.lower() in STATEMENTS]
            wrong += _OPERATORS.findall(inner) if tag.kind != "{#" else []
            wrong += [f for f in _FILTER.findall(inner) if f.lower() in filters]
            for word in dict.fromkeys(wrong):
                problems.append(Problem(tag.place, f"'{word}' in '{tag.text}' has a capital "
                                        f"(Word's AutoCorrect?); write '{word.lower()}'",
                                        syntax=True))
    return problems


_BRACKETS = {"{_{": "\ue000", "}_}": "\ue001", "{_%": "\ue002", "%_}": "\ue003"}


def _swap_brackets(value: Any) -> tuple[Any, bool]:
    if isinstance(value, str):
        swapped = value
        for sequence, stand_in in _BRACKETS.items():
            swapped = swapped.replace(sequence, stand_in)
        return swapped, swapped != value
    if isinstance(value, Mapping):
        pairs = {k: _swap_brackets(v) for k, v in value.items()}
        return {k: v for k, (v, _c) in pairs.items()}, any(c for _v, c in pairs.values())
    if isinstance(value, list | tuple):
        items = [_swap_brackets(v) for v in value]
        return [v for v, _c in items], any(c for _v, c in items)
    return value, False


def _restore_brackets(data: bytes) -> bytes:
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            member = source.read(info)
            if info.filename.endswith(".xml"):
                for sequence, stand_in in _BRACKETS.items():
                    member = member.replace(stand_in.encode("utf-8"), sequence.encode("utf-8"))
            target.writestr(info, member)
    return buffer.getvalue()


def _context_lines(source: str, lineno: int | None) -> list[str]:
    import re

    lines = source.splitlines()
    start = max((lineno or 1) - 2, 0)
    return [re.sub(r"<[^>]+>", "", line) for line in lines[start : start + 3]]
