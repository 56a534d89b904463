"""The inbox and the master dataset: what is picked up, what supersedes what, what is never lost."""
import json
import os
import subprocess
import sys
import time

import pytest
from conftest import HEADER, file_report, person, settle, write_xlsx

from sureform.store import Store


def master_ids(env):
    with Store(env.state / "master.sqlite") as store:
        return sorted(r["student_id"] for r in store.current_records("roster"))


def test_latest_roster_of_a_unit_supersedes_history_kept(env):
    env.roster("石油工程系", [person(sid="2024010101"), person(sid="2024010102", name="李四")], name="名单v1.xlsx")
    env.run()
    env.roster("石油工程系", [person(sid="2024010103", name="王五")], name="名单v2.xlsx")
    env.roster("机电工程系", [person(sid="2024020101", name="赵六", unit="机电工程系")])
    report = env.run()
    assert report["master"] == {"roster": 2}
    assert master_ids(env) == ["2024010103", "2024020101"]
    with Store(env.state / "master.sqlite") as store:
        all_subs = store.conn.execute("SELECT original_name FROM submissions ORDER BY id").fetchall()
    assert sorted(r[0] for r in all_subs) == ["名单.xlsx", "名单v1.xlsx", "名单v2.xlsx"]  # history kept


def test_two_rosters_of_a_unit_in_one_batch_the_later_wins(env):
    first = env.roster("石油工程系", [person(sid="2024010101")], name="b_旧名单.xlsx")
    env.roster("石油工程系", [person(sid="2024010109")], name="a_新名单.xlsx")
    os.utime(first, (time.time() - 1200, time.time() - 1200))
    report = env.run()
    assert report["master"] == {"roster": 1}
    assert master_ids(env) == ["2024010109"]


def test_same_bytes_again_is_a_duplicate(env):
    path = env.roster("石油工程系", [person()])
    data = path.read_bytes()
    env.run()
    again = env.inbox / "石油工程系" / "名单(1).xlsx"
    again.write_bytes(data)
    settle(again)
    report = env.run()
    f = file_report(report, "石油工程系/名单(1).xlsx")
    assert f["status"] == "duplicate" and f["issues"][0]["code"] == "file-duplicate"
    assert report["master"] == {"roster": 1}
    with Store(env.state / "master.sqlite") as store:
        assert store.conn.execute("SELECT count(*) FROM submissions").fetchone()[0] == 1
    assert not again.exists()  # a duplicate also leaves the inbox: its twin is archived


def test_lock_and_temporary_files_are_left_alone(env):
    env.roster("石油工程系", [person()])
    lock = env.inbox / "石油工程系" / "~$名单.xlsx"
    lock.write_bytes(b"\x00owner")
    wps_lock = env.inbox / "石油工程系" / ".~lock.名单.xlsx#"
    wps_lock.write_text("lock")
    hidden = env.inbox / ".DS_Store"
    hidden.write_bytes(b"x")
    tmp = env.inbox / "石油工程系" / "名单.xlsx.tmp"
    tmp.write_bytes(b"x")
    for p in (lock, wps_lock, hidden, tmp):
        settle(p)
    report = env.run()
    assert [f["path"] for f in report["files"]] == ["石油工程系/名单.xlsx"]
    assert lock.exists() and wps_lock.exists() and hidden.exists() and tmp.exists()


def test_file_still_being_written_is_skipped_then_read(env):
    path = env.roster("石油工程系", [person()])
    now = time.time()
    os.utime(path, (now, now))  # just written
    report = env.run(stable_seconds=30)
    f = file_report(report, "石油工程系/名单.xlsx")
    assert f["status"] == "skipped" and path.exists()
    settle(path)
    assert file_report(env.run(stable_seconds=30), "石油工程系/名单.xlsx")["status"] == "accepted"


def test_unsupported_file_is_skipped_and_left(env):
    p = env.inbox / "石油工程系" / "说明.pdf"
    p.parent.mkdir(parents=True)
    p.write_bytes(b"%PDF")
    settle(p)
    f = file_report(env.run(), "石油工程系/说明.pdf")
    assert f["status"] == "skipped" and p.exists()


def test_files_are_moved_never_overwritten(env):
    env.roster("石油工程系", [person()])
    env.run()
    env.roster("石油工程系", [person(name="李四", sid="2024010102")])  # same name, other content
    env.run()
    kept = sorted((env.state / "archive" / "石油工程系").iterdir())
    assert len(kept) == 2 and all(p.name.endswith("_名单.xlsx") for p in kept)
    assert not any((env.inbox / "石油工程系").iterdir())


def test_one_bad_file_does_not_stop_the_others(env):
    bad = env.inbox / "机电工程系" / "名单.xlsx"
    bad.parent.mkdir(parents=True)
    bad.write_bytes(b"PK\x03\x04 broken zip")
    settle(bad)
    env.roster("石油工程系", [person()])
    report = env.run()
    assert file_report(report, "机电工程系/名单.xlsx")["status"] == "rejected"
    assert file_report(report, "石油工程系/名单.xlsx")["status"] == "accepted"
    assert report["master"] == {"roster": 1}


def test_store_transaction_is_all_or_nothing(tmp_path):
    from sureform.store import Submission

    with Store(tmp_path / "m.sqlite") as store:
        with pytest.raises(RuntimeError):
            with store.transaction():
                run = store.start_run("2026-11-24T00:00:00", "2026-11-24")
                store.add_submission(run, Submission("abc", "a.xlsx", "a.xlsx", "系", "roster", "roster:系",
                                                     "accepted", "now", None, [{"name": "x", "_row": 2}], []))
                raise RuntimeError("killed midway")
        assert store.conn.execute("SELECT count(*) FROM submissions").fetchone()[0] == 0
        assert store.conn.execute("SELECT count(*) FROM records").fetchone()[0] == 0


def test_master_workbook_has_a_sheet_per_kind_and_findings(env):
    from openpyxl import load_workbook

    env.roster("石油工程系", [person(), person(sid="2024010102", name="李四", political="群众")])
    report = env.run()
    wb = load_workbook(env.outbox / "汇总.xlsx")
    assert {"工作人员名单", "待整改问题", "提交记录"} <= set(wb.sheetnames)
    ws = wb["工作人员名单"]
    header = [c.value for c in ws[1]]
    ids = [ws.cell(r, header.index("学号") + 1).value for r in (2, 3)]
    assert sorted(ids) == ["2024010101", "2024010102"]  # text, not numbers
    assert ws.max_row == 3
    findings = wb["待整改问题"]
    assert [c.value for c in findings[2]][-1] == "political-status-not-allowed"
    assert report["outputs"]["master"].endswith("汇总.xlsx")


def test_cli_json_contract(env):
    env.roster("石油工程系", [person(), person(sid="2024010102", name="李四", post="秘书长")])
    write_xlsx(env.inbox / "机电工程系" / "名单.xlsx", [HEADER, person(sid="12-34", unit="机电工程系")])
    proc = subprocess.run(
        [sys.executable, "-m", "sureform.cli", "run", "--inbox", str(env.inbox), "--outbox", str(env.outbox),
         "--state", str(env.state), "--as-of", "2026-11-24", "--json"],
        capture_output=True, text=True, cwd=env.root, env={k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"})
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert set(report) >= {"as_of", "files", "master", "items", "outputs"}
    assert report["as_of"] == "2026-11-24"
    for f in report["files"]:
        assert set(f) >= {"path", "status", "kind", "unit", "rows", "issues"}
        assert f["status"] in {"accepted", "rejected", "duplicate", "skipped"}
        for i in f["issues"]:
            assert set(i) >= {"code", "severity", "sheet", "row", "column", "cell", "value", "message"}
            assert i["severity"] in {"error", "finding", "warning"}
    oil = file_report(report, "石油工程系/名单.xlsx")
    assert (oil["status"], oil["kind"], oil["unit"], oil["rows"]) == ("accepted", "roster", "石油工程系", 2)
    post = oil["issues"][0]
    assert (post["code"], post["row"], post["cell"], post["column"], post["value"]) == \
        ("post-not-allowed", 3, "F3", "职务", "秘书长")
    assert file_report(report, "机电工程系/名单.xlsx")["status"] == "rejected"
    assert report["master"] == {"roster": 2}
    assert sorted(report["outputs"]["feedback"]) == sorted([
        "outbox/退回/机电工程系/名单.xlsx_错误标注.xlsx", "outbox/退回/石油工程系/名单.xlsx_错误标注.xlsx"])


def test_cli_bad_as_of_is_a_usage_error(env):
    proc = subprocess.run([sys.executable, "-m", "sureform.cli", "run", "--as-of", "24/11/2026"],
                          capture_output=True, text=True, cwd=env.root)
    assert proc.returncode == 2 and "“24/11/2026”不是日期，请写成 年-月-日，如 2026-11-24" in proc.stderr
