"""The application layer: one typed function per operation of the office.

The command line (``cli/``), the demo and the web app call these and nothing below them
for the office's work; each takes an :class:`OfficeFolder` and returns a
:class:`RunResult` (documents made, organisations passed by with the reason, events
recorded), or raises every problem at once with nothing written.

Operations, by module:

- the process: ``announce``, ``intake_reminder``, ``confirm`` (before_audit); ``report``,
  ``decide``, ``certificate``, ``heraudit`` (audit); ``survey`` (after); ``record``,
  ``import_dossiers`` (record); ``status``, ``year_view``, ``dossier_view`` (status);
- the office's files: ``import_register``, ``export_register`` (register); taking files
  in (files); score sheets (scoresheet); the office's own templates (templates,
  templates_office, template_upload);
- documents outside the dossiers: ``merge``/``check`` (merge), ``campaign``
  (communications), ``overview``, ``whitepaper``, the news item (news);
- review and delivery: batches of documents (documents), approval (approval), sending
  (send), the print run (printing); accounts of the web app (accounts);
- the demo round (demo), built from the operations above.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .office import OfficeFolder, open_office
    from .run import RunResult, Skip

__all__ = ["OfficeFolder", "RunResult", "Skip", "open_office"]

#: The names above, by the module that defines them: imported when first asked for, so
#: that an operation that needs no office (``merge``) does not import the office's whole
#: stack (database, documents, settings: ~0.1 s at every start).
_HOMES = {"OfficeFolder": "office", "open_office": "office", "RunResult": "run",
          "Skip": "run"}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f".{home}", __name__), name)
    globals()[name] = value
    return value
