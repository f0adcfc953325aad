"""The certification domain: frameworks, register, planning rules, score sheets, advice.

Everything a document states about norms, quarters, deadlines, scores and advice
comes from here; the documents only present it. See docs/domain.md.
"""

from .advice import (
    ADVICES,
    CERTIFIED,
    CONDITIONAL,
    NOT_CERTIFIED,
    AuditResult,
    NormResult,
    evaluate,
)
from .frameworks import (
    AdvicePolicy,
    AuditCategory,
    Deadlines,
    Framework,
    Indicator,
    Module,
    Norm,
    Question,
    ScaleLevel,
    available_frameworks,
    load_framework,
)
from .planning import Quarter, planned_quarter
from .register import Organisation, find_organisation, read_register
from .scoresheet import AdviceOverride, NormNotes, ScoreSheet, read_scoresheet

__all__ = [
    "ADVICES", "CERTIFIED", "CONDITIONAL", "NOT_CERTIFIED", "AdviceOverride", "AdvicePolicy",
    "AuditCategory", "AuditResult", "Deadlines", "Framework", "Indicator", "Module", "Norm",
    "NormNotes", "NormResult", "Organisation", "Quarter", "Question", "ScaleLevel", "ScoreSheet",
    "available_frameworks", "evaluate", "find_organisation", "load_framework",
    "planned_quarter", "read_register", "read_scoresheet",
]
