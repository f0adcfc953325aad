"""Documents written where they are rendered (issue 16).

A streamed batch (:class:`~.batch.Batch`) gives a document's name out before it is made
(:meth:`~.batch.Batch.reserve`, in the organisations' order): a :class:`Reserved`. The
process that renders it, the main process or a forked worker, writes the bytes itself
(:func:`write_document`) and hands back only their sha256 and size
(:meth:`~.batch.Batch.written`).

A worker creates its files in a folder of its own inside the staging folder (``.wPID``),
not in the staging folder itself: creating a file takes the folder's lock, and on a file
system where finding a free inode is slow (ext4 without a journal skips each recently
deleted inode, one by one) two processes creating files in one folder wait for each other.
The worker then renames each file to its reserved name in the staging folder at once (no
new inode: the lock is held only briefly), so the main process, the critical path of a
run, no longer spends its commit moving them. Where that rename fails the file stays in
the worker's folder and the commit moves it (:func:`gather`), as before; the commit also
removes the (then empty) worker folders before the staging folder is flushed and renamed
into place. The staging folder is hidden until then: nothing appears before the commit.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Iterable
from dataclasses import dataclass

from ..deliver.staging import write_reserved
from ..errors import OutputError


@dataclass(frozen=True)
class Reserved:
    """The name a streamed document's bytes go to. ``name`` is empty when there is
    nothing to write (its folder could not be made: the commit says so)."""

    name: str  # in the staging folder, or a temporary name next to the document
    path: str  # the document's real name: where an error is located
    sync: bool
    staging: str = ""  # the staging folder ``name`` is in ("": a temporary name)
    owner: int = 0  # the process that reserved it (it writes ``name`` itself)


#: What :func:`write_document` gives back: the bytes' sha256 and size, why they could not
#: be written (None: they were), the file they were written to, and the worker's own
#: folder they were made in ("": none; the commit removes it).
Written = tuple[str, int, str | None, str, str]

#: (staging folder, process id) → this worker's own folder in it.
_OWN: dict[tuple[str, int], str] = {}


def write_document(reserved: Reserved, data: bytes) -> Written:
    """Write a reserved document's bytes in whichever process made them (a worker: in its
    own folder, see the module's text); a failure is returned for the commit to report
    with the others."""
    digest, size = hashlib.sha256(data).hexdigest(), len(data)
    if not reserved.name:
        return digest, size, None, "", ""
    name, own = reserved.name, ""
    if reserved.staging and os.getpid() != reserved.owner:
        own = _own_folder(reserved.staging)
        if own:
            name = f"{own}{os.sep}{os.path.basename(reserved.name)}"
    try:
        write_reserved(name, data, sync=reserved.sync, location=reserved.path)
    except OutputError as error:
        return digest, size, error.what, "", own
    if own:
        try:  # to its reserved name now (replacing an earlier try at the same document)
            os.rename(name, reserved.name)
            name = reserved.name
        except OSError:
            pass  # left in the worker's folder: the commit moves it
    return digest, size, None, name, own


def _own_folder(staging: str) -> str:
    """This process's folder in the staging folder, made at its first document ("": it
    cannot be made; the document then goes to its reserved name)."""
    key = (staging, os.getpid())
    own = _OWN.get(key)
    if own is None:
        own = f"{staging}{os.sep}.w{key[1]}"
        try:
            os.mkdir(own)
        except FileExistsError:
            pass
        except OSError:
            own = ""
        _OWN[key] = own
    return own


def own_folders(staging: str) -> list[str]:
    """The workers' own folders in a staging folder: also one whose worker died before
    it could say so (it makes its folder at its first document)."""
    try:
        with os.scandir(staging) as entries:
            return [entry.path for entry in entries
                    if entry.name.startswith(".w") and entry.name[2:].isdigit()]
    except OSError:
        return []


def gather(moves: Iterable[tuple[str, str, str]],
           workers: Iterable[str]) -> tuple[list[OutputError], set[str]]:
    """Each ``(written, reserved, where)``: the file a worker left in its own folder (one
    of ``workers``) moved to its reserved name (replacing an earlier try at the same
    document); then the workers' folders removed, with what a worker that died left in
    its own (a document it was writing: the main process made that job again). The
    errors (located at ``where``, the document) and the staging folders that still hold
    a worker's folder (not to be renamed into place whole)."""
    errors: list[OutputError] = []
    for written, reserved, where in moves:
        try:
            os.rename(written, reserved)
        except OSError as error:
            errors.append(OutputError(f"cannot write: {error.strerror or error}",
                                      location=where))
    left = set()
    for folder in workers:
        shutil.rmtree(folder, ignore_errors=True)
        if os.path.lexists(folder):
            left.add(os.path.dirname(folder))  # its staging folder
    return errors, left
