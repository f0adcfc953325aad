"""Pictures in Word templates: a :class:`DocxImage` in the context becomes a docxtpl
``InlineImage`` bound to the template being rendered (``{{ chart }}`` in the .docx).

An ``InlineImage`` needs the very ``DocxTemplate`` that renders it, which callers of
:class:`~cbct_docs.render.DocxRenderer` never see; so they pass ``DocxImage`` values and
the renderer binds them (:func:`bind_images`). The compiled path does not place pictures:
:func:`~cbct_docs.render.fast_docx.context_needs_docxtpl` sends such a context to docxtpl.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class DocxImage:
    """PNG or JPEG bytes, shown ``width_mm`` wide (height in proportion)."""

    data: bytes
    width_mm: float | None = None

    def __html__(self) -> str:
        # Reached only when a renderer skipped bind_images: fail loudly, never print a repr.
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
