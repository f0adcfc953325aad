"""Send runs killed or interrupted, then run again: a reused process number is never taken
for the run that claimed a message, and Ctrl-C says how to go on.

Real processes and a real SMTP server (aiosmtpd on 127.0.0.1); POSIX signals, so not on
Windows (the code under test is portable).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from .test_send import FaultyMailServer, make_mails, write_config
from .test_send_crash import MAILS, finish, kill, send_process, statuses

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")


def owners(tmp_path: Path) -> dict[str, str]:
    with sqlite3.connect(tmp_path / "cbct-ledger.sqlite") as db:
        return {Path(f).name: o for f, o in db.execute("SELECT file, owner FROM outbox")}


def test_a_killed_run_whose_process_number_is_in_use_again_is_not_taken_for_alive(
        tmp_path: Path, server: tuple[FaultyMailServer, int]) -> None:
    """The run was PID 1 (a container's first process); after the kill, PID 1 is another
    live process. Its claim is that of a gone run, not of "another run" for 30 minutes."""
    handler, port = server
    make_mails(tmp_path / "mails", MAILS)
    config = write_config(tmp_path / "cbct-docs.toml", port)
    handler.rcpt_delay, handler.slow_from = 10.0, 4  # killed before the 4th message's end
    process = send_process(tmp_path, config)
    handler.wait_until(lambda: len(handler.rcpt_seen) >= 4)
    kill(process)
    assert sorted(statuses(tmp_path).values()) == ["sending", "sent", "sent", "sent"]
    with sqlite3.connect(tmp_path / "cbct-ledger.sqlite") as db:  # its number was 1
        for name, owner in owners(tmp_path).items():
            db.execute("UPDATE outbox SET owner = ? WHERE file LIKE ?",
                       (re.sub(r":\d+", ":1", owner, count=1), f"%{name}"))
    assert os.path.exists("/proc/1") or sys.platform != "linux"  # PID 1 runs

    handler.rcpt_delay = 0
    listing = subprocess.run(
        [sys.executable, "-m", "cbct_docs", "send", "mails", "--config", str(config)],
        cwd=tmp_path, capture_output=True, text=True, timeout=60,
        env={k: v for k, v in os.environ.items() if not k.startswith("CBCT_")})
    assert "being sent by another run" not in listing.stdout
    assert "Dry run: 3 would be sent, 3 skipped." in listing.stdout
    code, output = finish(send_process(tmp_path, config))
    assert code == 0, output
    assert "3 sent, 0 failed, 0 deferred, 0 unconfirmed, 3 skipped" in output
    assert sorted(handler.message_ids().values()) == [1] * 6


def pid_namespace_prefix() -> tuple[str, ...]:
    """Run a command as PID 1 of a PID namespace of its own, as in a container."""
    prefix = ("unshare", "--pid", "--fork", "--mount-proc", "--kill-child")
    if shutil.which("unshare") is None:
        pytest.skip("unshare not installed")
    for candidate in (prefix, (*prefix[:1], "--user", "--map-root-user", *prefix[1:])):
        probe = subprocess.run([*candidate, "sh", "-c", "echo $$"], capture_output=True,
                               text=True)
        if probe.returncode == 0 and probe.stdout.strip() == "1":
            return candidate
    pytest.skip("no PID namespaces here")


def test_a_run_killed_as_pid_1_of_a_container_can_be_taken_over(
        tmp_path: Path, server: tuple[FaultyMailServer, int]) -> None:
    handler, port = server
    paths = make_mails(tmp_path / "mails", MAILS)
    config = write_config(tmp_path / "cbct-docs.toml", port)
    handler.data_delay, handler.slow_from = 10.0, 3  # killed while the 3rd waits for "250"
    process = send_process(tmp_path, config, prefix=pid_namespace_prefix())
    handler.wait_until(lambda: len(handler.received) >= 3)
    kill(process)  # unshare, and with it (--kill-child) the run, which was PID 1 in there
    assert sorted(statuses(tmp_path).values()) == ["sent", "sent", "unconfirmed"]
    assert owners(tmp_path)[paths[2].name].startswith(f"{socket.gethostname()}:1;")

    # This host's PID 1 is alive, but it is not that run: the claim needs a person, and
    # --resend-uncertain takes it over.
    handler.data_delay = 0
    code, output = finish(send_process(tmp_path, config))
    assert code == 1
    assert "being sent by another run" not in output
    assert (f"Error: {paths[2].name}: contact3@kempen.example: claimed by a run that cannot "
            "be checked from here (unconfirmed by ") in output
    assert "3 sent, 0 failed, 0 deferred, 0 unconfirmed, 3 skipped" in output
    code, output = finish(send_process(tmp_path, config, "--resend-uncertain"))
    assert code == 0, output
    assert "1 sent, 0 failed, 0 deferred, 0 unconfirmed, 5 skipped" in output
    assert set(statuses(tmp_path).values()) == {"sent"}
    # The operator chose to send it again: it arrives a second time, as asked.
    assert sorted(handler.message_ids().values()) == [1, 1, 1, 1, 1, 2]


def interrupt(process: subprocess.Popen[str]) -> None:
    process.send_signal(signal.SIGINT)  # Ctrl-C


def test_ctrl_c_says_how_to_resume_sending_and_lists_what_may_have_arrived(
        tmp_path: Path, server: tuple[FaultyMailServer, int]) -> None:
    handler, port = server
    paths = make_mails(tmp_path / "mails", MAILS)
    config = write_config(tmp_path / "cbct-docs.toml", port)
    handler.data_delay, handler.slow_from = 10.0, 3  # Ctrl-C while the 3rd awaits its "250"
    process = send_process(tmp_path, config)
    handler.wait_until(lambda: len(handler.received) >= 3)
    interrupt(process)
    code, output = finish(process)
    assert code == 130
    assert "Stopped: 2 sent, 0 failed, 0 deferred, 1 unconfirmed, 0 skipped, 3 not sent yet" in (
        output)
    assert (f"Error: {paths[2].name}: contact3@kempen.example: unconfirmed: interrupted after "
            "the end of the message went to the server: may have arrived") in output
    assert ("Interrupted. Messages sent are recorded in the ledger and never go twice; rerun "
            "`cbct-docs send mails --send` to send the rest. Check the unconfirmed messages "
            "listed above first") in output
    assert "--resume" not in output and "Traceback" not in output
    assert sorted(statuses(tmp_path).values()) == ["sent", "sent", "unconfirmed"]


def test_ctrl_c_before_the_end_of_a_message_leaves_it_unsent(
        tmp_path: Path, server: tuple[FaultyMailServer, int]) -> None:
    handler, port = server
    make_mails(tmp_path / "mails", MAILS)
    config = write_config(tmp_path / "cbct-docs.toml", port)
    handler.rcpt_delay, handler.slow_from = 10.0, 4  # Ctrl-C at the 4th message's RCPT
    process = send_process(tmp_path, config)
    handler.wait_until(lambda: len(handler.rcpt_seen) >= 4)
    interrupt(process)
    code, output = finish(process)
    assert code == 130
    assert "Stopped: 3 sent, 0 failed, 0 deferred, 0 unconfirmed, 0 skipped, 3 not sent yet" in (
        output)
    assert "Error:" not in output and "Check the unconfirmed" not in output
    assert "rerun `cbct-docs send mails --send` to send the rest." in output
    assert sorted(statuses(tmp_path).values()) == ["sent", "sent", "sent"]  # claim given back

    handler.rcpt_delay = 0
    code, output = finish(send_process(tmp_path, config))
    assert code == 0, output
    assert sorted(handler.message_ids().values()) == [1] * 6
