"""Rendering a large batch on every core (issue 16).

A lifecycle run checks and prepares each organisation in the main process, in order; the
rendering (a Word letter, an e-mail with its .eml) of a large batch then goes to worker
processes forked from it, so they share the templates it compiled. The results come back
in the order of the jobs; the main process stages them and records the events as
before, so the output, the order, the located errors and the all-or-nothing commit are
the same as on one core.

A job that fails in a worker comes back as :data:`LOCAL`: the caller runs it itself, so
its error is raised in the main process, located exactly as without workers; so do the
jobs of a worker that died (killed, out of memory, a crash: :mod:`..forked`), while the
other workers go on: the run ends as it would have, only later. Workers are
used only where that is safe and pays: a batch of at least :data:`MIN_BATCH` jobs, a
platform that forks (Linux), a process with no other thread (the command line; the web
app renders in its own threads and stays on one core), and more than one worker
(``$CBCT_WORKERS``, default: the number of cores the process may run on, at most 4;
``CBCT_WORKERS=1`` turns them off).
"""

from __future__ import annotations

import contextlib
import functools
import gc
import multiprocessing
import os
import threading
from collections import deque
from collections.abc import Callable, Generator, Sequence
from typing import Any

from ..forked import Forked, NotDone, Task

#: Fewer jobs than this render in the main process: starting workers costs more.
MIN_BATCH = 200
#: Jobs per message to and from a worker.
CHUNK = 25
MAX_WORKERS = 4
#: Chunks a worker may be ahead of the main process.
AHEAD = 3
#: That many times as many while the main process does its ``meanwhile`` (a template
#: compiled in ~0.2 s; a chunk of score sheets takes a worker ~0.04 s); also how many
#: times AHEAD chunks the main process may hold made ahead of their turn.
MEANWHILE_AHEAD = 3


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
    return max(1, min(cores(), MAX_WORKERS))


def cores() -> int:
    """The cores this process may run on (``taskset -c 0`` gives it one of many)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):  # no affinity on this system (macOS, Windows)
        return os.cpu_count() or 1


def can_fork() -> bool:
    return ("fork" in multiprocessing.get_all_start_methods()
            and threading.active_count() == 1)


def results(jobs: Sequence[Any], work: Callable[[Any], Any], *,
            meanwhile: Callable[[], object] | None = None,
            pool: Forked | None = None) -> Generator[Any, None, None]:
    """For each job, in order: ``work(job)`` computed by a worker process (or by the main
    process while it waited for one), or :data:`LOCAL` when the caller must compute it
    itself (a small batch, one core, or a job that failed). Close the iterator when done
    (``contextlib.closing``): that ends the workers.

    ``meanwhile``: what the main process does first, once the workers have their first
    jobs (compiling the template of the step after the batch, say); its error is left for
    that step to raise again in its place. Not done when the batch gets no workers.

    ``pool``: the workers of :func:`early` (forked before these jobs existed): they get
    the jobs themselves (pickled), in chunks, whatever the batch's size."""
    if pool is not None:
        yield from _given(pool, jobs, work, meanwhile)
        return
    global _jobs
    _jobs = jobs  # inherited by the workers, forked next
    try:
        with early(work, len(jobs)) as forked:
            if forked is None:
                yield from [LOCAL] * len(jobs)
                return
            yield from _scheduled(_Schedule.on(forked, len(jobs)), meanwhile)
    finally:
        _jobs = ()


def _scheduled(schedule: _Schedule,
               meanwhile: Callable[[], object] | None) -> Generator[Any, None, None]:
    if meanwhile is not None:  # enough for the workers to keep busy meanwhile
        schedule.top_up(MEANWHILE_AHEAD * schedule.ahead)
        with contextlib.suppress(Exception):
            meanwhile()
    yield from schedule.in_order()


@contextlib.contextmanager
def early(work: Callable[[Any], Any], expected: int,
          warm: Callable[[], object] | None = None) -> Generator[Forked | None, None, None]:
    """Workers forked now, for one batch (:func:`results`) or for a whole run whose jobs
    mostly do not exist yet (``results(pool=)``: each batch's jobs are sent to them,
    pickled). Fork after compiling what ``work`` uses, so the workers inherit it, or give
    ``warm``: each worker calls it first (compiles the template itself, while the main
    process goes on preparing; its error is left for the jobs to meet). None (no
    workers) for fewer than :data:`MIN_BATCH` ``expected`` jobs, one core, or a process
    that cannot fork; the workers end when the block ends."""
    count = workers()
    if expected < MIN_BATCH or count < 2 or not can_fork():
        yield None
        return
    global _work
    _work = work
    # What the workers inherit is left out of their collections (and the main
    # process's): a collection would otherwise write to every inherited object's header,
    # copying its page into the worker (~10 % fewer page faults in a decide of 2,000).
    gc.freeze()
    try:
        with Forked(count - 1, None if warm is None else functools.partial(_warm_up, warm)
                    ) as pool:
            yield pool
    finally:
        _work = None


def _warm_up(warm: Callable[[], object]) -> None:
    """In a worker, first: :func:`early`'s ``warm`` (its failure is left for the jobs to
    meet: they come back LOCAL)."""
    with contextlib.suppress(Exception):
        warm()


def _given(pool: Forked, jobs: Sequence[Any], work: Callable[[Any], Any],
           meanwhile: Callable[[], object] | None) -> Generator[Any, None, None]:
    """:func:`results` on the workers of :func:`early`: each chunk's jobs sent along."""
    global _work, _jobs
    _work, _jobs = work, jobs
    try:
        schedule = _Schedule.on(pool, len(jobs), lambda chunk: [jobs[index] for index in chunk])
        yield from _scheduled(schedule, meanwhile)
    finally:
        _jobs = ()


def _chunks(total: int, count: int) -> list[range]:
    """The jobs in chunks of :data:`CHUNK`, the last ones smaller: at the end the main
    process, with nothing left to claim, waits for the chunks the pool still holds (up
    to :data:`AHEAD` a worker); small ones keep that wait short."""
    tail = max(1, CHUNK // 5)
    small_from = max(0, total - CHUNK * (AHEAD + 1) * count)
    small_from -= small_from % CHUNK
    return ([range(start, min(start + CHUNK, small_from))
             for start in range(0, small_from, CHUNK)]
            + [range(start, min(start + tail, total)) for start in range(small_from, total, tail)])


class _Schedule:
    """Chunks claimed in order, each by the pool (a few ahead of the main process) or by
    the main process: while the next result it needs is not ready, the main process
    computes the next unclaimed chunk itself instead of waiting. So its share is whatever
    time preparing and staging leave it, on a loaded machine too (a fixed share left one
    side waiting for the other)."""

    def __init__(self, pool: Forked, chunks: list[range], ahead: int,
                 send: Callable[[range], list[Any]] | None = None) -> None:
        self.pool, self.chunks, self.ahead = pool, chunks, ahead
        self.send = send  # a chunk's jobs, for workers that did not inherit them
        self.claimed = 0  # chunks before this one are the pool's or the main process's
        self.pending: deque[tuple[int, Task]] = deque()  # (chunk, its task) in order
        self.made: dict[int, list[Any]] = {}  # chunks the main process computed ahead

    @classmethod
    def on(cls, pool: Forked, total: int,
           send: Callable[[range], list[Any]] | None = None) -> _Schedule:
        """``total`` jobs on ``pool``'s workers and the main process: chunked and kept
        ahead for as many workers as were forked, and at least one (a pool that forked
        none fails each task at once, and :meth:`in_order` needs one pending)."""
        count = max(2, len(pool.pids) + 1)  # the workers and the main process
        return cls(pool, _chunks(total, count), AHEAD * (count - 1), send)

    def in_order(self) -> Generator[Any, None, None]:
        for number in range(len(self.chunks)):
            self.top_up()
            if number in self.made:
                yield from self.made.pop(number)
                continue
            claimed, task = self.pending.popleft()
            assert claimed == number  # claimed in order: the pool's, the oldest pending
            while not task.ready() and self._compute_ahead():
                pass
            try:
                done = task.get()
            except NotDone:  # its worker died: the caller runs these jobs itself
                done = [LOCAL] * len(self.chunks[number])
            yield from done

    def top_up(self, ahead: int = 0) -> None:
        """Chunks given to the pool until ``ahead`` (else :attr:`ahead`) are pending."""
        while len(self.pending) < (ahead or self.ahead) and self.claimed < len(self.chunks):
            chunk = self.chunks[self.claimed]
            self.pending.append((self.claimed, self.pool.submit(
                _run_chunk, *((chunk,) if self.send is None else (chunk, self.send(chunk))))))
            self.claimed += 1

    def _compute_ahead(self) -> bool:
        """One unclaimed chunk computed here; False when there is none, or when this
        process holds :data:`MEANWHILE_AHEAD` times :attr:`ahead` chunks made ahead (it
        computes instead of waiting while a worker is behind, e.g. on the many chunks it
        was given during a ``meanwhile``, or on a slow first chunk)."""
        if (self.claimed >= len(self.chunks)
                or len(self.made) >= MEANWHILE_AHEAD * self.ahead):
            return False
        self.made[self.claimed] = _run_chunk(self.chunks[self.claimed])
        self.claimed += 1
        return True


def _run_chunk(indices: range, given: Sequence[Any] | None = None) -> list[Any]:
    """In a worker (or the main process ahead of its turn): the results of some jobs (the
    ``given`` ones, else those it inherited); a failure is the caller's to repeat, in its
    turn."""
    assert _work is not None
    done: list[Any] = []
    for job in (given if given is not None else [_jobs[index] for index in indices]):
        try:
            done.append(_work(job))
        except Exception:  # the main process runs it again and raises it, located
            done.append(LOCAL)
    return done
