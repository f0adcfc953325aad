"""Letters whose address may not fit the envelope window: a located note in the run's
summary for each (the letter is made all the same: the office decides, e.g. by shortening
the name in the register or choosing a larger window in ``[print]``)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from ..render.address_fit import AddressFit, address_fit
from .run import RunResult

HINT = ("shorten it in the register, or set a larger window ([print] venster_breedte, "
        "venster_hoogte in cbct-docs.toml) or a smaller font in the template's address block")


def window_note(where: Path | str, fit: AddressFit, what: str = "the address") -> str:
    """``where: warning: the address may not fit …: what does not fit (hint)``."""
    width, height = fit.box
    return (f"{where}: warning: {what} may not fit the envelope window "
            f"({width:.0f} × {height:.0f} mm): {fit.problem()} ({HINT})")


def address_notes(letters: Iterable[Path]) -> list[str]:
    """A note for each Word letter whose address block may not fit its window."""
    notes = []
    for path in letters:
        if path.suffix.lower() != ".docx":
            continue
        try:
            data = path.read_bytes()
        except OSError:
            continue  # the run reported what it wrote; a file gone since is not ours to say
        fit = address_fit(data)
        if fit is not None and not fit.fits:
            notes.append(window_note(path, fit))
    return notes


def check_addresses(result: RunResult) -> RunResult:
    """``result`` with a note for every letter it made whose address may not fit."""
    result.notes.extend(address_notes(made.path for made in result.made))
    return result
