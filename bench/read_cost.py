"""Per-file cost of reading and recognising a roster, stage by stage, in-process (issue 12).

    .venv/bin/python bench/read_cost.py [--files 500] [--rows 30] [--profile]

For the same N rosters of R rows it prints the cost per file of:
- floor: a bare python-calamine read (open, every sheet to Python values);
- grids: `read_grids` (the zip and far-cell checks, calamine, merged cells, control characters);
- read one: `_read_one` (grids, kind detection, normalising every row);
- + render: `_read_isolated`, as a reader process runs it: read one, then its 汇总.xlsx rows rendered (issue 24);
- pool: `read_batch`, the reader processes included (hashing, the master's duplicate check, IPC).
With `--profile`, the top of a cProfile of `_read_isolated` over all files. Not a test: run it by hand and compare
before and after a change.
"""
from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scale import make_inbox  # noqa: E402  (the same roster generator)


def per_file(fn, paths: list[Path], repeat: int) -> float:
    """Median over `repeat` passes of the cost per file, in ms."""
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        for p in paths:
            fn(p)
        times.append((time.perf_counter() - t) / len(paths) * 1000)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=500)
    ap.add_argument("--rows", type=int, default=30)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--profile", action="store_true")
    args = ap.parse_args()

    from python_calamine import CalamineWorkbook

    from sureform import pipeline
    from sureform.editions import load_catalogue
    from sureform.intake.grid import ReadLimits, read_grids
    from sureform.intake.readers.base import FileRead

    root = Path(tempfile.mkdtemp(prefix="sureform-readcost-"))
    try:
        paths = make_inbox(root / "inbox", args.files, args.rows)
        catalogue = load_catalogue()
        limits = ReadLimits()

        def floor(p: Path) -> None:
            wb = CalamineWorkbook.from_path(str(p))
            [wb.get_sheet_by_index(i).to_python() for i in range(len(wb.sheet_names))]

        def read_one(p: Path) -> None:
            fr = FileRead(path=p, rel=str(p.relative_to(root / "inbox")), unit=p.parent.name)
            pipeline._read_one(fr, catalogue, limits)
            assert fr.kind == "roster" and len(fr.records) == args.rows, (fr.kind, fr.issues[:3])

        code = pipeline._code_stamp()

        def read_isolated(p: Path) -> None:
            fr = FileRead(path=p, rel=str(p.relative_to(root / "inbox")), unit=p.parent.name)
            pipeline._read_isolated(fr, catalogue, limits, code)
            assert fr.rendered and fr.rendered[0].rows == args.rows

        # first, as in `sureform run`: reader processes forked from a process that has not read yet
        opts = pipeline.RunOptions(root / "inbox", root / "outbox", root / "state", date(2026, 11, 24))
        scanned = pipeline.scan(opts)
        t = time.perf_counter()
        reads = pipeline.read_batch(scanned.files, opts)
        pool = (time.perf_counter() - t) / len(reads) * 1000
        assert all(fr.kind == "roster" for fr in reads)
        read_one(paths[0])  # first-use caches out of the figures
        print(f"{args.files} rosters x {args.rows} rows, ms per file (median of {args.repeat}):")
        print(f"  floor     {per_file(floor, paths, args.repeat):6.2f}")
        print(f"  grids     {per_file(lambda p: read_grids(p, limits), paths, args.repeat):6.2f}")
        print(f"  read one  {per_file(read_one, paths, args.repeat):6.2f}")
        print(f"  + render  {per_file(read_isolated, paths, args.repeat):6.2f}")
        print(f"  pool      {pool:6.2f}  (read_batch, one pass, starting the reader processes included)")
        if args.profile:
            prof = cProfile.Profile()
            prof.enable()
            for p in paths:
                read_isolated(p)
            prof.disable()
            out = io.StringIO()
            pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(25)
            print(out.getvalue())
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
