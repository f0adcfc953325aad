"""Framework files: both load in their own order, and a bad file says where it is bad."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from cbct_docs.domain.frameworks import (
    Deadlines,
    available_frameworks,
    frameworks_dir,
    load_framework,
)
from cbct_docs.errors import DataError, ProblemList, UsageError

KIB_TITLES = ["Missie, visie, strategie & beleid", "Middelen", "Mensen", "Samenwerking",
              "Producten & diensten", "Resultaten & verantwoording", "Compliance"]
ZOO_TITLES = ["Beleid en financiën", "Middelen", "Samenwerking", "Mensen",
              "Producten en diensten", "Resultaten en maatschappelijk effect",
              "Handelen conform (privacy)wetgeving"]


def test_both_frameworks_are_available() -> None:
    assert available_frameworks() == ["KiB", "ZoO"]


def test_each_shipped_file_is_named_after_its_code() -> None:
    # load_framework("KiB") reads kib.yaml alone, by its name (not every file for its code).
    for path in sorted(frameworks_dir().glob("*.yaml")):
        code = yaml.safe_load(path.read_text(encoding="utf-8"))["code"]
        assert path.name == f"{code.lower()}.yaml"


def test_the_shipped_codes_and_their_frameworks_parse_each_file_once() -> None:
    from cbct_docs.domain import frameworks

    for cached in (frameworks._bundled, frameworks._bundled_framework, frameworks._load_cached):
        cached.cache_clear()
    assert available_frameworks() == ["KiB", "ZoO"]
    assert [load_framework(code).code for code in ("kib", "ZoO", "KiB")] == ["KiB", "ZoO", "KiB"]
    assert frameworks._load_cached.cache_info().misses == 2  # kib.yaml and zoo.yaml, once


def test_a_framework_by_code_parses_only_its_own_file(monkeypatch: pytest.MonkeyPatch) -> None:
    from cbct_docs.domain import frameworks

    frameworks._bundled_framework.cache_clear()
    frameworks._bundled.cache_clear()
    read: list[str] = []
    real = frameworks._load_cached.__wrapped__

    def load(path: Path, shown: str, mtime: float) -> frameworks.Framework:
        read.append(path.name)
        return real(path, shown, mtime)

    monkeypatch.setattr(frameworks, "_load_cached", load)
    assert load_framework(" zoo ").name == load_framework("ZoO").name
    assert load_framework("ZoO").code == "ZoO"
    assert read == ["zoo.yaml"]
    assert frameworks._bundled.cache_info().currsize == 0  # no file parsed for its code
    with pytest.raises(UsageError, match="unknown framework 'KiX'"):
        load_framework("KiX")
    frameworks._bundled_framework.cache_clear()


@pytest.mark.parametrize("code,titles", [("KiB", KIB_TITLES), ("ZoO", ZOO_TITLES)])
def test_seven_norms_in_own_order(code: str, titles: list[str]) -> None:
    framework = load_framework(code)
    assert [n.title for n in framework.norms] == titles
    assert [n.number for n in framework.norms] == list(range(1, 8))
    for norm in framework.norms:
        assert 2 <= len(norm.questions) <= 4, norm.title
        assert norm.indicators, norm.title
        assert all(q.id.startswith(f"{norm.number}.") for q in norm.questions)
    assert framework.norm(4).title == titles[3]


def test_code_is_case_insensitive_and_unknown_code_is_usage() -> None:
    assert load_framework("kib").code == "KiB"
    with pytest.raises(UsageError, match="unknown framework 'XYZ'.*KiB or ZoO"):
        load_framework("XYZ")


def test_modules_scale_categories_deadlines() -> None:
    kib, zoo = load_framework("KiB"), load_framework("ZoO")
    assert list(kib.modules) == ["leesbevordering", "ido", "taalhuis"]
    assert kib.modules["ido"].title == "Informatiepunt Digitale Overheid"
    assert kib.modules["leesbevordering"].title == "Leesbevordering (educatieve dienstverlening)"
    assert "taalhuis" in zoo.modules and "ido" not in zoo.modules
    scale = [(s.name, s.colour, s.meaning, s.sufficient) for s in kib.scale]
    assert scale == [("Niet", "red", "onvoldoende", False),
                     ("Beperkt", "red", "onvoldoende", False),
                     ("Grotendeels", "yellow", "voldoende", True),
                     ("Volledig", "green", "goed", True)]
    assert list(kib.categories) == ["I", "II", "III", "IV"]
    assert [kib.categories[c].auditors for c in ("I", "IV")] == [1, 3]
    assert kib.categories["II"].dagdelen == 3
    assert kib.deadlines == Deadlines(intake_weeks=2, selfevaluation_weeks_before=6,
                                      concept_report_weeks=3, response_weeks=2,
                                      heraudit_months=6, validity_years=4, bezwaar_weeks=6)
    assert kib.policy.blocking_levels == ("Niet",)


def test_taalhuis_scope_only_with_taalhuis_module() -> None:
    zoo = load_framework("ZoO")
    plain = {q.id for q in zoo.applicable_questions(())}
    with_taalhuis = {q.id for q in zoo.applicable_questions(("taalhuis",))}
    scoped = {q.id for q in zoo.norm(1).questions if q.scope == "taalhuis"}
    assert scoped == {"1.3"}
    assert not scoped & plain
    assert scoped | {"taalhuis.1", "taalhuis.2", "taalhuis.3"} <= with_taalhuis
    assert {i.scope for n in zoo.norms for i in n.indicators} == {"organisatie", "taalhuis",
                                                                 "beide"}
    assert zoo.question("taalhuis.2").text.startswith("Taalvrijwilligers worden geworven")
    assert zoo.part_of("4.3").title == "Mensen"


def _copy(tmp_path: Path, change: Callable[[dict[str, Any]], None]) -> Path:
    data = yaml.safe_load((frameworks_dir() / "kib.yaml").read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "kib.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_edited_copy_loads_with_its_changes(tmp_path: Path) -> None:
    def rename(data: dict[str, Any]) -> None:
        data["code"] = "KiB-test"
        data["norms"][6]["title"] = "Wet- en regelgeving"
        data["policy"]["conditional_max_insufficient"] = 1

    framework = load_framework(_copy(tmp_path, rename))
    assert framework.code == "KiB-test"
    assert framework.norms[6].title == "Wet- en regelgeving"
    assert framework.policy.conditional_max_insufficient == 1


def test_bad_file_lists_every_problem_location_first(tmp_path: Path) -> None:
    def spoil(data: dict[str, Any]) -> None:
        del data["norms"][2]["questions"][0]["text"]
        data["norms"][3]["number"] = 2
        data["norms"][4]["questions"][1]["scope"] = "gemeente"
        data["scale"][1]["colour"] = "paars"
        data["policy"]["blocking_levels"] = ["Nooit"]
        data["deadlines"]["validity_years"] = "vier"
        data["modules"]["ido"]["titel"] = data["modules"]["ido"].pop("title")

    path = _copy(tmp_path, spoil)
    with pytest.raises(ProblemList) as caught:
        load_framework(path)
    messages = caught.value.messages()
    assert messages == [
        f"{path}:scale[1].colour: 'paars' is not one of red, orange, yellow, green",
        f"{path}:norms[2].questions[0]: missing 'text'",
        f"{path}:norms[3].number: norm 2 appears twice",
        f"{path}:norms[4].questions[1].scope: 'gemeente' is not one of organisatie, taalhuis",
        f"{path}:modules.ido: missing 'title'",
        f"{path}:modules.ido: unknown key 'titel' (known keys: title, questions, indicators)",
        f"{path}:policy.blocking_levels[0]: 'Nooit' is not a level of the scale "
        "(levels: Niet, Beperkt, Grotendeels, Volledig)",
        f"{path}:deadlines.validity_years: expected a whole number, found 'vier'",
    ]


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "kapot.yaml"
    path.write_text("code: KiB\nname: [Kwaliteit\nnorms: []\n", encoding="utf-8")
    with pytest.raises(DataError) as caught:
        load_framework(path)
    assert str(caught.value).startswith(f"{path}:line 3: not valid YAML")


def test_missing_top_level_keys(tmp_path: Path) -> None:
    path = tmp_path / "leeg.yaml"
    path.write_text("code: X\nname: Leeg\n", encoding="utf-8")
    with pytest.raises(ProblemList) as caught:
        load_framework(path)
    assert caught.value.messages()[:2] == [f"{path}: missing 'scale'", f"{path}: missing 'policy'"]
    with pytest.raises(UsageError, match="framework file not found"):
        load_framework(tmp_path / "bestaat-niet.yaml")


def test_repeated_key_is_an_error_not_a_silent_overwrite(tmp_path: Path) -> None:
    text = (frameworks_dir() / "zoo.yaml").read_text(encoding="utf-8")
    text = text.replace("    title: Middelen\n", "    title: Middelen\n    title: Geld\n", 1)
    path = tmp_path / "zoo.yaml"
    path.write_text(text, encoding="utf-8")
    line = text.splitlines().index("    title: Geld") + 1
    with pytest.raises(DataError) as caught:
        load_framework(path)
    assert str(caught.value).startswith(
        f"{path}:line {line}: not valid YAML: key 'title' appears twice")
