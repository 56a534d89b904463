"""Blank forms as the provincial league sends them (Word), for `sureform editions import`:

- examples/forms/改革自评表-2022-空白.docx: the 2021–22 改革自评表 layout (../shared/docs/editions.md): heading,
  the ★/▲ legend, （一）校级 table 指标 · 结论 · 备注 with items 1–11 as published (★ on 1 and 11), and the
  （二）二级 table's title (its items were never published: the table has its header only);
- examples/forms/改革自评表-2022-2023-空白.docx and 改革自评表-2023-2024-空白.docx: the same tables as published for
  2022–23 and 2023–24, numbered as the published forms number them (`1★.`, `11★.`): the 2023–24 legend names ★
  only, its school table is headed （一）校级学生会组织改革自评 and its item 6 has the 2023–24 wording; item 12
  onward and the 二级 items were never published (editions.md): not there;
- examples/forms/备案表-2020-空白.docx: the seed's own 2020 table (项目 · 验收结论 · 备注, 达标/未达标, item 3
  with three sub-rows under a merged 3. 机构和人员规模 cell, 备注 实有人 / 实有个 / 召开日期为：).

    .venv/bin/python examples/make_blank_forms.py [OUT_DIR]
"""
from __future__ import annotations

import sys
from pathlib import Path

import docx
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

HERE = Path(__file__).resolve().parent
OUT = HERE / "forms"
BOX = "□"

# ---- 2020: the seed's table (../shared/seed/000_c8c55c4a3599e9ce.txt) ----------------------------------------
GROUP_2020 = "3. 机构和人员规模"
ITEMS_2020 = [
    ("1. 坚持全心全意服务同学，聚焦主责主业开展工作。未承担宿舍管理、校园文明纠察、安全保卫等高校行政职能。", ""),
    ("2. 工作机构架构为“主席团+工作部门”模式，未在工作部门以上或以下设置“中心”、“项目办公室”等常设层级。", ""),
    [("校级学生会组织工作人员不超过40人，学生人数较多、分校区较多的高校不超过60人。", "实有人"),
     ("校级学生会组织主席团成员不超过5人。", "实有人"),
     ("校级学生会组织工作部门不超过6个。", "实有个")],
    ("4. 除主席、副主席（探索实行轮值制度的高校为执行主席）、部长、副部长、干事外未设其他职务。", ""),
    ("5. 学生会组织工作人员为共产党员或共青团员。", ""),
    ("6. 学生会组织工作人员中除一年级新生外的本专科生最近1个学期/最近1学年/入学以来三者取其一，学习成绩综合排名在本专业前30%以内，"
     "且无课业不及格情况；研究生无课业不及格情况。", ""),
    ("7. 校级学生会组织主席团候选人均由学院（系）团组织推荐，经学院（系）党组织同意，校党委学生工作部门和校团委联合审查后，报校党委确定；"
     "校级学生会组织工作部门成员均由学院（系）团组织推荐，经校党委学生工作部门和校团委审核后确定。", ""),
    ("8. 主席团由学生代表大会（非其委员会、常务委员会、常任代表会议等）选举产生。", ""),
    ("9. 2019年10月以来召开了校级学生（研究生）代表大会。", "召开日期为："),
    ("10. 校级学生（研究生）代表大会代表经班级团支部推荐、学院（系）组织选举产生。", ""),
    ("11. 学生会组织认真学习贯彻全国学联二十七大会议精神有实质性举措，学生会工作人员普遍知晓习近平总书记贺信和党中央致词精神，"
     "了解全国学联大会报告和章程修正案基本内容，了解团中央、教育部有关工作要求。", ""),
    ("12. 组建以学生代表为主，校党委学生工作部门、校团委等共同参与的校级学生会组织工作人员评议会；主席团成员和工作部门负责人每学期向评议会述职。", ""),
    ("13. 学生会组织工作人员参加评奖评优、测评加分、推荐免试攻读研究生等事项时，依据评议结果择优提名，未与其岗位简单挂钩。", ""),
    ("14. 学生会组织的建设纳入了学校党建工作整体规划；党组织定期听取学生会组织工作汇报，研究决定重大事项。", ""),
    ("15. 明确1名校团委专职副书记指导校级学生会组织；聘任校团委专职副书记或干部担任校级学生会组织秘书长。", ""),
]

# ---- 2021–22 改革自评表 (editions.md, school table items 1–11) -------------------------------------------
LEGEND_2022 = "标注“★”为核心指标；标注“▲”为观测指标，2021—2022学年暂不作硬性要求。"
TITLE_2022_SCHOOL = "（一）校级学生会组织改革自评表"
TITLE_2022_UNITS = "（二）二级学生会组织（含二级院系、书院、分校区等学生会、研究生会）改革自评表"
BLANK_PEOPLE, BLANK_COUNT, BLANK_DATE = "实有　　人", "实有　　个", "召开日期为："
ITEMS_2022 = [
    ("★", "坚持全心全意服务同学，聚焦主责主业开展工作。未承担宿舍管理、校园文明纠察、安全保卫等行政职能。", ""),
    ("", "工作机构架构为“主席团+工作部门”模式，未在工作部门以上或以下设置“中心”、“项目办公室”等常设层级。", ""),
    ("", "工作人员不超过40人，学生人数较多、分校区较多的高校不超过60人。", BLANK_PEOPLE),
    ("", "主席团成员不超过5人。", BLANK_PEOPLE),
    ("", "工作部门不超过6个。", BLANK_COUNT),
    ("", "除主席、副主席（轮值执行主席）、部长、副部长、干事外未设其他职务。", ""),
    ("", "工作人员为共产党员或共青团员。", ""),
    ("", "工作人员中除一年级新生外的本专科生最近1个学期/最近1学年/入学以来三者取其一，学习成绩综合排名在本专业前30%以内，"
         "且无课业不及格情况；研究生无课业不及格情况。", ""),
    ("", "主席团候选人均由学院（系）团组织推荐，经学院（系）党组织同意，校党委学生工作部门和校团委联合审查后，报校党委确定；"
         "校级学生会组织工作部门成员均由学院（系）团组织推荐，经校党委学生工作部门和校团委审核后确定。", ""),
    ("", "主席团由学生代表大会（非其委员会、常务委员会、常任代表会议等）选举产生。", ""),
    ("★", "按期规范召开学生（研究生）代表大会。", BLANK_DATE),
]


LEGEND_2023 = "标注“★”为核心指标；标注“▲”为观测指标，2022—2023学年暂不作硬性要求。"
LEGEND_2024 = "标注“★”为核心指标。"
TITLE_2024_SCHOOL = "（一）校级学生会组织改革自评"
ITEM_6_2024 = "除学生会主席团成员（含轮值执行主席）和工作部门成员，均不设置其他任何职务。"
ITEMS_2024 = [ITEMS_2022[i] if i != 5 else ("", ITEM_6_2024, "") for i in range(len(ITEMS_2022))]


def published_number(n: int, mark: str) -> str:
    """How the published 改革自评表 number an item: the mark after the number, before the dot (`1★.`)."""
    return f"{n}{mark}."


def new_document() -> docx.Document:
    doc = docx.Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(25)
    normal = doc.styles["Normal"]
    normal.font.name = "SimSun"
    normal.font.size = Pt(10.5)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
    return doc


def heading(doc, text: str, size: float = 16, center: bool = True) -> None:
    para = doc.add_paragraph()
    run = para.add_run(text)
    run.bold = True
    run.font.size = Pt(size)
    if center:
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER


def write(cell, text: str, bold: bool = False, center: bool = False) -> None:
    lines = text.split("\n")
    cell.paragraphs[0].text = ""
    for i, line in enumerate(lines):
        para = cell.paragraphs[0] if i == 0 else cell.add_paragraph()
        run = para.add_run(line)
        run.bold = bold
        if center:
            para.alignment = WD_ALIGN_PARAGRAPH.CENTER


def widths(table, mm: list[float]) -> None:
    table.autofit = False
    for column, w in zip(table.columns, mm):  # the grid (LibreOffice lays the table out from it)
        column.width = Mm(w)
    for row in table.rows:
        for cell, w in zip(row.cells, mm):
            cell.width = Mm(w)


def form_2020(path: Path) -> Path:
    doc = new_document()
    heading(doc, "高校学生会组织深化改革评估备案表")
    doc.add_paragraph(f"组织名称：　　　　　　　　　　{BOX}学生会{BOX}研究生会")
    rows = sum(len(x) if isinstance(x, list) else 1 for x in ITEMS_2020)
    table = doc.add_table(rows=1 + rows, cols=4)
    table.style = "Table Grid"
    widths(table, [24, 74, 22, 36])
    header = table.rows[0].cells
    write(header[0].merge(header[1]), "项目", bold=True, center=True)
    write(header[2], "验收结论", bold=True, center=True)
    write(header[3], "备注", bold=True, center=True)
    verdict = f"{BOX}达标\n{BOX}未达标"
    r = 1
    for entry in ITEMS_2020:
        if isinstance(entry, list):
            block = table.rows[r: r + len(entry)]
            write(block[0].cells[0].merge(block[-1].cells[0]), GROUP_2020)
            for row, (text, note) in zip(block, entry):
                write(row.cells[1], text)
                write(row.cells[2], verdict, center=True)
                write(row.cells[3], note)
            r += len(entry)
            continue
        text, note = entry
        cells = table.rows[r].cells
        write(cells[0].merge(cells[1]), text)
        write(cells[2], verdict, center=True)
        write(cells[3], note)
        r += 1
    doc.add_paragraph()  # as Word ends every document
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    return path


def form_2022(path: Path, legend: str = LEGEND_2022, school_title: str = TITLE_2022_SCHOOL,
              items: list = ITEMS_2022, numbered=lambda n, mark: f"{mark}{n}.") -> Path:
    doc = new_document()
    heading(doc, "一、改革自评表")
    doc.add_paragraph(legend)
    heading(doc, school_title, size=12, center=False)
    table = doc.add_table(rows=1 + len(items), cols=3)
    table.style = "Table Grid"
    widths(table, [100, 24, 36])
    for cell, text in zip(table.rows[0].cells, ("指标", "结论", "备注")):
        write(cell, text, bold=True, center=True)
    for n, ((mark, text, note), row) in enumerate(zip(items, table.rows[1:]), start=1):
        write(row.cells[0], f"{numbered(n, mark)} {text}")
        write(row.cells[1], f"{BOX}是 {BOX}否", center=True)
        write(row.cells[2], note)
    heading(doc, TITLE_2022_UNITS, size=12, center=False)
    units = doc.add_table(rows=1, cols=3)
    units.style = "Table Grid"
    widths(units, [100, 24, 36])
    for cell, text in zip(units.rows[0].cells, ("指标", "结论", "备注")):
        write(cell, text, bold=True, center=True)
    doc.add_paragraph()  # Word always ends a document with a paragraph (LibreOffice's .doc export drops a last table)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    return path


def form_2023(path: Path) -> Path:
    """The 2022–23 改革自评表 as published: `1★.` numbering, the ★/▲ legend of 2022—2023."""
    return form_2022(path, LEGEND_2023, numbered=published_number)


def form_2024(path: Path) -> Path:
    """The 2023–24 改革自评表 as published: `1★.` numbering, a ★-only legend, item 6's 2023–24 wording."""
    return form_2022(path, LEGEND_2024, TITLE_2024_SCHOOL, ITEMS_2024, numbered=published_number)


def main(out: Path = OUT) -> list[Path]:
    return [form_2022(out / "改革自评表-2022-空白.docx"), form_2023(out / "改革自评表-2022-2023-空白.docx"),
            form_2024(out / "改革自评表-2023-2024-空白.docx"), form_2020(out / "备案表-2020-空白.docx")]


if __name__ == "__main__":
    for written in main(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT):
        print(written)
