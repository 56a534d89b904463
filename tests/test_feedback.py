"""The feedback workbook, read back as the secretary will open it."""
from conftest import HEADER, file_report, person, write_csv, write_xls, write_xlsx
from openpyxl import load_workbook

from sureform.outputs.cells import SEVERITY_FILL
from sureform.outputs.feedback import LIST_SHEET


def feedback_of(env, unit, name):
    path = env.outbox / "退回" / unit / f"{name}_错误标注.xlsx"
    assert path.exists(), list(env.outbox.rglob("*"))
    return load_workbook(path)


def is_red(cell):
    """Marked as an error (the file is not accepted): the one colour language's red."""
    return cell.fill is not None and cell.fill.fgColor.rgb == SEVERITY_FILL["错误"]


def is_orange(cell):
    """Marked as a problem (accepted, fails a reform requirement): orange, never the red of an error."""
    return cell.fill is not None and cell.fill.fgColor.rgb == SEVERITY_FILL["问题"]


def test_rejected_xlsx_comes_back_with_marked_cells(env):
    env.roster("石油工程系", [person(), person(name="李四", sid="12-34", post="秘书长")])
    report = env.run()
    assert file_report(report, "石油工程系/名单.xlsx")["status"] == "rejected"
    wb = feedback_of(env, "石油工程系", "名单.xlsx")
    assert wb.sheetnames[0] == LIST_SHEET and "Sheet1" in wb.sheetnames
    listing = wb[LIST_SHEET]
    rows = [[c.value for c in r] for r in listing.iter_rows(min_row=3)]
    assert {(r[3], r[7]) for r in rows} == {("B3", "student-id-invalid"), ("F3", "post-not-allowed")}
    assert rows[0][1] == "错误"  # errors listed first
    sheet = wb["Sheet1"]
    assert is_red(sheet["B3"]) and is_orange(sheet["F3"])
    assert not is_red(sheet["B2"]) and sheet["B2"].comment is None
    assert "12-34" in sheet["B3"].comment.text
    assert "秘书长" in sheet["F3"].comment.text
    assert sheet["A3"].value == "李四"  # the sender's own data is all there


def test_accepted_file_with_findings_gets_feedback_too(env):
    env.roster("石油工程系", [person(political="群众")])
    report = env.run()
    f = file_report(report, "石油工程系/名单.xlsx")
    assert f["status"] == "accepted"
    wb = feedback_of(env, "石油工程系", "名单.xlsx")
    assert is_orange(wb["Sheet1"]["E2"]) and "群众" in wb["Sheet1"]["E2"].comment.text
    assert "已接收" in wb[LIST_SHEET]["A1"].value


def test_clean_file_gets_no_feedback(env):
    env.roster("石油工程系", [person()])
    report = env.run()
    assert report["outputs"]["feedback"] == []
    assert not list(env.outbox.rglob("*_错误标注.xlsx"))  # its folder holds only its progress page


def test_clean_resubmission_withdraws_the_old_marks(env):
    env.roster("石油工程系", [person(political="群众")])
    env.run()
    fb = env.outbox / "退回" / "石油工程系" / "名单.xlsx_错误标注.xlsx"
    assert fb.exists()
    env.roster("石油工程系", [person()])  # fixed and sent again under the same name
    env.run()
    assert not fb.exists()


def test_csv_and_xls_are_rebuilt_as_workbooks(env):
    write_csv(env.inbox / "化学工程系" / "名单.csv", [HEADER, person(failed=2)], "gb18030")
    write_xls(env.inbox / "机电工程系" / "名单.xls", [HEADER, person(sid="x", unit="机电工程系")])
    env.run()
    csv_wb = feedback_of(env, "化学工程系", "名单.csv")
    assert is_orange(csv_wb["Sheet1"]["I2"]) and csv_wb["Sheet1"]["A2"].value == "张三"
    xls_wb = feedback_of(env, "机电工程系", "名单.xls")
    assert is_red(xls_wb["Sheet1"]["B2"])


def test_resubmitting_the_same_file_repeats_its_feedback(env):
    path = env.roster("石油工程系", [person(political="群众")])
    data = path.read_bytes()
    env.run()
    fb = env.outbox / "退回" / "石油工程系" / "名单.xlsx_错误标注.xlsx"
    fb.unlink()
    path.write_bytes(data)
    from conftest import settle

    settle(path)
    report = env.run()
    f = file_report(report, "石油工程系/名单.xlsx")
    assert f["status"] == "duplicate"
    assert "political-status-not-allowed" in [i["code"] for i in f["issues"]]
    assert fb.exists()


def test_hand_filled_template_with_mistakes(env, tmp_path):
    """A new user's path: blank template → fill by hand with mistakes → drop in → marked feedback."""
    from conftest import settle

    from sureform.outputs.templates.catalog import write_templates

    paths = write_templates(tmp_path / "tpl")
    roster_tpl = next(p for p in paths if "工作人员名单" in p.name)
    wb = load_workbook(roster_tpl)
    ws = wb["工作人员名单"]
    header = [c.value for c in ws[2]]
    col = {h: i + 1 for i, h in enumerate(header)}
    rows = [
        {"姓名": "王小明", "学号": "2024010101", "院系": "石油工程系", "入学年份": "2024级", "政治面貌": "共青团员",
         "职务": "主席", "所在部门": "主席团", "成绩排名": "2/40", "不及格门数": 0},
        {"姓名": "李小红", "学号": 2.02401e+17, "院系": "石油工程系", "入学年份": "2024级", "政治面貌": "群众",
         "职务": "部长助理", "所在部门": "宣传部", "成绩排名": "15/40", "不及格门数": 1},
        {"姓名": "赵新生", "学号": "2026010101", "院系": "石油工程系", "入学年份": 2026, "政治面貌": "团员",
         "职务": "干事", "所在部门": "宣传部"},
    ]
    for r, values in enumerate(rows, 3):
        for h, v in values.items():
            ws.cell(r, col[h], v)
    dest = env.inbox / "石油工程系" / "工作人员名单.xlsx"
    dest.parent.mkdir(parents=True)
    wb.save(dest)
    settle(dest)
    report = env.run()
    f = file_report(report, "石油工程系/工作人员名单.xlsx")
    assert f["status"] == "rejected"
    found = {(i["code"], i["cell"]) for i in f["issues"]}
    letter = {h: ws.cell(2, c).column_letter for h, c in col.items()}
    assert ("student-id-precision-lost", f"{letter['学号']}4") in found
    assert ("political-status-not-allowed", f"{letter['政治面貌']}4") in found
    assert ("post-not-allowed", f"{letter['职务']}4") in found
    assert ("rank-above-limit", f"{letter['成绩排名']}4") in found
    assert ("failed-course", f"{letter['不及格门数']}4") in found
    assert not any(i["row"] in (3, 5) for i in f["issues"])  # the correct rows and the freshman are clean
    back = feedback_of(env, "石油工程系", "工作人员名单.xlsx")
    sheet = back["工作人员名单"]
    assert is_orange(sheet[f"{letter['职务']}4"])
    assert "六种" in sheet[f"{letter['职务']}4"].comment.text or "主席" in sheet[f"{letter['职务']}4"].comment.text
    assert "填写说明" in back.sheetnames  # the rest of their workbook is intact


def test_two_files_of_one_name_from_one_department_in_a_batch_lose_no_marks(env):
    """Feedback is written in the reader processes; two files answered at the same place in one batch are
    answered in order: the later one's feedback stands, the earlier one's is kept in 历史/."""
    env.roster("石油工程系", [person(), person(name="李四", sid="2024010102", political="群众")])
    write_xlsx(env.inbox / "石油工程系" / "旧" / "名单.xlsx",
               [HEADER, person(), person(name="王五", sid="2024010103", post="秘书长")])
    env.run()
    current = feedback_of(env, "石油工程系", "名单.xlsx")[LIST_SHEET]
    kept = list((env.outbox / "历史").rglob("名单.xlsx_错误标注.xlsx"))
    assert len(kept) == 1
    codes = {r[7] for r in current.iter_rows(min_row=3, values_only=True)}
    earlier = {r[7] for r in load_workbook(kept[0])[LIST_SHEET].iter_rows(min_row=3, values_only=True)}
    assert {frozenset(codes), frozenset(earlier)} == {frozenset({"political-status-not-allowed"}),
                                                       frozenset({"post-not-allowed"})}


def test_a_workbook_too_big_to_mark_still_gets_its_list_of_problems(env, monkeypatch, caplog):
    """Marking the sender's own sheets needs openpyxl, far hungrier than reading: when it runs out of memory (or
    kills its process), the sender still gets the list of problems."""
    from pathlib import Path

    from sureform import pipeline
    from sureform.intake.isolate import Isolated
    from sureform.issues import Location, make_issue
    from sureform.outputs import feedback

    def out_of_memory(source):
        raise MemoryError

    monkeypatch.setattr(feedback, "_workbook_of", out_of_memory)
    source = write_xlsx(env.root / "kept" / "名单.xlsx", [HEADER, person(political="群众")])
    issues = [make_issue("political-status-not-allowed", Location("石油工程系/名单.xlsx", "Sheet1", 2, "政治面貌", "E2"),
                         "群众")]
    dest = env.outbox / "退回" / "石油工程系" / "名单.xlsx_错误标注.xlsx"
    fr = pipeline.FileRead(path=Path("名单.xlsx"), rel="石油工程系/名单.xlsx")
    call = (source, "名单.xlsx", issues, dest, "已接收")
    written: list = []
    with Isolated(pipeline.RunOptions().limits, in_process=True) as writer:  # here, where the patch above holds
        writer.submit(fr.rel, pipeline._write_feedback_isolated, *call)
        pipeline._take_feedback(fr, call, writer, written)
    assert written == [dest] and fr.feedback == dest
    wb = load_workbook(dest)
    assert wb.sheetnames == [LIST_SHEET]
    assert [r[7] for r in wb[LIST_SHEET].iter_rows(min_row=3, values_only=True)] == ["political-status-not-allowed"]
    assert "无法在原表格上标注（MemoryError），只列出问题清单" in caplog.text


def test_a_batch_of_many_files_gets_every_feedback_from_the_reader_processes(env):
    from sureform.pipeline import FEEDBACK_POOL_MIN

    units = [f"第{n}系" for n in range(FEEDBACK_POOL_MIN + 1)]
    for n, unit in enumerate(units):
        env.roster(unit, [person(sid=f"20240{n}0101", unit=unit, post="部长"),
                          person(name="李四", sid=f"20240{n}0102", unit=unit, political="群众")])
    report = env.run()
    assert len(report["outputs"]["feedback"]) == len(units)
    for unit in units:
        listing = feedback_of(env, unit, "名单.xlsx")[LIST_SHEET]
        assert [(r[3], r[7]) for r in listing.iter_rows(min_row=3, values_only=True)] == \
            [("E3", "political-status-not-allowed")]
