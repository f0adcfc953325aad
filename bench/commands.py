"""The lifecycle commands as a user runs them: ``python -m bench.commands``.

Builds an office of 500 and of 2,000 organisations (a register written with openpyxl from
the sample rows of samples/make_register.py, each with its own cert_nr and e-mail address,
certified_until spread over 2025-Q2; cbct-docs.toml copied from the repository; the
register read into the office database once, not timed), then times whole processes,
each on a fresh copy of that office:

- ``cbct-docs announce -q 2025-Q2 --date 13-1-2025 --office DIR --out DIR/out``;
- the same e-mails by two anchor scripts (bench/anchor_premailer.py: plain Jinja,
  premailer, the standard library's EmailMessage; bench/anchor_css_inline.py: the same with
  css-inline);
- ``cbct-docs confirm planning.xlsx --date 3-3-2025`` (a bevestigingsbrief per audit of a
  planning with two appointments per organisation, on an office announced already).

The sides take turns (A B C A B C …) and the table gives medians, documents per second, the
ratio to the premailer script, peak RSS of the process, and the growth from 500 to 2,000
organisations (issue 16: announce ≥ 2,000 e-mails/s at 2,000 and ≥ 10× the premailer
script; growth ≤ 4.4× for 4× the organisations). Not a timed test: the figures depend on
the machine and its load (printed with them).

``python -m bench.commands --side N DIR`` measures one announce of N organisations and
prints one JSON line, for ``python -m bench`` (group ``commands``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BIN = Path(sys.executable).parent
TARGET_RATE = 2000.0
TARGET_RATIO = 10.0
TARGET_GROWTH = 4.4
Q2 = dt.date(2025, 4, 1)


def make_register(count: int, path: Path) -> None:
    """``count`` organisations from the sample rows: unique cert_nr and e-mail address,
    certified_until spread over the 91 days of 2025-Q2."""
    import openpyxl

    sys.path.insert(0, str(ROOT / "samples"))
    from make_register import COLUMNS, ORGANISATIONS

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Organisaties"
    sheet.append(COLUMNS)
    email, until = COLUMNS.index("email"), COLUMNS.index("certified_until")
    for number in range(count):
        row = list(ORGANISATIONS[number % len(ORGANISATIONS)])
        row[0] = f"CBCT-{number + 1:05d}"
        row[email] = f"info{number + 1}@{row[email].partition('@')[2]}"
        row[until] = Q2 + dt.timedelta(days=number % 91)
        sheet.append(row)
    workbook.save(path)


#: Auditors and half-day appointments per audit category (the frameworks' categories).
CATEGORIES = {"I": (1, 2), "II": (2, 3), "III": (2, 4), "IV": (3, 6)}
AUDITORS = ["Anna de Wit", "Karim El Amrani", "Esra Yılmaz"]


def make_planning(count: int, path: Path) -> None:
    """Sheets Audits and Afspraken as samples/make_planning.py writes them: every
    organisation announced on 13-1-2025, its category's auditors and half-days in May."""
    import openpyxl

    sys.path.insert(0, str(ROOT / "samples"))
    from make_register import COLUMNS, ORGANISATIONS

    workbook = openpyxl.Workbook()
    audits = workbook.active
    assert audits is not None
    audits.title = "Audits"
    audits.append(["cert_nr", "aangekondigd", "auditoren"])
    appointments = workbook.create_sheet("Afspraken")
    appointments.append(["cert_nr", "datum", "begin", "eind", "locatie", "onderdeel"])
    for number in range(count):
        cert_nr = f"CBCT-{number + 1:05d}"
        category = ORGANISATIONS[number % len(ORGANISATIONS)][COLUMNS.index("category")]
        auditors, half_days = CATEGORIES[category]
        audits.append([cert_nr, dt.date(2025, 1, 13), "; ".join(AUDITORS[:auditors])])
        first = dt.date(2025, 5, 5) + dt.timedelta(days=number % 20)
        for half in range(half_days):
            day = first + dt.timedelta(days=half // 2)
            begin, end = ((dt.time(9, 0), dt.time(12, 30)) if half % 2 == 0
                          else (dt.time(13, 30), dt.time(17, 0)))
            appointments.append([cert_nr, day, begin, end, "Hoofdvestiging, Havenstraat 12",
                                 f"Auditgesprek {half + 1}"])
    workbook.save(path)


def run(command: list[str], cwd: Path) -> dict[str, Any]:
    """One whole process: wall seconds and its peak RSS (from wait4, its own)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, stdout=out, stderr=err)
        _pid, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            err.seek(0)
            out.seek(0)
            tail = (err.read() or out.read()).decode(errors="replace").strip().splitlines()
            raise RuntimeError(f"{' '.join(command[:3])} failed: {' / '.join(tail[-3:])}")
    return {"seconds": seconds, "rss_mb": usage.ru_maxrss / 1024}


def prepare(count: int, work: Path, announced: bool) -> Path:
    """An office folder of ``count`` organisations, the register read in (and, for
    ``confirm``, announced already); made once per size, copied for every timed run."""
    folder = work / f"office-{count}{'-announced' if announced else ''}"
    if folder.is_dir():
        return folder
    partial = folder.with_name(folder.name + ".tmp")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    shutil.copy(ROOT / "cbct-docs.toml", partial / "cbct-docs.toml")
    make_register(count, partial / "register.xlsx")
    run([str(BIN / "cbct-docs"), "register", "import", "register.xlsx",
         "--office", str(partial)], partial)
    if announced:
        run(announce_command(partial), partial)
        shutil.rmtree(partial / "out")
        make_planning(count, partial / "planning.xlsx")
    partial.rename(folder)
    return folder


def announce_command(office: Path) -> list[str]:
    return [str(BIN / "cbct-docs"), "announce", "-q", "2025-Q2", "--date", "13-1-2025",
            "--office", str(office), "--out", str(office / "out")]


@dataclass
class Side:
    name: str
    label: str
    announced: bool  # runs on an office announced already (confirm)
    suffix: str  # the documents it writes

    def command(self, office: Path) -> list[str]:
        if self.name == "announce":
            return announce_command(office)
        if self.name == "confirm":
            return [str(BIN / "cbct-docs"), "confirm", str(office / "planning.xlsx"),
                    "--date", "3-3-2025", "--office", str(office), "--out",
                    str(office / "out")]
        return [sys.executable, str(HERE / f"anchor_{self.name}.py"), str(office),
                str(office / "out")]


SIDES = [
    Side("announce", "cbct-docs announce", False, ".eml"),
    Side("premailer", "premailer script (anchor)", False, ".eml"),
    Side("css_inline", "css-inline script (anchor)", False, ".eml"),
    Side("confirm", "cbct-docs confirm", True, ".docx"),
]


def measure_once(side: Side, count: int, work: Path, number: int) -> dict[str, Any]:
    base = prepare(count, work, side.announced)
    office = work / f"run-{side.name}-{count}-{number}"
    shutil.rmtree(office, ignore_errors=True)
    shutil.copytree(base, office)
    try:
        result = run(side.command(office), office)
        result["docs"] = sum(1 for _ in (office / "out").rglob(f"*{side.suffix}"))
    finally:
        shutil.rmtree(office, ignore_errors=True)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.commands", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 2000])
    parser.add_argument("--repeats", type=int, default=3, help="runs per side and size")
    parser.add_argument("--only", nargs="+", choices=[s.name for s in SIDES],
                        help="these sides only")
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
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"The lifecycle commands, whole process ({os.cpu_count()} cores, load average "
          f"{load}; {args.repeats} runs per side, taking turns, medians)", flush=True)
    results: dict[tuple[str, int], list[dict[str, Any]]] = {}
    with tempfile.TemporaryDirectory(prefix="cbct-bench-commands-") as scratch:
        work = args.work or Path(scratch)
        work.mkdir(parents=True, exist_ok=True)
        for count in sorted(args.sizes):
            for side in sides:
                prepare(count, work, side.announced)
            for number in range(args.repeats):
                for side in sides:
                    result = measure_once(side, count, work, number)
                    results.setdefault((side.name, count), []).append(result)
                    print(f"  {side.label}, {count:,} organisations: "
                          f"{result['seconds']:.2f} s", flush=True)
    print("| command | organisations | documents | seconds (median) | docs/s | "
          "× premailer script | peak RSS MB |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    medians = {key: statistics.median(r["seconds"] for r in runs)
               for key, runs in results.items()}
    for count in sorted(args.sizes):
        for side in sides:
            runs, seconds = results[(side.name, count)], medians[(side.name, count)]
            docs = runs[0]["docs"]
            anchor = medians.get(("premailer", count))
            ratio = f"{anchor / seconds:.1f}×" if anchor and side.suffix == ".eml" else ""
            rss = max(r["rss_mb"] for r in runs)
            print(f"| {side.label} | {count:,} | {docs:,} | {seconds:.2f} | "
                  f"{docs / seconds:,.0f} | {ratio} | {rss:.0f} |")
    sizes = sorted(args.sizes)
    if len(sizes) >= 2:
        small, large = sizes[0], sizes[-1]
        allowed = TARGET_GROWTH * (large / small) / 4
        for side in sides:
            growth = medians[(side.name, large)] / medians[(side.name, small)]
            verdict = "met" if growth <= allowed else "not met"
            print(f"{side.label}: {large:,} / {small:,} organisations = {growth:.2f}× the "
                  f"time ({large / small:.0f}× the organisations; target ≤ {allowed:.1f}×: "
                  f"{verdict})")
    if ("announce", max(sizes)) in medians:
        count = max(sizes)
        rate = results[("announce", count)][0]["docs"] / medians[("announce", count)]
        anchor = medians.get(("premailer", count))
        ratio = anchor / medians[("announce", count)] if anchor else 0.0
        met = rate >= TARGET_RATE and (not anchor or ratio >= TARGET_RATIO)
        print(f"announce at {count:,}: {rate:,.0f} e-mails/s"
              + (f", {ratio:.1f}× the premailer script" if anchor else "")
              + f" (target ≥ {TARGET_RATE:,.0f}/s and ≥ {TARGET_RATIO:.0f}×: "
              + ("met" if met else "not met") + ")")
    return 0


if __name__ == "__main__":
    sys.exit(main())
