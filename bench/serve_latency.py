"""Benchmark (not a test): seconds from a roster landing in the inbox to its result in the outbox, under
`sureform serve` with default settings (poll every 10 s, 3 s stability window), once per watch mode:

- `events`: the inbox on a local disk, learnt of by inotify (`--watch events`), the adaptive 1 s window;
- `poll`: a share simulated by forcing polling (`--watch poll`), the configured window.

For each mode it starts `sureform serve` as a subprocess on temporary folders (its own embedded Prefect
server on a free port, PREFECT_* isolated), drops a roster several times at random moments of the poll
cycle, and measures until its feedback workbook or an updated `outbox/汇总.xlsx` appears. Prints each
figure, then the median and worst case per mode.

    .venv/bin/python bench/serve_latency.py                # 7 drops per mode, both modes
    .venv/bin/python bench/serve_latency.py --drops 15 --modes poll --poll-interval 5 --stability-window 2
"""
from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HEADER = ["姓名", "学号", "院系", "入学年份", "政治面貌", "职务", "所在部门", "成绩排名", "不及格门数", "推荐团组织", "审核日期"]
UNIT = "石油工程系"


def roster(path: Path, n: int) -> Path:
    """A roster with one finding (群众 on the union's staff), so every drop also gets a feedback workbook."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(HEADER)
    ws.append([f"张{n}", f"20240101{n:02d}", UNIT, 2024, "共青团员", "干事", "宣传部", "3/45", 0, f"{UNIT}团总支", "2026-09-20"])
    ws.append([f"李{n}", f"20240102{n:02d}", UNIT, 2024, "群众", "干事", "宣传部", "5/45", 0, f"{UNIT}团总支", "2026-09-20"])
    wb.save(path)
    return path


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--drops", type=int, default=7, help="drops per mode")
    ap.add_argument("--modes", default="events,poll", help="watch modes to measure, in order (events, poll)")
    ap.add_argument("--poll-interval", default=None, help="passed to serve (default: serve's own, 10)")
    ap.add_argument("--stability-window", default=None, help="passed to serve (default: serve's own, 3)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder (serve.log in it)")
    args = ap.parse_args()
    results = {}
    for mode in [m.strip() for m in args.modes.split(",") if m.strip()]:
        print(f"--- watch = {mode}")
        latencies = measure(args, mode)
        if latencies is None:
            return 1
        results[mode] = latencies
    for mode, latencies in results.items():
        print(f"{mode:>6}: median {statistics.median(latencies):.1f} s, mean {statistics.mean(latencies):.1f} s, "
              f"min {min(latencies):.1f} s, max {max(latencies):.1f} s over {len(latencies)} drops "
              f"(poll {args.poll_interval or 10} s, stability window {args.stability_window or 3} s)")
    return 0


def measure(args, mode: str) -> list[float] | None:
    rng = random.Random(args.seed)
    poll = float(args.poll_interval or 10)

    root = Path(tempfile.mkdtemp(prefix="sureform-bench-"))
    inbox, outbox, state, ready = root / "inbox", root / "outbox", root / "state", root / "ready"
    for d in (inbox / UNIT, ready):
        d.mkdir(parents=True)
    sources = [roster(ready / f"名单_{i:02d}.xlsx", i) for i in range(args.drops)]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "SUREFORM_"))}
    env["HOME"] = str(root)
    cmd = [sys.executable, "-m", "sureform.cli", "serve", "--inbox", str(inbox), "--outbox", str(outbox),
           "--state", str(state), "--server-port", "0", "--watch", mode]
    if args.poll_interval:
        cmd += ["--poll-interval", args.poll_interval]
    if args.stability_window:
        cmd += ["--stability-window", args.stability_window]
    log = root / "serve.log"
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=root, env=env, stdin=subprocess.DEVNULL, stdout=open(log, "wb"),
                            stderr=subprocess.STDOUT)
    latencies: list[float] = []
    try:
        while "sureform serve 已就绪" not in log.read_text(errors="replace"):
            if proc.poll() is not None or time.monotonic() - t0 > 300:
                print(log.read_text(errors="replace")[-3000:], file=sys.stderr)
                return None
            time.sleep(0.2)
        startup = time.monotonic() - t0
        text = log.read_text(errors="replace")
        m = re.search(r"Prefect 服务器已就绪（([\d.]+) 秒）", text)
        print(f"serve ready after {startup:.1f} s (embedded Prefect server healthy after {m.group(1) if m else '?'} s)")
        master = outbox / "汇总.xlsx"
        for i, src in enumerate(sources):
            time.sleep(rng.uniform(0, poll))  # land at a random moment of the poll cycle
            before = master.stat().st_mtime_ns if master.exists() else None
            returned = outbox / "反馈" / UNIT
            feedbacks = [returned / f"{src.stem}_错误标注.xlsx", returned / f"{src.name}_错误标注.xlsx"]
            dest = inbox / UNIT / src.name
            start = time.monotonic()
            shutil.copyfile(src, dest)  # a fresh mtime, as a copy over a share would have
            while True:
                done = any(f.exists() for f in feedbacks) or (master.exists() and master.stat().st_mtime_ns != before)
                if done or time.monotonic() - start > 180:
                    break
                time.sleep(0.05)
            took = time.monotonic() - start
            if not done:
                print(f"drop {i + 1}: no result after {took:.0f} s", file=sys.stderr)
                return None
            latencies.append(took)
            print(f"drop {i + 1}: {took:5.1f} s")
            while dest.exists() and time.monotonic() - start < 180:  # the run finishes and releases the file
                time.sleep(0.1)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(90)
        except subprocess.TimeoutExpired:
            proc.kill()
        if args.keep:
            print(f"kept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
    return latencies


if __name__ == "__main__":
    sys.exit(main())
