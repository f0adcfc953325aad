"""The files of one run: rendered first, then written together or not at all.

:class:`Batch` collects a run's documents; :meth:`Batch.commit` refuses to overwrite
(unless told) before any file gets its real name, writes them all, or — when one cannot
be written (a full disk) — none. A file under its real name is always complete and on
disk: each is written under a temporary name, the file system is flushed, and then it is
renamed (:mod:`cbct_docs.deliver.files`).

With ``stream=True`` (the lifecycle runs) each document goes to its temporary file when
it is added, so a run holds no list of all its documents in memory; the temporary files
are removed when the run fails or is given up, and the folders it made for them too.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import weakref
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..deliver.files import (
    ensure_folder,
    replace_staged,
    safe_filename,
    stage_file,
    temp_name,
    write_files,
)
from ..deliver.staging import claim_folder, stage_folder, stage_new
from ..deliver.syscalls import CAN_FLUSH_ALL, flush_file_systems
from ..errors import CbctError, DataError, OutputError, ProblemList
from .existing import present, raw, refuse_existing, same_content, sha
from .reserved import Reserved, Written, gather, own_folders


@dataclass
class Made:
    """One produced file, for the summary a command prints."""

    kind: str  # "aankondiging", "bevestigingsbrief", …
    path: Path
    org: str = ""
    organisation: Any = None  # the register entry a letter is for (for its cover e-mail)


@dataclass
class _Staged:
    """A streamed document: its temporary file (or why it could not be written)."""

    made: Made
    sha256: str
    size: int
    name: str = ""  # str(made.path): looked up as a text (no path hashed or made)
    temp: str | None = None
    error: CbctError | None = None
    staging: str | None = None  # the staging folder it was written to, if any
    moved: str | None = None  # where a worker wrote it, to be moved to ``temp``


@dataclass
class Batch:
    """The files of one run: everything is rendered first, then :meth:`commit` refuses to
    overwrite (unless told) before writing anything, so a bad record leaves no half run."""

    out: Path
    overwrite: bool = False
    made: list[Made] = field(default_factory=list)
    pending: list[tuple[Made, bytes | str]] = field(default_factory=list)
    names: set[str] = field(default_factory=set)  # names of pending files, for clashes
    #: Each document to its temporary file as it is added (see the module's text).
    stream: bool = False
    staged: list[_Staged] = field(default_factory=list)
    _temps: list[str] = field(default_factory=list, repr=False)
    _created: list[Path] = field(default_factory=list, repr=False)  # folders made here
    _ready: set[Path] = field(default_factory=set, repr=False)  # folders checked
    #: By kind/folder: the folder, and its name with a separator to put a file's after.
    _parents: dict[str, tuple[Path, str]] = field(default_factory=dict, repr=False)
    #: Folders new to this run, and the hidden folder their documents are staged in.
    _staging: dict[Path, str] = field(default_factory=dict, repr=False)
    #: Documents reserved and not yet made, by their real name (:meth:`reserve`).
    _reserved: dict[str, _Staged] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        # A batch given up (an error before its commit) leaves no temporary file behind.
        self._finalizer = weakref.finalize(self, _remove, self._temps, self._created,
                                          self._staging)

    def add(self, kind: str, stem: str, suffix: str, data: bytes | str, org: str = "",
            folder: str | None = None, organisation: Any = None) -> Path:
        made, parent, name = self._made(kind, stem, suffix, org, folder, organisation)
        if self.stream:
            self._stage(made, raw(data), parent, name)
        else:
            self.pending.append((made, data))
        return made.path

    def _made(self, kind: str, stem: str, suffix: str, org: str, folder: str | None,
              organisation: Any) -> tuple[Made, Path, str]:
        """The document (its name refused when another document of the batch has it),
        its folder and its name as a text."""
        where = kind if folder is None else folder
        known = self._parents.get(where)  # one Path per folder, not two joins a file
        if known is None:
            parent = self.out / where
            # str(parent / filename) is this text plus the file name ("" for ".")
            known = self._parents[where] = (parent, str(parent / "_")[:-1])
        filename = f"{safe_filename(stem)}{suffix}"
        name = f"{known[1]}{filename}"
        if name in self.names:
            raise DataError(f"two documents would both be called {filename}",
                            location=known[0] / filename)
        self.names.add(name)
        return Made(kind, known[0] / filename, org, organisation), known[0], name

    def reserve(self, kind: str, stem: str, suffix: str, org: str = "",
                organisation: Any = None, folder: str | None = None) -> Reserved:
        """A streamed document's name, given out before it is made (:meth:`add`'s, in
        the same order): its bytes are written by :func:`write_document` where it is
        rendered, and :meth:`written` then takes it into the batch (or :meth:`release`
        gives the name back when it is not made after all). Until the commit it is a
        temporary file of this batch like any other (removed when the run fails)."""
        assert self.stream, "only a streamed batch writes documents as they are made"
        made, parent, name = self._made(kind, stem, suffix, org, folder, organisation)
        item = _Staged(made, "", 0, name)
        self.staged.append(item)
        self._reserved[name] = item
        try:
            staging = self._folder(parent)
        except OutputError as error:  # reported at the commit, with the others
            item.error = error
            return Reserved("", name, False)
        item.temp = temp_name(made.path) if staging is None else (
            f"{staging}{os.sep}{made.path.name}")
        item.staging = staging
        self._temps.append(item.temp)
        return Reserved(item.temp, name, not CAN_FLUSH_ALL, staging or "", os.getpid())

    def written(self, reserved: Reserved, outcome: Written) -> Path:
        """A reserved document made: its sha256 and size, or why it was not written."""
        item = self._reserved.pop(reserved.path)
        item.sha256, item.size = outcome[0], outcome[1]
        if outcome[2] is not None and item.error is None:
            item.error = OutputError(outcome[2], location=item.made.path)
            item.temp = None  # nothing of it is left on disk
        elif outcome[3] and outcome[3] != item.temp:  # left in a worker's own folder
            item.moved = outcome[3]
            self._temps.append(outcome[3])
        return item.made.path

    def release(self, reserved: Reserved) -> None:
        """A reserved document that is not made after all (nothing was written for it):
        its name is free again and the batch no longer waits for it."""
        item = self._reserved.pop(reserved.path)
        _drop(self.staged, item)
        self.names.discard(item.name)
        if item.temp is not None:
            _drop(self._temps, item.temp)
            with contextlib.suppress(FileNotFoundError):  # never renamed into place
                os.unlink(item.temp)

    def _stage(self, made: Made, data: bytes, parent: Path, name: str) -> None:
        item = _Staged(made, hashlib.sha256(data).hexdigest(), len(data), name)
        self.staged.append(item)
        try:
            staging = self._folder(parent)
            if staging is None:
                item.temp = stage_file(made.path, data, sync=not CAN_FLUSH_ALL)
            else:
                item.temp = stage_new(f"{staging}{os.sep}{made.path.name}", data,
                                      sync=not CAN_FLUSH_ALL, location=made.path)
                item.staging = staging
            self._temps.append(item.temp)
        except OutputError as error:  # reported at the commit, with the others
            item.error = error

    def _folder(self, folder: Path) -> str | None:
        """Make sure ``folder`` can take the documents; a folder that does not exist yet
        gets a hidden staging folder instead (its name is returned), renamed to
        ``folder`` as a whole at the commit (:func:`~..deliver.staging.stage_folder`)."""
        if folder in self._ready:
            return self._staging.get(folder)
        if not folder.exists() and folder.parent != folder:
            missing = [f for f in folder.parents if not f.exists()]
            ensure_folder(folder.parent)  # also clears a dead run's staging folders
            self._created.extend(missing)
            staging = stage_folder(folder)
            if staging is not None:
                self._created.append(Path(staging))
                self._staging[folder] = staging
                self._ready.add(folder)
                return staging
        missing = [f for f in (folder, *folder.parents) if not f.exists()]
        ensure_folder(folder)
        self._created.extend(missing)
        self._ready.add(folder)
        return None

    @property
    def last_path(self) -> Path:
        """The file the last :meth:`add` will write."""
        return self.staged[-1].made.path if self.stream else self.pending[-1][0].path

    def pending_items(self) -> list[tuple[Path, bytes | str]]:
        return [(item.path, data) for item, data in self.pending]

    def digests(self) -> dict[str, str]:
        """The sha256 of every document to be written, by its path."""
        if self.stream:
            return {item.name: item.sha256 for item in self.staged}
        return {str(path): hashlib.sha256(data if isinstance(data, bytes)
                                          else data.encode("utf-8")).hexdigest()
                for path, data in self.pending_items()}

    def discard(self) -> None:
        """Give the documents up: temporary files and the folders made for them go."""
        self._finalizer()
        self._temps.clear()
        self._created.clear()
        self._staging.clear()
        self._reserved.clear()
        self._finalizer = weakref.finalize(self, _remove, self._temps, self._created,
                                          self._staging)
        self.staged.clear()
        self.pending.clear()
        self.names.clear()
        self._ready.clear()

    def commit(self) -> list[Made]:
        if self.stream:
            return self._commit_staged()
        # A file that is already exactly what would be written (a rerun after an
        # interrupted run) is no conflict: it is taken as it is.
        wanted = [] if self.overwrite else [(item.path, sha(data), len(raw(data)))
                                             for item, data in self.pending]
        refuse_existing(wanted)
        for folder in {item.path.parent for item, _data in self.pending}:
            ensure_folder(folder)
        same = ([False] * len(self.pending) if self.overwrite
                else [same_content(*one) for one in wanted])
        kept = [item for (item, _data), taken in zip(self.pending, same, strict=True) if taken]
        todo = [one for one, taken in zip(self.pending, same, strict=True) if not taken]
        outcomes = write_files([(item.path, data) for item, data in todo],
                               overwrite=self.overwrite, all_or_nothing=True)
        written = kept + [item for (item, _data), outcome in zip(todo, outcomes, strict=True)
                          if outcome.error is None and not outcome.withdrawn]
        self.pending.clear()
        self.names.clear()
        self.made.extend(written)
        failed = [outcome.error for outcome in outcomes if outcome.error is not None]
        if failed:
            self._raise(failed, sum(outcome.withdrawn for outcome in outcomes))
        return written

    def _commit_staged(self) -> list[Made]:
        if self._reserved:  # a run commits only when every document was made
            raise RuntimeError(f"{len(self._reserved)} reserved document(s) never made")
        staged = list(self.staged)
        try:
            # One stat per file: what is there already (a rerun after an interrupted run
            # finds exactly these files, and takes them as they are).
            found = {} if self.overwrite else present([s.name for s in staged])
            refuse_existing([(s.made.path, s.sha256, s.size) for s in staged
                             if s.name in found], found)
            failed = [s.error for s in staged if s.error is not None]
            if failed:  # a full disk: none of the others is written either
                self._raise(failed, sum(s.temp is not None for s in staged))
            # The workers' documents to their reserved names (nothing has its real one);
            # a worker's own folder is only ever in a staging folder (also one whose
            # worker died before it answered).
            unmoved, not_whole = gather(((s.moved, str(s.temp), s.name)
                                         for s in staged if s.moved),
                                        [own for staging in self._staging.values()
                                         for own in own_folders(staging)])
            if unmoved:
                self._raise(unmoved, 0)
        except CbctError:
            self.discard()
            raise
        kept = [s for s in staged if s.name in found]
        for item in kept:
            with contextlib.suppress(OSError):
                os.unlink(str(item.temp))
        todo = [s for s in staged if s.name not in found]
        if todo and CAN_FLUSH_ALL:
            flush_file_systems({Path(folder) for folder in {
                s.staging or os.path.dirname(s.name) or "." for s in todo}})
        claimed = self._claim_folders(not_whole)
        errors: list[CbctError] = []
        written = [s.made for s in kept]
        for item in todo:
            if item.staging in claimed:  # in place with its folder
                written.append(item.made)
                continue
            try:
                replace_staged(str(item.temp), item.made.path, self.overwrite)
                written.append(item.made)
            except OutputError as error:
                errors.append(error)
        for staging in set(self._staging.values()) - claimed:
            with contextlib.suppress(OSError):  # emptied by the renames above
                os.rmdir(staging)
        self._temps.clear()
        self._created.clear()
        self._staging.clear()
        self.staged.clear()
        self.names.clear()
        self.made.extend(written)
        if errors:
            self._raise(errors, 0)
        return written

    def _claim_folders(self, not_whole: set[str]) -> set[str]:
        """Each staging folder renamed to its folder in one go where that name is still
        free; the staging folders so done. A folder made meanwhile (another run, or one
        holding a document taken as it was) gets its documents one by one instead, as
        does one still holding a worker's folder (``not_whole``)."""
        claimed = set()
        for folder, staging in self._staging.items():
            if staging not in not_whole and claim_folder(staging, folder):
                claimed.add(staging)
            else:
                ensure_folder(folder)
        return claimed

    def _raise(self, errors: Sequence[CbctError], withdrawn: int) -> None:
        failed = list(errors)
        if withdrawn:  # said once, after the files that failed
            failed.append(OutputError(f"so none of the other {withdrawn} file(s) of this "
                                      "run was written either", location=self.out,
                                      hint="free the problem (disk space, rights) and "
                                           "run the command again"))
        raise ProblemList(failed)


def _drop(items: list[Any], item: Any) -> None:
    """Remove ``item`` itself (not an equal one) from ``items``, looking from the end: a
    reserved document is given back soon after it was reserved."""
    for index in range(len(items) - 1, -1, -1):
        if items[index] is item:
            del items[index]
            return


def _remove(temps: list[str], folders: list[Path], stagings: dict[Path, str]) -> None:
    for temp in temps:
        with contextlib.suppress(OSError):
            os.unlink(temp)
    for staging in stagings.values():  # ours alone (our process id in its name): also
        shutil.rmtree(staging, ignore_errors=True)  # what a worker wrote and never said
    for folder in sorted(folders, key=lambda f: len(f.parts), reverse=True):
        with contextlib.suppress(OSError):
            folder.rmdir()
