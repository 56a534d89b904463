"""The feedback workbook a sender gets back: an issue list first, then their own sheets with every
bad cell filled and a Chinese comment on it."""
from __future__ import annotations

import hashlib
from collections import defaultdict
from pathlib import Path

from sureform.atomic import STORED_NAME_MAX, safe_component, safe_join, unit_name_problem
from sureform.issues import ERROR, FINDING, SEVERITY_LABEL, WARNING, Issue
from sureform.intake.grid import UnreadableFile, read_grids
from sureform.outputs.cells import clean, save_workbook

FILLS = {ERROR: "FFFF9999", FINDING: "FFFF9999", WARNING: "FFFFE699"}
LIST_SHEET = "问题清单"


FEEDBACK_SUFFIX = "_错误标注.xlsx"


def feedback_path(outbox: Path, unit: str | None, original_name: str) -> Path:
    """`退回/<unit>/<original name with its extension>_错误标注.xlsx`: one per original file (名单.xlsx and 名单.csv
    get their own), safe for Windows and SMB, cut to fit (with a short hash of the full name when cut)."""
    folder = unit if unit and unit_name_problem(unit) is None else "未知单位"
    name = Path(original_name).name
    budget = STORED_NAME_MAX - len(FEEDBACK_SUFFIX.encode())
    safe = safe_component(name, budget, keep_suffix=False)
    if safe != name:
        tag = hashlib.sha256(name.encode("utf-8", "surrogateescape")).hexdigest()[:8]
        safe = safe_component(name, budget - 9, keep_suffix=False) + "~" + tag
    return safe_join(outbox, "退回", safe_component(folder, 120), safe + FEEDBACK_SUFFIX)


def write_feedback(source: Path, original_name: str, issues: list[Issue], dest: Path, verdict: str) -> Path:
    """`source` is the kept copy of the sender's file; `verdict` is one sentence on what happened to it."""
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill

    # a file refused for its size or structure is never opened again here: the issue list alone
    wb = _workbook_of(source) if not any(i.code == "file-abnormal" for i in issues) else _empty_workbook()
    ws = wb.create_sheet(LIST_SHEET, 0)
    wb.active = 0
    ws.append([clean(f"《{original_name}》检查结果：{verdict}")])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append(["序号", "类别", "工作表", "单元格", "列", "填写内容", "问题说明与修改方法", "代码"])
    for c in ws[2]:
        c.font = Font(bold=True)
    order = {ERROR: 0, FINDING: 1, WARNING: 2}
    by_cell: dict[tuple[str, str], list[Issue]] = defaultdict(list)
    for n, issue in enumerate(sorted(issues, key=lambda i: (order[i.severity], i.sheet or "", i.row or 0)), 1):
        ws.append([clean(v) for v in (
            n, SEVERITY_LABEL[issue.severity], issue.sheet or "", issue.cell or (f"第{issue.row}行" if issue.row else ""),
            issue.column or "", issue.value or "", issue.message, issue.code)])
        if issue.sheet in wb.sheetnames and issue.sheet != LIST_SHEET and issue.cell:
            by_cell[(issue.sheet, issue.cell)].append(issue)
            ws.cell(ws.max_row, 4).hyperlink = f"#'{issue.sheet}'!{issue.cell}"
            ws.cell(ws.max_row, 4).font = Font(color="FF0563C1", underline="single")
    for col, width in zip("ABCDEFGH", (6, 8, 12, 10, 14, 18, 70, 26)):
        ws.column_dimensions[col].width = width
    for row in ws.iter_rows(min_row=3):
        row[6].alignment = Alignment(wrap_text=True, vertical="top")
    for (sheet, cell), found in by_cell.items():
        target = wb[sheet][cell]
        worst = min(found, key=lambda i: order[i.severity]).severity
        target.fill = PatternFill("solid", fgColor=FILLS[worst])
        text = "\n".join(f"【{SEVERITY_LABEL[i.severity]}】{i.message}" for i in found)
        comment = Comment(clean(text), "sureform")
        comment.width, comment.height = 360, 40 + 24 * max(1, len(text) // 22)
        target.comment = comment
    return save_workbook(wb, dest)  # no live formula, whatever the cells say


def _empty_workbook():
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    return wb


def _workbook_of(source: Path):
    """The sender's own workbook (formatting kept for .xlsx/.xlsm), else rebuilt from its values."""
    from openpyxl import Workbook, load_workbook

    if source.suffix.lower() in {".xlsx", ".xlsm"}:
        try:
            return load_workbook(source, keep_vba=False, rich_text=False, data_only=True)  # values, not formulas
        except Exception:
            pass
    wb = Workbook()
    wb.remove(wb.active)
    try:
        grids = read_grids(source)
    except UnreadableFile:
        grids = []
    for g in grids:
        ws = wb.create_sheet(g.name[:31] or "Sheet1")
        for row in g.rows:
            ws.append([clean(_cell_value(v)) for v in row])
    return wb


def _cell_value(v):
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
        return int(v)
    return v
