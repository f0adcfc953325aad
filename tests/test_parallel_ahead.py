"""While a worker is behind, the main process computes chunks ahead of their turn instead
of waiting (runs/parallel.py, issue 16), up to MEANWHILE_AHEAD × AHEAD of them; the results
still come in order."""

from __future__ import annotations

import os
import select
from collections.abc import Callable

from cbct_docs.runs import parallel

HELD = 10.0  # seconds a worker waits for the main process to let it go


def test_the_main_process_goes_on_while_its_worker_is_held(
        forked_workers: Callable[..., None]) -> None:
    forked_workers(min_batch=1, chunk=2)
    ahead = parallel.MEANWHILE_AHEAD * parallel.AHEAD * parallel.CHUNK  # jobs made ahead
    main, (held, go) = os.getpid(), os.pipe()
    made_here: list[int] = []

    def work(job: int) -> tuple[str, int, bool]:
        if os.getpid() != main:  # the worker: held until the main process has gone ahead
            released = bool(select.select([held], [], [], HELD)[0])
            return "worker", job, released
        made_here.append(job)
        if len(made_here) == ahead:
            os.write(go, b"go")
        return "main", job, True

    try:
        jobs = list(range(100))
        answers = list(parallel.results(jobs, work))
    finally:
        os.close(held)
        os.close(go)
    done = [work(job) if answer is parallel.LOCAL else answer
            for job, answer in zip(jobs, answers, strict=True)]
    assert [job for _who, job, _released in done] == jobs  # in order
    by_worker = [answer for answer in done if answer[0] == "worker"]
    assert by_worker, "the worker made none"
    # Released by the main process, not by the timeout: it computed `ahead` jobs (nine
    # chunks) while the worker held its first; a limit of AHEAD chunks never gets there.
    assert all(released for _who, _job, released in by_worker)
    assert len(made_here) >= ahead
