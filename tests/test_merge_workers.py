"""The workers of a large merge (issue 16): they render while the data is still read and
stage each document under a temporary name; this process gives the documents their
names only once the whole plan is sound, each after a flush of the disk. A problem
found later leaves nothing behind; a name taken meanwhile is reported as on one core;
the number of workers follows the cores the process may run on."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cbct_docs.errors import ProblemList
from cbct_docs.merge import merge, workers
from cbct_docs.records import streamed

from .conftest import docx_text
from .test_merge_stream import ROWS, register

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="workers need fork")


@pytest.fixture(autouse=True)
def small_pieces(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(streamed, "PIECE", 2048)  # ~20 rows a part


def first_chunk_staged(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """While the data is read, wait for the workers' first chunk after handing it (so
    that they staged documents before the plan ends); the chunks' answers, noted."""
    answers: list[Any] = []
    feed = workers.Workers.feed

    def feed_and_wait(self: workers.Workers, plan: Any) -> None:
        feed(self, plan)
        if self.pending and not answers:
            answers.append(self.pending[0].get(timeout=60))

    monkeypatch.setattr(workers.Workers, "feed", feed_and_wait)
    return answers


@pytest.mark.parametrize("folder_existed", [False, True])
def test_a_late_problem_removes_what_the_workers_staged(
        tmp_path: Path, docx_template: Callable[..., Path],
        monkeypatch: pytest.MonkeyPatch, folder_existed: bool) -> None:
    answers = first_chunk_staged(monkeypatch)
    data = register(tmp_path / "r.xlsx", bad=250)
    out = tmp_path / "out"
    if folder_existed:
        out.mkdir()
        (out / "notities.txt").write_text("van de gebruiker", encoding="utf-8")
    with pytest.raises(ProblemList) as caught:
        merge(docx_template(["{{ naam }}"]), data, out, cores=2)
    assert caught.value.messages() == [
        f"{data}:Organisaties:row 251:C251: the cell shows the error #N/A (correct the "
        "formula or type the value in Excel)"]
    [((indices, names, hashes), _why)] = answers
    staged = names.split("\0")
    assert list(indices) == list(range(100)) and len(staged) == 100 and all(staged)
    assert len(hashes) == 100 * workers.HASHES
    assert {Path(name).parent for name in staged} == {out}  # staged there, now removed
    assert not any(Path(name).exists() for name in staged)
    if folder_existed:
        assert sorted(p.name for p in out.iterdir()) == ["notities.txt"]
    else:
        assert not out.exists()


def test_every_document_is_flushed_before_it_gets_its_name(
        tmp_path: Path, docx_template: Callable[..., Path],
        monkeypatch: pytest.MonkeyPatch) -> None:
    first_chunk_staged(monkeypatch)
    flushed: set[str] = set()  # the staged files that existed at a flush
    renamed: list[str] = []
    flush, rename = workers.flush_file_systems, workers.replace_staged

    def noted_flush(folders: Any) -> None:
        flushed.update(str(p) for folder in folders for p in Path(folder).glob(".*.tmp"))
        flush(folders)

    def noted_rename(tmp: str, path: Path, overwrite: bool = True) -> None:
        renamed.append(tmp)
        rename(tmp, path, overwrite)

    monkeypatch.setattr(workers, "flush_file_systems", noted_flush)
    monkeypatch.setattr(workers, "replace_staged", noted_rename)
    data = register(tmp_path / "r.xlsx")
    out = tmp_path / "out"
    result = merge(docx_template(["{{ naam }} te {{ plaats }}"]), data, out, cores=2)
    assert result.count("made") == ROWS
    assert len(renamed) == ROWS and set(renamed) <= flushed
    assert not list(out.glob(".*.tmp"))
    assert docx_text(out / "CBCT-0260-Kunst & Co 260.docx").strip() == \
        "Kunst & Co 260 te Zwolle"


def test_a_name_taken_meanwhile_is_reported_as_on_one_core(
        tmp_path: Path, docx_template: Callable[..., Path],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Another program makes a file of the set's while the workers render: that one is
    not replaced; the error names it at its record, as without workers."""
    commit = workers.Workers._commit
    taken = tmp_path / "out" / "CBCT-0007-Kunst & Co 7.docx"

    def someone_else_first(self: workers.Workers, group: Any) -> Any:
        if not taken.exists():
            taken.write_text("van een ander", encoding="utf-8")
        return commit(self, group)

    monkeypatch.setattr(workers.Workers, "_commit", someone_else_first)
    data = register(tmp_path / "r.xlsx")
    with pytest.raises(ProblemList) as caught:
        merge(docx_template(["{{ naam }}"]), data, tmp_path / "out", cores=2)
    assert caught.value.messages() == [
        f"{data}:Organisaties:row 8: {taken}: exists already (use --overwrite to replace it)",
        f"{tmp_path / 'out'}: 1 of {ROWS} documents not made (CBCT-0007-Kunst & Co 7.docx) "
        "(free disk space (or fix the folder's rights) and rerun with --resume to make only "
        "the missing ones)"]
    assert taken.read_text(encoding="utf-8") == "van een ander"
    rows = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert [row["status"] for row in rows].count("made") == ROWS - 1
    assert rows[6]["status"] == "failed" and not list((tmp_path / "out").glob(".*.tmp"))


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="Linux's CPU affinity")
def test_workers_follow_the_cores_the_process_may_run_on() -> None:
    """``taskset -c 0`` (one core of many) gives one worker: none."""
    code = "from cbct_docs.runs.parallel import workers; print(workers())"
    env = {k: v for k, v in os.environ.items() if k != "CBCT_WORKERS"}
    one = min(os.sched_getaffinity(0))
    pinned = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env=env, check=True,
                            preexec_fn=lambda: os.sched_setaffinity(0, {one}))
    free = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=env, check=True)
    assert pinned.stdout.strip() == "1"
    assert free.stdout.strip() == str(min(len(os.sched_getaffinity(0)), 4))
