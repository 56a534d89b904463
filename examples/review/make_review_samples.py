"""Colleges' filled declarations for `sureform review`, made from published patterns:

- 天津石油职业技术学院/: the seed's own 2020 disclosure (../shared/seed/000_c8c55c4a3599e9ce.txt): its section 一
  (the 备案表 with its ticks: 58 staff 达标 against 40/60, item 9 未达标 with an empty 召开日期为：) and its section
  四 figures (58 staff, 58 团员, 91.38% in the top 30%), rebuilt as Word would hold them;
- 滨海理工学院/: a 2021–22 改革自评表, ticks in Word's Wingdings 2 (R/£), every figure within its limit, a
  congress this academic year, three 二级 tables (one per union, the published 2021 二级 items, typed 是/否):
  passes;
- 津南师范学院/: a 2020 备案表 with `实有45` ticked 达标 (over 40, within 60, the form does not say it is large)
  and a 召开日期 without a year: to verify (待核实);
- 河东职业学院/: a 2022–23 改革自评表 (`1★.` numbering) with `实有51人` ticked 是 against 40/60 and `实有6人` for
  departments (a unit slip): must rectify (需整改);
- 渤海医学院/: a passing 2020 备案表 saved by an office as a legacy .doc (through LibreOffice when installed);
- 塘沽商业学院/: a passing 2021–22 改革自评表 with one 二级 table, exported to PDF (born-digital, by LibreOffice).

    .venv/bin/python examples/review/make_review_samples.py [OUT_DIR]     (default examples/review/inbox)
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
import make_blank_forms as blanks  # noqa: E402
from docx.oxml import OxmlElement  # noqa: E402
from docx.oxml.ns import qn  # noqa: E402

OUT = HERE / "inbox"
SEED_NAME = "000_c8c55c4a3599e9ce.txt"
SEED = next((p / "shared" / "seed" / SEED_NAME for p in HERE.parents if (p / "shared" / "seed" / SEED_NAME).is_file()),
            Path("/work/shared/seed") / SEED_NAME)
TICK, BOX = "☑", "□"

# the published 2021 二级 table (editions.md: complete, 13 items), its 备注 patterns
UNIT_ITEMS = [
    ("坚持全心全意服务同学，聚焦主责主业开展工作。未承担宿舍管理、校园文明纠察、安全保卫等行政职能。", ""),
    ("工作机构架构为“主席团+工作部门”模式，未在工作部门以上或以下设置“中心”、“项目办公室”等常设层级。", ""),
    ("工作人员不超过30人。", "实有 {n} 人"),
    ("主席团成员不超过3人。", "实有 {n} 人"),
    ("除主席、副主席（轮值执行主席）、部长、副部长、干事外未设其他职务。", ""),
    ("工作人员为共产党员或共青团员。", ""),
    ("工作人员中除一年级新生外的本专科生最近1个学期/最近1学年/入学以来三者取其一，学习成绩综合排名在本专业前30%以内，"
     "且无课业不及格情况；研究生无课业不及格情况。", ""),
    ("主席团由学生（研究生）代表大会（非其委员会、常务委员会、常任代表会议等）或全体学生（研究生）大会选举产生。", ""),
    ("按期规范召开学生（研究生）代表大会或全体学生（研究生）大会。", "召开日期为：{date}"),
    ("开展了春、秋季学生会组织工作人员全员培训。", ""),
    ("工作人员参加评奖评优、测评加分、推荐免试攻读研究生等事项时，依据评议结果择优提名，未与其岗位简单挂钩。", ""),
    ("党组织定期听取学生会组织工作汇报，研究决定重大事项。", ""),
    ("明确1名团组织负责人指导院级学生会组织；聘任团委老师担任院级学生会组织秘书长。", ""),
]
UNITS_TITLE = "（二）二级学生会组织（含二级院系、书院、分校区等学生会、研究生会）改革自评表"
SECTION_4 = ("工作人员人数", "共青团员人数", "入党积极分子", "最近1学年综合排名进入专业前5%人数",
             "最近1学年综合排名进入专业前30%的比例", "是否存在课业不及格情况", "是否存在违纪行为")


def wingdings(paragraph, char: str) -> None:
    """A box as Word's 插入符号 puts it: the letter in the Wingdings 2 font (R ☑, £ □)."""
    run = paragraph.add_run("R" if char == TICK else "£")
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    for key in ("w:ascii", "w:hAnsi", "w:eastAsia"):
        fonts.set(qn(key), "Wingdings 2")


def verdict_cell(cell, words: tuple[str, str], answer: str | None, style: str, lines: bool = True) -> None:
    """☑达标 □未达标 (style "unicode"), the Wingdings 2 letters ("wingdings"), ■ ("square"), or the word typed."""
    cell.paragraphs[0].text = ""
    if style == "typed":
        cell.paragraphs[0].add_run(answer or "")
        return
    for i, word in enumerate(words):
        para = cell.paragraphs[0] if i == 0 or not lines else cell.add_paragraph()
        if i and not lines:
            para.add_run(" ")
        ticked = answer == word
        if style == "wingdings":
            wingdings(para, TICK if ticked else BOX)
        else:
            para.add_run(("■" if style == "square" else TICK) if ticked else BOX)
        para.add_run(word)


def org_line(name: str, org: str) -> str:
    return f"组织名称：{name} {TICK if org == '学生会' else BOX}学生会{TICK if org == '研究生会' else BOX}研究生会"


def section_4_table(doc, figures: tuple) -> None:
    blanks.heading(doc, "四、校级组织工作人员名单", size=12, center=False)
    table = doc.add_table(rows=2, cols=len(SECTION_4))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, SECTION_4):
        blanks.write(cell, text, center=True)
    for cell, value in zip(table.rows[1].cells, figures):
        blanks.write(cell, str(value), center=True)


def filled_2020(path: Path, name: str, org: str, answers: dict, notes: dict, style: str = "unicode",
                figures: tuple | None = None, disclosure: bool = False) -> Path:
    """The 2020 备案表 (the seed's table) filled: answers by item id (1, 3a…) → 达标/未达标, notes → 备注 text."""
    doc = blanks.new_document()
    if disclosure:
        blanks.heading(doc, f"{name}学生会组织改革情况")
        doc.add_paragraph("现将我校学生会改革情况公开如下。")
        blanks.heading(doc, "一、改革自评表", size=12, center=False)
    blanks.heading(doc, "高校学生会组织深化改革评估备案表")
    doc.add_paragraph(org_line(name, org))
    rows = sum(len(x) if isinstance(x, list) else 1 for x in blanks.ITEMS_2020)
    table = doc.add_table(rows=1 + rows, cols=4)
    table.style = "Table Grid"
    blanks.widths(table, [24, 74, 22, 36])
    header = table.rows[0].cells
    blanks.write(header[0].merge(header[1]), "项目", bold=True, center=True)
    blanks.write(header[2], "验收结论", bold=True, center=True)
    blanks.write(header[3], "备注", bold=True, center=True)
    words = ("达标", "未达标")
    r, n = 1, 0
    for entry in blanks.ITEMS_2020:
        n += 1
        if isinstance(entry, list):
            block = table.rows[r: r + len(entry)]
            blanks.write(block[0].cells[0].merge(block[-1].cells[0]), blanks.GROUP_2020)
            for k, (row, (text, note)) in enumerate(zip(block, entry)):
                iid = f"{n}{'abc'[k]}"
                blanks.write(row.cells[1], text)
                verdict_cell(row.cells[2], words, answers.get(iid), style)
                blanks.write(row.cells[3], notes.get(iid, note))
            r += len(entry)
            continue
        text, note = entry
        cells = table.rows[r].cells
        blanks.write(cells[0].merge(cells[1]), text)
        verdict_cell(cells[2], words, answers.get(str(n)), style)
        blanks.write(cells[3], notes.get(str(n), note))
        r += 1
    return _saved(doc, path, figures)


def _saved(doc, path: Path, figures: tuple | None) -> Path:
    """The form ended as Word ends a document (section 四's table when given, then a paragraph) and saved."""
    if figures:
        section_4_table(doc, figures)
    doc.add_paragraph()
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    return path


def filled_2022(path: Path, name: str, org: str, answers: dict, notes: dict, *, style: str = "unicode",
                legend: str = blanks.LEGEND_2022, items=blanks.ITEMS_2022, numbered=blanks.published_number,
                units: list | None = None, units_declared: int | None = None, reviewed: str = "否",
                link: str = "", figures: tuple | None = None) -> Path:
    """A 2021–22 (or 2022–23) 改革自评表 filled, with its header fields and one 二级 table per union:
    units = [(union name, answers by id, notes by id)] on the published 2021 二级 items, typed 是/否."""
    doc = blanks.new_document()
    blanks.heading(doc, f"{name}学生会组织改革自评表")
    doc.add_paragraph(org_line(name, org))
    doc.add_paragraph(f"二级学生会组织（含二级院系、书院、分校区等学生会、研究生会）数量："
                      f"{len(units or []) if units_declared is None else units_declared}")
    doc.add_paragraph(f"是否已由省级团委、学联核查（复评）：{TICK if reviewed == '是' else BOX}是"
                      f"{TICK if reviewed == '否' else BOX}否")
    doc.add_paragraph(f"自评公开链接：{link}")
    blanks.heading(doc, "一、改革自评表")
    doc.add_paragraph(legend)
    blanks.heading(doc, blanks.TITLE_2022_SCHOOL, size=12, center=False)
    table = doc.add_table(rows=1 + len(items), cols=3)
    table.style = "Table Grid"
    blanks.widths(table, [100, 24, 36])
    for cell, text in zip(table.rows[0].cells, ("指标", "结论", "备注")):
        blanks.write(cell, text, bold=True, center=True)
    for n, ((mark, text, note), row) in enumerate(zip(items, table.rows[1:]), start=1):
        blanks.write(row.cells[0], f"{numbered(n, mark)} {text}")
        verdict_cell(row.cells[1], ("是", "否"), answers.get(str(n)), style, lines=False)
        blanks.write(row.cells[2], notes.get(str(n), note.replace("　", "")))
    for unit, unit_answers, unit_notes in units or []:
        blanks.heading(doc, f"{UNITS_TITLE}（{unit}）", size=12, center=False)
        t = doc.add_table(rows=1 + len(UNIT_ITEMS), cols=3)
        t.style = "Table Grid"
        blanks.widths(t, [100, 24, 36])
        for cell, text in zip(t.rows[0].cells, ("项目", "符合标准情况（请填写是/否）", "备注")):
            blanks.write(cell, text, bold=True, center=True)
        for n, ((text, note), row) in enumerate(zip(UNIT_ITEMS, t.rows[1:]), start=1):
            blanks.write(row.cells[0], f"{n}. {text}")
            verdict_cell(row.cells[1], ("是", "否"), unit_answers.get(str(n), "是"), "typed")
            blanks.write(row.cells[2], unit_notes.get(str(n), ""))
    return _saved(doc, path, figures)


# ---- the seed, as its disclosure holds it ---------------------------------------------------------------
def seed_declaration(seed: Path) -> tuple[str, dict, dict, tuple]:
    """(college, answers, notes, section 四 figures) read from the seed's text: the ticks it published."""
    text = seed.read_text(encoding="utf-8")
    name = text.splitlines()[0].replace("学生会组织改革情况", "").strip()
    part = text.split("一、改革自评表", 1)[1].split("二、", 1)[0]
    answers, notes = {}, {}
    ids = iter(["1", "2", "3a", "3b", "3c"] + [str(i) for i in range(4, 16)])
    for block in re.split(r"\n\s*\n", part):
        if "达标" not in block:
            continue
        iid = next(ids)
        answers[iid] = "未达标" if "☑未达标" in block else "达标"
        note = [ln.strip() for ln in block.splitlines() if ln.strip().startswith(("实有", "召开"))]
        if note:
            notes[iid] = note[0]
    four = text.split("四、校级组织工作人员名单", 1)[1].split("五、", 1)[0]
    values = [ln.strip() for ln in four.splitlines() if ln.strip()][len(SECTION_4):len(SECTION_4) * 2]
    return name, answers, notes, tuple(values)


def main(out: Path = OUT, seed: Path = SEED) -> list[Path]:
    made = []
    name, answers, notes, figures = seed_declaration(seed)
    made.append(filled_2020(out / name / f"{name}学生会组织改革情况.docx", name, "学生会", answers, notes,
                            figures=figures, disclosure=True))
    # passes: every figure within the limits, a congress this academic year, Wingdings 2 ticks, 3 二级 tables
    yes = {str(i): "是" for i in range(1, 12)}
    good_notes = {"3": "实有38人", "4": "实有5人", "5": "实有6个", "11": "召开日期为：2021年11月20日"}
    unit_notes = {"3": "实有 24 人", "4": "实有 3 人", "9": "召开日期为：2021年10月15日"}
    units = [(u, {}, unit_notes) for u in ("机械工程学院学生会", "经济管理学院学生会", "研究生院研究生会")]
    made.append(filled_2022(out / "滨海理工学院" / "滨海理工学院改革自评表.docx", "滨海理工学院", "学生会", yes,
                            good_notes, style="wingdings", units=units, reviewed="否",
                            link="https://tw.example.edu.cn/info/2021/1201.htm",
                            figures=(38, 38, 2, 5, "100%", "否", "否")))
    # to verify: 实有45 (over 40, within 60), a congress date without a year
    ok_2020 = {i: "达标" for i in ["1", "2", "3a", "3b", "3c"] + [str(i) for i in range(4, 16)]}
    made.append(filled_2020(out / "津南师范学院" / "备案表.docx", "津南师范学院", "学生会", ok_2020,
                            {"3a": "实有45", "3b": "实有5", "3c": "实有6", "9": "召开日期为：11月9日"}, style="square"))
    # must rectify: 实有66人 ticked 是 against 40/60, 实有6人 for departments, a congress of 2019
    bad = dict(yes)
    made.append(filled_2022(out / "河东职业学院" / "改革自评表.docx", "河东职业学院", "学生会", bad,
                            {"3": "实有66人", "4": "实有5人", "5": "实有6人", "11": "召开日期为：2019年3月30日"},
                            legend=blanks.LEGEND_2023, units=[], units_declared=2, reviewed="否", link=""))
    # a legacy .doc: the passing 2020 备案表 of a fourth college, saved by LibreOffice as Word 97
    docx_path = filled_2020(Path(tempfile.mkdtemp()) / "备案表.docx", "渤海医学院", "学生会", ok_2020,
                            {"3a": "实有 36 人", "3b": "实有 5 人", "3c": "实有 6 个",
                             "9": "召开日期为：2021年4月10日"})
    made.append(to_doc(docx_path, out / "渤海医学院" / "备案表.doc"))
    pdf_source = filled_2022(Path(tempfile.mkdtemp()) / "改革自评表.docx", "塘沽商业学院", "学生会", yes,
                             dict(good_notes, **{"3": "实有35人"}), units=units[:1], link="")
    made.append(to_doc(pdf_source, out / "塘沽商业学院" / "改革自评表.pdf", "pdf"))
    return [m for m in made if m]


def to_doc(source: Path, dest: Path, fmt: str = "doc") -> Path | None:
    """`source` saved by LibreOffice as a legacy .doc (or exported as a PDF: fmt "pdf")."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        print(f"没有安装 LibreOffice，跳过 .{fmt} 样例", file=sys.stderr)
        return None
    with tempfile.TemporaryDirectory() as work:
        subprocess.run([soffice, f"-env:UserInstallation=file://{work}/profile", "--headless", "--convert-to",
                        fmt, "--outdir", work, str(source)], check=True, timeout=120, capture_output=True)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(Path(work) / f"{source.stem}.{fmt}"), dest)
    return dest


if __name__ == "__main__":
    for p in main(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT):
        print(p)
