"""The generic merge as an operation of the application layer: one document per record
of any table, from any template (see :mod:`cbct_docs.merge`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .. import merge as engine
from ..records.xlsx import HiddenRows

if TYPE_CHECKING:  # a merge needs no office: its stack is not imported for one
    from .office import OfficeFolder


@dataclass(frozen=True)
class MergeOptions:
    name: str | None = None
    where: Iterable[str] = ()
    limit: int | None = None
    record: int | None = None
    sheet: str | None = None
    hidden_rows: HiddenRows = "refuse"
    overwrite: bool = False
    resume: bool = False
    manifest: str = "json"


def merge(office: OfficeFolder | None, template: Path, data: Path, out: Path,
          options: MergeOptions = MergeOptions(),
          progress: Callable[[int, int], None] | None = None) -> engine.MergeResult:
    """Render ``template`` once per record of ``data`` into ``out``; a record that fails
    is not written, the others are, and every failure is raised together at the end.
    ``office`` may be None: a merge needs no office database."""
    del office  # the same for every office; its own templates come with issue 14
    return engine.merge(template, data, out, name=options.name, where=options.where,
                        limit=options.limit, record=options.record, sheet=options.sheet,
                        hidden_rows=options.hidden_rows, overwrite=options.overwrite,
                        resume=options.resume, manifest=options.manifest,
                        progress=progress, cores=cores())


def cores() -> int:
    """Worker processes for a large merge: one per core (:mod:`.parallel`'s setting,
    ``CBCT_WORKERS``), on a platform that forks and in a process with no other thread
    (the command line; the web app's runs stay in their process)."""
    from .parallel import can_fork, workers

    return workers() if can_fork() else 1


def check(template: Path, data: Path, *, sheet: str | None = None,
          hidden_rows: HiddenRows = "refuse") -> int:
    """Every problem of template and data at once, nothing written; the record count."""
    return engine.check(template, data, sheet=sheet, hidden_rows=hidden_rows)
