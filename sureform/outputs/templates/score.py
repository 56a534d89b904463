"""The blank 述职评议评分表: 学期 and 评议日期 once, then one row a (评议人, 被评议人) pair."""
from __future__ import annotations

from pathlib import Path

from openpyxl.utils import get_column_letter

from sureform.editions import load_catalogue
from sureform.intake.readers.score import LABELS, score_names
from sureform.outputs.templates.sheets import (for_print, date_cells, dropdown, label_cell, notes_sheet, score_cells,
                                              this_academic_year, title)

HEADER_ROW = 4
ROWS = 120
PERSON_KEYS = ["person_name", "person_id", "person_post", "rater_name", "rater_category"]


def write_score_template(path: Path, edition: str = "2020") -> Path:
    from openpyxl import Workbook

    cat = load_catalogue(edition)
    scores = score_names(cat)
    wb = Workbook()
    ws = wb.active
    ws.title = "述职评议评分表"
    width = len(PERSON_KEYS) + len(scores)
    title(ws, "学生会工作人员述职评议评分表", width)
    label_cell(ws, "A2", LABELS["semester"], mandatory=True)
    label_cell(ws, "D2", LABELS["review_date"])
    date_cells(ws, "E2")
    ws["B2"].number_format = "@"
    last = HEADER_ROW + ROWS
    for i, key in enumerate(PERSON_KEYS, 1):
        label_cell(ws, f"{get_column_letter(i)}{HEADER_ROW}", LABELS[key], mandatory=key != "person_id" and key != "person_post")
        ws.column_dimensions[get_column_letter(i)].width = 14
    for r in range(HEADER_ROW + 1, last + 1):
        ws[f"B{r}"].number_format = "@"
    posts = [*cat.vocabulary["presidium_posts"], *cat.vocabulary["head_posts"], *cat.vocabulary["head_fallback_posts"]]
    dropdown(ws, f"C{HEADER_ROW + 1}:C{last}", posts, strict=False)
    dropdown(ws, f"E{HEADER_ROW + 1}:E{last}", list(cat.scores["rater_categories"]))
    for j, (name, maximum) in enumerate(scores, len(PERSON_KEYS) + 1):
        col = get_column_letter(j)
        label_cell(ws, f"{col}{HEADER_ROW}", f"{name}（{maximum:g}分）", mandatory=True)
        ws.column_dimensions[col].width = 11
        score_cells(ws, f"{col}{HEADER_ROW + 1}:{col}{last}", maximum)
    ws.freeze_panes = f"A{HEADER_ROW + 1}"
    daily = "、".join(f"{n} {m:g}分" for n, m in scores[:len(cat.scores["daily"])])
    notes_sheet(wb, "述职评议评分表填写说明", [
        f"1. 第2行填写学期（如 {this_academic_year()}-{this_academic_year() + 1}学年第一学期）和评议日期；述职评议一般在每学期的最后一个月进行。",
        "2. 每行填写一位评议人对一位被评议人（主席团成员或工作部门负责人）的评分；同一评议人对同一人只能评一次。",
        "3. 评议人类别只能是：" + "、".join(cat.scores["rater_categories"]) + "；评议会应以学生代表为主。",
        f"4. 日常考评（满分100分，占50%）：{daily}。",
        "5. 集中考评（满分100分，占50%）：总结材料 50分、述职汇报 50分。",
        "6. 每项得分不能超过该项满分，也不能小于0；超出范围的文件会被整份退回。",
        "7. 述职评议结果 = 0.5 × 日常考评平均分 + 0.5 × 集中考评平均分（按评议人平均），由系统计算。",
        "8. 由校团委统一放入共享文件夹 inbox（无需放入系名子文件夹）；同一学期再次提交会替换之前的评分表。",
    ])
    for_print(wb)
    wb.save(path)
    return path
