"""Limits on what a template may make: office staff write templates, and a slip (a loop in
a loop, ``'-' * 10**9``) must end in a located error, not a machine that hangs or runs out
of memory.

- Loops: ``range()`` in a template counts every step of one render against
  :data:`MAX_LOOP_STEPS` (nested loops multiply quickly).
- ``*`` and ``**``: a text or list repeated beyond :data:`MAX_TEXT_CHARS`, or a power
  whose result would have more than :data:`MAX_POWER_DIGITS` digits, is refused before it
  is computed.
- Output: a rendered part larger than :data:`MAX_OUTPUT_CHARS` is refused.
- A Word template: what its zip unpacks to is checked before it is read (a zip bomb).
"""

from __future__ import annotations

import math
import zipfile
from collections.abc import Iterator
from typing import Any
from weakref import WeakKeyDictionary

import jinja2
from jinja2.sandbox import SecurityError

from ..errors import DataError, TemplateError

MAX_LOOP_STEPS = 1_000_000
MAX_TEXT_CHARS = 1_000_000
MAX_POWER_DIGITS = 1_000
MAX_OUTPUT_CHARS = 50_000_000
#: A letter template unpacks to a few hundred kB; far more is a zip bomb.
MAX_TEMPLATE_PART_BYTES = 20 * 2**20
MAX_TEMPLATE_BYTES = 100 * 2**20

_spent: WeakKeyDictionary[Any, list[int]] = WeakKeyDictionary()


class _CountedRange:
    """A ``range`` whose steps count against the render's budget."""

    def __init__(self, steps: range, budget: list[int]) -> None:
        self._steps, self._budget = steps, budget

    def __len__(self) -> int:
        return len(self._steps)

    def __getitem__(self, index: int) -> int:
        return self._steps[index]

    def __iter__(self) -> Iterator[int]:
        for step in self._steps:
            self._budget[0] -= 1
            if self._budget[0] < 0:
                raise SecurityError(f"the template's loops run more than {MAX_LOOP_STEPS:,} "
                                    "steps (a loop in a loop?)")
            yield step


@jinja2.pass_context
def limited_range(context: Any, *args: int) -> _CountedRange:
    """``range()`` for templates: every step of one render counts against one budget."""
    steps = range(*args)
    if len(steps) > MAX_LOOP_STEPS:
        raise SecurityError(f"range() of {len(steps):,} steps: at most {MAX_LOOP_STEPS:,}")
    # One budget per render: Jinja makes a new context for every render of a template.
    return _CountedRange(steps, _spent.setdefault(context, [MAX_LOOP_STEPS]))


def check_binop(operator: str, left: Any, right: Any) -> None:
    """Refuse a ``*`` or ``**`` whose result would be too big, before computing it."""
    if operator == "*":
        for sized, times in ((left, right), (right, left)):
            if (isinstance(sized, str | list | tuple) and isinstance(times, int)
                    and len(sized) * max(times, 0) > MAX_TEXT_CHARS):
                raise SecurityError(f"a text or list repeated {times:,} times: more than "
                                    f"{MAX_TEXT_CHARS:,} characters")
    elif operator == "**" and isinstance(left, int) and isinstance(right, int) and right > 0:
        digits = right * math.log10(abs(left)) if abs(left) > 1 else 0
        if digits > MAX_POWER_DIGITS:
            raise SecurityError(f"{left} ** {right} has about {int(digits):,} digits: at most "
                                f"{MAX_POWER_DIGITS:,}")


def check_output(text: str, template: str) -> str:
    if len(text) > MAX_OUTPUT_CHARS:
        raise TemplateError(f"the document would hold {len(text):,} characters, more than "
                            f"{MAX_OUTPUT_CHARS:,}", location=template,
                            hint="check the template's loops and repetitions")
    return text


def check_package(archive: zipfile.ZipFile, location: Any, *,
                  part_limit: int = MAX_TEMPLATE_PART_BYTES,
                  total_limit: int = MAX_TEMPLATE_BYTES) -> None:
    """What a .docx unpacks to, checked before any part is read (not a zip bomb)."""
    members = archive.infolist()
    biggest = max(members, key=lambda info: info.file_size, default=None)
    if biggest is not None and biggest.file_size > part_limit:
        raise DataError(f"part {biggest.filename} unpacks to {biggest.file_size:,} bytes, "
                        f"more than the {part_limit // 2**20} MB a document may hold",
                        location=location, hint="is it really a letter?")
    total = sum(info.file_size for info in members)
    if total > total_limit:
        raise DataError(f"unpacks to {total:,} bytes, more than the "
                        f"{total_limit // 2**20} MB a document may hold",
                        location=location, hint="is it really a letter?")
