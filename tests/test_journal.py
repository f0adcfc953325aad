"""The office database's journal: WAL on a local disk, the rollback journal on a network
drive (where WAL is unsafe)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from cbct_docs.deliver.journal import filesystem_of, journal_mode
from cbct_docs.deliver.ledger import Ledger

MOUNTS = """\
/dev/sda1 / ext4 rw,relatime 0 0
//nas/kantoor /mnt/kantoor cifs rw,vers=3.0 0 0
nas:/export /mnt/nfs nfs4 rw 0 0
/dev/sdb1 /mnt/kantoor/lokaal ext4 rw 0 0
//nas/met\\040spatie /mnt/met\\040spatie cifs rw 0 0
"""


@pytest.mark.parametrize(("folder", "kind"), [
    ("/home/anna/kantoor", "ext4"),
    ("/mnt/kantoor", "cifs"),
    ("/mnt/kantoor/certificering/2025", "cifs"),
    ("/mnt/kantoorarchief", "ext4"),  # a name that only starts like the mount point
    ("/mnt/nfs/cbct", "nfs4"),
    ("/mnt/kantoor/lokaal/db", "ext4"),  # the longest mount point wins
    ("/mnt/met spatie/db", "cifs"),
])
def test_the_mount_that_holds_a_folder(folder: str, kind: str) -> None:
    assert filesystem_of(Path(folder), MOUNTS) == kind


def test_the_setting_overrides_the_guess(tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CBCT_JOURNAL", "delete")
    assert journal_mode(tmp_path / "x.sqlite") == "DELETE"
    with Ledger(tmp_path / "kantoor.sqlite") as ledger:
        ledger.allocate_certificate_number("CBCT-0101", "KiB", 2025)
    with sqlite3.connect(tmp_path / "kantoor.sqlite") as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert not (tmp_path / "kantoor.sqlite-wal").exists()
    monkeypatch.setenv("CBCT_JOURNAL", "wal")
    assert journal_mode(tmp_path / "x.sqlite") == "WAL"
