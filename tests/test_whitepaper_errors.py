"""Whitepapers: bad norm files give location-first errors; the CLI writes all or nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import docx
import lxml.html
import pytest
import yaml
from click.testing import CliRunner

from cbct_docs.cli import cli
from cbct_docs.errors import CbctError, DataError, ProblemList
from cbct_docs.paths import samples_dir
from cbct_docs.whitepaper import load_guide

SAMPLE = samples_dir() / "whitepapers" / "kib-4-samenwerking.yaml"
OUTPUTS = ["KiB-norm-4-Samenwerking.docx", "KiB-norm-4-Samenwerking.html"]


def sample() -> dict[str, Any]:
    return yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))


def write(tmp_path: Path, content: dict[str, Any] | str, name: str = "kib-4.yaml") -> Path:
    path = tmp_path / name
    text = content if isinstance(content, str) else yaml.safe_dump(content, allow_unicode=True,
                                                                   sort_keys=False)
    path.write_text(text, encoding="utf-8")
    return path


def messages(path: Path) -> list[str]:
    with pytest.raises(CbctError) as caught:
        load_guide(path)
    return caught.value.messages()


def test_misspelled_field_names_its_place_and_the_right_spelling(tmp_path: Path) -> None:
    content = sample()
    entry = content["questions"][1]
    entry["explenation"] = entry.pop("explanation")
    path = write(tmp_path, content)
    assert messages(path) == [
        f"{path}:questions[2].explenation: unknown field 'explenation' "
        "(did you mean 'explanation'?)"]


def test_question_not_in_the_framework(tmp_path: Path) -> None:
    content = sample()
    content["questions"][1]["id"] = "KiB-4.9"
    path = write(tmp_path, content)
    found = messages(path)
    assert found[0] == (
        f"{path}:questions[2].id: 'KiB-4.9' is not a question of norm 4 (Samenwerking) in "
        "Kwaliteit in Beeld (did you mean '4.3'? ids: 4.1, 4.2, 4.3)")
    # The question that entry was meant for is now unexplained, and that is said too.
    assert found[1].startswith(f"{path}:questions: no entry for question '4.2' (")


def test_all_problems_at_once(tmp_path: Path) -> None:
    content = sample()
    content["norm"] = 4
    content["concept"] = {"txt": "Tekst"}
    content["indicators"] = content["indicators"][:1]
    content["questions"][2]["documents"] = "Jaarverslag"
    content["modules"]["idoo"] = content["modules"].pop("ido")
    content["modules"]["taalhuis"]["indicators"][0]["id"] = "taalhuis.z"
    content["scoring"] = {"levels": {"Grotendeel": "Bijna alles."}}
    path = write(tmp_path, content)
    with pytest.raises(ProblemList) as caught:
        load_guide(path)
    assert [m.split(": ", 1)[0] for m in caught.value.messages()] == [
        f"{path}:concept.txt",
        f"{path}:indicators",
        f"{path}:questions[3].documents",
        f"{path}:modules.taalhuis.indicators[1].id",
        f"{path}:modules.idoo",
        f"{path}:scoring.levels.Grotendeel",
    ]
    text = "\n".join(caught.value.messages())
    assert "unknown field 'txt' (did you mean 'text'?)" in text
    assert "no entry for indicator '4.b'" in text
    assert "'idoo' is not a module of Kwaliteit in Beeld (did you mean 'ido'?)" in text
    assert "'Grotendeel' is not a score of Kwaliteit in Beeld (did you mean 'Grotendeels'?)" \
        in text


@pytest.mark.parametrize(("change", "expected"), [
    ({"framework": "Kwib"}, ":framework: unknown framework 'Kwib' (did you mean 'KiB'?"),
    ({"framework": "geen.yaml"}, ":framework: {dir}/geen.yaml: framework file not found"),
    ({"norm": 8}, ":norm: '8' is not a norm of Kwaliteit in Beeld (norms: 1 Missie"),
    ({"builds_on": None}, ":builds_on: is missing (every norm file needs 'builds_on')"),
    ({"lead": ["een", "lijst"]}, ":lead: expected a text, got a list"),
    ({"indicators": None}, ":indicators: is missing (explain each of 4.a, 4.b)"),
])
def test_top_level_problems(tmp_path: Path, change: dict[str, Any], expected: str) -> None:
    content = {**sample(), **change}
    path = write(tmp_path, content)
    expected = expected.replace("{dir}", str(tmp_path))  # a framework path: next to the file
    assert any(m.startswith(f"{path}{expected}") for m in messages(path)), messages(path)


def test_duplicate_id_and_yaml_syntax(tmp_path: Path) -> None:
    content = sample()
    content["questions"].append(dict(content["questions"][0]))
    path = write(tmp_path, content)
    assert f"{path}:questions[4].id: '4.1' appears twice (give each id one entry)" \
        in messages(path)
    broken = write(tmp_path, "framework: KiB\nnorm: 4\nconcept:\n  text: [open\n", "b.yaml")
    with pytest.raises(DataError, match=r"b\.yaml:line 5:column 1: not valid YAML"):
        load_guide(broken)


def test_a_key_written_twice_is_refused_at_its_line(tmp_path: Path) -> None:
    """PyYAML keeps the last of two equal keys: an edited text would silently lose the
    other one. The second is refused where it stands."""
    text = SAMPLE.read_text(encoding="utf-8")
    lines = text.splitlines()
    at = next(number for number, line in enumerate(lines) if line.startswith("norm:"))
    doubled = write(tmp_path, "\n".join([*lines[:at + 1], "norm: 5", *lines[at + 1:]]) + "\n")
    with pytest.raises(DataError) as caught:
        load_guide(doubled)
    assert caught.value.messages() == [
        f"{doubled}:line {at + 2}:column 1: not valid YAML: key 'norm' appears twice "
        "(keep one of them)"]


# --- CLI ----------------------------------------------------------------------------

def run(*args: str) -> Any:
    return CliRunner().invoke(cli, ["whitepaper", *args])


def test_cli_makes_both_formats_and_refuses_to_overwrite(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run(str(SAMPLE), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == OUTPUTS
    assert "2 whitepaper files made" in result.output
    titles = [p.text for p in docx.Document(str(out / OUTPUTS[0])).paragraphs
              if p.style is not None and p.style.name == "Title"]
    assert titles == ["Norm 4: Samenwerking"]
    page = lxml.html.fromstring((out / OUTPUTS[1]).read_text(encoding="utf-8"))
    assert page.xpath("//h1")[0].text_content() == "Norm 4: Samenwerking"

    (out / OUTPUTS[1]).write_text("eigen aanpassing", encoding="utf-8")
    again = run(str(SAMPLE), "--out", str(out), "--format", "html")
    assert again.exit_code == 1
    assert f"Error: {out / OUTPUTS[1]}: exists already (use --overwrite" in again.output
    assert (out / OUTPUTS[1]).read_text(encoding="utf-8") == "eigen aanpassing"
    forced = run(str(SAMPLE), "--out", str(out), "--format", "html", "--overwrite")
    assert forced.exit_code == 0
    assert "Samenwerking" in (out / OUTPUTS[1]).read_text(encoding="utf-8")


def test_cli_bad_file_writes_nothing(tmp_path: Path) -> None:
    content = sample()
    content["questions"][0]["id"] = "4.9"
    bad = write(tmp_path, content)
    out = tmp_path / "out"
    result = run(str(SAMPLE), str(bad), "--out", str(out))
    assert result.exit_code == 1
    assert f"Error: {bad}:questions[1].id: '4.9' is not a question of norm 4" in result.output
    assert "Traceback" not in result.output
    assert not out.exists()


def test_cli_two_files_for_one_norm(tmp_path: Path) -> None:
    copy = write(tmp_path, sample(), "kopie.yaml")
    result = run(str(SAMPLE), str(copy), "--out", str(tmp_path / "out"), "--format", "html")
    assert result.exit_code == 1
    target = tmp_path / "out" / OUTPUTS[1]
    assert (f"Error: {target}: would be made from both {SAMPLE} and {copy} (two norm files "
            "describe the same norm)") in result.output
    assert not (tmp_path / "out").exists()


def test_cli_usage_errors_and_help(tmp_path: Path) -> None:
    result = run(str(SAMPLE), "--out", str(tmp_path), "--format", "pdf")
    assert result.exit_code == 2
    assert "Error: --format: unknown format pdf (use docx, html or docx,html)" in result.output
    missing = run(str(tmp_path / "geen.yaml"), "--out", str(tmp_path))
    assert missing.exit_code == 2
    assert "does not exist" in missing.output
    helptext = run("--help").output
    assert "cbct-docs whitepaper samples/whitepapers/kib-4-samenwerking.yaml" in helptext
    assert "docs/whitepaper.md" in helptext


# --- the operation the CLI and the web interface call ------------------------------------

def test_the_operation_returns_what_it_made_and_writes_nothing_on_a_problem(
        tmp_path: Path) -> None:
    from cbct_docs.runs.office import open_office
    from cbct_docs.runs.whitepaper import whitepaper

    office = open_office(tmp_path)
    out = tmp_path / "out"
    result = whitepaper(office, [SAMPLE], out=out, formats=["html"])
    assert [made.path for made in result.made] == [out / OUTPUTS[1]]
    assert result.notes == [f"{SAMPLE} → {out / OUTPUTS[1]}"]
    assert result.counts == {"whitepapers": 1} and result.recorded == 0
    bad = sample()
    bad["questions"][1]["id"] = "4.9"
    wrong = write(tmp_path, bad)
    with pytest.raises(ProblemList, match="'4.9' is not a question of norm 4"):
        whitepaper(office, [SAMPLE, wrong], out=tmp_path / "none")
    assert not (tmp_path / "none").exists()


def test_a_superscript_digit_as_norm_is_a_located_problem(tmp_path: Path) -> None:
    """'²' passes str.isdigit() but int() refuses it: reported, never a traceback."""
    path = write(tmp_path, {**sample(), "norm": "\u00b2"})
    assert any(m.startswith(f"{path}:norm: '\u00b2' is not a norm of") for m in messages(path)), \
        messages(path)
