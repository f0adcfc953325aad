"""One run of an operation: documents rendered into a batch, the events they make, the
organisations passed by — and one commit that writes the files and records the events
together.

The events are appended inside one database transaction that stays open while the files
are written; a failure (or a kill) before the commit leaves no event, and the files that
did reach the disk are complete (each is renamed into place). A rerun then makes the same
documents again: a file that is byte for byte the one it would write is taken as it is, so
the rerun finishes without ``--overwrite`` and dossier and files agree.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from ..deliver.ledger import transaction
from ..documents.context import (
    Batch,
    EmailTemplates,
    Made,
    Office,
    about,
    email_bytes,
    email_templates,
    file_stem,
)
from ..documents.reserved import Written, write_document
from ..domain.planning import DEFAULT_DEADLINES, Quarter, audit_quarter
from ..domain.process import DossierState, Kind, next_action
from ..domain.refusals import Refusal
from ..domain.register import Organisation
from ..errors import CbctError, DataError, Problems
from ..store.database import guarded
from ..store.dossiers import (
    Dossier,
    NewEvent,
    all_dossiers,
    append_events,
    latest_dossier,
    open_dossier_ids,
)
from ..store.dossiers import write_back_until as store_until
from . import parallel
from .office import OfficeFolder


@dataclass(frozen=True)
class Skip:
    cert_nr: str
    name: str
    reason: str

    def __str__(self) -> str:
        return f"{self.cert_nr} {self.name}: {self.reason}"


class Note(str):
    """A note of a run: the English the command line prints, with the Dutch the web app
    shows (``nl``; the English when there is none) and whether it warns."""

    nl: str
    warning: bool

    def __new__(cls, english: str, nl: str = "", *, warning: bool = False) -> Note:
        note = super().__new__(cls, english)
        note.nl, note.warning = nl or english, warning
        return note


@dataclass
class RunResult:
    """What an operation did: documents made, organisations passed by (with the reason)
    and events recorded. Problems are raised (all at once), never returned half-done."""

    made: list[Made] = field(default_factory=list)
    skipped: list[Skip] = field(default_factory=list)
    recorded: int = 0
    notes: list[str] = field(default_factory=list)  # a Note where it has its Dutch
    out: Path | None = None
    outcomes: dict[str, str] = field(default_factory=dict)  # cert_nr → decision
    counts: dict[str, int] = field(default_factory=dict)  # e.g. a campaign's placed/thanked


def org_label(org: Organisation) -> str:
    """How a refusal names the organisation, first in its message."""
    return f"{org.cert_nr} ({org.name})"


Progress = Callable[[int, int], None]

#: Dossiers a run reads one by one before it reads every organisation's at once.
FEW = 8


class Run:
    def __init__(self, office: OfficeFolder, out: Path, overwrite: bool = False, *,
                 stream: bool = False) -> None:
        self.office = office
        # stream: each document to disk as it is made (documents/batch.py); off for runs
        # that change a staged document afterwards (batch.pending).
        self.batch = Batch(out, overwrite, stream=stream)
        self.db = office.database()
        # The dossiers are read when first asked (office.organisations, before a run,
        # has read the database already): the first few one by one, then all at once.
        self._dossiers: dict[str, Dossier] | None = None
        self._looked_up: dict[str, Dossier | None] = {}
        self.events: list[tuple[Organisation, NewEvent]] = []
        self.until: dict[str, dt.date] = {}
        self.targets: dict[str, Dossier | None] = {}  # the dossier each state came from
        self.result = RunResult(out=out)
        self.problems = Problems()
        self._letterhead: Office | None = None
        self._quarters: dict[tuple[str, dt.date], Quarter] = {}

    @classmethod
    def begin(cls, office: OfficeFolder, out: Path, overwrite: bool = False,
              register: Path | None = None, *,
              stream: bool = False) -> tuple[Run, list[Organisation]]:
        """A run over the office's organisations (after reading ``register`` in, when
        given); what the register changed is the run's first note."""
        orgs, changes = office.organisations(register)
        run = cls(office, out, overwrite, stream=stream)
        run.result.notes += [str(change) for change in changes]
        return run, orgs

    @property
    def dossiers(self) -> dict[str, Dossier]:
        """The latest dossier of every organisation; read again, when next asked, after
        a commit."""
        if self._dossiers is None:
            with guarded(self.office.database_path):
                self._dossiers = all_dossiers(self.db)
            self._looked_up.clear()
        return self._dossiers

    def dossier(self, cert_nr: str) -> Dossier | None:
        """The latest dossier of one organisation. A run about a few organisations (one
        score sheet, one event) reads theirs alone; from the :data:`FEW`-th on, every
        organisation's at once (:attr:`dossiers`: two queries for a whole office)."""
        if self._dossiers is None and cert_nr not in self._looked_up:
            if len(self._looked_up) >= FEW:
                return self.dossiers.get(cert_nr)
            with guarded(self.office.database_path):
                self._looked_up[cert_nr] = latest_dossier(self.db, cert_nr)
        if self._dossiers is None:
            return self._looked_up[cert_nr]
        return self._dossiers.get(cert_nr)

    def audit_quarter(self, org: Organisation) -> Quarter:
        """:func:`~cbct_docs.domain.planning.audit_quarter`, once per framework and date."""
        key = (org.framework, org.certified_until)
        quarter = self._quarters.get(key)
        if quarter is None:
            quarter = self._quarters[key] = audit_quarter(org)
        return quarter

    @property
    def letterhead(self) -> Office:
        if self._letterhead is None:
            self._letterhead = self.office.letterhead()
        return self._letterhead

    # --- the dossier as it stands --------------------------------------------------------

    def state(self, org: Organisation, *, starting: bool = False) -> DossierState:
        """The state of the organisation's current dossier (a new, empty one when its
        next cycle begins). ``starting``: the step that opens a cycle (the announcement)
        may begin the next one as soon as the last was certified."""
        dossier = self._current(org, starting)
        self.targets[org.cert_nr] = dossier
        if dossier is None:
            return DossierState(org.cert_nr, self.audit_quarter(org))
        return dossier.state

    def _current(self, org: Organisation, starting: bool = False) -> Dossier | None:
        dossier = self.dossier(org.cert_nr)
        if dossier is None:
            return None
        state = dossier.state
        if self.audit_quarter(org) > state.quarter and state.certified and (
                starting or not next_action(state, DEFAULT_DEADLINES).action):
            return None  # certified, and the certificate's new end is the next cycle's
        return dossier

    def allowed(self, org: Organisation, refusal: Refusal | None) -> bool:
        """True when the step may be taken; a skip is listed, a conflict raised."""
        if refusal is None:
            return True
        if refusal.skip:
            self.result.skipped.append(Skip(org.cert_nr, org.name, refusal.what))
            return False
        raise DataError(refusal.what, location=org_label(org), hint=refusal.hint or None)

    # --- what the run will record --------------------------------------------------------

    def record(self, org: Organisation, kind: Kind, day: dt.date,
               data: dict[str, Any] | None = None, document: Path | None = None) -> None:
        self.events.append((org, NewEvent(org.cert_nr, kind, day, dict(data or {}),
                                          str(document) if document else "")))

    def write_back_until(self, org: Organisation, until: dt.date) -> None:
        self.until[org.cert_nr] = until

    # --- commit ---------------------------------------------------------------------------

    def commit(self) -> RunResult:
        """Write the files and record the events, together."""
        try:
            self.problems.raise_if_any()
            with guarded(self.office.database_path):
                self._record_and_write(self.batch.digests())
        except BaseException:
            self.batch.discard()  # nothing written: the temporary files go too
            raise
        self.events.clear()
        self.until.clear()
        self._dossiers = None  # read again when next asked
        self._looked_up.clear()
        self.targets.clear()
        return self.result

    def _record_and_write(self, digests: dict[str, str]) -> None:
        """One transaction: the events are appended, the files written; a failure of
        either rolls the events back."""
        with transaction(self.db):
            opened: dict[str, int] = {}
            new: dict[str, Organisation] = {}  # organisations whose dossier opens now
            for org, _event in self.events:
                if org.cert_nr in opened or org.cert_nr in new:
                    continue
                current = (self.targets[org.cert_nr] if org.cert_nr in self.targets
                           else self._current(org))
                if current is None:
                    new[org.cert_nr] = org
                else:
                    opened[org.cert_nr] = current.id
            opened.update(open_dossier_ids(self.db, list(new.values()),
                                           self.audit_quarter))
            items = [NewEvent(event.cert_nr, event.kind, event.day, event.data,
                              event.document, digests.get(event.document, ""),
                              opened[org.cert_nr]) for org, event in self.events]
            self.result.recorded = append_events(self.db, items, self.office.user)
            for cert_nr, until in self.until.items():
                store_until(self.db, cert_nr, until)
            self.result.made.extend(self.batch.commit())


#: Organisations prepared, rendered and staged at a time: a run holds the contexts and
#: the rendered documents of one window, never of all organisations.
WINDOW = 1000
#: The first window of a sparse run (:func:`render_each`): the workers start after it.
SPARSE_FIRST = 250


#: What ``render`` makes of one prepared job: a document's bytes or text, or several.
Rendered = TypeVar("Rendered")


def render_each(run: Run, chosen: Sequence[Organisation],
                prepare: Callable[[Organisation], Any],
                render: Callable[[Any], Rendered],
                stage: Callable[[Organisation, Any, Rendered], None],
                progress: Progress | None = None, *, sparse: bool = False,
                warm: Callable[[], object] | None = None) -> None:
    """For each organisation, in order: ``prepare`` it (None: passed by; a CbctError
    returned is raised in its turn, located at the organisation), ``render`` what it
    prepared (on every core for a large batch: :mod:`.parallel`) and ``stage`` the
    document (or the documents: ``render`` may make more than one, e.g. a letter and a
    certificate). Problems are collected in ``run.problems`` in the organisations' order.

    The next window's organisations are prepared while this one's are staged, spread
    over them (still all in order), so the workers render meanwhile instead of waiting
    for a window's preparation between two windows.

    ``sparse``: a run where few organisations get a document (heraudit: one in four).
    Its first window is small (:data:`SPARSE_FIRST`), so the template is compiled and
    the workers forked after a short preparation; they stay for the whole run, every
    window's jobs sent to them (:func:`.parallel.early`), for a run of at least
    :data:`.parallel.MIN_BATCH` organisations. With ``warm`` (what compiles the
    template), they are forked before the first window is prepared and each compiles it
    while this process prepares (this process compiles it at its first own document)."""
    first = SPARSE_FIRST if sparse else WINDOW
    windows = [chosen[:first]] + [chosen[start:start + WINDOW]
                                  for start in range(first, len(chosen), WINDOW)]
    with contextlib.ExitStack() as workers:
        pool: Any = None
        early = sparse  # workers at the first window with jobs, for enough expected
        if sparse and warm is not None:
            pool = workers.enter_context(parallel.early(render, len(chosen), warm))
            early = pool is None
        prepared = [(org, prepare(org)) for org in windows[0]]
        done = 0
        for number in range(len(windows)):
            following = windows[number + 1] if number + 1 < len(windows) else []
            ahead: list[tuple[Organisation, Any]] = []  # the next window, prepared meanwhile
            # as many per organisation staged as the whole next window needs (a sparse
            # run's first window is a quarter of the next: four each, none left to do
            # while the workers wait between the two)
            per_staged = -(-len(following) // max(1, len(prepared)))
            jobs = [entry for _org, entry in prepared
                    if entry is not None and not isinstance(entry, CbctError)]
            expected = 0  # as many jobs in the run as in this window, for its size
            if early and jobs:
                early, expected = False, len(jobs) * len(chosen) // len(prepared)
            if expected >= parallel.MIN_BATCH or (not sparse and number == 0
                                                  and len(jobs) >= parallel.MIN_BATCH):
                with contextlib.suppress(CbctError):  # a broken template: each says so below
                    render(jobs[0])  # compiled (and checked) once, before the workers fork
                if expected:
                    pool = workers.enter_context(parallel.early(render, expected))
            with contextlib.closing(parallel.results(jobs, render, pool=pool)) as rendered:
                for org, entry in prepared:
                    done += 1
                    with run.problems.catch(), about(org):
                        if isinstance(entry, CbctError):
                            raise entry
                        if entry is not None:
                            data = next(rendered)
                            stage(org, entry, render(entry) if data is parallel.LOCAL else data)
                    for upcoming in following[len(ahead):len(ahead) + per_staged]:
                        ahead.append((upcoming, prepare(upcoming)))
                    if progress:
                        progress(done, len(chosen))
            prepared = ahead + [(org, prepare(org)) for org in following[len(ahead):]]


def email_each(run: Run, chosen: Sequence[Organisation], kind: str,
               prepare: Callable[[Organisation], Any], event: Kind,
               data: dict[str, object], day: dt.date,
               progress: Progress | None = None) -> None:
    """:func:`render_each` for e-mails of ``kind``: ``prepare`` gives (context, addressee);
    each .eml is staged and ``event`` recorded with ``data``. The e-mail's templates are
    looked up and compiled once, at the first e-mail (none when nobody gets one).

    In a streamed batch each e-mail's name is reserved as it is prepared, in order, and
    the .eml is written where it is rendered (on a worker for a large batch): the main
    process then only takes its sha256 and size into the batch."""
    compiled: list[EmailTemplates] = []
    letterhead = run.letterhead
    batch = run.batch

    def job(org: Organisation) -> Any:
        entry = prepare(org)
        if not batch.stream or entry is None or isinstance(entry, CbctError):
            return entry
        try:
            return (*entry, batch.reserve(kind, file_stem(org, kind), ".eml", org.name))
        except CbctError as error:  # raised in its turn, located at the organisation
            return error

    def render(job: tuple[Any, ...]) -> bytes | Written:
        if not compiled:
            compiled.append(email_templates(kind, run=True))
        made = email_bytes(compiled[0].render(job[0], job[1]), letterhead)
        return write_document(job[2], made) if batch.stream else made

    def stage(org: Organisation, job: tuple[Any, ...], made: Any) -> None:
        path = (batch.written(job[2], made) if batch.stream
                else batch.add(kind, file_stem(org, kind), ".eml", made, org.name))
        run.record(org, event, day, dict(data), path)

    render_each(run, chosen, job, render, stage, progress)
