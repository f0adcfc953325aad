"""openpyxl started without numpy by the command line (records/openpyxl_start.py)."""

from __future__ import annotations

import json
import subprocess
import sys

PROBE = """
import json, sys
from cbct_docs.records.openpyxl_start import skip_numpy
installed = skip_numpy()
import openpyxl
from openpyxl.compat.numbers import NUMPY
numpy_after_openpyxl = "numpy" in sys.modules
import numpy
from cbct_docs.documents.qr_mask import best_mask  # numpy imports normally afterwards
print(json.dumps({"installed": installed, "openpyxl_numpy": NUMPY,
                  "numpy_after_openpyxl": numpy_after_openpyxl,
                  "numpy_version": numpy.__version__, "again": skip_numpy()}))
"""


def probe(code: str) -> dict[str, object]:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    result: dict[str, object] = json.loads(done.stdout)
    return result


def test_openpyxl_starts_without_numpy_and_numpy_still_imports() -> None:
    result = probe(PROBE)
    assert result["installed"] is True
    assert result["openpyxl_numpy"] is False
    assert result["numpy_after_openpyxl"] is False
    assert result["numpy_version"]
    assert result["again"] is False  # openpyxl is there now: nothing to do


def test_numpy_imported_first_is_seen_by_openpyxl() -> None:
    result = probe("import numpy\n" + PROBE)
    assert result["installed"] is False
    assert result["openpyxl_numpy"] is True


def test_a_command_reads_a_workbook_without_numpy() -> None:
    """The command line installs it: `register check` reads the sample register, and
    openpyxl was started without numpy in that process."""
    code = ("import sys\n"
            "from cbct_docs.cli import main\n"
            "try:\n"
            "    main(['register', 'check', 'samples/register.xlsx', '--quarter', '2025-Q2'])\n"
            "except SystemExit as end:\n"
            "    from openpyxl.compat.numbers import NUMPY\n"
            "    print('exit', end.code, 'numpy', NUMPY, 'loaded', 'numpy' in sys.modules)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.strip().splitlines()[-1] == "exit 0 numpy False loaded False", done
