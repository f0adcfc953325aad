"""A sending process killed with SIGKILL mid-batch, then rerun: every message arrives once.

Two moments of death: before the end of a message reached the server (the ledger says
'sending'; the rerun sends it again, safely) and after it (the ledger says 'unconfirmed';
the rerun does not resend it blindly, the operator checks and settles it).
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from .test_send import FaultyMailServer, make_mails, write_config

# The code under test is portable; killing and interrupting a process here is POSIX.
pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")

MAILS = [(f"Bibliotheek Kempenland {n}", f"Contactpersoon {n}", f"contact{n}@kempen.example")
         for n in range(1, 7)]


def send_process(tmp_path: Path, config: Path, *extra: str,
                 prefix: tuple[str, ...] = ()) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CBCT_")}
    return subprocess.Popen(
        [*prefix, sys.executable, "-m", "cbct_docs", "send", "mails", "--send", "--quiet",
         "--config", str(config), *extra],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def finish(process: subprocess.Popen[str]) -> tuple[int, str]:
    output, _ = process.communicate(timeout=60)
    return process.returncode, output


def statuses(tmp_path: Path) -> dict[str, str]:
    with sqlite3.connect(tmp_path / "cbct-ledger.sqlite") as db:
        return {Path(f).name: s for f, s in db.execute("SELECT file, status FROM outbox")}


def kill(process: subprocess.Popen[str]) -> None:
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)


def test_killed_after_the_end_of_a_message_is_not_resent_blindly(
        tmp_path: Path, server: tuple[FaultyMailServer, int]) -> None:
    handler, port = server
    paths = make_mails(tmp_path / "mails", MAILS)
    config = write_config(tmp_path / "cbct-docs.toml", port)
    # The server takes the third message, then holds its "250" back: the kill lands there.
    handler.data_delay, handler.slow_from = 10.0, 3
    process = send_process(tmp_path, config)
    handler.wait_until(lambda: len(handler.received) >= 3)
    kill(process)

    killed = statuses(tmp_path)
    assert sorted(killed.values()) == ["sent", "sent", "unconfirmed"]
    uncertain = next(name for name, status in killed.items() if status == "unconfirmed")
    assert uncertain == paths[2].name

    handler.data_delay = 0
    code, output = finish(send_process(tmp_path, config))
    assert code == 1
    assert "3 sent, 0 failed, 0 deferred, 0 unconfirmed, 3 skipped" in output
    assert (f"Error: {uncertain}: contact3@kempen.example: unconfirmed: may have arrived; "
            "not re-sent (check, then --mark-sent or --resend-uncertain)") in output
    assert sorted(handler.message_ids().values()) == [1] * 6

    # The operator finds the message in the server's log and settles it.
    code, output = finish(send_process(tmp_path, config, "--mark-sent", f"mails/{uncertain}"))
    assert code == 0, output
    assert f"marked as sent: mails/{uncertain}" in output
    assert "0 sent, 0 failed, 0 deferred, 0 unconfirmed, 6 skipped" in output
    assert set(statuses(tmp_path).values()) == {"sent"}
    assert sorted(handler.message_ids().values()) == [1] * 6


def test_killed_before_the_end_of_a_message_sends_it_again(
        tmp_path: Path, server: tuple[FaultyMailServer, int]) -> None:
    handler, port = server
    make_mails(tmp_path / "mails", MAILS)
    config = write_config(tmp_path / "cbct-docs.toml", port)
    # Slow at the fourth RCPT TO: that message itself has not gone yet when the kill lands.
    handler.rcpt_delay, handler.slow_from = 10.0, 4
    process = send_process(tmp_path, config)
    handler.wait_until(lambda: len(handler.rcpt_seen) >= 4)
    kill(process)

    assert sorted(statuses(tmp_path).values()) == ["sending", "sent", "sent", "sent"]
    assert len(handler.received) == 3

    handler.rcpt_delay = 0
    code, output = finish(send_process(tmp_path, config))
    assert code == 0, output
    assert "3 sent, 0 failed, 0 deferred, 0 unconfirmed, 3 skipped" in output
    assert set(statuses(tmp_path).values()) == {"sent"}
    assert sorted(handler.message_ids().values()) == [1] * 6

