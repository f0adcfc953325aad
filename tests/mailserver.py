"""The tests' own SMTP server: aiosmtpd on 127.0.0.1 that counts what arrives and can
answer 451/550 or stall on request (the ``server`` fixture in conftest.py starts one)."""

from __future__ import annotations

import asyncio
import socket
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

from aiosmtpd.controller import Controller


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    content: bytes

    def message(self) -> EmailMessage:
        parsed = BytesParser(policy=policy.default).parsebytes(self.content)
        assert isinstance(parsed, EmailMessage)
        return parsed


@dataclass
class FaultyMailServer:
    """Accepts mail, except: ``transient_once`` recipients get one 451 at the end of the
    data; ``refuse`` recipients get 550 at RCPT; ``rcpt_delay``/``data_delay`` slow it down
    from the ``slow_from``-th RCPT/message on (after recording what arrived, so a client
    killed meanwhile leaves a known state)."""

    received: list[Received] = field(default_factory=list)
    rcpt_seen: list[str] = field(default_factory=list)
    transient_once: set[str] = field(default_factory=set)
    refuse: set[str] = field(default_factory=set)
    rcpt_delay: float = 0.0
    data_delay: float = 0.0
    slow_from: int = 1  # the delays start with this RCPT / this received message
    answered_451: int = 0

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: list[str]) -> str:
        self.rcpt_seen.append(address)
        if self.rcpt_delay and len(self.rcpt_seen) >= self.slow_from:
            await asyncio.sleep(self.rcpt_delay)
        if address in self.refuse:
            return f"550 5.1.1 <{address}>: mailbox onbekend"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        once = self.transient_once.intersection(envelope.rcpt_tos)
        if once:
            self.transient_once -= once
            self.answered_451 += 1
            return "451 4.3.0 Even geen plek in de wachtrij, probeer het later"
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos),
                                      envelope.content))
        if self.data_delay and len(self.received) >= self.slow_from:
            await asyncio.sleep(self.data_delay)
        return "250 2.0.0 OK: in de wachtrij"

    def message_ids(self) -> Counter[str]:
        return Counter(str(r.message()["Message-ID"]) for r in self.received)

    def wait_until(self, condition: Callable[[], bool], timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError("the SMTP server did not see what the test waited for")
            time.sleep(0.005)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start(handler: FaultyMailServer, **options: Any) -> Controller:
    controller = Controller(handler, hostname="127.0.0.1", port=free_port(), **options)
    controller.start()
    return controller
