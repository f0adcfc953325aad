"""Render templates: Word (docxtpl), HTML and text, with one strict environment."""

from pathlib import Path

from .docx import DocxRenderer
from .environment import StrictEnvironment, make_environment
from .html import HtmlRenderer

DOCX_SUFFIXES = {".docx"}
HTML_SUFFIXES = {".html", ".htm", ".txt", ".j2", ".jinja"}


def renderer_for(path: str | Path) -> DocxRenderer | HtmlRenderer:
    """Pick the renderer by the template's suffix."""
    from ..errors import UsageError

    suffix = Path(path).suffix.lower()
    if suffix in DOCX_SUFFIXES:
        return DocxRenderer(path)
    if suffix in HTML_SUFFIXES:
        return HtmlRenderer(path)
    raise UsageError(f"cannot use {suffix or 'a file without suffix'} as a template",
                     location=path, hint="use a .docx, .html or .txt template")


__all__ = ["DocxRenderer", "HtmlRenderer", "StrictEnvironment", "make_environment",
           "renderer_for"]
