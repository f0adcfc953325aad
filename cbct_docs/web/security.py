"""What every request passes: login (when the app asks for accounts), sessions that
expire, a CSRF token on every form, and a Content-Security-Policy on every response."""

from __future__ import annotations

import hmac
import secrets
import time
from typing import Any

from flask import Flask, Response, abort, g, redirect, request, session, url_for

#: The app's own pages: scripts and styles only from the app, nothing inline, no frames of
#: other sites, no plug-ins.
PAGE_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "connect-src 'self'; frame-src 'self'; form-action 'self'; base-uri 'none'; "
            "frame-ancestors 'self'")
#: An e-mail's HTML as it will be read: its inline styles, no script, no requests out,
#: and a sandbox even when opened outside its iframe.
PREVIEW_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
               "form-action 'none'; base-uri 'none'; frame-ancestors 'self'; sandbox")

#: A letter's PDF, shown by the browser's own viewer: nothing else loads.
PDF_CSP = "default-src 'none'; object-src 'self'; frame-ancestors 'self'"

IDLE_SECONDS = 30 * 60  # a session ends after half an hour without a request
MAX_SECONDS = 10 * 60 * 60  # and after ten hours in any case
OPEN_ENDPOINTS = {"auth.login", "static"}
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def csrf_token() -> str:
    token = session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return token


def _check_csrf() -> None:
    expected = session.get("csrf")
    given = request.form.get("csrf_token") or request.headers.get("X-CSRF-Token") or ""
    if not isinstance(expected, str) or not hmac.compare_digest(expected, given):
        abort(400, description="Het formulier is verlopen of komt niet van deze app "
                               "(CSRF-controle). Laad de pagina opnieuw en probeer het nog eens.")


def _session_user(app: Flask) -> str | None:
    user = session.get("user")
    if not isinstance(user, str):
        return None
    now = time.time()
    started = float(session.get("started", 0))
    seen = float(session.get("seen", 0))
    if now - seen > app.config["IDLE_SECONDS"] or now - started > MAX_SECONDS:
        session.clear()
        return None
    session["seen"] = now
    return user


def start_session(user: str) -> None:
    session.clear()  # a new session id on login: no fixation
    now = time.time()
    session.update(user=user, started=now, seen=now, csrf=secrets.token_urlsafe(32))
    session.permanent = True


def install(app: Flask) -> None:
    @app.before_request
    def guard() -> Any:
        g.user = None
        if app.config["REQUIRE_LOGIN"]:
            g.user = _session_user(app)
            if g.user is None and request.endpoint not in OPEN_ENDPOINTS:
                if request.method in UNSAFE_METHODS:
                    abort(401, description="U bent niet (meer) ingelogd.")
                return redirect(url_for("auth.login", next=request.full_path))
        if request.method in UNSAFE_METHODS:
            _check_csrf()
        return None

    @app.after_request
    def headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", PAGE_CSP)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        response.headers.setdefault("Cache-Control", "no-store")
        return response

    app.jinja_env.globals["csrf_token"] = csrf_token
