"""What a page reads of the whole office (every organisation's dossier and status), kept
between requests for as long as the office is exactly as it was.

The overview and the review pages of an office of 2,000 organisations read every
organisation and every event on every request, most of the time to find nothing changed.
Here such a reading is kept under the office's stamp
(:func:`cbct_docs.store.events_extra.content_stamp`: the events and dossiers there are,
a hash of the organisations' rows, and the register file's size and time), and used
again while the stamp is the same. A reading during which the stamp changed (a register
read in, a run elsewhere) is not kept. What is kept is shared: callers never change it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Any, TypeVar, cast

from ..store.database import guarded
from ..store.events_extra import content_stamp
from .office import REGISTER_NAME, OfficeFolder

T = TypeVar("T")

_KEPT: dict[tuple[Hashable, ...], Any] = {}
_LOCK = threading.Lock()
KEEP = 8  # readings kept (of any office), the oldest dropped first


def stamp(office: OfficeFolder) -> tuple[Hashable, ...]:
    """The office as it is now: its database's content and its register file."""
    try:
        info = (office.folder / REGISTER_NAME).stat()
        register: tuple[int, int] | None = (info.st_size, info.st_mtime_ns)
    except OSError:
        register = None
    with guarded(office.database_path):
        found = content_stamp(office.database())
    return (str(office.database_path.resolve()), register, *cast(tuple[Hashable, ...], found))


def remembered(office: OfficeFolder, what: str, read: Callable[[], T],
               *extra: Hashable) -> T:
    """``read()``, or what it gave before for the office as it is now (``what`` and
    ``extra`` tell the readings apart)."""
    before = stamp(office)
    key = (what, extra, before)
    with _LOCK:
        if key in _KEPT:
            return cast(T, _KEPT[key])
    value = read()
    if stamp(office) == before:  # nothing changed while it was read
        with _LOCK:
            _KEPT[key] = value
            while len(_KEPT) > KEEP:
                del _KEPT[next(iter(_KEPT))]
    return value
