"""openpyxl started without numpy, for a command's start (issue 16).

openpyxl imports numpy when it is installed (``openpyxl.compat.numbers``), only to accept
numpy numbers as cell values. This tool never puts a numpy number in a cell (numpy is here
for the certificate's QR code alone), but every command that reads or writes a workbook
paid for the import: openpyxl 0.47 s instead of 0.75 s on this machine (load 5.5).

:func:`skip_numpy` installs an import hook that runs that one openpyxl module as if numpy
were absent, then takes the block away again: numpy itself still imports normally
afterwards, and when it was imported first, openpyxl sees it as before. Only the command
line installs it, before a command starts; the block is only made while the process has
one thread (an import of numpy from another thread would otherwise see it).
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
import threading
from collections.abc import Sequence
from types import ModuleType
from typing import Any

#: The openpyxl module that looks for numpy.
NUMBERS = "openpyxl.compat.numbers"


class _WithoutNumpy(importlib.abc.Loader):
    """Runs a module with ``numpy`` marked missing in ``sys.modules``."""

    def __init__(self, loader: Any) -> None:
        self.loader = loader

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        created: ModuleType | None = self.loader.create_module(spec)
        return created

    def exec_module(self, module: ModuleType) -> None:
        if "numpy" in sys.modules or threading.active_count() > 1:
            # numpy imported meanwhile (openpyxl may use it), or threads started since
            # (the web app): one could be importing numpy right now
            self.loader.exec_module(module)
            return
        sys.modules["numpy"] = None  # type: ignore[assignment]  # import raises ImportError
        try:
            self.loader.exec_module(module)
        finally:
            if sys.modules.get("numpy", False) is None:
                del sys.modules["numpy"]


class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(self, name: str, path: Sequence[str] | None,
                  target: ModuleType | None = None) -> importlib.machinery.ModuleSpec | None:
        if name != NUMBERS or "numpy" in sys.modules:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None or spec.loader is None:
            return None
        spec.loader = _WithoutNumpy(spec.loader)
        return spec


def skip_numpy() -> bool:
    """Install the hook (once); False when it does not apply: openpyxl or numpy already
    imported, or more than one thread running."""
    if NUMBERS in sys.modules or "numpy" in sys.modules or threading.active_count() > 1:
        return False
    if not any(isinstance(finder, _Finder) for finder in sys.meta_path):
        sys.meta_path.insert(0, _Finder())
    return True
