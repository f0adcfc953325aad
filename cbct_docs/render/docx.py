"""Word templates: compile once, render many records.

A :class:`DocxRenderer` reads and checks its template once; ``render(context)`` returns
the bytes of a finished ``.docx``. Rendering goes through docxtpl with autoescape on and
the shared sandboxed environment.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import meta

from ..errors import TemplateError
from .environment import StrictEnvironment, clean_context, make_environment, template_error

HEADER_FOOTER_PREFIXES = ("word/header", "word/footer")


class DocxRenderer:
    """A Word template, read and checked once."""

    def __init__(self, path: str | Path, env: StrictEnvironment | None = None) -> None:
        self.path = Path(path)
        self.name = str(path)
        self.env = env or make_environment()
        try:
            self.data = self.path.read_bytes()
        except OSError as error:
            raise TemplateError(f"cannot read template: {error.strerror}",
                                location=self.name) from None
        if not zipfile.is_zipfile(io.BytesIO(self.data)):
            raise TemplateError("not a Word document (a .docx is a zip file; this one is not)",
                                location=self.name, hint="save it again as .docx in Word")
        self.source = self._template_source()
        try:
            self.ast = self.env.parse(self.source)
        except jinja2.TemplateSyntaxError as error:
            error.docx_context = _context_lines(self.source, error.lineno)  # type: ignore[attr-defined]
            raise template_error(error, self.name) from None

    def _template_source(self) -> str:
        """The Jinja source docxtpl would see: body, headers and footers, patched."""
        from docxtpl import DocxTemplate

        try:
            tpl = DocxTemplate(io.BytesIO(self.data))
            tpl.init_docx()
        except Exception as error:  # python-docx raises KeyError/ValueError for broken files
            raise TemplateError(f"not a readable Word document: {error}",
                                location=self.name) from None
        parts = [tpl.patch_xml(tpl.get_xml())]
        for uri in (tpl.HEADER_URI, tpl.FOOTER_URI):
            for _key, part in tpl.get_headers_footers(uri):
                parts.append(tpl.patch_xml(tpl.get_part_xml(part)))
        return "\n".join(parts)

    def variables(self) -> set[str]:
        """Top-level names the template uses that it does not define itself."""
        return meta.find_undeclared_variables(self.ast)

    def render(self, context: Mapping[str, Any]) -> bytes:
        from docxtpl import DocxTemplate

        tpl = DocxTemplate(io.BytesIO(self.data))
        try:
            tpl.render(clean_context(dict(context)), jinja_env=self.env, autoescape=True)
        except (jinja2.TemplateError, jinja2.sandbox.SecurityError) as error:
            raise template_error(error, self.name, context.keys()) from None
        buffer = io.BytesIO()
        tpl.save(buffer)
        return buffer.getvalue()


def _context_lines(source: str, lineno: int | None) -> list[str]:
    import re

    lines = source.splitlines()
    start = max((lineno or 1) - 2, 0)
    return [re.sub(r"<[^>]+>", "", line) for line in lines[start : start + 3]]
