"""Issue 20 point 4: no value, name or stored record stops more than its own file.

Every number-bearing cell of every kind (roster, 院系 union roster, 机构信息, score sheet, candidate form) gets a
400-digit value, `1e400`, `-0`, `NaN` and `inf`, and every path a name that is not UTF-8 (GBK bytes, as an archive
unzipped as it came from Windows gives), beside the sample's good files: the good files are still accepted, every
hostile cell is its own file's error, and the next run exits normally too. A master holding what older versions
could store (ints of hundreds of digits, NaN, infinities) never stops a later run.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from conftest import HEADER, file_report, person, settle, write_csv

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "inbox"
AS_OF = date(2020, 11, 24)
DIGITS_400 = "1" + "0" * 399
HOSTILE = [DIGITS_400, "1e400", "-0", "NaN", "inf"]
FAILED_309 = "1" + "0" * 309 + "门"  # the issue's reproduction: OverflowError in checks/roster.py

# (file, sheet, cell, what it holds) for the sample workbooks: every number-bearing cell of each kind
INSTITUTION = "机构信息.xlsx"
SCORES = "述职评议评分表.xlsx"
CANDIDATE = "石油工程系/主席团候选人推荐表_王子涵.xlsx"
UNION = "石油工程系/院系学生会工作人员名单.xlsx"
CELLS = {
    INSTITUTION: [("基本信息", "B5", "全校学生人数"), ("学代会", "B2", "召开日期"), ("学代会", "C2", "代表人数"),
                  ("党委听取汇报", "A2", "日期"), ("学习贯彻举措", "A2", "日期"), ("二级组织信息", "D9", "日期")],
    SCORES: [("评分汇总", "G2", "评议日期"), ("评分汇总", "F6", "政治态度（一）"), ("评分汇总", "Q7", "述职汇报")],
    CANDIDATE: [("推荐表", "D5", "成绩排名"), ("推荐表", "D6", "审核日期"), ("推荐表", "B9", "公示开始日期"),
                ("推荐表", "D13", "校党委确定日期")],
    UNION: [("名单", "G3", "入学年份"), ("名单", "K4", "成绩排名"), ("名单", "L5", "不及格门数"), ("名单", "N6", "审核日期")],
}
ROSTER = "信息工程系/名单-异常数字.csv"
ROSTER_HEADER = [*HEADER, "专业人数"]
# (row, column letter) of the roster csv's hostile cells: 入学年份 D, 成绩排名 H, 不及格门数 I, 审核日期 K, 专业人数 L
ROSTER_CELLS = [(2, "D"), (3, "H"), (4, "I"), (5, "K"), (6, "L")]
GBK_DIR = "石油工程系".encode("gbk")
GBK_FILE = "名单".encode("gbk") + b".xlsx"


def hostile_copy(src: Path, dest: Path, cells, value) -> None:
    from openpyxl import load_workbook

    wb = load_workbook(src)
    for sheet, cell, _ in cells:
        wb[sheet][cell].value = value
    dest.parent.mkdir(parents=True, exist_ok=True)
    wb.save(dest)
    settle(dest)


def hostile_roster(path: Path, value) -> None:
    rows = [ROSTER_HEADER]
    for n, (_, col) in enumerate(ROSTER_CELLS):
        row = person(name=f"某{n}", sid=f"20240399{n:02d}", unit="信息工程系", year=2019, rank="3") + [40]
        row[ROSTER_HEADER.index({"D": "入学年份", "H": "成绩排名", "I": "不及格门数", "K": "审核日期",
                                 "L": "专业人数"}[col])] = value
        rows.append(row)
    write_csv(path, rows)


def non_utf8_names(inbox: Path) -> list[str]:
    """A GBK-named unit folder with a roster in it, a GBK-named roster in a good folder and at the top level."""
    root = os.fsencode(inbox)
    os.makedirs(os.path.join(root, GBK_DIR), exist_ok=True)
    shutil.copy(EXAMPLES / "石油工程系" / "工作人员名单.xlsx", os.path.join(root, GBK_DIR, b"a.xlsx"))
    shutil.copy(EXAMPLES / "石油工程系" / "工作人员名单.xlsx", os.path.join(root, "机电工程系".encode(), GBK_FILE))
    shutil.copy(EXAMPLES / "经济管理系工作人员名单.xlsx", os.path.join(root, GBK_FILE))
    for p in (os.path.join(root, GBK_DIR, b"a.xlsx"), os.path.join(root, "机电工程系".encode(), GBK_FILE),
              os.path.join(root, GBK_FILE)):
        t = os.stat(p).st_mtime - 600
        os.utime(p, (t, t))
    shown = lambda b: b.decode("utf-8", "replace")  # noqa: E731
    return [shown(GBK_DIR) + "/", "机电工程系/" + shown(GBK_FILE), shown(GBK_FILE)]


def sample_with(root: Path, value) -> Path:
    inbox = root / "inbox"
    shutil.copytree(EXAMPLES, inbox)
    for rel, cells in CELLS.items():
        name = Path(rel)
        hostile_copy(EXAMPLES / rel, inbox / name.parent / f"{name.stem}-异常{name.suffix}", cells, value)
    # the score sheet's 学期 line too
    hostile_copy(EXAMPLES / SCORES, inbox / "述职评议评分表-异常学期.xlsx", [("评分汇总", "A2", "")], f"学期：{value}")
    hostile_roster(inbox / ROSTER, value)
    return inbox


def hostile_rel(rel: str) -> str:
    name = Path(rel)
    return (name.parent / f"{name.stem}-异常{name.suffix}").as_posix()


def run(root: Path, as_of: date = AS_OF, edition: str = "2020") -> dict:
    from sureform.pipeline import RunOptions, run_pipeline

    report = run_pipeline(RunOptions(root / "inbox", root / "outbox", root / "state", as_of, edition, 0))
    # what the JSON output and the terminal get: valid UTF-8, no NaN
    json.dumps(report, ensure_ascii=False, default=str, allow_nan=False).encode("utf-8")
    return report


def error_cells(f: dict) -> set[tuple[str | None, str | None]]:
    return {(i["sheet"], i["cell"]) for i in f["issues"] if i["severity"] == "error"}


@pytest.mark.parametrize("value", HOSTILE, ids=["400-digits", "1e400", "-0", "NaN", "inf"])
def test_every_number_bearing_cell_costs_only_its_file(tmp_path, value):
    inbox = sample_with(tmp_path, value)
    skipped_names = non_utf8_names(inbox)
    report = run(tmp_path)
    statuses = {f["path"]: f["status"] for f in report["files"]}
    for rel in (p.relative_to(EXAMPLES).as_posix() for p in EXAMPLES.rglob("*") if p.is_file()):
        assert statuses[rel] == "accepted", (rel, file_report(report, rel)["issues"])
    for name in skipped_names:  # shown with replacement characters, skipped with the reason
        f = file_report(report, name)
        assert f["status"] == "skipped" and "UTF-8" in f["reason"], f
        assert "\ufffd" in f["path"]
    hostile = [hostile_rel(r) for r in CELLS] + ["述职评议评分表-异常学期.xlsx", ROSTER]
    for rel in hostile:
        assert statuses[rel] in ("accepted", "rejected"), rel
    if value != "-0":  # -0 is a fine 0 for a count or a score
        for rel, cells in CELLS.items():
            f = file_report(report, hostile_rel(rel))
            assert f["status"] == "rejected", f
            for sheet, cell, label in cells:
                assert (sheet, cell) in error_cells(f), (rel, label, f["issues"])
        f = file_report(report, ROSTER)
        assert {c for _, c in error_cells(f)} >= {f"{col}{row}" for row, col in ROSTER_CELLS}, f["issues"]
        f = file_report(report, "述职评议评分表-异常学期.xlsx")
        assert f["status"] == "rejected" and "semester-invalid" in [i["code"] for i in f["issues"]], f["issues"]
    # the next run (a new filing date: everything is consolidated and written again) exits normally
    again = run(tmp_path, date(2020, 11, 25))
    assert again["items"]


def test_the_issues_reproductions(tmp_path):
    """`1` + 309 zeros + `门` as 不及格门数 and as 全校学生人数: the file's own error, every run goes on."""
    from openpyxl import load_workbook

    inbox = tmp_path / "inbox"
    shutil.copytree(EXAMPLES, inbox)
    write_csv(inbox / "化学工程系" / "名单2.csv", [HEADER, person(sid="2024010177", unit="化学工程系", failed=FAILED_309)])
    wb = load_workbook(inbox / INSTITUTION)
    wb["基本信息"]["B5"].value = FAILED_309.replace("门", "")
    wb.save(inbox / INSTITUTION)
    settle(inbox / INSTITUTION)
    report = run(tmp_path)
    roster = file_report(report, "化学工程系/名单2.csv")
    assert roster["status"] == "rejected"
    assert [(i["code"], i["cell"]) for i in roster["issues"] if i["severity"] == "error"] == [("number-out-of-range", "I2")]
    institution = file_report(report, INSTITUTION)
    assert institution["status"] == "rejected"
    assert ("number-out-of-range", "B5") in [(i["code"], i["cell"]) for i in institution["issues"]]
    assert file_report(report, "化学工程系/工作人员名单.csv")["status"] == "accepted"
    assert run(tmp_path, date(2020, 11, 25))["items"]


CONTROL = "\x01\x0b"  # appended to every text: what no document or workbook can hold (an older master may)


@pytest.mark.parametrize("stored", [10**400, float("inf"), float("-inf"), float("nan"), -0.0, "9999-12-31", "0001-01-01",
                                    CONTROL],
                         ids=["400-digits", "inf", "-inf", "NaN", "-0", "year-9999", "year-1", "control-characters"])
@pytest.mark.parametrize("edition", ["2020", "2021"])
def test_nothing_in_the_master_stops_a_later_run(tmp_path, stored, edition):
    """What an older version could have stored in every number-bearing field (every date field, for a date) of
    every record: every later run (both documents, 汇总.xlsx rendered again from the records) exits normally and
    decides every item."""
    shutil.copytree(EXAMPLES, tmp_path / "inbox")
    run(tmp_path, edition=edition)
    db = sqlite3.connect(tmp_path / "state" / "master.sqlite")
    changed = 0
    for rowid, data in db.execute("SELECT rowid, data FROM records").fetchall():
        rec = json.loads(data)
        for key, v in list(rec.items()):
            if key.startswith("_"):
                continue
            is_date = isinstance(v, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", v)
            if stored == CONTROL and isinstance(v, str) and not is_date and key != "student_id":
                rec[key] = v + CONTROL
                changed += 1
            elif stored != CONTROL and (isinstance(stored, str) and is_date or not isinstance(stored, str)
                                        and isinstance(v, (int, float)) and not isinstance(v, bool)):
                rec[key] = stored
                changed += 1
        db.execute("UPDATE records SET data = ? WHERE rowid = ?", (json.dumps(rec, ensure_ascii=False), rowid))
    db.execute("DELETE FROM sheet_rows")  # 汇总.xlsx's rows rendered again from the stored values
    db.execute("DELETE FROM roster_checks")  # the roster schema run again on them
    db.commit()
    db.close()
    assert changed > 100
    for name in ("备案表.docx", "改革情况公开.docx"):
        (tmp_path / "outbox" / name).unlink()
    report = run(tmp_path, date(2020, 11, 25), edition)
    assert report["items"] and (tmp_path / "outbox" / "汇总.xlsx").exists()
    assert not [i for i in report["items"] if "评估时出错" in json.dumps(i, ensure_ascii=False)]
    assert (tmp_path / "outbox" / "备案表.docx").exists() and (tmp_path / "outbox" / "改革情况公开.docx").exists()


def test_render_rows_writes_any_value():
    """汇总.xlsx's row renderer: an int of 400 digits (even one past str()'s limit), NaN and infinities are written
    as text; a plain number stays a number."""
    from sureform.outputs.sheet_xml import CellStyles, Column, render_rows

    one = {None: 1}
    styles = CellStyles(0, one, one, one, one)
    values = [10**400, float("nan"), float("inf"), -float("inf"), 10**5000, 42, -0.0]
    xml = render_rows([values], [Column(chr(65 + i), 10) for i in range(len(values))], styles, ("=",)).decode()
    assert "<t>" + "1" + "0" * 400 + "</t>" in xml
    assert "<t>nan</t>" in xml and "<t>inf</t>" in xml and "<t>-inf</t>" in xml and "（数字过长）" in xml
    assert "<v>42</v>" in xml and "<v>-0.0</v>" in xml


def test_the_command_line_with_names_not_utf8(tmp_path):
    """`sureform run` prints the run with replacement characters and exits 0."""
    inbox = tmp_path / "inbox"
    shutil.copytree(EXAMPLES, inbox)
    non_utf8_names(inbox)
    cmd = [sys.executable, "-m", "sureform.cli", "run", "--inbox", str(inbox), "--outbox", str(tmp_path / "outbox"),
           "--state", str(tmp_path / "state"), "--as-of", "2020-11-24", "--settle", "0"]
    for extra in ([], ["--json"]):
        done = subprocess.run(cmd + extra, capture_output=True, timeout=300, cwd=tmp_path,
                              env={**os.environ, "PYTHONIOENCODING": "utf-8"})
        assert done.returncode == 0, done.stderr.decode("utf-8", "replace")[-2000:]
        out = done.stdout.decode("utf-8")  # valid UTF-8 throughout
        assert "\ufffd" in out
        if extra:
            json.loads(out)
