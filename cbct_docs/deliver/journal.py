"""Which SQLite journal the office database uses where it lies.

WAL lets readers go on while one run writes, but needs shared memory between the
processes, which a network drive (SMB/CIFS, NFS) does not give: there SQLite's own
documentation says WAL must not be used. Offices keep shared files on such drives, so a
database on one gets the classic rollback journal (``DELETE``); a local disk gets WAL.
``$CBCT_JOURNAL`` (``wal`` or ``delete``) overrides the guess.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

NETWORK_FILESYSTEMS = frozenset({"nfs", "nfs4", "cifs", "smb3", "smbfs", "fuse.sshfs",
                                 "9p", "afs", "ncpfs", "davfs", "fuse.davfs2"})


def journal_mode(path: Path) -> str:
    chosen = os.environ.get("CBCT_JOURNAL", "").strip().lower()
    if chosen in ("wal", "delete"):
        return chosen.upper()
    return "DELETE" if on_network_drive(path) else "WAL"


def on_network_drive(path: Path) -> bool:
    folder = Path(path).resolve().parent
    if sys.platform == "win32":
        return _windows_remote(folder)
    try:
        mounts = Path("/proc/mounts").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False  # no mount table (macOS): a local disk is the common case
    return filesystem_of(folder, mounts) in NETWORK_FILESYSTEMS


def filesystem_of(folder: Path, mounts: str) -> str:
    """The type of the mount that holds ``folder``: the longest mount point above it."""
    best, kind = "", ""
    text = str(folder)
    for line in mounts.splitlines():
        fields = line.split()
        if len(fields) < 3:
            continue
        point = fields[1].replace("\\040", " ")
        inside = text == point or text.startswith(point.rstrip("/") + "/")
        if inside and len(point) >= len(best):
            best, kind = point, fields[2]
    return kind


def _windows_remote(folder: Path) -> bool:
    text = str(folder)
    if text.startswith("\\\\"):  # \\server\share
        return True
    import ctypes

    drive = os.path.splitdrive(text)[0] + "\\"
    windll = getattr(ctypes, "windll", None)
    if windll is None:
        return False
    return bool(windll.kernel32.GetDriveTypeW(drive) == 4)  # DRIVE_REMOTE
