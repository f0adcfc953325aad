"""Rendering a large batch on every core (issue 16).

A lifecycle run checks and prepares each organisation in the main process, in order; the
rendering (a Word letter, an e-mail with its .eml) of a large batch then goes to worker
processes forked from it, so they share the templates it compiled. The results come back
in the order of the jobs; the main process stages them and records the events as
before, so the output, the order, the located errors and the all-or-nothing commit are
the same as on one core.

A job that fails in a worker comes back as :data:`LOCAL`: the caller runs it itself, so
its error is raised in the main process, located exactly as without workers. Workers are
used only where that is safe and pays: a batch of at least :data:`MIN_BATCH` jobs, a
platform that forks (Linux), a process with no other thread (the command line; the web
app renders in its own threads and stays on one core), and more than one worker
(``$CBCT_WORKERS``, default: the number of cores, at most 4; ``CBCT_WORKERS=1`` turns
them off).
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections import deque
from collections.abc import Callable, Generator, Sequence
from typing import Any

#: Fewer jobs than this render in the main process: starting workers costs more.
MIN_BATCH = 200
#: Jobs per message to and from a worker.
CHUNK = 25
MAX_WORKERS = 4
#: Chunks a worker may be ahead of the main process.
AHEAD = 3


class _Local:
    """The marker for "render this one yourself"."""

    def __repr__(self) -> str:
        return "LOCAL"

    def __reduce__(self) -> str:
        return "LOCAL"  # unpickled in the main process as the same marker


LOCAL: Any = _Local()

# What the forked workers run: set in the parent just before the fork, inherited.
_work: Callable[[Any], Any] | None = None
_jobs: Sequence[Any] = ()


def workers() -> int:
    """How many worker processes a large batch gets (1: none)."""
    setting = os.environ.get("CBCT_WORKERS", "").strip()
    if setting.isdigit():
        return max(1, int(setting))
    return max(1, min(os.cpu_count() or 1, MAX_WORKERS))


def can_fork() -> bool:
    return ("fork" in multiprocessing.get_all_start_methods()
            and threading.active_count() == 1)


def results(jobs: Sequence[Any],
            work: Callable[[Any], Any]) -> Generator[Any, None, None]:
    """For each job, in order: ``work(job)`` computed by a worker process, or
    :data:`LOCAL` when the caller must compute it itself (a small batch, one core, a
    share of the jobs the main process renders itself, or a job that failed in the
    worker). Close the iterator when done (``contextlib.closing``): that ends the
    workers."""
    count = workers()
    if len(jobs) < MIN_BATCH or count < 2 or not can_fork():
        for _job in jobs:
            yield LOCAL
        return
    global _work, _jobs
    _work, _jobs = work, jobs
    chunks = [range(start, min(start + CHUNK, len(jobs)))
              for start in range(0, len(jobs), CHUNK)]
    # The main process renders every (count + 1)-th chunk itself, between staging the
    # others' results: with ``count`` cores, count - 1 workers and the main process.
    mine = {number for number in range(len(chunks)) if number % (count + 1) == count}
    try:
        with multiprocessing.get_context("fork").Pool(count - 1) as pool:
            # A few chunks ahead, not all: results wait in memory only that far.
            ahead: deque[Any] = deque()
            queued = iter([c for n, c in enumerate(chunks) if n not in mine])
            for number, chunk in enumerate(chunks):
                while len(ahead) < AHEAD * (count - 1):
                    following = next(queued, None)
                    if following is None:
                        break
                    ahead.append(pool.apply_async(_run_chunk, (following,)))
                if number in mine:
                    yield from [LOCAL] * len(chunk)
                else:
                    yield from ahead.popleft().get()
    finally:
        _work, _jobs = None, ()


def _run_chunk(indices: range) -> list[Any]:
    """In a worker: the results of some jobs; a failure is the caller's to repeat."""
    assert _work is not None
    done: list[Any] = []
    for index in indices:
        try:
            done.append(_work(_jobs[index]))
        except Exception:  # the main process runs it again and raises it, located
            done.append(LOCAL)
    return done
