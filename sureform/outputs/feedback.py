"""The feedback workbook a sender gets back: an issue list first, then their own sheets with every
bad cell filled and a Chinese comment on it."""
from __future__ import annotations

import hashlib
from collections import defaultdict
from pathlib import Path

from sureform.atomic import STORED_NAME_MAX, safe_component, safe_join, unit_name_problem
from sureform.issues import ARRIVAL_CODES, ERROR, FINDING, SEVERITY_LABEL, WARNING, Issue
from sureform.intake.grid import FEEDBACK_MARK, UnreadableFile, feedback_digest, read_grids
from sureform.outputs.cells import SEVERITY_FILL, clean, save_workbook
from sureform.outputs.sheet_xml import row_height, wrapped_lines

# one colour language (outputs.cells): a marked cell and its line in 问题清单 take its severity's fill
FILLS = {sev: SEVERITY_FILL[label] for sev, label in SEVERITY_LABEL.items()}
OLD_FILLS = ("FFFF9999", "FFFFE699")  # the marks of earlier versions, removed from a feedback file sent back
LIST_SHEET = "问题清单"
LIST_FILLS = SEVERITY_FILL
OWN_AUTHOR = "sureform"
# 问题清单's columns: 序号 类别 工作表 单元格 列 填写内容 说明 — and 代码, hidden (kept for support)
LIST_WIDTHS = (5, 6, 10, 8, 12, 16, 60, 12)
CODE_COLUMN = "H"
# the heading's second line: what each colour means (the words coloured as the fills, darker to be read)
LEGEND = (("标注颜色：", None), ("红色", "FFC00000"), ("为错误，文件未被接收，必须改正；", None),
          ("橙色", "FFC65911"), ("为问题，已接收但不符合改革要求，请核实；", None),
          ("黄色", "FF9C6500"), ("为提示，供参考，不影响接收。", None))
DATE_WIDTH = 12  # a column of dates (2020-09-25) this wide at least: narrower, Excel and WPS show ###


FEEDBACK_SUFFIX = "_错误标注.xlsx"


def feedback_folder(outbox: Path, unit: str | None) -> Path:
    """The one place a unit's feedback goes (`退回/<unit>/`; `未知单位` for a name that cannot be a folder): its
    feedback workbooks and its own progress page (`outputs.progress`)."""
    folder = unit if unit and unit_name_problem(unit) is None else "未知单位"
    return safe_join(outbox, "退回", safe_component(folder, 120))


def feedback_path(outbox: Path, unit: str | None, original_name: str) -> Path:
    """`<feedback_folder>/<original name with its extension>_错误标注.xlsx`: one per original file (名单.xlsx and
    名单.csv get their own), safe for Windows and SMB, cut to fit (with a short hash of the full name when cut)."""
    name = original_of(Path(original_name).name)
    budget = STORED_NAME_MAX - len(FEEDBACK_SUFFIX.encode())
    safe = safe_component(name, budget, keep_suffix=False)
    if safe != name:
        tag = hashlib.sha256(name.encode("utf-8", "surrogateescape")).hexdigest()[:8]
        safe = safe_component(name, budget - 9, keep_suffix=False) + "~" + tag
    return safe_join(feedback_folder(outbox, unit), safe + FEEDBACK_SUFFIX)


def original_of(name: str) -> str:
    """The sender's file name behind a feedback workbook dropped back in (`名单.xlsx_错误标注.xlsx` → `名单.xlsx`,
    also after a copy such as `名单.xlsx_错误标注 (1).xlsx`)."""
    stem = FEEDBACK_SUFFIX[: -len(".xlsx")]
    while stem in name and name.lower().endswith(".xlsx"):
        head = name[: name.rindex(stem)]
        if not head:
            break
        name = head
    return name


def needs_feedback(issues: list[Issue]) -> bool:
    """Every issue of every severity reaches the sender; a duplicate's own note is said in the run's report."""
    return any(i.code not in ARRIVAL_CODES for i in issues)


VERDICTS = {"rejected": "有错误，整个文件未被接收，请改正红色标注的单元格后重新提交完整文件",
            "accepted": "已接收，但有不符合改革要求的情况，请核实橙色标注的单元格",
            "hints": "已接收；黄色标注的提示供参考，不影响接收，请核实",
            "duplicate": "与已接收的文件相同，未重复计入；以下为该文件的检查结果",
            "reinstated": "与之前接收的文件相同，以最后收到的为准，现重新作为现行版本；以下为该文件的检查结果"}


def verdict_for(status: str, issues: list[Issue]) -> str:
    if status == "accepted" and not any(i.severity in (ERROR, FINDING) for i in issues):
        return VERDICTS["hints"]
    return VERDICTS[status]


def retire_feedback(dest: Path, outbox: Path) -> Path | None:
    """An earlier feedback file that no longer applies leaves 退回/ and is kept in 历史/<time>/退回/<unit>/."""
    from datetime import datetime
    import shutil

    if not dest.exists():
        return None
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    kept = safe_join(outbox, "历史", stamp, *dest.relative_to(outbox).parts)
    kept.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(str(dest), str(kept))
    return kept


def write_feedback(source: Path, original_name: str, issues: list[Issue], dest: Path, verdict: str,
                   own_sheets: bool = True) -> Path:
    """`source` is the kept copy of the sender's file; `verdict` is one sentence on what happened to it. Without
    `own_sheets`, the list of problems alone (the sender's workbook could not be opened again to mark it)."""
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.hyperlink import Hyperlink

    # a file refused for its size or structure is never opened again here: the issue list alone
    opened = own_sheets and not any(i.code == "file-abnormal" for i in issues)
    wb = _workbook_of(source) if opened else _empty_workbook()
    _strip_own_marks(wb)
    _make_copy_inert(wb)
    ws = wb.create_sheet(LIST_SHEET, 0)
    _mark_own_sheets(wb, [LIST_SHEET])
    wb.active = 0
    ws.append([heading(clean(f"《{original_name}》检查结果：{verdict}"))])
    ws.append(["序号", "类别", "工作表", "单元格", "列", "填写内容", "问题说明与修改方法", "代码"])
    ws.merge_cells("A1:G1")
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
            link = ws.cell(ws.max_row, 4)  # a link inside the workbook (a location, never an external target)
            quoted = issue.sheet.replace("'", "''")
            link.hyperlink = Hyperlink(ref=link.coordinate, location=f"'{quoted}'!{issue.cell}")
            link.font = Font(color="FF0563C1", underline="single")
    for col, width in zip("ABCDEFGH", LIST_WIDTHS):
        ws.column_dimensions[col].width = width
    ws.column_dimensions[CODE_COLUMN].hidden = True  # the code is for support: in the JSON, and here out of sight
    wrap = Alignment(wrap_text=True, vertical="top")
    for row in ws.iter_rows(min_row=3):
        lines = 1
        for c, width in zip(row, LIST_WIDTHS[:-1]):
            c.alignment = wrap
            lines = max(lines, wrapped_lines(c.value, width))
        row[1].fill = PatternFill("solid", fgColor=LIST_FILLS.get(row[1].value, "FFFFFFFF"))
        if lines > 1:  # LibreOffice and WPS do not grow a row themselves: a long message would print clipped
            ws.row_dimensions[row[0].row].height = row_height(lines)
    ws.row_dimensions[1].height = row_height(wrapped_lines(str(ws["A1"].value), sum(LIST_WIDTHS[:-1])) + 1)
    ws["A1"].alignment = wrap
    ws.print_title_rows = "2:2"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    for (sheet, cell), found in by_cell.items():
        target = wb[sheet][cell]
        worst = min(found, key=lambda i: order[i.severity]).severity
        target.fill = PatternFill("solid", fgColor=FILLS[worst])
        text = "\n".join(f"【{SEVERITY_LABEL[i.severity]}】{i.message}" for i in found)
        comment = Comment(clean(text), OWN_AUTHOR)
        comment.width, comment.height = 360, 40 + 24 * max(1, len(text) // 22)
        target.comment = comment
    if opened:
        for sheet in wb.worksheets[1:]:
            widen_date_columns(sheet)
    return save_workbook(wb, dest)  # no live formula, whatever the cells say


def _mark_own_sheets(wb, sheets: list[str]) -> None:
    """sureform's marker: a custom document property holding a digest of each sheet it wrote, by which a
    feedback workbook dropped back in is recognised (`intake.grid.feedback_marks`), never by a sheet's name."""
    from openpyxl.packaging.custom import StringProperty

    wb.custom_doc_props.append(StringProperty(name=FEEDBACK_MARK, value=";".join(feedback_digest(s) for s in sheets)))


def _own_marks(wb) -> set[str]:
    return {d for p in getattr(wb, "custom_doc_props", None) or () if p.name == FEEDBACK_MARK
            for d in str(p.value or "").split(";") if d}


def heading(title: str):
    """问题清单!A1: the verdict in bold, then a line saying what each colour means."""
    from openpyxl.cell.rich_text import CellRichText, TextBlock
    from openpyxl.cell.text import InlineFont

    parts = [TextBlock(InlineFont(b=True, sz=13), title + "\n")]
    parts += [TextBlock(InlineFont(sz=11, b=colour is not None, color=colour), text) for text, colour in LEGEND]
    return CellRichText(*parts)


def widen_date_columns(ws) -> None:
    """A column holding dates as wide as they print (`###` otherwise); a date rebuilt from a .csv/.xls shown as
    a date, without a time of 00:00:00."""
    from datetime import date, datetime, time

    from openpyxl.utils import get_column_letter

    wide: dict[int, int] = {}
    for cell in list(getattr(ws, "_cells", {}).values()):
        if not isinstance(cell.value, (date, datetime)):
            continue
        if isinstance(cell.value, datetime) and cell.value.time() == time(0) and cell.number_format in (
                "General", "yyyy-mm-dd h:mm:ss"):
            cell.number_format = "yyyy-mm-dd"
        shown = cell.number_format.replace('"', "").replace("\\", "")
        need = max(DATE_WIDTH, len(shown) + 2 + sum(1 for ch in shown if ord(ch) > 0x2E80))
        wide[cell.column] = max(wide.get(cell.column, 0), need)
    for column, need in wide.items():
        # the sender's own width of that column (one <col> may span several columns), else the sheet's default
        dim = next((d for d in ws.column_dimensions.values() if (d.min or 0) <= column <= (d.max or 0)), None)
        if dim is None:
            dim = ws.column_dimensions[get_column_letter(column)]
            dim.width = need
        elif (dim.width or 0) < need:
            dim.width = need


def _strip_own_marks(wb) -> None:
    """A feedback workbook sent back: drop sureform's issue list(s) (the sheets its marker names) and the fills
    and comments it added, so that only this run's marks remain. A sheet of the sender's is never dropped for
    its name."""
    from openpyxl.styles import PatternFill

    own = {v[2:] for v in (*FILLS.values(), *OLD_FILLS)} | {*FILLS.values(), *OLD_FILLS}
    marks = _own_marks(wb)
    for ws in list(wb.worksheets):
        if feedback_digest(ws.title) in marks:
            wb.remove(ws)
    for ws in wb.worksheets:
        for cell in list(getattr(ws, "_cells", {}).values()):
            if cell.comment is not None and cell.comment.author == OWN_AUTHOR:
                cell.comment = None
                colour = getattr(cell.fill.fgColor, "rgb", None)
                if cell.fill.fill_type == "solid" and isinstance(colour, str) and colour.upper() in own:
                    cell.fill = PatternFill(fill_type=None)
    if wb.worksheets:
        wb.active = 0


def _make_copy_inert(wb) -> None:
    """The copy of the sender's workbook keeps its values and styles only: no data validations or conditional
    formats (their formulas: `=WEBSERVICE(…)`, DDE), no hyperlink to a file or a site (a link inside the
    workbook stays), no tables (calculated columns), pivot tables, charts, images, drawings, macros, external
    links, defined names or document properties of the sender's. Formulas become the values they showed when
    the workbook is saved (`outputs.cells.save_workbook`)."""
    from openpyxl.worksheet.datavalidation import DataValidationList
    from openpyxl.formatting.formatting import ConditionalFormattingList
    from openpyxl.packaging.custom import CustomPropertyList

    for ws in wb.worksheets:
        ws.data_validations = DataValidationList()
        ws.conditional_formatting = ConditionalFormattingList()
        for cell in list(getattr(ws, "_cells", {}).values()):
            link = cell.hyperlink
            if link is not None and (link.target or not link.location):
                cell._hyperlink = None  # the cell keeps the text it showed
        for attr in ("_images", "_charts", "_pivots"):
            if hasattr(ws, attr):
                setattr(ws, attr, [])
        if hasattr(ws, "tables"):
            ws.tables.clear()
        ws.legacy_drawing = None
    wb.vba_archive = None
    wb._external_links = []
    wb.defined_names.clear()
    wb.custom_doc_props = CustomPropertyList()


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
