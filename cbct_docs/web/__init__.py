"""The office's web app (``cbct-docs serve``): the quarter's overview, dossiers, batches to
review and approve, sending, the office's files and templates — over the same application
layer (:mod:`cbct_docs.runs`) as the command line.

``create_app(folder)`` makes the Flask app; ``cbct_docs.cli.web`` serves it with waitress.
"""

from __future__ import annotations

from .app import compile_templates, create_app

__all__ = ["compile_templates", "create_app"]
