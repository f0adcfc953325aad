"""The generic merge: one template, one data file, one document per record.

Importable API behind ``cbct-docs merge`` and ``cbct-docs check``.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import hashlib
import io
import json
import os
import signal
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .deliver.files import (
    NamePattern,
    UniqueNames,
    atomic_write,
    default_pattern,
    ensure_folder,
    write_files,
)
from .errors import CbctError, DataError, OutputError, ProblemList, Problems, UsageError
from .records import Record, read_records
from .records.inert import csv_value
from .records.xlsx import HiddenRows
from .render import DocxRenderer, HtmlRenderer, renderer_for
from .render.template_check import suggestion

#: Documents are written in chunks: one flush to disk per chunk, and a run killed midway
#: loses at most one chunk of rendering (never a half file).
WRITE_CHUNK = 100
#: Documents that cannot be written (a full disk) named one by one, at most; one message
#: then counts them all.
SHOWN_WRITE_ERRORS = 10

#: Fewer documents than this are made in the calling process: starting workers costs more.
MIN_PARALLEL = 200

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


def record_digest(record: Record) -> str:
    """A fingerprint of a record's fields: a kept file must come from the same data."""
    text = json.dumps(record.fields, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def check_resumable(outputs: Sequence[Output], out: Path) -> None:
    """A kept file must be the one this record made: the manifest of the earlier run holds
    each file's sha256 and the fingerprint of its record. (A run killed midway wrote no
    manifest yet: then every complete file is kept.)"""
    try:
        rows = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        made = {row["output"]: row for row in rows if isinstance(row, dict) and "output" in row}
    except (OSError, ValueError, TypeError):
        return
    problems = Problems()
    for output in outputs:
        row = made.get(output.path.name)
        if output.status != "skipped" or row is None:
            continue
        if row.get("data") and row["data"] != record_digest(output.record):
            problems.add(OutputError(
                f"was made from other data than {output.record.origin} holds now",
                location=output.path,
                hint="the data changed since; use --overwrite to make the set again"))
        elif row.get("sha256") and row["sha256"] != sha256_of(output.path):
            problems.add(OutputError("was changed after it was made", location=output.path,
                                     hint="use --overwrite to make it again"))
    problems.raise_if_any()


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
    pending: list[tuple[Output, bytes | str]] = []
    unwritten: list[Output] = []

    def flush() -> None:
        written = write_files([(o.path, content) for o, content in pending], overwrite=overwrite)
        for (output, _content), outcome in zip(pending, written, strict=True):
            if outcome.error is not None:
                output.status = "failed"
                unwritten.append(output)
                if len(unwritten) <= SHOWN_WRITE_ERRORS:
                    result.problems.append(outcome.error.at(output.record.origin))
            else:
                output.sha256, output.status = outcome.sha256, "made"
        pending.clear()

    def render(output: Output) -> bytes | str:
        return renderer.render(context_for(output.record))

    done = 0
    for output in outputs:
        if output.status == "skipped":
            output.sha256 = sha256_of(output.path)
            done += 1
            if progress:
                progress(done, len(outputs))
    todo = [o for o in outputs if o.status != "skipped"]
    chunks = [todo[start:start + WRITE_CHUNK] for start in range(0, len(todo), WRITE_CHUNK)]
    def reason() -> str | None:
        return renderer.fallback_reason if isinstance(renderer, DocxRenderer) else None

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
                    pending.append((output, render(output)))
                except CbctError as error:
                    output.status = "failed"
                    result.problems.append(error.at(output.record.origin))
                if len(pending) >= WRITE_CHUNK:
                    flush()
            if progress:
                progress(done, len(outputs))
    flush()
    why = reason() or seen_reason
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


# What the forked workers make: set in the parent just before the fork, inherited.
_chunks: Sequence[Sequence[Output]] = ()
_render: Callable[[Output], bytes | str] | None = None
_overwrite = False
_reason: Callable[[], str | None] = lambda: None  # noqa: E731
_parent = 0  # the process that started the workers


def made_by_workers(chunks: Sequence[Sequence[Output]],
                    render: Callable[[Output], bytes | str], cores: int,
                    overwrite: bool = False,
                    reason: Callable[[], str | None] = lambda: None,
                    ) -> Iterator[tuple[list[tuple[str, str] | None] | None, str | None]]:
    """For each chunk, in order: per output (sha256, record digest) when a worker process
    rendered and wrote it, or None when the caller must make it (then its error is
    raised and located there); None for a whole chunk the caller makes (a small set,
    one core). With it, ``reason()`` as the worker saw it after the chunk (why the Word
    template went through docxtpl, if it did). Each worker writes whole chunks as
    :func:`write_files` writes them (to temporary names, one flush, then the renames): a
    file under its own name is complete, as without workers."""
    count = sum(len(chunk) for chunk in chunks)
    if cores < 2 or count < MIN_PARALLEL:
        yield from [(None, None)] * len(chunks)
        return
    import multiprocessing

    global _chunks, _render, _overwrite, _reason, _parent
    _chunks, _render, _overwrite, _reason = chunks, render, overwrite, reason
    _parent = os.getpid()
    try:
        with multiprocessing.get_context("fork").Pool(cores, _start_worker) as pool:
            yield from pool.imap(_make_chunk, range(len(chunks)))
    finally:
        _chunks, _render, _overwrite, _reason = (), None, False, lambda: None


def _start_worker() -> None:
    """A worker ends with the run: killed when the process that started it dies (Linux),
    so that a merge stopped with kill or Ctrl-C writes nothing more."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != _parent:  # it died before that was set
        os._exit(1)


def _make_chunk(index: int) -> tuple[list[tuple[str, str] | None], str | None]:
    """In a worker: render and write one chunk; None for an output not made."""
    assert _render is not None
    chunk = _chunks[index]
    made: list[tuple[str, str] | None] = [None] * len(chunk)
    rendered: list[tuple[int, Path, bytes | str]] = []
    for position, output in enumerate(chunk):
        try:
            rendered.append((position, output.path, _render(output)))
        except Exception:  # made again by the caller, which locates the error
            continue
    if not rendered or os.getppid() != _parent:  # the run was stopped: nothing more
        return made, _reason()
    written = write_files([(path, content) for _p, path, content in rendered],
                          overwrite=_overwrite)
    for (position, _path, _content), outcome in zip(rendered, written, strict=True):
        if outcome.error is None:
            made[position] = (outcome.sha256, record_digest(chunk[position].record))
    return made, _reason()


def not_made(unwritten: Sequence[Output], total: int, out: Path) -> OutputError:
    """One message for the documents that could not be written (a full disk fails every
    one after it; each is named above up to :data:`SHOWN_WRITE_ERRORS`)."""
    names = ", ".join(o.path.name for o in unwritten[:3])
    more = f" and {len(unwritten) - 3} more" if len(unwritten) > 3 else ""
    return OutputError(f"{len(unwritten)} of {total} documents not made ({names}{more})",
                       location=out, hint="free disk space (or fix the folder's rights) and "
                                          "rerun with --resume to make only the missing ones")


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def manifest_rows(outputs: Sequence[Output]) -> Iterator[dict[str, str]]:
    for o in outputs:
        yield {"record": str(o.record.origin), "data": o.digest or record_digest(o.record),
               "output": o.path.name, "status": o.status, "sha256": o.sha256}


def manifest_json(rows: Iterable[dict[str, str]]) -> bytes:
    """``json.dumps(list(rows), ensure_ascii=False, indent=2)`` and a line end, in UTF-8,
    made row by row: 10,000 rows as dicts, the encoder's pieces of all of them and the
    text before encoding cost ~12 MB at the end of a merge. (JSON writes a line break
    inside a text as ``\\n``: every line break of a row's text is its indentation.)"""
    parts = [("  " + json.dumps(row, ensure_ascii=False, indent=2).replace("\n", "\n  "))
             .encode("utf-8") for row in rows]
    return b"[\n" + b",\n".join(parts) + b"\n]\n" if parts else b"[]\n"


def write_manifest(outputs: Sequence[Output], out: Path, fmt: str = "json") -> Path:
    rows = manifest_rows(outputs)
    if fmt == "json":
        path = out / "manifest.json"
        atomic_write(path, manifest_json(rows), overwrite=True)
    elif fmt == "csv":
        path = out / "manifest.csv"
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=["record", "data", "output", "status",
                                                    "sha256"])
        writer.writeheader()
        # A file name or origin such as "=1+1" must stay text in Excel (records.inert).
        writer.writerows({key: csv_value(value) for key, value in row.items()} for row in rows)
        atomic_write(path, buffer.getvalue(), overwrite=True)
    else:
        raise UsageError(f"--manifest {fmt!r}: use json, csv or none")
    return path


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
