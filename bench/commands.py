"""The commands as a user runs them: ``python -m bench.commands`` (``make bench``).

Builds an office of 500, 2,000 and 10,000 organisations (a register written with openpyxl
from the sample rows of samples/make_register.py, each with its own cert_nr and e-mail
address, certified_until spread over 2025-Q2; cbct-docs.toml copied from the repository;
the register read into the office database once, not timed) and takes it through the
round once per size (bench/lifecycle.py: a planning, a filled score sheet per
organisation, the office after each step). Then it times whole processes, each on a fresh
copy of the office at the step before:

- ``cbct-docs announce -q 2025-Q2 --date 13-1-2025``; the same e-mails by two anchor
  scripts (bench/anchor_premailer.py: plain Jinja, premailer, the standard library's
  EmailMessage; bench/anchor_css_inline.py: the same with css-inline);
- ``cbct-docs confirm planning.xlsx`` (a bevestigingsbrief per organisation);
- ``cbct-docs report SHEETS --concept`` and ``--definitief --no-response``;
- ``cbct-docs decide SHEETS`` (besluitbrief, and a certificaat for two in three);
- ``cbct-docs heraudit SHEETS`` (a letter for the one in three not certified);
- ``cbct-docs survey --org …`` (an e-mail per organisation);

and, at fixed sizes (bench/fixed.py): ``cbct-docs merge`` of 1,000 and 10,000 letters
(on both cores and on one) against a naive docxtpl loop and copying the template 10,000
times; ``cbct-docs pdf`` of 50 letters against one soffice run per letter; and
``cbct-docs --help`` against ``python -c pass``.

Each finished run's folder is set aside and deleted when the bench ends (deleting
thousands of files between timed runs slows the next run's file creation on ext4
without a journal), and the disk is synced before each timed run. The sides take turns
(A B C A B C …); the table gives medians, documents per second, the ratio to the anchor,
the largest peak RSS of the process, and the growth from 500 to 2,000 organisations
(issue 16's targets). Not a timed test: the figures depend on the
machine and its load (printed with them). ``--sizes`` and ``--only`` run it in parts.
Announce and confirm run at 10,000 organisations too; the other commands up to 2,000,
unless named with ``--only``.

``python -m bench.commands --side N DIR`` measures one announce of N organisations and
prints one JSON line, for ``python -m bench`` (group ``commands``).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import timeit
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import fixed, lifecycle
from .lifecycle import make_planning, make_register, run

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CLI = str(Path(sys.executable).parent / "cbct-docs")
TARGET_GROWTH = 4.4
#: Issue 16's targets in documents per second at 2,000 organisations, and × the anchor.
TARGETS = {"announce": (2000.0, 10.0), "confirm": (500.0, 0.0), "report": (500.0, 0.0),
           "report_final": (500.0, 0.0), "decide": (200.0, 0.0), "heraudit": (500.0, 0.0),
           "survey": (500.0, 0.0)}


def compile_package() -> str:
    """Compile the package's bytecode before timing, as an installed package has it: a
    checkout run with PYTHONDONTWRITEBYTECODE=1 (as on the build machine) would otherwise
    compile every module at each command's start (~0.4 s of imports)."""
    import compileall

    ok = compileall.compile_dir(ROOT / "cbct_docs", quiet=1)
    return "bytecode compiled first" if ok else "bytecode could not all be compiled"


def prepare(count: int, work: Path, stage: str) -> Path:
    """An office folder of ``count`` organisations at ``stage`` (bench/lifecycle.py:
    registered, announced, confirmed …); made once per size from the stage before it,
    copied for every timed run."""
    folder = work / f"office-{count}-{stage}"
    if folder.is_dir():
        return folder
    index = lifecycle.STAGES.index(stage)
    before = prepare(count, work, lifecycle.STAGES[index - 1]) if index else None
    partial = folder.with_name(folder.name + ".tmp")
    shutil.rmtree(partial, ignore_errors=True)
    if before is None:
        partial.mkdir(parents=True)
        shutil.copy(ROOT / "cbct-docs.toml", partial / "cbct-docs.toml")
        make_register(count, partial / "register.xlsx")
        run([CLI, "register", "import", "register.xlsx", "--office", "."], partial)
    else:
        shutil.copytree(before, partial)
        if stage == "confirmed":  # the audits' score sheets, filled in
            lifecycle.make_scoresheets(count, partial / "register.xlsx", partial / "scores")
        command = lifecycle.step_command(stage, count, CLI)
        run(command, partial)
        shutil.rmtree(partial / "out")
        if stage == "announced":
            make_planning(count, partial / "planning.xlsx")
    partial.rename(folder)
    return folder


@dataclass
class Side:
    name: str
    label: str
    stage: str  # the office it runs on
    suffix: str  # the documents it writes
    anchor: str = ""  # the side its ratio is to
    largest: int = 2000  # not run at larger sizes unless named with --only
    sizes: list[int] = field(default_factory=list)  # the sizes it runs at in this run

    def command(self, count: int) -> list[str]:
        if self.name in ("premailer", "css_inline"):
            return [sys.executable, str(HERE / f"anchor_{self.name}.py"), ".", "out"]
        step = {"announce": "announced", "confirm": "confirmed", "report": "concept",
                "report_final": "final", "decide": "decided"}.get(self.name, self.name)
        return lifecycle.step_command(step, count, CLI)


SIDES = [
    Side("announce", "cbct-docs announce", "registered", ".eml", "premailer", 10000),
    Side("premailer", "premailer script (anchor)", "registered", ".eml", "premailer"),
    Side("css_inline", "css-inline script (anchor)", "registered", ".eml", "premailer"),
    Side("confirm", "cbct-docs confirm", "announced", ".docx", largest=10000),
    Side("report", "cbct-docs report --concept", "confirmed", ".docx", largest=2000),
    Side("report_final", "cbct-docs report --definitief", "concept", ".docx", largest=2000),
    Side("decide", "cbct-docs decide (letter + certificaat)", "final", ".docx"),
    Side("heraudit", "cbct-docs heraudit", "decided", ".docx"),
    Side("survey", "cbct-docs survey", "decided", ".eml"),
]


def measure_once(side: Side, count: int, work: Path, number: int) -> dict[str, Any]:
    base = prepare(count, work, side.stage)
    office = work / f"run-{side.name}-{count}-{number}"
    fixed.set_aside(office, work)
    shutil.copytree(base, office)
    try:
        result = fixed.measured(side.command(count), office)  # its own peak RSS
        result["docs"] = sum(1 for _ in (office / "out").rglob(f"*{side.suffix}"))
    finally:
        fixed.set_aside(office, work)  # deleted when the bench ends
    return result


def measure(sides: list[Side], sizes: list[int], repeats: int, work: Path
            ) -> dict[tuple[str, int], list[dict[str, Any]]]:
    results: dict[tuple[str, int], list[dict[str, Any]]] = {}
    for count in sizes:
        these = [s for s in sides if count in s.sizes]
        for side in these:
            prepare(count, work, side.stage)
        for number in range(repeats):
            for side in these:
                result = measure_once(side, count, work, number)
                results.setdefault((side.name, count), []).append(result)
                print(f"  {side.label}, {count:,} organisations: {result['seconds']:.2f} s"
                      f" ({result['docs']:,} documents)", flush=True)
    return results


def table(sides: list[Side], sizes: list[int],
          results: dict[tuple[str, int], list[dict[str, Any]]]) -> None:
    print("| command | organisations | documents | seconds (median) | docs/s | × anchor | "
          "peak RSS MB |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    medians = {key: statistics.median(r["seconds"] for r in runs)
               for key, runs in results.items()}
    for count in sizes:
        for side in sides:
            if (side.name, count) not in results:
                continue
            runs, seconds = results[(side.name, count)], medians[(side.name, count)]
            docs = runs[0]["docs"]
            anchor = medians.get((side.anchor, count))
            ratio = f"{anchor / seconds:.1f}×" if anchor else ""
            rss = max(r["rss_mb"] for r in runs)
            print(f"| {side.label} | {count:,} | {docs:,} | {seconds:.2f} | "
                  f"{docs / seconds:,.0f} | {ratio} | {rss:.0f} |")
    if 500 in sizes and 2000 in sizes:
        for side in sides:
            if (side.name, 500) in medians and (side.name, 2000) in medians:
                growth = medians[(side.name, 2000)] / medians[(side.name, 500)]
                verdict = "met" if growth <= TARGET_GROWTH else "not met"
                print(f"{side.label}: 2,000 / 500 organisations = {growth:.2f}× the time "
                      f"(target ≤ {TARGET_GROWTH}×: {verdict})")
    verdicts(sides, results, medians)


def verdicts(sides: list[Side], results: dict[tuple[str, int], list[dict[str, Any]]],
             medians: dict[tuple[str, int], float]) -> None:
    """Each command at 2,000 organisations against issue 16's target."""
    for side in sides:
        if side.name not in TARGETS or (side.name, 2000) not in medians:
            continue
        rate, least = TARGETS[side.name]
        seconds = medians[(side.name, 2000)]
        made = results[(side.name, 2000)][0]["docs"]
        per_org = 2000 / seconds if side.name == "decide" else made / seconds
        anchor = medians.get((side.anchor, 2000))
        times = anchor / seconds if anchor else 0.0
        met = per_org >= rate and (not least or times >= least)
        unit = "organisations/s" if side.name == "decide" else "documents/s"
        print(f"{side.label} at 2,000: {per_org:,.0f} {unit}"
              + (f", {times:.1f}× the anchor" if anchor else "")
              + f" (target ≥ {rate:,.0f}/s" + (f" and ≥ {least:.0f}×" if least else "")
              + f": {'met' if met else 'not met'})")


def machine_speed() -> str:
    """How fast this machine runs Python at the moment: ten million additions in a loop,
    the best of three. Shared machines change speed from hour to hour (the anchors with
    them); this says how one run's figures compare with another's."""
    best = min(timeit.repeat("for i in range(10_000_000): s += i", "s = 0", number=1,
                             repeat=3))
    return f"machine speed: 10 million additions in a Python loop in {best:.2f} s (best of 3)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.commands", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 2000, 10000])
    parser.add_argument("--repeats", type=int, default=3, help="runs per side and size")
    names = [s.name for s in SIDES] + list(fixed.GROUPS)
    parser.add_argument("--only", nargs="+", choices=names, help="these sides only")
    parser.add_argument("--work", type=Path, help="folder for the offices (kept)")
    parser.add_argument("--side", nargs=2, metavar=("N", "DIR"),
                        help="one announce of N organisations in DIR, as a JSON line")
    args = parser.parse_args(argv)
    if args.side:
        count, work = int(args.side[0]), Path(args.side[1])
        work.mkdir(parents=True, exist_ok=True)
        result = measure_once(SIDES[0], count, work, 0)
        print(json.dumps({"seconds": result["seconds"], "count": result["docs"],
                          "note": "cbct-docs announce, whole process, on a fresh office "
                                  "(python -m bench.commands: with anchors, 500 and 2,000)",
                          "rss_mb": result["rss_mb"], "child_rss_mb": 0}))
        return 0
    sides = [s for s in SIDES if not args.only or s.name in args.only]
    sizes = sorted(args.sizes)
    for side in sides:
        side.sizes = [n for n in sizes
                      if n <= side.largest or (args.only and side.name in args.only)]
    groups = [g for g in fixed.GROUPS if not args.only or g in args.only]
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    compiled = compile_package()
    print(f"The commands, whole process ({os.cpu_count()} cores, load average {load}; "
          f"{args.repeats} runs per side, taking turns, medians; {compiled}); "
          f"{machine_speed()}", flush=True)
    with tempfile.TemporaryDirectory(prefix="cbct-bench-commands-") as scratch:
        work = args.work or Path(scratch)
        work.mkdir(parents=True, exist_ok=True)
        try:
            results = measure(sides, sizes, args.repeats, work) if sides else {}
            if sides:
                table(sides, sizes, results)
            for group in groups:
                fixed.GROUPS[group](work, args.repeats)
        finally:
            fixed.clear_set_aside(work)
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"Load average at the end: {load}; {machine_speed()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
