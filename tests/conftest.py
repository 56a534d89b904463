"""Shared helpers: real spreadsheet files written into tmp_path, and one-call pipeline runs."""
from __future__ import annotations

import csv
import os
import time
from datetime import date
from pathlib import Path

import pytest

AS_OF = date(2026, 11, 24)
HEADER = ["姓名", "学号", "院系", "入学年份", "政治面貌", "职务", "所在部门", "成绩排名", "不及格门数", "推荐团组织", "审核日期"]


def person(name="张三", sid="2024010101", unit="石油工程系", year=2024, political="共青团员", post="干事",
           dept="宣传部", rank="3/45", failed=0, recommender="石油工程系团总支", reviewed="2026-09-20"):
    return [name, sid, unit, year, political, post, dept, rank, failed, recommender, reviewed]


def write_xlsx(path: Path, rows: list[list], sheet: str = "Sheet1", title: str | None = None, text_columns=()) -> Path:
    from openpyxl import Workbook

    path.parent.mkdir(parents=True, exist_ok=True)
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    if title:
        ws.append([title])
    for row in rows:
        ws.append(row)
    for col in text_columns:
        for cell in ws[col]:
            cell.number_format = "@"
    wb.save(path)
    settle(path)
    return path


def write_csv(path: Path, rows: list[list], encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding=encoding, newline="") as f:
        csv.writer(f).writerows([[("" if v is None else v) for v in r] for r in rows])
    settle(path)
    return path


def write_xls(path: Path, rows: list[list], sheet: str = "Sheet1") -> Path:
    import xlwt

    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet(sheet)
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            ws.write(r, c, v)
    wb.save(str(path))
    settle(path)
    return path


def settle(path: Path, age: float = 600) -> None:
    """Make a file look finished: its mtime is `age` seconds ago."""
    t = time.time() - age
    os.utime(path, (t, t))


class Env:
    def __init__(self, root: Path):
        self.root = root
        self.inbox = root / "inbox"
        self.outbox = root / "outbox"
        self.state = root / "state"
        self.inbox.mkdir(parents=True, exist_ok=True)

    def options(self, as_of: date = AS_OF, stable_seconds: float = 5.0):
        from sureform.pipeline import RunOptions

        return RunOptions(self.inbox, self.outbox, self.state, as_of, "2020", stable_seconds)

    def run(self, as_of: date = AS_OF, stable_seconds: float = 5.0) -> dict:
        from sureform.pipeline import run_pipeline

        return run_pipeline(self.options(as_of, stable_seconds))

    def roster(self, unit: str, rows: list[list], name: str = "名单.xlsx", header=HEADER) -> Path:
        return write_xlsx(self.inbox / unit / name, [header, *rows])


@pytest.fixture
def env(tmp_path) -> Env:
    return Env(tmp_path)


def file_report(report: dict, path: str) -> dict:
    return next(f for f in report["files"] if f["path"] == path)


def codes(file: dict) -> list[str]:
    return [i["code"] for i in file["issues"]]


def issue(file: dict, code: str) -> dict:
    return next(i for i in file["issues"] if i["code"] == code)


@pytest.fixture(scope="session")
def prefect_harness():
    """One temporary Prefect server for the whole test session (starting one costs 8–18 s)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield
