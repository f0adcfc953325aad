"""Sending through Microsoft 365 (issue 17), against real servers on 127.0.0.1 started here:

- an HTTPS server (a self-signed certificate made here, trusted through REQUESTS_CA_BUNDLE)
  that is both the sign-in service MSAL talks to (openid-configuration, the token endpoint,
  the device-code endpoint) and Microsoft Graph's ``POST /users/{mailbox}/sendMail``,
  counting the messages and answering 429 with Retry-After, 503, 401 and 403 when told;
- aiosmtpd with an XOAUTH2 authenticator that checks the token string.

The server helpers here are shared by the other test_mail_* modules.
"""

from __future__ import annotations

import base64
import datetime as dt
import ipaddress
import json
import os
import secrets
import ssl
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from click.testing import CliRunner, Result

from cbct_docs.cli import cli

from .test_send import FaultyMailServer, free_port, make_mails

# aiosmtpd warns about AUTH without TLS: this server listens on 127.0.0.1 only.
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")

TENANT = "0f3c1a2b-tenant"
CLIENT_ID = "7d9e4c21-client"
SECRET = "Zq8~app-secret-" + "x" * 16  # what the app registration's secret looks like
MAILBOX = "certificering@cbct.example"


# -- the HTTPS server: sign-in service and Graph --------------------------------------------

def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key, made here (the ``cryptography`` package)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName(
            [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256()))
    cert_file, key_file = folder / "server-cert.pem", folder / "server-key.pem"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


@dataclass
class Microsoft:
    """What the fake Microsoft 365 saw and how it answers. ``graph_script``: answers for the
    next sendMail requests, in order (``(status, retry_after)``; an empty script: 202).
    ``hold_from``: from this message on, Graph records the message and then holds its
    answer ``hold`` seconds (a client killed meanwhile leaves a known state)."""

    base: str = ""
    secret: str = SECRET
    tokens: list[str] = field(default_factory=list)  # every access token handed out
    refresh_tokens: list[str] = field(default_factory=list)
    token_requests: Counter[str] = field(default_factory=Counter)  # by grant type
    revoked: set[str] = field(default_factory=set)
    expires_in: int = 3600
    device_pending: int = 1  # device-code polls answered "authorization_pending"
    graph_script: list[tuple[int, str | None]] = field(default_factory=list)
    graph_answers: list[int] = field(default_factory=list)
    received: list[tuple[str, bytes]] = field(default_factory=list)  # (mailbox, MIME)
    hold_from: int = 0
    hold: float = 0.0
    client_certificate: Any = None  # the app's certificate (x509), for client assertions
    assertions: int = 0  # client assertions checked
    lock: threading.Lock = field(default_factory=threading.Lock)

    def message_ids(self) -> Counter[str]:
        return Counter(str(parse(mime)["Message-ID"]) for _box, mime in self.received)

    def issue(self) -> str:
        token = "eyJ0eXAi." + secrets.token_urlsafe(24)
        self.tokens.append(token)
        return token

    def wait_until(self, condition: Any, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError("the fake Microsoft 365 did not see what the test waited for")
            time.sleep(0.005)


def parse(mime: bytes) -> EmailMessage:
    message = BytesParser(policy=policy.default).parsebytes(mime)
    assert isinstance(message, EmailMessage)
    return message


def _jwt(claims: dict[str, Any]) -> str:
    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")
    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


class Handler(BaseHTTPRequestHandler):
    state: Microsoft

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _json(self, status: int, body: dict[str, Any],
              headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        if self.path.split("?")[0].endswith("/.well-known/openid-configuration"):
            root = f"{self.state.base}/{TENANT}"
            self._json(200, {
                "issuer": f"{root}/v2.0",
                "authorization_endpoint": f"{root}/oauth2/v2.0/authorize",
                "token_endpoint": f"{root}/oauth2/v2.0/token",
                "device_authorization_endpoint": f"{root}/oauth2/v2.0/devicecode"})
        else:
            self._json(404, {"error": "not_found"})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        body = self.rfile.read(length)
        path = urlsplit(self.path).path
        if path.endswith("/oauth2/v2.0/token"):
            self._token(parse_qs(body.decode()))
        elif path.endswith("/oauth2/v2.0/devicecode"):
            self._json(200, {"device_code": "device-123", "user_code": "CBCT-4242",
                             "verification_uri": "https://microsoft.com/devicelogin",
                             "expires_in": 900, "interval": 1,
                             "message": "To sign in, open https://microsoft.com/devicelogin "
                                        "and enter the code CBCT-4242."})
        elif path.startswith("/v1.0/users/") and path.endswith("/sendMail"):
            self._send_mail(unquote(path.split("/")[3]), body)
        else:
            self._json(404, {"error": "not_found"})

    def _token(self, form: dict[str, list[str]]) -> None:
        state = self.state
        grant = form.get("grant_type", [""])[0]
        state.token_requests[grant] += 1
        if form.get("client_id", [""])[0] != CLIENT_ID:
            self._json(400, {"error": "unauthorized_client",
                             "error_description": "AADSTS700016: application not found"})
            return
        if grant == "client_credentials" and "client_assertion" in form:
            if not self._assertion_valid(form["client_assertion"][0]):
                self._json(401, {"error": "invalid_client", "error_description":
                                 "AADSTS700027: Client assertion failed signature validation."})
                return
            state.assertions += 1
            self._json(200, {"access_token": state.issue(), "token_type": "Bearer",
                             "expires_in": state.expires_in})
            return
        if grant == "client_credentials":
            if form.get("client_secret", [""])[0] != state.secret:
                self._json(401, {"error": "invalid_client", "error_description":
                                 "AADSTS7000215: Invalid client secret provided."})
                return
            self._json(200, {"access_token": state.issue(), "token_type": "Bearer",
                             "expires_in": state.expires_in})
            return
        if grant == "urn:ietf:params:oauth:grant-type:device_code":
            if state.device_pending > 0:
                state.device_pending -= 1
                self._json(400, {"error": "authorization_pending",
                                 "error_description": "AADSTS70016: pending"})
                return
        elif grant == "refresh_token":
            if form.get("refresh_token", [""])[0] not in state.refresh_tokens:
                self._json(400, {"error": "invalid_grant",
                                 "error_description": "AADSTS70008: expired"})
                return
        else:
            self._json(400, {"error": "unsupported_grant_type"})
            return
        refresh = "rt-" + secrets.token_urlsafe(16)
        state.refresh_tokens.append(refresh)
        client_info = base64.urlsafe_b64encode(json.dumps(
            {"uid": "user-1", "utid": TENANT}).encode()).decode().rstrip("=")
        now = int(time.time())
        id_token = _jwt({"iss": f"{state.base}/{TENANT}/v2.0", "aud": CLIENT_ID,
                         "sub": "user-1", "oid": "user-1", "tid": TENANT,
                         "preferred_username": MAILBOX, "name": "Marieke van Dalen",
                         "iat": now, "nbf": now - 60, "exp": now + 3600})
        self._json(200, {"access_token": state.issue(), "token_type": "Bearer",
                         "expires_in": state.expires_in, "refresh_token": refresh,
                         "id_token": id_token, "client_info": client_info,
                         "scope": " ".join(form.get("scope", [""]))})

    def _assertion_valid(self, assertion: str) -> bool:
        """A JWT signed with the certificate's key, for this token endpoint (PyJWT)."""
        import jwt
        from cryptography.hazmat.primitives import hashes

        certificate = self.state.client_certificate
        if certificate is None:
            return False
        try:
            claims = jwt.decode(assertion, certificate.public_key(),
                                algorithms=["RS256", "PS256"],
                                audience=f"{self.state.base}/{TENANT}/oauth2/v2.0/token")
            header = jwt.get_unverified_header(assertion)
        except jwt.PyJWTError:
            return False
        def thumbprint(algorithm: hashes.HashAlgorithm) -> str:
            digest = certificate.fingerprint(algorithm)
            return base64.urlsafe_b64encode(digest).decode().rstrip("=")

        return claims.get("iss") == CLIENT_ID and (
            str(header.get("x5t", "")).rstrip("=") == thumbprint(hashes.SHA1())
            or str(header.get("x5t#S256", "")).rstrip("=") == thumbprint(hashes.SHA256()))

    def _send_mail(self, mailbox: str, body: bytes) -> None:
        state = self.state
        authorization = self.headers.get("Authorization", "")
        token = authorization.removeprefix("Bearer ")
        with state.lock:
            script = state.graph_script.pop(0) if state.graph_script else None
        if token not in state.tokens or token in state.revoked:
            state.graph_answers.append(401)
            self._json(401, {"error": {"code": "InvalidAuthenticationToken",
                                       "message": "Access token has expired or is not yet "
                                                  "valid."}})
            return
        if script is not None:
            status, retry_after = script
            state.graph_answers.append(status)
            codes = {429: "ApplicationThrottled", 503: "ServiceUnavailable",
                     403: "ErrorAccessDenied", 401: "InvalidAuthenticationToken",
                     400: "ErrorInvalidRecipients", 404: "ErrorInvalidUser"}
            self._json(status, {"error": {"code": codes.get(status, "Error"),
                                          "message": f"scripted {status}"}},
                       {"Retry-After": retry_after} if retry_after else None)
            return
        if self.headers.get("Content-Type") != "text/plain":
            self._json(400, {"error": {"code": "ErrorMimeContentInvalid", "message": "?"}})
            return
        with state.lock:
            state.received.append((mailbox, base64.b64decode(body, validate=True)))
            number = len(state.received)
        state.graph_answers.append(202)
        if state.hold and state.hold_from and number >= state.hold_from:
            time.sleep(state.hold)
        self.send_response(202)
        self.send_header("Content-Length", "0")
        self.end_headers()


@dataclass
class HttpsServer:
    state: Microsoft
    port: int
    cafile: Path

    @property
    def base(self) -> str:
        return f"https://127.0.0.1:{self.port}"


def microsoft_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[HttpsServer]:
    """The fixture ``microsoft`` (other modules register it under that name too)."""
    cert, key = self_signed(tmp_path)
    state = Microsoft()
    handler = type("BoundHandler", (Handler,), {"state": state})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    port = int(httpd.server_address[1])
    state.base = f"https://127.0.0.1:{port}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(cert))
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    try:
        yield HttpsServer(state, port, cert)
    finally:
        httpd.shutdown()
        httpd.server_close()


# -- aiosmtpd with XOAUTH2 -----------------------------------------------------------------

class OAuthMailServer(FaultyMailServer):
    """Accepts ``AUTH XOAUTH2`` with a token the sign-in service handed out (and not
    revoked), for ``user=`` the mailbox; refuses the rest as Exchange does (a 334 with a
    JSON error, then 535)."""

    microsoft: Microsoft | None = None
    logins: list[str]
    refused_logins: int

    def __init__(self, microsoft: Microsoft) -> None:
        super().__init__()
        self.microsoft = microsoft
        self.logins = []
        self.refused_logins = 0

    async def auth_XOAUTH2(self, server: Any, args: list[str]) -> AuthResult:
        if len(args) > 1:
            blob = base64.b64decode(args[1])
        else:
            answer = await server.challenge_auth("")
            blob = answer if isinstance(answer, bytes) else b""
        fields = dict(part.split("=", 1) for part in blob.decode().split("\x01") if "=" in part)
        user, token = fields.get("user", ""), fields.get("auth", "").removeprefix("Bearer ")
        assert self.microsoft is not None
        if user == MAILBOX and token in self.microsoft.tokens \
                and token not in self.microsoft.revoked:
            self.logins.append(user)
            return AuthResult(success=True, auth_data=user)
        self.refused_logins += 1
        await server.challenge_auth(json.dumps({"status": "401", "schemes": "bearer",
                                                "scope": "https://outlook.office.com/"}))
        return AuthResult(success=False, handled=False,
                          message="535 5.7.3 Authentication unsuccessful [token]")


def start_oauth_smtp(handler: OAuthMailServer) -> Controller:
    controller = Controller(handler, hostname="127.0.0.1", port=free_port(),
                            auth_require_tls=False, auth_required=True)
    controller.start()
    return controller


def oauth_smtp_server(microsoft: HttpsServer) -> Iterator[tuple[OAuthMailServer, int]]:
    """The fixture ``oauth_smtp``: aiosmtpd with XOAUTH2 on 127.0.0.1."""
    handler = OAuthMailServer(microsoft.state)
    controller = start_oauth_smtp(handler)
    try:
        yield handler, int(controller.port)
    finally:
        controller.stop()


# -- settings and runs ---------------------------------------------------------------------

def write_mail_config(path: Path, microsoft: HttpsServer, route: str, *, smtp_port: int = 0,
                      sign_in: str = "app", **mail: str) -> Path:
    lines = ["[sender]", 'name = "Certificatiebureau Cultuur & Taal"',
             f'email = "{MAILBOX}"', "", "[smtp]", 'host = "127.0.0.1"',
             f"port = {smtp_port or 25}", 'security = "none"', "timeout = 10",
             "attempts = 3", "backoff = 0.01", "max_backoff = 0.05", "", "[mail]",
             f'route = "{route}"', f'mailbox = "{MAILBOX}"', f'tenant = "{TENANT}"',
             f'client_id = "{CLIENT_ID}"', f'sign_in = "{sign_in}"',
             f'authority = "{microsoft.base}"', f'graph = "{microsoft.base}/v1.0"']
    lines += [f'{key} = "{value}"' for key, value in mail.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def mail_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No CBCT_ variable of the machine; this test's ledger, token cache and secret."""
    for name in list(os.environ):
        if name.startswith("CBCT_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("CBCT_LEDGER", str(tmp_path / "cbct-ledger.sqlite"))
    monkeypatch.setenv("CBCT_MAIL_TOKEN_CACHE", str(tmp_path / "token-cache.bin"))
    monkeypatch.setenv("CBCT_MAIL_CLIENT_SECRET", SECRET)


# Fixtures by their own names (the other test_mail_* modules register them the same way).
microsoft = pytest.fixture(name="microsoft")(microsoft_server)
oauth_smtp = pytest.fixture(name="oauth_smtp")(oauth_smtp_server)
clean_environment = pytest.fixture(name="clean_environment", autouse=True)(mail_environment)


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def no_secrets_in(microsoft: Microsoft, *texts: str | bytes) -> None:
    """Neither the app's secret nor any token handed out is in any of ``texts``."""
    for text in texts:
        data = text.encode() if isinstance(text, str) else text
        for secret in [microsoft.secret, *microsoft.tokens, *microsoft.refresh_tokens]:
            assert secret.encode() not in data, "a secret or token leaked"


def ledger_bytes(tmp_path: Path) -> bytes:
    return b"".join(p.read_bytes() for p in tmp_path.glob("cbct-ledger.sqlite*"))


# -- the tests -----------------------------------------------------------------------------

def test_smtp_oauth2_logs_in_with_a_token_and_sends_each_message_once(
        tmp_path: Path, microsoft: HttpsServer,
        oauth_smtp: tuple[OAuthMailServer, int]) -> None:
    handler, port = oauth_smtp
    make_mails(tmp_path / "mails")
    config = write_mail_config(tmp_path / "cbct-docs.toml", microsoft, "smtp-oauth2",
                               smtp_port=port)
    result = run("send", str(tmp_path / "mails"), "--send", "--config", str(config))
    assert result.exit_code == 0, result.output
    assert "3 sent, 0 failed, 0 deferred, 0 unconfirmed, 0 skipped" in result.output
    assert sorted(handler.message_ids().values()) == [1, 1, 1]
    assert handler.logins == [MAILBOX]  # one connection, one login
    assert microsoft.state.token_requests["client_credentials"] == 1

    again = run("send", str(tmp_path / "mails"), "--send", "--config", str(config))
    assert "0 sent, 0 failed, 0 deferred, 0 unconfirmed, 3 skipped" in again.output
    assert sorted(handler.message_ids().values()) == [1, 1, 1]
    no_secrets_in(microsoft.state, result.output, again.output, ledger_bytes(tmp_path),
                  config.read_bytes())


def test_smtp_oauth2_refused_token_stops_the_run_saying_what_to_do(
        tmp_path: Path, microsoft: HttpsServer,
        oauth_smtp: tuple[OAuthMailServer, int]) -> None:
    handler, port = oauth_smtp
    make_mails(tmp_path / "mails")
    config = write_mail_config(tmp_path / "cbct-docs.toml", microsoft, "smtp-oauth2",
                               smtp_port=port)
    microsoft.state.revoked = _RevokeAll()
    result = run("send", str(tmp_path / "mails"), "--send", "--config", str(config))
    assert result.exit_code == 1
    assert "login as 'certificering@cbct.example' refused: 535" in result.output
    assert "ask the admin for the application permission SMTP.SendAsApp" in result.output
    assert handler.received == [] and handler.refused_logins == 1
    no_secrets_in(microsoft.state, result.output, ledger_bytes(tmp_path))

    microsoft.state.revoked = set()
    result = run("send", str(tmp_path / "mails"), "--send", "--config", str(config))
    assert "3 sent, 0 failed, 0 deferred, 0 unconfirmed, 0 skipped" in result.output
    assert sorted(handler.message_ids().values()) == [1, 1, 1]


class _RevokeAll(set[str]):
    def __contains__(self, item: object) -> bool:
        return True


def test_a_wrong_client_secret_stops_before_anything_is_sent(
        tmp_path: Path, microsoft: HttpsServer, monkeypatch: pytest.MonkeyPatch) -> None:
    make_mails(tmp_path / "mails")
    config = write_mail_config(tmp_path / "cbct-docs.toml", microsoft, "graph")
    wrong = "Wr0ng~secret-" + "y" * 16
    monkeypatch.setenv("CBCT_MAIL_CLIENT_SECRET", wrong)
    result = run("send", str(tmp_path / "mails"), "--send", "--config", str(config))
    assert result.exit_code == 1
    assert "the sign-in service refused: invalid_client" in result.output
    assert "check CBCT_MAIL_CLIENT_SECRET" in result.output
    assert wrong not in result.output and wrong.encode() not in ledger_bytes(tmp_path)
    assert microsoft.state.received == []

    monkeypatch.delenv("CBCT_MAIL_CLIENT_SECRET")
    result = run("send", str(tmp_path / "mails"), "--send", "--config", str(config))
    assert result.exit_code == 2
    assert "needs its client secret or certificate" in result.output
    assert "set CBCT_MAIL_CLIENT_SECRET" in result.output


def test_graph_sends_mime_from_the_mailbox_and_waits_as_told_when_throttled(
        tmp_path: Path, microsoft: HttpsServer) -> None:
    state = microsoft.state
    paths = make_mails(tmp_path / "mails")
    config = write_mail_config(tmp_path / "cbct-docs.toml", microsoft, "graph")
    # Throttled once (wait 1 s as told), then a 503 once: both retried, nothing lost.
    state.graph_script = [(429, "1"), (503, None)]
    started = time.monotonic()
    result = run("send", str(tmp_path / "mails"), "--send", "--config", str(config))
    elapsed = time.monotonic() - started
    assert result.exit_code == 0, result.output
    assert "3 sent, 0 failed, 0 deferred, 0 unconfirmed, 0 skipped" in result.output
    assert state.graph_answers == [429, 503, 202, 202, 202]
    assert elapsed >= 1.0  # the Retry-After was waited for
    assert sorted(state.message_ids().values()) == [1, 1, 1]
    for (mailbox, mime), path in zip(state.received, paths, strict=True):
        assert mailbox == MAILBOX
        sent, made = parse(mime), parse(path.read_bytes())
        assert sent["Message-ID"] == made["Message-ID"]
        assert sent["Subject"] == made["Subject"]
        [attachment] = list(sent.iter_attachments())
        assert attachment.get_filename() == "Bevestigingsbrief – auditdatum.pdf"

    again = run("send", str(tmp_path / "mails"), "--send", "--config", str(config))
    assert "0 sent, 0 failed, 0 deferred, 0 unconfirmed, 3 skipped" in again.output
    assert sorted(state.message_ids().values()) == [1, 1, 1]
    # One token for the run (MSAL's cache); a run with nothing to send asks for none.
    assert state.token_requests["client_credentials"] == 1
    no_secrets_in(state, result.output, again.output, ledger_bytes(tmp_path),
                  config.read_bytes())


@pytest.mark.parametrize(("status", "says"), [
    (401, "the token was refused: check that the app registration's secret"),
    (403, "ask the admin for the application permission Mail.Send"),
])
def test_graph_refusing_the_token_stops_the_run_and_leaves_the_message_unsent(
        tmp_path: Path, microsoft: HttpsServer, status: int, says: str) -> None:
    state = microsoft.state
    make_mails(tmp_path / "mails")
    config = write_mail_config(tmp_path / "cbct-docs.toml", microsoft, "graph")
    state.graph_script = [(202, None)] * 0
    result = run("send", str(tmp_path / "mails"), "--send", "--config", str(config),
                 "--limit", "1")
    assert result.exit_code == 0, result.output
    state.graph_script = [(status, None)]
    result = run("send", str(tmp_path / "mails"), "--send", "--config", str(config))
    assert result.exit_code == 1
    assert f"{status}" in result.output and says in result.output
    assert "nothing was sent" in result.output
    assert "Stopped: 0 sent, 0 failed, 0 deferred, 0 unconfirmed, 1 skipped, 2 not sent yet" \
        in result.output
    # The refused message was given back: the next run sends it, once.
    result = run("send", str(tmp_path / "mails"), "--send", "--config", str(config))
    assert result.exit_code == 0, result.output
    assert "2 sent, 0 failed, 0 deferred, 0 unconfirmed, 1 skipped" in result.output
    assert sorted(state.message_ids().values()) == [1, 1, 1]
    no_secrets_in(state, result.output, ledger_bytes(tmp_path))


def test_graph_keeps_bcc_recipients(tmp_path: Path, microsoft: HttpsServer) -> None:
    from cbct_docs.deliver.email import build_message, write_eml

    folder = tmp_path / "mails"
    folder.mkdir()
    message = build_message(sender=f"CBCT <{MAILBOX}>", to="Ans <ans@bieb.example>",
                            subject="Kopie", html="<p>Hallo</p>", text="Hallo\n")
    message["Bcc"] = "archief@cbct.example"
    write_eml(message, folder / "a.eml")
    config = write_mail_config(tmp_path / "cbct-docs.toml", microsoft, "graph")
    result = run("send", str(folder), "--send", "--config", str(config))
    assert result.exit_code == 0, result.output
    [(_box, mime)] = microsoft.state.received
    assert [a.addr_spec for a in parse(mime)["Bcc"].addresses] == ["archief@cbct.example"]


def test_the_route_and_its_secrets_in_the_settings(tmp_path: Path,
                                                    microsoft: HttpsServer) -> None:
    from cbct_docs.deliver.routes import make_route
    from cbct_docs.errors import UsageError
    from cbct_docs.settings import load_settings

    config = write_mail_config(tmp_path / "cbct-docs.toml", microsoft, "smtp-oauth2")
    text = config.read_text().replace('host = "127.0.0.1"\n', "")
    config.write_text(text)
    route = make_route(load_settings(config))
    assert (route.settings.host, route.settings.port, route.settings.security) == \
        ("smtp.office365.com", 587, "starttls")
    assert route.settings.user == MAILBOX

    config.write_text(text + f'client_secret = "{SECRET}"\n')
    with pytest.raises(UsageError, match="a secret does not belong in the settings file"):
        load_settings(config).mail()
    config.write_text("[sender]\nemail = \"a@b.example\"\n")
    assert load_settings(config).mail().route == "smtp"


def test_the_web_apps_send_step_takes_the_configured_route(
        tmp_path: Path, microsoft: HttpsServer, caplog: pytest.LogCaptureFixture) -> None:
    import logging

    from cbct_docs.deliver.graph import GraphMailer
    from cbct_docs.deliver.outgoing import read_outgoing
    from cbct_docs.runs.office import OfficeFolder
    from cbct_docs.runs.send import mailer

    caplog.set_level(logging.DEBUG)  # MSAL's and urllib3's logs too
    config = write_mail_config(tmp_path / "cbct-docs.toml", microsoft, "graph")
    post, _rate = mailer(OfficeFolder(tmp_path, config))
    assert isinstance(post, GraphMailer)
    [path] = make_mails(tmp_path / "mails", [("Bibliotheek Oost", "Anna", "anna@oost.example")])
    answer = post.deliver(read_outgoing([path])[0], before_end=lambda: None)
    assert answer == f"202 accepted by Microsoft Graph; a copy in Sent Items of {MAILBOX}"
    assert len(microsoft.state.received) == 1
    assert microsoft.state.tokens  # a token was handed out, and it is in no log line
    no_secrets_in(microsoft.state, caplog.text)


def test_graph_refusing_one_message_or_leaving_it_unknown(tmp_path: Path,
                                                          microsoft: HttpsServer) -> None:
    state = microsoft.state
    paths = make_mails(tmp_path / "mails")
    config = write_mail_config(tmp_path / "cbct-docs.toml", microsoft, "graph")
    # 400 refuses the first message for good; 500 leaves the second unknown; the third goes.
    state.graph_script = [(400, None), (500, None)]
    result = run("send", str(tmp_path / "mails"), "--send", "--config", str(config))
    assert result.exit_code == 1
    assert "1 sent, 1 failed, 0 deferred, 1 unconfirmed, 0 skipped" in result.output
    assert f"{paths[0].name}: i.orsted@bieb-dijkwaard.example: failed: 400" in result.output
    assert f"{paths[1].name}: s.devries@twentse-buten.example: unconfirmed" in result.output
    result = run("send", str(tmp_path / "mails"), "--send", "--config", str(config))
    assert "0 sent, 0 failed, 0 deferred, 0 unconfirmed, 3 skipped" in result.output
    assert len(state.received) == 1  # nothing sent blindly again


def test_smtp_oauth2_temporary_refusal_is_retried(
        tmp_path: Path, microsoft: HttpsServer,
        oauth_smtp: tuple[OAuthMailServer, int]) -> None:
    handler, port = oauth_smtp
    make_mails(tmp_path / "mails")
    handler.transient_once = {"f.yilmaz@taalhuis-eemsdelta.example"}
    config = write_mail_config(tmp_path / "cbct-docs.toml", microsoft, "smtp-oauth2",
                               smtp_port=port)
    result = run("send", str(tmp_path / "mails"), "--send", "--config", str(config))
    assert result.exit_code == 0, result.output
    assert "3 sent, 0 failed, 0 deferred, 0 unconfirmed, 0 skipped" in result.output
    assert handler.answered_451 == 1
    assert sorted(handler.message_ids().values()) == [1, 1, 1]


def test_the_app_signs_in_with_a_certificate(tmp_path: Path, microsoft: HttpsServer,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "cbct-docs")])
    now = dt.datetime.now(dt.UTC)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
                   .public_key(key.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(now - dt.timedelta(minutes=5))
                   .not_valid_after(now + dt.timedelta(days=1)).sign(key, hashes.SHA256()))
    pem = tmp_path / "app.pem"
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    pem.write_bytes(key_pem + certificate.public_bytes(serialization.Encoding.PEM))
    microsoft.state.client_certificate = certificate
    monkeypatch.delenv("CBCT_MAIL_CLIENT_SECRET")
    monkeypatch.setenv("CBCT_MAIL_CLIENT_CERT", str(pem))
    make_mails(tmp_path / "mails")
    config = write_mail_config(tmp_path / "cbct-docs.toml", microsoft, "graph")
    result = run("send", str(tmp_path / "mails"), "--send", "--config", str(config))
    assert result.exit_code == 0, result.output
    assert "3 sent, 0 failed, 0 deferred, 0 unconfirmed, 0 skipped" in result.output
    assert microsoft.state.assertions == 1
    assert key_pem.decode().splitlines()[1] not in result.output
    no_secrets_in(microsoft.state, result.output, ledger_bytes(tmp_path))
