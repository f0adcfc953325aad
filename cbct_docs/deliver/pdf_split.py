"""Letters to PDF as one bundle: one conversion, then the PDF is cut back into letters.

LibreOffice pays a cost per file it opens, far more than per page: 50 letters converted
one by one in a batch take about 2.5× as long as the same letters bundled into one
document. So letters that can share a bundle (``make_bundle`` keeps the first letter's
styles, list definitions and settings) are bundled with a bookmark at the start of every
letter; the PDF filter turns the bookmarks into named destinations, and those tell on
which page each letter starts. Anything that does not add up sends the letters back to
the file-by-file route.
"""

from __future__ import annotations

import functools
import hashlib
import io
import logging
import posixpath
import re
import struct
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from lxml import etree

from ..render.limits import check_package
from .bundle import (
    BOOKMARK_FORMAT,
    OFFICE_DOCUMENT,
    PKG_REL,
    make_bundle,
)
from .bundle_headers import W
from .bundle_pages import PLAIN_NUMPAGES, counts_pages_from_one, starts_at_one
from .bundle_parts import MAX_PACKAGE_BYTES, MAX_PART_BYTES, resolve

if TYPE_CHECKING:
    from pypdf import PdfReader

log = logging.getLogger(__name__)

#: PDF export that keeps Word bookmarks as named destinations (JSON filter options, LO ≥ 7.4).
BOOKMARK_CONVERSION = ["--convert-to", 'pdf:writer_pdf_Export:{"ExportBookmarksToPDFDestination"'
                       ':{"type":"boolean","value":"true"}}']
# Parts make_bundle takes from the first letter only: every letter must have the same.
_SHARED = ("styles", "numbering", "settings", "fontTable", "theme", "stylesWithEffects",
           "webSettings", "footnotes", "endnotes", "comments")
_SHARED_TYPES = tuple(f"/relationships/{kind}" for kind in _SHARED)
# Fields that give the same result in a bundle as in the letter alone.
_SAFE_FIELDS = {"PAGE", "HYPERLINK"}
# Settings under which LibreOffice may add blank pages or swap headers by page parity.
_PARITY_SETTINGS = ("mirrorMargins", "evenAndOddHeaders", "bookFoldPrinting", "gutterAtTop")
_NOTES = re.compile(rb"<w:(?:footnote|endnote|comment)Reference\b")
_INSTRUCTION = re.compile(rb'instr(?:Text\b[^>]*>|=")([^<"]*)')
# Measured to lay out alike in a bundle and alone: letters of one or two pages, with at
# most one heading kept with a table (the bevestigingsbrief's "Afspraken").
MAX_PAGES = 2
MAX_KEPT_TABLES = 1
# Two LibreOffice runs at once pay a start-up each (~1.5 s of a core): only for bundles
# whose conversion takes about as long, 50 letters of 2 pages: 2.5-2.7 s beside 3.0-3.2 s.
HALF_BUNDLE = 10
# LibreOffice writes "_" in a destination name as "5F" (hex of the character).
_DESTINATION = re.compile(r"cbct(?:_|5F)(letter|end)(?:_|5F)(\d+)$")


@dataclass
class Group:
    """Letters bundled for one conversion."""

    letters: list[Path]
    bundle: Path
    titles: list[str | None]


def bundle_key(path: Path) -> tuple[str | None, str]:
    """(key, title): letters with the same key can share a bundle; key None: they cannot."""
    try:
        return _key_of(_xml_parts(path))
    except (OSError, zipfile.BadZipFile, KeyError, StopIteration, AttributeError,
            etree.XMLSyntaxError):
        return None, ""  # the file-by-file route reports what is wrong with it


# Unpacked large parts by their packed bytes: the letters of one template carry the same
# styles (350 kB) and stylesWithEffects (440 kB), unpacked once instead of per letter.
# Parts of 32 kB to 4 MB, at most 16 MB of them (a long-running web app keeps them).
_UNPACKED: dict[tuple[str, int, int, int, bytes], bytes] = {}
LARGE_PART, KEPT_PART, KEPT_BYTES = 1 << 15, 1 << 22, 1 << 24


def _xml_parts(path: Path) -> dict[str, bytes]:
    """The .xml and .rels parts, as ``read_parts`` reads them (checked for a zip bomb).

    A large part packed byte for byte as one seen before (same name, CRC, sizes and
    packed bytes) holds the same bytes: it is taken from there, not unpacked again.
    """
    with zipfile.ZipFile(path) as archive:
        check_package(archive, path, part_limit=MAX_PART_BYTES,
                      total_limit=MAX_PACKAGE_BYTES)
        parts = {}
        for info in archive.infolist():
            if not info.filename.endswith((".xml", ".rels")):
                continue
            if not LARGE_PART <= info.file_size <= KEPT_PART or info.compress_type not in (
                    zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                parts[info.filename] = archive.read(info)
                continue
            key = (info.filename, info.CRC, info.file_size, info.compress_type,
                   hashlib.sha256(_packed(archive, info)).digest())
            if key not in _UNPACKED:
                while _UNPACKED and sum(map(len, _UNPACKED.values())) + info.file_size \
                        > KEPT_BYTES:
                    _UNPACKED.pop(next(iter(_UNPACKED)))  # the oldest first
                _UNPACKED[key] = archive.read(info)
            parts[info.filename] = _UNPACKED[key]
        return parts


def _packed(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """A member's bytes as stored in the zip (after its local header), not unpacked."""
    source = archive.fp
    if source is None:
        raise zipfile.BadZipFile("closed")
    source.seek(info.header_offset)
    header = source.read(30)
    if len(header) != 30 or header[:4] != b"PK\x03\x04":
        raise zipfile.BadZipFile(f"bad local header of {info.filename}")
    names, extra = struct.unpack("<HH", header[26:30])
    source.seek(names + extra, io.SEEK_CUR)
    return source.read(info.compress_size)


def _key_of(parts: dict[str, bytes]) -> tuple[str | None, str]:
    if "[Content_Types].xml" not in parts:
        return None, ""  # make_bundle would refuse it
    rels = etree.fromstring(parts["_rels/.rels"])
    main = next(r.get("Target") for r in rels if r.get("Type") == OFFICE_DOCUMENT).lstrip("/")
    folder, main_name = posixpath.split(main)
    main_rels = etree.fromstring(parts.get(posixpath.join(folder, "_rels", main_name + ".rels"),
                                           b"<Relationships/>"))
    digest = hashlib.sha256()
    for rel in sorted(main_rels.iter(f"{{{PKG_REL}}}Relationship"),
                      key=lambda r: r.get("Type", "")):
        kind, target = rel.get("Type", ""), rel.get("Target", "")
        if kind.endswith(_SHARED_TYPES):
            shared = parts.get(resolve(main, target), b"")
            if kind.endswith("/settings") and any(
                    f"<w:{name}".encode() in shared for name in _PARITY_SETTINGS):
                return None, ""
            digest.update(kind.encode() + b"\0" + _sha256(shared) + b"\0")
    document = parts.get(main, b"")
    if _NOTES.search(document):
        return None, ""  # make_bundle cannot carry a later letter's notes over
    layout = _layout_key(document, parts.get(_styles_part(main, main_rels), b""))
    if layout is None:
        return None, ""
    digest.update(layout.encode())
    if not _fields_safe(parts, folder, main, main_rels):
        return None, ""
    return digest.hexdigest(), _title(parts.get("docProps/core.xml"))


def _sha256(data: bytes) -> bytes:
    """A part's digest; a large part kept in ``_UNPACKED`` is one bytes object for all
    letters of a template, so its digest is remembered (a few: one per part kind)."""
    if LARGE_PART <= len(data) <= KEPT_PART:
        return _shared_sha256(data)
    return hashlib.sha256(data).digest()


@functools.lru_cache(maxsize=8)
def _shared_sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def _fields_safe(parts: dict[str, bytes], folder: str, main: str,
                 main_rels: etree._Element) -> bool:
    """Whether every field gives the same in the bundle as alone.

    PAGE does (each letter is numbered from 1), and so does a plain NUMPAGES in the body,
    a header or a footer: the bundle makes it count the letter's own pages
    (``bundle_pages``). FILENAME, REF, NUMPAGES elsewhere … would tell of the bundle.
    """
    counted = {main} | {resolve(main, r.get("Target", "")) for r in main_rels
                        if r.get("Type", "").endswith(("/header", "/footer"))}
    for name, data in parts.items():
        if name.startswith(folder) and b"instr" in data and not name.endswith(".rels"):
            for match in _INSTRUCTION.finditer(data):
                instruction = match.group(1).decode("utf-8", "replace")
                field = instruction.split()
                if not field or field[0][0] == "\\" or field[0].upper() in _SAFE_FIELDS:
                    continue
                if name in counted and PLAIN_NUMPAGES.match(instruction):
                    continue
                return False
    return True


def _styles_part(main: str, rels: etree._Element) -> str:
    return next((resolve(main, r.get("Target", "")) for r in rels
                 if r.get("Type", "").endswith("/relationships/styles")), "")


def _layout_key(document: bytes, styles: bytes) -> str | None:
    """Which headers and footers the sections define; None where a bundle may lay out anew.

    A section without a header of its own shows the previous section's: in a bundle that
    is the previous letter's. Letters whose sections all define the same kinds inherit
    only what they would show alone. And LibreOffice can break the pages of a long
    document with headings kept with tables elsewhere inside a bundle than alone
    (measured: audit reports did), so such documents are converted alone.
    """
    body = etree.fromstring(document).find(f"{{{W}}}body")
    if body is None:
        return None
    sections = list(body.iter(f"{{{W}}}sectPr"))
    if len(sections) > 1:
        return None  # several sections (a bijlage in landscape…): measured only alone
    if not all(starts_at_one(s) and counts_pages_from_one([s]) for s in sections):
        return None  # pages numbered from 5, or i, ii, iii: a bundle numbers 1, 2, 3
    kinds = {" ".join(sorted(f"{etree.QName(r).localname}:{r.get(f'{{{W}}}type')}"
                             for r in section
                             if etree.QName(r).localname in ("headerReference",
                                                             "footerReference"))
                      + [str(section.find(f"{{{W}}}titlePg") is not None)])
             for section in body.iter(f"{{{W}}}sectPr")}
    if len(kinds) != 1:
        return None
    if b"<w:tbl>" in document or b"<w:tbl " in document:
        keep = _keep_next_styles(styles)
        kept = sum(1 for table in body.iter(f"{{{W}}}tbl")
                   if (before := table.getprevious()) is not None
                   and before.tag == f"{{{W}}}p" and _keeps_next(before, keep))
        if kept > MAX_KEPT_TABLES:
            return None
    return kinds.pop()


@functools.lru_cache(maxsize=8)
def _keep_next_styles(styles: bytes) -> frozenset[str]:
    """Paragraph styles that keep with the next paragraph, through their base styles.

    Letters of one template share their styles: parsed once per batch, not per letter.
    """
    if not styles:
        return frozenset()
    own: dict[str, bool | None] = {}
    based: dict[str, str] = {}
    for style in etree.fromstring(styles).iter(f"{{{W}}}style"):
        name = style.get(f"{{{W}}}styleId", "")
        keep = style.find(f"{{{W}}}pPr/{{{W}}}keepNext")
        own[name] = None if keep is None else _on(keep)
        base = style.find(f"{{{W}}}basedOn")
        if base is not None:
            based[name] = base.get(f"{{{W}}}val", "")
    found = set()
    for name in own:
        seen, current = set(), name
        while current in own and own[current] is None and current not in seen:
            seen.add(current)
            current = based.get(current, "")
        if own.get(current):
            found.add(name)
    return frozenset(found)


def _keeps_next(paragraph: etree._Element, styles: frozenset[str]) -> bool:
    keep = paragraph.find(f"{{{W}}}pPr/{{{W}}}keepNext")
    if keep is not None:
        return _on(keep)
    style = paragraph.find(f"{{{W}}}pPr/{{{W}}}pStyle")
    return style is not None and style.get(f"{{{W}}}val", "") in styles


def _on(toggle: etree._Element) -> bool:
    return toggle.get(f"{{{W}}}val", "true") not in ("0", "false", "off")


def _title(core: bytes | None) -> str:
    if not core:
        return ""
    found = etree.fromstring(core).find("{http://purl.org/dc/elements/1.1/}title")
    return (found.text or "").strip() if found is not None else ""


def plan_groups(letters: Sequence[Path], scratch: Path, *, halves: bool = False
                ) -> tuple[list[Group], list[Path]]:
    """Bundles (in ``scratch``) for letters that can share one; the rest go file by file.

    With ``halves``, letters enough for two bundles of at least ``HALF_BUNDLE`` letters
    make two (in their order), for two LibreOffice runs at once.
    """
    by_key: dict[str, list[Path]] = {}
    titles: dict[Path, str] = {}
    alone = []
    for path in letters:
        key, titles[path] = bundle_key(path) if path.suffix.lower() == ".docx" else (None, "")
        if key is None:
            alone.append(path)
        else:
            by_key.setdefault(key, []).append(path)
    groups = []
    scratch.mkdir(parents=True, exist_ok=True)
    stems = {p.stem.lower() for p in letters}  # PDFs of letters and bundles share a folder
    shares = []
    for members in by_key.values():
        if halves and len(members) >= 2 * HALF_BUNDLE:
            shares += [members[:len(members) // 2], members[len(members) // 2:]]
        else:
            shares.append(members)
    for number, members in enumerate(shares, start=1):
        if len(members) < 2:
            alone.extend(members)
            continue
        name = f"cbct-bundle-{number}"
        while name.lower() in stems:
            name += "-b"
        bundle = scratch / f"{name}.docx"
        try:
            make_bundle(members, bundle, bookmarks=True)
        except Exception as error:  # noqa: BLE001 — any trouble: convert them one by one
            log.warning("PDF: %d letters converted one by one: cannot bundle them (%s)",
                        len(members), error)
            alone.extend(members)
            continue
        groups.append(Group(members, bundle, [titles[p] or None for p in members]))
    return groups, alone


def split_bundle(group: Group, pdf: Path, into: Path) -> list[Path]:
    """Write ``into/<stem>.pdf`` per letter of the group; returns the letters it could not.

    Those are all of them when the named destinations do not add up (a letter without a
    start, pages out of order, an unreadable PDF); any letter longer than ``MAX_PAGES``
    (only short letters were measured to keep their page breaks in a bundle); and any
    letter whose end is not on its last page (its page count, "pagina 1 van 2", is the
    page number of its end: ``bundle_pages``).
    """
    import pypdf

    try:
        reader = pypdf.PdfReader(pdf)
        problem, pages, ends = _letter_pages(reader, len(group.letters))
    except (OSError, pypdf.errors.PyPdfError) as error:
        problem, pages, ends = f"cannot read the converted bundle: {error}", [], {}
    if problem:
        log.warning("PDF: %d letters converted one by one instead of as a bundle: %s",
                    len(group.letters), problem)
        return group.letters
    metadata = {k: v for k, v in (reader.metadata or {}).items() if k != "/Title"}
    long, moved = [], []
    for n, (letter, title) in enumerate(zip(group.letters, group.titles, strict=True)):
        if pages[n + 1] - pages[n] > MAX_PAGES:
            long.append(letter)
            continue
        if ends.get(n + 1) != pages[n + 1] - 1:
            moved.append(letter)
            continue
        writer = pypdf.PdfWriter()
        for index in range(pages[n], pages[n + 1]):
            writer.add_page(reader.pages[index])
        writer.add_metadata({**metadata, **({"/Title": title} if title else {})})
        buffer = io.BytesIO()
        writer.write(buffer)
        (into / f"{letter.stem}.pdf").write_bytes(buffer.getvalue())
    log.info("PDF: %d letters converted as one bundle (%d pages)",
             len(group.letters) - len(long) - len(moved), pages[-1])
    if long:
        log.warning("PDF: %d letter(s) longer than %d pages converted one by one, first %s",
                    len(long), MAX_PAGES, long[0].name)
    if moved:
        log.warning("PDF: %d letter(s) whose end is not on their last page converted one by "
                    "one, first %s", len(moved), moved[0].name)
    return long + moved


def _letter_pages(reader: PdfReader, count: int) -> tuple[str, list[int], dict[int, int]]:
    """Why the bundle cannot be split, or the first page of every letter plus the total,
    and the page of every letter's end."""
    total = len(reader.pages)
    found: dict[str, dict[int, int]] = {"letter": {}, "end": {}}
    for name, destination in reader.named_destinations.items():
        match = _DESTINATION.search(str(name))
        page = reader.get_destination_page_number(destination) if match else None
        if match and page is not None:
            found[match.group(1)][int(match.group(2))] = page
    starts = found["letter"]
    missing = [n for n in range(1, count + 1) if n not in starts]
    if missing:
        return (f"no page found for {len(missing)} letter(s), first "
                f"{BOOKMARK_FORMAT.format(missing[0])}"), [], {}
    pages = [starts[n] for n in range(1, count + 1)] + [total]
    if pages[0] != 0 or any(a >= b for a, b in zip(pages, pages[1:], strict=False)):
        return f"letters do not start on increasing pages: {pages[:-1]} of {total}", [], {}
    return "", pages, found["end"]
