"""Sjablonen: the templates in use, which documents use each, and a download."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, render_template, send_file

from ..runs.templates import template_file, templates_in_use
from .app import office

bp = Blueprint("templates_page", __name__)


@bp.route("/sjablonen")
def page() -> Any:
    return render_template("sjablonen.html", sjablonen=templates_in_use(office()))


@bp.route("/sjablonen/<path:relative>")
def download(relative: str) -> Any:
    path = template_file(office(), relative)
    if path is None:
        abort(404)
    return send_file(path, as_attachment=True, download_name=path.name)
