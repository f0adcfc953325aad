"""Talking SMTP: one connection for a batch, and a precise point of no return per message.

:meth:`Mailer.deliver` calls ``before_end`` right before the final ``.`` of a message goes
to the server. Until then a lost connection means the server has no message (SMTP servers
discard incomplete data); from then on, only the server's answer tells. The outbox ledger
records that moment, which is what lets a rerun after a crash resend safely (see
:mod:`.outbox`).
"""

from __future__ import annotations

import contextlib
import re
import smtplib
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from ..errors import DeliveryError
from ..settings import SmtpSettings, is_loopback
from .outgoing import Outgoing
from .route import ConnectionLost, Refused

if TYPE_CHECKING:
    from .oauth import TokenSource

IDLE_CHECK = 30.0  # seconds idle after which the connection is tested (NOOP) before use
_LEADING_DOT = re.compile(rb"(?m)^\.")


class Watchdog:
    """Abandons a connection whose server stalls.

    The socket's own timeout counts per read, so a server that sends one byte now and then
    (or a half-open connection behind a firewall) could hold a run for ever. Each step of
    the conversation gets at most ``seconds``; after that the socket is shut down, which
    ends the waiting read at once (portable: no signals)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.fired = False

    @contextlib.contextmanager
    def step(self, connection: smtplib.SMTP) -> Iterator[None]:
        self.fired = False
        timer = threading.Timer(self.seconds, self._fire, (connection,))
        timer.daemon = True
        began = time.monotonic()
        timer.start()
        try:
            yield
        except OSError:
            # A silent server is also noticed by the socket's own timeout (the same seconds,
            # counted from its read), which can come first when the timer's thread wakes
            # late (a busy machine): a step that used up its time stalled either way.
            if time.monotonic() - began >= self.seconds:
                self.fired = True
            raise
        finally:
            timer.cancel()
        if self.fired:  # what was read may be a fragment ("222" of a trickle): not an answer
            raise TimeoutError(f"no answer within {self.seconds:g} s")

    def _fire(self, connection: smtplib.SMTP) -> None:
        self.fired = True
        sock = getattr(connection, "sock", None)
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)



class Mailer:
    """One SMTP connection, opened on first use and reopened after a failure.

    The first connection of a run tests the set-up: when it cannot be made (no server,
    connection refused, no answer, TLS on one side only, a login the server does not
    offer) nothing is wrong with any message, so the run stops at once with what to set
    (a :class:`DeliveryError`), before any retry. Later, a lost connection is a
    :class:`ConnectionLost` and is retried."""

    def __init__(self, settings: SmtpSettings, password: str | None = None) -> None:
        self.settings = settings
        self.password = password
        self.connection: smtplib.SMTP | None = None
        self.last_used = 0.0
        self.opened = False  # a connection worked in this run: the set-up is right
        self.watchdog = Watchdog(settings.timeout)

    @property
    def where(self) -> str:
        return f"{self.settings.host}:{self.settings.port}"

    def describe(self) -> str:
        """The route in a sentence (``cbct-docs mail test``)."""
        login = f" as {self.settings.user}" if self.settings.user else ""
        return f"SMTP to {self.where}{login} ({self.settings.security})"

    def _login(self, connection: smtplib.SMTP) -> None:
        connection.login(self.settings.user, self.password or "")

    def _login_hint(self) -> str:
        return "check the user and CBCT_SMTP_PASSWORD"

    def _open(self) -> smtplib.SMTP:
        s, where = self.settings, self.where
        if s.user and s.security == "none" and not is_loopback(s.host):
            raise DeliveryError(f"a login as {s.user!r} needs TLS: the password would go "
                                "over the network in clear", location=where,
                                hint='set security = "starttls" or "ssl" in [smtp]')
        connection: smtplib.SMTP | None = None
        try:
            # Certificates are always checked; an internal CA goes in [smtp] cafile.
            context = ssl.create_default_context(cafile=s.cafile or None)
            if s.security == "ssl":
                connection = smtplib.SMTP_SSL(timeout=s.timeout, context=context)
            else:
                connection = smtplib.SMTP(timeout=s.timeout)
            connection._host = s.host  # type: ignore[attr-defined]  # TLS checks this name
            with self.watchdog.step(connection):
                code, greeting = connection.connect(s.host, s.port)
            if code != 220:
                raise smtplib.SMTPConnectError(code, greeting)
            with self.watchdog.step(connection):
                connection.ehlo()
            if s.security == "starttls":
                if not connection.has_extn("starttls"):
                    raise DeliveryError("the server does not offer STARTTLS", location=where,
                                        hint='set security = "ssl" (port 465) or "none" in '
                                        "[smtp]; nothing was sent")
                with self.watchdog.step(connection):
                    connection.starttls(context=context)
                    connection.ehlo()
            if s.user:
                if not connection.has_extn("auth"):
                    raise DeliveryError(
                        f"the server offers no login (AUTH), but [smtp] user is {s.user!r}",
                        location=where, hint="leave [smtp] user empty for a server that needs "
                        'none; many offer it only after TLS (security = "starttls")')
                with self.watchdog.step(connection):
                    self._login(connection)
        except DeliveryError:
            self._discard(connection)
            raise
        except smtplib.SMTPAuthenticationError as error:
            self._discard(connection)
            raise DeliveryError(f"login as {s.user!r} refused: {error.smtp_code} "
                                f"{_text(error.smtp_error)}", location=where,
                                hint=self._login_hint()) from None
        except UnicodeEncodeError:
            self._discard(connection)
            raise DeliveryError("the SMTP user name or password has non-ASCII characters, "
                                "which SMTP login cannot carry", location=where) from None
        except ssl.SSLCertVerificationError as error:
            self._discard(connection)
            raise DeliveryError(f"the server's certificate is not trusted: "
                                f"{error.verify_message}", location=where,
                                hint="if the office uses its own CA, set [smtp] cafile") from None
        except (OSError, smtplib.SMTPException) as error:
            self._discard(connection)
            if self.opened:  # it worked before in this run: the server or network hiccups
                reason = (ConnectionError(f"{error.smtp_code} {_text(error.smtp_error)}")
                          if isinstance(error, smtplib.SMTPConnectError) else error)
                raise ConnectionLost(self._stalled(reason), uncertain=False) from None
            raise self._setup_fault(error) from None
        self.opened = True
        return connection

    def _setup_fault(self, error: BaseException) -> DeliveryError:
        """The first connection of the run failed: say what to check, and stop."""
        s, where = self.settings, self.where
        done = "nothing was sent; rerun when it is fixed"
        place = "[smtp] host and port (or CBCT_SMTP_HOST, CBCT_SMTP_PORT)"
        if isinstance(error, ConnectionRefusedError):
            return DeliveryError("connection refused: no mail server listens there",
                                 location=where, hint=f"start the mail server or set {place}; "
                                 f"{done}")
        if isinstance(error, socket.gaierror):
            return DeliveryError(f"mail server {s.host!r} not found ({error.strerror})",
                                 location=where, hint=f"set {place}; {done}")
        if self.watchdog.fired or isinstance(error, TimeoutError):
            return DeliveryError(
                f"the server did not answer within {s.timeout:g} s", location=where,
                hint=f"check {place} and security: port 465 needs security = \"ssl\", 587 "
                f"\"starttls\"; a firewall may hold the connection; {done}")
        if isinstance(error, ssl.SSLError):
            if s.security == "ssl":
                return DeliveryError(f"no TLS on this port ({error.reason or error})",
                                     location=where, hint='set security = "starttls" for port '
                                     f'587 (or "none"), or the server\'s SSL port; {done}')
            return DeliveryError(f"TLS failed after STARTTLS ({error.reason or error})",
                                 location=where, hint=f"check [smtp] security and port; {done}")
        if isinstance(error, smtplib.SMTPConnectError):
            return DeliveryError(f"the server turned the connection away: {error.smtp_code} "
                                 f"{_text(error.smtp_error)}", location=where,
                                 hint=f"check that this computer may send through it; {done}")
        if isinstance(error, smtplib.SMTPServerDisconnected):
            return DeliveryError("the server closed the connection at once", location=where,
                                 hint=f"check {place} and security (465: \"ssl\", 587: "
                                 f"\"starttls\"); {done}")
        return DeliveryError(f"cannot connect: {error or type(error).__name__}",
                             location=where, hint=f"check {place} and the network; {done}")

    def _stalled(self, error: BaseException) -> BaseException:
        if self.watchdog.fired:
            return TimeoutError(f"no answer within {self.settings.timeout:g} s")
        return error

    def _refusal_fault(self, refusal: Refused) -> DeliveryError | None:
        """A refusal that is the set-up's, not the message's: the server wants a login."""
        text = refusal.text.lower()
        if refusal.code != 530 and "authentication required" not in text:
            return None
        s, where = self.settings, self.where
        done = "nothing was sent; rerun then"
        if "tls" in text and s.security == "none":
            return DeliveryError(f"this server asks for TLS first: {refusal.describe()}",
                                 location=where, hint=f'set security = "starttls" in [smtp]; '
                                 f"{done}")
        if not s.user:
            return DeliveryError(f"this server asks for a login: {refusal.describe()}",
                                 location=where, hint="set [smtp] user (or CBCT_SMTP_USER) "
                                 f"and CBCT_SMTP_PASSWORD; {done}")
        return DeliveryError(f"this server does not take mail from {s.user!r}: "
                             f"{refusal.describe()}", location=where,
                             hint=f"check that user's rights on the server; {done}")

    def deliver(self, message: Outgoing, before_end: Callable[[], None]) -> str:
        """Send one message; returns the server's acceptance text.

        Raises :class:`Refused` for an error answer and :class:`ConnectionLost` when the
        connection breaks or stalls (see :class:`Watchdog`); a :class:`DeliveryError` when
        the set-up is at fault (see the class). The session is reset after a refusal so
        the next one can go.
        """
        if self.connection is not None and time.monotonic() - self.last_used > IDLE_CHECK:
            self._check_alive()  # a slow rate leaves the connection idle; servers drop those
        if self.connection is None:
            self.connection = self._open()
        self.last_used = time.monotonic()
        smtp, step = self.connection, self.watchdog.step
        ended = False
        try:
            with step(smtp):
                self._expect(smtp.mail(message.sender), (250,), "MAIL FROM")
            for recipient in message.recipients:
                with step(smtp):
                    self._expect(smtp.rcpt(recipient), (250, 251), f"RCPT TO {recipient}")
            with step(smtp):
                self._expect(smtp.docmd("DATA"), (354,), "DATA")
            body = _LEADING_DOT.sub(b"..", message.data)
            if not body.endswith(b"\r\n"):
                body += b"\r\n"
            smtp.send(body)  # the socket's timeout bounds each write
            before_end()
            ended = True
            with step(smtp):
                smtp.send(b".\r\n")
                code, text = smtp.getreply()
            if not 200 <= code < 600 or 300 <= code < 400:  # not an answer to the end
                raise ConnectionLost(ValueError(f"unexpected answer {code} {_text(text)}"),
                                     uncertain=True)
            if code >= 400:
                raise Refused(code, _text(text), "end of data")
            return f"{code} {_text(text)}"  # any 2xx: taken
        except Refused as refusal:
            self._reset()
            fault = self._refusal_fault(refusal)
            if fault is not None:
                raise fault from None
            raise
        except (OSError, smtplib.SMTPServerDisconnected) as error:
            self.drop()
            raise ConnectionLost(self._stalled(error), uncertain=ended) from None
        except BaseException:
            # Anything else (the ledger, Ctrl-C) may strike mid-DATA: hang up without a
            # QUIT, which would become part of the message; the server discards the rest.
            self.drop()
            raise

    @staticmethod
    def _expect(reply: tuple[int, bytes | str], good: tuple[int, ...], stage: str) -> None:
        code, text = reply
        if code not in good:
            raise Refused(code, _text(text), stage)

    def _check_alive(self) -> None:
        try:
            assert self.connection is not None
            with self.watchdog.step(self.connection):
                code, _reply = self.connection.noop()
        except (OSError, smtplib.SMTPException):
            code = 0
        if code != 250:
            self.drop()

    def _reset(self) -> None:
        try:
            if self.connection is not None:
                with self.watchdog.step(self.connection):
                    self.connection.rset()
        except (OSError, smtplib.SMTPException):
            self.drop()

    @staticmethod
    def _discard(connection: smtplib.SMTP | None) -> None:
        if connection is not None:
            with contextlib.suppress(OSError):
                connection.close()

    def drop(self) -> None:
        """Forget a broken connection; the next message opens a new one."""
        self._discard(self.connection)
        self.connection = None

    def close(self) -> None:
        if self.connection is not None:
            with contextlib.suppress(OSError, smtplib.SMTPException), \
                    self.watchdog.step(self.connection):
                self.connection.quit()
            self.drop()


def _text(value: bytes | str) -> str:
    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
    return " ".join(text.split())


class OAuthMailer(Mailer):
    """SMTP with ``AUTH XOAUTH2`` (Microsoft 365: ``smtp.office365.com:587``, STARTTLS): the
    login is the mailbox and an OAuth2 access token instead of a password. A new connection
    asks :class:`.oauth.TokenSource` again, which renews a token before it expires."""

    def __init__(self, settings: SmtpSettings, tokens: TokenSource) -> None:
        super().__init__(settings, None)
        self.tokens = tokens

    def describe(self) -> str:
        return (f"SMTP with OAuth2 (XOAUTH2) to {self.where} as {self.settings.user} "
                f"({self.settings.security}; {self.tokens.describe()})")

    def _login(self, connection: smtplib.SMTP) -> None:
        token = self.tokens.token()
        initial = f"user={self.settings.user}\x01auth=Bearer {token}\x01\x01"
        # A refusal comes as a 334 challenge (an error in JSON), answered with an empty line.
        connection.auth("XOAUTH2", lambda challenge=None: "" if challenge else initial,
                        initial_response_ok=True)

    def _login_hint(self) -> str:
        return self.tokens.refused_hint()
