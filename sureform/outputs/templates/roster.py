"""The blank rosters: the school-level 工作人员名单 (no 组织名称 column: a file with one naming a 院系 union
is read as that union's roster) and the 院系学生会工作人员名单 (组织名称 first after 院系); the exact headers,
drop-downs and a 填写说明 sheet."""
from __future__ import annotations

from pathlib import Path

from sureform.outputs.templates.sheets import for_print, this_year
from sureform.editions import load_catalogue
from sureform.intake.readers.roster import FIELDS

ROWS = 80  # rows prepared with drop-downs and text format
COLUMN_NOTES = {
    "name": "必填",
    "student_id": "必填。请按文本填写完整学号（本列已设为文本格式，不要写成数字或科学计数法）",
    "unit": "所在系全称；文件放在系名子文件夹中时可不填",
    "year": "如 2024 或 2024级；一年级新生可不填成绩排名",
    "level": "专科 / 本科 / 研究生",
    "political": "必填，下拉选择",
    "activist": "是 / 否",
    "post": "必填，下拉选择，只能是六种职务之一",
    "department": "必填。主席团成员填“主席团”，其余填所在工作部门名称（与机构信息“部门设置”一致）",
    "rank": "最近1学年综合排名：3/45，或填名次并在“专业人数”中填总人数，或 6.7%、前10%",
    "major_size": "本专业参与排名的总人数",
    "rank_basis": "最近1个学期 / 最近1学年 / 入学以来",
    "failed_courses": "没有不及格填 0",
    "discipline": "无违纪填“无”",
    "recommender": "推荐该生的团组织，如 石油工程系团总支",
    "review_date": f"校党委学生工作部门和校团委审核日期，如 {this_year()}-09-20",
    "org": "必填，下拉选择：本系学生会填“学生会”，研究生会填“研究生会”（也可写全称，如 石油工程系学生会）",
}
# what differs between the two rosters: their sheet, title, columns and the lines of their 填写说明
UNIT_NOTES = {
    "department": "必填。主席团成员填“主席团”，其余填本系学生会（研究生会）的工作部门名称（与机构信息“二级组织信息”一致）",
    "recommender": "推荐该生的团支部，如 石工1901团支部",
    "review_date": f"院系党组织和团组织审核日期，如 {this_year()}-09-20",
}


def school_fields():
    return [f for f in FIELDS if f.key != "org"]


def unit_fields():
    rest = school_fields()
    at = next(i for i, f in enumerate(rest) if f.key == "unit") + 1
    org = next(f for f in FIELDS if f.key == "org")
    return rest[:at] + [org] + rest[at:]


def write_roster_template(path: Path, edition: str = "2020") -> Path:
    """校级学生会工作人员名单: a 系's students serving in the school-level union."""
    return _write(path, edition, school_fields(), "工作人员名单", "（系名）学生在校级学生会任职的工作人员名单",
                  "校级学生会工作人员名单填写说明", [
                      "1. 每行填写一名在校级学生会任职的学生；红色表头为必填项。",
                      "2. 把填好的文件放入共享文件夹 inbox 下本系的子文件夹（如 inbox/石油工程系/），系统会自动检查。",
                      "3. 有错误的文件会整份退回：在 outbox/退回/<系名>/ 下生成“_错误标注.xlsx”，有问题的单元格按类别涂色（红色错误、橙色问题、黄色提示）并带批注说明如何修改。",
                      "4. 不符合改革要求但数据无误的情况（如成绩排名超出前30%）会被接收并提示，请核实。",
                      "5. 再次提交时直接放入修改后的完整名单，新名单会替换本系之前的校级名单。",
                      "6. 本系学生会（研究生会）自己的工作人员请填在“院系学生会工作人员名单”模板中，不要填在本表。",
                  ], {}, mandatory=set())


def write_unit_roster_template(path: Path, edition: str = "2020") -> Path:
    """院系学生会工作人员名单: a 系's own 学生会 (研究生会) and its staff; 组织名称 says which."""
    return _write(path, edition, unit_fields(), "院系学生会工作人员名单", "（系名）学生会（研究生会）工作人员名单",
                  "院系学生会工作人员名单填写说明", [
                      "1. 每行填写一名在本系学生会（研究生会）任职的学生；红色表头为必填项。",
                      "2. “组织名称”一列填写“学生会”或“研究生会”：系统据此识别这是院系学生会的名单（不填则按校级名单读取）。",
                      "3. 把填好的文件放入共享文件夹 inbox 下本系的子文件夹（如 inbox/石油工程系/），系统会自动检查。",
                      "4. 有错误的文件会整份退回：在 outbox/退回/<系名>/ 下生成“_错误标注.xlsx”，有问题的单元格按类别涂色（红色错误、橙色问题、黄色提示）并带批注说明如何修改。",
                      "5. 再次提交时直接放入修改后的完整名单，新名单会替换本系之前的院系学生会名单，不影响校级名单。",
                      "6. 本系学生在校级学生会任职的，请填在“工作人员名单”（校级）模板中。",
                  ], UNIT_NOTES, mandatory={"org"})


def _write(path: Path, edition: str, fields, sheet: str, heading: str, notes_heading: str, lines: list[str],
           notes: dict[str, str], mandatory: set[str]) -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    cat = load_catalogue(edition)
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append([heading])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(fields))
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.append([f.label for f in fields])
    fill = PatternFill("solid", fgColor="FFDDEBF7")
    for i, f in enumerate(fields, 1):
        c = ws.cell(2, i)
        c.font, c.fill = Font(bold=True, color="FFC00000" if f.mandatory or f.key in mandatory else "FF000000"), fill
        ws.column_dimensions[get_column_letter(i)].width = max(10, len(f.label) * 2 + 4)
    col = {f.key: get_column_letter(i) for i, f in enumerate(fields, 1)}
    for r in range(3, 3 + ROWS):
        ws[f"{col['student_id']}{r}"].number_format = "@"
    ws.column_dimensions[col["student_id"]].width = 16
    choices = {
        "post": cat.posts,
        "political": cat.political_status,
        "activist": ["是", "否"],
        "level": ["专科", "本科", "研究生"],
        "rank_basis": ["最近1个学期", "最近1学年", "入学以来"],
    }
    if "org" in col:
        choices["org"] = ["学生会", "研究生会"]
    for key, values in choices.items():
        dv = DataValidation(type="list", formula1='"' + ",".join(values) + '"', allow_blank=True,
                            showErrorMessage=key != "org",  # a full name (石油工程系学生会) is welcome too
                            errorTitle="请从下拉列表中选择", error="可选：" + "、".join(values))
        ws.add_data_validation(dv)
        dv.add(f"{col[key]}3:{col[key]}{2 + ROWS}")
    ws.freeze_panes = "A3"

    sheet_notes = wb.create_sheet("填写说明")
    sheet_notes.append([notes_heading])
    sheet_notes["A1"].font = Font(bold=True, size=14)
    for line in (*lines, "", "各列说明："):
        sheet_notes.append([line])
    for f in fields:
        sheet_notes.append([f"{f.label}：{notes.get(f.key, COLUMN_NOTES.get(f.key, ''))}"])
    sheet_notes.column_dimensions["A"].width = 110
    for_print(wb)
    wb.save(path)
    return path
