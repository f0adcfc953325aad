"""A person signs in once (device code, ``cbct-docs mail login``), the token is renewed
before it expires, an expired sign-in stops the run with "sign in again"; ``cbct-docs mail
test`` through each route. Real servers on 127.0.0.1 (see test_mail_routes)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from . import test_mail_routes as _servers
from .test_mail_routes import (
    MAILBOX,
    SECRET,
    HttpsServer,
    OAuthMailServer,
    _RevokeAll,
    ledger_bytes,
    no_secrets_in,
    parse,
    run,
    write_mail_config,
)
from .test_send import make_mails

# The servers' fixtures, shared (pytest finds a fixture by its own name).
_microsoft = pytest.fixture(name="microsoft")(_servers.microsoft_server)
_oauth_smtp = pytest.fixture(name="oauth_smtp")(_servers.oauth_smtp_server)
_environment = pytest.fixture(name="clean_environment", autouse=True)(
    _servers.mail_environment)

pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")


def test_a_person_signs_in_once_and_the_token_is_renewed_before_it_expires(
        tmp_path: Path, microsoft: HttpsServer) -> None:
    state = microsoft.state
    make_mails(tmp_path / "mails")
    config = write_mail_config(tmp_path / "cbct-docs.toml", microsoft, "graph",
                               sign_in="user")
    result = run("send", str(tmp_path / "mails"), "--send", "--config", str(config))
    assert result.exit_code == 1
    assert "nobody is signed in" in result.output
    assert "sign in again: cbct-docs mail login" in result.output

    state.expires_in = 120  # within MSAL's five minutes: every use renews it
    result = run("mail", "login", "--config", str(config))
    assert result.exit_code == 0, result.output
    assert "enter the code CBCT-4242" in result.output
    assert f"Signed in as {MAILBOX}" in result.output
    assert state.token_requests["urn:ietf:params:oauth:grant-type:device_code"] == 2
    cache = tmp_path / "token-cache.bin"
    assert str(cache) in result.output and cache.exists()
    if "(encrypted)" not in result.output:  # no DPAPI, Keychain or libsecret on this machine
        assert "unencrypted (no OS key store here), owner only" in result.output
        if os.name == "posix":
            assert cache.stat().st_mode & 0o777 == 0o600

    result = run("send", str(tmp_path / "mails"), "--send", "--config", str(config))
    assert result.exit_code == 0, result.output
    assert "3 sent, 0 failed, 0 deferred, 0 unconfirmed, 0 skipped" in result.output
    assert state.token_requests["refresh_token"] >= 1  # renewed, not sent expired
    assert sorted(state.message_ids().values()) == [1, 1, 1]

    # The admin withdraws the sign-in: Graph refuses, the run stops, nothing goes twice.
    make_mails(tmp_path / "more", [("Bibliotheek Oost", "Anna", "anna@oost.example")])
    state.revoked = _RevokeAll()
    result = run("send", str(tmp_path / "more"), "--send", "--config", str(config))
    assert result.exit_code == 1
    assert "401" in result.output
    assert "sign in again: cbct-docs mail login" in result.output
    no_secrets_in(state, result.output, ledger_bytes(tmp_path), config.read_bytes())


def test_mail_test_through_graph_reports_route_mailbox_and_copy(
        tmp_path: Path, microsoft: HttpsServer) -> None:
    config = write_mail_config(tmp_path / "cbct-docs.toml", microsoft, "graph")
    result = run("mail", "test", "--to", "mij@cbct.example", "--config", str(config))
    assert result.exit_code == 0, result.output
    assert "Route: graph: Microsoft Graph sendMail from certificering@cbct.example" \
        in result.output
    assert f"Mailbox: {MAILBOX}" in result.output
    assert f"Copy: in Sent Items (Verzonden items) of {MAILBOX}" in result.output
    [(mailbox, mime)] = microsoft.state.received
    assert mailbox == MAILBOX
    assert parse(mime)["To"].addresses[0].addr_spec == "mij@cbct.example"
    assert not (tmp_path / "cbct-ledger.sqlite").exists()  # a test is not in the ledger
    no_secrets_in(microsoft.state, result.output)


def test_mail_test_through_smtp_oauth2(tmp_path: Path, microsoft: HttpsServer,
                                       oauth_smtp: tuple[OAuthMailServer, int]) -> None:
    handler, port = oauth_smtp
    config = write_mail_config(tmp_path / "cbct-docs.toml", microsoft, "smtp-oauth2",
                               smtp_port=port)
    result = run("mail", "test", "--to", "mij@cbct.example", "--config", str(config))
    assert result.exit_code == 0, result.output
    assert "Route: smtp-oauth2: SMTP with OAuth2 (XOAUTH2) to 127.0.0.1" in result.output
    assert handler.logins == [MAILBOX]
    assert [r.rcpt_tos for r in handler.received] == [["mij@cbct.example"]]
    assert SECRET not in result.output
    no_secrets_in(microsoft.state, result.output)


def test_the_apps_token_is_renewed_before_it_expires(tmp_path: Path,
                                                     microsoft: HttpsServer) -> None:
    state = microsoft.state
    state.expires_in = 120  # inside MSAL's five minutes: renewed before each use
    make_mails(tmp_path / "mails")
    config = write_mail_config(tmp_path / "cbct-docs.toml", microsoft, "graph")
    result = run("send", str(tmp_path / "mails"), "--send", "--config", str(config))
    assert result.exit_code == 0, result.output
    assert state.token_requests["client_credentials"] == 3
    assert len(set(state.tokens)) == 3
    no_secrets_in(state, result.output, ledger_bytes(tmp_path))
