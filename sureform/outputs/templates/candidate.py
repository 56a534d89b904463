"""The blank 主席团候选人预备人选推荐表: a form, labels beside value cells, one candidate a workbook."""
from __future__ import annotations

from pathlib import Path

from sureform.editions import load_catalogue
from sureform.intake.readers.candidate import STEPS, TITLE
from sureform.outputs.templates.sheets import for_print, date_cells, dropdown, label_cell, notes_sheet, title

# (label, value cell, label, value cell) per row; the values sit right of their labels
IDENTITY_ROWS = [
    (3, "姓名", "学号"),
    (4, "院系", "班级"),
    (5, "政治面貌", "成绩排名"),
    (6, "专业人数", None),
]
FIRST_STEP_ROW = 8
RESULT_CHOICES = {
    "branch_review_result": ["同意", "不同意"],
    "league_recommend_result": ["同意推荐", "不同意推荐"],
    "party_consent_result": ["同意", "不同意"],
    "qualification_result": ["合格", "不合格"],
    "joint_review_result": ["通过", "不通过"],
    "party_decision_result": ["同意", "不同意"],
}


def step_rows() -> list[tuple[int, str, str, str, str]]:
    """(row, result key, result label, date key, date label) in chain order, 公示 after 系党组织."""
    rows, r = [], FIRST_STEP_ROW
    for rk, rl, _, dk, dl, _ in STEPS:
        rows.append((r, rk, rl, dk, dl))
        r += 1
        if rk == "party_consent_result":
            rows.append((r, "publicity_start", "公示开始日期", "publicity_end", "公示结束日期"))
            rows.append((r + 1, "publicity_result", "公示结果", "", ""))
            r += 2
    return rows


def write_candidate_template(path: Path, edition: str = "2020") -> Path:
    from openpyxl import Workbook

    cat = load_catalogue(edition)
    wb = Workbook()
    ws = wb.active
    ws.title = "推荐表"
    title(ws, f"学生会{TITLE}", 4)
    for row, left, right in IDENTITY_ROWS:
        label_cell(ws, f"A{row}", left, mandatory=left == "姓名")
        if right:
            label_cell(ws, f"C{row}", right, mandatory=right == "学号")
    ws["D3"].number_format = "@"
    dropdown(ws, "B5", cat.political_status)
    ws.cell(FIRST_STEP_ROW - 1, 1, "推荐审核流程（按时间先后逐级填写意见和日期）")
    for row, rk, rl, dk, dl in step_rows():
        label_cell(ws, f"A{row}", rl)
        if dl:
            label_cell(ws, f"C{row}", dl)
        if rk == "publicity_start":
            date_cells(ws, f"B{row} D{row}")
        elif dk:
            date_cells(ws, f"D{row}")
        if rk in RESULT_CHOICES:
            dropdown(ws, f"B{row}", RESULT_CHOICES[rk], strict=False)
        if rk == "publicity_result":
            dropdown(ws, f"B{row}", ["无异议", "有异议"], strict=False)
    for col, width in zip("ABCD", (26, 22, 26, 22)):
        ws.column_dimensions[col].width = width
    notes_sheet(wb, "主席团候选人预备人选推荐表填写说明", [
        "1. 每位候选人填写一份推荐表（一个文件或一个工作表一人）；红色栏目为必填项。",
        "2. 学号请按文本填写完整（该单元格已设为文本格式）。",
        "3. 成绩排名写成 3/45，或只写名次并在“专业人数”中填写本专业总人数，也可写 6.7%、前10%。",
        "4. 审核流程按时间先后逐级填写：班级团支部审核 → 系团总支推荐 → 系党组织同意 → 系内公示（不少于五个工作日，"
        "以法定工作日计算）→ 校团委资格审查 → 学工部与团委联合审查 → 校党委确定。每一步都要填写意见和日期。",
        "5. 日期写成 2020-09-07 或 2020/9/7；公示结果无异议请填“无异议”。",
        "6. 把填好的文件放入共享文件夹 inbox 下候选人所在系的子文件夹（如 inbox/石油工程系/）。"
        "再次提交同一学号的推荐表会替换之前的版本。",
    ])
    for_print(wb)
    wb.save(path)
    return path
