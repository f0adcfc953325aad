"""``python -m bench.web [--count N] [--repeat R]``: the web app's overview and review pages
for an office of N organisations (default 2,000), all with their audit in one quarter.

Not a test: it prints milliseconds per page: the first request, then the median and best
of R more (as they come again, or each after a change made elsewhere — an event recorded,
a document approved — which the page must read anew), and the median CPU time of this
process (which others on the machine do not add to), against the target of issue 13
(each page under 200 ms on this machine). Timed through
Flask's test client, so it measures the app (database, rules, files, templates), not the
network. The review page shows 25 documents, but checks all of them (problems first):
its first request reads every e-mail of the batch.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import data

TARGET_MS = 200.0


def make_office(folder: Path, count: int) -> None:
    from cbct_docs.runs.register import register_workbook

    root = Path(__file__).resolve().parent.parent
    (folder / "cbct-docs.toml").write_text((root / "cbct-docs.toml").read_text("utf-8"),
                                           encoding="utf-8")
    (folder / "register.xlsx").write_bytes(register_workbook(data.organisations(count)))


Timing = tuple[float, list[float], list[float]]  # first (ms), then wall and CPU ms of R more


def timed(client: Any, url: str, repeat: int,
          change: Callable[[int], None] | None = None) -> Timing:
    """The first request, then ``repeat`` more; each after ``change(i)`` when given (the
    office changed since the page was last shown, as after every action)."""
    def once() -> tuple[float, float]:
        start, cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        elapsed = (time.perf_counter() - start) * 1000
        used = (time.process_time() - cpu) * 1000
        if response.status_code != 200:
            raise SystemExit(f"{url}: HTTP {response.status_code}\n"
                             f"{response.get_data(as_text=True)[:2000]}")
        return elapsed, used

    first = once()[0]
    more = []
    for number in range(repeat):
        if change is not None:
            change(number)
        more.append(once())
    return first, [wall for wall, _cpu in more], [cpu for _wall, cpu in more]


def made_by_button(client: Any, overview: str, action: str) -> str:
    """A batch made as a person does: the overview's button (with its CSRF token), then
    the progress page until it leads to the review; the review page's address."""
    import re

    page = client.get(overview).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token is not None
    response = client.post(action, data={"kwartaal": "2025-Q2", "datum": "2025-03-03",
                                         "csrf_token": token.group(1)})
    location = response.headers["Location"]
    while True:
        response = client.get(location)
        if response.status_code == 302:
            return str(response.headers["Location"])
        if "Er is niets gemaakt" in response.get_data(as_text=True):
            raise SystemExit(f"{action}: nothing made")
        time.sleep(0.05)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.web", description=__doc__)
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="cbct-bench-web-") as scratch:
        folder = Path(scratch)
        os.environ["CBCT_LEDGER"] = str(folder / "cbct-ledger.sqlite")
        os.environ.setdefault("CBCT_USER", "bench")
        make_office(folder, args.count)

        from cbct_docs.domain.planning import Quarter
        from cbct_docs.runs.before_audit import intake_reminder
        from cbct_docs.runs.documents import batches, out_folder
        from cbct_docs.runs.office import open_office
        from cbct_docs.web import compile_templates, create_app

        app = create_app(folder, require_login=False)
        compile_templates(app)  # as cbct-docs serve does when it starts
        client = app.test_client()
        overview = f"/?kwartaal=2025-Q2&peildatum={data.TODAY.isoformat()}"
        start = time.perf_counter()
        client.get(overview)  # reads the register into the office database
        read_in = time.perf_counter() - start
        rows: list[tuple[str, float, list[float], list[float]]] = []
        rows.append(("overview, nothing announced", *timed(client, overview, args.repeat)))

        start = time.perf_counter()
        review = made_by_button(client, overview, "/maken/aankondigingen")
        made = time.perf_counter() - start
        place = open_office(folder)
        found = batches(place)[0]
        place.close()
        batch_id, documents = found.id, [item.event_id for item in found.items]
        numbers = [item.cert_nr for item in found.items]

        def intake(number: int) -> None:  # recorded elsewhere: the page reads anew
            from cbct_docs.runs.record import Happening, record

            other = open_office(folder, user="collega")
            try:
                record(other, [Happening(numbers[number], "intake-ontvangen", data.TODAY)])
            finally:
                other.close()

        def approval(number: int) -> None:
            from cbct_docs.runs.approval import approve

            other = open_office(folder, user="collega")
            try:
                approve(other, batch_id, only=[documents[-1 - number]])
            finally:
                other.close()

        assert review == f"/reeks/{batch_id}", review
        rows.append(("overview, all announced", *timed(client, overview, args.repeat)))
        rows.append(("overview, after each recorded event",
                     *timed(client, overview, args.repeat, intake)))
        rows.append(("review page (25 shown, all checked)",
                     *timed(client, review, args.repeat)))
        rows.append(("review page, after each approval",
                     *timed(client, review, args.repeat, approval)))
        rows.append(("review page 80 (the last)",
                     *timed(client, f"{review}?pagina=80", args.repeat)))
        rows.append(("batches list", *timed(client, "/reeksen", args.repeat)))
        # A batch made on the command line: its first review checks every document.
        place = open_office(folder)
        intake_reminder(place, Quarter(2025, 2), dt.date(2025, 3, 20), out=out_folder(place))
        reminders = batches(place)[0].id
        place.close()
        rows.append(("review, batch made on the command line",
                     *timed(client, f"/reeks/{reminders}", args.repeat)))

    print(f"Web app, {args.count} organisations (Python {sys.version.split()[0]}); "
          f"register read in {read_in:.1f} s, {len(documents)} announcements made through "
          f"the overview's button in {made:.1f} s (their review's checks included).")
    print(f"{'page':<40} {'first ms':>9} {'median ms':>10} {'best ms':>8} {'cpu ms':>7}  target")
    for label, first, times, cpu in rows:
        median = statistics.median(times)
        verdict = "ok" if median < TARGET_MS else f"over {TARGET_MS:.0f} ms"
        print(f"{label:<40} {first:>9.0f} {median:>10.0f} {min(times):>8.0f} "
              f"{statistics.median(cpu):>7.0f}  {verdict}")
    load = Path("/proc/loadavg")
    if load.is_file():  # others on the machine slow the wall clock, not the CPU time
        print(f"Load average (1, 5, 15 min): {' '.join(load.read_text().split()[:3])}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
