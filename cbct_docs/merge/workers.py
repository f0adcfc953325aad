"""A large merge rendered by forked worker processes, whole chunks each, while this
process plans the rest and commits what they made.

The workers start as soon as the plan holds :data:`MIN_PARALLEL` records to make, while
the data is still being read: each is handed a chunk of records (its place in the
temporary file of :class:`.plan.Chunks`, which it reads itself), renders them and
stages each document under a temporary name beside its own (as
:func:`..deliver.files.stage_file` writes, not yet flushed). Nothing gets its own name
before the whole data was read and the plan found no problem: then this process commits
the staged documents in order, a group of chunks at a time, as
:func:`..deliver.files.write_files` commits a batch: one flush of the file system, then
the renames (so a file under its own name is complete and on disk). The flush waits for
the disk in this process, while the workers go on rendering. When the plan fails, the
workers are stopped and every document they staged is removed (nothing was written).

A worker answers per output the staged name, sha256 and record digest, or no name where
the caller must make it (so that an error is located in the calling process, as without
workers); a document that cannot be given its name is made again by the caller too.

A worker that dies (killed, out of memory, a crash) takes nothing with it: the chunks it
had not answered are made by the caller, in their turn, as a chunk of a small set is
(:mod:`..forked`); the other workers go on, and what the dead one staged is removed when
the workers are closed.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import os
import signal
import sys
from array import array
from collections import deque
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from ..deliver.files import (
    TEMP_GLOB,
    ensure_folder,
    flush_file_systems,
    replace_staged,
    stage_file,
    writer_of,
)
from ..errors import OutputError
from ..forked import Forked, NotDone, Task
from ..records import Record
from .manifest import record_hash
from .plan import WRITE_CHUNK

if TYPE_CHECKING:
    from .plan import Chunks, Outputs, Plan

#: Per output of a chunk: its index and its sha256 and record digest (40 bytes, as
#: :meth:`.plan.Outputs.set_hashes` takes them), or None when the caller must make it.
Made = list[tuple[int, bytes | None]]
#: A chunk as a worker answers it, compactly (a large merge holds the answers of every
#: chunk staged while its data is still read: three objects a chunk, not five a
#: document): the outputs' indices; their staged names, each ended by NUL ("" for one
#: the caller must make); their sha256 and record digests, 40 bytes each (zeros then).
Staged = tuple["array[int]", str, bytes]

#: Bytes of an output's sha256 and record digest.
HASHES = 40
#: Fewer documents than this are made in the calling process: starting workers costs more.
MIN_PARALLEL = 200
#: Chunks in each worker's hands (the one it renders and those it takes next): enough
#: to keep it busy while this process waits for the disk in a commit.
AHEAD = 4

# What the forked workers make: set in the parent just before the fork, inherited.
_chunks: Chunks | None = None
_render: Callable[[Record], bytes | str] | None = None
_reason: Callable[[], str | None] = lambda: None  # noqa: E731
_parent = 0  # the process that started the workers


class Workers:
    """The worker processes of one merge (none until :meth:`feed` starts them)."""

    def __init__(self, render: Callable[[Record], bytes | str], cores: int,
                 overwrite: bool = False,
                 reason: Callable[[], str | None] = lambda: None) -> None:
        self.render, self.cores, self.overwrite, self.reason = render, cores, overwrite, reason
        self.pool: Forked | None = None
        self.pids: set[int] = set()
        self.folder: Path | None = None
        self.outputs: Outputs | None = None
        self.committed = False  # every staged document was committed (or made again)
        self.made_folder = False  # the output folder was made for the workers
        self.handed = 0  # chunks before this one are handed to the workers
        self.pending: deque[Task] = deque()  # the handed chunks' tasks, in order
        self.lost = 0  # workers that died before they were closed (their chunks made here)

    def feed(self, plan: Plan) -> None:
        """While the data is read: start the workers once the plan holds
        :data:`MIN_PARALLEL` records to make, and hand them its finished chunks."""
        if self.pool is None and not self._start(plan, len(plan.chunks) * WRITE_CHUNK):
            return
        self._hand(plan.chunks)

    def made(self, plan: Plan) -> Iterator[tuple[Made | None, str | None]]:
        """For each chunk of the finished plan, in order: per output its index and its
        sha256 and record digest when a worker rendered it and it is now under its own
        name, or None when the caller must make it (then its error is raised and
        located there); None for a whole chunk the caller makes (a small set, one core).
        With it, ``reason()`` as the worker saw it after the chunk (why the Word template
        went through docxtpl, if it did). A chunk no worker made (its worker died) is a
        chunk the caller makes."""
        chunks = plan.chunks
        if self.pool is None and not self._start(plan, plan.outputs.count("pending")):
            yield from [(None, None)] * len(chunks)
            return
        done = 0
        while done < len(chunks):
            self._hand(chunks)
            group = [self._next()]
            while self.pending and self.pending[0].ready():
                group.append(self._next())
            yield from self._commit(group)
            done += len(group)
        self.committed = True

    def close(self) -> None:
        """Stop the workers; remove what they staged and nobody committed (all of it when
        the plan failed, else what a worker that died left), and the output folder if it
        was made for them and is empty."""
        if self.pool is None:
            return
        self.pool.close()  # each worker ended, and waited for: none stages any more
        lost, self.pool = self.pool.lost, None
        self.lost += len(lost)
        if self.folder is not None and (lost or not self.committed):
            for staged in self.folder.glob(TEMP_GLOB):
                if writer_of(staged) in self.pids:
                    with contextlib.suppress(OSError):
                        staged.unlink()
            if self.made_folder and not self.committed:
                with contextlib.suppress(OSError):
                    self.folder.rmdir()

    def _start(self, plan: Plan, count: int) -> bool:
        """Fork the workers, if this set gets them (and the output folder can be made:
        if not, its error is raised after the plan's, where it was raised before)."""
        if self.cores < 2 or count < MIN_PARALLEL:
            return False
        folder_existed = plan.out.is_dir()
        try:
            ensure_folder(plan.out)
        except OutputError:
            self.cores = 0
            return False
        self.folder, self.made_folder = plan.out, not folder_existed
        self.outputs = plan.outputs
        global _chunks, _render, _reason, _parent
        _chunks, _render, _reason = plan.chunks, self.render, self.reason
        _parent = os.getpid()
        # What the workers inherit is left out of their collections (and this process's):
        # a collection would write to every inherited object's header, copying its page.
        gc.freeze()
        try:
            self.pool = Forked(self.cores, _start_worker)
            self.pids = set(self.pool.pids)
        finally:
            _chunks, _render, _reason = None, None, lambda: None
        return True

    def _hand(self, chunks: Chunks) -> None:
        """The next finished chunks to the workers, up to :data:`AHEAD` each not yet
        done (those done wait for their commit)."""
        assert self.pool is not None
        waiting = sum(1 for task in self.pending if not task.ready())
        for _more in range(min(AHEAD * self.cores - waiting, len(chunks) - self.handed)):
            offset, size = chunks.spans[self.handed]
            job = (offset, size, chunks.held.get(self.handed))
            self.pending.append(self.pool.submit(_stage_chunk, *job))
            self.handed += 1

    def _next(self) -> tuple[Staged, str | None] | None:
        """The next chunk's answer; None when no worker made it (the caller makes it)."""
        try:
            staged: tuple[Staged, str | None] = self.pending.popleft().get()
        except NotDone:
            return None
        return staged

    def _commit(self, group: list[tuple[Staged, str | None] | None]
                ) -> Iterator[tuple[Made | None, str | None]]:
        """The staged documents of some chunks flushed to disk at once, then each given
        its own name; one that cannot be (a file of that name appeared meanwhile) is the
        caller's to make, so that it reports it as without workers, as is a whole chunk
        no worker made (None)."""
        assert self.folder is not None and self.outputs is not None
        if any(answer is not None and answer[0][1].strip("\0") for answer in group):
            flush_file_systems([self.folder])  # a document staged in one of them
        for answer in group:
            if answer is None:
                yield None, None
                continue
            (indices, names, hashes_of), why = answer
            made: Made = []
            tmps = names.split("\0") if indices else []
            for number, (index, tmp) in enumerate(zip(indices, tmps, strict=True)):
                if not tmp:
                    made.append((index, None))
                    continue
                hashes = hashes_of[number * HASHES:(number + 1) * HASHES]
                try:
                    replace_staged(tmp, self.outputs.path(index), self.overwrite)
                except OutputError:
                    made.append((index, None))
                else:
                    made.append((index, hashes))
            yield made, why


def _start_worker() -> None:
    """A worker ends with the run: killed when the process that started it dies (Linux),
    so that a merge stopped with kill or Ctrl-C writes nothing more. It may have been
    forked while the data was read, with the garbage collector paused: it renders with
    the collector on."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != _parent:  # it died before that was set
        os._exit(1)
    gc.enable()


def _stage_chunk(offset: int, size: int, held: bytes | None) -> tuple[Staged, str | None]:
    """In a worker: render the chunk at ``offset`` of the records' file (or ``held``, a
    chunk the file could not take) and stage each document beside its own name, answered
    as a :data:`Staged`; an output not staged (its error is the caller's to find again)
    has no name and zero hashes."""
    assert _render is not None and _chunks is not None
    indices, names, hashes = array("q"), [], bytearray()
    folder, origin = _chunks.outputs.folder, _chunks.outputs.shared
    assert origin is not None  # set by the first output, before any chunk
    for index, fields, number, name in _chunks.entries(offset, size, held):
        if os.getppid() != _parent:  # the run was stopped: nothing more
            break
        record = Record(fields, origin, number)  # its row only matters in an error
        indices.append(index)
        try:
            content = _render(record)
            raw = content.encode("utf-8") if isinstance(content, str) else content
            tmp = stage_file(folder / name, raw, sync=False)
        except Exception:  # made again by the caller, which locates the error
            names.append("")
            hashes += bytes(HASHES)
            continue
        names.append(tmp)
        hashes += hashlib.sha256(raw).digest() + record_hash(record)
    return (indices, "\0".join(names), bytes(hashes)), _reason()
