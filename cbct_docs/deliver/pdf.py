"""PDF through LibreOffice headless: one ``soffice`` process for a whole batch.

Starting LibreOffice costs seconds, converting a letter a fraction of that, so a batch is
converted by one process; letters of one template are converted as one bundle and split
afterwards (``pdf_split``), because opening a file costs LibreOffice more than a page. A
batch with bundles for 20 letters or more, on two cores or more, is converted by two
processes at once (a large bundle in two halves).
Each run gets its own throw-away user profile: a profile in use by another LibreOffice
(the user's own, or a parallel run) would make soffice exit silently without converting
anything.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import DeliveryError, OutputError, Problems, UsageError
from .files import ensure_folder, write_files

if TYPE_CHECKING:  # pdf_split (lxml, the bundle, the renderer's limits: ~0.1 s to import) is
    from .pdf_split import Group  # imported once LibreOffice has been started

#: Where LibreOffice lives when it is not on PATH.
KNOWN_LOCATIONS = (
    "/usr/bin/soffice",
    "/usr/lib/libreoffice/program/soffice",
    "/opt/libreoffice/program/soffice",
    "/Applications/LibreOffice.app/Contents/MacOS/soffice",
    r"C:\Program Files\LibreOffice\program\soffice.exe",
)
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
HTML_CONVERSION = ["--infilter=HTML (StarWriter)", "--convert-to", "pdf:writer_pdf_Export"]
#: Word files from which a batch starts LibreOffice before making its bundles: enough for
#: two bundles of ``pdf_split.HALF_BUNDLE`` letters, converted by two LibreOffice at once.
EARLY_START = 20
#: A memory file system for the scratch folder, and the room it must have for a batch.
SHARED_MEMORY = "/dev/shm"
SCRATCH_MARGIN, SCRATCH_PER_FILE = 64 * 2**20, 2**20
#: A new profile's settings: every version counts as run before (see ``seed_profile``).
PROFILE_SETTINGS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" \
xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Setup/Product"><prop oor:name="ooSetupLastVersion" \
oor:op="fuse"><value>999.9</value></prop></item>
</oor:items>
"""
INSTALL_HINT = ("install LibreOffice (e.g. apt-get install libreoffice-writer) or set "
                "CBCT_SOFFICE to the soffice program")


def find_soffice() -> Path | None:
    """The soffice program: ``$CBCT_SOFFICE``, then PATH, then the usual install places."""
    configured = os.environ.get("CBCT_SOFFICE")
    if configured:
        return Path(configured) if Path(configured).is_file() else None
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return Path(found)
    return next((Path(p) for p in KNOWN_LOCATIONS if Path(p).is_file()), None)


def soffice_available() -> bool:
    return find_soffice() is not None


def convert_to_pdf(paths: Sequence[Path], out_dir: Path, *, timeout: float = 120,
                   overwrite: bool = False, bundled: bool = True) -> list[Path]:
    """Convert documents (.docx, .odt, .html …) to ``out_dir/<stem>.pdf``, in one batch.

    One LibreOffice run converts all Word/ODF files (two at once for a large batch), one
    more all HTML files; ``timeout`` holds for each run. With ``bundled``, .docx letters
    of one template are converted as one bundle and the PDF is split per letter (see
    ``pdf_split``); letters that cannot share a bundle, or a bundle whose split does not
    add up, go file by file. Returns the PDFs in the order of ``paths``. Nothing is
    overwritten unless ``overwrite``; a failed batch leaves no PDF behind.
    """
    paths = [Path(p) for p in paths]
    if not paths:
        return []
    out_dir = Path(out_dir)
    targets = _check_batch(paths, out_dir, overwrite)
    soffice = find_soffice()
    if soffice is None:
        raise DeliveryError("LibreOffice (soffice) not found; cannot make PDF",
                            hint=INSTALL_HINT)
    ensure_folder(out_dir)
    # A killed LibreOffice may still hold files in the profile: cleanup must not fail then.
    with tempfile.TemporaryDirectory(prefix="cbct-soffice-", dir=scratch_root(len(paths)),
                                     ignore_cleanup_errors=True) as scratch:
        run = _Runner(soffice, Path(scratch), timeout)
        # HTML needs Writer's HTML filter, which would break .docx files: a batch with both
        # runs LibreOffice twice, once per kind, with the same throw-away profile.
        html = [p for p in paths if p.suffix.lower() in HTML_SUFFIXES]
        other = [p for p in paths if p.suffix.lower() not in HTML_SUFFIXES]
        try:
            if bundled and sum(p.suffix.lower() == ".docx" for p in other) >= EARLY_START:
                run.start_early(2 if (os.cpu_count() or 1) >= 2 else 1)
            if other:
                _convert_letters(run, other, bundled)
        finally:
            run.stop_early()
        if html:
            run(html, HTML_CONVERSION)
        # Each PDF as atomic_write writes it, with one flush to disk for the batch (a
        # flush per file cost 0.4-0.8 s for 50 letters); none is written if any cannot be.
        written = write_files(((target, (run.converted / f"{path.stem}.pdf").read_bytes())
                               for path, target in zip(paths, targets, strict=True)),
                              overwrite=overwrite, all_or_nothing=True)
        failed = next((w.error for w in written if w.error is not None), None)
        if failed is not None:
            raise failed
    return targets


def scratch_root(files: int) -> str | None:
    """Where the batch's scratch folder goes: a memory file system (``/dev/shm``) with room
    for it, unless ``TMPDIR`` names a place; None: the system's temporary folder.

    The scratch folder holds LibreOffice's profiles (~100 files each, which LibreOffice
    flushes to disk one by one), the bundles and the PDFs before they are split: none of
    it needs a disk, and on a busy disk writing and removing it cost up to a second.
    """
    if os.environ.get("TMPDIR") or not os.path.isdir(SHARED_MEMORY):
        return None
    try:
        room = os.statvfs(SHARED_MEMORY)
    except OSError:
        return None
    enough = room.f_bavail * room.f_frsize >= SCRATCH_MARGIN + files * SCRATCH_PER_FILE
    return SHARED_MEMORY if enough and os.access(SHARED_MEMORY, os.W_OK | os.X_OK) else None


class _Runner:
    """soffice runs of one batch: the same throw-away profile and output folder.

    Two runs at once (``profile_number`` 1) need a profile each: LibreOffice refuses a
    profile in use. LibreOffice takes a second or two to start, so a large batch starts
    it early (:meth:`start_early`), while its bundles are made: a later soffice with the
    same profile hands its files to the running one and waits until they are converted.
    """

    def __init__(self, soffice: Path, scratch: Path, timeout: float) -> None:
        self.soffice, self.scratch, self.timeout = soffice, scratch, timeout
        self.converted = scratch / "pdf"
        self.converted.mkdir()
        self.early: dict[int, subprocess.Popen[bytes]] = {}

    def _soffice(self, profile_number: int, again: bool = False) -> list[str]:
        profile = self.scratch / f"profile{profile_number or ''}{'-again' if again else ''}"
        seed_profile(profile, self.soffice)
        return [str(self.soffice), f"-env:UserInstallation={profile.as_uri()}",
                "--headless", "--norestore", "--nologo", "--nodefault", "--nolockcheck"]

    def __call__(self, files: list[Path], conversion: list[str],
                 must_convert: list[Path] | None = None, letters: int = 0,
                 profile_number: int = 0) -> None:
        arguments = [*conversion, "--outdir", str(self.converted),
                     *(str(p.resolve()) for p in files)]
        count, expected = letters or len(files), files if must_convert is None else must_convert
        output = _run([*self._soffice(profile_number), *arguments], self.timeout, count)
        try:
            _check_converted(expected, self.converted, output)
        except DeliveryError:
            if profile_number not in self.early:
                raise
            # Handed to a LibreOffice started early that did not convert: once more on
            # a fresh profile of its own, as without the early start.
            output = _run([*self._soffice(profile_number, again=True), *arguments],
                          self.timeout, count)
            _check_converted(expected, self.converted, output)

    def start_early(self, count: int) -> None:
        """Start ``count`` LibreOffice processes (profiles 0 …) with nothing to convert yet.

        Only where process groups end them reliably (not on Windows).
        """
        if os.name != "posix":
            return
        for number in range(count):
            with contextlib.suppress(OSError):
                self.early[number] = subprocess.Popen(
                    self._soffice(number), stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                    start_new_session=True)

    def stop_early(self) -> None:
        """End the LibreOffice processes started early (each with the helpers it started)."""
        for process in self.early.values():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.early.values():
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        self.early.clear()


def seed_profile(profile: Path, soffice: Path) -> None:
    """Start a new throw-away profile as LibreOffice would find it after its first start.

    Two things a new profile costs at every start, and the PDF does not depend on:

    - LibreOffice (7.2 and later) runs its graphics self-test (``GraphicsRenderTests``:
      some hundred drawings up to 4096 × 4096 pixels, ~1 s of CPU) at every start whose
      profile does not record that this version ran before, and a headless conversion
      never records it. The profile is told the last version run was a later one
      (``ooSetupLastVersion``, read only for that test and the desktop's "what's new").
    - A profile without the build id of the installation in ``user/extensions/buildid``
      has its extension folder made anew, and LibreOffice then starts itself a second
      time. The build id is the installation's own (its ``versionrc``), so LibreOffice
      still registers the installation's extensions in the new profile as before; where
      it cannot be read, nothing is written and LibreOffice does as before.

    A profile that exists already is left as it is.
    """
    if profile.exists():
        return
    settings = profile / "user" / "registrymodifications.xcu"
    settings.parent.mkdir(parents=True)
    settings.write_text(PROFILE_SETTINGS, encoding="utf-8")
    build = build_id(soffice)
    if build:
        (profile / "user" / "extensions").mkdir()
        (profile / "user" / "extensions" / "buildid").write_text(build, encoding="latin-1")


@functools.lru_cache(maxsize=4)
def build_id(soffice: Path) -> str | None:
    """The installation's build id (``buildid`` of ``versionrc`` beside the program)."""
    program = soffice.resolve().parent
    for rc in (program / "versionrc", program / "version.ini",
               program.parent / "Resources" / "versionrc"):
        try:
            text = rc.read_text(encoding="latin-1")
        except OSError:
            continue
        found = re.search(r"^buildid=(.+?)\r?$", text, re.MULTILINE)
        return found.group(1) if found and "$" not in found.group(1) else None
    return None


def _convert_letters(run: _Runner, letters: list[Path], bundled: bool) -> None:
    """Word/ODF files in one soffice run; letters of one template as a bundle, split after."""
    if not bundled:
        run(letters, ["--convert-to", "pdf"])
        return
    from .pdf_split import HALF_BUNDLE, plan_groups

    parallel = (os.cpu_count() or 1) >= 2
    groups, alone = plan_groups(letters, run.scratch / "bundles", halves=parallel)
    if not groups:
        run(letters, ["--convert-to", "pdf"])
        return
    # Two LibreOffice runs at once when there is work for two (a large bundle comes in
    # halves): each starts on a core of its own, and the first split while the other runs.
    bundled_letters = sum(len(group.letters) for group in groups)
    shares = ([(alone, groups)] if not parallel or bundled_letters < 2 * HALF_BUNDLE
              or len(groups) < 2 else [(alone, groups[0::2]), ([], groups[1::2])])
    if len(shares) == 1:
        again = _convert_share(run, alone, groups, len(letters), 0)
    else:
        with ThreadPoolExecutor(len(shares)) as pool:
            done = [pool.submit(_convert_share, run, files, share, len(letters), number)
                    for number, (files, share) in enumerate(shares)]
            again = [letter for future in done for letter in future.result()]
    if again:
        run(again, ["--convert-to", "pdf"])


def _convert_share(run: _Runner, alone: list[Path], groups: list[Group], letters: int,
                   number: int) -> list[Path]:
    """One soffice run: files alone and bundles; returns the letters to convert again."""
    from .pdf_split import BOOKMARK_CONVERSION, split_bundle

    # A bundle that did not convert is caught by its split and converted file by file.
    run([*alone, *(g.bundle for g in groups)], BOOKMARK_CONVERSION, must_convert=alone,
        letters=letters, profile_number=number)
    return [letter for group in groups for letter in
            split_bundle(group, run.converted / f"{group.bundle.stem}.pdf", run.converted)]


def _check_converted(group: list[Path], converted: Path, output: str) -> None:
    missing = [p for p in group if not (converted / f"{p.stem}.pdf").is_file()]
    if missing:
        detail = output.strip().splitlines()[-1:] or ["no message"]
        raise DeliveryError(
            f"LibreOffice did not convert {len(missing)} of {len(group)} file(s): "
            + ", ".join(p.name for p in missing), location=missing[0],
            hint=f"soffice said: {detail[0]}; is the file a valid document?")


def _check_batch(paths: list[Path], out_dir: Path, overwrite: bool) -> list[Path]:
    """Every problem of the batch at once, before LibreOffice starts."""
    problems = Problems()
    seen: dict[str, Path] = {}
    targets = []
    for path in paths:
        target = out_dir / f"{path.stem}.pdf"
        targets.append(target)
        if not path.is_file():
            problems.add(UsageError("file not found", location=path))
        if path.stem.lower() in seen:
            problems.add(UsageError(f"same name as {seen[path.stem.lower()]}: both would "
                                    f"become {target.name}", location=path,
                                    hint="convert them in separate runs or rename one"))
        seen[path.stem.lower()] = path
        if target.exists() and not overwrite:
            problems.add(OutputError("exists already", location=target,
                                     hint="use --overwrite to replace it"))
    problems.raise_if_any()
    return targets


def _run(command: list[str], timeout: float, count: int) -> str:
    try:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, start_new_session=True)
    except OSError as error:
        raise DeliveryError(f"cannot start LibreOffice: {error}", location=command[0],
                            hint=INSTALL_HINT) from None
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        # soffice starts helper processes; end the whole group it leads, not just soffice
        # (on Windows there are no process groups: end soffice itself).
        with contextlib.suppress(ProcessLookupError):
            if os.name == "nt":
                process.kill()
            else:
                os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise DeliveryError(f"LibreOffice did not finish {count} file(s) within {timeout:g} s",
                            hint="raise the timeout, or convert fewer files at once") from None
    return output.decode("utf-8", "replace")
