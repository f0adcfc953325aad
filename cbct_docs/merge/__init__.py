"""The generic merge: one template, one data file, one document per record.

Importable API behind ``cbct-docs merge`` and ``cbct-docs check``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..deliver.files import (
    NamePattern,
    UniqueNames,
    default_pattern,
    ensure_folder,
    write_files,
)
from ..errors import CbctError, DataError, OutputError, ProblemList, Problems, UsageError
from ..records import Record, read_records
from ..records.xlsx import HiddenRows
from ..render import DocxRenderer, HtmlRenderer, renderer_for
from ..render.template_check import suggestion
from .manifest import (
    check_resumable,
    manifest_json,
    not_made,
    sha256_of,
    write_manifest,
)
from .workers import made_by_workers

__all__ = ["BUILTINS", "MergeResult", "Output", "check", "context_for", "manifest_json",
           "merge", "plan_outputs", "refuse_existing", "select"]

#: Documents are written in chunks: one flush to disk per chunk, and a run killed midway
#: loses at most one chunk of rendering (never a half file).
WRITE_CHUNK = 100
#: Documents that cannot be written (a full disk) named one by one, at most; one message
#: then counts them all.
SHOWN_WRITE_ERRORS = 10

#: Names every template may use besides the record's own fields.
BUILTINS = ("record", "vandaag", "_number")


@dataclass(slots=True)  # one per document: 10,000 in a large merge
class Output:
    record: Record
    path: Path
    sha256: str = ""
    status: str = "pending"  # made | failed | skipped
    digest: str = ""  # record_digest(record), when a worker worked it out


@dataclass
class MergeResult:
    outputs: list[Output] = field(default_factory=list)
    problems: list[CbctError] = field(default_factory=list)
    manifest: Path | None = None
    note: str = ""  # e.g. why the Word template went through docxtpl (slower, still exact)

    def count(self, status: str) -> int:
        return sum(1 for o in self.outputs if o.status == status)


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


def select(records: Sequence[Record], where: Iterable[str] = (), limit: int | None = None,
           record: int | None = None) -> list[Record]:
    if record is not None:
        if not 1 <= record <= len(records):
            raise UsageError(f"--record {record}: there are {len(records)} records")
        return [records[record - 1]]
    tests = parse_where(where)
    chosen = [r for r in records if all(t(r) for t in tests)]
    return chosen[:limit] if limit is not None else chosen


def plan_outputs(records: Sequence[Record], out: Path, pattern: str | None,
                 suffix: str) -> list[Output]:
    fields = list(records[0].fields) + ["_number"] if records else ["_number"]
    names = NamePattern(pattern or default_pattern(fields))
    names.check(fields)
    unique = UniqueNames()
    outputs = []
    for record in records:
        stem = names.stem({**record.fields, "_number": f"{record.number:04d}"})
        outputs.append(Output(record, out / unique.claim(stem, suffix)))
    return outputs


def refuse_existing(outputs: Sequence[Output], overwrite: bool, resume: bool = False) -> None:
    """Stop before writing anything if outputs exist, unless told what to do with them.

    ``resume`` keeps existing files (they are complete: every write is atomic) and marks
    them skipped, so a run that was interrupted can finish the set.
    """
    if overwrite:
        return
    existing = [o.path for o in outputs if o.path.exists()]
    if resume:
        for output in outputs:
            if output.path.exists():
                output.status = "skipped"
        check_resumable(outputs, outputs[0].path.parent if outputs else Path("."))
        return
    if existing:
        shown = ", ".join(p.name for p in existing[:5])
        more = f" and {len(existing) - 5} more" if len(existing) > 5 else ""
        raise OutputError(f"{len(existing)} file(s) exist already: {shown}{more}",
                          location=existing[0].parent,
                          hint="nothing was written; use --resume to make only the missing "
                               "ones, or --overwrite to replace them")


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
    ``cores``: worker processes that render and write the documents of a large set (the
    command line gives the number of cores, ``runs.merge``); a document a worker could not
    make is made again here, so that its error is located as without workers.
    """
    renderer = renderer_for(template)
    records = read_records(data, sheet, hidden_rows=hidden_rows)
    if not records:
        raise DataError("has a header row but no records", location=data)
    chosen = select(records, where, limit, record)
    if not chosen:
        raise DataError(f"no record matches --where {' '.join(where)}", location=data)
    out = Path(out)
    suffix = ".docx" if isinstance(renderer, DocxRenderer) else Path(template).suffix.lower()
    outputs = plan_outputs(chosen, out, name, suffix)
    refuse_existing(outputs, overwrite, resume)
    ensure_folder(out)
    result = MergeResult(outputs)
    why, unwritten = _make(result, renderer, cores, overwrite, progress)
    if why:
        result.note = f"rendered with docxtpl (slower, same result): {why}"
    if manifest and record is None:  # a one-record preview keeps the set's manifest
        try:
            result.manifest = write_manifest(outputs, out, manifest)
        except CbctError as error:  # a full disk: say so, and what was not made
            result.problems.append(error)
    if unwritten:
        result.problems.append(not_made(unwritten, len(outputs), out))
    if result.problems:
        raise ProblemList(result.problems)
    return result


class _Writer:
    """Documents made in this process, written a chunk at a time (one flush per chunk)."""

    def __init__(self, result: MergeResult, overwrite: bool) -> None:
        self.result, self.overwrite = result, overwrite
        self.pending: list[tuple[Output, bytes | str]] = []
        self.unwritten: list[Output] = []

    def add(self, output: Output, content: bytes | str) -> None:
        self.pending.append((output, content))
        if len(self.pending) >= WRITE_CHUNK:
            self.flush()

    def flush(self) -> None:
        pending = self.pending
        written = write_files([(o.path, content) for o, content in pending],
                              overwrite=self.overwrite)
        for (output, _content), outcome in zip(pending, written, strict=True):
            if outcome.error is not None:
                output.status = "failed"
                self.unwritten.append(output)
                if len(self.unwritten) <= SHOWN_WRITE_ERRORS:
                    self.result.problems.append(outcome.error.at(output.record.origin))
            else:
                output.sha256, output.status = outcome.sha256, "made"
        pending.clear()


def _make(result: MergeResult, renderer: DocxRenderer | HtmlRenderer, cores: int,
          overwrite: bool, progress: Callable[[int, int], None] | None
          ) -> tuple[str | None, list[Output]]:
    """Every output not kept from before: made by the workers, or here (its error then
    located here). Returns why the Word template went through docxtpl, if it did, and the
    outputs that could not be written."""
    outputs = result.outputs
    writer = _Writer(result, overwrite)

    def render(output: Output) -> bytes | str:
        return renderer.render(context_for(output.record))

    def reason() -> str | None:
        return renderer.fallback_reason if isinstance(renderer, DocxRenderer) else None

    done = 0
    for output in outputs:
        if output.status == "skipped":
            output.sha256 = output.sha256 or sha256_of(output.path)  # resume: checked
            done += 1
            if progress:
                progress(done, len(outputs))
    todo = [o for o in outputs if o.status != "skipped"]
    chunks = [todo[start:start + WRITE_CHUNK] for start in range(0, len(todo), WRITE_CHUNK)]
    seen_reason: str | None = None  # in a worker
    for chunk, (made, why) in zip(chunks, made_by_workers(chunks, render, cores, overwrite,
                                                          reason), strict=True):
        seen_reason = why or seen_reason
        for output, entry in zip(chunk, made or [None] * len(chunk), strict=True):
            done += 1
            if entry is not None:
                output.status, (output.sha256, output.digest) = "made", entry
            else:  # made here: its error, if any, located here
                try:
                    content = render(output)
                except CbctError as error:
                    output.status = "failed"
                    result.problems.append(error.at(output.record.origin))
                else:
                    writer.add(output, content)
            if progress:
                progress(done, len(outputs))
    writer.flush()
    return reason() or seen_reason, writer.unwritten


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
