"""Anchor: PDF the way a script would do it: one LibreOffice run per letter.

``python bench/anchor_soffice.py OUT LETTER.docx …``: ``soffice --headless
--convert-to pdf --outdir OUT LETTER`` for each letter in turn, each with its own profile
folder (a fresh start, as separate runs have).
"""

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path


def main() -> int:
    out, letters = Path(sys.argv[1]), sys.argv[2:]
    out.mkdir(parents=True, exist_ok=True)
    soffice = shutil.which("soffice") or "soffice"
    for letter in letters:
        with tempfile.TemporaryDirectory() as profile:
            subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless",
                            "--convert-to", "pdf", "--outdir", str(out), letter],
                           check=True, capture_output=True, timeout=300)
    return 0


if __name__ == "__main__":
    sys.exit(main())
