"""The certificate-number ledger: real SQLite files, and two real processes at once."""

from __future__ import annotations

import multiprocessing
import sqlite3
import time
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Event
from pathlib import Path

import pytest

from cbct_docs.deliver.journal import journal_mode
from cbct_docs.deliver.ledger import Ledger, connect, default_ledger_path, transaction
from cbct_docs.errors import OutputError


def test_numbers_are_sequential_and_stable_per_org_framework_year(tmp_path: Path) -> None:
    with Ledger(tmp_path / "ledger.sqlite") as ledger:
        first = ledger.allocate_certificate_number("CBCT-0101", "KiB", 2025)
        second = ledger.allocate_certificate_number("CBCT-0104", "ZoO", 2025)
        assert (first, second) == ("KiB-2025-0001", "ZoO-2025-0002")
        assert ledger.allocate_certificate_number("CBCT-0101", "KiB", 2025) == first
        assert ledger.allocate_certificate_number("CBCT-0101", "KiB", 2029) == "KiB-2029-0003"
        assert ledger.allocate_certificate_number("losse-aanvraag") .startswith("CBCT-")
    with Ledger(tmp_path / "ledger.sqlite") as reopened:  # the numbers are in the file
        assert [a.number for a in reopened.allocations()][:3] == [first, second, "KiB-2029-0003"]
        assert reopened.allocate_certificate_number("CBCT-0104", "ZoO", 2025) == second


def test_a_number_is_never_reused_even_after_deleting_its_row(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite"
    with Ledger(path) as ledger:
        ledger.allocate_certificate_number("A", "KiB", 2025)
        ledger.allocate_certificate_number("B", "KiB", 2025)
    with sqlite3.connect(path) as db:
        db.execute("DELETE FROM certificate_numbers WHERE org_key = 'B'")
    with Ledger(path) as ledger:
        assert ledger.allocate_certificate_number("C", "KiB", 2025) == "KiB-2025-0003"
        ledger.continue_after(500)
        ledger.continue_after(10)  # never back
        assert ledger.allocate_certificate_number("D", "ZoO", 2025) == "ZoO-2025-0501"


def _allocate_many(path: str, prefix: str, count: int, start: Event,
                   results: Queue[tuple[str, list[str]]]) -> None:
    with Ledger(path) as ledger:  # opened first, so both processes begin allocating together
        start.wait()
        numbers = []
        for i in range(count):
            numbers.append(ledger.allocate_certificate_number(f"{prefix}-{i}", "KiB", 2025))
            time.sleep(0.002)  # let the other process in between, so the runs interleave
    results.put((prefix, numbers))


def test_two_processes_allocating_at_once_get_distinct_numbers(tmp_path: Path) -> None:
    path = str(tmp_path / "ledger.sqlite")
    Ledger(path).close()  # create the file, so both start on equal terms
    context = multiprocessing.get_context("spawn")
    start, results = context.Event(), context.Queue()
    workers = [context.Process(target=_allocate_many, args=(path, name, 60, start, results))
               for name in ("een", "twee")]
    for worker in workers:
        worker.start()
    start.set()
    got = dict(results.get(timeout=120) for _ in workers)
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0
    every = got["een"] + got["twee"]
    assert len(set(every)) == 120
    assert sorted(every) == [f"KiB-2025-{n:04d}" for n in range(1, 121)]
    with Ledger(path) as ledger:
        owners = {a.number: a.org_key for a in ledger.allocations()}
    assert all(owners[n].startswith("een-") for n in got["een"])


def test_connect_lets_another_module_share_the_file(tmp_path: Path) -> None:
    path = default_ledger_path(tmp_path / "out")
    assert path == tmp_path / "out" / "cbct-ledger.sqlite"
    with Ledger(path) as ledger:
        number = ledger.allocate_certificate_number("CBCT-0101", "KiB", 2025)
    db = connect(path)
    # WAL on this (local) disk, unless CBCT_JOURNAL says otherwise (see test_journal.py).
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == journal_mode(path).lower()
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] == 30000
    with transaction(db):
        db.execute("CREATE TABLE IF NOT EXISTS verzonden (nr TEXT)")
        db.execute("INSERT INTO verzonden VALUES (?)", (number,))
    with pytest.raises(RuntimeError), transaction(db):
        db.execute("INSERT INTO verzonden VALUES ('kwijt')")
        raise RuntimeError("rolled back")
    assert db.execute("SELECT nr FROM verzonden").fetchall() == [(number,)]
    db.close()


def test_a_file_that_is_not_a_ledger(tmp_path: Path) -> None:
    bad = tmp_path / "ledger.sqlite"
    bad.write_text("dit is geen database\n" * 100, encoding="utf-8")
    with pytest.raises(OutputError) as caught:
        Ledger(bad)
    assert str(caught.value).startswith(f"{bad}: cannot ")


def test_a_number_the_office_chooses_is_recorded_and_never_given_twice(tmp_path: Path) -> None:
    from cbct_docs.errors import OutputError

    with Ledger(tmp_path / "l.sqlite") as ledger:
        ledger.claim_number("KiB-2025-0100", "CBCT-0101", "KiB", 2025)
        ledger.claim_number("KiB-2025-0100", "CBCT-0101", "KiB", 2025)  # a rerun: fine
        with pytest.raises(OutputError, match="belongs to CBCT-0101 already"):
            ledger.claim_number("KiB-2025-0100", "CBCT-0102", "KiB", 2025)
        with pytest.raises(OutputError, match="has certificate number KiB-2025-0100"):
            ledger.claim_number("KiB-2025-0200", "CBCT-0101", "KiB", 2025)
        assert ledger.allocate_certificate_number("CBCT-0101", "KiB", 2025) == "KiB-2025-0100"
        assert [a.number for a in ledger.allocations()] == ["KiB-2025-0100"]
