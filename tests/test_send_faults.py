"""Faults of the set-up and servers that stall: every run ends quickly, with what to check.

Real servers only: aiosmtpd that demands a login, a raw socket server on 127.0.0.1 that
stalls (silent, or trickling a byte now and then so no read ever times out), and no server
at all. Each run is a real process that must end within 60 s.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from cbct_docs.deliver.outgoing import read_outgoing
from cbct_docs.deliver.route import ConnectionLost
from cbct_docs.deliver.smtp import Mailer
from cbct_docs.errors import DeliveryError
from cbct_docs.settings import SmtpSettings

from .test_send import ORGANISATIONS, FaultyMailServer, free_port, make_mails, write_config

MAILS = [(f"Taalhuis Rivierenland {n}", f"Contactpersoon {n}", f"contact{n}@rivier.example")
         for n in range(1, 7)]


def send(tmp_path: Path, *args: str, env: dict[str, str] | None = None,
         timeout: float = 60) -> tuple[int, str, float]:
    """``cbct-docs send mails --send …`` as a process; its exit code, output and duration."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CBCT_")}
    began = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "cbct_docs", "send", "mails", *args],
                          cwd=tmp_path, env={**clean, **(env or {})}, capture_output=True,
                          text=True, timeout=timeout)
    return done.returncode, done.stdout + done.stderr, time.monotonic() - began


def rows(tmp_path: Path) -> dict[str, str]:
    path = tmp_path / "cbct-ledger.sqlite"
    if not path.exists():
        return {}
    with sqlite3.connect(path) as db:
        if not db.execute("SELECT 1 FROM sqlite_master WHERE name = 'outbox'").fetchone():
            return {}
        return {Path(f).name: s for f, s in db.execute("SELECT file, status FROM outbox")}


# -- a server that asks for a login ------------------------------------------------------

@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_a_server_that_asks_for_a_login_stops_the_run_at_once(tmp_path: Path) -> None:
    handler = FaultyMailServer()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port(),
                            auth_required=True, auth_require_tls=False)
    controller.start()
    try:
        paths = make_mails(tmp_path / "mails", MAILS)
        write_config(tmp_path / "cbct-docs.toml", controller.port, attempts=5, backoff=30)
        code, output, took = send(tmp_path, "--send")
        assert took < 60
        assert code == 1
        assert (f"Error: 127.0.0.1:{controller.port}: this server asks for a login: 530 5.7.0 "
                "Authentication required (at MAIL FROM) (set [smtp] user (or CBCT_SMTP_USER) "
                "and CBCT_SMTP_PASSWORD; nothing was sent; rerun then)") in output
        assert ("Stopped: 0 sent, 0 failed, 0 deferred, 0 unconfirmed, 0 skipped, 6 not sent "
                "yet") in output
        assert "failed: 530" not in output
        assert rows(tmp_path) == {}  # left unsent, not failed: the next run sends them
        assert handler.received == [] and len(paths) == 6
    finally:
        controller.stop()


# -- servers that stall --------------------------------------------------------------------

class StallingServer:
    """A bare SMTP server on a raw socket. ``stall_at``: "greeting" (never greets) or "end"
    (takes each message, never answers its end). ``trickle``: meanwhile send one byte every
    0.3 s, so the client's read timeout never fires."""

    def __init__(self, stall_at: str, trickle: bool) -> None:
        self.stall_at, self.trickle = stall_at, trickle
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self.listener.getsockname()[1])
        self.messages = 0
        self.connections = 0
        self.closed = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self) -> None:
        self.closed.set()
        self.listener.close()

    def _accept(self) -> None:
        while not self.closed.is_set():
            try:
                connection, _address = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._serve, args=(connection,), daemon=True).start()

    def _stall(self, connection: socket.socket) -> None:
        while not self.closed.is_set():
            if self.trickle:
                connection.sendall(b"2")
            time.sleep(0.3)

    def _serve(self, connection: socket.socket) -> None:
        with connection, connection.makefile("rb") as lines:
            try:
                if self.stall_at == "greeting":
                    self._stall(connection)
                    return
                connection.sendall(b"220 stall.example ESMTP\r\n")
                for line in lines:
                    command = line[:4].upper()
                    if command in (b"EHLO", b"HELO"):
                        connection.sendall(b"250-stall.example\r\n250 8BITMIME\r\n")
                    elif command == b"DATA":
                        connection.sendall(b"354 go ahead\r\n")
                        for data in lines:
                            if data == b".\r\n":
                                break
                        self.messages += 1
                        self._stall(connection)
                        return
                    elif command == b"QUIT":
                        connection.sendall(b"221 bye\r\n")
                        return
                    else:
                        connection.sendall(b"250 OK\r\n")
            except OSError:
                return


@pytest.fixture
def stalling(request: pytest.FixtureRequest) -> Iterator[StallingServer]:
    server = StallingServer(*request.param)
    try:
        yield server
    finally:
        server.close()


@pytest.mark.parametrize("stalling", [("end", True), ("end", False)], indirect=True,
                         ids=["trickling", "silent"])
def test_a_server_that_stalls_on_every_message_stops_the_run(
        tmp_path: Path, stalling: StallingServer) -> None:
    paths = make_mails(tmp_path / "mails", MAILS)
    write_config(tmp_path / "cbct-docs.toml", stalling.port, timeout=1)
    code, output, took = send(tmp_path, "--send")
    assert took < 60
    assert code == 1
    assert stalling.messages == 3  # three took the end of a message; then the run stopped
    assert "Stopped: 0 sent, 0 failed, 0 deferred, 3 unconfirmed, 0 skipped, 3 not sent yet" in (
        output)
    for path, (_name, _contact, address) in zip(paths[:3], MAILS, strict=False):
        assert (f"Error: {path.name}: {address}: unconfirmed: connection lost after the end "
                "of the message: no answer within 1 s") in output
    assert (f"Error: 127.0.0.1:{stalling.port}: stopped after 3 unconfirmed messages: the "
            "server took the end of each but its answer did not come (within 1 s) (check the "
            "mail server") in output
    assert sorted(rows(tmp_path).values()) == ["unconfirmed"] * 3


@pytest.mark.parametrize("stalling", [("greeting", True), ("greeting", False)],
                         indirect=True, ids=["trickling", "silent"])
def test_a_server_that_never_greets_stops_the_run_at_once(
        tmp_path: Path, stalling: StallingServer) -> None:
    make_mails(tmp_path / "mails", MAILS)
    write_config(tmp_path / "cbct-docs.toml", stalling.port, timeout=1, attempts=5,
                 backoff=30)
    code, output, took = send(tmp_path, "--send")
    assert took < 30
    assert code == 1
    assert stalling.connections == 1  # no retries: the set-up is at fault, not a message
    assert (f"Error: 127.0.0.1:{stalling.port}: the server did not answer within 1 s (check "
            "[smtp] host and port (or CBCT_SMTP_HOST, CBCT_SMTP_PORT) and security: port 465 "
            'needs security = "ssl"') in output
    assert rows(tmp_path) == {}


class LateTimer(threading.Timer):
    """The watchdog's timer on a busy machine: its thread wakes 0.2 s late."""

    def __init__(self, interval: float, *args: Any, **kwargs: Any) -> None:
        super().__init__(interval + 0.2, *args, **kwargs)


@pytest.mark.parametrize("stalling", [("end", False), ("greeting", False)], indirect=True,
                         ids=["end", "greeting"])
def test_a_silent_stall_is_told_as_one_also_when_the_watchdog_wakes_late(
        tmp_path: Path, stalling: StallingServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """A silent server is noticed by the socket's own timeout too, first when the timer's
    thread wakes late (the ``silent`` runs above failed so once under load): what the
    person reads is the same stall."""
    monkeypatch.setattr(threading, "Timer", LateTimer)
    message = read_outgoing(make_mails(tmp_path / "mails", MAILS[:1]))[0]
    mailer = Mailer(SmtpSettings("127.0.0.1", stalling.port, "none", "", 0.5, 1, 0, 0, 0))
    if stalling.stall_at == "end":
        with pytest.raises(ConnectionLost) as lost:
            mailer.deliver(message, lambda: None)
        assert (str(lost.value), lost.value.uncertain) == ("no answer within 0.5 s", True)
        assert stalling.messages == 1
    else:
        with pytest.raises(DeliveryError) as fault:
            mailer.deliver(message, lambda: None)
        assert str(fault.value).startswith(f"127.0.0.1:{stalling.port}: the server did not "
                                           "answer within 0.5 s (check [smtp] host and port")


# -- no server at all, and TLS on one side only ---------------------------------------------

def test_the_shipped_settings_without_a_mail_server_stop_at_once(tmp_path: Path) -> None:
    make_mails(tmp_path / "mails", MAILS)
    port = free_port()  # the shipped host is localhost; nothing listens on this port
    code, output, took = send(tmp_path, "--send",
                              env={"CBCT_SMTP_HOST": "localhost", "CBCT_SMTP_PORT": str(port)})
    assert took < 60
    assert code == 1
    assert (f"Error: localhost:{port}: connection refused: no mail server listens there (start "
            "the mail server or set [smtp] host and port") in output
    assert rows(tmp_path) == {}


def test_ssl_against_a_plain_server_says_so(tmp_path: Path) -> None:
    handler = FaultyMailServer()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        make_mails(tmp_path / "mails", ORGANISATIONS)
        write_config(tmp_path / "cbct-docs.toml", controller.port, security="ssl",
                     attempts=5, backoff=30)
        code, output, took = send(tmp_path, "--send")
        assert took < 60
        assert code == 1
        assert f"Error: 127.0.0.1:{controller.port}: no TLS on this port (" in output
        assert 'set security = "starttls" for port 587' in output
        assert handler.received == [] and rows(tmp_path) == {}
    finally:
        controller.stop()


def test_starttls_against_a_server_without_it_says_so(tmp_path: Path) -> None:
    handler = FaultyMailServer()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        make_mails(tmp_path / "mails", ORGANISATIONS)
        write_config(tmp_path / "cbct-docs.toml", controller.port, security="starttls")
        code, output, _took = send(tmp_path, "--send")
        assert code == 1
        assert (f"Error: 127.0.0.1:{controller.port}: the server does not offer STARTTLS "
                '(set security = "ssl" (port 465) or "none" in [smtp]') in output
        assert handler.received == [] and rows(tmp_path) == {}
    finally:
        controller.stop()
