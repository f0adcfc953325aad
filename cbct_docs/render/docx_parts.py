"""The two parts of a finished letter (.docx bytes) the address check reads: the document
XML, and a key and reader for the styles part. Read from the zip's local headers, so
neither the zip's directory is read nor the large styles part unpacked for every letter
(its key, checksum and sizes, tells one template's letters apart); an unusual zip
(encrypted, sizes after the data, zip64) is read through :mod:`zipfile`."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Callable, Hashable

DOCUMENT = "word/document.xml"
STYLES = "word/styles.xml"


def document_and_styles(data: bytes) -> tuple[bytes, Hashable, Callable[[], bytes]] | None:
    """document.xml, a key for the styles part and a way to read it; from the zip's local
    headers (no directory read, the styles not unpacked), else through :mod:`zipfile`."""
    document = _local(data, DOCUMENT)
    styles = _local(data, STYLES)
    if document is not None and styles is not None:
        try:
            return _unpack(data, document), styles[:3], lambda: _unpack(data, styles)
        except zlib.error:
            return None
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        xml = archive.read(DOCUMENT)
        info = archive.getinfo(STYLES) if STYLES in archive.namelist() else None
    except (zipfile.BadZipFile, KeyError, zlib.error, OSError):
        return None
    key = (info.CRC, info.file_size) if info is not None else None
    return xml, key, (lambda: archive.read(STYLES)) if info is not None else (lambda: b"")


def _local(data: bytes, name: str) -> tuple[int, int, int, int, int] | None:
    """(crc, compressed size, size, method, where its data starts) of a member, from its
    local header; None when the header does not give them (then :mod:`zipfile` reads it)."""
    encoded = name.encode()
    at = data.find(b"PK\x03\x04", 0)
    while at >= 0 and at + 30 <= len(data):
        (_sig, _version, flags, method, _time, _date, crc, compressed, size, name_length,
         extra) = struct.unpack_from("<IHHHHHIIIHH", data, at)
        start = at + 30 + name_length + extra
        if data[at + 30:at + 30 + name_length] == encoded:
            if flags & 0x9 or method not in (0, 8) or compressed == 0xFFFFFFFF:
                return None  # encrypted, sizes after the data, zip64: let zipfile read it
            return crc, compressed, size, method, start
        if flags & 0x8:
            return None  # sizes after the data: the next header cannot be found this way
        at = start + compressed
        if data[at:at + 4] != b"PK\x03\x04":
            return None
    return None


def _unpack(data: bytes, member: tuple[int, int, int, int, int]) -> bytes:
    _crc, compressed, _size, method, start = member
    raw = data[start:start + compressed]
    return raw if method == 0 else zlib.decompress(raw, -15)
