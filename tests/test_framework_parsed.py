"""The parsed copies shipped beside the framework files (``kib.parsed.json``): current,
equal to the YAML, and never used for bytes they were not made from."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cbct_docs.domain.framework_file import parse_framework_file
from cbct_docs.domain.framework_yaml import load_yaml, parsed_path, write_parsed
from cbct_docs.domain.frameworks import frameworks_dir
from cbct_docs.errors import DataError

SHIPPED = sorted(frameworks_dir().glob("*.yaml"))


@pytest.mark.parametrize("path", SHIPPED, ids=[p.name for p in SHIPPED])
def test_each_shipped_copy_is_current_and_reads_as_its_yaml(tmp_path: Path, path: Path) -> None:
    # An edit of kib.yaml without `make frameworks` fails here (the copy would be ignored
    # at run time, so only a slower start, never another framework).
    fresh = tmp_path / path.name
    shutil.copy(path, fresh)
    write_parsed(fresh)
    assert parsed_path(fresh).read_bytes() == parsed_path(path).read_bytes(), (
        f"{parsed_path(path).name} is not current: run `make frameworks`")
    # The framework from the copy is the one from the YAML, field for field.
    alone = tmp_path / "alone" / path.name
    alone.parent.mkdir()
    shutil.copy(path, alone)
    assert repr(parse_framework_file(alone, "x")) == repr(parse_framework_file(path, "x"))


def test_a_command_reads_the_shipped_frameworks_without_importing_yaml() -> None:
    code = ("import sys; from cbct_docs.domain.frameworks import load_framework; "
            "print(load_framework('KiB').name, load_framework('ZoO').name, "
            "'yaml' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.split() == ["Kwaliteit", "in", "Beeld", "Zicht", "op", "Ontwikkeling", "False"]


def test_a_copy_made_from_other_bytes_is_not_used(tmp_path: Path) -> None:
    path = tmp_path / "kib.yaml"
    shutil.copy(frameworks_dir() / "kib.yaml", path)
    write_parsed(path)
    # The office edits its copy afterwards: the name is read from the edited YAML.
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("name: Kwaliteit in Beeld", "name: Kwaliteit in Beeld (eigen)"),
                    encoding="utf-8")
    assert parse_framework_file(path).name == "Kwaliteit in Beeld (eigen)"
    # Another file's copy (ZoO's, with its own digest), or one that is no JSON, is passed
    # by too.
    shutil.copy(parsed_path(frameworks_dir() / "zoo.yaml"), parsed_path(path))
    assert parse_framework_file(path).name == "Kwaliteit in Beeld (eigen)"
    parsed_path(path).write_text("{not json", encoding="utf-8")
    assert parse_framework_file(path).name == "Kwaliteit in Beeld (eigen)"


def test_a_mistake_in_the_yaml_is_still_located(tmp_path: Path) -> None:
    path = tmp_path / "kib.yaml"
    shutil.copy(frameworks_dir() / "kib.yaml", path)
    write_parsed(path)
    path.write_text(path.read_text(encoding="utf-8") + "code: KiB\n", encoding="utf-8")
    with pytest.raises(DataError) as caught:
        parse_framework_file(path)
    assert "appears twice" in str(caught.value)
    assert str(caught.value).startswith(f"{path}:line ")


def test_data_json_cannot_give_back_gets_no_copy(tmp_path: Path) -> None:
    path = tmp_path / "odd.yaml"
    path.write_text("code: X\nsince: 2025-01-01\n", encoding="utf-8")
    assert str(load_yaml(path.read_text(encoding="utf-8"), "odd.yaml")["since"]) == "2025-01-01"
    with pytest.raises(DataError, match="cannot be kept as JSON exactly"):
        write_parsed(path)
    assert not parsed_path(path).exists()
