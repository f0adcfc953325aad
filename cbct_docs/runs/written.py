"""Letters written where they are rendered (issue 16): ``decide``, ``heraudit`` and
``report``.

Each letter's name (and a certificate's) is reserved in the order the documents are
staged (:meth:`~..documents.batch.Batch.reserve`); the process that renders it, a worker
for a large batch, writes it (:func:`~..documents.reserved.write_document`) and hands
back only its sha256 and size, so the main process does not create, write and hash each
file itself. A name taken already (two sheets for one organisation) leaves that job's
documents to be staged in their turn, as before, so the same documents, errors and
events come out in the same order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..documents import decision as decisions
from ..documents.reserved import Reserved, Written, write_document
from ..domain.register import Organisation
from ..errors import CbctError
from .address_window import measured
from .run import Run

if TYPE_CHECKING:
    from ..render.address_fit import AddressFit

#: A rendered document (written already when its name was reserved, else its bytes) and
#: its address block's estimate (:func:`.address_window.measured`).
Letter = tuple[bytes | Written, "AddressFit | None"]


def reserve(run: Run, orgs: Sequence[Organisation], jobs: Sequence[Any],
            kinds: Callable[[Any], Sequence[str]], folder: str | None = None) -> None:
    """For each job (one per organisation, in order) the names of the documents of
    ``kinds(job)`` (none for a job that makes none; in ``folder``, else each in the
    folder of its kind), appended to its ``names`` in that order; when one is taken
    already, none of that job's (it is staged in its turn)."""
    if not run.batch.stream:
        return
    for org, job in zip(orgs, jobs, strict=True):
        wanted = kinds(job)
        try:
            for kind in wanted:
                job.names.append(decisions.reserve_letter(run.batch, org, kind, folder))
        except CbctError:
            for reserved in job.names:
                run.batch.release(reserved)
            job.names.clear()


def written(names: Sequence[Reserved], index: int, data: bytes) -> Letter:
    """A rendered letter measured, and written to its reserved name if it has one."""
    data, fit = measured(data)
    return write(names, index, data), fit


def write(names: Sequence[Reserved], index: int, data: bytes) -> bytes | Written:
    """A rendered document written to its reserved name if it has one (else its bytes,
    for the main process to stage)."""
    return write_document(names[index], data) if names else data


def taken(run: Run, org: Organisation, kind: str, document: bytes | Written,
          names: Sequence[Reserved], index: int, folder: str | None = None) -> Path:
    """A rendered document into the batch: written already, or staged now (under the
    name :func:`reserve` would have given it)."""
    if isinstance(document, bytes):
        return decisions.stage_letter(run.batch, org, kind, document, folder)
    return run.batch.written(names[index], document)


def release(run: Run, names: Sequence[Reserved]) -> None:
    """The names of documents that are not made after all, given back."""
    for reserved in names:
        run.batch.release(reserved)
