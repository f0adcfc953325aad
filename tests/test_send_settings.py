"""Settings for sending (cbct-docs.toml, environment), login, rate limit and backoff."""

from __future__ import annotations

import shutil
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from click.testing import CliRunner

from cbct_docs.cli import cli
from cbct_docs.cli.send import parse_rate
from cbct_docs.deliver.sending import RateLimit, backoff_delay
from cbct_docs.errors import DataError, UsageError
from cbct_docs.settings import load_settings

from .test_send import ORGANISATIONS, FaultyMailServer, free_port, make_mails, write_config

OFFICE = """
[letterhead]
city = "Amersfoort"

[sender]
name = "Stichting Toetsing Cultuur"
email = "post@toetsing.example"

[smtp]
host = "smtp.toetsing.example"
"""


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("HOST", "PORT", "SECURITY", "USER", "PASSWORD"):
        monkeypatch.delenv(f"CBCT_SMTP_{name}", raising=False)
    monkeypatch.delenv("CBCT_CONFIG", raising=False)
    # the office ledger of this test (by default it sits in the working folder)
    monkeypatch.setenv("CBCT_LEDGER", str(tmp_path / "cbct-ledger.sqlite"))


def test_working_folder_file_is_laid_over_the_packaged_defaults(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "cbct-docs.toml").write_text(OFFICE, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    settings = load_settings()
    assert settings.source == Path("cbct-docs.toml")
    assert settings["letterhead"]["city"] == "Amersfoort"  # other modules' sections
    assert settings.sender == "Stichting Toetsing Cultuur <post@toetsing.example>"
    smtp = settings.smtp()
    assert (smtp.host, smtp.port, smtp.security) == ("smtp.toetsing.example", 587, "starttls")


def test_explicit_file_wins_and_must_exist(tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "cbct-docs.toml").write_text(OFFICE, encoding="utf-8")
    other = tmp_path / "ander.toml"
    other.write_text('[smtp]\nhost = "mail.ander.example"\nport = 465\nsecurity = "ssl"\n',
                     encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert load_settings(other).smtp().host == "mail.ander.example"
    monkeypatch.setenv("CBCT_CONFIG", str(other))
    assert load_settings().smtp().port == 465
    with pytest.raises(UsageError, match="weg.toml: settings file not found"):
        load_settings(tmp_path / "weg.toml")


def test_without_a_file_only_technical_defaults_apply(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    settings = load_settings()
    assert settings.source is None
    assert settings.smtp().port == 587
    assert settings.section("letterhead") == {}
    with pytest.raises(DataError, match=r"\[sender\] email is missing"):
        _ = settings.sender


def test_environment_overrides_the_file(tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "cbct-docs.toml"
    path.write_text(OFFICE, encoding="utf-8")
    monkeypatch.setenv("CBCT_SMTP_HOST", "relay.intern.example")
    monkeypatch.setenv("CBCT_SMTP_PORT", "2525")
    monkeypatch.setenv("CBCT_SMTP_SECURITY", "SSL")
    monkeypatch.setenv("CBCT_SMTP_USER", "secretariaat")
    smtp = load_settings(path).smtp()
    assert (smtp.host, smtp.port, smtp.security, smtp.user) == (
        "relay.intern.example", 2525, "ssl", "secretariaat")


@pytest.mark.parametrize(("smtp", "message"), [
    ('password = "geheim"', r"cbct-docs.toml:smtp.password: a password does not belong"),
    ('security = "tls"', r"cbct-docs.toml:smtp.security: security must be one of"),
    ('port = "vijf"', r"cbct-docs.toml:smtp.port: expected a number, not 'vijf'"),
    ("attempts = -1", r"cbct-docs.toml:smtp.attempts: must not be negative"),
])
def test_bad_smtp_settings_name_the_key(tmp_path: Path, smtp: str, message: str) -> None:
    path = tmp_path / "cbct-docs.toml"
    path.write_text(f"[smtp]\n{smtp}\n", encoding="utf-8")
    with pytest.raises((DataError, UsageError), match=message):
        load_settings(path).smtp()


def test_broken_toml_is_a_data_error(tmp_path: Path) -> None:
    path = tmp_path / "cbct-docs.toml"
    path.write_text("[smtp\nhost = 1\n", encoding="utf-8")
    with pytest.raises(DataError, match="cbct-docs.toml: not valid TOML"):
        load_settings(path)


def test_rate_and_backoff(tmp_path: Path) -> None:
    assert parse_rate("30") == parse_rate("30/min") == parse_rate("1800/h") == 30
    assert parse_rate("2/s") == 120
    with pytest.raises(UsageError, match="expected N/min"):
        parse_rate("snel")
    now = [100.0]
    pauses: list[float] = []

    def sleep(seconds: float) -> None:
        pauses.append(seconds)
        now[0] += seconds

    limiter = RateLimit(30, clock=lambda: now[0], sleep=sleep)
    limiter.wait()
    now[0] += 0.5  # the first message took half a second
    limiter.wait()
    limiter.wait()
    assert pauses == [1.5, 2.0]
    path = tmp_path / "cbct-docs.toml"
    path.write_text("[smtp]\nbackoff = 30\nmax_backoff = 100\n", encoding="utf-8")
    smtp = load_settings(path).smtp()
    assert [backoff_delay(smtp, n) for n in (1, 2, 3, 4)] == [30, 60, 100, 100]


# -- login against a real server that demands it -------------------------------------------

def check_login(server: Any, session: Any, envelope: Any, mechanism: str,
                auth_data: Any) -> AuthResult:
    good = (isinstance(auth_data, LoginPassword) and auth_data.login == b"secretariaat"
            and auth_data.password == b"kasteel-Ede-42")
    return AuthResult(success=good, handled=False)


@pytest.fixture
def guarded_server() -> Iterator[tuple[FaultyMailServer, int]]:
    handler = FaultyMailServer()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port(),
                            auth_required=True, auth_require_tls=False,
                            authenticator=check_login)
    controller.start()
    try:
        yield handler, int(controller.port)
    finally:
        controller.stop()


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_login_with_the_password_from_the_environment(
        tmp_path: Path, guarded_server: tuple[FaultyMailServer, int],
        monkeypatch: pytest.MonkeyPatch) -> None:
    handler, port = guarded_server
    make_mails(tmp_path / "mails", ORGANISATIONS[:1])
    config = write_config(tmp_path / "cbct-docs.toml", port)
    monkeypatch.setenv("CBCT_SMTP_USER", "secretariaat")
    command = ["send", str(tmp_path / "mails"), "--send", "--config", str(config)]

    missing = CliRunner().invoke(cli, command)
    assert missing.exit_code == 2
    assert "the SMTP user 'secretariaat' needs a password (set CBCT_SMTP_PASSWORD" in (
        missing.output)

    monkeypatch.setenv("CBCT_SMTP_PASSWORD", "verkeerd")
    wrong = CliRunner().invoke(cli, command)
    assert wrong.exit_code == 1
    assert "login as 'secretariaat' refused: 535" in wrong.output
    assert "verkeerd" not in wrong.output
    assert handler.received == []

    monkeypatch.setenv("CBCT_SMTP_PASSWORD", "kasteel-Ede-42")
    right = CliRunner().invoke(cli, command)
    assert right.exit_code == 0, right.output
    assert "1 sent" in right.output and len(handler.received) == 1


@pytest.mark.parametrize(("host", "allowed"), [
    ("127.0.0.1", True), ("localhost", True), ("::1", True), ("127.8.0.2", True),
    ("smtp.cbct.example", False), ("10.0.0.25", False), ("localhost.cbct.example", False)])
def test_a_login_without_tls_only_to_this_machine(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, host: str, allowed: bool) -> None:
    path = tmp_path / "cbct-docs.toml"
    path.write_text(f'[smtp]\nhost = "{host}"\nsecurity = "none"\nuser = "secretariaat"\n',
                    encoding="utf-8")
    if allowed:
        assert load_settings(path).smtp().user == "secretariaat"
    else:
        with pytest.raises(UsageError, match=r"cbct-docs.toml:smtp.security: a login as "
                                             r"'secretariaat' needs TLS"):
            load_settings(path).smtp()
    # Without a user nothing secret travels: plain SMTP to any host stays possible.
    path.write_text(f'[smtp]\nhost = "{host}"\nsecurity = "none"\n', encoding="utf-8")
    assert load_settings(path).smtp().security == "none"


def test_a_login_in_clear_is_refused_before_a_password_is_asked(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_mails(tmp_path / "mails", ORGANISATIONS[:1])
    config = write_config(tmp_path / "cbct-docs.toml", free_port(), host="smtp.cbct.example")
    monkeypatch.setenv("CBCT_SMTP_USER", "secretariaat")
    monkeypatch.setenv("CBCT_SMTP_PASSWORD", "kasteel-Ede-42")
    result = CliRunner().invoke(cli, ["send", str(tmp_path / "mails"), "--send",
                                      "--config", str(config)])
    assert result.exit_code == 2
    assert "cbct-docs.toml:smtp.security: a login as 'secretariaat' needs TLS" in result.output
    assert not (tmp_path / "cbct-ledger.sqlite").exists()  # refused before anything began


def test_the_mailer_itself_never_logs_in_in_clear_off_this_machine(tmp_path: Path) -> None:
    """Settings made in Python skip load_settings: the mailer checks again, before connecting."""
    import dataclasses

    from cbct_docs.deliver.outgoing import read_outgoing
    from cbct_docs.deliver.smtp import Mailer
    from cbct_docs.errors import DeliveryError

    (message,) = read_outgoing(make_mails(tmp_path / "mails", ORGANISATIONS[:1]))
    path = tmp_path / "cbct-docs.toml"
    path.write_text('[smtp]\nsecurity = "none"\n', encoding="utf-8")
    settings = dataclasses.replace(load_settings(path).smtp(), host="smtp.cbct.example",
                                   user="secretariaat")
    mailer = Mailer(settings, "kasteel-Ede-42")
    with pytest.raises(DeliveryError, match=r"smtp.cbct.example:587: a login as 'secretariaat' "
                                            r"needs TLS"):
        mailer.deliver(message, before_end=lambda: None)
    assert mailer.connection is None


def test_a_bad_value_from_the_environment_names_the_variable(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CBCT_SMTP_PORT", "twintig")
    path = tmp_path / "cbct-docs.toml"
    path.write_text(OFFICE, encoding="utf-8")
    with pytest.raises(DataError, match="environment variable CBCT_SMTP_PORT: expected a num"):
        load_settings(path).smtp()


# -- TLS against real servers with a certificate made here -----------------------------

@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    if shutil.which("openssl") is None:
        pytest.skip("openssl not installed")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    return cert, key


def server_context(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(certificate[0]), str(certificate[1]))
    return context


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_tls_with_the_office_ca_and_refused_without(
        tmp_path: Path, certificate: tuple[Path, Path], security: str) -> None:
    handler = FaultyMailServer()
    context = server_context(certificate)
    options: dict[str, Any] = ({"tls_context": context, "require_starttls": True}
                               if security == "starttls" else {"ssl_context": context})
    controller = Controller(handler, hostname="127.0.0.1", port=free_port(), **options)
    controller.start()
    try:
        make_mails(tmp_path / "mails", ORGANISATIONS[:1])
        command = ["send", str(tmp_path / "mails"), "--send", "--config"]
        untrusted = write_config(tmp_path / "zonder-ca.toml", controller.port,
                                 security=security)
        refused = CliRunner().invoke(cli, [*command, str(untrusted)])
        assert refused.exit_code == 1
        assert "the server's certificate is not trusted" in refused.output
        assert "set [smtp] cafile" in refused.output
        assert handler.received == []

        trusted = write_config(tmp_path / "cbct-docs.toml", controller.port,
                               security=security, cafile=str(certificate[0]))
        result = CliRunner().invoke(cli, [*command, str(trusted)])
        assert result.exit_code == 0, result.output
        assert "1 sent" in result.output
        [received] = handler.received
        assert received.message()["Subject"] == f"Bevestiging auditdatum – {ORGANISATIONS[0][0]}"
    finally:
        controller.stop()
