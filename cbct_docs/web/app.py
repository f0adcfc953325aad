"""The Flask app: the office folder, who is working, errors as a person reads them."""

from __future__ import annotations

import datetime as dt
import secrets
from pathlib import Path
from typing import Any

from flask import Flask, g, render_template
from werkzeug.exceptions import HTTPException, SecurityError

from ..errors import CbctError
from ..runs.accounts import accounts
from ..runs.files import MAX_UPLOAD
from ..runs.office import OfficeFolder, current_user, open_office
from . import security
from .messages import OUTCOMES_NL, decision_text, dutch, dutch_lines

LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]")


def create_app(folder: Path, *, config: Path | None = None,
               require_login: bool | None = None, secret_key: bytes | None = None,
               idle_seconds: int = security.IDLE_SECONDS) -> Flask:
    """The web app over the office in ``folder``. Accounts are asked for when
    ``require_login`` says so, or (by default) when the office has any."""
    folder = Path(folder).resolve()
    probe = open_office(folder, config)
    try:
        if require_login is None:
            require_login = bool(accounts(probe))
    finally:
        probe.close()
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=secret_key or secrets.token_bytes(32),
        OFFICE_FOLDER=folder, OFFICE_CONFIG=config, REQUIRE_LOGIN=require_login,
        LOCAL_USER=current_user(), IDLE_SECONDS=idle_seconds,
        MAX_CONTENT_LENGTH=MAX_UPLOAD + 64 * 1024,
        PERMANENT_SESSION_LIFETIME=dt.timedelta(seconds=security.MAX_SECONDS),
        SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Strict",
        SESSION_COOKIE_NAME="cbct_sessie",
    )
    if not require_login:
        # Without accounts only this computer may use the app; a page of another site
        # that reaches it under another name (DNS rebinding) is refused.
        app.config["TRUSTED_HOSTS"] = list(LOCAL_HOSTS)
    security.install(app)
    from . import auth, dossier, files, overview, review, sending, templates_page

    for module in (auth, overview, dossier, review, sending, files, templates_page):
        app.register_blueprint(module.bp)
    _install_helpers(app)
    return app


def compile_templates(app: Flask) -> None:
    """Compile every page's template now (``serve`` does, at start), not on the first
    request that shows it (~0.2 s for all)."""
    for name in app.jinja_env.list_templates():
        app.jinja_env.get_template(name)


def office() -> OfficeFolder:
    """The office for this request, with the user who is working."""
    if "office" not in g:
        from flask import current_app

        user = g.get("user") or current_app.config["LOCAL_USER"]
        g.office = open_office(current_app.config["OFFICE_FOLDER"],
                               current_app.config["OFFICE_CONFIG"], user=user)
    found: OfficeFolder = g.office
    return found


def nl_date(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return f"{value.day}-{value.month}-{value.year} {value:%H:%M}"
    if isinstance(value, dt.date):
        return f"{value.day}-{value.month}-{value.year}"
    if isinstance(value, str) and value:
        try:
            stamp = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
        if stamp.tzinfo is not None:
            stamp = stamp.astimezone()
        return nl_date(stamp)
    return ""


def problem_lines(error: CbctError) -> list[str]:
    """The problems in Dutch (web/messages.py), each with where and what to do."""
    return dutch_lines(error)


def _install_helpers(app: Flask) -> None:
    app.jinja_env.filters["datum"] = nl_date
    app.jinja_env.filters["nl"] = dutch  # English of the rules and operations, in Dutch
    app.jinja_env.filters["besluit_nl"] = decision_text
    app.jinja_env.globals["uitkomsten"] = OUTCOMES_NL
    app.jinja_env.filters["bestandsnaam"] = lambda text: str(text).replace("\\", "/") \
        .rsplit("/", 1)[-1]
    app.jinja_env.autoescape = True

    @app.teardown_appcontext
    def close_office(_exc: BaseException | None) -> None:
        place = g.pop("office", None)
        if place is not None:
            place.close()

    @app.context_processor
    def common() -> dict[str, Any]:
        return {"gebruiker": g.get("user") or app.config["LOCAL_USER"],
                "inloggen": app.config["REQUIRE_LOGIN"],
                "kantoor": app.config["OFFICE_FOLDER"]}

    @app.errorhandler(CbctError)
    def cbct_error(error: CbctError) -> tuple[str, int]:
        return render_template("fout.html", titel="Dat lukte niet",
                               problemen=problem_lines(error)), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[str, int] | tuple[str, int, dict[str, str]]:
        if isinstance(error, SecurityError):  # an untrusted Host: no page of this app
            return ("Deze webapp is alleen op deze computer te gebruiken.", 400,
                    {"Content-Type": "text/plain; charset=utf-8"})
        titles = {404: "Niet gevonden", 413: "Bestand te groot", 400: "Verzoek geweigerd",
                  401: "Niet ingelogd", 403: "Niet toegestaan", 405: "Niet toegestaan"}
        text = error.description or ""
        if error.code == 413:
            text = f"Een bestand mag hoogstens {MAX_UPLOAD // (1024 * 1024)} MB zijn."
        return render_template("fout.html", titel=titles.get(error.code or 0, "Fout"),
                               problemen=[text]), error.code or 500
