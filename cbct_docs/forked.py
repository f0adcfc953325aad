"""Worker processes forked from this one, each with pipes of its own (issue 16).

What renders a large merge (:mod:`.merge.workers`) and a large lifecycle batch
(:mod:`.runs.parallel`) on every core. A worker that dies (killed, the kernel's
out-of-memory killer, a crash in a C library) must not hang the run: its tasks fail with
:class:`NotDone` and the caller does them itself, while the other workers go on.
Neither standard pool gives that: :class:`multiprocessing.pool.Pool` never answers a dead
worker's task (and starts a new worker in its place, forked from a process that no longer
holds what the first one inherited), and
:class:`concurrent.futures.ProcessPoolExecutor`'s result thread blocks for ever in
``recv`` when a worker dies half-way through sending a large answer (seen with Python
3.11.7).

Here each worker has a pipe of its own for its tasks and one for its answers, and no
other process holds their ends (each worker closes the others' ends it inherited): a
worker's death is the end of its answer pipe, seen at once, also half-way through an
answer. This process starts no thread: it sends and reads only when asked
(:meth:`Forked.submit`, :meth:`Task.ready`, :meth:`Task.get`), with pipes that do not
block, so it never waits on a full pipe; it waits only for an answer, which comes or
ends with its worker. A worker answers its tasks in the order it was given them; a task
goes to the worker with the fewest not yet answered.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import select
import signal
import sys
import time
from collections import deque
from collections.abc import Callable
from typing import Any

#: The size asked for each answer pipe (Linux: F_SETPIPE_SZ; 1 MiB is what an ordinary
#: process may ask), so that a worker rarely waits for this process to read an answer.
PIPE_SIZE = 1 << 20
_HEAD = 8  # bytes: the length of a message, before it


class NotDone(Exception):
    """A task no worker did: its worker ended before it answered (killed, out of
    memory, crashed), or the task raised. The caller does it itself."""


class Task:
    """A task given to a worker: :meth:`ready`, then :meth:`get` its answer."""

    __slots__ = ("_pool", "done", "failed", "value")

    def __init__(self, pool: Forked) -> None:
        self._pool = pool
        self.done = False
        self.failed = False  # its worker died, or the task raised (the caller repeats it)
        self.value: Any = None

    def ready(self) -> bool:
        if not self.done:
            self._pool.pump(0)
        return self.done

    def get(self, timeout: float | None = None) -> Any:
        """The task's result; :class:`NotDone` when the caller must do it itself
        (:class:`TimeoutError` after ``timeout`` seconds without an answer)."""
        end = None if timeout is None else time.monotonic() + timeout
        while not self.done:
            left = None if end is None else end - time.monotonic()
            if left is not None and left <= 0:
                raise TimeoutError
            self._pool.pump(left)
        if self.failed:
            raise NotDone
        return self.value


class _Worker:
    __slots__ = ("pid", "tasks_fd", "answers_fd", "outbox", "inbox", "waiting")

    def __init__(self, pid: int, tasks_fd: int, answers_fd: int) -> None:
        self.pid, self.tasks_fd, self.answers_fd = pid, tasks_fd, answers_fd
        self.outbox = bytearray()  # what is still to be sent to it
        self.inbox = bytearray()  # what it sent of answers not yet whole
        self.waiting: deque[Task] = deque()  # its tasks not yet answered, in order


class Forked:
    """``count`` workers forked now (each first runs ``initializer``, if given); they
    inherit this process as it is. :meth:`close` ends them (also as a context manager).
    Where the system runs out of processes or files, fewer (none: every task is the
    caller's)."""

    def __init__(self, count: int, initializer: Callable[[], object] | None = None) -> None:
        self.live: list[_Worker] = []
        self.pids: list[int] = []  # every worker forked, in order
        self.lost: list[int] = []  # the workers that died before they were closed
        for std in (sys.stdout, sys.stderr):  # nothing buffered written twice
            with contextlib.suppress(Exception):
                std.flush()
        try:
            for _number in range(count):
                if not self._fork(initializer):
                    break  # no more processes or files: the run goes on with fewer
        except BaseException:
            self.close()
            raise

    def _fork(self, initializer: Callable[[], object] | None) -> bool:
        """One more worker (False: the system gave no pipe or process for it)."""
        import fcntl  # here: a platform that forks has it (Windows has neither)

        ends: list[int] = []
        try:
            ends.extend(os.pipe())
            ends.extend(os.pipe())
            with contextlib.suppress(OSError, AttributeError):  # F_SETPIPE_SZ: Linux
                fcntl.fcntl(ends[3], fcntl.F_SETPIPE_SZ, PIPE_SIZE)
            pid = os.fork()
        except OSError:
            for end in ends:
                os.close(end)
            return False
        tasks_in, tasks_out, answers_in, answers_out = ends
        if pid == 0:  # the worker: it never returns from here
            try:
                for other in self.live:
                    os.close(other.tasks_fd)
                    os.close(other.answers_fd)
                os.close(tasks_out)
                os.close(answers_in)
            finally:
                _serve(tasks_in, answers_out, initializer)
        os.close(tasks_in)
        os.close(answers_out)
        os.set_blocking(tasks_out, False)
        os.set_blocking(answers_in, False)
        self.live.append(_Worker(pid, tasks_out, answers_in))
        self.pids.append(pid)
        return True

    def submit(self, function: Callable[..., Any], *args: Any) -> Task:
        """``function(*args)`` on the worker with the fewest tasks in hand (a module-level
        function; it and its arguments are pickled). A task no worker can take any more
        is failed at once."""
        task = Task(self)
        if not self.live:
            task.done = task.failed = True
            return task
        worker = min(self.live, key=lambda live: len(live.waiting))
        body = pickle.dumps((function, args), pickle.HIGHEST_PROTOCOL)
        worker.outbox += len(body).to_bytes(_HEAD, "little")
        worker.outbox += body
        worker.waiting.append(task)
        self.pump(0)
        return task

    def pump(self, timeout: float | None) -> None:
        """Send what waits to be sent and take the answers that came, waiting up to
        ``timeout`` seconds (None: until something happens) when nothing can be done."""
        poll = select.poll()
        by_fd: dict[int, _Worker] = {}
        for worker in self.live:
            if worker.outbox:
                poll.register(worker.tasks_fd, select.POLLOUT)
                by_fd[worker.tasks_fd] = worker
            if worker.waiting:
                poll.register(worker.answers_fd, select.POLLIN)
                by_fd[worker.answers_fd] = worker
        if not by_fd:
            return
        for fd, _event in poll.poll(None if timeout is None else timeout * 1000):
            worker = by_fd[fd]
            if worker in self.live and not (self._send(worker) if fd == worker.tasks_fd
                                            else self._receive(worker)):
                self._lose(worker)

    def _send(self, worker: _Worker) -> bool:
        try:
            while worker.outbox:
                sent = os.write(worker.tasks_fd, worker.outbox)
                del worker.outbox[:sent]
        except BlockingIOError:
            pass
        except OSError:  # EPIPE: it is gone
            return False
        return True

    def _receive(self, worker: _Worker) -> bool:
        """Its answers that came (False: its pipe ended, it is gone)."""
        alive = True
        try:
            while True:
                data = os.read(worker.answers_fd, PIPE_SIZE)
                if not data:
                    alive = False
                    break
                worker.inbox += data
        except BlockingIOError:
            pass
        except OSError:
            alive = False
        inbox = worker.inbox
        while len(inbox) >= _HEAD:
            size = int.from_bytes(inbox[:_HEAD], "little")
            if len(inbox) < _HEAD + size:
                break
            try:
                ok, value = pickle.loads(inbox[_HEAD:_HEAD + size])
            except Exception:  # an answer this process cannot take: the caller's to do
                ok, value = False, None
            del inbox[:_HEAD + size]
            task = worker.waiting.popleft()
            task.done, task.failed, task.value = True, not ok, value
        return alive

    def _lose(self, worker: _Worker) -> None:
        """A worker that died: its tasks failed, the process reaped."""
        self.live.remove(worker)
        self.lost.append(worker.pid)
        _end(worker)

    def close(self) -> None:
        """End every worker (at once, whatever it was doing) and wait for it to end."""
        for worker in self.live:
            _end(worker)
        self.live.clear()

    def __enter__(self) -> Forked:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def _end(worker: _Worker) -> None:
    """Its tasks not yet answered failed (the caller's to do); the worker killed, its
    pipes closed, the process reaped."""
    for task in worker.waiting:
        task.done = task.failed = True
    worker.waiting.clear()
    for fd in (worker.tasks_fd, worker.answers_fd):
        with contextlib.suppress(OSError):
            os.close(fd)
    with contextlib.suppress(OSError):
        os.kill(worker.pid, signal.SIGKILL)
    with contextlib.suppress(ChildProcessError, OSError):
        os.waitpid(worker.pid, 0)


def _serve(tasks: int, answers: int, initializer: Callable[[], object] | None) -> None:
    """A worker's life: the initializer, then each task read, run and answered
    (``(True, result)``, or ``(False, None)`` when it raised or cannot be pickled), until
    the task pipe ends. It leaves only through ``os._exit``: nothing of the process it
    was forked from runs in it (no ``atexit``, no buffers flushed twice); a Ctrl-C ends
    it quietly (the main process says what there is to say)."""
    code = 0
    try:
        if initializer is not None:
            initializer()
        while True:
            head = _read(tasks, _HEAD)
            if head is None:
                break
            body = _read(tasks, int.from_bytes(head, "little"))
            if body is None:
                break
            try:
                function, args = pickle.loads(body)
                answer = pickle.dumps((True, function(*args)), pickle.HIGHEST_PROTOCOL)
            except Exception:
                answer = pickle.dumps((False, None))
            _write(answers, len(answer).to_bytes(_HEAD, "little"))
            _write(answers, answer)
    except BaseException:  # the main process gone (EPIPE), Ctrl-C, …: end quietly
        code = 1
    finally:
        os._exit(code)


def _read(fd: int, size: int) -> bytes | None:
    """Exactly ``size`` bytes (None: the pipe ended first)."""
    parts, left = [], size
    while left:
        data = os.read(fd, min(left, PIPE_SIZE))
        if not data:
            return None
        parts.append(data)
        left -= len(data)
    return b"".join(parts)


def _write(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]
