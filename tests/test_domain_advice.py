"""The advice policy: norm results from scores, advice from the count, each knob of the file."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import TypedDict, Unpack

import pytest

from cbct_docs.domain import advice
from cbct_docs.domain.advice import CERTIFIED, CONDITIONAL, NOT_CERTIFIED, evaluate, judge
from cbct_docs.domain.frameworks import AdvicePolicy, Framework, load_framework
from cbct_docs.domain.scoresheet import AdviceOverride, ScoreSheet
from cbct_docs.errors import DataError

KIB = load_framework("KiB")


class PolicyChanges(TypedDict, total=False):
    """The knobs of :class:`AdvicePolicy` a test may turn, each with its own type."""

    blocking_levels: tuple[str, ...]
    max_insufficient_share: float
    conditional_max_insufficient: int
    modules_count: bool


def with_policy(**changes: Unpack[PolicyChanges]) -> Framework:
    return dataclasses.replace(KIB, policy=dataclasses.replace(KIB.policy, **changes))


def sheet(scores: dict[str, str], modules: tuple[str, ...] = ("ido",),
          override: AdviceOverride | None = None) -> ScoreSheet:
    all_scores = {q.id: "Volledig" for q in KIB.applicable_questions(modules)}
    all_scores.update(scores)
    return ScoreSheet(cert_nr="CBCT-0001", org_name="Bibliotheek Proef", framework="KiB",
                      audit_dates=[dt.date(2025, 5, 1)], auditors=["A"], scores=all_scores,
                      notes={}, override=override, modules=modules)


def test_default_policy_is_documented_in_the_file() -> None:
    assert KIB.policy == AdvicePolicy(blocking_levels=("Niet",), max_insufficient_share=0.5,
                                      conditional_max_insufficient=2, modules_count=True)


@pytest.mark.parametrize("scores,sufficient", [
    (["Volledig", "Grotendeels", "Grotendeels"], True),
    (["Beperkt", "Volledig", "Volledig"], True),
    (["Beperkt", "Beperkt", "Volledig"], False),
    (["Niet", "Volledig", "Volledig"], False),
    (["Beperkt", "Volledig"], True),
    (["Beperkt", "Beperkt", "Volledig", "Volledig"], True),
    (["Beperkt", "Beperkt", "Beperkt", "Volledig"], False),
])
def test_norm_result_with_default_share(scores: list[str], sufficient: bool) -> None:
    result = judge(KIB.norm(1), {f"q{i}": s for i, s in enumerate(scores)}, KIB)
    assert result.sufficient is sufficient
    assert result.result == ("voldoende" if sufficient else "onvoldoende")
    assert bool(result.reason) is not sufficient


def test_share_and_blocking_levels_come_from_the_policy() -> None:
    strict = with_policy(max_insufficient_share=0.0)
    assert not judge(KIB.norm(1), {"a": "Beperkt", "b": "Volledig", "c": "Volledig"},
                     strict).sufficient
    lenient = with_policy(blocking_levels=(), max_insufficient_share=0.34)
    assert judge(KIB.norm(1), {"a": "Niet", "b": "Volledig", "c": "Volledig"}, lenient).sufficient


def test_advice_thresholds() -> None:
    assert evaluate(sheet({}), KIB).advice == CERTIFIED
    one = evaluate(sheet({"3.1": "Niet"}), KIB)
    assert (one.advice, [n.number for n in one.insufficient_norms]) == (CONDITIONAL, [3])
    two = evaluate(sheet({"3.1": "Niet", "7.2": "Niet"}), KIB)
    assert two.advice == CONDITIONAL
    three = evaluate(sheet({"3.1": "Niet", "7.2": "Niet", "1.1": "Niet"}), KIB)
    assert three.advice == NOT_CERTIFIED
    assert [n.number for n in three.insufficient_norms] == [1, 3, 7]  # in the norms' order
    assert evaluate(sheet({"3.1": "Niet"}), with_policy(conditional_max_insufficient=0)).advice \
        == NOT_CERTIFIED


def test_modules_count_switch() -> None:
    weak_module = sheet({"ido.1": "Niet", "3.1": "Niet", "5.1": "Niet"})
    assert evaluate(weak_module, KIB).advice == NOT_CERTIFIED
    ignored = evaluate(weak_module, with_policy(modules_count=False))
    assert ignored.advice == CONDITIONAL
    assert [m.code for m in ignored.insufficient_modules] == ["ido"]


def test_override_needs_a_known_advice_and_a_reason() -> None:
    with pytest.raises(DataError, match="needs a reason"):
        AdviceOverride(CERTIFIED, "  ")
    with pytest.raises(DataError, match="'Geslaagd' is not one of Gecertificeerd"):
        AdviceOverride("Geslaagd", "reden")
    weak = {"1.1": "Niet"}  # one norm insufficient: computed advice is conditional
    result = evaluate(sheet(weak, override=AdviceOverride(NOT_CERTIFIED, "Fraude met cijfers.")))
    assert (result.advice, result.computed_advice) == (NOT_CERTIFIED, CONDITIONAL)
    assert result.override_reason == "Fraude met cijfers."


def test_override_to_not_certified_needs_an_insufficient_norm() -> None:
    # The letters announce a heraudit on the insufficient norms: there must be one.
    with pytest.raises(DataError, match="overridden to 'Niet gecertificeerd', but every norm "
                                        "is sufficient"):
        evaluate(sheet({}, override=AdviceOverride(NOT_CERTIFIED, "Fraude met cijfers.")))


@pytest.mark.parametrize("code", ["KiB", "ZoO"])
def test_each_set_of_modules_is_scored_on_its_own_parts_and_questions(code: str) -> None:
    """Which parts and questions apply is worked out once per framework and modules
    (issue 16): sheets with other modules, one after the other, each get their own."""
    framework = load_framework(code)
    combinations = [(), *[(m,) for m in framework.modules], tuple(framework.modules), ()]
    for modules in combinations:
        scores = {q.id: "Volledig" for q in framework.applicable_questions(modules)}
        made = evaluate(dataclasses.replace(sheet({}), framework=code, modules=modules,
                                            scores=scores), framework)
        parts = [r.norm for r in [*made.norm_results, *made.module_results]]
        assert parts == framework.parts(modules)
        assert [list(r.scores) for r in [*made.norm_results, *made.module_results]] == [
            [q.id for q in part.questions if q.applies_to(modules)] for part in parts]
    # A framework like another (equal, not the same): its own parts, not the other's,
    # also where the other's are kept under its id (a framework since gone whose id
    # Python gave to this one).
    renamed = dataclasses.replace(framework, norms=[dataclasses.replace(
        framework.norms[0], title="Anders")] + framework.norms[1:])
    advice._APPLICABLE[(id(renamed), ())] = advice._APPLICABLE[(id(framework), ())]
    scores = {q.id: "Volledig" for q in renamed.applicable_questions(())}
    made = evaluate(dataclasses.replace(sheet({}), framework=code, modules=(),
                                        scores=scores), renamed)
    assert made.norm_results[0].norm.title == "Anders"


def test_a_sheet_short_of_scores_or_off_the_scale_is_refused_per_part() -> None:
    """Every part is checked (missing scores first, then scores not on the scale), all
    problems at once; the parts scored well are judged as usual."""
    from cbct_docs.errors import ProblemList

    norm1 = [q.id for q in KIB.norms[0].questions]
    norm2 = [q.id for q in KIB.norms[1].questions]
    scores = dict(sheet({}).scores)
    del scores[norm1[0]]
    scores[norm2[1]] = "Prima"
    with pytest.raises(ProblemList) as raised:
        evaluate(dataclasses.replace(sheet({}), scores=scores), KIB)
    assert [str(e) for e in raised.value.problems] == [
        f"CBCT-0001: no score for {norm1[0]}", f"CBCT-0001: invalid score for {norm2[1]}"]
    both = dict(sheet({}).scores)
    del both[norm1[0]]
    both[norm1[1]] = "Prima"  # missing and off the scale in one part: the missing one
    with pytest.raises(ProblemList, match=f"no score for {norm1[0]}$"):
        evaluate(dataclasses.replace(sheet({}), scores=both), KIB)
