"""Score workbooks of the period, joined to the results by certificate number, and the
distribution of question scores per norm (overall, per branch association, per category).

A workbook is read with the domain's ``read_scoresheet``; only the norms' questions are
counted (module questions are not part of the sector comparison).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import DataError, Problems, UsageError
from .results import NO_PARTICIPATION, ResultRow

COLOURS = ("red", "yellow", "green")  # the order of the stacked segments


@dataclass(frozen=True)
class ScoredAudit:
    row: ResultRow
    sheet: Any  # cbct_docs.domain.scoresheet.ScoreSheet
    path: Path


@dataclass(frozen=True)
class NormDistribution:
    number: int
    title: str
    counts: dict[str, int]  # level name → number of question scores, in scale order

    def by_colour(self, framework: Any) -> dict[str, int]:
        totals = dict.fromkeys(COLOURS, 0)
        for level in framework.scale:
            totals[level.colour] = totals.get(level.colour, 0) + self.counts[level.name]
        return totals

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def framework_code(sheet: Any) -> str:
    return str(getattr(sheet.framework, "code", sheet.framework))


def score_files(folder: Path) -> list[Path]:
    """The workbooks in ``folder`` (not in subfolders), without Excel's ~$ lock files."""
    if not folder.is_dir():
        raise UsageError("folder not found", location=folder,
                         hint="--scores takes the folder that holds the score workbooks")
    files = sorted(p for p in folder.glob("*.xlsx") if not p.name.startswith("~$"))
    if not files:
        raise DataError("no score workbooks (.xlsx) in this folder", location=folder)
    return files


def read_scored_audits(folder: str | Path, rows: Sequence[ResultRow], results_name: str,
                       progress: Callable[[int, int], None] | None = None,
                       ) -> list[ScoredAudit]:
    """Read every workbook and join it to its result row; all problems at once."""
    from ..domain.scoresheet import read_scoresheet

    by_cert = {row.cert_nr: row for row in rows}
    problems = Problems()
    audits: list[ScoredAudit] = []
    seen: dict[str, Path] = {}
    files = score_files(Path(folder))
    for done, path in enumerate(files, start=1):
        if progress:
            progress(done, len(files))
        with problems.catch():
            sheet = read_scoresheet(path)
            cert = str(sheet.cert_nr).strip()
            row = by_cert.get(cert)
            if row is None:
                raise DataError(f"cert. nr. {cert!r} is not in {results_name}", location=path,
                                hint="workbooks are joined to the results by certificate "
                                     "number")
            if cert in seen:
                raise DataError(f"a second workbook for cert. nr. {cert!r}", location=path,
                                hint=f"the other is {seen[cert].name}; keep one per "
                                     "organisation")
            if row.remark == NO_PARTICIPATION:
                raise DataError(f"cert. nr. {cert!r} has scores but its row says "
                                f"'{NO_PARTICIPATION}'", location=path,
                                hint=f"see {row.origin}")
            seen[cert] = path
            audits.append(ScoredAudit(row, sheet, path))
    problems.raise_if_any()
    return audits


def distribution(framework: Any, sheets: Iterable[Any]) -> list[NormDistribution]:
    """Question scores per norm of ``framework`` over ``sheets``, norms in their order."""
    sheets = list(sheets)
    result = []
    for norm in framework.norms:
        counts = {level.name: 0 for level in framework.scale}
        for sheet in sheets:
            for question in norm.questions:
                level = sheet.scores.get(question.id)
                if level in counts:
                    counts[level] += 1
        result.append(NormDistribution(norm.number, norm.title, counts))
    return result


def average(dist: NormDistribution, framework: Any) -> float | None:
    """Mean score on 1 (lowest level) .. n (highest); None without scores."""
    if not dist.total:
        return None
    weights = {level.name: index for index, level in enumerate(framework.scale, start=1)}
    return sum(weights[name] * count for name, count in dist.counts.items()) / dist.total
