"""``cbct-docs serve`` (the office's web app) and ``cbct-docs users`` (its accounts)."""

from __future__ import annotations

import os
from pathlib import Path

import click

from ..errors import UsageError
from .lifecycle_support import FOLDER


@click.command()
@click.option("--office", type=FOLDER, default=None,
              help="The office folder (settings, database, register). "
                   "Default: $CBCT_OFFICE, else this folder.")
@click.option("--config", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None, help="Settings file (default: cbct-docs.toml in the office folder).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. Anything but this computer needs user accounts "
                   "(cbct-docs users add NAME).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--no-browser", is_flag=True, help="Do not open the browser.")
def serve(office: Path | None, config: Path | None, host: str, port: int,
          no_browser: bool) -> None:
    """The office's web app: the quarter's overview, dossiers, batches to review and
    approve, sending, files and templates.

    \b
    Examples:
      cbct-docs serve                       # http://127.0.0.1:8000, opens the browser
      cbct-docs serve --office D:\\Kantoor --port 8080
      cbct-docs users add marieke && cbct-docs serve --host 0.0.0.0

    Stop it with Ctrl+C.
    """
    from waitress import serve as waitress_serve

    from ..runs.accounts import accounts
    from ..runs.office import open_office
    from ..settings import is_loopback

    # cli and web are sibling layers that do not import each other, but for this one
    # command that starts the web app (an exception written down in pyproject.toml).
    from ..web import compile_templates, create_app

    if office is None and not os.environ.get("CBCT_OFFICE"):
        office = _demo_office()
    place = open_office(office, config)
    try:
        names = accounts(place)
    finally:
        place.close()
    local = is_loopback(host)
    if not local and not names:
        raise UsageError(f"--host {host} opens the web app to other computers, and the "
                         "office has no user accounts",
                         hint="make one first: cbct-docs users add NAME")
    app = create_app(place.folder, config=config, require_login=bool(names) or not local)
    compile_templates(app)
    url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}/"
    click.echo(f"cbct-docs web app for {place.folder.resolve()} on {url} "
               f"({'with' if names else 'without'} login). Stop with Ctrl+C.")
    if not no_browser:
        import threading
        import webbrowser  # subprocess with it: only when the web app starts

        threading.Timer(1.0, webbrowser.open, args=(url,)).start()
    waitress_serve(app, host=host, port=port, threads=4, ident="cbct-docs")


def _demo_office() -> Path | None:
    """In a checkout after ``make demo``: the demo office in ./out, when this folder is no
    office of its own (no database, no register)."""
    here = Path.cwd()
    if (here / "cbct-ledger.sqlite").exists() or (here / "register.xlsx").exists():
        return None
    demo = here / "out"
    if (demo / "cbct-ledger.sqlite").is_file() and (demo / "cbct-docs.toml").is_file():
        click.echo("This folder has no office database; showing the demo office in ./out "
                   "(give --office DIR for another).")
        return demo
    return None


@click.group()
def users() -> None:
    """The web app's user accounts (needed for --host other than this computer)."""


@users.command("add")
@click.argument("name")
@click.option("--office", type=FOLDER, default=None, help="The office folder.")
@click.password_option("--password", prompt="Wachtwoord",
                       help="Asked for when not given (at least 10 characters).")
def add(name: str, office: Path | None, password: str) -> None:
    """Add an account, or give an existing one a new password.

    \b
    Example:
      cbct-docs users add marieke
    """
    from ..runs.accounts import add_account
    from ..runs.office import open_office

    place = open_office(office)
    try:
        new = add_account(place, name, password)
    finally:
        place.close()
    click.echo(f"Account {name} {'added' if new else 'given a new password'}.")


@users.command("list")
@click.option("--office", type=FOLDER, default=None, help="The office folder.")
def list_(office: Path | None) -> None:
    """The accounts of the web app."""
    from ..runs.accounts import accounts
    from ..runs.office import open_office

    place = open_office(office)
    try:
        for name in accounts(place):
            click.echo(name)
    finally:
        place.close()


@users.command("remove")
@click.argument("name")
@click.option("--office", type=FOLDER, default=None, help="The office folder.")
def remove(name: str, office: Path | None) -> None:
    """Remove an account."""
    from ..runs.accounts import remove_account
    from ..runs.office import open_office

    place = open_office(office)
    try:
        if not remove_account(place, name):
            raise UsageError(f"there is no account {name}")
    finally:
        place.close()
    click.echo(f"Account {name} removed.")


commands = [serve, users]
