"""A run with nothing new does not consolidate again or rewrite any output (issue 12): state/outputs.json says what
the last outputs were built from (the master's submissions, the edition file, the filing date, the code), and the
run's report is the same as the one that built them. A new date, a new file, an edited edition or an output
touched by hand builds them again.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

from sureform.pipeline import OUTPUTS_RECORD, RunOptions, run_nightly, run_pipeline

HERE = Path(__file__).resolve().parent
EXAMPLES = HERE.parent / "examples" / "inbox"
AS_OF = date(2020, 11, 24)
OUTPUTS = ("汇总.xlsx", "备案表.docx", "改革情况公开.docx")


def _opts(root: Path, as_of: date = AS_OF) -> RunOptions:
    return RunOptions(root / "inbox", root / "outbox", root / "state", as_of, "2020", 0)


def _stamps(root: Path) -> dict[str, int]:
    return {n: (root / "outbox" / n).stat().st_mtime_ns for n in OUTPUTS}


def _shown(report: dict) -> dict:
    report = json.loads(json.dumps(report, ensure_ascii=False, default=str))
    return {k: v for k, v in report.items() if k not in ("files", "outputs")}


def test_nothing_new_rewrites_nothing_and_reports_the_same(tmp_path):
    shutil.copytree(EXAMPLES, tmp_path / "inbox")
    first = run_pipeline(_opts(tmp_path))
    assert (tmp_path / "state" / OUTPUTS_RECORD).is_file()
    before = _stamps(tmp_path)
    again = run_pipeline(_opts(tmp_path))
    assert _stamps(tmp_path) == before  # not one output rewritten
    assert again["files"] == []
    assert _shown(again) == _shown(first)
    assert {k: v for k, v in again["outputs"].items() if k != "feedback"} == \
        {k: v for k, v in first["outputs"].items() if k != "feedback"}

    # an output deleted by hand is written again
    (tmp_path / "outbox" / "汇总.xlsx").unlink()
    run_pipeline(_opts(tmp_path))
    assert (tmp_path / "outbox" / "汇总.xlsx").is_file()

    # the nightly run on a new date checks the master again (the rules move with the date); an output is
    # rewritten only if what it shows changed
    report = run_nightly(_opts(tmp_path, date(2020, 11, 25))).to_dict()
    assert report["as_of"] == "2020-11-25"
    record = json.loads((tmp_path / "state" / OUTPUTS_RECORD).read_text(encoding="utf-8"))
    assert record["built_from"]["as_of"] == "2020-11-25"


def test_nothing_new_imports_no_heavy_library(tmp_path):
    """The whole `sureform run` with nothing new: no pandas, pandera, python-docx or openpyxl imported."""
    shutil.copytree(EXAMPLES, tmp_path / "inbox")
    run_pipeline(_opts(tmp_path))
    code = ("import sys\nfrom sureform.cli import main\n"
            "code = main(['run', '--settle', '0', '--as-of', '2020-11-24', '--json'])\n"
            "heavy = [m for m in ('pandas', 'pandera', 'docx', 'openpyxl') if m in sys.modules]\n"
            "print('HEAVY', heavy, code, file=sys.stderr)\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True,
                          env={**os.environ, "PREFECT_API_URL": ""}, timeout=120)
    assert "HEAVY [] 0" in done.stderr, done.stderr
    report = json.loads(done.stdout)
    assert report["files"] == [] and report["items"]
