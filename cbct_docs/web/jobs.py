"""Work that takes a while (sending a batch) runs in a thread of its own; the page asks
how far it is (htmx polls a small fragment) until it is done."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..errors import CbctError
from .messages import dutch_lines

Progress = Callable[[int, int], None]


@dataclass
class Job:
    id: str
    label: str
    user: str
    done: int = 0
    total: int = 0
    finished: bool = False
    problems: list[str] = field(default_factory=list)
    result: Any = None

    def progress(self, done: int, total: int) -> None:
        self.done, self.total = done, total


_JOBS: dict[str, Job] = {}
_LOCK = threading.Lock()
KEEP = 50  # finished jobs kept for their pages


def start(label: str, user: str, work: Callable[[Progress], Any]) -> Job:
    job = Job(secrets.token_urlsafe(12), label, user)

    def run() -> None:
        try:
            job.result = work(job.progress)
        except CbctError as error:
            job.problems = dutch_lines(error)
            job.result = getattr(error, "report", None)
        except Exception as error:  # a bug: shown, not swallowed
            job.problems = [f"interne fout: {type(error).__name__}: {error}"]
        finally:
            job.finished = True

    with _LOCK:
        finished = [key for key, old in _JOBS.items() if old.finished]
        for key in finished[:max(0, len(finished) - KEEP)]:
            del _JOBS[key]
        _JOBS[job.id] = job
    threading.Thread(target=run, name=f"cbct-{label}", daemon=True).start()
    return job


def get(job_id: str, user: str) -> Job | None:
    job = _JOBS.get(job_id)
    return job if job is not None and job.user == user else None
