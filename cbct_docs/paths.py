"""Where the default templates, samples and framework files are.

In a checkout they sit at the top of the repository (``templates/``, ``samples/``);
a wheel carries them inside the package (``cbct_docs/_bundled/``).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent


@lru_cache(maxsize=8)  # where the package lies does not change while it runs
def _bundled(name: str) -> Path:
    inside = PACKAGE / "_bundled" / name
    if inside.is_dir():
        return inside
    return PACKAGE.parent / name


def templates_dir() -> Path:
    return _bundled("templates")


def samples_dir() -> Path:
    return _bundled("samples")


def data_dir() -> Path:
    """Package data that is code-adjacent (framework definitions)."""
    return PACKAGE / "data"
