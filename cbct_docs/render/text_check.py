"""The check of HTML and text templates (e-mails, web pages): line by line, without
reading any Word XML (so the e-mail commands need no lxml for it)."""

from __future__ import annotations

import re

from ..errors import TemplateError

#: Each tag's opening bracket and its closing one.
OPENERS = {"{{": "}}", "{%": "%}", "{#": "#}"}
#: A «field», as Word mail merge writes them.
GUILLEMETS = re.compile(r"«[^«»\n]{1,60}»")


def text_template_problems(source: str, name: str) -> list[TemplateError]:
    """HTML and text templates: a stray ``}}`` or ``%}`` and «field» look-alikes, by line."""
    errors = []
    in_style = False
    for number, line in enumerate(source.splitlines(), start=1):
        lowered = line.lower()
        if "<style" in lowered:
            in_style = True
        if in_style:
            in_style = "</style" not in lowered
            continue
        stripped = re.sub(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", "", line)
        for bracket in ("}}", "%}"):
            if bracket in stripped and OPENERS["{{" if bracket == "}}" else "{%"] not in line:
                errors.append(TemplateError(
                    f"syntax error: '{bracket}' closes a tag that was not opened "
                    f"({line.strip()[:70]!r})", location=f"{name}:line {number}"))
        for match in GUILLEMETS.finditer(stripped):
            errors.append(TemplateError(
                f"{match.group(0)} looks like a Word mail-merge field; write "
                f"{{{{ {match.group(0)[1:-1].strip()} }}}} instead",
                location=f"{name}:line {number}"))
    return errors
