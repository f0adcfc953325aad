"""A framework file's YAML as plain data, and the parsed copy shipped beside it.

Importing PyYAML and parsing a framework costs a command ~30 ms at its start (issue 16),
so each framework shipped with the package has its parsed data beside it as JSON
(``kib.yaml`` → ``kib.parsed.json``), with the sha256 of the YAML it was made from. That
copy is used only when the YAML's bytes still have that digest: an edited file (or an
office's own copy, which has no parsed copy beside it, or a stale one) is parsed anew,
so the copy can make a command faster but never read a framework otherwise. Made with
``make frameworks`` (:func:`write_parsed`); a test checks the shipped copies are current.
"""

from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path
from typing import Any

from ..errors import DataError

#: The parsed copy's name beside ``kib.yaml``: ``kib.parsed.json``.
PARSED_SUFFIX = ".parsed.json"


def parsed_path(path: Path) -> Path:
    return path.with_name(path.stem + PARSED_SUFFIX)


def framework_data(path: Path, text: str, shown: str) -> Any:
    """The file's data: its parsed copy when that was made from these very bytes, else
    the YAML parsed (a mistake in it located at ``shown``)."""
    kept = _parsed_copy(path, text)
    return kept if kept is not None else load_yaml(text, shown)


def _parsed_copy(path: Path, text: str) -> Any:
    try:
        copy = json.loads(parsed_path(path).read_bytes())
    except (OSError, ValueError):
        return None  # none beside it (an office's own file), or unreadable: parse the YAML
    if not isinstance(copy, dict) or copy.get("yaml_sha256") != _digest(text):
        return None
    return copy.get("data")


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def load_yaml(text: str, shown: str) -> Any:
    """The YAML parsed with PyYAML's safe loader (no Python objects), a key repeated in
    one mapping refused; a mistake located at its line."""
    import yaml  # only when a file is parsed (see the module's text)

    try:
        return yaml.load(text, Loader=strict_loader())
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{shown}:line {mark.line + 1}" if mark is not None else shown
        what = getattr(error, "problem", None) or str(error)
        raise DataError(f"not valid YAML: {what}", location=where,
                        hint="check indentation and quotes around texts with ':'") from None


@functools.lru_cache(maxsize=1)  # made once, at the first file parsed
def strict_loader() -> Any:
    """PyYAML's SafeLoader (libyaml's when PyYAML has it, about ten times faster), except
    that a key repeated in one mapping is an error (PyYAML would silently keep the last
    one and hide an edit)."""
    import yaml
    from yaml.constructor import ConstructorError

    safe: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class StrictLoader(safe):
        def construct_mapping(self, node: Any, deep: bool = False) -> Any:
            seen: set[Any] = set()
            for key_node, _value in node.value:
                key = self.construct_object(key_node, deep=deep)
                if key in seen:
                    raise ConstructorError(None, None, f"key {key!r} appears twice",
                                           key_node.start_mark)
                seen.add(key)
            return super().construct_mapping(node, deep=deep)

    return StrictLoader


def write_parsed(path: Path) -> Path:
    """Write the parsed copy of the framework file ``path`` beside it. Refused (a
    DataError) when JSON would not give the data back exactly (a date, a number as a key):
    such a file is then always parsed."""
    text = path.read_text(encoding="utf-8")
    data = load_yaml(text, str(path))
    try:
        encoded = json.dumps({"yaml_sha256": _digest(text), "data": data},
                             ensure_ascii=False, indent=1)
    except (TypeError, ValueError):  # a date, a key that is no text
        encoded = ""
    if not encoded or repr(json.loads(encoded)["data"]) != repr(data):
        raise DataError("its data cannot be kept as JSON exactly", location=path)
    target = parsed_path(path)
    target.write_text(encoded + "\n", encoding="utf-8")
    return target


def main() -> None:
    """``python -m cbct_docs.domain.framework_yaml``: the shipped frameworks' parsed copies."""
    from ..paths import data_dir

    for path in sorted((data_dir() / "frameworks").glob("*.yaml")):
        print(write_parsed(path))


if __name__ == "__main__":
    main()
