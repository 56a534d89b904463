"""How fast is intake? Reads, validates and commits N roster files of R rows each, in-process.

    .venv/bin/python bench/intake_throughput.py [--files 40] [--rows 40] [--repeat 3]

Prints the median wall time of a whole run and of each stage. Not a test: run it by hand and
compare before and after a change.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path


def make_inbox(inbox: Path, files: int, rows: int) -> None:
    from openpyxl import Workbook

    header = ["姓名", "学号", "院系", "入学年份", "政治面貌", "职务", "所在部门", "成绩排名", "不及格门数", "推荐团组织", "审核日期"]
    for f in range(files):
        unit = f"第{f:02d}系"
        wb = Workbook()
        ws = wb.active
        ws.append([f"{unit}工作人员名单"])
        ws.append(header)
        for r in range(rows):
            ws.append([f"学生{f}-{r}", f"2024{f:03d}{r:03d}", unit, 2024, "共青团员", "干事", "宣传部",
                       f"{1 + r % 12}/45", 0, f"{unit}团总支", "2026-09-20"])
        path = inbox / unit / "名单.xlsx"
        path.parent.mkdir(parents=True, exist_ok=True)
        wb.save(path)
        old = time.time() - 60
        os.utime(path, (old, old))


def one_run(files: int, rows: int) -> dict[str, float]:
    from sureform import pipeline

    root = Path(tempfile.mkdtemp(prefix="sureform-bench-"))
    try:
        make_inbox(root / "inbox", files, rows)
        opts = pipeline.RunOptions(root / "inbox", root / "outbox", root / "state", date(2026, 11, 24))
        t = {}
        start = time.perf_counter()
        scanned = pipeline.scan(opts)
        t["scan"] = time.perf_counter()
        reads = pipeline.read_batch(scanned.files, opts)
        t["read"] = time.perf_counter()
        pipeline.validate_batch(reads, opts)
        t["validate"] = time.perf_counter()
        pipeline.commit_batch(reads, opts)
        t["commit"] = time.perf_counter()
        pipeline.write_feedback_files(reads, opts)
        consolidation = pipeline.consolidate(opts)
        t["consolidate"] = time.perf_counter()
        pipeline.write_outputs(consolidation, opts)
        pipeline.release_batch(reads, opts)
        t["outputs"] = time.perf_counter()
        prev, out = start, {}
        for k, v in t.items():
            out[k] = v - prev
            prev = v
        out["total"] = prev - start
        return out
    finally:
        shutil.rmtree(root, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=40)
    ap.add_argument("--rows", type=int, default=40)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    runs = [one_run(args.files, args.rows) for _ in range(args.repeat)]
    print(f"{args.files} files x {args.rows} rows, median of {args.repeat} runs:")
    for key in runs[0]:
        print(f"  {key:12s} {statistics.median(r[key] for r in runs) * 1000:8.1f} ms")
    per_file = statistics.median(r["read"] for r in runs) / args.files * 1000
    print(f"  read per file {per_file:.2f} ms")


if __name__ == "__main__":
    main()
