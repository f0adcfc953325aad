"""Every organisation and its latest dossier, as the pages read them, kept between
requests and brought up to date with only what changed.

The overview and the review pages of an office of 2,000 organisations need every
organisation and every dossier on every request; reading them anew (a JSON row per
organisation, every event folded) is most of such a page's time, and most of the time
nothing changed. A :class:`Reading` is kept per office database under the office's stamp
(:func:`cbct_docs.store.events_extra.content_stamp`: the events and dossiers there are —
they are only ever added — a hash of the organisations' rows, which change in place —
and the register file's size and time). A request whose stamp is the same uses it as it
is; when only events were added, only the dossiers they belong to are folded again; when
the organisations or the dossiers changed, everything is read anew. The stamp and what is
read come from one read transaction, so they always agree. A reading is shared between
requests: nobody changes it.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Mapping
from dataclasses import dataclass

from ..domain.planning import Quarter
from ..domain.process import fold
from ..domain.register import Organisation
from ..store.database import guarded
from ..store.dossiers import Dossier, all_dossiers, load_organisations
from ..store.events_extra import (
    Stamp,
    content_stamp,
    dossiers_after,
    events_after,
    read_together,
    recorded_at,
)
from .office import REGISTER_NAME, OfficeFolder


@dataclass(frozen=True)
class Reading:
    register: tuple[int, int] | None  # the register file's size and time
    stamp: Stamp
    orgs: tuple[Organisation, ...]  # in register order
    by_number: Mapping[str, Organisation]
    dossiers: Mapping[str, Dossier]  # cert_nr → its latest dossier


_READINGS: dict[str, Reading] = {}
_LOCK = threading.Lock()
KEEP = 4  # office databases remembered (tests open many; an office has one)


def _register(office: OfficeFolder) -> tuple[int, int] | None:
    try:
        info = (office.folder / REGISTER_NAME).stat()
    except OSError:
        return None
    return (info.st_size, info.st_mtime_ns)


def reading(office: OfficeFolder) -> Reading:
    """The organisations and their latest dossiers as the office database has them now."""
    key = str(office.database_path.resolve())
    with _LOCK:
        old = _READINGS.get(key)
    with guarded(office.database_path), read_together(office.database()) as db:
        register, now = _register(office), content_stamp(db)
        if old is not None and (old.register, old.stamp) == (register, now):
            return old
        fresh = old is None or old.register != register or old.stamp.digest != now.digest
        found = None if fresh else _read(db, old, register, now)
    if found is None:
        office.organisations()  # reads a changed register file in; refuses an empty office
        with guarded(office.database_path), read_together(office.database()) as db:
            found = _read(db, old, _register(office), content_stamp(db))
    with _LOCK:
        _READINGS[key] = found
        while len(_READINGS) > KEEP:
            del _READINGS[next(iter(_READINGS))]
    return found


def _read(db: sqlite3.Connection, old: Reading | None, register: tuple[int, int] | None,
          stamp: Stamp) -> Reading:
    if old is not None and old.stamp.digest == stamp.digest:
        orgs, by_number = old.orgs, old.by_number
    else:
        orgs = tuple(load_organisations(db))
        by_number = {org.cert_nr: org for org in orgs}
    if old is not None and _same_database(db, old, stamp):
        dossiers = _brought_up_to_date(db, old)
    else:
        dossiers = all_dossiers(db)
    return Reading(register, stamp, orgs, by_number, dossiers)


def _same_database(db: sqlite3.Connection, old: Reading, stamp: Stamp) -> bool:
    """Only added to since ``old`` was read: no dossier or event fewer, and the last event
    then is still there, recorded at the same time."""
    return (stamp.dossiers - old.stamp.dossiers
            == stamp.last_dossier - old.stamp.last_dossier >= 0
            and stamp.events - old.stamp.events
            == stamp.last_event - old.stamp.last_event >= 0
            and (old.stamp.last_event == 0
                 or recorded_at(db, old.stamp.last_event) == old.stamp.last_at))


def _brought_up_to_date(db: sqlite3.Connection, old: Reading) -> dict[str, Dossier]:
    """``old``'s dossiers with the events added since folded in, and the dossiers opened
    since (each the organisation's latest now, with all its events: they are newer)."""
    dossiers = dict(old.dossiers)
    added = events_after(db, old.stamp.last_event)
    for cert_nr, dossier in old.dossiers.items():
        if dossier.id in added:
            state = fold(cert_nr, dossier.cycle, [*dossier.state.events, *added[dossier.id]])
            dossiers[cert_nr] = Dossier(dossier.id, cert_nr, dossier.cycle,
                                        dossier.framework, state)
    for dossier_id, cert_nr, cycle_text, framework in dossiers_after(db,
                                                                     old.stamp.last_dossier):
        cycle = Quarter.parse(cycle_text)
        dossiers[cert_nr] = Dossier(dossier_id, cert_nr, cycle, framework,
                                    fold(cert_nr, cycle, added.get(dossier_id, [])))
    return dossiers
