"""Approving a batch of documents (or holding one back with a note), recorded in each
organisation's dossier as a ``goedgekeurd`` event with who and when."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from ..domain.approval import APPROVED, HELD, may_approve
from ..domain.process import Kind
from ..errors import DataError, UsageError
from ..settings import load_settings
from .documents import batch as load_batch
from .documents import out_folder
from .office import OfficeFolder
from .run import Run, RunResult, Skip


def four_eyes(office: OfficeFolder) -> bool:
    """``[web] four_eyes = true`` in the settings: the approver is not the maker."""
    value = load_settings(office.settings_path).section("web").get("four_eyes", False)
    if not isinstance(value, bool):
        raise UsageError("[web] four_eyes must be true or false",
                         location=office.settings_path)
    return value


def approve(office: OfficeFolder, batch_id: int, *, held: Mapping[int, str] | None = None,
            only: Sequence[int] = (), day: dt.date | None = None) -> RunResult:
    """Approve every document of the batch that is still to be judged (or only those
    named by event id), holding back those in ``held`` (event id → note, required).
    Documents with a problem, and those held back, are not approved in bulk."""
    held = dict(held or {})
    for event_id, note in held.items():
        if not note.strip():
            raise UsageError("tegenhouden vraagt een toelichting",
                             location=f"document {event_id}")
    found = load_batch(office, batch_id)
    wanted = set(only)
    orgs, _changes = office.organisations()
    by_number = {org.cert_nr: org for org in orgs}
    run = Run(office, out_folder(office))
    strict = four_eyes(office)
    day = day or dt.date.today()
    for item in found.items:
        if wanted and item.event_id not in wanted:
            continue
        org = by_number.get(item.cert_nr)
        if org is None or item.path is None:
            run.result.skipped.append(Skip(item.cert_nr, item.org_name,
                                           "; ".join(item.problems) or "niet in het register"))
            continue
        note = held.get(item.event_id, "")
        verdict = HELD if note else APPROVED
        if verdict == APPROVED and item.status == APPROVED:
            continue  # judged already, unchanged since
        if verdict == APPROVED and item.status == HELD and not wanted:
            continue  # held back stays held back until it is approved on its own
        if verdict == APPROVED and item.problems and not wanted:
            run.result.skipped.append(Skip(item.cert_nr, item.org_name,
                                           "eerst bekijken: " + "; ".join(item.problems)))
            continue
        if verdict == APPROVED:
            refusal = may_approve(item.made_by, office.user, strict)
            if refusal is not None:
                raise DataError(refusal.what, location=item.name, hint=refusal.hint)
        run.record(org, Kind.APPROVED, day,
                   {"document": item.document, "sha256": item.sha256_now,
                    "oordeel": verdict, "toelichting": note, "reeks": batch_id},
                   item.path)
    return run.commit()
