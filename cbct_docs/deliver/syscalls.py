"""The system calls that make writing files safe and fast, where the system has them.

- A rename that never replaces an existing name: Linux's ``renameat2(RENAME_NOREPLACE)``
  (:func:`rename_without_replacing`, :func:`claim_name`), else a hard link and an unlink.
- One flush of a whole file system instead of one per file: Linux's ``syncfs``, else
  ``os.sync()`` (:func:`flush_file_systems`).

The C library's functions are looked up once, at import; :mod:`cbct_docs.deliver.files`
builds its writing on these (and gives their names on to those who import them there).
"""

from __future__ import annotations

import errno
import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any


def _libc(name: str, argtypes: list[Any]) -> Any:
    """A Linux C library function by name, typed, or None (other systems, older libc)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        function = ctypes.CDLL(None, use_errno=True)[name]
    except (OSError, AttributeError):
        return None
    function.argtypes = argtypes
    function.restype = ctypes.c_int
    return function


def _renameat2() -> Any:
    """Linux's ``renameat2`` (glibc 2.28+), for a rename that never replaces, or None."""
    import ctypes

    return _libc("renameat2", [ctypes.c_int, ctypes.c_char_p, ctypes.c_int,
                               ctypes.c_char_p, ctypes.c_uint])


_RENAMEAT2 = _renameat2()
_AT_FDCWD, _RENAME_NOREPLACE = -100, 1


def can_rename_without_replacing() -> bool:
    """Whether :func:`rename_without_replacing` can be done here (Linux's renameat2)."""
    return _RENAMEAT2 is not None


def rename_without_replacing(source: str, target: str | Path) -> bool:
    """``source`` renamed to ``target`` unless that name exists (one
    ``renameat2(RENAME_NOREPLACE)``, for a file or a whole folder). False: not done (the
    name is taken, or this system or file system cannot)."""
    rename = _RENAMEAT2  # None where there is none, or once it said it cannot
    if rename is None:
        return False
    return bool(rename(_AT_FDCWD, os.fsencode(source), _AT_FDCWD, os.fsencode(target),
                       _RENAME_NOREPLACE) == 0)


def claim_name(tmp: str, path: Path) -> None:
    """Give ``tmp`` the name ``path`` unless that name exists (FileExistsError): one
    ``renameat2(RENAME_NOREPLACE)`` where the system has it, else a hard link and an
    unlink of the temporary name."""
    global _RENAMEAT2
    if _RENAMEAT2 is not None:
        if _RENAMEAT2(_AT_FDCWD, os.fsencode(tmp), _AT_FDCWD, os.fsencode(path),
                      _RENAME_NOREPLACE) == 0:
            return
        import ctypes

        number = ctypes.get_errno()
        if number not in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):
            raise OSError(number, os.strerror(number), str(path))
        _RENAMEAT2 = None  # a file system or kernel without it: links from now on
    os.link(tmp, path)
    os.unlink(tmp)


#: Whether a whole file system can be flushed at once (not on Windows).
CAN_FLUSH_ALL = hasattr(os, "sync")


def _syncfs() -> Any:
    """Linux's ``syncfs(fd)`` (flush the one file system ``fd`` is on), or None."""
    import ctypes

    return _libc("syncfs", [ctypes.c_int])


_SYNCFS = _syncfs()


def flush_file_systems(folders: Iterable[Path]) -> None:
    """Make everything written in ``folders`` durable: on Linux ``syncfs`` of each file
    system they are on (the tool's own disk, not every disk of the machine); elsewhere,
    or when that fails, ``os.sync()``."""
    devices: dict[int, Path] = {}
    for folder in folders:
        try:
            devices.setdefault(os.stat(folder).st_dev, folder)
        except OSError:
            os.sync()
            return
    for folder in devices.values():
        if _SYNCFS is None or not _syncfs_folder(folder):
            os.sync()
            return


def _syncfs_folder(folder: Path) -> bool:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return False
    try:
        return bool(_SYNCFS(fd) == 0)
    finally:
        os.close(fd)
