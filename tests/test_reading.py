"""Reading real messy files: every format and header shape a secretary sends."""

import pytest
from conftest import HEADER, codes, file_report, issue, person, settle, write_csv, write_xls, write_xlsx

from sureform.intake.grid import read_grids
from sureform.intake.readers.roster import find_roster_header


def read_one(env, rel):
    report = env.run()
    return file_report(report, rel)


def test_title_rows_and_merged_title(env):
    from openpyxl import Workbook

    path = env.inbox / "石油工程系" / "名单.xlsx"
    path.parent.mkdir(parents=True)
    wb = Workbook()
    ws = wb.active
    ws.append(["石油工程系学生会工作人员名单"])
    ws.merge_cells("A1:K1")
    ws.append(["填报单位：石油工程系团总支"])
    ws.append([])
    ws.append(HEADER)
    ws.append(person())
    wb.save(path)
    settle(path)
    f = read_one(env, "石油工程系/名单.xlsx")
    assert f["status"] == "accepted" and f["rows"] == 1 and f["issues"] == []


def test_full_width_spaces_brackets_and_synonyms(env):
    header = ["学生姓名", "学　号", "系　部", "年级", "政治面貌（请选择）", "担任职务（请选择）", "所属部门", "成绩排名",
              "不及格科目数", "推荐单位", "审核时间"]
    env.roster("机电工程系", [person(year="2024级", unit="机电工程系")], header=header)
    f = read_one(env, "机电工程系/名单.xlsx")
    assert f["status"] == "accepted", f["issues"]
    assert f["rows"] == 1


def test_two_row_header_with_merged_rank(env):
    from openpyxl import Workbook

    path = env.inbox / "信息工程系" / "名单.xlsx"
    path.parent.mkdir(parents=True)
    wb = Workbook()
    ws = wb.active
    ws.append(["姓名", "学号", "政治面貌", "职务", "所在部门", "成绩排名", ""])
    ws.append(["", "", "", "", "", "名次", "专业人数"])
    for c in range(1, 6):
        ws.merge_cells(start_row=1, start_column=c, end_row=2, end_column=c)
    ws.merge_cells("F1:G1")
    ws.append(["李四", "2023010101", "团员", "干事", "宣传部", 20, 45])  # 44%: above 30%
    wb.save(path)
    settle(path)
    f = read_one(env, "信息工程系/名单.xlsx")
    assert f["status"] == "accepted"
    assert issue(f, "rank-above-limit")["cell"] == "F3"


def test_merged_unit_cells_fill_every_row(env, tmp_path):
    from openpyxl import Workbook

    path = env.inbox / "化工.xlsx"
    wb = Workbook()
    ws = wb.active
    ws.append(["姓名", "学号", "院系", "政治面貌", "职务", "所在部门"])
    ws.append(["甲", "2024030101", "化学工程系", "团员", "干事", "宣传部"])
    ws.append(["乙", "2024030102", "", "团员", "干事", "宣传部"])
    ws.merge_cells("C2:C3")
    wb.save(path)
    settle(path)
    (env.inbox / "化学工程系").mkdir()
    report = env.run()
    f = file_report(report, "化工.xlsx")
    assert f["unit"] == "化学工程系" and f["status"] == "accepted"


def test_xls_with_student_ids_typed_as_numbers(env):
    rows = [HEADER, person(sid=2024010101.0, year=2024.0, unit="机电工程系")]
    write_xls(env.inbox / "机电工程系" / "名单.xls", rows)
    f = read_one(env, "机电工程系/名单.xls")
    assert f["status"] == "accepted", f["issues"]
    from sureform.store import Store

    with Store(env.state / "master.sqlite") as store:
        assert [r["student_id"] for r in store.current_records("roster")] == ["2024010101"]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_encodings(env, encoding):
    write_csv(env.inbox / "化学工程系" / "名单.csv", [HEADER, person(sid="012300456", unit="化学工程系")], encoding)
    f = read_one(env, "化学工程系/名单.csv")
    assert f["status"] == "accepted", f["issues"]
    from sureform.store import Store

    with Store(env.state / "master.sqlite") as store:
        rec = store.current_records("roster")[0]
    assert rec["student_id"] == "012300456"  # leading zero kept: never read through pandas' type guessing
    assert rec["name"] == "张三"


def test_xlsm_is_read_as_data(env):
    from openpyxl import Workbook

    path = env.inbox / "石油工程系" / "名单.xlsm"
    path.parent.mkdir(parents=True)
    wb = Workbook()
    wb.active.append(HEADER)
    wb.active.append(person())
    wb.save(path)
    settle(path)
    f = read_one(env, "石油工程系/名单.xlsm")
    assert f["status"] == "accepted" and f["kind"] == "roster"


def test_formula_without_cached_value_is_an_error(env):
    from openpyxl import Workbook

    path = env.inbox / "石油工程系" / "名单.xlsx"
    path.parent.mkdir(parents=True)
    wb = Workbook()
    ws = wb.active
    ws.append(HEADER)
    ws.append(person())
    ws["I2"] = "=0*1"  # openpyxl saves formulas without a cached value, as a tool that never calculated
    wb.save(path)
    settle(path)
    f = read_one(env, "石油工程系/名单.xlsx")
    assert f["status"] == "rejected"
    assert issue(f, "formula-no-value")["cell"] == "I2"


def test_notes_and_blank_rows_are_not_people(env):
    rows = [HEADER, person(), [], ["填表说明：一年级新生可不填成绩排名，不及格门数没有填0。"], person(name="李四", sid="2024010102")]
    write_xlsx(env.inbox / "石油工程系" / "名单.xlsx", rows)
    f = read_one(env, "石油工程系/名单.xlsx")
    assert f["rows"] == 2 and f["status"] == "accepted"


def test_sheet_without_roster_is_ignored_but_others_read(tmp_path):
    from openpyxl import Workbook

    path = tmp_path / "a.xlsx"
    wb = Workbook()
    wb.active.title = "说明"
    wb.active.append(["请按模板填写"])
    ws = wb.create_sheet("名单")
    ws.append(["标题"])
    ws.append(HEADER)
    wb.save(path)
    grids = read_grids(path)
    assert [g.name for g in grids] == ["说明", "名单"]
    assert find_roster_header(grids[0]) is None
    assert find_roster_header(grids[1]).row == 2


def test_unreadable_file_is_rejected_and_kept(env):
    path = env.inbox / "石油工程系" / "坏文件.xlsx"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"this is not a workbook")
    settle(path)
    f = read_one(env, "石油工程系/坏文件.xlsx")
    assert f["status"] == "rejected" and codes(f) == ["file-unreadable"]
    kept = list((env.state / "rejected").rglob("*坏文件.xlsx"))
    assert len(kept) == 1 and kept[0].read_bytes() == b"this is not a workbook"
    assert not path.exists()


def test_unknown_kind(env):
    write_xlsx(env.inbox / "石油工程系" / "随便.xlsx", [["a", "b"], [1, 2]])
    f = read_one(env, "石油工程系/随便.xlsx")
    assert f["status"] == "rejected" and codes(f) == ["kind-unknown"]


def test_missing_required_column(env):
    header = [h for h in HEADER if h != "政治面貌"]
    rows = [header, [v for h, v in zip(HEADER, person()) if h != "政治面貌"]]
    write_xlsx(env.inbox / "石油工程系" / "名单.xlsx", rows)
    f = read_one(env, "石油工程系/名单.xlsx")
    assert f["status"] == "rejected"
    i = issue(f, "column-missing")
    assert i["column"] == "政治面貌" and i["row"] == 1


def test_unit_mismatch_on_a_form_points_at_its_cell(env):
    from openpyxl import Workbook

    path = env.inbox / "石油工程系" / "推荐表.xlsx"
    path.parent.mkdir(parents=True)
    wb = Workbook()
    ws = wb.active
    for r, (label, value) in enumerate([("姓名", "王五"), ("学号", "2019010101"), ("院系", "机电工程系"),
                                        ("班级", "石工1901"), ("政治面貌", "共青团员"), ("系团总支推荐", "同意"),
                                        ("系党组织意见", "同意")], 2):
        ws.cell(r, 2, label)
        ws.cell(r, 3, value)
    wb.save(path)
    settle(path)
    f = read_one(env, "石油工程系/推荐表.xlsx")
    assert f["kind"] == "candidate"
    assert issue(f, "unit-mismatch")["cell"] == "C4"
