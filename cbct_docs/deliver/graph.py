"""Sending through Microsoft Graph: ``POST /users/{mailbox}/sendMail`` with the message as
MIME (base64, ``Content-Type: text/plain``). Exchange keeps a copy in the mailbox's Sent
Items ("Verzonden items"), where staff look; the mailbox may be a user's or a shared one.

The point of no return is the last byte of the request: Graph acts on a request only when
it has all of it. ``before_end`` is called just before that byte, as SMTP's is before the
final ``.``; so the send rule of :mod:`.sending` holds unchanged (a crash before it: the
message was not sent; after it: unconfirmed, for a person to check in Sent Items).

Graph's answers: 202 taken; 429 and 503 are throttling (nothing was done; wait the
``Retry-After`` it gives, then go on); 401 (token expired or refused), 403 (no permission)
and 404 (no such mailbox) are faults of the set-up that stop the run; another 4xx refuses
this message; 500, 502 and 504 leave it unknown whether the message went (unconfirmed).
"""

from __future__ import annotations

import base64
import contextlib
import http.client
import json
import os
import socket
import ssl
import time
from collections.abc import Callable
from email import policy
from email.parser import BytesParser
from urllib.parse import quote, urlsplit

from ..errors import DeliveryError
from ..settings import MailSettings, SmtpSettings, is_loopback
from .oauth import TokenSource, permission_hint
from .outgoing import Outgoing
from .route import ConnectionLost, Refused

THROTTLED = (429, 503)
UNKNOWN = (500, 502, 504)
MAX_RETRY_AFTER = 600.0  # seconds: a longer wait is cut to this (and the message retried)


def graph_mime(message: Outgoing) -> bytes:
    """The MIME Graph sends. Graph takes the recipients from the headers, so a Bcc recipient
    (kept out of the file's headers, see :func:`.outgoing.read_outgoing`) goes in a Bcc: header,
    which Graph takes out before delivering."""
    headers = BytesParser(policy=policy.SMTP).parsebytes(message.data, headersonly=True)
    shown = {a.addr_spec.lower() for name in ("To", "Cc") if headers[name] is not None
             for a in headers[name].addresses}
    hidden = [r for r in message.recipients if r.lower() not in shown]
    if not hidden:
        return message.data
    return f"Bcc: {', '.join(hidden)}\r\n".encode("ascii") + message.data


class GraphMailer:
    """A :class:`.route.Route` through Microsoft Graph."""

    def __init__(self, smtp: SmtpSettings, mail: MailSettings, tokens: TokenSource) -> None:
        parts = urlsplit(mail.graph)
        if parts.scheme not in ("https", "http") or not parts.hostname:
            raise DeliveryError(f"[mail] graph must be an https URL, not {mail.graph!r}")
        if parts.scheme == "http" and not is_loopback(parts.hostname):
            raise DeliveryError("[mail] graph must use https (the token would cross the "
                                "network in clear)", location=mail.graph)
        self.scheme, self.hostname = parts.scheme, parts.hostname
        port = parts.port or (443 if parts.scheme == "https" else 80)
        self.base = parts.path.rstrip("/")
        # The retry policy (attempts, backoff, timeout) is [smtp]'s, for every route.
        self.settings = SmtpSettings(**{**smtp.__dict__, "host": parts.hostname,
                                        "port": port, "user": mail.mailbox})
        self.mail, self.tokens = mail, tokens
        self.opened = False  # a request was answered in this run: the set-up is right

    @property
    def where(self) -> str:
        return f"{self.mail.graph} (mailbox {self.mail.mailbox})"

    def describe(self) -> str:
        return (f"Microsoft Graph sendMail from {self.mail.mailbox} ({self.tokens.describe()})"
                f"; a copy in Sent Items of {self.mail.mailbox}")

    def _context(self) -> ssl.SSLContext:
        cafile = self.mail.cafile or os.environ.get("REQUESTS_CA_BUNDLE") or None
        return ssl.create_default_context(cafile=cafile)

    def _connect(self) -> http.client.HTTPConnection:
        timeout = self.settings.timeout
        connection: http.client.HTTPConnection
        if self.scheme == "https":
            connection = http.client.HTTPSConnection(self.hostname, self.settings.port,
                                                     timeout=timeout, context=self._context())
        else:
            connection = http.client.HTTPConnection(self.hostname, self.settings.port,
                                                    timeout=timeout)
        try:
            connection.connect()
        except ssl.SSLCertVerificationError as error:
            connection.close()
            raise DeliveryError(f"Graph's certificate is not trusted: {error.verify_message}",
                                location=self.where, hint="behind a proxy with its own CA: "
                                "set [mail] cafile; nothing was sent") from None
        except OSError as error:
            connection.close()
            if self.opened:
                raise ConnectionLost(error, uncertain=False) from None
            raise DeliveryError(f"cannot connect to Microsoft Graph: {error}",
                                location=self.where, hint="check the network and [mail] "
                                "graph; nothing was sent; rerun when it is fixed") from None
        return connection

    def deliver(self, message: Outgoing, before_end: Callable[[], None]) -> str:
        token = self.tokens.token()  # renewed by MSAL before it expires
        body = base64.b64encode(graph_mime(message))
        path = f"{self.base}/users/{quote(self.mail.mailbox, safe='@')}/sendMail"
        connection = self._connect()
        ended = False
        try:
            connection.putrequest("POST", path, skip_accept_encoding=True)
            connection.putheader("Authorization", f"Bearer {token}")
            connection.putheader("Content-Type", "text/plain")
            connection.putheader("Content-Length", str(len(body)))
            connection.endheaders()
            connection.send(body[:-1])
            before_end()
            ended = True
            connection.send(body[-1:])
            response = connection.getresponse()
            answer = response.read(65536)
            status, retry_after = response.status, response.getheader("Retry-After")
        except (OSError, http.client.HTTPException) as error:
            if isinstance(error, socket.timeout | TimeoutError):
                error = TimeoutError(f"no answer within {self.settings.timeout:g} s")
            raise ConnectionLost(error, uncertain=ended) from None
        finally:
            with contextlib.suppress(OSError):
                connection.close()
        self.opened = True
        return self._answer(status, answer, retry_after)

    def _answer(self, status: int, answer: bytes, retry_after: str | None) -> str:
        if 200 <= status < 300:
            return (f"{status} accepted by Microsoft Graph; a copy in Sent Items of "
                    f"{self.mail.mailbox}")
        text = _graph_error(answer) or http.client.responses.get(status, "")
        if status == 401:
            raise DeliveryError(f"Microsoft Graph refused the token: {status} {text}",
                                location=self.where,
                                hint=f"{self.tokens.refused_hint()}; nothing was sent")
        if status == 403:
            raise DeliveryError(f"Microsoft Graph refused to send from {self.mail.mailbox}: "
                                f"{status} {text}", location=self.where,
                                hint=f"{permission_hint(self.mail)}; nothing was sent")
        if status == 404:
            raise DeliveryError(f"Microsoft Graph does not know the mailbox "
                                f"{self.mail.mailbox}: {status} {text}", location=self.where,
                                hint="check [mail] mailbox; nothing was sent")
        if status in THROTTLED:
            return_after = _seconds(retry_after)
            raise Refused(status, text or "throttled", "sendMail", permanent=False,
                          retry_after=return_after)
        if status in UNKNOWN:
            raise ConnectionLost(ConnectionError(f"{status} {text} from Microsoft Graph"),
                                 uncertain=True)
        raise Refused(status, text, "sendMail", permanent=True)

    def close(self) -> None:
        pass  # a connection per message: nothing stays open


def _seconds(value: str | None) -> float | None:
    """``Retry-After``: seconds, or an HTTP date."""
    if not value:
        return None
    try:
        return min(MAX_RETRY_AFTER, max(0.0, float(value)))
    except ValueError:
        pass
    from email.utils import parsedate_to_datetime

    try:
        when = parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError):
        return None
    return min(MAX_RETRY_AFTER, max(0.0, when - time.time()))


def _graph_error(answer: bytes) -> str:
    """Graph's ``{"error": {"code": …, "message": …}}`` as one line."""
    try:
        error = json.loads(answer.decode("utf-8", "replace")).get("error", {})
    except (ValueError, AttributeError):
        return " ".join(answer.decode("utf-8", "replace").split())[:200]
    if not isinstance(error, dict):
        return ""
    return " ".join(f"{error.get('code', '')}: {error.get('message', '')}".split()).strip(": ")
