"""``cbct-docs mail login`` and ``cbct-docs mail test``: the mail route of the settings."""

from __future__ import annotations

import tempfile
from pathlib import Path

import click

from ..errors import DeliveryError, UsageError

CONFIG = click.Path(exists=True, dir_okay=False, path_type=Path)


@click.group()
def mail() -> None:
    """The mail route of cbct-docs.toml ([mail] route: smtp, smtp-oauth2, graph).

    \b
    Examples:
      cbct-docs mail login                  # sign in once ([mail] sign_in = "user")
      cbct-docs mail test --to mij@cbct.example
    """


@mail.command()
@click.option("--config", type=CONFIG, help="Settings file (default: ./cbct-docs.toml).")
def login(config: Path | None) -> None:
    """Sign in to Microsoft 365 once, for [mail] sign_in = "user" (device code).

    Open the address shown on any device, enter the code and sign in with the mailbox's
    account. The sign-in is kept (encrypted where the system allows) and renewed by
    itself; run this again when cbct-docs says "sign in again".
    """
    from ..deliver.oauth import TokenSource
    from ..settings import load_settings

    settings = load_settings(config).mail()
    if not settings.oauth:
        raise UsageError('[mail] route is "smtp": no sign-in needed',
                         hint='set [mail] route = "graph" or "smtp-oauth2" for Microsoft 365')
    tokens = TokenSource(settings)
    who = tokens.login(lambda text: click.echo(text, err=True))
    click.echo(f"Signed in as {who} (tenant {settings.tenant}); the sign-in is kept in "
               f"{tokens.cache_description()}")


@mail.command("test")
@click.option("--to", "to", required=True, metavar="ADDRESS",
              help="Your own address: where the test message goes.")
@click.option("--config", type=CONFIG, help="Settings file (default: ./cbct-docs.toml).")
def test_message(to: str, config: Path | None) -> None:
    """Send one test message through the configured route and say what happened.

    The message is not recorded in the ledger. Reported: the route, the mailbox and where
    a copy of what was sent is kept.
    """
    from ..deliver.email import build_message, write_eml
    from ..deliver.outgoing import read_outgoing
    from ..deliver.route import ConnectionLost, Refused
    from ..deliver.routes import make_route
    from ..settings import load_settings
    from .send import password_for

    if "@" not in to or any(c in to for c in "\r\n,;<> "):
        raise UsageError(f"--to {to!r} is not one e-mail address")
    settings = load_settings(config)
    mail_settings = settings.mail()
    route = make_route(settings, password_for)
    message = build_message(
        sender=settings.sender, to=to, subject=f"cbct-docs: testbericht via {mail_settings.route}",
        html=f"<p>Dit is een testbericht van cbct-docs, verstuurd via {route.describe()}.</p>",
        text=f"Dit is een testbericht van cbct-docs, verstuurd via {route.describe()}.\n")
    with tempfile.TemporaryDirectory(prefix="cbct-mail-test-") as scratch:
        path = write_eml(message, Path(scratch) / "test.eml")
        outgoing = read_outgoing([path])[0]
        try:
            answer = route.deliver(outgoing, before_end=lambda: None)
        except (Refused, ConnectionLost) as error:
            raise DeliveryError(f"the test message did not go: {error}",
                                location=route.where) from None
        finally:
            route.close()
    click.echo(f"Route: {mail_settings.route}: {route.describe()}")
    click.echo(f"Mailbox: {mail_settings.mailbox or settings.smtp().user or outgoing.sender}")
    click.echo(f"Sent to {to}: {answer}")
    click.echo(f"Copy: {copy_kept(mail_settings.route, mail_settings.mailbox)}")


def copy_kept(route: str, mailbox: str) -> str:
    if route == "graph":
        return f"in Sent Items (Verzonden items) of {mailbox}"
    if route == "smtp-oauth2":
        return (f"Exchange Online files SMTP submissions in Sent Items of {mailbox} when the "
                "mailbox is set to; cbct-docs keeps none (its ledger records what went)")
    return "none in any mailbox (plain SMTP); the ledger of cbct-docs send records what went"


commands = [mail]
