"""What a merge will make, planned in one pass over the data, a part at a time.

Each record is chosen (``--where``, ``--limit``, ``--record``), named, and checked against
what the output folder holds as it comes; one to be made goes to a temporary file, a
chunk of :data:`WRITE_CHUNK` records at a time (:class:`Chunks`: pickled, read back by
whichever process makes the chunk). What stays in memory per output is its name, row
and outcome (:class:`Outputs`), so a register of 10,000 rows costs about what one of
1,000 costs. The errors are raised after the whole data was read, in the order the
whole-table merge raised them: the data's problems, then choosing, then naming, then the
files that exist already.
"""

from __future__ import annotations

import json
import os
import pickle
import tempfile
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any, overload

from ..deliver.files import NamePattern, UniqueNames, default_pattern
from ..errors import CbctError, DataError, OutputError, Problems, UsageError
from ..records import Record
from ..records.model import Origin
from .manifest import json_string, record_digest, row_text, sha256_of

#: Documents are written in chunks: one flush to disk per chunk, and a run killed midway
#: loses at most one chunk of rendering (never a half file).
WRITE_CHUNK = 100

PENDING, MADE, FAILED, SKIPPED = 0, 1, 2, 3
STATUS = ("pending", "made", "failed", "skipped")
_HASH = 40  # bytes per output: its sha256 (32) and its record's digest (8)


class Output:
    """One document of the set, as :class:`Outputs` keeps it (made when asked for)."""

    __slots__ = ("index", "outputs")

    def __init__(self, outputs: Outputs, index: int) -> None:
        self.outputs, self.index = outputs, index

    @property
    def path(self) -> Path:
        return self.outputs.folder / self.outputs.names[self.index]

    @property
    def status(self) -> str:
        return STATUS[self.outputs.status[self.index]]

    @property
    def origin(self) -> Origin:
        return self.outputs.origin(self.index)

    @property
    def sha256(self) -> str:
        return self.outputs.hash_of(self.index)[0]

    @property
    def digest(self) -> str:
        return self.outputs.hash_of(self.index)[1]


class Outputs(Sequence[Output]):
    """The documents of a set, compactly: per output its name, its record's row, its
    status and its sha256 and record digest (bytes in one buffer)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.names: list[str] = []
        self.rows = array("q")
        self.status = bytearray()
        self.hashes = bytearray()
        self.shared: Origin | None = None  # the origin of every record, without its row
        self.odd: dict[int, Origin] = {}  # an origin that differs from it but in its row

    def add(self, name: str, origin: Origin) -> int:
        index = len(self.names)
        self.names.append(name)
        shared = self.shared
        if shared is None:
            self.shared = shared = Origin(origin.file, origin.sheet, None, origin.field,
                                          origin.unit)
        if (origin.file, origin.sheet, origin.field, origin.unit) != \
                (shared.file, shared.sheet, shared.field, shared.unit) or origin.row is None:
            self.odd[index] = origin
        self.rows.append(origin.row or 0)
        self.status.append(PENDING)
        self.hashes.extend(bytes(_HASH))
        return index

    def origin(self, index: int) -> Origin:
        odd = self.odd.get(index)
        if odd is not None:
            return odd
        shared = self.shared
        assert shared is not None
        return Origin(shared.file, shared.sheet, self.rows[index], shared.field, shared.unit)

    def path(self, index: int) -> Path:
        return self.folder / self.names[index]

    def set(self, index: int, status: int, sha256: str = "", digest: str = "") -> None:
        self.set_hashes(index, status, (bytes.fromhex(sha256) if sha256 else bytes(32))
                        + (bytes.fromhex(digest) if digest else bytes(8)))

    def set_hashes(self, index: int, status: int, hashes: bytes) -> None:
        """:meth:`set` with the sha256 and the record digest as their 40 bytes."""
        self.status[index] = status
        self.hashes[index * _HASH:(index + 1) * _HASH] = hashes

    def hash_of(self, index: int) -> tuple[str, str]:
        at = index * _HASH
        sha256, digest = self.hashes[at:at + 32], self.hashes[at + 32:at + _HASH]
        return (sha256.hex() if any(sha256) else "", digest.hex() if any(digest) else "")

    def manifest_rows(self) -> Iterator[dict[str, str]]:
        return (self.manifest_row(index) for index in range(len(self.names)))

    def manifest_texts(self) -> Iterator[str]:
        """Per output, :func:`.manifest.row_text` of its row of :meth:`manifest_rows`,
        built from the shared origin's escaped text, the row number and the hashes'
        hex at once (~16 instead of ~64 ms for 10,000 rows, at the serial end of a merge);
        an output with an origin of its own goes through ``row_text``."""
        shared, odd, names, rows, status = (self.shared, self.odd, self.names, self.rows,
                                            self.status)
        if shared is None:
            return
        # What str(Origin) puts before the row number and after it (":field", or nothing);
        # test_merge_manifest holds these texts to json.dumps of manifest_rows.
        head = f"{Origin(shared.file, shared.sheet, None, None, shared.unit)}:{shared.unit} "
        tail = f":{shared.field}" if shared.field else ""
        record = json_string(head)[:-1], json_string(tail)[1:]  # digits are never escaped
        shown = [json_string(name) for name in STATUS]
        hexes, zero_sha, zero_digest = self.hashes.hex(), "0" * 64, "0" * 16
        for index, name in enumerate(names):
            if index in odd:
                yield row_text(self.manifest_row(index))
                continue
            at = index * 2 * _HASH
            sha, digest = hexes[at:at + 64], hexes[at + 64:at + 2 * _HASH]
            yield (f'  {{\n    "record": {record[0]}{rows[index]}{record[1]},\n'
                   f'    "data": "{"" if digest == zero_digest else digest}",\n'
                   f'    "output": {json_string(name)},\n    "status": {shown[status[index]]},\n'
                   f'    "sha256": "{"" if sha == zero_sha else sha}"\n  }}')

    def manifest_row(self, index: int) -> dict[str, str]:
        sha256, digest = self.hash_of(index)
        return {"record": str(self.origin(index)), "data": digest,
                "output": self.names[index], "status": STATUS[self.status[index]],
                "sha256": sha256}

    def count(self, status: str) -> int:
        return self.status.count(STATUS.index(status))

    def __len__(self) -> int:
        return len(self.names)

    @overload
    def __getitem__(self, index: int) -> Output: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Output]: ...

    def __getitem__(self, index: int | slice) -> Output | Sequence[Output]:
        if isinstance(index, slice):
            return [Output(self, i) for i in range(len(self))[index]]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        return Output(self, index)

    def __iter__(self) -> Iterator[Output]:
        return (Output(self, index) for index in range(len(self)))


class Chunks:
    """The records to make, pickled to a temporary file (unnamed: it goes with the run)
    a chunk at a time, each as its fields and number (its origin is the output's, kept
    in :class:`Outputs`); any process the run forks reads a chunk back by its place. When
    the file cannot be written (a full disk), the chunks from then on stay in memory, and
    the documents' own writes report the disk."""

    def __init__(self, outputs: Outputs) -> None:
        self.outputs = outputs  # where a record's origin is kept
        self.file: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 (close())
        self.writable = True
        self.spans: list[tuple[int, int]] = []
        self.held: dict[int, bytes] = {}  # chunks the file could not take
        self.pending: list[tuple[int, dict[str, Any], int, str]] = []
        self.size = 0

    def add(self, index: int, record: Record) -> None:
        self.pending.append((index, record.fields, record.number, self.outputs.names[index]))
        if len(self.pending) >= WRITE_CHUNK:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        data = pickle.dumps(self.pending, pickle.HIGHEST_PROTOCOL)
        self.pending.clear()
        if self.writable:
            try:
                view = memoryview(data)
                while view:
                    view = view[os.pwrite(self.file.fileno(), view,
                                          self.size + len(data) - len(view)):]
            except OSError:
                self.writable = False
        if not self.writable:
            self.held[len(self.spans)] = data
        self.spans.append((self.size, len(data)))
        self.size += len(data)

    def __len__(self) -> int:
        return len(self.spans)

    def read(self, number: int) -> list[tuple[int, Record]]:
        """Chunk ``number``: (output index, record) for each of its outputs."""
        origin = self.outputs.origin
        return [(index, Record(fields, origin(index), position))
                for index, fields, position, _name in self.entries(*self.spans[number],
                                                                    self.held.get(number))]

    def entries(self, offset: int, size: int, held: bytes | None = None
                ) -> list[tuple[int, dict[str, Any], int, str]]:
        """The chunk at ``offset`` of the file (or ``held``, one the file could not
        take): per output its index, its record's fields and number, and its name (a
        worker forked before this chunk was planned reads it so)."""
        data = held if held is not None else os.pread(self.file.fileno(), size, offset)
        entries: list[tuple[int, dict[str, Any], int, str]] = pickle.loads(data)
        return entries

    def close(self) -> None:
        self.file.close()


class Plan:
    """The outputs of one merge and the records to make, from one pass over the data."""

    def __init__(self, out: Path, pattern: str | None, suffix: str, *,
                 where: Iterable[str] = (), limit: int | None = None,
                 record: int | None = None, overwrite: bool = False,
                 resume: bool = False) -> None:
        self.out, self.pattern, self.suffix = out, pattern, suffix
        self.where, self.limit, self.record = list(where), limit, record
        self.overwrite, self.resume = overwrite, resume
        self.outputs = Outputs(out)
        self.chunks = Chunks(self.outputs)
        self.read = self.chosen = 0
        self.choosing: CbctError | None = None  # the first error choosing records
        self.naming: CbctError | None = None  # the first error naming them
        self.tests: list[Callable[[Record], bool]] | None = None
        self.names: NamePattern | None = None
        self.unique = UniqueNames()
        self.existing: list[str] = []  # the first few names that exist already
        self.exist = 0
        self.kept = _kept_rows(out) if resume and not overwrite else {}
        self.folder_exists = out.is_dir()  # if not, no file of the set exists (no stat)
        self.kept_problems = Problems()

    def take(self, records: Iterable[Record]) -> None:
        for record in records:
            self.read += 1
            if self._chosen(record):
                self.chosen += 1
                if self.naming is None and self.choosing is None:
                    self._plan(record)

    def _chosen(self, record: Record) -> bool:
        """Whether ``record`` is made (as ``select`` chose from the whole table: every
        record is tested, also after the limit, so an unknown field is found)."""
        if self.choosing is not None:
            return False
        try:
            if self.record is not None:
                return self.read == self.record
            if self.tests is None:
                from . import parse_where

                self.tests = parse_where(self.where)
            hit = all(test(record) for test in self.tests)
        except CbctError as error:
            self.choosing = error
            return False
        return hit and (self.limit is None or self.chosen < self.limit)

    def _plan(self, record: Record) -> None:
        try:
            if self.names is None:
                fields = [*record.fields, "_number"]
                self.names = NamePattern(self.pattern or default_pattern(fields))
                self.names.check(fields)
            stem = self.names.stem({**record.fields, "_number": f"{record.number:04d}"})
        except CbctError as error:
            self.naming = error
            return
        name = self.unique.claim(stem, self.suffix)
        index = self.outputs.add(name, record.origin)
        if self.overwrite or not (self.folder_exists and os.path.exists(f"{self.out}/{name}")):
            self.chunks.add(index, record)
        elif self.resume:
            self._keep(index, record)
        else:
            self.exist += 1
            if len(self.existing) < 5:
                self.existing.append(name)

    def _keep(self, index: int, record: Record) -> None:
        """A file made before (--resume): checked against the earlier run's manifest."""
        outputs = self.outputs
        path, digest = outputs.path(index), record_digest(record)
        sha256 = sha256_of(path)
        outputs.set(index, SKIPPED, sha256, digest)
        row = self.kept.get(path.name)
        if row is None:
            return
        if row.get("data") and row["data"] != digest:
            self.kept_problems.add(OutputError(
                f"was made from other data than {record.origin} holds now", location=path,
                hint="the data changed since; use --overwrite to make the set again"))
        elif row.get("sha256") and row["sha256"] != sha256:
            self.kept_problems.add(OutputError(
                "was changed after it was made", location=path,
                hint="use --overwrite to make it again"))

    def finish(self, data: str | Path) -> None:
        """Raise what stops the merge before anything is written (as the merge of the
        whole table raised it); else the last records go to their chunk."""
        if not self.read:
            raise DataError("has a header row but no records", location=data)
        if self.choosing is not None:
            raise self.choosing
        if self.record is not None and not 1 <= self.record <= self.read:
            raise UsageError(f"--record {self.record}: there are {self.read} records")
        if not self.chosen:
            raise DataError(f"no record matches --where {' '.join(self.where)}",
                            location=data)
        if self.naming is not None:
            raise self.naming
        if self.exist:
            shown = ", ".join(self.existing)
            more = f" and {self.exist - 5} more" if self.exist > 5 else ""
            raise OutputError(f"{self.exist} file(s) exist already: {shown}{more}",
                              location=self.out,
                              hint="nothing was written; use --resume to make only the "
                                   "missing ones, or --overwrite to replace them")
        self.kept_problems.raise_if_any()
        self.chunks.flush()


def _kept_rows(out: Path) -> dict[str, dict[str, Any]]:
    """The earlier run's manifest rows by file name (none when it wrote no manifest: a
    run killed midway; then every complete file is kept)."""
    try:
        rows = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        return {row["output"]: row for row in rows if isinstance(row, dict) and "output" in row}
    except (OSError, ValueError, TypeError):
        return {}
