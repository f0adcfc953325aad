"""Staging a new folder's documents in one hidden folder, renamed into place at once.

A run that writes into a folder that does not exist yet (every lifecycle run into a fresh
``--out``) writes each document under its own name into a hidden folder next to it
(``.NAME.PID.N.tmp``); after the one flush of the batch that folder is renamed to its name
with ``renameat2(RENAME_NOREPLACE)``: one rename instead of one per document, and all of
the folder's documents appear at once. :mod:`cbct_docs.documents.batch` falls back to a
temporary file and a rename per document where this cannot be done.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import OutputError
from . import files
from .files import _AT_FDCWD, _NEW_FILE, _RENAME_NOREPLACE, _TEMP_NUMBERS, _fill


def stage_new(name: str, data: bytes, *, sync: bool, location: Path) -> str:
    """Write ``data`` as the new file ``name`` (in a staging folder of this process, see
    :func:`stage_folder`); an error is located at ``location``, the document's real
    name."""
    try:
        fd = os.open(name, _NEW_FILE, 0o666)
    except OSError as error:
        raise OutputError(f"cannot write: {error.strerror or error}",
                          location=location) from None
    _fill(fd, name, data, sync, location)
    return name


def stage_folder(folder: Path) -> str | None:
    """A new hidden folder next to ``folder`` (which does not exist yet) to write its
    documents into under their own names, so that :func:`claim_folder` can later give
    them all their place with one rename instead of one per file. None where that rename
    cannot be done without replacing (no ``renameat2``): then each file is staged and
    renamed on its own. The name carries our process id, like a temporary file's, so a
    later run can remove a dead run's folder (:func:`~.files.ensure_folder`)."""
    if files._RENAMEAT2 is None:
        return None
    for _attempt in range(100):
        number = next(_TEMP_NUMBERS)
        staging = f"{folder.parent}{os.sep}.{folder.name}.{os.getpid()}.{number}.tmp"
        try:
            os.mkdir(staging)
            return staging
        except FileExistsError:
            continue
        except OSError:
            return None
    return None


def claim_folder(staging: str, folder: Path) -> bool:
    """Give the staging folder the name ``folder`` unless that name exists by now (one
    ``renameat2(RENAME_NOREPLACE)``). False: not done (the name was taken meanwhile, or
    the file system cannot): the caller moves the files one by one."""
    rename = files._RENAMEAT2  # None where there is none, or once it said it cannot
    if rename is None:
        return False
    return bool(rename(_AT_FDCWD, os.fsencode(staging), _AT_FDCWD, os.fsencode(folder),
                       _RENAME_NOREPLACE) == 0)
