"""The counting rules of the sector overview, as pure functions over result rows.

- A row with Opmerking ``Geen deelname`` counts as not certified, but is not a
  certification trajectory.
- Trajectories are all other rows.
- Certified at once: Resultaat ``Gecertificeerd``.
- Heraudit group: trajectories not certified at once; of these, those with Opmerking
  ``Gecertificeerd na heraudit`` are certified after a heraudit, the rest are not (yet).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

from ..render.filters import procent
from .results import (
    AFTER_HERAUDIT,
    CERTIFIED,
    CONDITIONAL,
    HERAUDIT_PREPARING,
    NO_HERAUDIT_REQUESTED,
    NO_PARTICIPATION,
    ResultRow,
)

T = TypeVar("T")
NO_VALUE = "–"  # shown instead of a percentage of nothing


def is_trajectory(row: ResultRow) -> bool:
    return row.remark != NO_PARTICIPATION


def certified_at_once(row: ResultRow) -> bool:
    return is_trajectory(row) and row.result == CERTIFIED


def in_heraudit_group(row: ResultRow) -> bool:
    return is_trajectory(row) and row.result != CERTIFIED


def certified_after_heraudit(row: ResultRow) -> bool:
    return in_heraudit_group(row) and row.remark == AFTER_HERAUDIT


def is_certified(row: ResultRow) -> bool:
    return certified_at_once(row) or certified_after_heraudit(row)


@dataclass(frozen=True)
class Counts:
    rows: int
    no_participation: int
    trajectories: int
    certified_at_once: int
    heraudit_group: int
    conditional: int  # heraudit group with Resultaat "Voorwaardelijk gecertificeerd"
    certified_after_heraudit: int
    heraudit_rest: int
    heraudit_preparing: int
    no_heraudit_requested: int
    heraudit_no_remark: int
    certified: int
    not_certified: int  # heraudit rest plus "Geen deelname"


def _count(rows: Sequence[ResultRow], test: Callable[[ResultRow], bool]) -> int:
    return sum(1 for row in rows if test(row))


def count(rows: Iterable[ResultRow]) -> Counts:
    rows = list(rows)
    group = [r for r in rows if in_heraudit_group(r)]
    after = _count(group, certified_after_heraudit)
    at_once = _count(rows, certified_at_once)
    no_participation = _count(rows, lambda r: not is_trajectory(r))
    return Counts(
        rows=len(rows),
        no_participation=no_participation,
        trajectories=len(rows) - no_participation,
        certified_at_once=at_once,
        heraudit_group=len(group),
        conditional=_count(group, lambda r: r.result == CONDITIONAL),
        certified_after_heraudit=after,
        heraudit_rest=len(group) - after,
        heraudit_preparing=_count(group, lambda r: r.remark == HERAUDIT_PREPARING),
        no_heraudit_requested=_count(group, lambda r: r.remark == NO_HERAUDIT_REQUESTED),
        heraudit_no_remark=_count(group, lambda r: not r.remark),
        certified=at_once + after,
        not_certified=len(group) - after + no_participation,
    )


def percentage(part: int, whole: int) -> str:
    """``41, 45`` → ``91,1 %``; a dash when there is nothing to divide by."""
    if whole == 0:
        return NO_VALUE
    return procent(Decimal(part) / Decimal(whole), 1, " ")


def split(items: Iterable[T], key: Callable[[T], str],
          order: Sequence[str] = ()) -> list[tuple[str, list[T]]]:
    """Group items by ``key``: first the values of ``order`` that occur, then the others
    in the order they first appear. Items keep their order within a group."""
    groups: dict[str, list[T]] = {}
    for item in items:
        groups.setdefault(key(item), []).append(item)
    known = [value for value in order if value in groups]
    others = [value for value in groups if value not in order]
    return [(value, groups[value]) for value in known + others]


ROMAN = ("I", "II", "III", "IV", "V")


def category_order(values: Iterable[str]) -> list[str]:
    """Audit categories I..IV in their natural order, other spellings after them."""
    values = set(values)
    return [v for v in ROMAN if v in values] + sorted(values - set(ROMAN))
