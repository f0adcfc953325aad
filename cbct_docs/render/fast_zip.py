"""Write a .docx zip from a template zip, copying unchanged members pre-compressed.

A letter changes three or four XML parts; the styles, fonts, images and relations stay as
they are. Python's :mod:`zipfile` would inflate and deflate every member again for every
document; :class:`ZipCopier` keeps each unchanged member's compressed bytes once and
writes them as they are, so only the rendered parts cost compression time.
"""

from __future__ import annotations

import itertools
import struct
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from isal import isal_zlib

_LOCAL = struct.Struct("<4s5H3L2H")  # local file header, 30 bytes
_CENTRAL = struct.Struct("<4s6H3L5HL")  # central directory entry, 46 bytes with its
_OFFSET = struct.Struct("<L")  # last field, the member's offset
_END = struct.Struct("<4s4H2LH")  # end of central directory, 22 bytes
_UTF8_NAME = 0x800
_LIMIT = 0xFFFF_FFFF
#: ISA-L's level for rendered parts (raw deflate, read by every inflater): its level 0 is
#: a real compressor (a letter's body 4.4 KB → 1.0 KB) at ~4 µs where zlib's level 1 took
#: ~25 µs, mostly to set up its state for every small part.
COMPRESS_LEVEL = 0


class UnsupportedZip(Exception):
    """The template zip uses a feature this writer does not copy (ZIP64, encryption)."""


@dataclass
class _Member:
    """A zip member: its header fields and compressed bytes."""

    name: bytes
    flags: int
    method: int
    time: int
    date: int
    crc: int
    compressed: bytes
    size: int
    external_attr: int
    made_by: int
    #: Its local header with the name, and its central directory entry up to the offset:
    #: made when first written (not copied by dataclasses.replace).
    heads: tuple[bytes, bytes] | None = field(default=None, init=False, repr=False,
                                              compare=False)

    def written(self) -> tuple[bytes, bytes]:
        if self.heads is None:
            size = len(self.compressed)
            self.heads = (
                _LOCAL.pack(b"PK\x03\x04", 20, self.flags, self.method, self.time,
                            self.date, self.crc, size, self.size, len(self.name), 0)
                + self.name,
                _CENTRAL.pack(b"PK\x01\x02", self.made_by, 20, self.flags, self.method,
                              self.time, self.date, self.crc, size, self.size,
                              len(self.name), 0, 0, 0, 0, self.external_attr))
        return self.heads


Member = _Member


def _encode_name(name: str) -> tuple[bytes, int]:
    try:
        return name.encode("ascii"), 0
    except UnicodeEncodeError:
        return name.encode("utf-8"), _UTF8_NAME


def _raw_member(data: bytes, info: zipfile.ZipInfo) -> _Member:
    """The member's compressed bytes, sliced straight out of the template's zip."""
    if info.flag_bits & 0x1:
        raise UnsupportedZip(f"{info.filename} is encrypted")
    if max(info.compress_size, info.file_size, info.header_offset) >= _LIMIT:
        raise UnsupportedZip(f"{info.filename} needs ZIP64")
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise UnsupportedZip(f"{info.filename} uses compression method {info.compress_type}")
    header = _LOCAL.unpack_from(data, info.header_offset)
    start = info.header_offset + _LOCAL.size + header[9] + header[10]
    compressed = data[start : start + info.compress_size]
    name, utf8 = _encode_name(info.filename)
    time = (info.date_time[3] << 11) | (info.date_time[4] << 5) | (info.date_time[5] // 2)
    date = ((info.date_time[0] - 1980) << 9) | (info.date_time[1] << 5) | info.date_time[2]
    # Bit 3 (sizes in a trailing descriptor) is dropped: we write the sizes up front.
    flags = (info.flag_bits & 0x6) | utf8
    return _Member(name, flags, info.compress_type, time, date, info.CRC, compressed,
                   info.file_size, info.external_attr, (info.create_system << 8) | 20)


class ZipCopier:
    """The template's members, ready to be written again with some of them replaced."""

    def __init__(self, data: bytes) -> None:
        import io

        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            if len({i.filename for i in infos}) != len(infos):
                raise UnsupportedZip("the zip holds a member name twice")
            self.members = {i.filename: _raw_member(data, i) for i in infos}
        self.order = [i.filename for i in infos]
        #: Per set of replaced member names: how a document is put together.
        self._layouts: dict[frozenset[str], list[str | _Run]] = {}

    def compress(self, filename: str, content: bytes) -> Member:
        """``content`` as a deflated member that takes the place of ``filename``."""
        return _fresh(self.members[filename], content)

    def write(self, replaced: Mapping[str, bytes | Member],
              added: Sequence[Member] = ()) -> bytes:
        """A zip with the template's members, in order, ``replaced`` ones compressed anew
        (or given already compressed, from :meth:`compress`), and ``added`` ones after them."""
        names = frozenset(replaced)
        layout = self._layouts.get(names)
        if layout is None:
            layout = self._layouts[names] = self._layout(names)
        chunks: list[bytes] = []
        central: list[bytes] = []
        offset = 0
        pack = _OFFSET.pack
        for piece in itertools.chain(layout, added):
            if isinstance(piece, tuple):  # a run of unchanged members
                blob, entries = piece
                chunks.append(blob)
                for entry, relative, name in entries:
                    central += (entry, pack(offset + relative), name)
                offset += len(blob)
                continue
            if isinstance(piece, str):
                content = replaced[piece]
                member = (_fresh(self.members[piece], content) if isinstance(content, bytes)
                          else content)
            else:
                member = piece
            local, entry = member.written()
            central += (entry, pack(offset), member.name)
            chunks += (local, member.compressed)
            offset += len(local) + len(member.compressed)
        directory = b"".join(central)
        if offset + len(directory) >= _LIMIT:
            raise UnsupportedZip("the document would need ZIP64")
        count = len(self.order) + len(added)
        end = _END.pack(b"PK\x05\x06", 0, 0, count, count, len(directory), offset, 0)
        chunks += (directory, end)
        return b"".join(chunks)

    def _layout(self, replaced: frozenset[str]) -> list[str | _Run]:
        """The members in order: each replaced one by name, and each run of unchanged ones
        as their local headers and data in one piece, with their directory entries and
        where each starts in that piece (so a document copies each run at once)."""
        layout: list[str | _Run] = []
        blob: list[bytes] = []
        entries: list[tuple[bytes, int, bytes]] = []
        size = 0
        for filename in self.order:
            if filename in replaced:
                if blob:
                    layout.append((b"".join(blob), entries))
                    blob, entries, size = [], [], 0
                layout.append(filename)
                continue
            member = self.members[filename]
            local, entry = member.written()
            entries.append((entry, size, member.name))
            blob += (local, member.compressed)
            size += len(local) + len(member.compressed)
        if blob:
            layout.append((b"".join(blob), entries))
        return layout


#: Unchanged members written as one piece: their bytes, and per member its directory
#: entry (up to its offset), where it starts in those bytes, and its name.
_Run = tuple[bytes, list[tuple[bytes, int, bytes]]]


def _fresh(member: _Member, content: bytes) -> _Member:
    compressed = isal_zlib.compress(content, COMPRESS_LEVEL, -15)  # raw deflate
    return _Member(member.name, member.flags & _UTF8_NAME, zipfile.ZIP_DEFLATED,
                   member.time, member.date, isal_zlib.crc32(content), compressed,
                   len(content), member.external_attr, member.made_by)
