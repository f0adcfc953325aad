"""A merge killed mid-batch (SIGKILL) leaves only complete files; --resume finishes the set."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import docx

from .conftest import docx_text, make_docx

RECORDS = 400


def settled(out: Path) -> list[Path]:
    """The documents in ``out`` once no more appear: the merge's worker processes end
    when their parent is killed (PR_SET_PDEATHSIG), a moment later, and one may still be
    renaming its last file into place."""
    seen = sorted(out.glob("*.docx"))
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        time.sleep(0.3)
        now = sorted(out.glob("*.docx"))
        if now == seen:
            break
        seen = now
    return seen


def test_killed_merge_leaves_complete_files_and_resume_completes(tmp_path: Path) -> None:
    template = make_docx(tmp_path / "brief.docx", ["Beste {{ naam }},", "{{ tekst }}"])
    data = tmp_path / "data.json"
    data.write_text(json.dumps([{"naam": f"Organisatie {i:03d}", "tekst": "Regel. " * 200}
                                for i in range(RECORDS)]), encoding="utf-8")
    out = tmp_path / "out"
    args = [sys.executable, "-m", "cbct_docs", "merge", str(template), str(data),
            "--out", str(out), "--quiet"]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if out.is_dir() and len(list(out.glob("*.docx"))) >= 10:
            break
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    visible = settled(out)
    assert 10 <= len(visible) < RECORDS, "the run was not interrupted mid-batch"
    for path in visible:  # every file a person can see is complete
        assert docx_text(path).startswith(f"Beste {path.stem},")

    plain = subprocess.run(args, capture_output=True, text=True, timeout=300)
    assert plain.returncode == 1
    assert "exist already" in plain.stderr and "--resume" in plain.stderr

    resumed = subprocess.run(args + ["--resume"], capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    assert f"{RECORDS - len(visible)} made, {len(visible)} skipped, 0 failed" in resumed.stdout
    final = sorted(out.glob("*.docx"))
    assert len(final) == RECORDS
    assert not list(out.glob(".*.tmp"))
    for path in final[:: RECORDS // 20]:
        assert docx.Document(str(path)).paragraphs[0].text == f"Beste {path.stem},"
