"""Small openpyxl helpers shared by the templates: header styling, drop-downs, the 填写说明 sheet."""
from __future__ import annotations

import re

from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from sureform.issues import this_year  # the templates' date examples are of the year they are filled in

HEAD_FILL = PatternFill("solid", fgColor="FFDDEBF7")
RED = "FFC00000"


def label_cell(ws, ref: str, text: str, mandatory: bool = False) -> None:
    cell = ws[ref]
    cell.value = text
    cell.font = Font(bold=True, color=RED if mandatory else "FF000000")
    cell.fill = HEAD_FILL
    cell.alignment = Alignment(vertical="center", wrap_text=True)


def title(ws, text: str, last_col: int) -> None:
    ws.cell(1, 1, text).font = Font(bold=True, size=14)
    ws.cell(1, 1).alignment = Alignment(horizontal="center")
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=last_col)


def dropdown(ws, ranges: str, values: list[str], strict: bool = True) -> None:
    """A list drop-down; `strict=False` suggests the values but accepts others."""
    dv = DataValidation(type="list", formula1='"' + ",".join(values) + '"', allow_blank=True,
                        showErrorMessage=strict, errorTitle="请从下拉列表中选择", error="可选：" + "、".join(values))
    ws.add_data_validation(dv)
    dv.add(ranges)


def this_academic_year() -> int:
    """The year the current academic year began in (September), in Beijing: the semester example's."""
    from datetime import datetime, timedelta, timezone

    today = datetime.now(timezone(timedelta(hours=8)))
    return today.year if today.month >= 9 else today.year - 1


def date_cells(ws, ranges: str) -> None:
    """Cells that take a date: shown as 2026-10-15 (an example of this year); Excel refuses text that is not a
    date."""
    year = this_year()
    dv = DataValidation(type="date", operator="between", formula1="DATE(2000,1,1)", formula2="DATE(2100,12,31)",
                        allow_blank=True, showErrorMessage=True, errorTitle="请填写日期",
                        error=f"请填写日期，例如 {year}-10-15 或 {year}/10/15")
    ws.add_data_validation(dv)
    for rng in ranges.split():
        dv.add(rng)
        for row in ws[rng] if ":" in rng else [[ws[rng]]]:
            for cell in row:
                cell.number_format = "yyyy-mm-dd"


def score_cells(ws, ranges: str, maximum: float) -> None:
    dv = DataValidation(type="decimal", operator="between", formula1="0", formula2=f"{maximum:g}", allow_blank=True,
                        showErrorMessage=True, errorTitle="分数超出范围", error=f"请填写 0 到 {maximum:g} 之间的分数")
    ws.add_data_validation(dv)
    dv.add(ranges)


def notes_sheet(wb, heading: str, lines: list[str]):
    ws = wb.create_sheet("填写说明")
    ws.append([heading])
    ws["A1"].font = Font(bold=True, size=14)
    for line in lines:
        ws.append([line])
    ws.column_dimensions["A"].width = 110
    return ws


def for_print(wb) -> None:
    """Every sheet prints landscape on A4, one page wide, its title row tall enough to be read whole, and a
    table's header rows repeated on each page."""
    for ws in wb.worksheets:
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.page_margins.left = ws.page_margins.right = 0.4
        first = ws.cell(1, 1)
        if first.font is not None and first.font.sz and first.font.sz >= 13:
            ws.row_dimensions[1].height = max(ws.row_dimensions[1].height or 0, first.font.sz * 2)
        if ws.freeze_panes and ws.freeze_panes != "A1":
            header_end = int(re.sub(r"^[A-Z]+", "", ws.freeze_panes)) - 1
            if header_end >= 1:
                ws.print_title_rows = f"1:{header_end}"
