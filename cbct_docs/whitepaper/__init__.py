"""Norm whitepapers: a YAML norm guide + the framework file → Word and HTML.

>>> guide = load_guide("samples/whitepapers/kib-4-samenwerking.yaml")   # doctest: +SKIP
>>> render_html(guide)                                                  # doctest: +SKIP
"""

from .build import (
    FORMATS,
    Whitepaper,
    build_whitepapers,
    default_template,
    output_stem,
    parse_formats,
    render_docx,
    render_html,
)
from .content import Guide, Item, ModuleContent, load_guide
from .context import MARKER, Brand, build_context

__all__ = ["FORMATS", "Brand", "MARKER", "Guide", "Item", "ModuleContent", "Whitepaper",
           "build_context", "build_whitepapers", "default_template", "load_guide",
           "output_stem", "parse_formats", "render_docx", "render_html"]
