"""Property-based: workbooks and CSVs with random cells and names, beside a good roster.

Whatever the cells (control characters, formulas, long strings, odd Unicode) and whatever the file and folder
names, a run exits normally, every file ends archived, rejected or still in the inbox, nothing is written outside
outbox/ and state/, and no output workbook holds a live formula.
"""
from __future__ import annotations

import re
import shutil
import tempfile
import zipfile
from pathlib import Path

from conftest import AS_OF, HEADER, person, settle, write_csv, write_xlsx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

NASTY = ["=HYPERLINK(\"http://x\",\"click\")", "=cmd|' /C calc'!A0", "+1", "-1+2", "@SUM(A1)", "\t=1", "\r=1",
         "\x00", "\x1a", "\x7f", "\u202e", "\ufeff", "\ud7ff", "../../x", "/etc/passwd", "‥/‥/x", "A" * 300]

cell = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=20),
    st.integers(-10**16, 10**16),
    st.floats(allow_nan=False, allow_infinity=False),
    st.none(),
)
row = st.lists(cell, min_size=1, max_size=len(HEADER))
name = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"], exclude_characters="/\x00"),
               min_size=1, max_size=60).filter(lambda s: s not in (".", "..") and len(s.encode()) < 200)
folder = st.one_of(st.none(), st.sampled_from(["石油工程系", "机电工程系", "...", "‥", " "]), name)


def formulas(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as z:
        return [m for n in z.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml")
                for m in re.findall(r"<f[ >/]", z.read(n).decode("utf-8"))]


def writable(v):
    """What openpyxl itself accepts in a cell (the file is the sender's; the point is what sureform does)."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v


@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@given(rows=st.lists(row, max_size=6), header=st.booleans(), as_csv=st.booleans(), file_name=name, where=folder)
def test_any_cells_any_names(rows, header, as_csv, file_name, where):
    from sureform.pipeline import RunOptions, run_pipeline

    root = Path(tempfile.mkdtemp(prefix="sureform-prop-"))
    try:
        inbox, outbox, state = root / "inbox", root / "outbox", root / "state"
        write_xlsx(inbox / "石油工程系" / "名单.xlsx", [HEADER, person()])
        folder_path = inbox / where if where and where.strip() else inbox
        body = ([HEADER] if header else []) + rows
        target = folder_path / (file_name + (".csv" if as_csv else ".xlsx"))
        try:
            if as_csv:
                write_csv(target, body)
            else:
                write_xlsx(target, [[writable(v) for v in r] for r in body])
        except OSError:
            return  # a name this file system refuses: no file to test
        settle(target)
        report = run_pipeline(RunOptions(inbox, outbox, state, AS_OF, "2020", 0))

        statuses = {f["path"]: f["status"] for f in report["files"]}
        assert statuses["石油工程系/名单.xlsx"] == "accepted"
        rel = target.relative_to(inbox).as_posix()
        left = {p.relative_to(inbox).as_posix() for p in inbox.rglob("*") if p.is_file()}
        # every file: accepted/rejected/duplicate (left the inbox, a copy kept), or still there and said why
        for path, status in statuses.items():
            if status in ("accepted", "rejected", "duplicate"):
                assert path not in left, (path, status)
            else:
                assert status == "skipped"
        assert rel in statuses or any(p.endswith("/") and rel.startswith(p) for p in statuses), (rel, statuses)
        # nothing outside outbox/ and state/
        assert {p.name for p in root.iterdir()} <= {"inbox", "outbox", "state"}
        # no live formula in any output workbook
        for book in outbox.rglob("*.xlsx"):
            assert formulas(book) == [], book
    finally:
        shutil.rmtree(root, ignore_errors=True)


# ---- issue 20: numbers of any size in every number-bearing column, names of any bytes ---------------------------
HOSTILE_NUMBERS = ["1" + "0" * 399, "1e400", "-1e400", "-0", "NaN", "nan", "inf", "-inf", "Infinity",
                   "1" + "0" * 309 + "门", "9999-12-31", "0001-01-01", "99999/1", "1/99999999999999999999", "1e400%",
                   "10000000000000000000000%", "9999年秋", "-1", "0.0000001", "1" + "0" * 20 + "人"]
number = st.one_of(
    st.sampled_from(HOSTILE_NUMBERS),
    st.integers(min_value=-10**400, max_value=10**400).map(str),
    st.integers(min_value=-10**18, max_value=10**18),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(alphabet="0123456789.-+eE%/门人第名前", max_size=30),
)
# the columns of HEADER that hold numbers or dates: 入学年份, 成绩排名, 不及格门数, 审核日期 (and 专业人数 appended)
NUMBER_COLUMNS = [HEADER.index(c) for c in ("入学年份", "成绩排名", "不及格门数", "审核日期")]


@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
@given(values=st.lists(st.lists(number, min_size=5, max_size=5), min_size=1, max_size=4), as_csv=st.booleans())
def test_any_numbers_in_number_columns(values, as_csv):
    """Every number-bearing column of a roster (and 机构信息's 全校学生人数, 召开日期, 代表人数) takes any number (hundreds of digits, NaN, infinities, dates past
    9999) as text or as a cell value: the good roster beside it is accepted, the run exits normally, every error
    names its cell, and the next run (everything consolidated again) exits normally too."""
    from datetime import timedelta

    from sureform.pipeline import RunOptions, run_pipeline

    root = Path(tempfile.mkdtemp(prefix="sureform-num-"))
    try:
        inbox, outbox, state = root / "inbox", root / "outbox", root / "state"
        write_xlsx(inbox / "石油工程系" / "名单.xlsx", [HEADER, person()])
        rows = [[*HEADER, "专业人数"]]
        for n, five in enumerate(values):
            row = person(name=f"某{n}", sid=f"20240388{n:02d}", unit="机电工程系") + [45]
            for col, v in zip([*NUMBER_COLUMNS, len(HEADER)], five):
                row[col] = v
            rows.append(row)
        target = inbox / "机电工程系" / ("名单.csv" if as_csv else "名单.xlsx")
        (write_csv if as_csv else write_xlsx)(target, rows)
        # and 机构信息's counts: 全校学生人数 on its 基本信息, 代表人数 and 召开日期 of its 学代会
        basics = [["项目", "内容"], ["学校名称", "某某学院"], ["组织类型", "学生会"], ["全校学生人数", values[0][0]]]
        institution = inbox / "机构信息.xlsx"
        write_xlsx(institution, basics, sheet="基本信息")
        from openpyxl import load_workbook

        wb = load_workbook(institution)
        congress = wb.create_sheet("学代会")
        for r in [["届次", "召开日期", "代表人数", "选举机构"], ["第一次", values[0][1], values[0][2], "学生代表大会"]]:
            congress.append(r)
        wb.save(institution)
        settle(institution)
        for as_of in (AS_OF, AS_OF + timedelta(days=1)):
            report = run_pipeline(RunOptions(inbox, outbox, state, as_of, "2020", 0))
            if as_of == AS_OF:
                statuses = {f["path"]: f for f in report["files"]}
                assert statuses["石油工程系/名单.xlsx"]["status"] == "accepted"
                for mine in (statuses[target.relative_to(inbox).as_posix()], statuses["机构信息.xlsx"]):
                    assert mine["status"] in ("accepted", "rejected"), mine
                    # a value that is not read is its own cell's error (never the file's, never the run's)
                    assert all(i["cell"] for i in mine["issues"] if i["severity"] == "error"), mine["issues"]
        for book in outbox.rglob("*.xlsx"):
            assert formulas(book) == [], book
    finally:
        shutil.rmtree(root, ignore_errors=True)


byte_name = st.binary(min_size=1, max_size=40).filter(
    lambda b: b"/" not in b and b"\x00" not in b and b not in (b".", b"..") and not b.startswith(b"."))


@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@given(file_name=byte_name, folder=st.one_of(st.none(), byte_name, st.sampled_from([b"\xca\xaf\xd3\xcd"])),
       suffix=st.sampled_from([b".xlsx", b".csv", b".docx", b""]))
def test_any_bytes_in_names(file_name, folder, suffix):
    """File and folder names of any bytes (GBK from a Windows archive, broken UTF-8, control bytes): the good roster
    is accepted, the run exits normally, and what it reports is valid UTF-8."""
    import json
    import os

    from sureform.pipeline import RunOptions, run_pipeline

    root = Path(tempfile.mkdtemp(prefix="sureform-bytes-"))
    try:
        inbox, outbox, state = root / "inbox", root / "outbox", root / "state"
        write_xlsx(inbox / "石油工程系" / "名单.xlsx", [HEADER, person()])
        where = os.path.join(os.fsencode(inbox), folder) if folder else os.fsencode(inbox)
        try:
            os.makedirs(where, exist_ok=True)
            target = os.path.join(where, file_name + suffix)
            write_xlsx(Path(os.fsdecode(target)), [HEADER, person(sid="2024010166")])
        except OSError:
            return  # a name this file system refuses
        report = run_pipeline(RunOptions(inbox, outbox, state, AS_OF, "2020", 0))
        json.dumps(report, ensure_ascii=False, default=str).encode("utf-8")
        statuses = {f["path"]: f["status"] for f in report["files"]}
        assert statuses["石油工程系/名单.xlsx"] == "accepted"
        for f in report["files"]:
            f["path"].encode("utf-8")
        assert {p.name for p in root.iterdir()} <= {"inbox", "outbox", "state"}
    finally:
        shutil.rmtree(root, ignore_errors=True)
