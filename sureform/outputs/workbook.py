"""`汇总.xlsx`: the current master dataset for the league office, a sheet per kind plus open findings."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

from sureform.atomic import atomic_path
from sureform.outputs.cells import FORMULA_START, clean
from sureform.editions import Catalogue
from sureform.intake.kinds import KINDS
from sureform.intake.values import short_time
from sureform.issues import ARRIVAL_CODES, SEVERITY_LABEL, Issue
from sureform.model import Consolidation
from sureform.outputs.workbook_sheets import master_sheets
from sureform.store import Store

SUMMARY_NAME = "汇总.xlsx"

SUBMISSION_COLUMNS = [("unit", "单位"), ("kind_label", "材料类型"), ("original_name", "文件名"), ("state", "状态"),
                      ("received_at", "接收时间"), ("rows", "行数"), ("problems", "问题"), ("rel_path", "收件位置")]
VERDICT_FILLS = {"达标": "FFC6EFCE", "是": "FFC6EFCE", "未达标": "FFFFC7CE", "否": "FFFFC7CE", "待补充": "FFFFEB9C"}
SEVERITY_FILLS = {"错误": "FFFFC7CE", "问题": "FFFFEB9C", "提示": "FFDDEBF7"}
DATE_KEYS = {"date", "review_date", "publicity_start", "publicity_end"}
PERCENT_KEYS = {"rank_ratio"}


def submission_rows(store: Store, labels: dict) -> list[dict]:
    """Every submission, newest first: accepted (current or superseded), rejected, and each later arrival of
    bytes already accepted (重复, or 重新生效 when it put an older version back in force), in Chinese, times to
    the minute; problems counted from its issues."""
    current = {r["id"] for r in store.current_submissions()}
    rows = []
    for a in store.all_arrivals():
        first = short_time(a["first_received_at"])
        state = f"重新提交旧版本，已恢复为现行（同 {first} 的文件）" if a["reinstated"] else f"重复（同 {first} 的文件，未重复计入）"
        rows.append({"unit": a["unit"], "kind_label": labels.get(a["kind"], a["kind"] or "未识别"),
                     "original_name": a["original_name"], "state": state, "received_at": short_time(a["received_at"]),
                     "rows": a["rows"], "problems": "", "rel_path": a["rel_path"], "_order": a["received_at"]})
    for r in store.all_submissions():
        issues = store.submission_issues(r["id"])
        if r["status"] == "rejected":
            state = "退回"
        elif r["id"] in current:
            state = "已接收（现行）"
        else:
            state = "已被新文件替换"
        counts = {lab: sum(1 for i in issues if SEVERITY_LABEL[i.severity] == lab) for lab in ("错误", "问题", "提示")}
        rows.append(dict(r) | {"kind_label": labels.get(r["kind"], r["kind"] or "未识别"), "state": state,
                               "received_at": short_time(r["received_at"]),
                               "problems": "、".join(f"{k} {n}" for k, n in counts.items() if n) or "无",
                               "_order": r["received_at"]})
    rows.sort(key=lambda row: row.pop("_order"), reverse=True)  # stable: a batch keeps its order
    return rows


def open_issues(store: Store, findings: list[tuple[str | None, Issue]]) -> list[tuple[str | None, Issue]]:
    """待整改问题: the master's re-checked findings, then every other issue (hints too) the current files carry."""
    from sureform.checks.roster import RECHECKED_CODES

    out = list(findings)
    seen = {(i.code, i.file, i.cell) for _, i in findings}
    for sub in store.current_submissions():
        for i in store.submission_issues(sub["id"]):
            if i.code in RECHECKED_CODES or i.code in ARRIVAL_CODES:
                continue
            i = replace(i, file=sub["rel_path"])
            if (i.code, i.file, i.cell) not in seen:
                seen.add((i.code, i.file, i.cell))
                out.append((sub["unit"], i))
    return out


def write_summary_workbook(store: Store, consolidation: Consolidation, catalogue: Catalogue, outbox: Path) -> Path:
    """`outbox/汇总.xlsx` from the current master: its sheets, the submissions, open findings, the verdicts."""
    labels = {k.name: k.label for k in KINDS}
    sheets = master_sheets(store, catalogue)
    submissions = submission_rows(store, labels)
    texts = {(it.table, it.id): (f"{it.group} " if it.group else "") + it.text for it in catalogue.items}
    verdicts = [dict(v, text=texts.get((v.get("table") or "校级", v["id"]), ""), unit=v.get("unit") or "",
                     table=v.get("table") or "校级", mark=v.get("mark") or "") for v in consolidation.items] or None
    return write_master_workbook(Path(outbox) / SUMMARY_NAME, sheets, open_issues(store, consolidation.findings),
                                 submissions, verdicts)


def write_master_workbook(dest: Path, sheets: list[tuple[str, list[tuple[str, str]], list[dict]]],
                          findings: list[tuple[str | None, Issue]], submissions: list[dict],
                          verdicts: list[dict] | None = None) -> Path:
    """`sheets` is [(sheet title, [(key, column label)], records)]; findings are (unit, issue) pairs.

    Written row by row with xlsxwriter in constant-memory mode (a 60,000-row master costs seconds and little
    memory, where openpyxl held every styled cell); every text is written as text, never as a formula or a
    link, and text that begins like a formula carries Excel's quote prefix."""
    import xlsxwriter  # only the runs that write 汇总.xlsx pay for it

    with atomic_path(dest) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), {"constant_memory": True, "strings_to_formulas": False,
                                            "strings_to_urls": False, "strings_to_numbers": False})
        formats = _Formats(wb)
        if verdicts is not None:
            # the edition's tables (校级, then 二级 per 院系), its numbering, marks and verdict words
            _table(wb, formats, "评估结论", [("table", "表"), ("unit", "院系"), ("mark", "标注"), ("id", "项目"),
                                            ("text", "要求"), ("verdict", "结论"), ("actual", "实有"), ("note", "备注"),
                                            ("evidence_text", "依据")],
                   [dict(v, evidence_text="\n".join(_evidence_line(e) for e in v.get("evidence", []))) for v in verdicts],
                   widths={"text": 40, "evidence_text": 60}, fills={"verdict": VERDICT_FILLS})
        for title, columns, records in sheets:
            _table(wb, formats, title, columns, records)
        _table(wb, formats, "待整改问题", [("unit", "单位"), ("severity", "类别"), ("item", "涉及项目"), ("file", "文件"),
                                          ("sheet", "工作表"), ("cell", "单元格"), ("column", "列"), ("value", "内容"),
                                          ("message", "说明"), ("code", "代码")],
               [dict(i.to_dict(with_file=True), unit=unit, severity=SEVERITY_LABEL[i.severity]) for unit, i in findings],
               widths={"message": 60, "code": 12}, fills={"severity": SEVERITY_FILLS})
        _table(wb, formats, "提交记录", SUBMISSION_COLUMNS, submissions)
        wb.close()
    return dest


class _Formats:
    """xlsxwriter formats, made once per workbook and shared (one per look, not one per cell)."""

    def __init__(self, wb):
        self.wb = wb
        self.cache: dict[tuple, object] = {}
        self.head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})

    def get(self, num: str | None = None, fill: str | None = None, quote: bool = False):
        key = (num, fill, quote)
        if key not in self.cache:
            props: dict = {"text_wrap": True, "valign": "top"}
            if num:
                props["num_format"] = num
            if fill:
                props.update(pattern=1, bg_color=f"#{fill[-6:]}")
            if quote:
                props["quote_prefix"] = True
            self.cache[key] = self.wb.add_format(props)
        return self.cache[key]


def _table(wb, formats: _Formats, title: str, columns: list[tuple[str, str]], rows: list[dict],
           widths: dict[str, int] | None = None, fills: dict[str, dict] | None = None) -> None:
    ws = wb.add_worksheet(clean(title)[:31])
    column_widths = []
    for i, (key, label) in enumerate(columns):
        width = max([_width(label) + 2] + [_width(_cell(r.get(key)) or "") + 2 for r in rows[:200]])
        column_widths.append((widths or {}).get(key) or min(max(width, 8), 40))
        ws.set_column(i, i, column_widths[-1])
    for i, (_, label) in enumerate(columns):
        ws.write_string(0, i, str(clean(label)), formats.head)
    keys = [key for key, _ in columns]
    # per column, once: the fills by prefix (longest first), whether its text is turned into dates or percentages
    fill_maps = [sorted((fills or {}).get(key, {}).items(), key=lambda kv: -len(kv[0])) for key in keys]
    typed = [key in DATE_KEYS or key in PERCENT_KEYS for key in keys]
    for n, r in enumerate(rows, 1):
        values = [_typed(key, r.get(key)) if typed[i] else _cell(r.get(key)) for i, key in enumerate(keys)]
        lines = max(_lines(v, column_widths[i]) for i, v in enumerate(values))
        if lines > 1:  # wrapped text: the height said, since LibreOffice and WPS do not grow the row themselves
            ws.set_row(n, min(LINE_HEIGHT * lines, MAX_ROW_HEIGHT))
        for i, value in enumerate(values):
            fill = next((v for k, v in fill_maps[i] if str(value or "").startswith(k)), None) if fill_maps[i] else None
            if value is None or value == "":
                if fill:
                    ws.write_blank(n, i, None, formats.get(fill=fill))
                continue
            if isinstance(value, str):
                ws.write_string(n, i, value, formats.get(None, fill, value.startswith(FORMULA_START)))
            elif isinstance(value, (date, datetime)):
                ws.write_datetime(n, i, datetime.combine(value, datetime.min.time()) if type(value) is date else value,
                                  formats.get("yyyy-mm-dd", fill))
            elif isinstance(value, (int, float)):
                ws.write_number(n, i, value, formats.get("0.0%" if keys[i] in PERCENT_KEYS else None, fill))
            else:
                text = str(value)
                ws.write_string(n, i, text, formats.get(None, fill, text.startswith(FORMULA_START)))
    ws.freeze_panes(1, 0)
    if rows:
        ws.autofilter(0, 0, len(rows), len(columns) - 1)
    for_print(ws)


def for_print(ws) -> None:
    """Landscape A4, one page wide, the header row repeated on every page, grid lines printed."""
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0)
    ws.hide_gridlines(0)


LINE_HEIGHT = 16  # points per line of the default 11-point font (a Chinese line is a little taller)
MAX_ROW_HEIGHT = 409  # Excel's largest row height


def _lines(value, width: float) -> int:
    """Lines a wrapped text takes in a column `width` characters wide."""
    if not isinstance(value, str) or not value:
        return 1
    usable = max(width * 0.9 - 1, 1)  # a Chinese character is a little wider than two Latin ones
    if 2 * len(value) <= usable and "\n" not in value:  # fits on one line whatever its characters are
        return 1
    return sum(max(1, -(-_width(part) // usable)) for part in value.split("\n"))


def _width(text) -> int:
    """Display width: a Chinese character counts two."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in str(text))


def _typed(key: str, v):
    """Real dates and numbers where the master keeps them as text."""
    if key in DATE_KEYS and isinstance(v, str):
        try:
            return date.fromisoformat(v[:10])
        except ValueError:
            return _cell(v)
    if key in PERCENT_KEYS and isinstance(v, str):
        try:
            return float(v)
        except ValueError:
            return _cell(v)
    return _cell(v)


def _evidence_line(e: dict) -> str:
    """One line a reviewer can follow: where (file, sheet, cell), then what."""
    if "message" in e:
        where = " ".join(str(x) for x in (e.get("file"), e.get("sheet"), e.get("cell")) if x)
        return f"{where}：{e['message']}" if where else e["message"]
    if "fact" in e:
        value = e.get("value", "")
        line = f"{e['fact']}：{'是' if value is True else '否' if value is False else value}"
        return f"{line}（{e['source']}）" if e.get("source") else line
    return "；".join(f"{k}：{v}" for k, v in e.items() if v not in (None, ""))


def _cell(v):
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, (list, dict)):
        return clean(str(v))
    return clean(v)  # a character an older master kept never fails the export
