"""A merge needs no office: ``runs/__init__`` gives its names when asked for, so importing
the merge operation does not import the office's stack (issue 16)."""

from __future__ import annotations

import subprocess
import sys

import pytest


def _loaded(code: str) -> list[str]:
    return subprocess.run([sys.executable, "-c", code + "; import sys; "
                           "print('\\n'.join(sorted(sys.modules)))"],
                          capture_output=True, text=True, check=True).stdout.split()


def test_the_merge_operation_imports_no_office_stack() -> None:
    loaded = _loaded("import cbct_docs.runs.merge")
    office = [name for name in loaded if name in (
        "cbct_docs.runs.office", "cbct_docs.runs.run", "cbct_docs.store",
        "cbct_docs.documents.context", "sqlite3")]
    assert office == []


def test_the_package_still_gives_its_names() -> None:
    import cbct_docs.runs as runs
    from cbct_docs.runs import OfficeFolder, RunResult, Skip, open_office
    from cbct_docs.runs.office import OfficeFolder as Folder
    from cbct_docs.runs.office import open_office as opener
    from cbct_docs.runs.run import RunResult as Result
    from cbct_docs.runs.run import Skip as Skipped

    assert (OfficeFolder, open_office, RunResult, Skip) == (Folder, opener, Result, Skipped)
    assert sorted(runs.__all__) == ["OfficeFolder", "RunResult", "Skip", "open_office"]
    with pytest.raises(AttributeError, match="no_such_name"):
        runs.no_such_name  # noqa: B018
