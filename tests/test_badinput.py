"""The bad-input corpus (tests/badinput/*/case.json): every case must stop at a clear,
location-first message with the right exit code, no traceback, no partial file, and the
other records unaffected. Regenerate the inputs with ``python -m tests.badinput.build``."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docx
import pytest
from click.testing import CliRunner

from cbct_docs.cli import cli

from .conftest import docx_text

CORPUS = Path(__file__).parent / "badinput"
CASES = sorted(p.parent.name for p in CORPUS.glob("*/case.json"))
DOCUMENT_SUFFIXES = {".docx", ".html", ".txt", ".eml", ".pdf", ".xlsx", ".png"}


def fill(value: Any, case: Path, out: Path) -> Any:
    if isinstance(value, str):
        return value.replace("{case}", str(case)).replace("{out}", str(out))
    if isinstance(value, list):
        return [fill(v, case, out) for v in value]
    if isinstance(value, dict):
        return {fill(k, case, out): fill(v, case, out) for k, v in value.items()}
    return value


@pytest.fixture
def immutable_cleanup() -> Iterator[list[Path]]:
    folders: list[Path] = []
    yield folders
    for folder in folders:
        subprocess.run(["chattr", "-i", str(folder)], check=False)
        folder.chmod(0o755)


def make_unwritable(folder: Path, cleanup: list[Path]) -> None:
    folder.mkdir()
    cleanup.append(folder)
    if os.geteuid() != 0:
        folder.chmod(0o555)
        return
    # root writes through permission bits; the immutable flag stops even root
    if not shutil.which("chattr") or subprocess.run(
            ["chattr", "+i", str(folder)], capture_output=True).returncode != 0:
        pytest.skip("cannot make a folder read-only for root here (no chattr +i)")


def run_limited(args: list[str], cwd: Path) -> tuple[int, str]:
    """Run the CLI in a process whose files may not grow over 60 kB (a full disk)."""
    code = ("import resource, signal, sys;"
            "signal.signal(signal.SIGXFSZ, signal.SIG_IGN);"
            "resource.setrlimit(resource.RLIMIT_FSIZE, (60000, 60000));"
            "from cbct_docs.cli import main; main(sys.argv[1:])")
    proc = subprocess.run([sys.executable, "-c", code, *args], capture_output=True,
                          text=True, cwd=cwd, timeout=120)
    return proc.returncode, proc.stdout + proc.stderr


def test_corpus_is_large_enough() -> None:
    assert len(CASES) >= 100, f"only {len(CASES)} bad-input cases"


@pytest.mark.parametrize("name", CASES)
def test_bad_input_case(name: str, tmp_path: Path, immutable_cleanup: list[Path]) -> None:
    case = tmp_path / name
    shutil.copytree(CORPUS / name, case)
    out = tmp_path / "out"
    spec = fill(json.loads((case / "case.json").read_text(encoding="utf-8")), case, out)
    setup = spec.get("setup")
    if setup == "readonly-out":
        make_unwritable(out, immutable_cleanup)
    if setup == "existing-output":
        out.mkdir()
        docx.Document().save(str(out / "A.docx"))
    before = sorted(p.name for p in case.rglob("*"))

    if setup == "fsize-limit":
        exit_code, output = run_limited(spec["args"], tmp_path)
    else:
        result = CliRunner().invoke(cli, spec["args"])
        exit_code, output = result.exit_code, result.output
        assert not isinstance(result.exception, Exception) or isinstance(
            result.exception, SystemExit), repr(result.exception)

    assert "Traceback" not in output, output
    assert exit_code == spec["exit"], output
    errors = [line for line in output.splitlines() if line.startswith("Error: ")]
    assert errors, output
    assert errors[0].startswith("Error: " + spec["error"]), output
    if "count" in spec:
        assert len(errors) == spec["count"], output
    assert sorted(p.name for p in case.rglob("*")) == before, "inputs were changed"

    made = sorted(p.name for p in out.iterdir()) if out.is_dir() else []
    documents = [n for n in made if Path(n).suffix in DOCUMENT_SUFFIXES]
    assert not [n for n in made if n.endswith(".tmp")], f"partial files left: {made}"
    assert documents == sorted(spec.get("outputs", [])), output
    for document in documents:
        if document.endswith(".docx"):
            docx.Document(str(out / document))  # complete, opens
    for document, texts in spec.get("contains", {}).items():
        text = docx_text(out / document)
        for expected in texts:
            assert expected in text, f"{document}: {expected[:60]!r} not in {text[:200]!r}"
