"""Run a command, note its own peak RSS and seconds: ``python bench/peak.py NOTE COMMAND…``.

The peak RSS ``os.wait4`` reports for a child started by a large process is at least
that process's own peak: Python starts the child with vfork, and Linux takes the
memory map the child leaves at its exec (the parent's) into the child's peak. So a
command started by the bench (~90 MB after building registers with openpyxl) showed
~90 MB whatever it used. Started from this small process instead (~10 MB), the figure
is the command's own (and its children's), written in kB to NOTE with the command's wall
seconds (without this launcher's start). Exits as the command.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path


def main() -> int:
    note, command = Path(sys.argv[1]), sys.argv[2:]
    start = time.perf_counter()
    process = subprocess.Popen(command)
    _pid, status, usage = os.wait4(process.pid, 0)
    note.write_text(f"{usage.ru_maxrss} {time.perf_counter() - start}\n")
    return os.waitstatus_to_exitcode(status)


if __name__ == "__main__":
    sys.exit(main())
