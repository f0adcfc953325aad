"""What a workbook's package parts say, read once per distinct part (issue 16).

Opening a workbook means reading its manifest (``[Content_Types].xml``), its workbook
part and that part's relationships, its styles and its shared strings. openpyxl reads
them into descriptor objects, about 5 ms per workbook, most of it spent on parts that
are the same in every score sheet an office sends out (made from one template, or saved
by the same Excel): the styles, the manifest, the relationships, the workbook part.

So each part's outcome is computed by openpyxl's own code (``read_with_openpyxl``, what
``Workbook`` always did) and remembered by the part's exact bytes: a part with the same
bytes gives the same outcome, so nothing can come out differently. Only the shared
strings differ from workbook to workbook; they are read here (plain ``<si><t>`` entries,
as Excel writes them) with ElementTree, the parser openpyxl uses for them, and an entry
of any other form is handed to openpyxl's own ``Text``. Whenever anything goes wrong or
looks unusual (a part missing, a sheet without a relationship id, an unsupported
suffix), nothing is kept and ``read_with_openpyxl`` reads the workbook from the start,
so every error is raised as before, by the same code.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from .kept import Kept, keep

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_SST, _SI, _T = f"{_MAIN}sst", f"{_MAIN}si", f"{_MAIN}t"
#: The suffixes openpyxl opens (others: it raises, and the fallback lets it).
SUFFIXES = (".xlsx", ".xlsm", ".xltx", ".xltm")
#: Distinct outcomes kept per part kind; an office has a few templates.
KEPT = 32
#: Bytes up to which a workbook is read into memory at once.
SMALL = 1 << 20


@dataclass(frozen=True)
class Parts:
    """What ``records.xlsx.Workbook`` needs from the package parts."""

    sheets: dict[str, tuple[str, str]]  # title → (state, part), in the workbook's order
    epoch: Any  # openpyxl's epoch (a datetime)
    date_formats: frozenset[int]
    timedelta_formats: frozenset[int]
    shared_strings: list[Any]


class _Unsure(Exception):
    """The fast reading is not sure: openpyxl reads the workbook from the start."""


_MANIFESTS, _WORKBOOKS, _RELATIONS, _STYLES = Kept(KEPT), Kept(KEPT), Kept(KEPT), Kept(KEPT)


def forget() -> None:
    """Forget every part seen (for tests that compare a first reading with a later one)."""
    for kept in (_MANIFESTS, _WORKBOOKS, _RELATIONS, _STYLES, _INFLATED):
        kept.clear()


def read_parts(path: Path, data: bytes | None = None) -> tuple[zipfile.ZipFile, Parts]:
    """The open archive and its parts: quickly when sure, else as openpyxl reads them
    (which raises what it always raised for a broken workbook). ``data``: the file's
    bytes, already read (the workbook is read from them, never from the file)."""
    if path.suffix.lower() in SUFFIXES:
        try:
            # A small workbook is read at once: a score sheet's eight parts then cost
            # no file calls each (a register is read from the file as it goes).
            archive = (InMemory(data) if data is not None
                       else InMemory(path.read_bytes()) if path.stat().st_size <= SMALL
                       else zipfile.ZipFile(path))
        except Exception:  # noqa: BLE001 - openpyxl raises it below, as before
            pass
        else:
            try:
                return archive, _read_known(archive)
            except Exception:  # noqa: BLE001 - _Unsure, or any error: openpyxl decides
                archive.close()
    return read_with_openpyxl(path, data)


class InMemory(zipfile.ZipFile):
    """A zip archive held in memory whose members are read without zipfile's file
    object per member (a score sheet has eight small parts to read)."""

    def __init__(self, data: bytes) -> None:
        super().__init__(io.BytesIO(data))
        self.data = data

    def read(self, name: str | zipfile.ZipInfo, pwd: bytes | None = None) -> bytes:
        """What ``ZipFile.read`` gives; read here when the member is stored or deflated,
        not encrypted, and its header, size and CRC are as zipfile checks them (else
        zipfile reads it, and raises what it raises)."""
        if pwd is None and isinstance(name, str):
            return self._read(name, None)
        return super().read(name, pwd)

    def read_common(self, name: str) -> bytes:
        """``read(name)`` for a part most workbooks share (the manifest, the workbook
        part, its relationships, the styles): a member whose stored bytes, compression,
        CRC and size are those of one inflated before gives that one's bytes again, without
        inflating it anew (the same stored bytes inflate to the same bytes; ~5 us a part)."""
        return self._read(name, _INFLATED)

    def _read(self, name: str, kept: Kept | None) -> bytes:
        if self.fp is not None:
            found = _member(self.data, self.NameToInfo.get(name), kept)
            if found is not None:
                return found
        return super().read(name)


#: The parts inflated by ``InMemory.read_common``, each of at most ``COMMON_LARGEST``
#: bytes: (compression, CRC, size, stored bytes) → the bytes.
_INFLATED = Kept(4 * KEPT)
COMMON_LARGEST = 1 << 16
_HEADER = struct.Struct("<4s2B4HL2L2H")  # zipfile.structFileHeader


def _member(data: bytes, info: zipfile.ZipInfo | None, kept: Kept | None = None
            ) -> bytes | None:
    if info is None or info.flag_bits & 0x61 or info.compress_type not in (0, 8):
        return None  # encrypted, patched or strongly encrypted; another compression
    offset = info.header_offset
    if offset + _HEADER.size > len(data):
        return None
    header = _HEADER.unpack_from(data, offset)
    if header[0] != b"PK\x03\x04":
        return None
    start = offset + _HEADER.size
    name = data[start:start + header[10]]
    try:
        if name.decode("utf-8" if header[3] & 0x800 else "cp437") != info.orig_filename:
            return None
    except UnicodeDecodeError:
        return None
    start += header[10] + header[11]
    raw = data[start:start + info.compress_size]
    if len(raw) != info.compress_size:
        return None
    if info.file_size > COMMON_LARGEST:
        kept = None  # never kept: not looked up either (the key would hash all its bytes)
    key = (info.compress_type, info.CRC, info.file_size, raw)
    if kept is not None and key in kept:
        return kept[key]  # checked (size and CRC) when it was inflated
    if info.compress_type == 8:
        inflate = zlib.decompressobj(-15)
        try:
            found = inflate.decompress(raw)
        except zlib.error:
            return None  # zipfile raises it
        if not inflate.eof or inflate.unused_data:
            return None
    else:
        found = raw
    if len(found) != info.file_size or zlib.crc32(found) != info.CRC:
        return None
    if kept is not None:  # len(found) == info.file_size <= COMMON_LARGEST
        keep(kept, key, found, kept.most)
    return found


def read_with_openpyxl(path: Path, data: bytes | None = None
                       ) -> tuple[zipfile.ZipFile, Parts]:
    """openpyxl's own reading of the workbook part, shared strings and styles (what
    ``load_workbook(read_only=True)`` does), without its per-sheet size scan. ``data``:
    the file's bytes, read instead of the file (for a suffix openpyxl opens; for another
    it refuses the path, as before)."""
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.styles.stylesheet import apply_stylesheet

    source: Path | io.BytesIO = (io.BytesIO(data) if data is not None
                                 and path.suffix.lower() in SUFFIXES else path)
    reader = ExcelReader(source, read_only=True, data_only=True, keep_links=False)
    try:
        reader.read_manifest()
        reader.read_strings()
        reader.read_workbook()
        apply_stylesheet(reader.archive, reader.wb)
        sheets: dict[str, tuple[str, str]] = {}
        for sheet, rel in reader.parser.find_sheets():
            if rel.target in reader.valid_files and "chartsheet" not in rel.Type:
                sheets[sheet.name] = (sheet.state or "visible", rel.target)
    except BaseException:
        reader.archive.close()
        raise
    return reader.archive, Parts(sheets, reader.wb.epoch, frozenset(reader.wb._date_formats),
                                 frozenset(reader.wb._timedelta_formats),
                                 reader.shared_strings)


def _read_known(archive: zipfile.ZipFile) -> Parts:
    names = set(archive.namelist())
    read = archive.read_common if isinstance(archive, InMemory) else archive.read
    manifest = read("[Content_Types].xml")
    workbook_part, strings_part, rels_path = _MANIFESTS.get_or(manifest,
                                                               lambda: _manifest(manifest))
    source = read(workbook_part)
    epoch, listed = _WORKBOOKS.get_or((workbook_part, source),
                                      lambda: _workbook(archive, workbook_part))
    rels_source = read(rels_path)
    rels = _RELATIONS.get_or((rels_path, rels_source), lambda: _relations(archive, rels_path))
    styles = read("xl/styles.xml")
    date_formats, timedelta_formats = _STYLES.get_or(styles, lambda: _styles(archive))
    shared = read_shared_strings(archive.read(strings_part)) if strings_part else []
    sheets: dict[str, tuple[str, str]] = {}
    for name, state, rel_id in listed:
        target, kind = rels[rel_id]  # KeyError: openpyxl raises it
        if target in names and "chartsheet" not in kind:
            sheets[name] = (state or "visible", target)
    return Parts(sheets, epoch, date_formats, timedelta_formats, shared)


def _manifest(source: bytes) -> tuple[str, str | None, str]:
    """The workbook part, the shared strings part (if any) and the workbook part's
    relationships part, as openpyxl finds them."""
    from openpyxl.packaging.manifest import Manifest
    from openpyxl.packaging.relationship import get_rels_path
    from openpyxl.reader.excel import _find_workbook_part
    from openpyxl.xml.constants import SHARED_STRINGS
    from openpyxl.xml.functions import fromstring

    package = Manifest.from_tree(fromstring(source))
    strings = package.find(SHARED_STRINGS)
    workbook_part = _find_workbook_part(package).PartName[1:]
    return (workbook_part, strings.PartName[1:] if strings is not None else None,
            str(get_rels_path(workbook_part)))


def _workbook(archive: zipfile.ZipFile, part: str) -> tuple[Any, list[tuple[str, str, str]]]:
    from openpyxl.reader.workbook import WorkbookParser

    parser = WorkbookParser(archive, part, keep_links=False)
    parser.parse()
    if any(not sheet.id for sheet in parser.sheets):
        raise _Unsure("a sheet without a relationship id (openpyxl warns and skips it)")
    return parser.wb.epoch, [(sheet.name, sheet.state, sheet.id) for sheet in parser.sheets]


def _relations(archive: zipfile.ZipFile, rels_path: str) -> dict[str, tuple[str, str]]:
    from openpyxl.packaging.relationship import get_dependents

    return {rel_id: (rel.target, rel.Type)
            for rel_id, rel in get_dependents(archive, rels_path).to_dict().items()}


def _styles(archive: zipfile.ZipFile) -> tuple[frozenset[int], frozenset[int]]:
    """The date and timedelta style ids, as openpyxl's ``apply_stylesheet`` sets them on a
    new workbook (its warnings, if any, are given the first time only; Python's default
    filter shows a warning once anyway)."""
    from openpyxl import Workbook as OpenpyxlWorkbook
    from openpyxl.styles.stylesheet import apply_stylesheet

    book = OpenpyxlWorkbook()
    apply_stylesheet(archive, book)
    return frozenset(book._date_formats), frozenset(book._timedelta_formats)


def read_shared_strings(source: bytes) -> list[Any]:
    """The shared strings as openpyxl's ``read_string_table`` gives them: each ``<si>``'s
    text (its ``<t>``, then the ``<t>`` of its runs; phonetic runs left out), with
    ``x005F_`` taken out. A plain ``<si><t>…</t></si>`` is read here; any other entry by
    openpyxl's ``Text``; a table of another structure raises ``_Unsure``."""
    root = ElementTree.fromstring(source)  # openpyxl's iterparse is ElementTree's too
    if root.tag != _SST:
        raise _Unsure("not a shared-strings table")
    strings: list[Any] = []
    for entry in root:
        if entry.tag != _SI:
            raise _Unsure("something other than <si> in the shared strings")
        if len(entry) == 1 and not entry.attrib:
            text = entry[0]
            if text.tag == _T and not len(text):
                strings.append((text.text or "").replace("x005F_", ""))
                continue
        strings.append(_text_by_openpyxl(entry))
    return strings


def _text_by_openpyxl(entry: ElementTree.Element) -> Any:
    from openpyxl.cell.text import Text

    if sum(1 for _ in entry.iter(_SI)) != 1:
        raise _Unsure("an <si> inside an <si>")
    return Text.from_tree(entry).content.replace("x005F_", "")
