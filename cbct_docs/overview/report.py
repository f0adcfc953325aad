"""The sector overview: read the period's inputs, render the report, write it with its
charts. Importable API behind ``cbct-docs overview``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..deliver.files import atomic_write, ensure_folder
from ..errors import OutputError, Problems, UsageError
from ..paths import templates_dir
from ..render import DocxRenderer
from .context import Chart, build_context
from .counting import Counts
from .results import ResultsTable, read_results
from .scores import ScoredAudit, framework_code, read_scored_audits
from .survey import SurveyResult, read_survey

REPORT_NAME = "sectoroverzicht.docx"


def default_template() -> Path:
    return templates_dir() / "reports" / "overview.docx"


@dataclass
class Overview:
    """The finished report in memory: nothing is written until :meth:`write`."""

    table: ResultsTable
    counts: Counts
    docx: bytes
    charts: list[Chart]
    audits: list[ScoredAudit] = field(default_factory=list)
    survey: SurveyResult | None = None

    def files(self, out: Path) -> list[tuple[Path, bytes]]:
        return [(out / REPORT_NAME, self.docx),
                *((out / chart.name, chart.png) for chart in self.charts)]

    def write(self, out: str | Path, *, overwrite: bool = False) -> list[Path]:
        """Write the report and every chart as PNG; refuse (writing nothing) when any of
        them exists already, unless ``overwrite``."""
        out = Path(out)
        files = self.files(out)
        existing = [path for path, _ in files if path.exists()]
        if existing and not overwrite:
            names = ", ".join(path.name for path in existing)
            raise OutputError(f"exists already: {names}", location=out,
                              hint="nothing was written; use --overwrite to replace them")
        ensure_folder(out)
        for path, data in files:
            atomic_write(path, data, overwrite=overwrite)
        return [path for path, _ in files]


def _load_frameworks(audits: Sequence[ScoredAudit]) -> dict[str, Any]:
    from ..domain.frameworks import load_framework

    codes = sorted({framework_code(a.sheet) for a in audits})
    return {code: load_framework(code) for code in codes}


def build_overview(results: str | Path | ResultsTable, *, scores: str | Path | None = None,
                   survey: str | Path | None = None, sheet: str | None = None,
                   period: str = "", template: str | Path | None = None,
                   today: dt.date | None = None,
                   progress: Callable[[int, int], None] | None = None,
                   results_name: str | None = None) -> Overview:
    """Read and check all inputs (every problem at once), then render the report.

    ``results`` is the results table of the period (a file), or the rows made from the
    recorded decisions (:func:`.recorded.recorded_table`). ``results_name`` names them in
    messages about score workbooks (default: the file name). ``progress(done, total)``
    follows the reading of the score workbooks.
    """
    template_path = Path(template) if template is not None else default_template()
    if not template_path.is_file():
        raise UsageError("template not found", location=template_path)
    problems = Problems()
    table: ResultsTable | None = None
    audits: list[ScoredAudit] = []
    answers: SurveyResult | None = None
    if isinstance(results, ResultsTable):
        table = results
    else:
        with problems.catch():
            table = read_results(results, sheet)
    if survey is not None:
        with problems.catch():
            answers = read_survey(survey)
    if scores is not None and table is not None:
        with problems.catch():
            audits = read_scored_audits(scores, table.rows, results_name or table.path.name,
                                        progress)
    frameworks: dict[str, Any] = {}
    if audits:
        with problems.catch():
            frameworks = _load_frameworks(audits)
    problems.raise_if_any()
    assert table is not None  # read_results raised otherwise
    built = build_context(table, audits=audits, frameworks=frameworks, survey=answers,
                          period=period, today=today)
    document = DocxRenderer(template_path).render(built.context)
    return Overview(table, built.counts, document, built.charts, audits, answers)
