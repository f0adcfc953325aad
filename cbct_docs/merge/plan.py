"""Which records a merge makes documents of, and each document's name (the outputs).

:func:`select` and :func:`plan_outputs` work on a list of records; a merge reads its
data a part at a time (``records.stream``): :func:`plan_stream` plans from a first
reading, :func:`with_records` gives the outputs their records again from a second.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..deliver.files import NamePattern, UniqueNames, default_pattern
from ..errors import UsageError
from ..records import Origin, Record
from ..records.stream import RecordStream
from .manifest import record_digest


class Hashes:
    """The sha256 and record digest of each output of a merge in one buffer, WIDTH bytes
    each (a mark, 32 bytes of sha256, 8 of digest): 10,000 outputs with two small objects
    each, made while the records come and go, left RSS ~3 MB higher than their size."""

    WIDTH = 41
    SHA, DIGEST = 1, 2  # marks: set

    def __init__(self) -> None:
        self.data = bytearray()

    def add(self) -> int:
        self.data += bytes(self.WIDTH)
        return len(self.data) // self.WIDTH - 1

    def get(self, index: int, mark: int, start: int, stop: int) -> str:
        at = index * self.WIDTH
        return self.data[at + start:at + stop].hex() if self.data[at] & mark else ""

    def put(self, index: int, mark: int, start: int, text: str) -> None:
        at = index * self.WIDTH
        if text:
            value = bytes.fromhex(text)
            self.data[at + start:at + start + len(value)] = value
            self.data[at] |= mark
        else:
            self.data[at] &= ~mark


@dataclass(slots=True)  # one per document: 10,000 in a large merge
class Output:
    folder: Path  # one Path for all (a Path each costs ~0.4 KB in a merge of 10,000)
    name: str
    source: Origin  # its record's origin without the row (one for all of a data file)
    row: int | None  # its record's row (or number in a JSON list)
    hashes: Hashes  # its sha256 and digest: at ``index`` (one Hashes for all)
    index: int
    status: str = "pending"  # made | failed | skipped
    #: Its record, while its part of the data is being made (a large merge holds only a
    #: part of the records at any time; records.stream).
    record: Record | None = None

    @classmethod
    def of(cls, folder: Path, name: str, origin: Origin, before: Output | None = None,
           record: Record | None = None) -> Output:
        """``before``: the output planned before this one, whose origin without a row and
        hashes it shares."""
        file, sheet, row, field_name, unit = (origin.file, origin.sheet, origin.row,
                                              origin.field, origin.unit)
        source = before.source if before is not None else None
        if source is None or (source.file, source.sheet, source.field, source.unit) != (
                file, sheet, field_name, unit):
            source = Origin(file, sheet, None, field_name, unit)
        hashes = before.hashes if before is not None else Hashes()
        return cls(folder, name, source, row, hashes, hashes.add(), record=record)

    @property
    def sha256(self) -> str:
        """The written file's sha256 ("" while not known)."""
        return self.hashes.get(self.index, Hashes.SHA, 1, 33)

    @sha256.setter
    def sha256(self, text: str) -> None:
        self.hashes.put(self.index, Hashes.SHA, 1, text)

    @property
    def digest(self) -> str:
        """:func:`record_digest` of its record ("" while not worked out)."""
        return self.hashes.get(self.index, Hashes.DIGEST, 33, 41)

    @digest.setter
    def digest(self, text: str) -> None:
        self.hashes.put(self.index, Hashes.DIGEST, 33, text)

    @property
    def path(self) -> Path:
        return self.folder / self.name

    @property
    def origin(self) -> Origin:
        source = self.source
        return Origin(source.file, source.sheet, self.row, source.field, source.unit)


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
    outputs: list[Output] = []
    for record in records:
        stem = names.stem({**record.fields, "_number": f"{record.number:04d}"})
        outputs.append(Output.of(out, unique.claim(stem, suffix), record.origin,
                                 outputs[-1] if outputs else None, record))
    return outputs


def chosen_records(stream: RecordStream, where: Iterable[str], limit: int | None,
            record: int | None) -> Iterator[Record]:
    """:func:`select` over records read a part at a time: the same records, in order."""
    if record is not None:
        if not 1 <= record <= stream.count:
            raise UsageError(f"--record {record}: there are {stream.count} records")
        position = 0
        for part in stream.parts():
            if position + len(part) >= record:
                yield part[record - 1 - position]
                return
            position += len(part)
        return
    tests = parse_where(where)
    if limit is not None and limit < 0:  # select's slice: all but the last ones
        yield from select([r for part in stream.parts() for r in part], where, limit)
        return
    chosen = 0
    for part in stream.parts():
        for candidate in part:
            if all(t(candidate) for t in tests):  # every record tested, as select does
                chosen += 1
                if limit is None or chosen <= limit:
                    yield candidate


def plan_stream(stream: RecordStream, where: Iterable[str], limit: int | None,
          record: int | None, out: Path, pattern: str | None, suffix: str,
          resume: bool) -> list[Output]:
    """:func:`plan_outputs` of the chosen records, reading them a part at a time; the
    outputs keep no record (with ``resume`` each its record's digest, to check kept
    files against)."""
    names: NamePattern | None = None
    unique = UniqueNames()
    outputs: list[Output] = []
    for chosen in chosen_records(stream, where, limit, record):
        if names is None:
            fields = list(chosen.fields) + ["_number"]
            names = NamePattern(pattern or default_pattern(fields))
            names.check(fields)
        stem = names.stem({**chosen.fields, "_number": f"{chosen.number:04d}"})
        output = Output.of(out, unique.claim(stem, suffix), chosen.origin,
                           outputs[-1] if outputs else None)
        if resume:
            output.digest = record_digest(chosen)
        outputs.append(output)
    return outputs


def with_records(stream: RecordStream, outputs: list[Output], where: Iterable[str],
                 limit: int | None, record: int | None, size: int
                 ) -> Iterator[list[Output]]:
    """The outputs not kept from before, ``size`` at a time, each with its record
    (read again a part at a time: the same records :func:`_plan` chose, in order)."""
    chunk: list[Output] = []
    for output, chosen in zip(outputs, chosen_records(stream, where, limit, record), strict=True):
        if output.status == "skipped":
            continue
        output.record = chosen
        chunk.append(output)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
