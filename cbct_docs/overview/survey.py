"""Satisfaction survey: one row per respondent, one column per question.

A column is a question when its answers lie on the five-point scale (zeer tevreden …
zeer ontevreden, any case). Other columns (names, dates, free remarks) are left out and
reported as such. In a question column an answer off the scale is a location-first
error; an empty cell or "n.v.t."/"weet niet"/"geen mening" is no answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import DataError, Problems
from ..records import Record, read_records
from .results import canonical

SCALE = ("zeer tevreden", "tevreden", "neutraal", "ontevreden", "zeer ontevreden")
NO_ANSWER = ("n.v.t.", "nvt", "weet niet", "geen mening")


@dataclass(frozen=True)
class QuestionResult:
    question: str
    counts: dict[str, int]  # every level of SCALE, in scale order

    @property
    def answered(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class SurveyResult:
    path: Path
    respondents: int
    questions: list[QuestionResult]
    ignored_columns: list[str]

    def total(self) -> QuestionResult:
        """All answers to all questions together."""
        return QuestionResult("Alle vragen", {
            level: sum(q.counts[level] for q in self.questions) for level in SCALE})


def _norm(value: Any) -> str:
    return " ".join(str(value).split()).casefold() if value is not None else ""


def _is_question(records: Sequence[Record], column: str) -> bool:
    """Most given answers on the scale: a question (and the rest are typos to report)."""
    answers = [_norm(r.fields.get(column)) for r in records]
    answers = [a for a in answers if a and a not in NO_ANSWER]
    on_scale = sum(1 for a in answers if a in SCALE)
    return bool(answers) and on_scale * 2 >= len(answers)


def read_survey(path: str | Path, sheet: str | None = None) -> SurveyResult:
    path = Path(path)
    records = read_records(path, sheet)
    if not records:
        raise DataError("the survey has no rows below its header", location=path,
                        hint="expected one row per respondent")
    columns = list(records[0].fields)
    questions = [c for c in columns if _is_question(records, c)]
    if not questions:
        raise DataError("no column holds answers from 'zeer tevreden' to 'zeer ontevreden'",
                        location=path, hint="columns found: " + ", ".join(columns))
    problems = Problems()
    results = []
    for column in questions:
        counts = dict.fromkeys(SCALE, 0)
        for record in records:
            value = record.fields.get(column)
            if not _norm(value) or _norm(value) in NO_ANSWER:
                continue
            with problems.catch():
                counts[canonical(value, SCALE, record.where(column))] += 1
        results.append(QuestionResult(column, counts))
    problems.raise_if_any()
    ignored = [c for c in columns if c not in questions]
    return SurveyResult(path, len(records), results, ignored)
