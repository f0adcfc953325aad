"""The names a template uses, and the name a misspelt one was probably meant to be."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from typing import Any


def suggestion(name: str, available: Iterable[str]) -> str | None:
    """The available name ``name`` was probably meant to be: the same in other capitals
    (Word capitalises a paragraph's first letter), else the closest spelling."""
    names = [str(a) for a in available]
    for candidate in names:
        if candidate.casefold() == name.casefold() and candidate != name:
            return candidate
    close = difflib.get_close_matches(name, names, n=1, cutoff=0.75)
    return close[0] if close else None


def did_you_mean(name: str, available: Iterable[str]) -> str:
    found = suggestion(name, available)
    return f"; did you mean {found!r}?" if found else ""


def nested_names(value: Any, depth: int = 0) -> set[str]:
    """Every key in a context, nested ones too (for a misspelt attribute)."""
    names: set[str] = set()
    if depth > 4:
        return names
    if isinstance(value, Mapping):
        for key, item in value.items():
            names.add(str(key))
            names |= nested_names(item, depth + 1)
    elif isinstance(value, list | tuple) and value:
        names |= nested_names(value[0], depth + 1)
    return names


def used_fields(ast: Any) -> set[str]:
    """The fields a template uses, dotted as far as it names them: ``organisatie.naam``,
    ``kader``; loop variables and names the template sets itself are left out."""
    from jinja2 import meta, nodes

    free = meta.find_undeclared_variables(ast)
    found: set[str] = set()
    inner: set[int] = set()
    for node in ast.find_all((nodes.Getattr, nodes.Getitem)):
        if id(node) in inner:
            continue
        chain: list[str] = []
        current = node
        while isinstance(current, nodes.Getattr | nodes.Getitem):
            inner.add(id(current))
            if isinstance(current, nodes.Getattr):
                chain.append(current.attr)
            elif isinstance(current.arg, nodes.Const) and isinstance(current.arg.value, str):
                chain.append(current.arg.value)
            else:
                chain = []
            current = current.node
        if isinstance(current, nodes.Name) and current.name in free:
            found.add(".".join([current.name, *reversed(chain)]))
    covered = {name.split(".", 1)[0] for name in found}
    return found | {name for name in free if name not in covered}
