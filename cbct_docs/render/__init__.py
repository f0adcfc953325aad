"""Render templates: Word (docxtpl), HTML and text, with one strict environment."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from .environment import StrictEnvironment, make_environment
from .html import HtmlRenderer

if TYPE_CHECKING:
    from .docx import DocxRenderer

DOCX_SUFFIXES = {".docx"}
HTML_SUFFIXES = {".html", ".htm", ".txt", ".j2", ".jinja"}


def renderer_for(path: str | Path) -> DocxRenderer | HtmlRenderer:
    """Pick the renderer by the template's suffix."""
    from ..errors import UsageError

    suffix = Path(path).suffix.lower()
    if suffix in DOCX_SUFFIXES:
        from .docx import DocxRenderer

        return DocxRenderer(path)
    if suffix in HTML_SUFFIXES:
        return HtmlRenderer(path)
    raise UsageError(f"cannot use {suffix or 'a file without suffix'} as a template",
                     location=path, hint="use a .docx, .html or .txt template")


def __getattr__(name: str) -> Any:
    """``DocxRenderer`` on first use: python-docx and docxtpl load only for commands that
    make Word documents (an e-mail run starts without them)."""
    if name == "DocxRenderer":
        from .docx import DocxRenderer

        return DocxRenderer
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["DocxRenderer", "HtmlRenderer", "StrictEnvironment", "make_environment",
           "renderer_for"]
