"""`汇总.xlsx`: the current master dataset for the league office, a sheet per kind plus open findings."""
from __future__ import annotations

from pathlib import Path

from sureform.outputs.cells import clean, save_workbook
from sureform.editions import Catalogue
from sureform.intake.kinds import KINDS
from sureform.issues import SEVERITY_LABEL, Issue
from sureform.model import Consolidation
from sureform.outputs.workbook_sheets import master_sheets
from sureform.store import Store

SUMMARY_NAME = "汇总.xlsx"

SUBMISSION_COLUMNS = [("unit", "单位"), ("kind_label", "材料类型"), ("original_name", "文件名"), ("received_at", "接收时间"),
                      ("rows", "行数"), ("sha256", "内容指纹")]


def write_summary_workbook(store: Store, consolidation: Consolidation, catalogue: Catalogue, outbox: Path) -> Path:
    """`outbox/汇总.xlsx` from the current master: its sheets, the submissions, open findings, the verdicts."""
    labels = {k.name: k.label for k in KINDS}
    sheets = master_sheets(store, catalogue)
    submissions = [dict(r) | {"kind_label": labels.get(r["kind"], r["kind"])} for r in store.current_submissions()]
    texts = {(it.table, it.id): (f"{it.group} " if it.group else "") + it.text for it in catalogue.items}
    verdicts = [dict(v, text=texts.get((v.get("table") or "校级", v["id"]), ""), unit=v.get("unit") or "",
                     table=v.get("table") or "校级", mark=v.get("mark") or "") for v in consolidation.items] or None
    return write_master_workbook(Path(outbox) / SUMMARY_NAME, sheets, consolidation.findings, submissions, verdicts)


def write_master_workbook(dest: Path, sheets: list[tuple[str, list[tuple[str, str]], list[dict]]],
                          findings: list[tuple[str | None, Issue]], submissions: list[dict],
                          verdicts: list[dict] | None = None) -> Path:
    """`sheets` is [(sheet title, [(key, column label)], records)]; findings are (unit, issue) pairs."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    wb.remove(wb.active)
    head_fill = PatternFill("solid", fgColor="FFDDEBF7")

    def table(title: str, columns: list[tuple[str, str]], rows: list[dict]):
        ws = wb.create_sheet(title[:31])
        ws.append([clean(label) for _, label in columns])
        for c in ws[1]:
            c.font, c.fill = Font(bold=True), head_fill
        for r in rows:
            ws.append([_cell(r.get(k)) for k, _ in columns])
        for i, (_, label) in enumerate(columns, 1):
            width = max([len(str(label)) * 2 + 2] + [len(str(_cell(r.get(k)) or "")) + 2 for r in rows[:200] for k, _ in [columns[i - 1]]])
            ws.column_dimensions[get_column_letter(i)].width = min(max(width, 8), 60)
        ws.freeze_panes = "A2"
        if rows:
            ws.auto_filter.ref = ws.dimensions
        return ws

    if verdicts is not None:
        # the edition's tables (校级, then 二级 per 院系), its numbering, marks and verdict words
        ws = table("评估结论", [("table", "表"), ("unit", "院系"), ("mark", "标注"), ("id", "项目"), ("text", "要求"),
                              ("verdict", "结论"), ("actual", "实有"), ("note", "备注"), ("evidence_text", "依据")],
                   [dict(v, evidence_text="\n".join(_evidence_line(e) for e in v.get("evidence", [])))
                    for v in verdicts])
        for row in ws.iter_rows(min_row=2):
            for c in (row[4], row[7], row[8]):
                c.alignment = Alignment(wrap_text=True, vertical="top")
        ws.column_dimensions["E"].width, ws.column_dimensions["I"].width = 40, 80
    for title, columns, records in sheets:
        table(title, columns, records)
    table("待整改问题", [("unit", "单位"), ("severity", "类别"), ("item", "涉及项目"), ("file", "文件"), ("sheet", "工作表"),
                     ("cell", "单元格"), ("column", "列"), ("value", "内容"), ("message", "说明"), ("code", "代码")],
          [dict(i.to_dict(with_file=True), unit=unit, severity=SEVERITY_LABEL[i.severity]) for unit, i in findings])
    table("提交记录", SUBMISSION_COLUMNS, submissions)
    return save_workbook(wb, dest)  # no live formula, whatever the master holds


def _evidence_line(e: dict) -> str:
    """One line a reviewer can follow: where (file, sheet, cell), then what."""
    if "message" in e:
        where = " ".join(str(x) for x in (e.get("file"), e.get("sheet"), e.get("cell")) if x)
        return f"{where}：{e['message']}" if where else e["message"]
    if "fact" in e:
        line = f"{e['fact']}：{e.get('value', '')}"
        return f"{line}（{e['source']}）" if e.get("source") else line
    return "；".join(f"{k}：{v}" for k, v in e.items() if v not in (None, ""))


def _cell(v):
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, (list, dict)):
        return clean(str(v))
    return clean(v)  # a character an older master kept never fails the export
