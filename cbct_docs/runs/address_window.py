"""Letters whose address may not fit the envelope window: a located note in the run's
summary for each (the letter is made all the same: the office decides, e.g. by shortening
the name in the register or choosing a larger window in ``[print]``)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .run import Note, RunResult

if TYPE_CHECKING:  # the estimate (and lxml) loads where a letter is first measured
    from ..render.address_fit import AddressFit

HINT = ("shorten it in the register, or set a larger window ([print] venster_breedte, "
        "venster_hoogte in cbct-docs.toml) or a smaller font in the template's address block")
HINT_NL = ("maak de naam of het adres korter in het register, of stel een groter venster in "
           "([print] venster_breedte, venster_hoogte in cbct-docs.toml) of een kleinere "
           "letter in het adresblok van het sjabloon")
#: What a note is about, in Dutch.
WHAT_NL = {"the address": "het adres",
           "the address of its example letter": "het adres in de voorbeeldbrief"}


def window_note(where: Path | str, fit: AddressFit, what: str = "the address") -> Note:
    """``where: warning: the address may not fit …: what does not fit (hint)``, with its
    Dutch for the web app (naming the file only: the web pages show no paths)."""
    width, height = fit.box
    box = f"({width:.0f} × {height:.0f} mm)"
    return Note(f"{where}: warning: {what} may not fit the envelope window {box}: "
                f"{fit.problem()} ({HINT})",
                f"{Path(where).name}: let op: {WHAT_NL.get(what, what)} past misschien niet in het "
                f"venster van de envelop {box}: {fit.problem_nl()} ({HINT_NL})",
                warning=True)


#: A rendered Word document, and its address block's estimate when it may not fit.
Measured = tuple[bytes, "AddressFit | None"]


def measured(data: bytes) -> Measured:
    """``data`` with its estimate when its address may not fit (None: it fits, or it has
    no window): measured where the document is rendered, on a worker for a large batch."""
    from ..render.address_fit import address_fit  # after the workers fork: see above

    fit = address_fit(data)
    return data, fit if fit is not None and not fit.fits else None


class WindowNotes:
    """The notes :func:`check_addresses` gives, for documents measured when rendered
    (:func:`measured`) instead of read back after the commit: one per document that may
    not fit, in the order they were staged (the order of the run's documents)."""

    def __init__(self) -> None:
        self.unfit: list[tuple[Path, AddressFit]] = []

    def staged(self, path: Path, fit: AddressFit | None) -> Path:
        if fit is not None:
            self.unfit.append((path, fit))
        return path

    def add_to(self, result: RunResult) -> RunResult:
        result.notes.extend(window_note(path, fit) for path, fit in self.unfit)
        return result
