"""What a merge made, per record: the manifest, and checking kept files against it."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ..deliver.files import atomic_write
from ..errors import OutputError, Problems, UsageError
from ..records import Record
from ..records.inert import csv_value

if TYPE_CHECKING:
    from . import Output


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
        elif row.get("sha256"):
            output.sha256 = sha256_of(output.path)  # read once: the manifest keeps it
            if row["sha256"] == output.sha256:
                continue
            problems.add(OutputError("was changed after it was made", location=output.path,
                                     hint="use --overwrite to make it again"))
    problems.raise_if_any()


def not_made(unwritten: Sequence[Output], total: int, out: Path) -> OutputError:
    """One message for the documents that could not be written (a full disk fails every
    one after it; each is named above up to :data:`~cbct_docs.merge.SHOWN_WRITE_ERRORS`)."""
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
