"""A plain, non-editable install must find the default templates and samples."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_carries_templates_and_samples(tmp_path: Path) -> None:
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                    "--no-build-isolation", str(ROOT), "-w", str(tmp_path)],
                   check=True, capture_output=True, timeout=300)
    (wheel,) = tmp_path.glob("cbct_docs-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for folder in ("templates", "samples"):
        tracked = [p for p in (ROOT / folder).rglob("*")
                   if p.is_file() and "__pycache__" not in p.parts]
        assert tracked, f"{folder}/ is empty"
        for path in tracked:
            assert f"cbct_docs/_bundled/{path.relative_to(ROOT)}" in names

    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    probe = ("from cbct_docs import paths; "
             "print(paths.templates_dir()); print(paths.samples_dir())")
    result = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, check=True,
                            capture_output=True, text=True, env={"PYTHONPATH": str(site)})
    assert result.stdout.split() == [str(site / "cbct_docs/_bundled/templates"),
                                     str(site / "cbct_docs/_bundled/samples")]
