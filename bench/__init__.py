"""Side-by-side benchmarks: ``python -m bench`` (``make bench``).

Every measured side runs in a fresh Python process (``python -m bench.side``), so that its
peak RSS (``resource.getrusage``) is its own. The table goes to stdout and to
``bench/results.md``. The bench never fails a build: a side that cannot run is reported
as skipped, with the reason.
"""
