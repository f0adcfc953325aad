"""Certification frameworks (KiB, ZoO) as data: norms, modules, scale, policy, deadlines.

The definitions live in YAML files in ``cbct_docs/data/frameworks/`` (schema in
``SCHEMA.md`` there). An office can copy one, edit it and pass the copy's path
wherever a framework code is accepted. The objects here are read-only by convention.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path

from ..errors import DataError, UsageError
from ..paths import data_dir

QUESTION_SCOPES = ("organisatie", "taalhuis")
#: The kinds of organisation a text may be worded for (``variants:`` in a framework file).
ORGANISATION_KINDS = ("bibliotheek", "cultuurorganisatie", "taalhuis")
INDICATOR_SCOPES = ("organisatie", "taalhuis", "beide")
TAALHUIS_MODULE = "taalhuis"


def _applies(scope: str, modules: Iterable[str]) -> bool:
    """Taalhuis-scoped items apply only to an organisation that runs a taalhuis."""
    return scope != "taalhuis" or TAALHUIS_MODULE in set(modules)


@dataclass(frozen=True)
class FrameworkItem:
    """A question or indicator of a norm or module."""

    id: str
    text: str
    scope: str = "organisatie"
    #: (kind, text): the wording for one kind of organisation (``cultuurorganisatie``),
    #: where ``text`` would name another kind (``De bibliotheek …``).
    variants: tuple[tuple[str, str], ...] = ()

    def applies_to(self, modules: Iterable[str]) -> bool:
        return _applies(self.scope, modules)

    def text_for(self, kind: str | None) -> str:
        """The text as an organisation of ``kind`` reads it."""
        return dict(self.variants).get(kind or "", self.text)


@dataclass(frozen=True)
class Question(FrameworkItem):
    """A question the auditors score on the framework's scale."""


@dataclass(frozen=True)
class Indicator(FrameworkItem):
    """A yes/no statement the auditor checks (``Er is een verwerkingsregister.``)."""


@dataclass
class Norm:
    """A numbered norm: its questions, scored, and its indicators, checked."""

    number: int
    title: str
    questions: list[Question]
    indicators: list[Indicator]

    @property
    def key(self) -> int:
        return self.number

    @property
    def label(self) -> str:
        return f"Norm {self.number}: {self.title}"


@dataclass
class Module:
    """An optional module (``taalhuis``), scored like a norm where an organisation has it."""

    code: str
    title: str
    questions: list[Question]
    indicators: list[Indicator]

    @property
    def key(self) -> str:
        return self.code

    @property
    def label(self) -> str:
        return f"Module {self.title}"


Part = Norm | Module  # what a score sheet groups questions by


@dataclass(frozen=True)
class ScaleLevel:
    """A level of the scoring scale (``Volledig``), its colour and meaning in a report."""

    name: str
    colour: str  # "red" | "yellow" | "green"
    meaning: str  # "onvoldoende" | "voldoende" | "goed"
    sufficient: bool


@dataclass(frozen=True)
class AuditCategory:
    """An audit category (``II``): who falls in it, its half days and auditors."""

    code: str
    criteria: str
    dagdelen: int
    auditors: int


@dataclass(frozen=True)
class Deadlines:
    """The framework's terms, in weeks, months or years."""

    intake_weeks: int = 2
    selfevaluation_weeks_before: int = 6
    concept_report_weeks: int = 3
    response_weeks: int = 2
    heraudit_months: int = 6
    validity_years: int = 4
    bezwaar_weeks: int = 6
    # Plan the audit this many quarters before the quarter in which the certificate ends.
    planning_offset_quarters: int = 0


@dataclass(frozen=True)
class AdvicePolicy:
    """Norm: insufficient when any question scores a blocking level, or when more than
    ``max_insufficient_share`` of its questions score an insufficient level.
    Advice: 0 insufficient → Gecertificeerd; up to ``conditional_max_insufficient`` →
    Voorwaardelijk gecertificeerd; more → Niet gecertificeerd.
    """

    blocking_levels: tuple[str, ...] = ("Niet",)
    max_insufficient_share: float = 0.5
    conditional_max_insufficient: int = 2
    modules_count: bool = True


@dataclass
class Framework:
    """A certification framework as its file defines it. (Each class here has a docstring:
    dataclass works one out from the signature otherwise, at every import.)"""

    code: str
    name: str
    description: str
    norms: list[Norm]
    modules: dict[str, Module]
    scale: list[ScaleLevel]
    policy: AdvicePolicy
    categories: dict[str, AuditCategory]
    deadlines: Deadlines
    source: str = ""  # the file it was read from
    _questions: dict[str, Question] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for part in self.parts(self.modules):
            for question in part.questions:
                self._questions[question.id] = question

    def norm(self, number: int) -> Norm:
        for norm in self.norms:
            if norm.number == number:
                return norm
        raise DataError(f"{self.code} has no norm {number}",
                        hint=f"norms: {', '.join(str(n.number) for n in self.norms)}")

    def module(self, code: str) -> Module:
        if code not in self.modules:
            raise DataError(f"{self.code} has no module {code!r}",
                            hint=f"modules: {', '.join(self.modules)}")
        return self.modules[code]

    def question(self, qid: str) -> Question:
        if qid not in self._questions:
            raise DataError(f"{self.code} has no question {qid!r}")
        return self._questions[qid]

    def part(self, key: int | str) -> Part:
        """A norm by number or a module by code."""
        return self.norm(key) if isinstance(key, int) else self.module(key)

    def part_of(self, qid: str) -> Part:
        for part in self.parts(self.modules):
            if any(q.id == qid for q in part.questions):
                return part
        raise DataError(f"{self.code} has no question {qid!r}")

    def parts(self, modules: Iterable[str] = ()) -> list[Part]:
        """The norms in their own order, then the given modules in the framework's order."""
        wanted = set(modules)
        return [*self.norms, *(m for code, m in self.modules.items() if code in wanted)]

    def applicable_questions(self, modules: Iterable[str] = ()) -> list[Question]:
        modules = tuple(modules)
        return [q for part in self.parts(modules) for q in part.questions
                if q.applies_to(modules)]

    def level(self, name: str) -> ScaleLevel:
        for level in self.scale:
            if level.name == name:
                return level
        raise DataError(f"{name!r} is not one of {', '.join(self.scale_names)}")

    @property
    def scale_names(self) -> list[str]:
        return [level.name for level in self.scale]


def frameworks_dir() -> Path:
    return data_dir() / "frameworks"


@lru_cache(maxsize=1)
def _bundled() -> dict[str, Path]:
    """Code → file of the frameworks shipped with the package (read once). Each file
    is read as the framework it is (parsed once per process, shared with
    :func:`load_framework`; a shipped file that is not valid says where): its code is
    the framework's. :func:`_bundled_framework` looks a code's file up by name first,
    without this."""
    found: dict[str, Path] = {}
    for path in sorted(frameworks_dir().glob("*.yaml")):
        found[_shipped(path).code] = path
    return found


def available_frameworks() -> list[str]:
    """Codes of the bundled frameworks, e.g. ``["KiB", "ZoO"]``."""
    return list(_bundled())


@cache
def _bundled_framework(code: str) -> Framework | None:
    """A shipped framework by lower-case code, parsed once per process: the package's
    files do not change under a running command (a run asks thousands of times)."""
    named = _named_file(code)
    if named is not None:
        framework = _shipped(named)
        if framework.code.lower() == code:
            return framework
    path = {known.lower(): file for known, file in _bundled().items()}.get(code)
    return None if path is None else _shipped(path)


def _named_file(code: str) -> Path | None:
    """The bundled file named after ``code`` (``kib.yaml`` for ``kib``), if there is
    one: the shipped files are (a test checks), so a command needs to parse only the
    frameworks it uses. Its code is checked by the caller; a file that turns out to
    have another code leaves the lookup to :func:`_bundled`, which reads them all."""
    if not code.isascii() or not code.replace("-", "").replace("_", "").isalnum():
        return None  # a path, or a name no file of ours has
    path = frameworks_dir() / f"{code}.yaml"
    return path if path.is_file() else None


def _shipped(path: Path) -> Framework:
    """A shipped framework file, parsed once per process (through :func:`_load_cached`)."""
    return _load_cached(path, str(path), path.stat().st_mtime)


@lru_cache(maxsize=16)
def _load_cached(path: Path, shown: str, mtime: float) -> Framework:
    from .framework_file import parse_framework_file

    return parse_framework_file(path, shown)


def load_framework(code_or_path: str | Path) -> Framework:
    """A bundled framework by code (``"KiB"``, case-insensitive) or a YAML file by path."""
    if isinstance(code_or_path, str):
        bundled = _bundled_framework(code_or_path.strip().lower())
        if bundled is not None:
            return bundled
    path = Path(code_or_path)
    if path.suffix.lower() not in (".yaml", ".yml") or not path.is_file():
        if path.suffix.lower() in (".yaml", ".yml"):
            raise UsageError("framework file not found", location=path)
        raise UsageError(f"unknown framework {str(code_or_path)!r}",
                         hint=f"use {' or '.join(available_frameworks())}, "
                              "or the path of a framework .yaml file")
    return _load_cached(path.resolve(), str(path), path.stat().st_mtime)


def framework_table(codes_or_paths: Iterable[str | Path] = ()) -> dict[str, Framework]:
    """Frameworks by code: the bundled ones plus any extra files (which may replace them)."""
    table = {code: load_framework(code) for code in available_frameworks()}
    for item in codes_or_paths:
        framework = load_framework(item)
        table[framework.code] = framework
    return table
