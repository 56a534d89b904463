"""The cost of 进度.html and the units' pages at scale: N units × R rows (bench/scale.py's rosters).

    .venv/bin/python bench/progress_pages.py [--files 2000] [--rows 30]

After one in-process run of the sample (not timed), it measures `pipeline.write_progress` with a consolidation
(collect the facts, render every page, write them) on a fresh outbox, again with nothing changed (nothing
written), and without a consolidation (a run with nothing new: the recorded facts rendered again). Not a test.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from scale import make_inbox  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=2000)
    ap.add_argument("--rows", type=int, default=30)
    args = ap.parse_args()
    from datetime import date

    from sureform import pipeline
    from sureform.outputs import progress

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        make_inbox(root / "inbox", args.files, args.rows, finding=True)
        opts = pipeline.RunOptions(root / "inbox", root / "outbox", root / "state", date(2026, 11, 24), "2020", 0.0,
                                   deadline=date(2026, 11, 30))
        t = time.perf_counter()
        pipeline.run_intake(opts)
        print(f"the run itself (pages included): {time.perf_counter() - t:.2f} s")
        consolidation = pipeline.consolidate(opts)
        for page in opts.outbox.rglob(progress.PROGRESS_NAME):
            page.unlink()
        (opts.state / pipeline.PROGRESS_RECORD).unlink()
        for label, cons in (("fresh: collect, render, write every page", consolidation),
                            ("nothing changed: collect, render, write nothing", consolidation),
                            ("nothing new: render the recorded facts", None)):
            t = time.perf_counter()
            pipeline.write_progress(opts, cons)
            print(f"{label}: {time.perf_counter() - t:.2f} s")
        with pipeline.Store(opts.db_path) as store:
            t = time.perf_counter()
            facts = progress.collect(store, consolidation, opts.catalogue(), opts.inbox, opts.outbox, opts.as_of)
            print(f"  of which collect: {time.perf_counter() - t:.2f} s")
        from datetime import datetime

        t = time.perf_counter()
        pages = progress.pages(facts, opts.outbox, datetime(2026, 11, 24, 10), opts.deadline)
        print(f"  of which render {len(pages)} pages: {time.perf_counter() - t:.2f} s, "
              f"main page {len(pages[opts.outbox / progress.PROGRESS_NAME]) / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
