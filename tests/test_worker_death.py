"""A worker process that dies (killed, out of memory, a crash) never hangs a run (issue 16).

Its tasks fail with NotDone at once, also when it dies half-way through an answer; the
other workers go on and none is forked in its place. ``merge`` and ``announce`` are run
as a user runs them, a worker killed with SIGKILL from outside while it renders: the run
ends in time, as it ends without workers (the same documents, byte for byte), and leaves
no temporary file or folder behind."""

from __future__ import annotations

import contextlib
import json
import os
import select
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from cbct_docs.forked import Forked, NotDone
from cbct_docs.runs import parallel

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="workers fork; children are found in /proc")

REPO = Path(__file__).resolve().parents[1]


def _pause(seconds: float) -> int:
    time.sleep(seconds)
    return os.getpid()


def _big(size: int) -> bytes:
    return b"x" * size


def _fail() -> None:
    raise ValueError("in a worker")


def test_a_dead_workers_tasks_fail_and_the_others_go_on() -> None:
    with Forked(2) as pool:
        first = [pool.submit(_pause, 30), pool.submit(_pause, 0)]  # one task each
        victim = pool.pids[0]
        os.kill(victim, signal.SIGKILL)
        started = time.monotonic()
        with pytest.raises(NotDone):
            first[0].get(timeout=20)
        assert time.monotonic() - started < 10
        assert first[1].get(timeout=20) == pool.pids[1]
        assert pool.lost == [victim]
        later = [pool.submit(_pause, 0) for _n in range(3)]  # all to the one left
        assert [task.get(timeout=20) for task in later] == [pool.pids[1]] * 3
        assert len(pool.pids) == 2  # none forked in the dead one's place
        with pytest.raises(NotDone):
            pool.submit(_fail).get(timeout=20)  # a task that raises: the caller's too
    for pid in pool.pids:  # every worker reaped by close() (other tests' children may live)
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)


def test_a_worker_dying_half_way_through_its_answer() -> None:
    """The answer is larger than the pipe: the worker waits in its write until this
    process reads, and is killed there (ProcessPoolExecutor's result thread hangs in
    recv for ever in this case)."""
    with Forked(1) as pool:
        task = pool.submit(_big, 64 << 20)
        answers = pool.live[0].answers_fd
        assert select.select([answers], [], [], 20)[0], "the worker never answered"
        time.sleep(0.2)  # it fills the pipe, then waits in write()
        os.kill(pool.pids[0], signal.SIGKILL)
        started = time.monotonic()
        with pytest.raises(NotDone):
            task.get(timeout=20)
        assert time.monotonic() - started < 10
        assert pool.submit(_pause, 0).done  # no worker left: failed at once


FEW_FILES = """
import os, resource
from cbct_docs.forked import Forked
open_now = len(os.listdir("/proc/self/fd")) - 1  # not the listing's own
resource.setrlimit(resource.RLIMIT_NOFILE, (open_now + 4, open_now + 4))  # 4 free files
with Forked(3) as pool:
    print(len(pool.pids), pool.submit(os.getpid).get(timeout=20) == pool.pids[0])
with Forked(0) as pool:
    print(pool.submit(os.getpid).done)
"""


def test_out_of_files_the_run_has_fewer_workers_or_none() -> None:
    done = subprocess.run([sys.executable, "-c", FEW_FILES], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["1", "True", "True"]


PARENT = os.getpid()


def _square_or_die(number: int) -> int:
    """``number`` squared; the first worker to meet a number ending in 7 is killed there
    (the number noted in the file ``$DIE_MARK``)."""
    if number % 10 == 7 and os.getpid() != PARENT:
        try:
            mark = os.open(os.environ["DIE_MARK"], os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            pass
        else:
            os.write(mark, str(number).encode())
            os.close(mark)
            os.kill(os.getpid(), signal.SIGKILL)
    return number * number


def test_lifecycle_jobs_of_a_dead_worker_come_back_local(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        forked_workers: Callable[..., None]) -> None:
    """runs.parallel, both ways: workers forked for the batch (they inherit the jobs) and
    workers forked early (heraudit: each batch's jobs sent to them). The dead worker's
    jobs come back LOCAL, for the caller to run; every other result is right and in its
    place; the other worker goes on."""
    forked_workers(min_batch=1, chunk=3)
    monkeypatch.setenv("CBCT_WORKERS", "3")  # two workers and the main process
    numbers = list(range(300))
    for way in ("inherited", "sent"):
        monkeypatch.setenv("DIE_MARK", str(tmp_path / way))
        started = time.monotonic()
        if way == "inherited":
            got = list(parallel.results(numbers, _square_or_die))
        else:
            with parallel.early(_square_or_die, len(numbers)) as pool:
                assert pool is not None
                got = list(parallel.results(numbers, _square_or_die, pool=pool))
                assert len(pool.lost) == 1 and len(pool.live) == 1
        assert time.monotonic() - started < 60
        died = int((tmp_path / way).read_text())
        local = [n for n, value in enumerate(got) if value is parallel.LOCAL]
        assert died in local
        assert [got[n] for n in numbers if n not in local] == [
            n * n for n in numbers if n not in local]


def children(pid: int) -> list[int]:
    """The processes whose parent is ``pid``, in the order of their ids."""
    found = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                stat = Path(entry.path, "stat").read_text()
            except OSError:
                continue
            if int(stat.rpartition(")")[2].split()[1]) == pid:
                found.append(int(entry.name))
    return sorted(found)


def kill_a_worker(proc: subprocess.Popen[str], working: Callable[[int], bool]) -> int:
    """SIGKILL the first worker of ``proc`` for which ``working(pid)`` holds (it has
    staged a document, say); its pid."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        for pid in children(proc.pid):
            if working(pid):
                os.kill(pid, signal.SIGKILL)
                return pid
        time.sleep(0.002)
    raise AssertionError(f"no worker seen working (exit code {proc.poll()})")


def run_cli(args: list[str], cwd: Path, workers: int) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k != "CBCT_LEDGER"}
    return subprocess.Popen([sys.executable, "-m", "cbct_docs", *args], cwd=cwd, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**env, "CBCT_WORKERS": str(workers)})


def ended(proc: subprocess.Popen[str]) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=240)  # a hang fails here, not for ever
    return proc.returncode, out, err


def files(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (hidden ones too) by its path relative to it."""
    return {str(path.relative_to(folder)): path.read_bytes()
            for path in sorted(folder.rglob("*")) if path.is_file()}


def hidden(folder: Path) -> list[str]:
    """Every hidden file or folder under ``folder`` (a temporary one, a worker's own)."""
    return [str(path) for path in folder.rglob(".*")]


def test_merge_with_a_worker_killed_makes_every_letter(tmp_path: Path) -> None:
    from .conftest import make_docx
    from .golden import docx_reading_text

    make_docx(tmp_path / "brief.docx", ["Beste {{ naam }},", "{{ tekst }}",
                                        "Nummer {{ _number }}"])
    count = 3000
    rows = [{"naam": f"Bibliotheek & Co {n}", "tekst": "Regel. " * 40}
            for n in range(1, count + 1)]
    (tmp_path / "data.json").write_text(json.dumps(rows), encoding="utf-8")
    out = tmp_path / "out"

    def merge(folder: str, workers: int) -> subprocess.Popen[str]:
        return run_cli(["merge", "brief.docx", "data.json", "--out", folder, "-q",
                        "--name", "{naam}"], tmp_path, workers)

    def staging(pid: int) -> bool:  # a document of its under a temporary name
        return out.is_dir() and any(f".{pid}." in name for name in os.listdir(out))

    proc = merge("out", 2)
    kill_a_worker(proc, staging)
    code, said, err = ended(proc)
    assert code == 0, err
    assert err == ""  # no traceback, nothing alarming
    assert ("Note: a worker process ended early (killed, or out of memory?); this process "
            "made their letters: the set is complete") in said
    code, said_alone, _err = ended(merge("alone", 1))
    assert code == 0 and "Note:" not in said_alone
    made, expected = files(out), files(tmp_path / "alone")
    assert hidden(tmp_path) == []  # nothing staged left
    assert len(made) == count + 1 and made == expected  # the letters and the manifest
    text = docx_reading_text(out / "Bibliotheek & Co 2999.docx")
    assert "Beste Bibliotheek & Co 2999," in text and "Nummer 2999" in text
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert [row["status"] for row in manifest] == ["made"] * count


def office(folder: Path, count: int) -> Path:
    """An office of ``count`` organisations, all due in 2025-Q2 (as the bench makes it)."""
    from bench.lifecycle import make_register

    folder.mkdir()
    (folder / "cbct-docs.toml").write_bytes((REPO / "cbct-docs.toml").read_bytes())
    make_register(count, folder / "register.xlsx")
    made = run_cli(["register", "import", "register.xlsx", "--office", "."], folder, 1)
    assert ended(made)[0] == 0
    return folder


def emails(out: Path) -> dict[str, bytes]:
    """Every file under ``out`` by its path; an e-mail without its Date line (the time
    it was made)."""
    return {name: b"".join(line for line in data.splitlines(keepends=True)
                           if not line.startswith(b"Date: "))
            for name, data in files(out).items()}


def events(folder: Path) -> list[tuple[object, ...]]:
    """The office's events (each document named as the office gives it: relative)."""
    with contextlib.closing(sqlite3.connect(folder / "cbct-ledger.sqlite")) as database:
        return database.execute("SELECT dossier_id, kind, day, data, document FROM events "
                                "ORDER BY id").fetchall()


def test_announce_with_a_worker_killed_sends_every_email(tmp_path: Path) -> None:
    count = 1200  # a window of 1,000 and one of 200: workers for each
    killed_run = office(tmp_path / "killed", count)
    shutil.copytree(killed_run, tmp_path / "alone")
    args = ["announce", "-q", "2025-Q2", "--date", "13-1-2025", "--office", ".",
            "--out", "out"]
    out = killed_run / "out"

    def writing(pid: int) -> bool:  # its own folder made in the (hidden) staging folder
        return out.is_dir() and any(os.path.isdir(os.path.join(out, hidden, f".w{pid}"))
                                    for hidden in os.listdir(out) if hidden[0] == ".")

    proc = run_cli(args, killed_run, 3)  # two workers and the main process
    kill_a_worker(proc, writing)
    code, said, err = ended(proc)
    assert code == 0, err
    assert "Traceback" not in err
    alone = run_cli(args, tmp_path / "alone", 1)
    code_alone, said_alone, _err = ended(alone)
    assert code_alone == 0 and said == said_alone
    assert hidden(killed_run) == []  # no worker's folder, no temporary file
    made = emails(out)
    assert len(made) == count and made == emails(tmp_path / "alone" / "out")
    [last] = [name for name in made if name.startswith("aankondiging/CBCT-01200-")]
    assert "To: " in made[last].decode() and "info1200@" in made[last].decode()
    assert events(killed_run) == events(tmp_path / "alone")
    assert len(events(killed_run)) >= count
