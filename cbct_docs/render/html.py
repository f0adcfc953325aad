"""HTML (and plain-text) templates through the shared environment."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import meta

from ..errors import ProblemList, TemplateError
from .environment import StrictEnvironment, render_located, template_error
from .lookup import redirect, search_folders
from .text_check import text_template_problems


class HtmlRenderer:
    """An HTML or text template, parsed once. Includes resolve next to the template."""

    def __init__(self, path: str | Path, env: StrictEnvironment | None = None, *,
                 exact: bool = False) -> None:
        # The office's own version of a bundled template, unless ``exact``.
        self.path = Path(path) if exact else redirect(path)
        self.name = str(self.path)
        self.env = env or StrictEnvironment(search_folders(self.path))
        try:
            source = self.path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            raise TemplateError(f"cannot read template: {error}", location=self.name) from None
        problems = text_template_problems(source, self.name)
        if problems:
            raise problems[0] if len(problems) == 1 else ProblemList(problems)
        # Parsed once and compiled from that tree under the file's name: escaping follows the
        # suffix (.txt: off) and the environment needs no loader for the template itself.
        try:
            self.ast = self.env.parse(source, self.path.name, str(self.path))
            code = self.env.compile(self.ast, self.path.name, str(self.path))
        except jinja2.TemplateSyntaxError as error:  # also an unknown filter
            raise template_error(error, self.name) from None
        self.template = self.env.template_class.from_code(self.env, code,
                                                          self.env.make_globals(None))

    def variables(self) -> set[str]:
        return meta.find_undeclared_variables(self.ast)

    def render(self, context: Mapping[str, Any]) -> str:
        return render_located(self.template, context, self.name)
