"""Sector overview: all audits of a period in one report for the branch associations.

``build_overview(results, scores=..., survey=...)`` reads and checks the inputs and
renders the report in memory; ``Overview.write(out)`` writes the .docx and its charts.
"""

from .counting import Counts, count, percentage
from .report import REPORT_NAME, Overview, build_overview, default_template
from .results import ResultRow, ResultsTable, read_results
from .survey import SurveyResult, read_survey

__all__ = ["REPORT_NAME", "Counts", "Overview", "ResultRow", "ResultsTable", "SurveyResult",
           "build_overview", "count", "default_template", "percentage", "read_results",
           "read_survey"]
