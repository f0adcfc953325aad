"""Outcomes kept per process by a key, at most so many (issue 16): what a workbook's
package parts say (``workbook_parts``), what the XML around a sheet's rows says
(``sheetdata``), the row shapes and rows of earlier sheets (``shapes``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_MISSING: Any = object()


def keep(kept: dict[Any, Any], key: Any, value: Any, most: int) -> None:
    """``kept[key] = value``, the oldest entries forgotten to keep at most ``most`` (safe
    while another thread does the same: at worst an entry too many is kept or forgotten)."""
    while len(kept) >= most:
        try:
            del kept[next(iter(kept))]
        except (KeyError, RuntimeError, StopIteration):
            break
    kept[key] = value


class Kept(dict[Any, Any]):
    """Outcomes by key, the oldest forgotten beyond ``most``."""

    def __init__(self, most: int) -> None:
        super().__init__()
        self.most = most

    def get_or(self, key: Any, compute: Callable[[], Any]) -> Any:
        """The outcome kept for ``key``, else ``compute()``'s, kept. An outcome depends
        on its key alone, so a thread that computes it too keeps the same."""
        found = self.get(key, _MISSING)
        if found is not _MISSING:
            return found
        value = compute()
        keep(self, key, value, self.most)
        return value
