"""Operations outside the dossiers: a campaign mailing with limited places."""

from __future__ import annotations

from pathlib import Path

from ..documents.campaign import campaign as make_campaign
from ..documents.context import Batch
from .office import OfficeFolder
from .run import RunResult


def campaign(office: OfficeFolder, data: Path, places: int, *, out: Path, title: str,
             template_folder: Path | None = None, overwrite: bool = False) -> RunResult:
    """First come, first placed; everyone answered (through the generic merge)."""
    batch = Batch(out, overwrite)
    counts = make_campaign(data, batch, office.letterhead(), places, title=title,
                           template_folder=template_folder)
    result = RunResult(made=batch.commit(), out=out, counts=dict(counts))
    result.notes.append(f"{counts['geplaatst']} placed, {counts['bedankt']} thanked.")
    return result
