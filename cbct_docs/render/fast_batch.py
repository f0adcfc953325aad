"""Render a large batch of Word documents on all cores.

The compiled path (:mod:`.fast_docx`) makes a letter in about a millisecond, so a pool only
pays off for large batches: each worker compiles the template once, and every finished
document (~40 kB) travels back through a pipe. ``bench`` measures the gain on the machine at
hand (about 1.2× on 2 shared cores); below :data:`MIN_BATCH` documents the pool is skipped.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from ..errors import CbctError
from .docx import DocxRenderer

#: Smaller batches render in this process: starting workers costs more than it saves.
MIN_BATCH = 400
CHUNK = 100

_worker: DocxRenderer | None = None
Result = bytes | CbctError


def render_many(renderer: DocxRenderer, contexts: Sequence[Mapping[str, Any]],
                workers: int | None = None) -> list[Result]:
    """Each context's ``.docx`` bytes, in order; a record that fails gives its CbctError
    instead, so that the caller can report all problems of a run together."""
    workers = workers or os.cpu_count() or 1
    if workers < 2 or len(contexts) < MIN_BATCH:
        return [_render_one(renderer, context) for context in contexts]
    chunks = [list(contexts[i : i + CHUNK]) for i in range(0, len(contexts), CHUNK)]
    with ProcessPoolExecutor(workers, initializer=_start, initargs=(renderer.path,)) as pool:
        done = pool.map(_render_chunk, chunks)
        return [_revive(item) for chunk in done for item in chunk]


def _render_one(renderer: DocxRenderer, context: Mapping[str, Any]) -> Result:
    try:
        return renderer.render(context)
    except CbctError as error:
        return error


def _start(path: Path) -> None:
    global _worker
    _worker = DocxRenderer(path)


def _render_chunk(contexts: list[Mapping[str, Any]]) -> list[Any]:
    assert _worker is not None
    results: list[Any] = []
    for context in contexts:
        result = _render_one(_worker, context)
        # A CbctError's location and hint do not survive pickling as exception arguments.
        results.append(result if isinstance(result, bytes) else
                       (type(result), result.what, result.location, result.hint))
    return results


def _revive(item: Any) -> Result:
    if isinstance(item, bytes):
        return item
    kind, what, location, hint = item
    error: CbctError = kind(what, hint=hint)
    error.location = location
    return error
