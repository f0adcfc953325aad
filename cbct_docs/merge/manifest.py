"""What a merge made, per record: the manifest, written a piece at a time."""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import json.encoder
import os
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ..deliver.files import replace_staged, stage_file
from ..errors import OutputError, UsageError
from ..records import Record
from ..records.inert import csv_value

if TYPE_CHECKING:
    from .plan import Output, Outputs

#: Bytes of the manifest written at a time.
PIECE = 1 << 16


def record_digest(record: Record) -> str:
    """A fingerprint of a record's fields: a kept file must come from the same data."""
    return record_hash(record).hex()


def record_hash(record: Record) -> bytes:
    """:func:`record_digest` as its 8 bytes."""
    text = json.dumps(record.fields, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).digest()[:8]


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


def manifest_pieces(rows: Iterable[dict[str, str]]) -> Iterator[bytes]:
    """``json.dumps(list(rows), ensure_ascii=False, indent=2)`` and a line end, in UTF-8,
    made row by row and given ~64 KB at a time: 10,000 rows as one text (and the
    encoder's pieces of it) cost ~12 MB at the end of a merge. A row of texts is written
    as that indented encoder writes it, each text by the C encoder (the indented encoder
    is Python's own: ~20 µs a row); any other row by ``json.dumps``."""
    return text_pieces(map(row_text, rows))


def text_pieces(texts: Iterable[str]) -> Iterator[bytes]:
    """:func:`manifest_pieces` of the rows whose :func:`row_text` are ``texts``."""
    parts: list[bytes] = []
    size, first = 0, True
    for text in texts:
        part = text.encode("utf-8")
        parts.append((b"[\n" if first else b",\n") + part)
        first = False
        size += len(part)
        if size >= PIECE:
            yield b"".join(parts)
            parts.clear()
            size = 0
    if first:
        yield b"[]\n"
        return
    parts.append(b"\n]\n")
    yield b"".join(parts)


def row_text(row: dict[str, str]) -> str:
    """One row of the list, indented as ``json.dumps(rows, indent=2)`` indents it. (JSON
    writes a line break inside a text as ``\\n``: every line break is indentation.)"""
    if row and all(key.__class__ is str and value.__class__ is str
                   for key, value in row.items()):
        return "  {\n" + ",\n".join(f"    {json_string(key)}: {json_string(value)}"
                                    for key, value in row.items()) + "\n  }"
    return "  " + json.dumps(row, ensure_ascii=False, indent=2).replace("\n", "\n  ")


#: A text as ``json.dumps(text, ensure_ascii=False)`` writes it: the C function that
#: ``JSONEncoder(ensure_ascii=False).encode`` calls for a str, without that method's
#: checks (~10 µs a row).
json_string = json.encoder.encode_basestring


def manifest_json(rows: Iterable[dict[str, str]]) -> bytes:
    """The manifest's text at once (see :func:`manifest_pieces`)."""
    return b"".join(manifest_pieces(rows))


def _csv_pieces(rows: Iterable[dict[str, str]]) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=["record", "data", "output", "status",
                                                "sha256"])
    writer.writeheader()
    for row in rows:
        # A file name or origin such as "=1+1" must stay text in Excel (records.inert).
        writer.writerow({key: csv_value(value) for key, value in row.items()})
        if buffer.tell() >= PIECE:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def write_pieces(path: Path, pieces: Iterable[bytes]) -> None:
    """:func:`~..deliver.files.atomic_write` of the pieces' text, never all of it in
    memory: a temporary file named as ``stage_file`` names it, filled, flushed, renamed
    (replacing the file of an earlier run)."""
    tmp = stage_file(path, b"", sync=False)
    try:
        with open(tmp, "ab") as file:
            for piece in pieces:
                file.write(piece)
            file.flush()
            os.fsync(file.fileno())
    except OSError as error:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise OutputError(f"cannot write: {error.strerror or error}", location=path) from None
    replace_staged(tmp, path, overwrite=True)


def write_manifest(outputs: Outputs, out: Path, fmt: str = "json") -> Path:
    """``out``/manifest.json (or .csv): per output its record, the record's digest, the
    file's name, status and sha256 (:meth:`.plan.Outputs.manifest_rows`)."""
    if fmt == "json":
        path = out / "manifest.json"
        write_pieces(path, text_pieces(outputs.manifest_texts()))
    elif fmt == "csv":
        path = out / "manifest.csv"
        write_pieces(path, _csv_pieces(outputs.manifest_rows()))
    else:
        raise UsageError(f"--manifest {fmt!r}: use json, csv or none")
    return path
