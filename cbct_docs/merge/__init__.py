"""The generic merge: one template, one data file, one document per record.

Importable API behind ``cbct-docs merge`` and ``cbct-docs check``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..deliver.files import ensure_folder, write_files
from ..errors import CbctError, DataError, ProblemList, Problems, UsageError
from ..records import Record, read_records
from ..records.streamed import record_parts
from ..records.xlsx import HiddenRows
from ..render import DocxRenderer, HtmlRenderer, renderer_for
from ..render.fields import suggestion
from .manifest import manifest_json, not_made, record_digest, write_manifest
from .plan import FAILED, MADE, SKIPPED, WRITE_CHUNK, Output, Outputs, Plan
from .workers import Workers

__all__ = ["BUILTINS", "WRITE_CHUNK", "MergeResult", "Output", "check", "context_for",
           "manifest_json", "merge"]

#: Documents that cannot be written (a full disk) named one by one, at most; one message
#: then counts them all.
SHOWN_WRITE_ERRORS = 10

#: Names every template may use besides the record's own fields.
BUILTINS = ("record", "vandaag", "_number")


@dataclass
class MergeResult:
    outputs: Outputs = field(default_factory=lambda: Outputs(Path(".")))
    problems: list[CbctError] = field(default_factory=list)
    manifest: Path | None = None
    note: str = ""  # e.g. why the Word template went through docxtpl (slower, still exact)

    def count(self, status: str) -> int:
        return self.outputs.count(status)


def context_for(record: Record, today: dt.date | None = None) -> dict[str, Any]:
    """A record's fields, plus ``record`` (all fields, for names with spaces) and ``vandaag``."""
    context = dict(record.fields)
    context.setdefault("record", dict(record.fields))
    context.setdefault("vandaag", today or dt.date.today())
    context.setdefault("_number", record.number)
    return context


def parse_where(expressions: Iterable[str]) -> list[Callable[[Record], bool]]:
    """``field=value``, ``field!=value`` or ``field~text`` (contains, any case)."""
    tests: list[Callable[[Record], bool]] = []
    for expression in expressions:
        for op in ("!=", "~", "="):
            name, found, wanted = expression.partition(op)
            if found:
                break
        else:
            raise UsageError(f"--where {expression!r}: expected field=value, field!=value "
                             "or field~text")
        name, wanted = name.strip(), wanted.strip()

        def test(record: Record, name: str = name, op: str = op, wanted: str = wanted) -> bool:
            if name not in record.fields:
                raise UsageError(f"--where uses unknown field {name!r}",
                                 hint="fields: " + ", ".join(record.fields))
            value = record.fields[name]
            text = "" if value is None else str(value)
            if op == "~":
                return wanted.casefold() in text.casefold()
            return (text == wanted) == (op == "=")

        tests.append(test)
    return tests


def merge(
    template: str | Path,
    data: str | Path,
    out: str | Path,
    *,
    name: str | None = None,
    where: Iterable[str] = (),
    limit: int | None = None,
    record: int | None = None,
    sheet: str | None = None,
    hidden_rows: HiddenRows = "refuse",
    overwrite: bool = False,
    resume: bool = False,
    manifest: str = "json",
    progress: Callable[[int, int], None] | None = None,
    cores: int = 1,
) -> MergeResult:
    """Render ``template`` once per record of ``data`` into ``out``.

    A record that fails is reported and not written; the others are. Raises a
    ProblemList at the end when anything failed (after writing the manifest).
    ``cores``: worker processes that render the documents of a large set (the command
    line gives the number of cores, ``runs.merge``), from while the data is still read;
    this process gives them their names once the whole plan is sound (:mod:`.workers`).
    A document a worker could not make is made again here, so that its error is located
    as without workers.

    The data is read once, a part at a time (:func:`..records.streamed.record_parts`):
    every record is checked, chosen and named before anything is written, and the records
    to make wait in a temporary file (:mod:`.plan`), so memory does not grow with the data.
    """
    renderer = renderer_for(template)
    out, where = Path(out), list(where)
    suffix = ".docx" if isinstance(renderer, DocxRenderer) else Path(template).suffix.lower()

    def render(record: Record) -> bytes | str:
        return renderer.render(context_for(record))

    def reason() -> str | None:
        return renderer.fallback_reason if isinstance(renderer, DocxRenderer) else None

    def started() -> tuple[Plan, Workers]:
        return (Plan(out, name, suffix, where=where, limit=limit, record=record,
                     overwrite=overwrite, resume=resume),
                Workers(render, cores, overwrite, reason))

    plan, workers = started()
    try:
        for part in record_parts(data, sheet, hidden_rows=hidden_rows):
            if part is None:  # read again, whole: the plan starts again
                workers.close()
                plan.chunks.close()
                plan, workers = started()
            else:
                plan.take(part)
                workers.feed(plan)  # rendering while the rest is read
        plan.finish(data)
        ensure_folder(out)
        result = MergeResult(plan.outputs)
        seen, unwritten = _make(result, plan, render, workers, overwrite, progress)
        why = reason() or seen
    finally:
        workers.close()  # and what they staged, if the plan failed
        plan.chunks.close()
    notes = [f"rendered with docxtpl (slower, same result): {why}"] if why else []
    if workers.lost:  # killed, or out of memory: say so, the set is whole all the same
        notes.append(f"{_workers(workers.lost)} ended early (killed, or out of memory?); "
                     "this process made their letters: the set is complete")
    result.note = "; ".join(notes)
    if manifest and record is None:  # a one-record preview keeps the set's manifest
        try:
            result.manifest = write_manifest(plan.outputs, out, manifest)
        except CbctError as error:  # a full disk: say so, and what was not made
            result.problems.append(error)
    if unwritten:
        result.problems.append(not_made(unwritten, len(plan.outputs), out))
    if result.problems:
        raise ProblemList(result.problems)
    return result


def _workers(count: int) -> str:
    return "a worker process" if count == 1 else f"{count} worker processes"


class _Writer:
    """Documents made in this process, written a chunk at a time (one flush per chunk)."""

    def __init__(self, result: MergeResult, overwrite: bool) -> None:
        self.result, self.overwrite = result, overwrite
        self.pending: list[tuple[int, Record, bytes | str]] = []
        self.unwritten: list[Output] = []

    def add(self, index: int, record: Record, content: bytes | str) -> None:
        self.pending.append((index, record, content))
        if len(self.pending) >= WRITE_CHUNK:
            self.flush()

    def flush(self) -> None:
        pending, outputs = self.pending, self.result.outputs
        written = write_files([(outputs.path(i), content) for i, _r, content in pending],
                              overwrite=self.overwrite)
        for (index, record, _content), outcome in zip(pending, written, strict=True):
            if outcome.error is not None:
                outputs.set(index, FAILED, "", record_digest(record))
                self.unwritten.append(outputs[index])
                if len(self.unwritten) <= SHOWN_WRITE_ERRORS:
                    self.result.problems.append(outcome.error.at(record.origin))
            else:
                outputs.set(index, MADE, outcome.sha256, record_digest(record))
        pending.clear()


def _make(result: MergeResult, plan: Plan, render: Callable[[Record], bytes | str],
          workers: Workers, overwrite: bool, progress: Callable[[int, int], None] | None
          ) -> tuple[str | None, list[Output]]:
    """Every output not kept from before: made by the workers, or here (its error then
    located here). Returns why the Word template went through docxtpl in a worker, if it
    did, and the outputs that could not be written."""
    outputs, chunks = plan.outputs, plan.chunks
    writer = _Writer(result, overwrite)
    total = len(outputs)
    done = outputs.status.count(SKIPPED)  # resume: kept, their sha256 checked
    if progress:
        for count in range(1, done + 1):
            progress(count, total)
    seen: str | None = None  # in a worker
    for number, (made, why) in enumerate(workers.made(plan)):
        seen = why or seen
        records = dict(chunks.read(number)) if made is None or any(
            entry is None for _index, entry in made) else {}
        for index, entry in made or [(index, None) for index in records]:
            done += 1
            if entry is not None:
                outputs.set_hashes(index, MADE, entry)
            else:  # made here: its error, if any, located here
                record = records[index]
                try:
                    content = render(record)
                except CbctError as error:
                    outputs.set(index, FAILED, "", record_digest(record))
                    result.problems.append(error.at(record.origin))
                else:
                    writer.add(index, record, content)
            if progress:
                progress(done, total)
    writer.flush()
    return seen, writer.unwritten


def check(template: str | Path, data: str | Path, *, sheet: str | None = None,
          hidden_rows: HiddenRows = "refuse") -> int:
    """Check a template against data without writing. Returns the number of records checked.

    Reports, all at once: unknown template variables, data that cannot be read, and
    records that fail to render (a filter given a bad date, say).
    """
    problems = Problems()
    renderer: DocxRenderer | HtmlRenderer | None = None
    records: list[Record] = []
    with problems.catch():
        renderer = renderer_for(template)
    with problems.catch():
        records = read_records(data, sheet, hidden_rows=hidden_rows)
    if renderer is not None and records:
        available = set(records[0].fields) | set(BUILTINS)
        for variable in sorted(renderer.variables() - available):
            hint = "columns: " + ", ".join(records[0].fields)
            guess = suggestion(variable, available)
            place = (renderer.scan.place_of(variable)
                     if isinstance(renderer, DocxRenderer) else None)
            if guess and place is not None:
                hint += f"; used in {place}"
            problems.add(DataError(
                f"uses {variable!r}, which is not a column of {data}"
                + (f"; did you mean {guess!r}?" if guess else ""),
                location=renderer.name, hint=hint))
        if not problems:
            for rec in records:
                with problems.catch():
                    try:
                        renderer.render(context_for(rec))
                    except CbctError as error:
                        raise error.at(rec.origin) from None
    problems.raise_if_any()
    return len(records)
