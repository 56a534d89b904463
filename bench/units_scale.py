"""二级 at scale (issue 20 point 9): the sample data with N 院系 unions in 机构信息's 二级组织信息, under the 2021
edition (one (二) table per union in both documents), against the sample itself.

    .venv/bin/python bench/units_scale.py [--units 1000] [--curve 100,300,1000] [--edition 2021] [--profile]

Each `sureform run` is a whole process on a fresh state (process start, imports, everything); the script prints
its time, its peak RSS (children included) and the difference to the sample's run. With `--curve`, the cost per
union for growing N (it should stay flat). `--profile` runs the largest N once in-process under cProfile and
prints the top of it. Not a test: run it by hand. Target: 1,000 unions ≤ a few seconds more than the sample;
more than UNITS_MAX unions are refused with one Chinese error on the 机构信息 file.
"""
from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
EXAMPLES = ROOT / "examples" / "inbox"
CATEGORIES = [  # (类别, 日期, 名称/姓名, 说明): one union's facts, as the sample's 石油工程系 has them
    ("部门", None, "办公室", "负责办公室的日常工作，服务本系同学。"),
    ("部门", None, "宣传部", "负责宣传部的日常工作，服务本系同学。"),
    ("学生代表大会", "2020-10-09", "第三次学生代表大会", None),
    ("春季培训", "2020-04-10", "学生会工作人员春季全员培训", None),
    ("秋季培训", "2020-10-20", "学生会工作人员秋季全员培训", None),
    ("党组织听取汇报", "2020-09-25", "系党总支会议", None),
    ("团组织负责人", None, "王老师", "系团总支书记"),
]


def make_inbox(inbox: Path, units: int) -> None:
    """The sample inbox, its 机构信息's 二级组织信息 holding `units` more unions (第0001系 …)."""
    from datetime import date

    from openpyxl import load_workbook

    shutil.copytree(EXAMPLES, inbox)
    path = inbox / "机构信息.xlsx"
    wb = load_workbook(path)
    ws = wb["二级组织信息"]
    for n in range(units):
        for category, day, name, detail in CATEGORIES:
            ws.append([f"第{n + 1:04d}系", "学生会", category, date.fromisoformat(day) if day else None, name, detail,
                       None])
    wb.save(path)
    old = time.time() - 3600
    for p in inbox.rglob("*"):
        os.utime(p, (old, old))


def run_once(units: int, edition: str, keep: bool = False) -> tuple[float, float, int, str]:
    """(seconds, peak RSS MiB, exit status, what became of 机构信息.xlsx) of one fresh `sureform run` with `units`
    more unions."""
    root = Path(tempfile.mkdtemp(prefix="sureform-units-"))
    try:
        make_inbox(root / "inbox", units)
        cmd = [str(ROOT / ".venv" / "bin" / "sureform"), "run", "--inbox", str(root / "inbox"), "--outbox",
               str(root / "outbox"), "--state", str(root / "state"), "--as-of", "2020-11-24", "--settle", "0",
               "--edition", edition, "--json"]
        t = time.perf_counter()
        with tempfile.TemporaryFile() as err, tempfile.TemporaryFile() as out:
            proc = subprocess.Popen(cmd, cwd=root, stdout=out, stderr=err)
            _, status, usage = os.wait4(proc.pid, 0)
            took = time.perf_counter() - t
            if status:
                err.seek(0)
                sys.stderr.write(err.read().decode("utf-8", "replace")[-2000:])
            out.seek(0)
            try:
                report = json.loads(out.read().decode("utf-8"))
                institution = next(f for f in report["files"] if f["path"] == "机构信息.xlsx")
                codes = sorted({i["code"] for i in institution["issues"] if i["severity"] == "error"})
                said = institution["status"] + (f" ({', '.join(codes)})" if codes else "")
            except (ValueError, StopIteration, KeyError):
                said = "?"
        return took, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status), said
    finally:
        if keep:
            print(f"  kept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)


def profile(units: int, edition: str) -> None:
    from datetime import date

    sys.path.insert(0, str(ROOT))
    from sureform.pipeline import RunOptions, run_pipeline

    root = Path(tempfile.mkdtemp(prefix="sureform-units-prof-"))
    try:
        make_inbox(root / "inbox", units)
        opts = RunOptions(root / "inbox", root / "outbox", root / "state", date(2020, 11, 24), edition, 0)
        prof = cProfile.Profile()
        prof.enable()
        run_pipeline(opts)
        prof.disable()
        stats = pstats.Stats(prof).sort_stats(os.environ.get("SORT", "cumulative"))
        stats.print_stats(30)
        if os.environ.get("CALLERS"):
            stats.print_callers(os.environ["CALLERS"])
    finally:
        shutil.rmtree(root, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=1000)  # besides the sample's two
    parser.add_argument("--curve", default="")
    parser.add_argument("--edition", default="2021")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    if args.profile:
        profile(args.units, args.edition)
        return
    base, base_rss, _, _ = run_once(0, args.edition)
    print(f"sample ({args.edition}): {base:.2f} s, {base_rss:.0f} MiB")
    for n in [int(x) for x in args.curve.split(",") if x] or [args.units]:
        took, rss, code, said = run_once(n, args.edition, args.keep)
        print(f"{n} more unions: {took:.2f} s (+{took - base:.2f} s, {1000 * (took - base) / max(n, 1):.2f} ms a union), "
              f"{rss:.0f} MiB, exit {code}; 机构信息.xlsx {said}")


if __name__ == "__main__":
    main()
