"""``python -m bench [--quick] [--only GROUP …] [--no-write]``: measure, print, record.

Each side runs in a fresh process (``bench.side``); the table shows documents per second,
milliseconds per document, peak RSS of that process (LibreOffice's own in brackets), the
ratio to the group's baseline and the issue's target. Results go to ``bench/results.md``.
Nothing here fails a build: a side that cannot run is listed as skipped with its reason.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


@dataclass
class Side:
    group: str
    case: str
    label: str
    count: int
    quick: int
    baseline: bool = False
    result: dict[str, Any] = field(default_factory=dict)
    skipped: str = ""
    module: str = "bench.side"  # bench.readers has its own command (--side N DIR)


@dataclass
class Target:
    rate: float | None = None  # docs/s at least
    ratio: float | None = None  # × the baseline at least
    rss_mb: float | None = None  # peak RSS at most
    seconds: float | None = None  # wall time at most


SIDES = [
    Side("letters", "letters_naive", "naive docxtpl loop", 1000, 100, baseline=True),
    Side("letters", "letters_render", "DocxRenderer (compiled)", 1000, 200),
    Side("letters", "letters_pool", "compiled, 2 worker processes", 2000, 800),
    Side("letters", "letters_app", "application: confirm() + commit()", 1000, 200),
    Side("e-mails", "emails_premailer", "render + premailer per message", 1000, 200,
         baseline=True),
    Side("e-mails", "emails_css_inline", "render + css-inline per message", 10000, 2000),
    Side("e-mails", "emails_once", "CSS inlined once (InlinedHtmlRenderer)", 10000, 2000),
    Side("pdf", "pdf_each", "one soffice run per letter", 5, 2, baseline=True),
    Side("pdf", "pdf_plain", "one soffice run for the batch, file by file", 50, 10),
    Side("pdf", "pdf_batch", "one soffice run, one bundle, split", 50, 10),
    Side("pdf", "pdf_parallel", "two bundle runs side by side", 50, 10),
    Side("bundle", "bundle", "print bundle (make_bundle)", 200, 50),
    Side("demo", "demo", "cbct-docs demo, end to end", 1, 1),
    Side("readers", "readers", "register check of a large register (rows/s)", 100_000, 10_000,
         module="bench.readers"),
    Side("commands", "announce_command", "cbct-docs announce, whole process (e-mails/s)",
         2000, 500, module="bench.commands"),  # with anchors: python -m bench.commands
]
TARGETS = {
    "letters_render": Target(rate=1000, ratio=20, rss_mb=100),
    "letters_app": Target(rate=1000, ratio=20, rss_mb=100),
    "letters_pool": Target(rate=1000, ratio=20),
    "emails_once": Target(rate=10000),
    "emails_css_inline": Target(rate=10000),
    "pdf_batch": Target(rate=15),
    "pdf_parallel": Target(rate=15),
    "bundle": Target(seconds=2),
    "demo": Target(seconds=20),
    "readers": Target(seconds=5),
    "announce_command": Target(rate=2000),
}


def run_side(side: Side, quick: bool, work: Path, timeout: float) -> None:
    count = side.quick if quick else side.count
    command = [sys.executable, "-m", "bench.side", side.case, str(count), str(work / side.case)]
    if side.module != "bench.side":
        command = [sys.executable, "-m", side.module, "--side", str(count), str(work / side.case)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                              cwd=HERE.parent)
    except subprocess.TimeoutExpired:
        side.skipped = f"took longer than {timeout:.0f} s"
        return
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        side.skipped = f"could not run: {last[:160]}"
        return
    side.result = json.loads(lines[-1])


def rate(side: Side) -> float:
    return side.result["count"] / side.result["seconds"] if side.result else 0.0


def verdict(side: Side, baseline: Side | None) -> str:
    target = TARGETS.get(side.case)
    if target is None or not side.result:
        return ""
    wanted, met = [], True
    if target.rate is not None:
        wanted.append(f"≥ {target.rate:,.0f}/s")
        met &= rate(side) >= target.rate
    if target.ratio is not None and baseline is not None and baseline.result:
        wanted.append(f"≥ {target.ratio:.0f}×")
        met &= rate(side) >= target.ratio * rate(baseline)
    if target.rss_mb is not None:
        wanted.append(f"≤ {target.rss_mb:.0f} MB")
        met &= side.result["rss_mb"] <= target.rss_mb
    if target.seconds is not None:
        wanted.append(f"≤ {target.seconds:.0f} s")
        met &= side.result["seconds"] <= target.seconds
    return ", ".join(wanted) + (" — met" if met else " — **not met**")


def table(sides: list[Side]) -> list[str]:
    rows = ["| work | side | docs | seconds | docs/s | ms/doc | peak RSS MB | × baseline "
            "| target |", "|---|---|---:|---:|---:|---:|---:|---:|---|"]
    baselines = {s.group: s for s in sides if s.baseline}
    for side in sides:
        if not side.result:
            rows.append(f"| {side.group} | {side.label} | | | | | | | skipped: {side.skipped} |")
            continue
        r, base = side.result, baselines.get(side.group)
        ratio = (f"{rate(side) / rate(base):.1f}×" if base and base.result and base is not side
                 else ("baseline" if side.baseline else ""))
        rss = f"{r['rss_mb']:.0f}" + (f" ({r['child_rss_mb']:.0f})" if r["child_rss_mb"] else "")
        rows.append(f"| {side.group} | {side.label} | {r['count']:,} | {r['seconds']:.2f} | "
                    f"{rate(side):,.0f} | {1000 * r['seconds'] / r['count']:.2f} | {rss} | "
                    f"{ratio} | {verdict(side, base)} |")
    return rows


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, "
            f"load average {load} before the run")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small counts (a smoke run)")
    parser.add_argument("--only", nargs="*", metavar="GROUP",
                        help="letters, e-mails, pdf, bundle, demo, readers, commands")
    parser.add_argument("--no-write", action="store_true", help="do not write results.md")
    parser.add_argument("--timeout", type=float, default=900, help="seconds per side")
    args = parser.parse_args(argv)
    sides = [s for s in SIDES if not args.only or s.group in args.only]
    about = machine()
    started = dt.datetime.now(dt.UTC)
    from .commands import compile_package

    print(f"cbct-docs bench on {about} ({compile_package()})", flush=True)
    with tempfile.TemporaryDirectory(prefix="cbct-bench-") as scratch:
        for side in sides:
            print(f"  {side.group}: {side.label} …", flush=True)
            try:
                run_side(side, args.quick, Path(scratch), args.timeout)
            except Exception as error:  # the bench reports; it never breaks a build
                side.skipped = f"{type(error).__name__}: {error}"
    rows = table(sides)
    print("\n".join(rows))
    notes = [f"- {s.label}: {s.result['note']}" for s in sides if s.result.get("note")]
    if not args.no_write:
        ended = dt.datetime.now(dt.UTC)
        when = f"{started:%Y-%m-%d %H:%M}–{ended:%H:%M} UTC"  # the run's start and end
        text = [f"# Benchmark results ({'quick' if args.quick else 'full'} run, {when})", "",
                f"Machine: {about}.", "", *rows, "", "What each side does:", "", *notes, ""]
        (HERE / "results.md").write_text("\n".join(text), encoding="utf-8")
        print(f"written to {HERE / 'results.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
