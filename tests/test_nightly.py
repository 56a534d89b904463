"""The nightly consolidation without a server: re-check as of today, regenerate outputs, silent units, verdict
changes, skip when another run holds the lock. (The flow itself, through its deployment, is run once in
tests/test_serve.py against the real `sureform serve`.)"""
from __future__ import annotations

import json
import subprocess
import sys
from datetime import date

import pytest
from conftest import AS_OF, person

from sureform.pipeline import RunOptions
from flows.nightly_run import nightly
from flows.summary import (VERDICTS_FILE, intake_markdown, silent_units, term_start, verdict_changes)
from sureform.store import Store

STARTS = ((2, 1), (9, 1))


@pytest.mark.parametrize("today,start", [
    (date(2026, 11, 24), date(2026, 9, 1)), (date(2027, 1, 20), date(2026, 9, 1)),
    (date(2027, 1, 31), date(2026, 9, 1)), (date(2027, 2, 1), date(2027, 2, 1)),
    (date(2027, 8, 31), date(2027, 2, 1)), (date(2027, 9, 1), date(2027, 9, 1)),
])
def test_term_start(today, start):
    assert term_start(today, STARTS) == start


def test_term_start_with_march():
    assert term_start(date(2027, 2, 20), ((3, 1), (9, 1))) == date(2026, 9, 1)


def nightly_opts(env, as_of=AS_OF) -> RunOptions:
    return RunOptions(env.inbox, env.outbox, env.state, as_of, "2020", 0)


def age_submissions(env, unit: str, received: str) -> None:
    with Store(env.state / "master.sqlite") as store:
        store.conn.execute("UPDATE submissions SET received_at = ? WHERE unit = ?", (received, unit))


def test_nightly_regenerates_outputs_and_lists_silent_units(env):
    env.roster("石油工程系", [person()])
    env.roster("机电工程系", [person(sid="2024020101", name="赵六", unit="机电工程系")])
    env.run(stable_seconds=0)
    age_submissions(env, "机电工程系", "2026-06-30T10:00:00+08:00")  # last term
    (env.inbox / "化学工程系").mkdir()  # a unit given a folder that never sent anything
    (env.outbox / "汇总.xlsx").unlink()

    report, markdown = nightly(nightly_opts(env, date(2026, 11, 25)), STARTS, lock_wait=5)
    assert (env.outbox / "汇总.xlsx").exists()
    assert report["as_of"] == "2026-11-25" and report["files"] == [] and report["master"] == {"roster": 2}
    silent = report["silent_units"]
    assert silent["term_start"] == "2026-09-01"
    assert silent["known"] == sorted(["化学工程系", "机电工程系", "石油工程系"])
    assert silent["silent"] == sorted(["化学工程系", "机电工程系"])
    assert "未报送的单位" in markdown and "- 化学工程系" in markdown and "- 机电工程系" in markdown
    assert "- 石油工程系" not in markdown


def test_verdict_changes_since_the_previous_run(env):
    env.roster("石油工程系", [person()])
    env.run(stable_seconds=0)
    report, markdown = nightly(nightly_opts(env), STARTS)
    items = report["items"]
    if not items:
        pytest.skip("no verdicts computed by this build")
    saved = json.loads((env.state / VERDICTS_FILE).read_text(encoding="utf-8"))
    assert [i["id"] for i in saved["items"]] == [str(i["id"]) for i in items]
    # pretend the previous run saw item 1 differently
    saved["items"][0]["verdict"] = "某个旧结论"
    (env.state / VERDICTS_FILE).write_text(json.dumps(saved, ensure_ascii=False), encoding="utf-8")
    report, markdown = nightly(nightly_opts(env), STARTS)
    first = str(items[0]["id"])
    assert report["verdict_changes"] == [{"id": first, "before": "某个旧结论", "after": items[0]["verdict"]}]
    assert "某个旧结论" in markdown
    report, markdown = nightly(nightly_opts(env), STARTS)
    assert report["verdict_changes"] == [] and "没有变化" in markdown


def test_verdict_changes_logic():
    prev = [{"id": "1", "verdict": "达标"}, {"id": "2", "verdict": "待补充"}, {"id": "9", "verdict": "达标"}]
    cur = [{"id": "1", "verdict": "达标"}, {"id": "2", "verdict": "未达标"}, {"id": "3", "verdict": "达标"}]
    assert verdict_changes(prev, cur) == [{"id": "2", "before": "待补充", "after": "未达标"},
                                          {"id": "3", "before": None, "after": "达标"},
                                          {"id": "9", "before": "达标", "after": None}]
    assert verdict_changes(None, cur) == []


def test_no_units_known_on_an_empty_master(env):
    silent = silent_units(env.state / "master.sqlite", env.inbox, AS_OF, STARTS)
    assert silent["known"] == silent["silent"] == []


def test_nightly_skips_when_another_run_holds_the_lock(env):
    hold = subprocess.Popen([sys.executable, "-c", "import sys, time\nfrom sureform.runlock import run_lock\n"
                             "with run_lock(sys.argv[1]):\n    print('held', flush=True)\n    time.sleep(60)",
                             str(env.state)], stdout=subprocess.PIPE, text=True)
    try:
        assert hold.stdout.readline().strip() == "held"
        report, markdown = nightly(nightly_opts(env), STARTS, lock_wait=0.3)
    finally:
        hold.kill()
        hold.wait()
    assert "另一次处理正在进行" in report["skipped_reason"] and "本次跳过" in markdown
    assert not (env.outbox / "汇总.xlsx").exists()


def test_intake_markdown_lists_files_and_changes():
    report = {"as_of": "2026-11-24", "master": {"roster": 3}, "items": [{"id": "1", "verdict": "达标"}],
              "outputs": {"master": "outbox/汇总.xlsx", "feedback": ["outbox/反馈/系/名单.xlsx_错误标注.xlsx"]},
              "documents_waiting": ["半.xlsx"],
              "files": [{"path": "系/名单.xlsx", "unit": "系", "status": "accepted", "rows": 3,
                         "kind": "roster", "kind_label": "校级学生会工作人员名单", "issues": [{"severity": "finding"}]},
                        {"path": "系/坏|表.xlsx", "unit": "系", "status": "rejected", "rows": 0,
                         "issues": [{"severity": "error"}]},
                        {"path": "半.xlsx", "status": "skipped", "rows": 0, "issues": [], "reason": "文件可能仍在写入"}]}
    md = intake_markdown(report, [{"id": "1", "before": "待补充", "after": "达标"}], {"saved_at": "昨天"})
    assert "接收 1 个，退回 1 个，重复 0 个，暂缓 1 个" in md
    assert "| 系/名单.xlsx | 系 | 校级学生会工作人员名单 | 已接收" in md and "备案表和公开文档暂不更新：1 个文件" in md
    assert "坏\\|表.xlsx" in md and "| 1 | 待补充 | 达标 |" in md and "roster 3 行" in md
