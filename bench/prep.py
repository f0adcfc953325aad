"""``python bench/prep.py ARGS``: ``cbct-docs ARGS`` with the report's score chart stubbed
(one fixed PNG) — for making the bench's offices after the concept and the definitief
report quickly. Only the office database it leaves is used; its documents are removed.
Never a measured side: the reports it writes lack their real chart."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    from cbct_docs.documents import chart

    stub = chart.score_chart([("1. Stub", {"Volledig": 1})], [("Volledig", "green")])
    chart.score_chart = lambda rows, levels: stub  # type: ignore[assignment]
    from cbct_docs.documents import report

    report.score_chart = chart.score_chart  # type: ignore[attr-defined]
    from cbct_docs.cli import main as cli

    cli(sys.argv[1:])


if __name__ == "__main__":
    main()
