"""Anchor: the floor for writing N letters: copy the template N times.

``python bench/anchor_copy.py TEMPLATE OUT N``: OUT/brief-NNNNN.docx, N copies of the
same zip (``shutil.copyfile``), no rendering at all.
"""

import shutil
import sys
from pathlib import Path


def main() -> int:
    template, out, count = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
    out.mkdir(parents=True, exist_ok=True)
    for number in range(1, count + 1):
        shutil.copyfile(template, out / f"brief-{number:05d}.docx")
    return 0


if __name__ == "__main__":
    sys.exit(main())
