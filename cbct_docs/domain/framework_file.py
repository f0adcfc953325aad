"""Read and check a framework YAML file; every mistake is reported with its place.

Places look like ``kib.yaml:norms[2].questions[0]: missing 'text'`` (list positions
count from 0, as in the file's own order). All mistakes of a file come together.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import DataError, Problems, UsageError
from .framework_yaml import framework_data
from .frameworks import (
    INDICATOR_SCOPES,
    ORGANISATION_KINDS,
    QUESTION_SCOPES,
    AdvicePolicy,
    AuditCategory,
    Deadlines,
    Framework,
    Indicator,
    Module,
    Norm,
    Question,
    ScaleLevel,
)

COLOURS = ("red", "orange", "yellow", "green")
TOP_REQUIRED = ("code", "name", "scale", "policy", "deadlines", "categories", "norms")
TOP_OPTIONAL = ("description", "modules")
DEADLINE_KEYS = tuple(Deadlines.__dataclass_fields__)
POLICY_KEYS = tuple(AdvicePolicy.__dataclass_fields__)


def parse_framework_file(path: Path, shown: str | None = None) -> Framework:
    shown = shown or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise DataError("is not UTF-8 text", location=shown,
                        hint="save the framework file as UTF-8") from None
    except OSError as error:
        raise UsageError(f"cannot read: {error.strerror}", location=shown) from None
    data = framework_data(path, text, shown)  # its shipped parsed copy, or the YAML
    parser = _Parser(shown)
    framework = parser.framework(data)
    parser.problems.raise_if_any()
    assert framework is not None  # no problems means every part was built
    framework.source = shown
    return framework


def _index(where: str, i: int) -> str:
    return f"{where}[{i}]"


def _key(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


class _Parser:
    def __init__(self, shown: str) -> None:
        self.shown = shown
        self.problems = Problems()
        self.ids: dict[str, str] = {}  # question/indicator id → where first defined

    def error(self, where: str, what: str, hint: str | None = None) -> None:
        location = f"{self.shown}:{where}" if where else self.shown
        self.problems.add(DataError(what, location=location, hint=hint))

    def mapping(self, node: Any, where: str, required: tuple[str, ...] = (),
                optional: tuple[str, ...] = ()) -> dict[str, Any] | None:
        if not isinstance(node, dict):
            self.error(where, f"expected a mapping (key: value), found {_kind(node)}")
            return None
        for key in required:
            if key not in node or node[key] is None:
                self.error(where, f"missing {key!r}")
        known = required + optional
        if known:
            for key in node:
                if key not in known:
                    self.error(where, f"unknown key {key!r}",
                               hint=f"known keys: {', '.join(known)}")
        return {str(k): v for k, v in node.items()}

    def sequence(self, node: Any, where: str, minimum: int = 0) -> list[Any]:
        if node is None and minimum == 0:
            return []
        if not isinstance(node, list):
            self.error(where, f"expected a list (lines starting with '-'), found {_kind(node)}")
            return []
        if len(node) < minimum:
            self.error(where, f"needs at least {minimum} item{'s' if minimum > 1 else ''}")
        return node

    def text(self, node: Any, where: str) -> str:
        if isinstance(node, bool) or not isinstance(node, str | int | float):
            if node is not None:  # a missing key was reported by mapping()
                self.error(where, f"expected a text, found {_kind(node)}")
            return ""
        text = " ".join(str(node).split())
        if not text:
            self.error(where, "is empty")
        return text

    def integer(self, node: Any, where: str, minimum: int = 0) -> int:
        if isinstance(node, bool) or not isinstance(node, int):
            if node is not None:
                self.error(where, f"expected a whole number, found {node!r}")
            return minimum
        if node < minimum:
            self.error(where, f"must be at least {minimum}, found {node}")
        return node

    def choice(self, node: Any, where: str, options: tuple[str, ...], default: str) -> str:
        if node is None:
            return default
        if node not in options:
            self.error(where, f"{node!r} is not one of {', '.join(options)}")
            return default
        return str(node)

    def framework(self, data: Any) -> Framework | None:
        top = self.mapping(data, "", TOP_REQUIRED, TOP_OPTIONAL)
        if top is None:
            return None
        scale = self.scale(top.get("scale"), "scale")
        names = tuple(level.name for level in scale)
        norms = self.norms(top.get("norms"), "norms")
        modules = {}
        for code, node in (self.mapping(top.get("modules") or {}, "modules") or {}).items():
            module = self.module(code, node, _key("modules", code))
            if module is not None:
                modules[code] = module
        code = self.text(top.get("code"), "code")
        name = self.text(top.get("name"), "name")
        policy = self.policy(top.get("policy"), "policy", names)
        categories = self.categories(top.get("categories"), "categories")
        deadlines = self.deadlines(top.get("deadlines"), "deadlines")
        if self.problems:
            return None
        description = " ".join(str(top.get("description") or "").split())
        return Framework(code=code, name=name, description=description, norms=norms,
                         modules=modules, scale=scale, policy=policy, categories=categories,
                         deadlines=deadlines)

    def scale(self, node: Any, where: str) -> list[ScaleLevel]:
        levels: list[ScaleLevel] = []
        for i, item in enumerate(self.sequence(node, where, minimum=2)):
            here = _index(where, i)
            entry = self.mapping(item, here, ("name", "colour", "meaning", "sufficient"))
            if entry is None:
                continue
            sufficient = entry.get("sufficient")
            if sufficient is not None and not isinstance(sufficient, bool):
                self.error(_key(here, "sufficient"),
                           f"expected true or false, found {sufficient!r}")
            colour = self.choice(entry.get("colour"), _key(here, "colour"), COLOURS, "red")
            level = ScaleLevel(self.text(entry.get("name"), _key(here, "name")), colour,
                               self.text(entry.get("meaning"), _key(here, "meaning")),
                               bool(sufficient))
            if level.name in (known.name for known in levels):
                self.error(_key(here, "name"), f"level {level.name!r} appears twice")
            levels.append(level)
        return levels

    def policy(self, node: Any, where: str, names: tuple[str, ...]) -> AdvicePolicy:
        entry = self.mapping(node, where, optional=POLICY_KEYS) or {}
        default = AdvicePolicy()
        here = _key(where, "blocking_levels")
        given = entry.get("blocking_levels", list(default.blocking_levels))
        blocking = tuple(str(b) for b in self.sequence(given, here))
        for i, name in enumerate(blocking):
            if names and name not in names:
                self.error(_index(here, i), f"{name!r} is not a level of the scale",
                           hint=f"levels: {', '.join(names)}")
        share = entry.get("max_insufficient_share", default.max_insufficient_share)
        if isinstance(share, bool) or not isinstance(share, int | float) or not 0 <= share <= 1:
            self.error(_key(where, "max_insufficient_share"),
                       f"expected a number from 0 to 1, found {share!r}",
                       hint="0.5 means at most half")
            share = default.max_insufficient_share
        modules_count = entry.get("modules_count", default.modules_count)
        if not isinstance(modules_count, bool):
            self.error(_key(where, "modules_count"),
                       f"expected true or false, found {modules_count!r}")
        return AdvicePolicy(
            blocking_levels=blocking, max_insufficient_share=float(share),
            conditional_max_insufficient=self.integer(
                entry.get("conditional_max_insufficient", default.conditional_max_insufficient),
                _key(where, "conditional_max_insufficient")),
            modules_count=bool(modules_count))

    def deadlines(self, node: Any, where: str) -> Deadlines:
        entry = self.mapping(node, where, optional=DEADLINE_KEYS) or {}
        values = {key: self.integer(entry[key], _key(where, key))
                  for key in DEADLINE_KEYS if key in entry}
        return Deadlines(**values)

    def categories(self, node: Any, where: str) -> dict[str, AuditCategory]:
        result = {}
        for code, item in (self.mapping(node, where) or {}).items():
            here = _key(where, code)
            entry = self.mapping(item, here, ("criteria", "dagdelen", "auditors"))
            if entry is None:
                continue
            result[code] = AuditCategory(
                code, self.text(entry.get("criteria"), _key(here, "criteria")),
                self.integer(entry.get("dagdelen"), _key(here, "dagdelen"), 1),
                self.integer(entry.get("auditors"), _key(here, "auditors"), 1))
        if not result and isinstance(node, dict):
            self.error(where, "needs at least one audit category")
        return result

    def norms(self, node: Any, where: str) -> list[Norm]:
        norms: list[Norm] = []
        for i, item in enumerate(self.sequence(node, where, minimum=1)):
            here = _index(where, i)
            entry = self.mapping(item, here, ("number", "title", "questions"), ("indicators",))
            if entry is None:
                continue
            number = self.integer(entry.get("number"), _key(here, "number"), 1)
            twice = any(n.number == number for n in norms)
            if twice:
                self.error(_key(here, "number"), f"norm {number} appears twice")
            title = self.text(entry.get("title"), _key(here, "title"))
            # A repeated number would also repeat every automatic id: report it once.
            questions, indicators = self.items(entry, here, str(number), check_ids=not twice)
            norms.append(Norm(number, title, questions, indicators))
        return norms

    def module(self, code: str, node: Any, where: str) -> Module | None:
        entry = self.mapping(node, where, ("title", "questions"), ("indicators",))
        if entry is None:
            return None
        title = self.text(entry.get("title"), _key(where, "title"))
        questions, indicators = self.items(entry, where, code)
        return Module(code, title, questions, indicators)

    def items(self, entry: dict[str, Any], where: str, prefix: str,
              check_ids: bool = True) -> tuple[list[Question], list[Indicator]]:
        """Questions get ids ``1.1, 1.2 …`` and indicators ``1.a, 1.b …`` unless given."""
        questions = []
        listed = self.sequence(entry.get("questions"), _key(where, "questions"), 1)
        for i, item in enumerate(listed):
            here = _index(_key(where, "questions"), i)
            q = self.mapping(item, here, ("text",), ("scope", "id", "variants"))
            if q is not None:
                qid = self.identifier(q.get("id"), f"{prefix}.{i + 1}", here, check_ids)
                questions.append(Question(qid, self.text(q.get("text"), _key(here, "text")),
                                          self.choice(q.get("scope"), _key(here, "scope"),
                                                      QUESTION_SCOPES, "organisatie"),
                                          self.variants(q.get("variants"), here)))
        indicators = []
        for i, item in enumerate(self.sequence(entry.get("indicators"), _key(where, "indicators"))):
            here = _index(_key(where, "indicators"), i)
            ind = self.mapping(item, here, ("text",), ("scope", "id", "variants"))
            if ind is not None:
                iid = self.identifier(ind.get("id"), f"{prefix}.{_letters(i)}", here,
                                      check_ids)
                indicators.append(Indicator(iid, self.text(ind.get("text"), _key(here, "text")),
                                            self.choice(ind.get("scope"), _key(here, "scope"),
                                                        INDICATOR_SCOPES, "organisatie"),
                                            self.variants(ind.get("variants"), here)))
        return questions, indicators

    def variants(self, node: Any, where: str) -> tuple[tuple[str, str], ...]:
        """``variants: {cultuurorganisatie: ..., taalhuis: ...}``: the text per kind of
        organisation, where the plain text would name another kind."""
        if node is None:
            return ()
        here = _key(where, "variants")
        found = self.mapping(node, here)
        if found is None:
            return ()
        pairs = []
        for kind, text in found.items():
            if kind not in ORGANISATION_KINDS:
                self.error(_key(here, kind), f"{kind!r} is not a kind of organisation",
                           hint=f"kinds: {', '.join(ORGANISATION_KINDS)}")
                continue
            pairs.append((kind, self.text(text, _key(here, kind))))
        return tuple(pairs)

    def identifier(self, given: Any, default: str, where: str, check: bool = True) -> str:
        ident = default if given is None else self.text(given, _key(where, "id"))
        if ident in self.ids and (check or given is not None):
            self.error(_key(where, "id"), f"id {ident!r} is used twice",
                       hint=f"first at {self.ids[ident]}")
        self.ids.setdefault(ident, where)
        return ident


def _letters(index: int) -> str:
    """0 → a, 25 → z, 26 → aa."""
    text = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        text = chr(ord("a") + rest) + text
    return text


def _kind(node: Any) -> str:
    if node is None:
        return "nothing"
    if isinstance(node, dict):
        return "a mapping"
    if isinstance(node, list):
        return "a list"
    return f"the text {node!r}" if isinstance(node, str) else repr(node)
