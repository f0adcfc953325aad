"""The sample lifecycle still reads exactly as the reviewed golden texts in tests/golden/.

After an intended change: ``make golden`` (``python -m tests.golden regenerate``), then
review ``git diff tests/golden``.
"""

from __future__ import annotations

import difflib
from pathlib import Path

from .golden import GOLDEN, golden_texts


def test_outputs_match_golden_texts(tmp_path: Path) -> None:
    current = golden_texts(tmp_path)
    stored = {p.relative_to(GOLDEN).as_posix(): p.read_text(encoding="utf-8")
              for p in GOLDEN.rglob("*.txt")}
    assert sorted(current) == sorted(stored), "documents added or missing; run make golden"
    changed = []
    for name in sorted(current):
        if current[name] != stored[name]:
            diff = difflib.unified_diff(stored[name].splitlines(), current[name].splitlines(),
                                        f"golden/{name}", "now", lineterm="", n=1)
            changed.append("\n".join(list(diff)[:20]))
    assert not changed, "text changed (run make golden if intended):\n" + "\n\n".join(changed)
