"""From question scores to norm results and an advice, per the framework's policy.

A norm (or module) is *insufficient* when any question scores a blocking level
(default ``Niet``), or when more than ``max_insufficient_share`` of its questions score a
level that is not sufficient (default 0.5: with three questions one ``Beperkt`` is
allowed, two are not). No insufficient norm → Gecertificeerd; up to
``conditional_max_insufficient`` (default 2) → Voorwaardelijk gecertificeerd; more →
Niet gecertificeerd. With ``modules_count`` an insufficient module counts like a norm.
An auditor's override replaces the advice; its reason is kept and shown.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..errors import DataError, Problems
from .frameworks import Framework, Module, Norm, Part, Question, load_framework

if TYPE_CHECKING:
    from .scoresheet import ScoreSheet

CERTIFIED = "Gecertificeerd"
CONDITIONAL = "Voorwaardelijk gecertificeerd"
NOT_CERTIFIED = "Niet gecertificeerd"
ADVICES = (CERTIFIED, CONDITIONAL, NOT_CERTIFIED)


@dataclass(frozen=True)
class NormResult:
    """One norm's (or module's) scores and whether it is sufficient, and why not."""

    norm: Norm | Module  # a Module only in AuditResult.module_results
    scores: dict[str, str]  # question id → level, in question order
    sufficient: bool
    reason: str = ""  # Dutch, for reports: why insufficient ("" when sufficient)

    @property
    def result(self) -> str:
        return "voldoende" if self.sufficient else "onvoldoende"


@dataclass(frozen=True)
class AuditResult:
    """A score sheet's norm and module results and the advice that stands."""

    norm_results: list[NormResult]
    advice: str  # the advice that stands: the override's when there is one
    insufficient_norms: list[Norm]
    override_reason: str | None = None
    computed_advice: str = ""  # what the policy says, before any override
    module_results: list[NormResult] = field(default_factory=list)
    insufficient_modules: list[Module] = field(default_factory=list)

    @property
    def overridden(self) -> bool:
        return self.override_reason is not None

    @property
    def insufficient_parts(self) -> list[Norm | Module]:
        """Insufficient norms, then insufficient modules: what a heraudit covers."""
        return [*self.insufficient_norms, *self.insufficient_modules]


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def judge(part: Norm | Module, scores: dict[str, str], framework: Framework,
          sufficient: dict[str, bool] | None = None) -> NormResult:
    """The result of one norm or module from its questions' scores. ``sufficient``: each
    level's name and whether it is sufficient (:func:`_sufficient_levels`), when the
    caller judges several parts."""
    policy = framework.policy
    if sufficient is None:
        sufficient = _sufficient_levels(framework)
    blocking = [qid for qid, score in scores.items() if score in policy.blocking_levels]
    weak = [qid for qid, score in scores.items() if not sufficient[score]]
    allowed = int(policy.max_insufficient_share * len(scores) + 1e-9)
    if blocking:
        names = " of ".join(policy.blocking_levels)
        reason = f"{_plural(len(blocking), 'vraag scoort', 'vragen scoren')} {names}"
        return NormResult(part, scores, False, reason)
    if len(weak) > allowed:
        reason = (f"{len(weak)} van de {_plural(len(scores), 'vraag', 'vragen')} onvoldoende; "
                  f"ten hoogste {allowed} toegestaan")
        return NormResult(part, scores, False, reason)
    return NormResult(part, scores, True)


def _sufficient_levels(framework: Framework) -> dict[str, bool]:
    """Each level's name and whether it is sufficient (names are unique: the framework
    file is checked for that)."""
    return {level.name: level.sufficient for level in framework.scale}


#: Per framework (by id, the framework held) and modules: each part with the questions
#: that apply. Frameworks are read-only by convention (domain.frameworks); a run uses one
#: or two, each with a few sets of modules.
_Applicable = list[tuple[Part, list[Question], tuple[str, ...]]]
_APPLICABLE: dict[tuple[int, tuple[str, ...]], tuple[Framework, _Applicable]] = {}


def _applicable(framework: Framework, modules: Iterable[str]) -> _Applicable:
    """The parts an organisation with ``modules`` is scored on, in order, each with its
    questions that apply and their ids: worked out once per framework and modules, not
    per sheet."""
    key = (id(framework), tuple(modules))
    kept = _APPLICABLE.get(key)
    if kept is None or kept[0] is not framework:
        if len(_APPLICABLE) >= 64:
            _APPLICABLE.clear()
        parts = [(part, [q for q in part.questions if q.applies_to(key[1])])
                 for part in framework.parts(key[1])]
        kept = _APPLICABLE[key] = (framework, [
            (part, questions, tuple(q.id for q in questions)) for part, questions in parts])
    return kept[1]


def evaluate(sheet: ScoreSheet, framework: Framework | str | None = None) -> AuditResult:
    """Norm results and the advice for a read score sheet."""
    if framework is None:
        framework = sheet.framework
    if isinstance(framework, str):
        framework = load_framework(framework)
    problems = Problems()
    results: list[NormResult] = []
    sufficient = _sufficient_levels(framework)  # once, not per question
    scores = sheet.scores
    for part, questions, qids in _applicable(framework, sheet.modules):
        try:  # the common case: every question scored, on the scale
            part_scores: dict[str, str] | None = {qid: scores[qid] for qid in qids}
        except KeyError:
            part_scores = None
        if part_scores is None or not all(map(sufficient.__contains__,
                                              part_scores.values())):
            missing = [q.id for q in questions if q.id not in scores]
            unknown = [q.id for q in questions
                       if (score := scores.get(q.id)) is not None and score not in sufficient]
            if missing or unknown:
                what = (f"no score for {', '.join(missing)}" if missing
                        else f"invalid score for {', '.join(unknown)}")
                problems.add(DataError(what, location=sheet.source or sheet.cert_nr))
                continue
            # (here only where a score is None: judged as it always was)
            part_scores = {q.id: scores[q.id] for q in questions}
        results.append(judge(part, part_scores, framework, sufficient))
    problems.raise_if_any()
    norm_results = [r for r in results if isinstance(r.norm, Norm)]
    module_results = [r for r in results if isinstance(r.norm, Module)]
    weak_norms = [r.norm for r in norm_results if not r.sufficient and isinstance(r.norm, Norm)]
    weak_modules = [r.norm for r in module_results
                    if not r.sufficient and isinstance(r.norm, Module)]
    count = len(weak_norms) + (len(weak_modules) if framework.policy.modules_count else 0)
    if count == 0:
        computed = CERTIFIED
    elif count <= framework.policy.conditional_max_insufficient:
        computed = CONDITIONAL
    else:
        computed = NOT_CERTIFIED
    override = sheet.override
    if override and override.advice != CERTIFIED and not weak_norms and not weak_modules:
        # A heraudit covers the insufficient norms only: with none, there is nothing to
        # re-audit and the letters would contradict themselves.
        raise DataError(
            f"the advice is overridden to {override.advice!r}, but every norm is sufficient",
            location=f"{sheet.source or sheet.cert_nr}:Audit",
            hint="score the norms that fall short, or remove the override")
    return AuditResult(
        norm_results=norm_results,
        advice=override.advice if override else computed,
        insufficient_norms=weak_norms,
        override_reason=override.reason if override else None,
        computed_advice=computed,
        module_results=module_results,
        insufficient_modules=weak_modules,
    )
