"""What a send run needs of a way out (SMTP, SMTP with OAuth2, Microsoft Graph), and the
two ways a message fails on it: refused by the server, or the connection lost."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from ..settings import SmtpSettings
from .outgoing import Outgoing


class Refused(Exception):
    """The server answered a command with an error code.

    SMTP's codes say it: 5xx for good, 4xx for now. Another route (Graph's HTTP answers)
    says which it is (``permanent``), and may say how long to wait (``retry_after``)."""

    def __init__(self, code: int, text: str, stage: str, *, permanent: bool | None = None,
                 retry_after: float | None = None) -> None:
        super().__init__(f"{stage}: {code} {text}")
        self.code, self.text, self.stage = code, text, stage
        self._permanent = permanent
        self.retry_after = retry_after

    @property
    def permanent(self) -> bool:
        if self._permanent is not None:
            return self._permanent
        return 500 <= self.code < 600

    def describe(self) -> str:
        return f"{self.code} {self.text} (at {self.stage})"


class ConnectionLost(Exception):
    """The connection broke; ``uncertain`` once the message's end had been sent."""

    def __init__(self, error: BaseException, uncertain: bool) -> None:
        super().__init__(str(error) or type(error).__name__)
        self.uncertain = uncertain




class Route(Protocol):
    """What a send run needs of a way out (SMTP, SMTP with OAuth2, Microsoft Graph): the one
    send rule (:mod:`.sending`) is the same for all of them.

    :meth:`deliver` calls ``before_end`` right before the point of no return (the final
    ``.`` of SMTP, the last byte of Graph's request) and returns the acceptance text; it
    raises :class:`Refused` for an answer that refuses the message, :class:`ConnectionLost`
    when the connection breaks (``uncertain`` after the point of no return), and a
    :class:`DeliveryError` for a fault of the set-up, which the server refused before
    taking anything: the run stops and the message stays unsent."""

    settings: SmtpSettings  # timeout, attempts, backoff (and host, port for messages)

    @property
    def where(self) -> str: ...

    def describe(self) -> str: ...

    def deliver(self, message: Outgoing, before_end: Callable[[], None]) -> str: ...

    def close(self) -> None: ...
