"""Issue 10: one file never stops the others, never writes outside its folders, never smuggles a formula.

Every case of the issue's "Why", each beside a good roster that must still be accepted. The hostile files are
built here, small: a zip bomb of a few MB, one value at XFD1048576.
"""
from __future__ import annotations

import errno
import io
import json
import os
import re
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import HEADER, codes, file_report, person, settle, write_csv, write_xlsx

from sureform.intake.grid import ReadLimits

GOOD_UNIT = "石油工程系"
GOOD = f"{GOOD_UNIT}/名单.xlsx"


def good_roster(env) -> None:
    env.roster(GOOD_UNIT, [person()])


def assert_good_accepted(report) -> None:
    assert file_report(report, GOOD)["status"] == "accepted"


def everything_under(root: Path) -> set[str]:
    return {p.relative_to(root).parts[0] for p in root.iterdir()}


def patched_xlsx(path: Path, rows: list[list], patch) -> Path:
    """An .xlsx written by openpyxl whose first sheet's XML is then changed by `patch(bytes) -> bytes`."""
    plain = write_xlsx(path.with_name("plain-" + path.name), rows)
    with zipfile.ZipFile(plain) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = patch(data)
            zout.writestr(info.filename, data)
    plain.unlink()
    settle(path)
    return path


def far_cell(data: bytes) -> bytes:
    return data.replace(b"</sheetData>", b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c>'
                                         b"</row></sheetData>")


def formula_cells(path: Path) -> list[str]:
    """Every formula in a workbook, read from its XML (what Excel would calculate)."""
    found = []
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                found += re.findall(r"<f[ >].*?</f>|<f/>", z.read(name).decode("utf-8"))
    return found


def output_workbooks(env) -> list[Path]:
    return sorted(env.outbox.rglob("*.xlsx"))


# ---- writes outside its folders from cell content -------------------------------------------------------
@pytest.mark.parametrize("unit", ["/tmp/sureform-escape", "‥/‥/escape", "../escape", "系\x07名", "长" * 65])
def test_a_unit_from_the_column_never_becomes_a_path_outside(env, unit):
    good_roster(env)
    write_csv(env.inbox / "名单.csv", [HEADER, person(sid="2024010199", unit=unit)])
    report = env.run()
    assert_good_accepted(report)
    f = file_report(report, "名单.csv")
    assert f["status"] == "rejected" and f["unit"] is None
    assert {"unit-name-invalid", "unit-not-known"} & set(codes(f))  # 系\x07名 reads as 系名, not a known 系
    assert everything_under(env.root) == {"inbox", "outbox", "state"}
    assert not Path("/tmp/sureform-escape").exists()
    for p in list(env.state.rglob("*")) + list(env.outbox.rglob("*")):
        assert ".." not in p.relative_to(env.root).parts and "escape" not in str(p)


def test_a_long_file_name_is_archived_under_a_short_safe_name(env):
    good_roster(env)
    name = "石油工程系学生会工作人员名单（第二次修订）" * 3 + "名单" * 7 + ':*?"<>|.xlsx'
    assert 232 <= len(name.encode()) <= 255
    env.roster(GOOD_UNIT, [person(sid="2024010102", name="李四", political="群众")], name=name)
    report = env.run()
    f = file_report(report, f"{GOOD_UNIT}/{name}")
    assert f["status"] in ("accepted", "rejected")
    stored = [p for p in env.state.rglob("*.xlsx") if "archive" in p.parts or "rejected" in p.parts]
    assert all(len(p.name.encode()) <= 200 and not re.search(r'[:*?"<>|]', p.name) for p in stored)
    feedback = list((env.outbox / "退回").rglob("*.xlsx"))
    assert feedback and all(len(p.name.encode()) <= 200 and not re.search(r'[:*?"<>|]', p.name) for p in feedback)


def test_feedback_names_are_unique_per_original_file(env):
    env.roster(GOOD_UNIT, [person(sid="bad")])
    write_csv(env.inbox / GOOD_UNIT / "名单.csv", [HEADER, person(sid="bad2")])
    report = env.run()
    assert {f["status"] for f in report["files"]} == {"rejected"}
    names = sorted(p.name for p in (env.outbox / "退回" / GOOD_UNIT).glob("*.xlsx"))
    assert names == ["名单.csv_错误标注.xlsx", "名单.xlsx_错误标注.xlsx"]


# ---- one file stops every run ----------------------------------------------------------------------------
def test_one_value_far_away_is_refused_without_asking_for_the_grid(env):
    good_roster(env)
    patched_xlsx(env.inbox / "机电工程系" / "名单.xlsx", [HEADER, person(unit="机电工程系", sid="2024020101")],
                 far_cell)
    report = env.run()
    assert_good_accepted(report)
    f = file_report(report, "机电工程系/名单.xlsx")
    assert f["status"] == "rejected" and codes(f) == ["file-abnormal"]
    assert "XFD1048576" in f["issues"][0]["message"] and "文件结构异常或过大" in f["issues"][0]["message"]
    assert env.run()["files"] == []  # and the next run is a normal one


def test_a_declared_dimension_far_beyond_the_cells_is_read_from_its_cells(env):
    path = patched_xlsx(env.inbox / GOOD_UNIT / "名单.xlsx", [HEADER, person()],
                        lambda d: re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:XFD1048576"/>', d))
    assert b"XFD1048576" in zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml")
    assert_good_accepted(env.run())


def zip_bomb(path: Path, megabytes: int = 8, lie: bool = False) -> Path:
    """A real workbook whose sheet XML is padded with megabytes of blank rows (compresses about 1000:1);
    `lie` also declares the padded member far smaller than it is."""
    plain = write_xlsx(path.with_name("plain.xlsx"), [HEADER, person(unit="机电工程系", sid="2024020101")])
    with zipfile.ZipFile(plain) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"</sheetData>", b"</sheetData>" + b" " * (megabytes << 20))
            zout.writestr(info.filename, data)
    plain.unlink()
    if lie:  # the central directory says 1000 bytes: a reader trusting it would be fooled
        raw = bytearray(path.read_bytes())
        big = (megabytes << 20).to_bytes(4, "little")
        at = raw.rfind(b"xl/worksheets/sheet1.xml")
        cd = raw.rfind(b"PK\x01\x02", 0, at)
        raw[cd + 24:cd + 28] = (1000).to_bytes(4, "little")
        assert raw[cd + 24:cd + 28] != big
        path.write_bytes(bytes(raw))
    settle(path)
    return path


@pytest.mark.parametrize("lie", [False, True])
def test_a_zip_bomb_is_refused_at_once(env, lie):
    good_roster(env)
    bomb = zip_bomb(env.inbox / "机电工程系" / "名单.xlsx", lie=lie)
    assert bomb.stat().st_size < 100_000
    report = env.run()
    assert_good_accepted(report)
    f = file_report(report, "机电工程系/名单.xlsx")
    assert f["status"] == "rejected" and codes(f) in (["file-abnormal"], ["file-unreadable"])
    feedback = env.outbox / "退回" / "机电工程系" / "名单.xlsx_错误标注.xlsx"
    assert feedback.stat().st_size < 20_000  # the issue list alone, never the bomb's contents


def test_a_reader_that_aborts_costs_only_its_file(env, monkeypatch):
    """The native abort itself (calamine asking for 512 GB) with the cheap checks switched off: the worker dies,
    the file is refused, the batch goes on."""
    import multiprocessing

    from sureform.intake import grid, isolate

    monkeypatch.setattr(grid, "check_zip", lambda path, limits: None)
    monkeypatch.setattr(isolate, "_context", lambda preload: multiprocessing.get_context("fork"))
    good_roster(env)
    patched_xlsx(env.inbox / "机电工程系" / "名单.xlsx", [HEADER, person(unit="机电工程系", sid="2024020101")],
                 far_cell)
    report = env.run()
    assert_good_accepted(report)
    f = file_report(report, "机电工程系/名单.xlsx")
    assert f["status"] == "rejected" and codes(f) == ["file-abnormal"]


def _call(what: str):
    if what == "abort":
        os.abort()
    if what == "hang":
        import time

        time.sleep(60)
    if what == "hog":
        return len(bytearray(3 << 30))
    return what.upper()


def test_isolated_calls_blame_only_the_bad_one(monkeypatch):
    import multiprocessing

    from sureform.intake import isolate

    monkeypatch.setattr(isolate, "_context", lambda preload: multiprocessing.get_context("fork"))
    with isolate.Isolated(ReadLimits(seconds=2, memory_mb=256), workers=2) as pool:
        for key in ("a", "abort", "b", "hang", "hog", "c"):
            pool.submit(key, _call, key)
        assert pool.result("a") == "A"
        with pytest.raises(isolate.Abnormal):
            pool.result("abort")
        assert pool.result("b") == "B"
        with pytest.raises(isolate.Abnormal, match="秒"):
            pool.result("hang")
        with pytest.raises(MemoryError):
            pool.result("hog")
        assert pool.result("c") == "C"


def test_control_characters_are_removed_with_a_warning_and_never_break_the_summary(env):
    good_roster(env)
    write_csv(env.inbox / "化学工程系" / "名单.csv",
              [HEADER, person(name="王\x1a五", sid="2024030101", unit="化学工程系"),
               person(name="赵\x00六", sid="2024030102", unit="化学工程系")])
    report = env.run()
    assert_good_accepted(report)
    f = file_report(report, "化学工程系/名单.csv")
    assert f["status"] == "accepted"
    warned = [i for i in f["issues"] if i["code"] == "text-control-removed"]
    assert {i["cell"] for i in warned} == {"A2", "A3"} and warned[0]["value"] == "王五"
    assert (env.outbox / "汇总.xlsx").exists()


def test_a_bad_character_already_in_the_master_is_cleaned_on_the_way_out(env):
    good_roster(env)
    env.run()
    with sqlite3.connect(env.state / "master.sqlite") as conn:
        conn.execute("UPDATE records SET data = replace(data, '张三', '张\\u001a三\\u0000')")
    (env.outbox / "汇总.xlsx").unlink()
    report = env.run()  # an empty inbox
    assert report["files"] == []
    from openpyxl import load_workbook

    wb = load_workbook(env.outbox / "汇总.xlsx")
    assert any(c.value == "张三" for ws in wb.worksheets for row in ws.iter_rows() for c in row)


# ---- formula injection -----------------------------------------------------------------------------------
INJECTED = ['=HYPERLINK("http://x","click")', "=cmd|' /C calc'!A0", "+1+1", "@SUM(1)", "-2+3"]


def test_no_formula_from_data_in_any_output_workbook(env):
    good_roster(env)
    rows = [person(name=v, sid=f"20240301{n:02d}", unit="化学工程系", post=v) for n, v in enumerate(INJECTED)]
    write_csv(env.inbox / "化学工程系" / "名单.csv", [HEADER, *rows])
    bad = [person(name=v, sid="x", unit="机电工程系") for v in INJECTED]
    write_csv(env.inbox / "机电工程系" / "名单.csv", [HEADER, *bad])
    # a sender's workbook with live formulas of its own
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(HEADER)
    wb.active.append(person(name='=HYPERLINK("http://x","click")', unit="信息工程系", political="群众",
                            sid="2024040101"))
    path = env.inbox / "信息工程系" / "名单.xlsx"
    path.parent.mkdir(parents=True)
    wb.save(path)
    settle(path)
    report = env.run()
    assert_good_accepted(report)
    workbooks = output_workbooks(env)
    assert len(workbooks) >= 3  # 汇总 and two feedback workbooks
    for book in workbooks:
        assert formula_cells(book) == [], book
    from openpyxl import load_workbook

    summary = load_workbook(env.outbox / "汇总.xlsx")
    texts = {c.value for ws in summary.worksheets for row in ws.iter_rows() for c in row}
    assert INJECTED[0] in texts  # kept, as text


# ---- links and special files -----------------------------------------------------------------------------
def test_links_devices_and_fifos_are_skipped_never_read(env, tmp_path_factory):
    good_roster(env)
    secret = tmp_path_factory.mktemp("outside") / "passwd.csv"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n")
    settle(secret)
    unit = env.inbox / "机电工程系"
    unit.mkdir()
    (unit / "名单.csv").symlink_to(secret)
    os.mkfifo(unit / "管道.csv")
    (env.inbox / "链接的系").symlink_to(secret.parent, target_is_directory=True)
    (env.inbox / "...").mkdir()
    write_xlsx(env.inbox / "..." / "名单.xlsx", [HEADER, person()])
    report = env.run()
    assert_good_accepted(report)
    skipped = {f["path"]: f for f in report["files"] if f["status"] == "skipped"}
    assert set(skipped) >= {"机电工程系/名单.csv", "机电工程系/管道.csv", "链接的系/", ".../"}
    assert all(re.search(r"[\u4e00-\u9fff]", f["reason"]) for f in skipped.values())
    assert (unit / "名单.csv").is_symlink() and secret.exists()
    kept = [p for p in env.state.rglob("*") if p.is_file()]
    assert not any("root:x" in p.read_text(errors="ignore") for p in kept if p.suffix == ".csv")
    assert not list((env.outbox / "退回" / "机电工程系").glob("*.xlsx"))  # its progress page only


# ---- supplied Word files ---------------------------------------------------------------------------------
def charter(path: Path, doctype: bool = False) -> Path:
    import docx

    doc = docx.Document()
    doc.add_paragraph("某某大学学生会章程")
    doc.add_paragraph("第一条 总则")
    buffer = io.BytesIO()
    doc.save(buffer)
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as zin, zipfile.ZipFile(path, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if doctype and info.filename == "word/document.xml":
                data = data.replace(b"?>", b'?><!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>', 1)
            zout.writestr(info.filename, data)
    settle(path)
    return path


def test_a_word_file_with_a_dtd_is_refused_and_a_plain_one_accepted(env):
    good_roster(env)
    charter(env.inbox / "学生会章程.docx", doctype=True)
    charter(env.inbox / "章程（修订）.docx")
    report = env.run()
    assert_good_accepted(report)
    bad, fine = file_report(report, "学生会章程.docx"), file_report(report, "章程（修订）.docx")
    assert bad["status"] == "rejected" and codes(bad) == ["document-unsafe"]
    assert fine["status"] == "accepted"
    import docx

    docx.Document(str(env.outbox / "改革情况公开.docx"))  # opens


def test_a_document_that_does_not_reopen_is_never_published(tmp_path):
    from sureform.outputs.documents.publish import publish_documents

    class Broken:
        def save(self, target):
            target.write(b"PK\x05\x06" + b"\0" * 18)  # an empty zip: not a Word document

    (tmp_path / "备案表.docx").write_bytes(b"old")
    with pytest.raises(Exception):
        publish_documents(tmp_path, {"备案表.docx": Broken()})
    assert (tmp_path / "备案表.docx").read_bytes() == b"old"


# ---- size and the header ----------------------------------------------------------------------------------
def test_rows_beyond_the_limit_are_refused_csv_streamed_and_header_found_anywhere(env):
    good_roster(env)
    many = [person(sid=f"2024030{n:03d}", name=f"学生{n}", unit="化学工程系") for n in range(60)]
    write_csv(env.inbox / "化学工程系" / "名单.csv", [HEADER, *many])
    write_xlsx(env.inbox / "机电工程系" / "名单.xlsx", [HEADER, *many])
    preamble = [[f"说明第{n}行"] for n in range(40)]
    write_xlsx(env.inbox / "信息工程系" / "名单.xlsx",
               [*preamble, HEADER, person(sid="2024040101", unit="信息工程系")])
    from sureform.pipeline import RunOptions, run_pipeline

    opts = RunOptions(env.inbox, env.outbox, env.state, env.options().as_of, "2020", 5.0,
                      limits=ReadLimits(max_rows=50))
    report = run_pipeline(opts)
    assert_good_accepted(report)
    for rel in ("化学工程系/名单.csv", "机电工程系/名单.xlsx"):
        f = file_report(report, rel)
        assert f["status"] == "rejected" and codes(f) == ["file-abnormal"], f
    late = file_report(report, "信息工程系/名单.xlsx")
    assert late["status"] == "accepted" and late["rows"] == 1


# ---- environment failures ---------------------------------------------------------------------------------
def cli(root: Path, *extra: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API") and k != "SUREFORM_CONFIG"}
    return subprocess.run([sys.executable, "-m", "sureform.cli", "run", "--inbox", str(root / "inbox"),
                           "--outbox", str(root / "outbox"), "--settle", "0", "--as-of", "2026-11-24", *extra],
                          cwd=root, env=env, capture_output=True, text=True, timeout=120)


def test_an_unusable_state_folder_is_one_chinese_line_and_a_json_error(env):
    good_roster(env)
    (env.root / "occupied").write_text("a file where the state folder should be")
    res = cli(env.root, "--state", str(env.root / "occupied" / "state"), "--json")
    assert res.returncode == 4 and "Traceback" not in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1 and "无法写入" in res.stderr
    assert json.loads(res.stdout)["error"]["code"] == "environment"
    assert (env.inbox / GOOD).exists()  # nothing lost


@pytest.mark.parametrize("failure", [OSError(errno.ENOSPC, "No space left on device", "outbox/汇总.xlsx"),
                                     OSError(errno.EROFS, "Read-only file system", "state/master.sqlite"),
                                     sqlite3.OperationalError("attempt to write a readonly database")])
def test_a_full_or_read_only_disk_is_a_message(env, monkeypatch, capsys, failure):
    from sureform import cli as sureform_cli
    from sureform import pipeline

    def fail(*args, **kwargs):
        raise failure

    monkeypatch.setattr(pipeline, "run_intake", fail)
    code = sureform_cli.main(["run", "--inbox", str(env.inbox), "--outbox", str(env.outbox), "--state",
                              str(env.state), "--settle", "0", "--json"])
    out, err = capsys.readouterr()
    assert code == 4 and "Traceback" not in err and err.count("\n") == 1
    assert re.search("磁盘空间已满|只读", err)
    assert json.loads(out)["error"]["message"] in err


def test_far_cells_are_judged_the_same_with_or_without_their_references(tmp_path):
    """The quick bound by cell references (issue 12) only ever passes what the full scan passes: an empty cell
    far away is fine, a value placed by position beyond the column limit is refused all the same."""
    from sureform.intake.grid import FileTooLarge, check_zip

    limits = ReadLimits(max_columns=20)
    rows = [["姓名", "学号"], ["张三", "2019010101"]]
    empty_far = patched_xlsx(tmp_path / "empty.xlsx", rows, lambda d: d.replace(
        b"</sheetData>", b'<row r="3"><c r="XFD3" s="0"/></row></sheetData>'))
    check_zip(empty_far, limits)  # a styled empty cell holds nothing
    cells = b"".join(b"<c><v>1</v></c>" for _ in range(25))
    positional = patched_xlsx(tmp_path / "positional.xlsx", rows, lambda d: d.replace(
        b"</sheetData>", b'<row r="3">' + cells + b"</row></sheetData>"))
    with pytest.raises(FileTooLarge, match="Y3"):
        check_zip(positional, limits)
