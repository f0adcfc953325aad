"""A full disk during ``cbct-docs merge`` (issue 15): every document that could not be
written is counted and the first are named, also when the manifest cannot be written
either; a rerun with --resume after freeing space makes only the missing ones."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import docx_text

CORPUS = Path(__file__).parent / "badinput" / "output-write-fails-mid-batch"
LIMIT = 60_000  # bytes a file may have: past that, a write fails as on a full disk
SMALL, BIG = 5, 250
LONG = " met een lange naam" * 9  # long file names: the manifest outgrows the limit too


def run(args: list[str], cwd: Path, limit: int | None) -> tuple[int, list[str]]:
    code = ("import resource, signal, sys;"
            "signal.signal(signal.SIGXFSZ, signal.SIG_IGN);"
            f"resource.setrlimit(resource.RLIMIT_FSIZE, ({limit}, {limit}));"
            if limit else "import sys;") + "from cbct_docs.cli import main; main(sys.argv[1:])"
    proc = subprocess.run([sys.executable, "-c", code, *args], capture_output=True,
                          text=True, cwd=cwd, timeout=300)
    return proc.returncode, (proc.stdout + proc.stderr).splitlines()


@pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_FSIZE is POSIX")
def test_a_full_disk_names_what_was_not_made(tmp_path: Path) -> None:
    shutil.copy(CORPUS / "brief.docx", tmp_path / "brief.docx")
    # hex digests compress badly: these documents (and the manifest) outgrow the limit
    big = " ".join(hashlib.sha256(str(i).encode()).hexdigest() for i in range(1500))
    records = ([{"naam": f"Klein {n}", "tekst": "kort"} for n in range(1, SMALL + 1)]
               + [{"naam": f"Groot {n:03d}{LONG}", "tekst": big} for n in range(1, BIG + 1)])
    (tmp_path / "data.json").write_text(json.dumps(records), encoding="utf-8")
    out = tmp_path / "out"
    args = ["merge", "brief.docx", "data.json", "--out", str(out), "-q"]

    code, lines = run(args, tmp_path, LIMIT)

    assert code == 1, lines
    errors = [line for line in lines if line.startswith("Error: ")]
    assert errors[0].startswith(f"Error: data.json:record {SMALL + 1}: {out}/Groot 001{LONG}"
                                ".docx: cannot write")
    assert len([e for e in errors if "cannot write" in e and "Groot" in e]) == 10
    assert any(e.startswith(f"Error: {out}/manifest.json: cannot write") for e in errors), \
        errors
    assert errors[-1].startswith(f"Error: {out}: {BIG} of {SMALL + BIG} documents not made "
                                 f"(Groot 001{LONG}.docx, Groot 002{LONG}.docx, Groot 003{LONG}"
                                 f".docx and {BIG - 3} more)"), errors
    assert "--resume" in errors[-1]
    made = sorted(p.name for p in out.iterdir())
    assert made == [f"Klein {n}.docx" for n in range(1, SMALL + 1)]
    assert "Klein 3: kort" in docx_text(out / "Klein 3.docx")

    code, lines = run([*args, "--resume"], tmp_path, None)  # space freed

    assert code == 0, lines
    assert f"{BIG} made, {SMALL} skipped, 0 failed" in lines[-1]
    assert big[:64] in docx_text(out / f"Groot 250{LONG}.docx")
