"""What a run finds under its documents' names already (:class:`~.batch.Batch`'s commit).

A file that is exactly what would be written there (a rerun after an interrupted run) is
no conflict; any other file is, unless the run overwrites. Names are plain texts here: a
run looks up thousands, and a text is hashed and compared without building a path.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path

from ..errors import OutputError


def raw(data: bytes | str) -> bytes:
    return data if isinstance(data, bytes) else data.encode("utf-8")


def sha(data: bytes | str) -> str:
    return hashlib.sha256(raw(data)).hexdigest()


def present(paths: Sequence[str]) -> dict[str, int]:
    """The files among ``paths`` that exist, with their size. A folder that holds only
    temporary files (``.*.tmp``: a run into a new folder) is listed once instead of a
    stat per file: no document name starts with a dot, so none of them can be there,
    whatever the file system's rules for case and accents."""
    empty: dict[str, bool] = {}
    found: dict[str, int] = {}
    for path in paths:
        parent = os.path.dirname(path) or "."
        if parent not in empty:
            empty[parent] = only_temporary(parent)
        if empty[parent]:
            continue
        try:
            found[path] = os.stat(path).st_size
        except OSError:
            continue
    return found


def only_temporary(folder: str) -> bool:
    """Whether ``folder`` does not exist, or can be listed and holds nothing but hidden
    ``.tmp`` files."""
    try:
        names = os.listdir(folder)
    except FileNotFoundError:
        return True
    except OSError:
        return False
    return all(name.startswith(".") and name.endswith(".tmp") for name in names)


def refuse_existing(items: list[tuple[Path, str, int]],
                    found: dict[str, int] | None = None) -> None:
    """Refuse when a file exists that is not exactly what would be written there;
    ``found``: the sizes of the files known to exist, by name (:func:`present`; else
    each is looked at)."""
    existing = [path for path, sha256, size in items
                if (path.exists() if found is None else str(path) in found)
                and not same_content(path, sha256, size,
                                     None if found is None else found[str(path)])]
    if existing:
        more = f" (and {len(existing) - 1} more)" if len(existing) > 1 else ""
        raise OutputError(f"exists already{more}", location=existing[0],
                          hint="nothing was written; use --overwrite to replace")


def same_content(path: Path, sha256: str, size: int, known: int | None = None) -> bool:
    """Whether the file holds exactly these bytes (``known``: its size, looked up already)."""
    try:
        return (path.stat().st_size if known is None else known) == size and (
            hashlib.sha256(path.read_bytes()).hexdigest() == sha256)
    except OSError:
        return False
