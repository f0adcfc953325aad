"""A large merge rendered and written by forked worker processes, whole chunks each.

The workers are forked with the merge's render function (set here just before the fork,
inherited); each chunk of outputs, with its records, is sent to them as the records are
read (a few chunks ahead per worker, so that a large merge never holds all its records).
A worker renders a chunk and writes it as :func:`..deliver.files.write_files` writes
(temporary names, one flush, renames), and answers per output its sha256 and record
digest, or None where the caller must make it (so that an error is located in the
calling process, as without workers).
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..deliver.files import write_files
from .manifest import record_digest

if TYPE_CHECKING:
    from . import Output

#: Fewer documents than this are made in the calling process: starting workers costs more.
MIN_PARALLEL = 200
#: Chunks sent to the workers ahead of the one the caller waits for, per worker.
AHEAD = 3

# What the forked workers use: set in the parent just before the fork, inherited.
_render: Callable[[Output], bytes | str] | None = None
_overwrite = False
_reason: Callable[[], str | None] = lambda: None  # noqa: E731
_parent = 0  # the process that started the workers

Made = list[tuple[str, str] | None]


def made_by_workers(chunks: Iterable[list[Output]], count: int,
                    render: Callable[[Output], bytes | str], cores: int,
                    overwrite: bool = False,
                    reason: Callable[[], str | None] = lambda: None,
                    ) -> Iterator[tuple[list[Output], Made | None, str | None]]:
    """For each chunk (of ``count`` outputs in all), in order: the chunk, and per output
    (sha256, record digest) when a worker process rendered and wrote it, or None when the
    caller must make it (then its error is raised and located there); None for a whole
    chunk the caller makes (a small set, one core). With it, ``reason()`` as the worker
    saw it after the chunk (why the Word template went through docxtpl, if it did). Each
    worker writes whole chunks as :func:`write_files` writes them (to temporary names,
    one flush, then the renames): a file under its own name is complete, as without
    workers. The chunks are taken from ``chunks`` only as the workers need them."""
    if cores < 2 or count < MIN_PARALLEL:
        for chunk in chunks:
            yield chunk, None, None
        return
    import multiprocessing

    global _render, _overwrite, _reason, _parent
    _render, _overwrite, _reason = render, overwrite, reason
    _parent = os.getpid()
    try:
        with multiprocessing.get_context("fork").Pool(cores, _start_worker) as pool:
            waiting: deque[tuple[list[Output], Any]] = deque()
            for chunk in chunks:
                waiting.append((chunk, pool.apply_async(_make_chunk, (_sent(chunk),))))
                if len(waiting) > AHEAD * cores:
                    done, job = waiting.popleft()
                    yield done, *job.get()
            while waiting:
                done, job = waiting.popleft()
                yield done, *job.get()
    finally:
        _render, _overwrite, _reason = None, False, lambda: None


def _sent(chunk: Sequence[Output]) -> list[Output]:
    """What a worker needs of a chunk: each output's path and record (not the hashes of
    the whole merge)."""
    from .plan import Hashes, Output

    none = Hashes()
    return [Output(o.folder, o.name, o.source, o.row, none, -1, record=o.record)
            for o in chunk]


def _start_worker() -> None:
    """A worker ends with the run: killed when the process that started it dies (Linux),
    so that a merge stopped with kill or Ctrl-C writes nothing more."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != _parent:  # it died before that was set
        os._exit(1)


def _make_chunk(chunk: list[Output]) -> tuple[Made, str | None]:
    """In a worker: render and write one chunk; None for an output not made."""
    assert _render is not None
    made: Made = [None] * len(chunk)
    rendered: list[tuple[int, Path, bytes | str]] = []
    for position, output in enumerate(chunk):
        try:
            rendered.append((position, output.path, _render(output)))
        except Exception:  # made again by the caller, which locates the error
            continue
    if not rendered or os.getppid() != _parent:  # the run was stopped: nothing more
        return made, _reason()
    written = write_files([(path, content) for _p, path, content in rendered],
                          overwrite=_overwrite)
    for (position, _path, _content), outcome in zip(rendered, written, strict=True):
        record = chunk[position].record
        if outcome.error is None and record is not None:
            made[position] = (outcome.sha256, record_digest(record))
    return made, _reason()
