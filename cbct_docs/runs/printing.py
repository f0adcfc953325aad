"""The approved letters of a batch as one Word file for the post: each letter on its own
page, in the batch's order (through :func:`cbct_docs.deliver.bundle.make_bundle`). Only
approved letters, unchanged since, go in."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..deliver.bundle import make_bundle
from ..deliver.files import safe_filename
from ..domain.approval import may_send
from ..errors import UsageError
from .documents import batch as load_batch
from .documents import out_folder
from .office import OfficeFolder
from .run import Skip

PRINT_NAME = "afdrukken"  # out/afdrukken/: the print bundles


@dataclass
class PrintBundle:
    path: Path
    letters: int
    left_out: list[Skip] = field(default_factory=list)


def print_bundle(office: OfficeFolder, batch_id: int) -> PrintBundle:
    found = load_batch(office, batch_id)
    letters: list[Path] = []
    left_out: list[Skip] = []
    for item in sorted(found.items, key=lambda i: i.event_id):
        if item.path is None or item.path.suffix.lower() != ".docx":
            continue
        refusal = may_send(item.status)  # approved, of this very content
        if refusal is not None:
            left_out.append(Skip(item.cert_nr, item.org_name, refusal.what))
        else:
            letters.append(item.path)
    if not letters:
        raise UsageError("er is geen goedgekeurde brief in deze reeks",
                         hint="keur de brieven eerst goed")
    target = out_folder(office) / PRINT_NAME / (
        f"{safe_filename(found.label)}-reeks-{batch_id}.docx")
    target.parent.mkdir(parents=True, exist_ok=True)
    make_bundle(letters, target, overwrite=True)
    return PrintBundle(target, len(letters), left_out)
