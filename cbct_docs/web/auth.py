"""Inloggen en uitloggen (when the office has accounts, or the app listens beyond this
computer)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, render_template, request, session, url_for

from ..runs.accounts import check_login
from . import security
from .app import office

bp = Blueprint("auth", __name__)


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
        user = check_login(office(), name, request.form.get("wachtwoord", ""))
        if user is not None:
            security.start_session(user)
            return redirect(_safe_next(request.args.get("next")))
        error = "Naam of wachtwoord klopt niet."
    return render_template("inloggen.html", fout=error), 401 if error else 200


@bp.route("/uitloggen", methods=["POST"])
def logout() -> Any:
    session.clear()
    return redirect(url_for("auth.login"))
