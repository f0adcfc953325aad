"""A large merge rendered and written by forked worker processes, whole chunks each.

The workers are forked with the merge's outputs, its chunks of records (a temporary
file, :class:`.plan.Chunks`) and its render function (set here just before the fork,
inherited); each reads a chunk's records from the file itself, renders them and writes
them as :func:`..deliver.files.write_files` writes (temporary names, one flush, renames),
and answers per output its sha256 and record digest, or None where the caller must make
it (so that an error is located in the calling process, as without workers).
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from ..deliver.files import write_files
from .manifest import record_digest

if TYPE_CHECKING:
    from ..records import Record
    from .plan import Chunks, Outputs

#: Per output of a chunk: its index and (sha256, record digest), or None when the caller
#: must make it.
Made = list[tuple[int, tuple[str, str] | None]]

#: Fewer documents than this are made in the calling process: starting workers costs more.
MIN_PARALLEL = 200

# What the forked workers make: set in the parent just before the fork, inherited.
_chunks: Chunks | None = None
_outputs: Outputs | None = None
_render: Callable[[Record], bytes | str] | None = None
_overwrite = False
_reason: Callable[[], str | None] = lambda: None  # noqa: E731
_parent = 0  # the process that started the workers


def made_by_workers(chunks: Chunks, outputs: Outputs,
                    render: Callable[[Record], bytes | str], cores: int,
                    overwrite: bool = False,
                    reason: Callable[[], str | None] = lambda: None,
                    ) -> Iterator[tuple[Made | None, str | None]]:
    """For each chunk, in order: per output its index and (sha256, record digest) when a
    worker process rendered and wrote it, or None when the caller must make it (then its
    error is raised and located there); None for a whole chunk the caller makes (a small
    set, one core). With it, ``reason()`` as the worker saw it after the chunk (why the
    Word template went through docxtpl, if it did). Each worker writes whole chunks as
    :func:`write_files` writes them (to temporary names, one flush, then the renames): a
    file under its own name is complete, as without workers."""
    count = outputs.count("pending")
    if cores < 2 or count < MIN_PARALLEL:
        yield from [(None, None)] * len(chunks)
        return
    import multiprocessing

    global _chunks, _outputs, _render, _overwrite, _reason, _parent
    _chunks, _outputs, _render, _overwrite, _reason = chunks, outputs, render, overwrite, reason
    _parent = os.getpid()
    try:
        with multiprocessing.get_context("fork").Pool(cores, _start_worker) as pool:
            yield from pool.imap(_make_chunk, range(len(chunks)))
    finally:
        _chunks, _outputs, _render, _overwrite, _reason = None, None, None, False, lambda: None


def _start_worker() -> None:
    """A worker ends with the run: killed when the process that started it dies (Linux),
    so that a merge stopped with kill or Ctrl-C writes nothing more."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != _parent:  # it died before that was set
        os._exit(1)


def _make_chunk(number: int) -> tuple[Made, str | None]:
    """In a worker: render and write chunk ``number``; None for an output not made."""
    assert _render is not None and _chunks is not None and _outputs is not None
    chunk = _chunks.read(number)
    made: Made = [(index, None) for index, _record in chunk]
    rendered: list[tuple[int, Path, bytes | str]] = []
    for position, (index, record) in enumerate(chunk):
        try:
            rendered.append((position, _outputs.path(index), _render(record)))
        except Exception:  # made again by the caller, which locates the error
            continue
    if not rendered or os.getppid() != _parent:  # the run was stopped: nothing more
        return made, _reason()
    written = write_files([(path, content) for _p, path, content in rendered],
                          overwrite=_overwrite)
    for (position, _path, _content), outcome in zip(rendered, written, strict=True):
        if outcome.error is None:
            index, record = chunk[position]
            made[position] = (index, (outcome.sha256, record_digest(record)))
    return made, _reason()
