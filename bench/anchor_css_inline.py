"""Anchor: ``bench/anchor_premailer.py`` with css-inline (Rust) in place of premailer.

``python bench/anchor_css_inline.py OFFICE OUT``.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from anchor_premailer import main  # noqa: E402


def css_inline(html: str) -> str:
    import css_inline

    return str(css_inline.inline(html))


if __name__ == "__main__":
    sys.exit(main(inline=css_inline))
