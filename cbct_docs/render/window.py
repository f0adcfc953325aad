"""The envelope window in use in this process (issue 14), apart from
:mod:`.print_layout`: every command sets it where it reads the office's settings
(``runs.office.open_office``), and that must not import lxml, which an e-mail run never
uses. The Word renderers read it through ``print_layout.active_window``."""

from __future__ import annotations

from ..settings import EnvelopeWindow

_active = EnvelopeWindow()


def use_window(window: EnvelopeWindow | None) -> None:
    """The envelope window for this process (None: the standard one)."""
    global _active
    _active = window if window is not None else EnvelopeWindow()


def active_window() -> EnvelopeWindow:
    return _active
