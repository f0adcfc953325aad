"""Reading a letter's package for a bundle: checked for a zip bomb first, parts on demand.

The first letter of a bundle gives its frame (styles, lists, settings, theme …) and is read
whole; of every later letter a bundle takes only the body and what it refers to (headers,
footers, pictures), so those parts are unpacked when asked for (a third of the work for 50
bevestigingsbrieven).
"""

from __future__ import annotations

import io
import posixpath
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

from ..errors import DataError
from ..render.limits import check_package

#: Limits on what a .docx may unpack to: a letter is a few hundred kB; far more is a zip bomb.
MAX_PART_BYTES = 100 * 2**20
MAX_PACKAGE_BYTES = 300 * 2**20


def read_parts(path: Path, wanted: Callable[[str], bool] = lambda name: True
               ) -> dict[str, bytes]:
    """The parts of a .docx by name, after checking what they unpack to (not a zip bomb).

    Raises OSError / zipfile.BadZipFile for an unreadable file and DataError for one too big.
    """
    with zipfile.ZipFile(path) as archive:
        check_package(archive, path, part_limit=MAX_PART_BYTES,
                      total_limit=MAX_PACKAGE_BYTES)
        members = [info for info in archive.infolist() if wanted(info.filename)]
        return {info.filename: archive.read(info) for info in members}


def resolve(source_part: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(source_part), target))


class LazyParts(dict[str, bytes]):
    """The parts of a .docx, each unpacked the first time it is asked for.

    Checked like :func:`read_parts` when opened (same errors); a part that cannot be
    unpacked later is a DataError at the file.
    """

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path
        self._archive = zipfile.ZipFile(io.BytesIO(path.read_bytes()))
        check_package(self._archive, path, part_limit=MAX_PART_BYTES,
                      total_limit=MAX_PACKAGE_BYTES)
        self._names = set(self._archive.namelist())

    def __missing__(self, name: str) -> bytes:
        if name not in self._names:
            raise KeyError(name)
        try:
            data = self._archive.read(name)
        except (zipfile.BadZipFile, zlib.error, OSError) as error:
            raise DataError(f"not a readable Word document: {error}",
                            location=self.path) from None
        self[name] = data
        return data

    def __contains__(self, name: object) -> bool:
        return name in self._names or super().__contains__(name)

    def get(self, name: str, default: bytes | None = None  # type: ignore[override]
            ) -> bytes | None:
        """A part (unpacked now if not yet), or ``default`` where the package has none."""
        if name not in self:
            return default
        return self[name]
