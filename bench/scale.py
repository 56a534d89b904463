"""Speed at scale: N rosters × R rows, measured against the floor (a bare python-calamine read of the same files).

    .venv/bin/python bench/scale.py [--files 2000] [--rows 30] [--curve 200,500,1000,2000] [--shape both] [--keep]

In one run, on one machine, it measures:
- floor: read every file with python-calamine and nothing else;
- fresh: `sureform run` as a whole process on a fresh state (process start, imports, everything);
- unchanged: the same run again with nothing new in the inbox;
- one new: one new roster dropped into the full master;
- naive peer: `pd.read_excel` + a pandera schema per file + one `to_excel`, as a script would do it;
and prints each time, its ratio to the floor and the peak RSS of the process (children included). With
`--curve`, the fresh run's cost per file for growing N (it should stay flat). Not a test: run it by hand.
Targets (issue 24): fresh ≤ 8× floor (the goal beyond: 3×) and peak RSS ≤ 400 MiB with either roster shape
(`--shape`), unchanged ≤ 1 s, the sample ≤ 1.5 s, the incremental ones of issue 12, flat cost per file.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
HEADER = ["姓名", "学号", "院系", "入学年份", "政治面貌", "职务", "所在部门", "成绩排名", "不及格门数", "推荐团组织", "审核日期"]


# the second shape (issue 24): a title row, every column of the template (18), ranks as n/45, dates as dates
WIDE_HEADER = ["姓名", "学号", "院系", "专业", "班级", "入学年份", "学历层次", "政治面貌", "是否入党积极分子", "职务",
               "所在部门", "成绩排名", "专业人数", "排名口径", "不及格门数", "违纪情况", "推荐团组织", "审核日期"]
SHAPES = ("plain", "wide")


def make_roster(path: Path, unit: str, f: int, rows: int, finding: bool = False, shape: str = "plain") -> None:
    from datetime import datetime

    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("名单")
    ws.append([f"{unit}工作人员名单"])
    ws.append(HEADER if shape == "plain" else WIDE_HEADER)
    for r in range(rows):
        political = "群众" if finding and r == 1 else "共青团员"  # a finding: the sender gets a feedback workbook
        post = "干事" if r else "部长"
        if shape == "plain":
            ws.append([f"学生{f}-{r}", f"20{f:05d}{r:03d}", unit, 2024, political, post, "宣传部",
                       f"{1 + r % 12}/45", 0, f"{unit}团总支", "2026-09-20"])
        else:
            ws.append([f"学生{f}-{r}", f"20{f:05d}{r:03d}", unit, "石油工程", f"石油{24 + r % 2}{r % 4 + 1:02d}班",
                       2024 - r % 3, "本科", political, "否", post, "学生权益服务部" if r % 3 else "宣传部",
                       f"{1 + r % 12}/45", 45, "专业", 0, "无", f"{unit}团总支", datetime(2026, 9, 20)])
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    old = time.time() - 3600
    os.utime(path, (old, old))


def make_inbox(inbox: Path, files: int, rows: int, start: int = 0, finding: bool = False,
               shape: str = "plain") -> list[Path]:
    template = inbox.parent / "template.xlsx"
    paths = []
    for f in range(start, start + files):
        unit = f"第{f:04d}系"
        path = inbox / unit / "工作人员名单.xlsx"
        make_roster(path, unit, f, rows, finding, shape)
        paths.append(path)
    template.unlink(missing_ok=True)
    return paths


def floor(paths: list[Path]) -> float:
    code = ("import sys\nfrom python_calamine import CalamineWorkbook\n"
            "for p in sys.argv[1:]:\n    wb = CalamineWorkbook.from_path(p)\n"
            "    [wb.get_sheet_by_index(i).to_python() for i in range(len(wb.sheet_names))]\n")
    listing = Path(tempfile.mkstemp(suffix=".txt")[1])
    listing.write_text("\n".join(map(str, paths)), encoding="utf-8")
    wrapper = f"import sys\nsys.argv = [''] + open({str(listing)!r}, encoding='utf-8').read().split('\\n')\n" + code
    t = time.perf_counter()
    subprocess.run([sys.executable, "-c", wrapper], check=True)
    took = time.perf_counter() - t
    listing.unlink()
    return took


def timed(cmd: list[str], cwd: Path) -> tuple[float, float, str]:
    """(seconds, peak RSS MiB of that process, stderr tail)."""
    t = time.perf_counter()
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        took = time.perf_counter() - t
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        tail = err.read().decode(errors="replace")[-3000:]
    if proc.returncode != 0:
        raise SystemExit(f"{cmd} failed ({proc.returncode}):\n{tail}")
    return took, usage.ru_maxrss / 1024, tail


def sureform_run(root: Path) -> tuple[float, float]:
    took, rss, _ = timed([str(ROOT / ".venv" / "bin" / "sureform"), "run", "--inbox", "inbox", "--outbox", "outbox",
                          "--state", "state", "--settle", "0", "--as-of", "2026-11-24", "--json"], root)
    return took, rss


NAIVE = r'''
import sys, pandas as pd, pandera.pandas as pa
schema = pa.DataFrameSchema({
    "学号": pa.Column(str, pa.Check.str_matches(r"^\d{6,20}$")),
    "政治面貌": pa.Column(str, pa.Check.isin(["中共党员", "中共预备党员", "共青团员"])),
    "职务": pa.Column(str, pa.Check.isin(["主席", "副主席", "执行主席", "部长", "副部长", "干事"])),
}, coerce=True)
frames = []
for p in open(sys.argv[1], encoding="utf-8").read().split("\n"):
    df = pd.read_excel(p, header=1, dtype=str)
    try:
        schema.validate(df, lazy=True)
    except pa.errors.SchemaErrors:
        pass
    frames.append(df)
pd.concat(frames).to_excel(sys.argv[2], index=False)
'''


def naive(paths: list[Path], out: Path) -> tuple[float, float]:
    listing = out.with_suffix(".txt")
    listing.write_text("\n".join(map(str, paths)), encoding="utf-8")
    took, rss, _ = timed([sys.executable, "-c", NAIVE, str(listing), str(out)], out.parent)
    return took, rss


REWRITE = r'''
import json, sys, time, tempfile, shutil
from datetime import date
from pathlib import Path
from sureform import pipeline
from sureform.outputs.workbook import write_summary_workbook
from sureform.outputs.documents.inputs import build_document_inputs, write_documents_for
from sureform.store import Store
root = Path(sys.argv[1])
opts = pipeline.RunOptions(root / "inbox", root / "outbox", root / "state", date(2026, 11, 24))
consolidation = pipeline.consolidate(opts)
out = Path(tempfile.mkdtemp(dir=root))
with Store(opts.db_path) as store:
    catalogue = opts.catalogue()
    t = time.perf_counter()
    write_summary_workbook(store, consolidation, catalogue, out, pipeline.built_from(opts)["code"])  # as a run does
    workbook = time.perf_counter() - t
    t = time.perf_counter()
    inputs = build_document_inputs(store, consolidation.items, consolidation.disclosure, catalogue, consolidation)
    write_documents_for(store, consolidation, catalogue, out, opts.history_days, inputs=inputs)
    documents = time.perf_counter() - t
shutil.rmtree(out)
print(json.dumps({"workbook": workbook, "documents": documents}))
'''


STAGES = r'''
import json, sys, time
from datetime import date
from pathlib import Path
from sureform import pipeline
root = Path(sys.argv[1])
opts = pipeline.RunOptions(root / "inbox", root / "outbox", root / "state", date(2026, 11, 24), stable_seconds=0)
run = pipeline.Run(opts)
took = {}
for stage in pipeline.INTAKE:
    t = time.perf_counter()
    stage.run(run)
    took[stage.name] = time.perf_counter() - t
print(json.dumps(took))
'''


def one_new_in_process(root: Path, rows: int, start: int, shape: str = "plain") -> dict:
    """Another new roster, run in-process stage by stage (imports done first): {stage: seconds}."""
    make_inbox(root / "inbox", 1, rows, start=start, finding=True, shape=shape)
    got = subprocess.run([sys.executable, "-c", STAGES, str(root)], check=True, capture_output=True, text=True)
    return __import__("json").loads(got.stdout.strip().splitlines()[-1])


def rewrite_costs(root: Path) -> dict:
    """In-process: 汇总.xlsx and the documents written again from the master as it is (every block kept)."""
    got = subprocess.run([sys.executable, "-c", REWRITE, str(root)], check=True, capture_output=True, text=True)
    return __import__("json").loads(got.stdout.strip().splitlines()[-1])


def sample_run() -> float:
    """`sureform run` on the sample data (examples/inbox) with a fresh state: the issue's ≤ 2 s."""
    root = Path(tempfile.mkdtemp(prefix="sureform-sample-"))
    try:
        shutil.copytree(ROOT / "examples" / "inbox", root / "inbox")
        took, _, _ = timed([str(ROOT / ".venv" / "bin" / "sureform"), "run", "--inbox", "inbox", "--outbox", "outbox",
                            "--state", "state", "--settle", "0", "--as-of", "2020-11-24"], root)
        return took
    finally:
        shutil.rmtree(root, ignore_errors=True)


def verdict(label: str, ok: bool, detail: str) -> None:
    print(f"  {'met    ' if ok else 'NOT met'}  {label:<58}{detail}")


def line(label: str, seconds: float, base: float, rss: float | None = None) -> None:
    extra = f"   peak RSS {rss:7.0f} MiB" if rss is not None else ""
    print(f"  {label:<28}{seconds:8.2f} s  {seconds / base:6.1f}× floor{extra}")


def measure(files: int, rows: int, keep: bool, shape: str = "plain") -> None:
    root = Path(tempfile.mkdtemp(prefix="sureform-scale-"))
    try:
        print(f"{files} rosters × {rows} rows ({shape}) in {root}")
        t = time.perf_counter()
        paths = make_inbox(root / "inbox", files, rows, shape=shape)
        print(f"  (made in {time.perf_counter() - t:.1f} s)")
        base = floor(paths)
        print(f"  {'floor (bare calamine read)':<28}{base:8.2f} s")
        keep_copy = root / "copy"
        shutil.copytree(root / "inbox", keep_copy)
        fresh, fresh_rss = sureform_run(root)
        line("sureform run, fresh", fresh, base, fresh_rss)
        unchanged, rss = sureform_run(root)
        line("sureform run, nothing new", unchanged, base, rss)
        outputs = {p: p.stat().st_mtime for p in (root / "outbox").glob("*.*")}
        make_inbox(root / "inbox", 1, rows, start=files, finding=True, shape=shape)
        start = time.time()
        one, one_rss = sureform_run(root)
        line("sureform run, one new roster", one, base, one_rss)
        feedback = list((root / "outbox" / "反馈").rglob(f"*第{files:04d}系*/*_错误标注.xlsx"))
        feedback_at = feedback[0].stat().st_mtime - start if feedback else float("nan")
        print(f"    its feedback written {feedback_at:.2f} s after the process started")
        for p, before in sorted(outputs.items()):
            after = p.stat().st_mtime
            print(f"    {p.name}: " + (f"rewritten at {after - start:.2f} s" if after != before else "not rewritten"))
        stages = one_new_in_process(root, rows, files + 1, shape)
        after_read = stages["validate"] + stages["commit"] + stages["feedback"]
        print("    another new roster, in-process: " + ", ".join(f"{k} {v:.2f} s" for k, v in stages.items()))
        print(f"    its feedback written {after_read:.2f} s after its read")
        costs = rewrite_costs(root)
        print(f"    rewriting them from the full master, in-process: 汇总.xlsx {costs['workbook']:.2f} s, "
              f"both documents {costs['documents']:.2f} s")
        took, rss = naive(sorted(keep_copy.rglob("*.xlsx")), root / "naive.xlsx")
        line("naive peer (pandas+pandera)", took, base, rss)
        sample = sample_run()
        print(f"  {'the sample data, fresh state':<28}{sample:8.2f} s")
        print("targets (issue 24; issue 12's incremental ones still hold):")
        verdict("fresh run ≤ 8× the floor (the goal beyond it: 3×)", fresh <= 8 * base, f"{fresh / base:.1f}×")
        verdict("nothing new ≤ 1 s, whole process", unchanged <= 1, f"{unchanged:.2f} s")
        verdict("one new: feedback ≤ 1 s after its read (in-process)", after_read <= 1, f"{after_read:.2f} s")
        verdict("one new: 汇总.xlsx rewrite ≤ the floor", costs["workbook"] <= base, f"{costs['workbook']:.2f} s")
        verdict("one new: documents rewrite ≤ the floor", costs["documents"] <= base, f"{costs['documents']:.2f} s")
        verdict("peak RSS ≤ 400 MiB (fresh, one new)", max(fresh_rss, one_rss) <= 400,
                f"{fresh_rss:.0f} / {one_rss:.0f} MiB")
        verdict("the sample data ≤ 1.5 s", sample <= 1.5, f"{sample:.2f} s")
    finally:
        if not keep:
            shutil.rmtree(root, ignore_errors=True)


def measure_fresh(files: int, rows: int, shape: str) -> None:
    """Another roster shape: the floor and the fresh run only, side by side."""
    root = Path(tempfile.mkdtemp(prefix="sureform-scale-"))
    try:
        print(f"{files} rosters × {rows} rows ({shape}) in {root}")
        paths = make_inbox(root / "inbox", files, rows, shape=shape)
        base = floor(paths)
        print(f"  {'floor (bare calamine read)':<28}{base:8.2f} s")
        fresh, rss = sureform_run(root)
        line("sureform run, fresh", fresh, base, rss)
        verdict(f"fresh run ≤ 8× the floor ({shape})", fresh <= 8 * base, f"{fresh / base:.1f}×")
        verdict(f"peak RSS ≤ 400 MiB (fresh, {shape})", rss <= 400, f"{rss:.0f} MiB")
    finally:
        shutil.rmtree(root, ignore_errors=True)


def curve(sizes: list[int], rows: int) -> None:
    print("cost per file, fresh `sureform run` (whole process):")
    costs = []
    for n in sizes:
        root = Path(tempfile.mkdtemp(prefix="sureform-curve-"))
        try:
            make_inbox(root / "inbox", n, rows)
            took, rss = sureform_run(root)
            costs.append(took / n)
            print(f"  {n:6d} files  {took:7.2f} s  {took / n * 1000:6.2f} ms/file  peak RSS {rss:6.0f} MiB")
        finally:
            shutil.rmtree(root, ignore_errors=True)
    # flat: no size costs more per file than the smallest (its fixed costs are spread over the fewest files)
    verdict("cost per file flat", max(costs[1:], default=0) <= costs[0] * 1.1,
            " → ".join(f"{c * 1000:.2f}" for c in costs) + " ms")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--files", type=int, default=2000)
    ap.add_argument("--rows", type=int, default=30)
    ap.add_argument("--curve", default="", help="comma-separated N for the cost-per-file curve, e.g. 200,500,1000,2000")
    ap.add_argument("--keep", action="store_true", help="keep the work folder")
    ap.add_argument("--shape", choices=(*SHAPES, "both"), default="both",
                    help="plain: 11 columns, dates as text; wide: 18 columns, dates as dates (issue 24); both: plain "
                         "in full, then wide's fresh run")
    args = ap.parse_args()
    # as an installed sureform runs: its bytecode compiled (pip does it at install; an editable checkout under
    # PYTHONDONTWRITEBYTECODE would compile every changed module again in every process it starts)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "sureform"), str(ROOT / "flows")],
                   check=True, stdout=subprocess.DEVNULL)
    measure(args.files, args.rows, args.keep, "wide" if args.shape == "wide" else "plain")
    if args.shape == "both":
        measure_fresh(args.files, args.rows, "wide")
    if args.curve:
        curve([int(x) for x in args.curve.split(",")], args.rows)


if __name__ == "__main__":
    main()
