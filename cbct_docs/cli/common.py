"""Shared CLI pieces: progress bars and end-of-run summaries."""

from __future__ import annotations

import datetime as dt
import sys
from typing import Any

import click

from ..errors import DataError


class Progress:
    """``progress(done, total)`` callback for the API; draws a bar on stderr for long runs.

    The bar appears only once the total is known and large enough to be worth it.
    """

    def __init__(self, label: str, quiet: bool = False, minimum: int = 20) -> None:
        self.label, self.quiet, self.minimum = label, quiet, minimum
        self.bar: Any = None

    def __call__(self, done: int, total: int) -> None:
        if self.quiet or total < self.minimum:
            return
        if self.bar is None:
            self.bar = click.progressbar(length=total, label=self.label, show_pos=True,
                                         file=sys.stderr)
            self.bar.__enter__()
        self.bar.update(done - self.bar.pos)
        if done >= total:
            self.close()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def summary(made: int, skipped: int = 0, failed: int = 0, where: str = "") -> str:
    text = f"{made} made, {skipped} skipped, {failed} failed"
    return f"{text} → {where}" if where else text


class DateType(click.ParamType):
    """Dates as offices write them: 12-5-2025, 2025-05-12 or 12 mei 2025."""

    name = "DATE"

    def convert(self, value: Any, param: Any, ctx: Any) -> dt.date:
        if isinstance(value, dt.date):
            return value
        from ..records.dates import parse_date  # the readers: when a command runs

        try:
            return parse_date(value)
        except DataError as error:
            self.fail(str(error), param, ctx)


DATE = DateType()
