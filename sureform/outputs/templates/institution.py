"""The blank 机构信息 workbook: 基本信息 (项目/内容) and one small table a sheet, each with its headers."""
from __future__ import annotations

from pathlib import Path

from openpyxl.comments import Comment
from openpyxl.utils import get_column_letter

from sureform.editions import load_catalogue
from sureform.intake.readers.institution import BASIC_ITEMS, BASIC_SHEET, TABLES
from sureform.outputs.templates.sheets import for_print, date_cells, dropdown, label_cell, notes_sheet, this_year

ROWS = 60
BASIC_NOTES = {
    "学校名称": "学校全称，如 天津石油职业技术学院",
    "组织类型": "学生会 或 研究生会",
    "学生人数较多或分校区较多": "是 / 否：是则工作人员上限为60人，否则为40人",
    "全校学生人数": "全日制在校学生总数，如 9000",
    "是否已由省级团委、学联核查（复评）": "是 / 否（2021 年起的备案表表头）",
    "自评公开链接": "学校公开本表的网页地址（2021 年起的备案表表头）",
}
DATE_KEYS = {"date"}
YES_NO_KEYS = {"elects_presidium", "included", "full_time", "flag"}


def write_institution_template(path: Path, edition: str = "2020") -> Path:
    from openpyxl import Workbook

    cat = load_catalogue(edition)
    wb = Workbook()
    ws = wb.active
    ws.title = BASIC_SHEET
    label_cell(ws, "A1", "项目")
    label_cell(ws, "B1", "内容")
    for r, spec in enumerate(BASIC_ITEMS, 2):
        label_cell(ws, f"A{r}", spec.label, mandatory=True)
        ws[f"A{r}"].comment = Comment(BASIC_NOTES[spec.key], "sureform")
    dropdown(ws, "B3", list(cat.vocabulary["org_types"]))
    dropdown(ws, "B4", ["是", "否"])
    ws.column_dimensions["A"].width, ws.column_dimensions["B"].width = 30, 40
    choices = {
        ("council", "category"): (list(cat.scores["rater_categories"]), True),
        ("responsible", "category"): ([cat.vocabulary.get("responsible_category", "分管学生会组织的校团委责任人"),
                                       cat.vocabulary.get("secretary_category", "秘书长")], False),
        ("congress", "body"): ([cat.vocabulary["congress_body"], "学生代表大会委员会", "学生代表大会常任代表会议"], False),
    }
    for table in TABLES:
        sheet = wb.create_sheet(table.sheet)
        for c, f in enumerate(table.fields, 1):
            col = get_column_letter(c)
            label_cell(sheet, f"{col}1", f.label, mandatory=f.required)
            sheet.column_dimensions[col].width = 40 if f.key in ("duties", "content", "measure", "review_note") else 16
            cells = f"{col}2:{col}{ROWS + 1}"
            if f.key in DATE_KEYS:
                date_cells(sheet, cells)
            elif f.key in YES_NO_KEYS:
                dropdown(sheet, cells, ["是", "否"])
            elif (table.name, f.key) in choices:
                values, strict = choices[(table.name, f.key)]
                dropdown(sheet, cells, values, strict=strict)
            elif f.key == "student_id":
                for r in range(2, ROWS + 2):
                    sheet[f"{col}{r}"].number_format = "@"
        sheet.freeze_panes = "A2"
    notes_sheet(wb, "机构信息填写说明", [
        "1. 本文件由校团委填写，放入共享文件夹 inbox（无需放入系名子文件夹）；再次提交会替换之前的机构信息。",
        "2. “基本信息”必须填写；其他工作表没有内容时可以留空，相应评估项目会显示为“待补充”。",
        "3. 部门设置：每行一个工作部门，填写部门名称和部门职责原文；如某部门职责经校团委复核不属于行政职能，可在“复核说明”中写明理由。",
        "4. 学代会：每次校级学生（研究生）代表大会一行，选举机构填写实际选举主席团的机构（应为学生代表大会本身）。",
        "5. 评议会成员：类别填写 学生代表、学工部 或 团委；学生代表应超过半数。",
        "6. 党委听取汇报：每次党委听取学生会工作汇报一行；党建规划：学生会建设是否纳入学校党建工作整体规划。",
        "7. 学习贯彻举措：学习贯彻全国学联二十七大精神的具体举措，每项一行并写明日期。",
        "8. 指导责任人：类别填写“分管学生会组织的校团委责任人”或“秘书长”，并注明是否为专职团干。",
        f"9. 学代会代表名单、评奖评优提名为可选工作表；日期写成 {this_year()}-10-15 或 {this_year()}/10/15。",
    ])
    for_print(wb)
    wb.save(path)
    return path
