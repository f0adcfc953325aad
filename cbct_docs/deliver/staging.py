"""Staging a new folder's documents in one hidden folder, renamed into place at once.

A run that writes into a folder that does not exist yet (every lifecycle run into a fresh
``--out``) writes each document under its own name into a hidden folder next to it
(``.NAME.PID.N.tmp``); after the one flush of the batch that folder is renamed to its name
with ``renameat2(RENAME_NOREPLACE)``: one rename instead of one per document, and all of
the folder's documents appear at once. :mod:`cbct_docs.documents.batch` falls back to a
temporary file and a rename per document where this cannot be done.

A document's staged name can be given out before it is made (:func:`write_reserved`
writes it where the document is rendered: in a worker process too).
"""

from __future__ import annotations

import contextlib
import errno
import os
from pathlib import Path

from ..errors import OutputError
from .files import new_file, temp_name
from .syscalls import can_rename_without_replacing, rename_without_replacing


def stage_new(name: str, data: bytes, *, sync: bool, location: Path | str) -> str:
    """Write ``data`` as the new file ``name`` (in a staging folder of this process, see
    :func:`stage_folder`); an error is located at ``location``, the document's real
    name."""
    if not new_file(name, data, sync=sync, location=location):
        raise OutputError(f"cannot write: {os.strerror(errno.EEXIST)}", location=location)
    return name


def write_reserved(name: str, data: bytes, *, sync: bool, location: str) -> None:
    """Write ``data`` as ``name``, a name this run gave out for one document (in its
    staging folder, or a temporary name with its process id). A file there already is
    this run's own earlier try at the same document (made once before the workers
    started, or again after a worker failed): it is replaced, never written into."""
    if new_file(name, data, sync=sync, location=location):
        return
    with contextlib.suppress(FileNotFoundError):
        os.unlink(name)
    stage_new(name, data, sync=sync, location=location)


def stage_folder(folder: Path) -> str | None:
    """A new hidden folder next to ``folder`` (which does not exist yet) to write its
    documents into under their own names, so that :func:`claim_folder` can later give
    them all their place with one rename instead of one per file. None where that rename
    cannot be done without replacing (no ``renameat2``): then each file is staged and
    renamed on its own. The name carries our process id, like a temporary file's, so a
    later run can remove a dead run's folder (:func:`~.files.ensure_folder`)."""
    if not can_rename_without_replacing():
        return None
    for _attempt in range(100):
        staging = temp_name(folder)
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
    return rename_without_replacing(staging, folder)
