"""How the provincial review scales: N colleges' filled 改革自评表 (docx, the school table and 5 二级 tables each,
from examples/review/make_review_samples.py), reviewed by `sureform review` as a whole process.

    .venv/bin/python bench/review_scale.py [N ...]        (default: 20 50 100 200)

Prints, per N: seconds for the whole process (start to exit, imports included), the cost of each college beyond
the previous N, and the process's peak RSS (its largest process: the review or one of its reading workers). Target (issue 22): 200 colleges ≤ 20 s, cost per college flat from 20 to 200, ≤ 400 MiB.
"""
from __future__ import annotations

import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "examples" / "review"))
import make_review_samples as samples  # noqa: E402

UNITS = 5


def make(inbox: Path, n: int, seed: int = 1) -> None:
    rnd = random.Random(seed)
    for k in range(n):
        name = f"第{k + 1:03d}学院"
        answers = {str(i): "是" for i in range(1, 12)}
        notes = {"3": f"实有{rnd.randint(30, 66)}人", "4": f"实有{rnd.randint(3, 5)}人", "5": f"实有{rnd.randint(4, 7)}个",
                 "11": f"召开日期为：{rnd.choice(['2021年11月20日', '2019年3月30日', '11月9日'])}"}
        units = [(f"{name}第{u + 1}系学生会", {}, {"3": f"实有 {rnd.randint(15, 32)} 人", "4": "实有 3 人",
                                                 "9": "召开日期为：2021年10月15日"}) for u in range(UNITS)]
        samples.filled_2022(inbox / name / "改革自评表.docx", name, "学生会", answers, notes, units=units,
                            figures=(40, 40, 0, 5, "100%", "否", "否"))


def measure(n: int) -> tuple[float, float]:
    work = Path(tempfile.mkdtemp(prefix="sureform-review-bench-"))
    try:
        make(work / "inbox", n)
        start = time.perf_counter()
        subprocess.run([str(ROOT / ".venv" / "bin" / "sureform"), "review", "--inbox", str(work / "inbox"),
                        "--outbox", str(work / "outbox"), "--state", str(work / "state"), "--as-of", "2021-12-10",
                        "--json"], check=True, stdout=subprocess.DEVNULL, cwd=work)
        seconds = time.perf_counter() - start
        rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # MiB (Linux: KiB), the largest child
        return seconds, rss
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main(ns: list[int]) -> None:
    """Per N: the whole process; `每校` is the cost of each college beyond the previous N (start-up and imports,
    ≈ 2–4 s, are paid once), so a flat column means a cost per college that does not grow with the round."""
    print(f"{'学校数':>6} {'总用时(s)':>10} {'每校(ms)':>9} {'峰值内存(MiB)':>14}")
    last = None
    for n in ns:
        seconds, rss = measure(n)
        per = (seconds - last[1]) / (n - last[0]) * 1000 if last else float("nan")
        print(f"{n:>6} {seconds:>10.2f} {per:>9.1f} {rss:>14.0f}")
        last = (n, seconds)


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [20, 50, 100, 200])
