"""Large runs render on every core (issue 16): ``merge``, the score sheets of ``report``,
``decide`` and ``heraudit`` and the reports go to worker processes
(runs/parallel.py). Each test runs a command with the workers and without
(``CBCT_WORKERS=1``) in a fresh process and compares what a person gets: the same files,
the same text, the same events in the dossiers."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from cbct_docs.domain.register import read_register
from cbct_docs.paths import samples_dir
from cbct_docs.runs import audit, parallel

from . import test_decide_crash
from .golden import docx_reading_text

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="workers need fork")
#: A run with these settings uses workers for a batch of a few (the shipped ones: 200).
SMALL_BATCHES = "import cbct_docs.runs.parallel as p; p.MIN_BATCH = 2; p.CHUNK = 2;"


def cli(args: list[str], cwd: Path, workers: int, setup: str = "") -> str:
    code = setup + "import sys; from cbct_docs.cli import main; main(sys.argv[1:])"
    env = {k: v for k, v in os.environ.items() if k != "CBCT_LEDGER"}
    proc = subprocess.run([sys.executable, "-c", code, *args], cwd=cwd, text=True,
                          capture_output=True, timeout=300,
                          env={**env, "CBCT_WORKERS": str(workers)})
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def members(folder: Path) -> dict[str, dict[str, str]]:
    """Every .docx's parts by digest (docxtpl stamps the zip with the time it was made)."""
    found = {}
    for path in sorted(folder.rglob("*.docx")):
        with zipfile.ZipFile(path) as document:
            found[str(path.relative_to(folder))] = {
                name: hashlib.sha256(document.read(name)).hexdigest()
                for name in document.namelist()}
    return found


def test_merge_on_every_core_writes_the_same_letters(tmp_path: Path) -> None:
    from .conftest import make_docx

    make_docx(tmp_path / "brief.docx", ["{{ naam }}", "Geldig tot {{ tot|datum }}.",
                                        "Nummer {{ _number }}"])
    rows = [{"naam": f"Bibliotheek & Co {n}", "tot": f"2025-06-{n % 28 + 1:02d}"}
            for n in range(1, 261)]  # over 200: the shipped threshold for workers
    (tmp_path / "data.json").write_text(json.dumps(rows), encoding="utf-8")
    for workers in (2, 1):
        cli(["merge", "brief.docx", "data.json", "--out", f"out{workers}", "-q",
             "--name", "{naam}"], tmp_path, workers)
    made = {p.name: p.read_bytes() for p in (tmp_path / "out2").glob("*.docx")}
    alone = {p.name: p.read_bytes() for p in (tmp_path / "out1").glob("*.docx")}
    assert len(made) == 260 and made == alone  # byte for byte
    text = docx_reading_text(tmp_path / "out2" / "Bibliotheek & Co 250.docx")
    assert "Bibliotheek & Co 250" in text and "Nummer 250" in text
    manifest = json.loads((tmp_path / "out2" / "manifest.json").read_text(encoding="utf-8"))
    assert [row["status"] for row in manifest] == ["made"] * 260


def test_score_sheets_read_ahead_are_the_same() -> None:
    parallel_batch, chunk = parallel.MIN_BATCH, parallel.CHUNK
    paths = sorted((samples_dir() / "scores").glob("*.xlsx"))
    orgs = read_register(samples_dir() / "register.xlsx")
    alone = audit.scoresheets(paths, orgs)
    try:
        parallel.MIN_BATCH, parallel.CHUNK = 2, 2
        if not parallel.can_fork():
            pytest.skip("this test process has other threads: workers are not used")
        ahead = audit.scoresheets(paths, orgs)
    finally:
        parallel.MIN_BATCH, parallel.CHUNK = parallel_batch, chunk
    assert [(o.cert_nr, s) for o, s in ahead] == [(o.cert_nr, s) for o, s in alone]


def test_decide_with_sheets_read_by_workers_makes_the_same_documents(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(test_decide_crash, "ORGS", 6)
    results = {}
    for workers in (2, 1):
        folder = tmp_path / f"office{workers}"
        folder.mkdir()
        sheets = test_decide_crash.make_office(folder)
        cli(test_decide_crash.decide(folder, sheets)[3:], folder, workers,
            SMALL_BATCHES if workers > 1 else "")
        with sqlite3.connect(folder / "cbct-ledger.sqlite") as db:
            events = db.execute(
                "SELECT d.cert_nr, e.kind, e.data, e.document FROM events e JOIN dossiers d "
                "ON d.id = e.dossier_id ORDER BY e.id").fetchall()
        results[workers] = (members(folder / "out"),
                            [(c, k, d, Path(p).name if p else "") for c, k, d, p in events])
        certificate = next((folder / "out" / "certificaat").glob("CBCT-2003*.docx"))
        number = json.loads(next(d for c, k, d, _p in events
                                 if c == "CBCT-2003" and k == "certificaat-uitgereikt"))
        assert f"Certificaatnummer {number['nummer']}" in docx_reading_text(certificate)
    assert results[2] == results[1]
    assert len([n for n in results[2][0] if n.startswith("certificaat")]) == 6
