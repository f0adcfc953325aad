"""Reading a large register through the command path: ``python -m bench.readers``.

Builds registers of 10,000 and 100,000 organisations (the sample register's rows,
repeated with new certificate numbers, saved by openpyxl as the sample is: inline
strings, real date cells), then runs, each in a fresh process as a user would:

- ``read_records(REGISTER)``: the reader alone, every record (what the commands call);
- ``cbct-docs register check REGISTER`` (read + check every organisation);
- ``cbct-docs merge mail.html REGISTER --limit 1`` (read every record, make one document).

Prints seconds, rows/s and peak RSS per run, and the growth from 10k to 100k rows
(issue 15's targets: 100,000 rows ≤ 5 s, growth within 12× for 10× the rows). Not a
timed test: the figures depend on the machine and its load (printed with them).

``python -m bench.readers --side N DIR`` measures one register check of N rows and prints
one JSON line, for ``python -m bench`` (group ``readers``).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
TARGET_SECONDS = 5.0
TARGET_GROWTH = 12.0


def make_register(rows: int, path: Path) -> Path:
    """A valid register of ``rows`` organisations (cached per size in ``path``'s folder)."""
    import openpyxl

    from cbct_docs.records import read_records

    if path.is_file():
        return path
    sample = read_records(ROOT / "samples" / "register.xlsx")
    header = list(sample[0].fields)
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Organisaties")
    sheet.append(header)
    for number in range(rows):
        fields = dict(sample[number % len(sample)].fields)
        fields["cert_nr"] = f"CBCT-{number + 1:06d}"
        fields["email"] = f"info{number}@{str(fields['email']).partition('@')[2]}"
        sheet.append([fields[name] for name in header])
    partial = path.with_suffix(".tmp")
    workbook.save(partial)
    partial.replace(path)
    return path


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


CLI = ("import resource, sys; sys.argv = ['cbct-docs', *sys.argv[1:]];"
       "from cbct_docs.cli import main\n"
       "try:\n    main(sys.argv[1:])\n"
       "finally:\n"
       "    print('RSS', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)")
# The reader alone, as the commands call it: every record of the first sheet.
READ = ("import resource, sys\n"
        "from cbct_docs.records import read_records\n"
        "print(len(read_records(sys.argv[1])), 'records')\n"
        "print('RSS', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)")


def run(command: list[str], cwd: Path, code: str = CLI) -> dict[str, Any]:
    """One whole process; wall seconds, its CPU seconds (user + system: what other load
    on the machine changes least) and its peak RSS."""
    start, cpu = time.perf_counter(), _children_cpu()
    done = subprocess.run([sys.executable, "-c", code, *command], cwd=cwd,
                          capture_output=True, text=True, timeout=1800)
    seconds = time.perf_counter() - start
    cpu = _children_cpu() - cpu
    rss = next((int(line.split()[1]) for line in done.stderr.splitlines()
                if line.startswith("RSS ")), 0)
    if done.returncode != 0:
        tail = (done.stderr.strip() or done.stdout.strip()).splitlines()[-3:]
        raise RuntimeError(f"{' '.join(command[:2])} failed: {' / '.join(tail)}")
    return {"seconds": seconds, "cpu": cpu, "rss_mb": rss / 1024}


def measure(rows: int, work: Path) -> dict[str, dict[str, Any]]:
    register = make_register(rows, work / f"register-{rows}.xlsx")
    template = work / "mail.html"
    template.write_text("<p>Beste {{ contact }}, {{ name }}</p>\n", encoding="utf-8")
    out = work / f"out-{rows}"
    return {
        "read_records (the reader)": run([str(register)], work, READ),
        "register check": run(["register", "check", str(register)], work),
        "merge --limit 1": run(["merge", str(template), str(register), "--limit", "1",
                                "--out", str(out), "--overwrite", "--quiet"], work),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.readers", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--work", type=Path, help="folder for the registers (kept)")
    parser.add_argument("--side", nargs=2, metavar=("N", "DIR"),
                        help="one register check of N rows in DIR, as a JSON line")
    args = parser.parse_args(argv)
    if args.side:
        rows, work = int(args.side[0]), Path(args.side[1])
        work.mkdir(parents=True, exist_ok=True)
        register = make_register(rows, work / f"register-{rows}.xlsx")
        result = run(["register", "check", str(register)], work)
        print(json.dumps({"seconds": result["seconds"], "count": rows,
                          "note": "cbct-docs register check, whole process (rows/s)",
                          "rss_mb": result["rss_mb"], "child_rss_mb": 0}))
        return 0
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"Reading a register through the command path ({os.cpu_count()} cores, "
          f"load average {load}); target: 100,000 rows ≤ {TARGET_SECONDS:.0f} s, "
          f"growth ≤ {TARGET_GROWTH:.0f}× for 10× the rows")
    with tempfile.TemporaryDirectory(prefix="cbct-bench-readers-") as scratch:
        work = args.work or Path(scratch)
        work.mkdir(parents=True, exist_ok=True)
        results = {rows: measure(rows, work) for rows in sorted(args.sizes)}
    print("| command | rows | seconds | CPU seconds | rows/s | peak RSS MB |")
    print("|---|---:|---:|---:|---:|---:|")
    for rows, commands in results.items():
        for name, result in commands.items():
            print(f"| {name} | {rows:,} | {result['seconds']:.2f} | {result['cpu']:.2f} | "
                  f"{rows / result['seconds']:,.0f} | {result['rss_mb']:.0f} |")
    sizes = sorted(results)
    if len(sizes) >= 2:
        small, large = sizes[0], sizes[-1]
        for name in results[small]:
            growth = results[large][name]["seconds"] / results[small][name]["seconds"]
            seconds = results[large][name]["seconds"]
            met = growth <= TARGET_GROWTH * (large / small) / 10 and (
                large != 100_000 or seconds <= TARGET_SECONDS)
            print(f"{name}: {large:,} rows / {small:,} rows = {growth:.1f}× the time "
                  f"({large / small:.0f}× the rows); {large:,} rows in {seconds:.1f} s — "
                  f"{'met' if met else 'not met'}")
    print("load average at the end: " + ", ".join(f"{x:.2f}" for x in os.getloadavg()))
    print(f"(peak RSS of this process: "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
