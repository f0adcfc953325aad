"""The application layer: one typed function per operation of the office.

The command line (``cli/``), the demo and the web app call these and nothing below them
for the office's work; each takes an :class:`OfficeFolder` and returns a
:class:`RunResult` (documents made, organisations passed by with the reason, events
recorded), or raises every problem at once with nothing written.

Operations: ``announce``, ``intake_reminder``, ``confirm`` (before_audit); ``report``,
``decide``, ``certificate``, ``heraudit`` (audit); ``survey`` (after); ``campaign``
(communications); ``record``, ``import_dossiers`` (record); ``status``, ``year_view``
(status); ``import_register``, ``export_register`` (register).
"""

from __future__ import annotations

from .office import OfficeFolder, open_office
from .run import RunResult, Skip

__all__ = ["OfficeFolder", "RunResult", "Skip", "open_office"]
