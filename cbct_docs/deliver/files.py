"""Writing output files safely: sane names, atomic writes, no silent overwrite."""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import os
import re
import shutil
import string
import tempfile
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import DataError, OutputError, UsageError
from .syscalls import CAN_FLUSH_ALL, claim_name, flush_file_systems

_RESERVED = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
# Windows also reserves COM and LPT with the superscript digits ¹ ² ³, and the console
# names CONIN$ and CONOUT$.
_WINDOWS_NAMES = {"con", "prn", "aux", "nul", "conin$", "conout$",
                  *(f"{port}{digit}" for port in ("com", "lpt")
                    for digit in [*map(str, range(1, 10)), "¹", "²", "³"])}
MAX_STEM_BYTES = 180  # leaves room for "-2", the suffix and the temporary-name parts


def safe_filename(text: str, fallback: str = "document") -> str:
    """A file name stem anyone's file system accepts; diacritics are kept.

    ``Stichting "De Kunst" / Noord`` → ``Stichting -De Kunst- - Noord``
    """
    text = str(text)
    if not text.isascii():  # ASCII is NFC already and has no format characters
        text = unicodedata.normalize("NFC", text)
        # Invisible format characters (right-to-left override, zero-width joiner) can make
        # a name read differently from what it is: 'a\u202eexe.docx'. Only the distinct
        # characters beyond ASCII are looked up (an 'é' or two), not every character.
        hidden = {ord(c): None for c in set(_NON_ASCII.findall(text))
                  if unicodedata.category(c) == "Cf"}
        if hidden:
            text = text.translate(hidden)
    text = _RESERVED.sub("-", text)
    text = " ".join(text.split())
    text = re.sub(r"\.{2,}", ".", text).strip(" .-")
    if text.lower().split(".")[0] in _WINDOWS_NAMES:
        text = "_" + text
    # File systems count bytes, not characters: 120 é's would be 240 bytes.
    while len(text.encode("utf-8")) > MAX_STEM_BYTES:
        text = text[:-1]
    return text.rstrip(" .") or fallback


class NamePattern:
    """``{field}`` placeholders filled from a record; no attribute or index access."""

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self.fields: list[str] = []
        try:
            parsed = list(string.Formatter().parse(pattern))
        except ValueError as error:
            raise UsageError(f"name pattern {pattern!r}: {error}",
                             hint="use {field} placeholders, e.g. {cert_nr}-{name}") from None
        for _literal, name, _spec, _conv in parsed:
            if name is None:
                continue
            if not name or any(c in name for c in ".[]"):
                raise UsageError(f"name pattern {pattern!r}: {{{name}}} is not a field name",
                                 hint="use {field} placeholders, e.g. {cert_nr}-{name}")
            self.fields.append(name)

    def check(self, available: Iterable[str]) -> None:
        known = set(available)
        missing = [f for f in self.fields if f not in known]
        if missing:
            raise UsageError(f"name pattern uses unknown field {', '.join(missing)}",
                             hint="fields: " + ", ".join(sorted(known)))

    def stem(self, fields: Mapping[str, Any]) -> str:
        parts = []
        for literal, name, _spec, _conv in string.Formatter().parse(self.pattern):
            parts.append(literal)
            if name is not None:
                if name not in fields:
                    raise DataError(f"name pattern needs field {name!r}")
                value = fields[name]
                if isinstance(value, dict | list | tuple | set | bool):
                    kind = "a yes/no value" if isinstance(value, bool) else "a group of values"
                    raise DataError(f"name pattern field {name!r} holds {kind}, not text",
                                    hint="name files after a text or number field")
                parts.append("" if value is None else str(value))
        # Sanitise the whole name: a field with '../../x' cannot leave the output folder.
        return safe_filename("".join(parts))


KEY_FIELDS = ("cert_nr", "certificate_number", "certificaatnummer", "cert. nr.", "id", "nr")
NAME_FIELDS = ("name", "naam", "organisation", "organisatie", "Naam organisatie")


def default_pattern(fields: Iterable[str]) -> str:
    """A stable key first (certificate number), then the name, when the data has them."""
    available = {f.lower(): f for f in fields}
    key = next((available[k.lower()] for k in KEY_FIELDS if k.lower() in available), None)
    name = next((available[n.lower()] for n in NAME_FIELDS if n.lower() in available), None)
    chosen = [f"{{{f}}}" for f in (key, name) if f]
    return "-".join(chosen) if chosen else "record-{_number}"


class UniqueNames:
    """Gives ``name``, then ``name-2``, ``name-3`` … (case-insensitive, as on Windows)."""

    def __init__(self) -> None:
        self.taken: set[str] = set()

    def claim(self, stem: str, suffix: str) -> str:
        candidate, counter = stem, 1
        while (candidate + suffix).lower() in self.taken:
            counter += 1
            candidate = f"{stem}-{counter}"
        self.taken.add((candidate + suffix).lower())
        return candidate + suffix


#: Numbers the temporary files of this process (with its id in the name: unique per run).
_TEMP_NUMBERS = itertools.count()
#: Creates a new file only; the mode is the umask's (as any file), not mkstemp's 0600.
_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0) | getattr(
    os, "O_BINARY", 0)


def stage_file(path: Path, data: bytes, *, sync: bool) -> str:
    """Write ``data`` next to ``path`` under a hidden name that carries our process id, so
    that a later run can tell a dead run's leftovers from a live writer's file."""
    for _attempt in range(100):  # a name taken already (a dead run's leftover): the next
        tmp = temp_name(path)
        if new_file(tmp, data, sync=sync, location=path):
            return tmp
    raise OutputError("cannot write: no free temporary name", location=path)


def temp_name(path: Path) -> str:
    """A hidden name next to ``path`` for its bytes until they are complete: the name,
    our process id and a number new to this process."""
    return f"{path.parent}{os.sep}.{path.name}.{os.getpid()}.{next(_TEMP_NUMBERS)}.tmp"


def new_file(name: str, data: bytes, *, sync: bool, location: Path | str) -> bool:
    """Write ``data`` as the new file ``name``, never into one that exists (False then);
    any other failure is an :class:`OutputError` located at ``location`` (the document's
    real name), and nothing half-written stays behind."""
    try:
        fd = os.open(name, _NEW_FILE, 0o666)
    except FileExistsError:
        return False
    except OSError as error:
        raise OutputError(f"cannot write: {error.strerror or error}",
                          location=location) from None
    _fill(fd, name, data, sync, location)
    return True


def _fill(fd: int, name: str, data: bytes, sync: bool, location: Path | str) -> None:
    """Write ``data`` to the new file open at ``fd`` and close it; on failure the file
    goes and the error is located at ``location``."""
    try:
        try:  # os.write straight away: a file object would ask whether fd is a terminal
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            if sync:
                os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as error:
        with contextlib.suppress(OSError):
            os.unlink(name)
        raise OutputError(f"cannot write: {error.strerror or error}",
                          location=location) from None


def replace_staged(tmp: str, path: Path, overwrite: bool = True) -> None:
    """Move the finished temporary file to its name. Without ``overwrite`` the name is
    claimed only if free, so a file another run made meanwhile is never replaced."""
    try:
        if overwrite:
            os.replace(tmp, path)
        else:
            claim_name(tmp, path)
    except FileExistsError:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise OutputError("exists already (made by another run meanwhile)", location=path,
                          hint="use --overwrite to replace it") from None
    except OSError as error:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise OutputError(f"cannot write: {error.strerror or error}", location=path) from None


_temp_file, _replace = stage_file, replace_staged  # the names the tests know them by


def _as_bytes(data: bytes | str) -> bytes:
    return data.encode("utf-8") if isinstance(data, str) else data


def _refuse(path: Path, overwrite: bool) -> None:
    if path.exists() and not overwrite:
        raise OutputError("exists already", location=path, hint="use --overwrite to replace it")


def atomic_write(path: Path, data: bytes | str, *, overwrite: bool = False) -> str:
    """Write via a flushed temporary file in the same folder, then rename. Returns the sha256.

    A file under its real name is therefore always complete, even after a crash."""
    data = _as_bytes(data)
    _refuse(path, overwrite)
    replace_staged(stage_file(path, data, sync=True), path, overwrite)
    return hashlib.sha256(data).hexdigest()


@dataclass
class Written:
    path: Path
    sha256: str = ""
    error: OutputError | None = None
    withdrawn: bool = False  # not written because another file of the set could not be


def write_files(items: Iterable[tuple[Path, bytes | str]], *,
                overwrite: bool = False, all_or_nothing: bool = False) -> list[Written]:
    """Many files, each as safe as :func:`atomic_write`, with one flush to disk for all.

    Every file goes to its temporary name first; one flush of the file system they are on
    (:func:`flush_file_systems`) then makes them all durable before any is renamed into
    place. (A flush per file costs ~0.4-3 ms, which would cap a batch at a few hundred
    files a second.) A file that cannot be written is reported in its ``error``; the others
    are written — or, with ``all_or_nothing`` (a lifecycle run, which promises to write
    nothing when it cannot write everything: a full disk), none is and each is marked
    ``withdrawn``.
    """
    results: list[Written] = []
    staged: list[tuple[str, Written]] = []
    each = not CAN_FLUSH_ALL  # Windows: no sync of a whole file system; each file then
    for path, data in items:
        result = Written(path)
        results.append(result)
        raw = _as_bytes(data)
        try:
            _refuse(path, overwrite)
            staged.append((stage_file(path, raw, sync=each), result))
            result.sha256 = hashlib.sha256(raw).hexdigest()
        except OutputError as error:
            result.error = error
    if all_or_nothing and any(result.error for result in results):
        for tmp, result in staged:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            result.withdrawn, result.sha256 = True, ""
        return results
    if staged and not each:
        flush_file_systems({result.path.parent for _tmp, result in staged})
    for tmp, result in staged:
        try:
            replace_staged(tmp, result.path, overwrite)
        except OutputError as error:
            result.error, result.sha256 = error, ""
    return results


TEMP_GLOB = ".*.tmp"


def writer_of(temp: Path) -> int:
    """The process id in one of our temporary names (``.<name>.<pid>.<number>.tmp``, see
    :func:`temp_name`); 0 for any other name."""
    if not temp.name.endswith(".tmp"):
        return 0
    parts = temp.name[: -len(".tmp")].rsplit(".", 2)
    return int(parts[1]) if len(parts) == 3 and parts[1].isdecimal() else 0


def _is_stale(temp: Path) -> bool:
    """Left by a process that no longer runs (one of our temporary names)."""
    writer = writer_of(temp)
    return writer != 0 and not _process_alive(writer)  # 0: not ours, left alone


def _process_alive(pid: int) -> bool:
    """Whether a process runs; never signals it (on Windows ``os.kill`` would end it)."""
    if os.name == "nt":
        try:
            import psutil
        except ImportError:
            return True  # cannot tell: keep the file
        return bool(psutil.pid_exists(pid))
    try:
        os.kill(pid, 0)  # POSIX: signal 0 only asks
    except ProcessLookupError:
        return False
    except OSError:
        return True  # alive, owned by someone else
    return True


def ensure_folder(folder: Path) -> None:
    """Create the output folder, check it is writable, and clear temporary files that a
    killed run left behind (files of a writer that is still running are left alone)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OutputError(f"cannot create folder: {error.strerror}", location=folder) from None
    try:  # a real probe: os.access says yes to root even on read-only or immutable folders
        fd, probe = tempfile.mkstemp(prefix=f".probe.{os.getpid()}.", suffix=".tmp", dir=folder)
        os.close(fd)
        os.unlink(probe)
    except OSError as error:
        raise OutputError(f"folder is not writable ({error.strerror})", location=folder,
                          hint="choose another --out folder or fix its permissions") from None
    for stale in folder.glob(TEMP_GLOB):
        if _is_stale(stale):
            if stale.is_dir() and not stale.is_symlink():  # a dead run's staging folder
                shutil.rmtree(stale, ignore_errors=True)
                continue
            with contextlib.suppress(OSError):
                stale.unlink()
