"""SIGKILL mid-batch through each Microsoft 365 route, then a rerun: every message arrives
exactly once (the test servers count). Real servers on 127.0.0.1 (see test_mail_routes)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from . import test_mail_routes as _servers
from .test_mail_routes import (
    SECRET,
    HttpsServer,
    OAuthMailServer,
    ledger_bytes,
    no_secrets_in,
    write_mail_config,
)
from .test_send import make_mails

# The servers' fixtures, shared (pytest finds a fixture by its own name).
_microsoft = pytest.fixture(name="microsoft")(_servers.microsoft_server)
_oauth_smtp = pytest.fixture(name="oauth_smtp")(_servers.oauth_smtp_server)
_environment = pytest.fixture(name="clean_environment", autouse=True)(
    _servers.mail_environment)

pytestmark = [
    pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals"),
    pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS"),
]

MAILS = [(f"Bibliotheek Kempenland {n}", f"Contactpersoon {n}", f"contact{n}@kempen.example")
         for n in range(1, 7)]


def send_process(tmp_path: Path, microsoft: HttpsServer, config: Path,
                 *extra: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CBCT_")}
    env.update(CBCT_MAIL_CLIENT_SECRET=SECRET, REQUESTS_CA_BUNDLE=str(microsoft.cafile),
               NO_PROXY="127.0.0.1,localhost")
    return subprocess.Popen(
        [sys.executable, "-m", "cbct_docs", "send", "mails", "--send", "--quiet",
         "--config", str(config), *extra],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def finish(process: subprocess.Popen[str]) -> tuple[int, str]:
    output, _ = process.communicate(timeout=60)
    return process.returncode, output


def kill(process: subprocess.Popen[str]) -> None:
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)


def statuses(tmp_path: Path) -> dict[str, str]:
    with sqlite3.connect(tmp_path / "cbct-ledger.sqlite") as db:
        return {Path(f).name: s for f, s in db.execute("SELECT file, status FROM outbox")}


def test_graph_killed_after_the_request_went_is_not_resent_blindly(
        tmp_path: Path, microsoft: HttpsServer) -> None:
    state = microsoft.state
    paths = make_mails(tmp_path / "mails", MAILS)
    config = write_mail_config(tmp_path / "cbct-docs.toml", microsoft, "graph")
    # Graph takes the third message, then holds its 202 back: the kill lands there.
    state.hold_from, state.hold = 3, 10.0
    process = send_process(tmp_path, microsoft, config)
    state.wait_until(lambda: len(state.received) >= 3)
    kill(process)
    assert sorted(statuses(tmp_path).values()) == ["sent", "sent", "unconfirmed"]

    state.hold = 0
    code, output = finish(send_process(tmp_path, microsoft, config))
    assert code == 1
    assert "3 sent, 0 failed, 0 deferred, 0 unconfirmed, 3 skipped" in output
    assert f"Error: {paths[2].name}: contact3@kempen.example: unconfirmed" in output
    assert sorted(state.message_ids().values()) == [1] * 6

    # A person finds it in Sent Items and settles it.
    code, output = finish(send_process(tmp_path, microsoft, config,
                                       "--mark-sent", f"mails/{paths[2].name}"))
    assert code == 0, output
    assert set(statuses(tmp_path).values()) == {"sent"}
    assert sorted(state.message_ids().values()) == [1] * 6
    no_secrets_in(state, output, ledger_bytes(tmp_path), config.read_bytes())


def test_smtp_oauth2_killed_before_the_end_of_a_message_sends_it_again(
        tmp_path: Path, microsoft: HttpsServer,
        oauth_smtp: tuple[OAuthMailServer, int]) -> None:
    handler, port = oauth_smtp
    make_mails(tmp_path / "mails", MAILS)
    config = write_mail_config(tmp_path / "cbct-docs.toml", microsoft, "smtp-oauth2",
                               smtp_port=port)
    handler.rcpt_delay, handler.slow_from = 10.0, 4  # the kill lands at the fourth RCPT
    process = send_process(tmp_path, microsoft, config)
    handler.wait_until(lambda: len(handler.rcpt_seen) >= 4)
    kill(process)
    assert sorted(statuses(tmp_path).values()) == ["sending", "sent", "sent", "sent"]

    handler.rcpt_delay = 0
    code, output = finish(send_process(tmp_path, microsoft, config))
    assert code == 0, output
    assert "3 sent, 0 failed, 0 deferred, 0 unconfirmed, 3 skipped" in output
    assert set(statuses(tmp_path).values()) == {"sent"}
    assert sorted(handler.message_ids().values()) == [1] * 6
    assert handler.logins == [handler.logins[0]] * 2  # one login per run, with a token
    no_secrets_in(microsoft.state, output, ledger_bytes(tmp_path), config.read_bytes())
