"""Reading the YAML of a norm guide, field by field, with location-first problems.

The comms team edits these files by hand, so every check names the file and the path of
the field (``kib-4.yaml:questions[2].documents[1]``; list positions count from 1, as a
person counts) and suggests the closest known name for a misspelling.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..domain.framework_yaml import strict_loader
from ..errors import DataError, Problems, UsageError


def closest(word: str, candidates: Iterable[str]) -> str | None:
    """The candidate that looks most like ``word`` (case-insensitive), if any is close."""
    options = {c.lower(): c for c in candidates}
    match = difflib.get_close_matches(word.lower(), list(options), n=1, cutoff=0.6)
    return options[match[0]] if match else None


def suggestion(word: str, candidates: Iterable[str], kind: str, *, listing: bool = False) -> str:
    """``did you mean 'x'?`` and/or the list of what is allowed (always when nothing is
    close; also with a match when ``listing``, for short lists such as a norm's ids)."""
    candidates = list(candidates)
    near = closest(word, candidates) or _closest_tail(word, candidates)
    allowed = f"{kind}: " + (", ".join(candidates) or "none")
    if near is None:
        return allowed
    return f"did you mean {near!r}? {allowed}" if listing else f"did you mean {near!r}?"


def _closest_tail(word: str, candidates: list[str]) -> str | None:
    """``KiB-4.9`` → compare ``4.9``: people prefix ids with the framework code."""
    for separator in ("-", " ", ":", "_"):
        head, found, tail = word.rpartition(separator)
        if found and head and tail:
            return closest(tail, candidates)
    return None


def read_yaml(path: Path) -> Any:
    """The parsed file; a syntax error, or a key repeated in one mapping (PyYAML would
    silently keep the last one and hide an edit), names its line and column."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise UsageError("file not found", location=path) from None
    except (OSError, UnicodeDecodeError) as error:
        raise DataError(f"cannot read: {error}", location=path,
                        hint="save it as UTF-8 text") from None
    try:
        return yaml.load(text, Loader=strict_loader())
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{path}:line {mark.line + 1}:column {mark.column + 1}" if mark else str(path)
        problem = getattr(error, "problem", None) or str(error)
        hint = ("keep one of them" if problem.endswith("appears twice")
                else "check the indentation and quote texts that contain ': '")
        raise DataError(f"not valid YAML: {problem}", location=where, hint=hint) from None


@dataclass(frozen=True)
class Field:
    required: bool = False


class FieldReader:
    """Typed access to a parsed YAML tree; problems are collected, not raised."""

    def __init__(self, file: Path, problems: Problems) -> None:
        self.file = file
        self.problems = problems

    def where(self, path: str) -> str:
        return f"{self.file}:{path}" if path else str(self.file)

    def problem(self, path: str, what: str, hint: str | None = None) -> None:
        self.problems.add(DataError(what, location=self.where(path), hint=hint))

    def mapping(self, value: Any, path: str, fields: Mapping[str, Field],
                noun: str = "entry") -> dict[str, Any]:
        """Check a mapping: known field names only, required ones present."""
        if not isinstance(value, dict):
            self.problem(path, f"expected fields ({', '.join(fields)}), got {_kind(value)}")
            return {}
        misspelt = set()
        for key in map(str, value):
            if key not in fields:
                near = closest(key, fields)
                misspelt.add(near)
                self.problem(_join(path, key), f"unknown field {key!r}",
                             suggestion(key, fields, "known fields"))
        for name, spec in fields.items():
            # A misspelt field already explains why its correct spelling is missing.
            if spec.required and value.get(name) in (None, "", []) and name not in misspelt:
                self.problem(_join(path, name), "is missing", f"every {noun} needs {name!r}")
        return {str(k): v for k, v in value.items() if str(k) in fields}

    def text(self, value: Any, path: str) -> str | None:
        """A non-empty text (numbers are accepted as text: an id may be written 4.1)."""
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.problem(path, f"expected a text, got {_kind(value)}")
            return None
        text = str(value).strip()
        if not text:
            self.problem(path, "is empty")
            return None
        return text

    def items(self, value: Any, path: str) -> list[tuple[str, Any]]:
        """The elements of a list with their paths (``questions[1]`` is the first)."""
        if value is None:
            return []
        if not isinstance(value, list):
            self.problem(path, f"expected a list (lines starting with '- '), got {_kind(value)}")
            return []
        return [(f"{path}[{number}]", item) for number, item in enumerate(value, start=1)]

    def texts(self, value: Any, path: str) -> list[str]:
        found = (self.text(item, where) for where, item in self.items(value, path))
        return [text for text in found if text]


def paragraphs(text: str | None) -> list[str]:
    """Paragraphs are separated by a blank line; a single line break is just a wrap."""
    if not text:
        return []
    blocks = [" ".join(line.strip() for line in block.splitlines() if line.strip())
              for block in text.replace("\r\n", "\n").split("\n\n")]
    return [block for block in blocks if block]


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, dict):
        return "a set of fields"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return f"{str(value).lower()} (yes/no)"
    return f"{type(value).__name__} {value!r}"
