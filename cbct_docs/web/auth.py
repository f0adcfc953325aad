"""Inloggen en uitloggen (when the office has accounts, or the app listens beyond this
computer)."""

from __future__ import annotations

import threading
import time
from typing import Any

from flask import Blueprint, redirect, render_template, request, session, url_for

from ..runs.accounts import check_login
from . import security
from .app import office

bp = Blueprint("auth", __name__)

#: Wrong passwords per name (and per address) within the window before logins are refused.
MAX_FAILURES = 5
WINDOW_SECONDS = 15 * 60
_FAILURES: dict[str, list[float]] = {}
_LOCK = threading.Lock()


def _recent(key: str, now: float) -> list[float]:
    times = [t for t in _FAILURES.get(key, []) if now - t < WINDOW_SECONDS]
    _FAILURES[key] = times
    return times


def _blocked(keys: list[str]) -> bool:
    now = time.monotonic()
    with _LOCK:
        return any(len(_recent(key, now)) >= MAX_FAILURES for key in keys)


def _failed(keys: list[str]) -> None:
    now = time.monotonic()
    with _LOCK:
        for key in keys:
            _recent(key, now).append(now)


def _safe_next(target: str | None) -> str:
    """Only a path of this app (no other site, no scheme-relative //host)."""
    if target and target.startswith("/") and not target.startswith("//") \
            and "\\" not in target:
        return target
    return url_for("overview.page")


@bp.route("/inloggen", methods=["GET", "POST"])
def login() -> Any:
    error = ""
    if request.method == "POST":
        name = request.form.get("naam", "")
        keys = [f"naam:{name.strip().lower()}", f"adres:{request.remote_addr}"]
        if _blocked(keys):
            error = ("Te vaak een verkeerd wachtwoord. Probeer het over een kwartier "
                     "opnieuw.")
            return render_template("inloggen.html", fout=error), 429
        user = check_login(office(), name, request.form.get("wachtwoord", ""))
        if user is not None:
            security.start_session(user)
            return redirect(_safe_next(request.args.get("next")))
        _failed(keys)
        error = "Naam of wachtwoord klopt niet."
    return render_template("inloggen.html", fout=error), 401 if error else 200


@bp.route("/uitloggen", methods=["POST"])
def logout() -> Any:
    session.clear()
    return redirect(url_for("auth.login"))
