"""The feedback workbook a sender gets back: an issue list first, then their own sheets with every
bad cell filled and a Chinese comment on it."""
from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from sureform.atomic import atomic_path
from sureform.issues import ERROR, FINDING, SEVERITY_LABEL, WARNING, Issue
from sureform.intake.grid import UnreadableFile, read_grids

FILLS = {ERROR: "FFFF9999", FINDING: "FFFF9999", WARNING: "FFFFE699"}
LIST_SHEET = "问题清单"


def feedback_path(outbox: Path, unit: str | None, original_name: str) -> Path:
    return outbox / "退回" / (unit or "未知单位") / f"{Path(original_name).stem}_错误标注.xlsx"


def write_feedback(source: Path, original_name: str, issues: list[Issue], dest: Path, verdict: str) -> Path:
    """`source` is the kept copy of the sender's file; `verdict` is one sentence on what happened to it."""
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill

    wb = _workbook_of(source)
    ws = wb.create_sheet(LIST_SHEET, 0)
    wb.active = 0
    ws.append([f"《{original_name}》检查结果：{verdict}"])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append(["序号", "类别", "工作表", "单元格", "列", "填写内容", "问题说明与修改方法", "代码"])
    for c in ws[2]:
        c.font = Font(bold=True)
    order = {ERROR: 0, FINDING: 1, WARNING: 2}
    by_cell: dict[tuple[str, str], list[Issue]] = defaultdict(list)
    for n, issue in enumerate(sorted(issues, key=lambda i: (order[i.severity], i.sheet or "", i.row or 0)), 1):
        ws.append([n, SEVERITY_LABEL[issue.severity], issue.sheet or "", issue.cell or (f"第{issue.row}行" if issue.row else ""),
                   issue.column or "", issue.value or "", issue.message, issue.code])
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
        comment = Comment(text, "sureform")
        comment.width, comment.height = 360, 40 + 24 * max(1, len(text) // 22)
        target.comment = comment
    with atomic_path(dest) as tmp:
        wb.save(tmp)
    return dest


def _workbook_of(source: Path):
    """The sender's own workbook (formatting kept for .xlsx/.xlsm), else rebuilt from its values."""
    from openpyxl import Workbook, load_workbook

    if source.suffix.lower() in {".xlsx", ".xlsm"}:
        try:
            return load_workbook(source, keep_vba=False, rich_text=False)
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
            ws.append([_cell_value(v) for v in row])
    return wb


def _cell_value(v):
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
        return int(v)
    return v
