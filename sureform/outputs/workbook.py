"""`汇总.xlsx`: the current master dataset for the league office, a sheet per kind plus open findings."""
from __future__ import annotations

import hashlib
import json
from itertools import repeat
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path

from sureform.atomic import atomic_path, temp_beside
from sureform.outputs.cells import FORMULA_START, clean
from sureform.outputs import sheet_xml, workbook_sheets
from sureform.outputs.sheet_xml import (CellStyles, Column, SheetRows, column_width, header_row, numbered,
                                        render_rows, splice, text_width)
from sureform.editions import Catalogue
from sureform.intake.grid import column_letter
from sureform.intake.kinds import KINDS
from sureform.intake.values import short_time
from sureform.issues import ARRIVAL_CODES, SEVERITY_LABEL, Issue
from sureform.model import Consolidation
from sureform.outputs.workbook_sheets import Sheet, master_sheets
from sureform.store import Store, json_default, public_record

SUMMARY_NAME = "汇总.xlsx"

SUBMISSION_COLUMNS = [("unit", "单位"), ("kind_label", "材料类型"), ("original_name", "文件名"), ("state", "状态"),
                      ("received_at", "接收时间"), ("rows", "行数"), ("problems", "问题"), ("rel_path", "收件位置")]
VERDICT_FILLS = {"达标": "FFC6EFCE", "是": "FFC6EFCE", "未达标": "FFFFC7CE", "否": "FFFFC7CE", "待补充": "FFFFEB9C"}
SEVERITY_FILLS = {"错误": "FFFFC7CE", "问题": "FFFFEB9C", "提示": "FFDDEBF7"}
DATE_KEYS = {"date", "review_date", "publicity_start", "publicity_end"}
PERCENT_KEYS = {"rank_ratio"}
TYPED_KEYS = DATE_KEYS | PERCENT_KEYS
# how a block of rows is rendered: this module and sheet_xml as they are; a changed one renders every block again
RENDER_VERSION = hashlib.sha256(b"".join(Path(m).read_bytes() for m in (
    __file__, sheet_xml.__file__, workbook_sheets.__file__))).hexdigest()


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


def write_summary_workbook(store: Store, consolidation: Consolidation, catalogue: Catalogue, outbox: Path,
                           code: str = "") -> Path:
    """`outbox/汇总.xlsx` from the current master: its sheets, the submissions, open findings, the verdicts.
    `code` stamps the rows kept per submission (a changed sureform renders them again)."""
    labels = {k.name: k.label for k in KINDS}
    submissions = submission_rows(store, labels)
    texts = {(it.table, it.id): (f"{it.group} " if it.group else "") + it.text for it in catalogue.items}
    verdicts = [dict(v, text=texts.get((v.get("table") or "校级", v["id"]), ""), unit=v.get("unit") or "",
                     table=v.get("table") or "校级", mark=v.get("mark") or "") for v in consolidation.items] or None
    return write_master_workbook(Path(outbox) / SUMMARY_NAME, master_sheets(store, catalogue),
                                 open_issues(store, consolidation.findings), submissions, verdicts, store=store,
                                 code=code)


def write_master_workbook(dest: Path, sheets: list[Sheet], findings: list[tuple[str | None, Issue]],
                          submissions: list[dict], verdicts: list[dict] | None = None,
                          store: Store | None = None, code: str = "") -> Path:
    """The verdicts, `sheets` (a sheet of a `kind` reads the current submissions' records from `store`), the
    findings as (unit, issue) pairs, the submissions.

    xlsxwriter writes the workbook around the rows (styles, widths, frozen header, filter, print setup); the rows
    are rendered by `sheet_xml` and spliced in. A `kind` sheet's rows are rendered once per submission and kept
    in the store, so a workbook written again after one new file costs that file's rows and the copying of the
    rest. Every text is written as text, never as a formula or a link; text that begins like a formula carries
    Excel's quote prefix."""
    import xlsxwriter  # only the runs that write 汇总.xlsx pay for it

    sheets = list(sheets)
    if verdicts is not None:
        # the edition's tables (校级, then 二级 per 院系), its numbering, marks and verdict words
        sheets.insert(0, Sheet("评估结论", [("table", "表"), ("unit", "院系"), ("mark", "标注"), ("id", "项目"),
                                           ("text", "要求"), ("verdict", "结论"), ("actual", "实有"), ("note", "备注"),
                                           ("evidence_text", "依据")],
                               [dict(v, evidence_text="\n".join(_evidence_line(e) for e in v.get("evidence", [])))
                                for v in verdicts],
                               widths={"text": 40, "evidence_text": 60}, fills={"verdict": VERDICT_FILLS}))
    sheets.append(Sheet("待整改问题", [("unit", "单位"), ("severity", "类别"), ("item", "涉及项目"), ("file", "文件"),
                                      ("sheet", "工作表"), ("cell", "单元格"), ("column", "列"), ("value", "内容"),
                                      ("message", "说明"), ("code", "代码")],
                        [dict(i.to_dict(with_file=True), unit=unit, severity=SEVERITY_LABEL[i.severity])
                         for unit, i in findings],
                        widths={"message": 60, "code": 12}, fills={"severity": SEVERITY_FILLS}))
    sheets.append(Sheet("提交记录", SUBMISSION_COLUMNS, submissions))
    skeleton = temp_beside(dest.with_name(f"{dest.stem}-skeleton{dest.suffix}"))
    kept: list[Block] = []  # blocks rendered in this run, kept once the workbook is in place
    try:
        with atomic_path(dest) as tmp:
            wb = xlsxwriter.Workbook(str(skeleton), {"strings_to_formulas": False, "strings_to_urls": False,
                                                     "strings_to_numbers": False})
            styles = _styles(wb)
            contents = {}
            for n, sheet in enumerate(sheets, 1):
                laid = _lay_out(sheet, styles, store, kept, code)
                _worksheet(wb, sheet, laid)
                contents[n] = laid.rows
            wb.close()
            splice(skeleton, tmp, contents)
    finally:
        skeleton.unlink(missing_ok=True)
    if store is not None:
        with store.transaction():
            for block in kept:
                store.keep_sheet_block(block.submission_id, block.sheet, block.version, block.widths, block.layout,
                                       block.rows, block.xml)
            for sheet in sheets:
                if sheet.kind:
                    store.drop_sheet_blocks(sheet.title, {sid for sid, _ in store.current_units(sheet.kind)})
    return dest


@dataclass(frozen=True)
class Block:
    """One submission's rows on one sheet as rendered: kept in the store (`sheet_rows`) for the next workbook."""

    submission_id: int
    sheet: str
    version: str  # the renderer, the code, the sheet's columns and styles
    widths: list[int]  # the display width of its widest value, per column
    layout: str  # the sheet's column widths it was rendered for
    rows: int
    xml: bytes


@dataclass
class Laid:
    """A sheet ready to write: its columns as written and its rows."""

    columns: list[Column]
    rows: SheetRows


@dataclass(frozen=True)
class Rendered:
    """One submission's rows on its kind's sheet, rendered where the file was read (`render_submission`), its
    XML compressed as the store keeps it: stored with the submission at commit, spliced as it is."""

    sheet: str
    version: str
    layout: str
    rows: int
    unit: str | None  # rendered for this 报送单位: a unit decided otherwise later renders it again
    xml: bytes  # zlib


def cell_styles() -> CellStyles:
    """The style indices `_styles` registers, known without a workbook (a reader process renders rows too): the
    default format is 0, then plain, date, percentage, quoted for no fill and each fill in order, then the header
    (xlsxwriter numbers a format when its index is first asked for). Should xlsxwriter number them otherwise, the
    blocks' version (it includes the styles) no longer matches and the workbook renders them again."""
    fills = [None, *sorted(set(VERDICT_FILLS.values()) | set(SEVERITY_FILLS.values()))]
    family = [{fill: 1 + 4 * i + j for i, fill in enumerate(fills)} for j in range(4)]
    return CellStyles(1 + 4 * len(fills), *family)


def block_version(sheet: Sheet, styles: CellStyles, code: str) -> str:
    """What a kept block of `sheet` was rendered by: the renderer, the code, the sheet's columns and styles."""
    return _digest([RENDER_VERSION, code, sheet.title, sheet.columns, sorted((sheet.fills or {}).items()),
                    repr(styles)])


def render_submission(kind: str | None, records: list[dict], unit: str | None, rel: str, catalogue: Catalogue,
                      code: str) -> Rendered | None:
    """A submission's rows on its kind's sheet (None for a kind without one), from its records as the store will
    give them back (`stored_record`): exactly what the workbook would render from the master."""
    if not records:
        return None
    laid = _kind_layout(kind, catalogue, code)
    if laid is None:
        return None
    import zlib

    sheet, columns, version, layout = laid
    styles = cell_styles()
    keys = [key for key, _ in sheet.columns]
    given = {"_unit": unit, "_file": rel}  # what the store adds from the submission
    # the keys the sheet reads (a shape: the whole record), each as the store gives it back
    wanted = None if sheet.shape else [k for k in keys if k not in given]
    values = []
    for rec in records:
        if wanted is None:
            view = stored_record(rec) | given
        else:
            view = {k: _as_stored(rec.get(k)) for k in wanted if k in rec and (k[0] != "_" or k in _KEPT)} | given
        values.append(_values(keys, sheet.shape(view) if sheet.shape else view))
    xml = render_rows(values, columns, styles, FORMULA_START)
    return Rendered(sheet.title, version, layout, len(values), unit, zlib.compress(xml, 1))


_LAYOUTS: dict = {}  # (catalogue, kind, code) → a kind sheet's columns, version and layout: once a process


def _kind_layout(kind: str | None, catalogue: Catalogue, code: str):
    key = (id(catalogue), kind, code)
    if key not in _LAYOUTS:
        sheet = workbook_sheets.kind_sheet(kind, catalogue)
        if sheet is None:
            _LAYOUTS[key] = None
        else:
            columns = _columns(sheet, [])
            _LAYOUTS[key] = (sheet, columns, block_version(sheet, cell_styles(), code),
                             _digest([c.width for c in columns]))
    return _LAYOUTS[key]


_PLAIN = {str, int, float, bool, type(None)}
_KEPT = {k for k in public_record({"_sheet": 0, "_row": 0, "_cols": 0, "_cells": 0, "_table": 0, "_x": 0})}


def _as_stored(v):
    """A value as the store gives it back: as it is, or (a date, a tuple …) through JSON."""
    if v.__class__ in _PLAIN:
        return v
    if v.__class__ in (date, datetime):
        return v.isoformat()  # as json_default writes it
    return json.loads(json.dumps(v, ensure_ascii=False, default=json_default))


def stored_record(rec: dict) -> dict:
    """A record as `Store` keeps and decodes it (its public keys; dates and anything else as JSON gives them
    back), without the JSON text for the values that come back as they are."""
    return {k: _as_stored(v) for k, v in public_record(rec).items()}


def _lay_out(sheet: Sheet, styles: CellStyles, store: Store | None, kept: list[Block], code: str = "") -> Laid:
    """The sheet's column widths (declared for a kind's sheet, else from the widest value of every row) and its
    rows (a kind's: each current submission's kept block, rendered now where none is kept for this layout)."""
    keys = [key for key, _ in sheet.columns]
    label_widths = [text_width(clean(label)) for _, label in sheet.columns]
    percent = [key in PERCENT_KEYS for key in keys]
    header = header_row([str(clean(label)) for _, label in sheet.columns], styles)
    if sheet.kind is None:
        values = [_values(keys, r) for r in sheet.rows or []]
        columns = _columns(sheet, _widest([label_widths, _block_widths(values, percent)]))
        rows = SheetRows(header, numbered([render_rows(values, columns, styles, FORMULA_START)]), len(values) + 1,
                         len(keys) - 1)
        return Laid(columns, rows)
    if store is None:
        raise ValueError(f"sheet {sheet.title}: its rows are in the store")
    order = store.current_units(sheet.kind)
    version = block_version(sheet, styles, code)
    known = store.sheet_blocks(sheet.title, version)
    if sheet.widths is not None and all(key in sheet.widths for key in keys):  # declared: no value decides them
        columns = _columns(sheet, [])
        layout = _digest([c.width for c in columns])
        fresh = _values_by_submission(store, sheet, keys, [sid for sid, _ in order
                                                           if sid not in known or known[sid][1] != layout])
        count = sum(len(fresh[sid]) if sid in fresh else known[sid][2] for sid, _ in order)

        def declared_blocks():
            for sid, _ in order:
                if sid in fresh:
                    xml = render_rows(fresh[sid], columns, styles, FORMULA_START)
                    kept.append(Block(sid, sheet.title, version, [], layout, len(fresh[sid]), xml))
                    yield xml
                else:
                    yield store.sheet_block_xml(sid, sheet.title)

        return Laid(columns, SheetRows(header, numbered(declared_blocks()), count + 1, len(keys) - 1))
    fresh = _values_by_submission(store, sheet, keys, [sid for sid, _ in order if sid not in known])
    block_widths = {sid: _block_widths(v, percent) for sid, v in fresh.items()}
    block_widths.update({sid: known[sid][0] for sid, _ in order if sid in known})
    columns = _columns(sheet, _widest([label_widths, *block_widths.values()]))
    layout = _digest([c.width for c in columns])
    stale = [sid for sid, _ in order if sid in known and known[sid][1] != layout]
    fresh.update(_values_by_submission(store, sheet, keys, stale))  # kept, but for other widths: rendered again
    count = sum(len(fresh[sid]) if sid in fresh else known[sid][2] for sid, _ in order)

    def blocks():
        for sid, _ in order:
            if sid in fresh:
                xml = render_rows(fresh[sid], columns, styles, FORMULA_START)
                kept.append(Block(sid, sheet.title, version, block_widths[sid], layout, len(fresh[sid]), xml))
                yield xml
            else:
                yield store.sheet_block_xml(sid, sheet.title)

    return Laid(columns, SheetRows(header, numbered(blocks()), count + 1, len(keys) - 1))


def _values_by_submission(store: Store, sheet: Sheet, keys: list[str], ids: list[int]) -> dict[int, list[list]]:
    out: dict[int, list[list]] = {sid: [] for sid in ids}
    if ids:
        for rec in store.records_of(sheet.kind, ids):
            out[rec["_submission"]].append(_values(keys, sheet.shape(rec) if sheet.shape else rec))
    return out


def _values(keys: list[str], r: dict) -> list:
    """A record's cells, in the sheet's column order (text as it is: the renderer drops what XML cannot hold)."""
    return [_typed(key, r.get(key)) if key in TYPED_KEYS else _cell(r.get(key)) for key in keys]


def _block_widths(values: list[list], percent: list[bool]) -> list[int]:
    """Per column, the display width of the widest value of these rows as shown (a share as 12.5%). Measured in
    C: (the longest UTF-8 length + the longest length) / 2, never less than any value's width (a Chinese
    character counts two), exact for a column of one script."""
    if not values:
        return []
    out = []
    for column, share in zip(zip(*values), percent):
        texts = [v if type(v) is str else _shown(v, share) for v in column]
        out.append((max(map(len, map(str.encode, texts, _UTF8, _REPLACE))) + max(map(len, texts))) // 2)
    return out


_UTF8, _REPLACE = repeat("utf-8"), repeat("replace")


def _shown(v, share: bool = False) -> str:
    if v is None:
        return ""
    if share and isinstance(v, (int, float)) and not isinstance(v, bool):
        return f"{v:.1%}"
    if isinstance(v, datetime):
        return v.isoformat(sep=" ")
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _widest(vectors: list[list[int]]) -> list[int]:
    width = len(vectors[0])
    return [max(v[i] for v in vectors if i < len(v)) for i in range(width)]


def _columns(sheet: Sheet, natural: list[int]) -> list[Column]:
    out = []
    for i, (key, _) in enumerate(sheet.columns):
        fills = sorted((sheet.fills or {}).get(key, {}).items(), key=lambda kv: -len(kv[0]))
        width = (sheet.widths or {}).get(key) or min(max(column_width(natural[i]), 8), 40)  # natural: undeclared
        out.append(Column(column_letter(i + 1), width, percent=key in PERCENT_KEYS, fills=tuple(fills)))
    return out


def _worksheet(wb, sheet: Sheet, laid: Laid) -> None:
    """The worksheet around the rows: widths, frozen header, filter, print setup."""
    ws = wb.add_worksheet(clean(sheet.title)[:31])
    for i, col in enumerate(laid.columns):
        ws.set_column(i, i, col.width)
    ws.freeze_panes(1, 0)
    if laid.rows.last_row > 1:
        ws.autofilter(0, 0, laid.rows.last_row - 1, len(laid.columns) - 1)
    for_print(ws)


def _styles(wb) -> CellStyles:
    """Every look a cell can take, registered in a fixed order (so their indices are the same in every workbook
    and kept blocks stay valid): header; then plain, date, percentage and quoted text, each without and with each
    fill."""
    head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    families: dict[str, dict] = {"plain": {}, "dated": {}, "percent": {}, "quoted": {}}
    extra = {"plain": {}, "dated": {"num_format": "yyyy-mm-dd"}, "percent": {"num_format": "0.0%"},
             "quoted": {"quote_prefix": True}}
    for fill in [None, *sorted(set(VERDICT_FILLS.values()) | set(SEVERITY_FILLS.values()))]:
        for family, props in extra.items():
            look = {"text_wrap": True, "valign": "top", **props}
            if fill:
                look.update(pattern=1, bg_color=f"#{fill[-6:]}")
            families[family][fill] = wb.add_format(look)._get_xf_index()  # assigned now, in this order
    return CellStyles(head._get_xf_index(), families["plain"], families["dated"], families["percent"],
                      families["quoted"])


def for_print(ws) -> None:
    """Landscape A4, one page wide, the header row repeated on every page, grid lines printed."""
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0)
    ws.hide_gridlines(0)


def _digest(value) -> str:
    return hashlib.sha256(json.dumps(value, ensure_ascii=False, default=str).encode()).hexdigest()[:32]


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
    if type(v) is str:
        return v  # the common case; control characters are dropped where the cell is written
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, (list, dict)):
        return clean(str(v))
    return clean(v)  # a character an older master kept never fails the export
