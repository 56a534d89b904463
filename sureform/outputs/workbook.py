"""`汇总.xlsx`: the current master dataset for the league office, a sheet per kind plus open findings."""
from __future__ import annotations

import hashlib
import json
from itertools import repeat
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path

from sureform.atomic import Access, atomic_path, temp_beside
from sureform.outputs.cells import FORMULA_START, SEVERITY_FILL, STATE_FILL, clean
from sureform.outputs import sheet_xml, workbook_sheets
from sureform.outputs.sheet_xml import (CELL_PADDING, LINE_HEIGHT, MAX_ROW_HEIGHT, WRAP_FACTOR, CellStyles, Column,
                                        SheetRows, column_width, header_row, numbered, render_rows, splice,
                                        text_width, wrapped_lines)
from sureform.editions import Catalogue, incomplete_warning
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
# the one colour language (outputs.cells): a verdict by its state, an issue by its severity
VERDICT_FILLS = {"达标": STATE_FILL["good"], "是": STATE_FILL["good"], "未达标": STATE_FILL["bad"],
                 "否": STATE_FILL["bad"], "待补充": STATE_FILL["missing"]}
SEVERITY_FILLS = SEVERITY_FILL
EVIDENCE_SHEET = "评估依据"
EDITION_SHEET = "版本说明"
EVIDENCE_CUT = "……（全文见出处）"  # a fact longer than its row shows (a sender's very long duty text) ends so
INLINE_EVIDENCE = 80  # display width of one evidence line 评估结论 shows itself (three lines of its 依据 column)
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
                           code: str = "", access: Access | None = None) -> Path:
    """`outbox/汇总.xlsx` from the current master: its sheets, the submissions, open findings, the verdicts.
    `code` stamps the rows kept per submission (a changed sureform renders them again)."""
    labels = {k.name: k.label for k in KINDS}
    submissions = submission_rows(store, labels)
    texts = {(it.table, it.id): (f"{it.group} " if it.group else "") + it.text for it in catalogue.items}
    verdicts = [dict(v, text=texts.get((v.get("table") or "校级", v["id"]), ""), unit=v.get("unit") or "",
                     table=v.get("table") or "校级", mark=v.get("mark") or "") for v in consolidation.items] or None
    return write_master_workbook(Path(outbox) / SUMMARY_NAME, master_sheets(store, catalogue),
                                 open_issues(store, consolidation.findings), submissions, verdicts, store=store,
                                 code=code, edition_notes=edition_rows(catalogue), access=access)


def edition_rows(catalogue: Catalogue) -> list[dict]:
    """版本说明: what an incomplete edition lacks, with its notes on sources (kept out of the documents), and
    what to do; [] for a complete edition (no such sheet)."""
    if not catalogue.missing:
        return []
    rows = [{"what": "版本", "text": f"{catalogue.edition}（{catalogue.title}）"},
            {"what": "状态", "text": "项目不全：备案表和改革情况公开的每页页眉标为“草稿”"}]
    rows += [{"what": "缺少", "text": gap} for gap in catalogue.gaps]
    rows += [{"what": "缺少", "text": words} for words in catalogue.missing[len(catalogue.gaps):]]
    rows.append({"what": "怎么办", "text": incomplete_warning(catalogue)})
    return rows


def evidence_rows(verdicts: list[dict]) -> tuple[list[dict], list[str]]:
    """评估依据, one fact a row (table, 院系, item, its number within the item, the fact, where it is), and for
    each verdict what its 评估结论 row shows in 依据: a short single fact itself, else where its facts are."""
    rows: list[dict] = []
    pointers: list[str] = []
    for v in verdicts:
        first = len(rows) + 2  # row 1 is the header
        facts = [_evidence_parts(e) for e in v.get("evidence", [])]
        for n, (what, where) in enumerate(facts, 1):
            rows.append({"table": v.get("table") or "校级", "unit": v.get("unit") or "", "mark": v.get("mark") or "",
                         "id": v["id"], "n": n, "what": fit_text(what, WIDEST, EVIDENCE_CUT if where else "……"),
                         "where": where})
        if not facts:
            pointers.append("")
        elif len(facts) == 1 and text_width(_evidence_line(v["evidence"][0])) <= INLINE_EVIDENCE:
            pointers.append(_evidence_line(v["evidence"][0]))
        else:
            last = first + len(facts) - 1
            rows_text = f"第 {first} 行" if first == last else f"第 {first}—{last} 行"
            pointers.append(f"共 {len(facts)} 条，见“{EVIDENCE_SHEET}”{rows_text}")
    return rows, pointers


def write_master_workbook(dest: Path, sheets: list[Sheet], findings: list[tuple[str | None, Issue]],
                          submissions: list[dict], verdicts: list[dict] | None = None,
                          store: Store | None = None, code: str = "", edition_notes: list[dict] = (),
                          access: Access | None = None) -> Path:
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
        # the edition's tables (校级, then 二级 per 院系), its numbering, marks and verdict words; the 备注 is the
        # one-line reason, the evidence one fact a row on 评估依据 (a cell never holds more than a row can show)
        facts, pointers = evidence_rows(verdicts)
        front = [Sheet("评估结论", [("table", "表"), ("unit", "院系"), ("mark", "标注"), ("id", "项目"),
                                   ("text", "要求"), ("verdict", "结论"), ("actual", "实有"), ("note", "备注"),
                                   ("evidence_text", "依据")],
                       [dict(v, evidence_text=p) for v, p in zip(verdicts, pointers)],
                       widths={"table": 6, "mark": 5, "id": 6, "text": 34, "verdict": 6, "actual": 6, "note": 30,
                               "evidence_text": 30}, fills={"verdict": VERDICT_FILLS}),
                 Sheet(EVIDENCE_SHEET, [("table", "表"), ("unit", "院系"), ("mark", "标注"), ("id", "项目"),
                                        ("n", "序号"), ("what", "依据"), ("where", "出处")], facts,
                       widths={"table": 6, "mark": 5, "id": 6, "n": 6, "what": 60, "where": 30})]
        if edition_notes:
            front.append(Sheet(EDITION_SHEET, [("what", "项目"), ("text", "内容")], list(edition_notes),
                               widths={"what": 8, "text": 110}))
        sheets[:0] = front
    sheets.append(Sheet("待整改问题", [("unit", "单位"), ("severity", "类别"), ("item", "涉及项目"), ("file", "文件"),
                                      ("sheet", "工作表"), ("cell", "单元格"), ("column", "列"), ("value", "内容"),
                                      ("message", "说明"), ("code", "代码")],
                        [dict(i.to_dict(with_file=True), unit=unit, severity=SEVERITY_LABEL[i.severity])
                         for unit, i in findings],
                        widths={"message": 60, "code": 12}, fills={"severity": SEVERITY_FILLS},
                        hidden=("code",)))  # the code is for support: kept, out of the users' sight
    sheets.append(Sheet("提交记录", SUBMISSION_COLUMNS, submissions))
    skeleton = temp_beside(dest.with_name(f"{dest.stem}-skeleton{dest.suffix}"))
    kept: list[Block] = []  # blocks rendered in this run, kept once the workbook is in place
    read: dict = {}  # records read for several sheets of one kind (机构信息, a sheet per table), read once
    try:
        with atomic_path(dest, access) as tmp:
            wb = xlsxwriter.Workbook(str(skeleton), {"strings_to_formulas": False, "strings_to_urls": False,
                                                     "strings_to_numbers": False})
            styles = _styles(wb)
            contents = {}
            for n, sheet in enumerate(sheets, 1):
                laid = _lay_out(sheet, styles, store, kept, code, read)
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
    widths: list[int]  # its widest value per column (a very long text widens its column: `_columns`)


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
                      code: str) -> list[Rendered]:
    """A submission's rows on each sheet of its kind that shows some of them (机构信息: a sheet per table), from
    its records as the store will give them back (`stored_record`): exactly what the workbook would render from
    the master."""
    if not records:
        return []
    import zlib

    styles = cell_styles()
    given = {"_unit": unit, "_file": rel}  # what the store adds from the submission
    out = []
    for sheet, columns, version, layout in _kind_layouts(kind, catalogue, code):
        keys = [key for key, _ in sheet.columns]
        # the keys the sheet reads (a shape or a choice of records: the whole record), as the store gives them back
        wanted = None if sheet.shape or sheet.where else [k for k in keys if k not in given]
        values = []
        for rec in records:
            if wanted is None:
                view = stored_record(rec) | given
                if sheet.where is not None and not sheet.where(view):
                    continue
            else:
                view = {k: _as_stored(rec.get(k)) for k in wanted if k in rec and (k[0] != "_" or k in _KEPT)} | given
            values.append(_values(keys, sheet.shape(view) if sheet.shape else view))
        if values:
            xml = render_rows(values, columns, styles, FORMULA_START)
            out.append(Rendered(sheet.title, version, layout, len(values), unit, zlib.compress(xml, 1),
                                _block_widths(values, [key in PERCENT_KEYS for key in keys])))
    return out


_LAYOUTS: dict = {}  # (catalogue, kind, code) → its sheets' columns, version and layout: once a process


def _kind_layouts(kind: str | None, catalogue: Catalogue, code: str) -> list[tuple]:
    key = (id(catalogue), kind, code)
    if key not in _LAYOUTS:
        _LAYOUTS[key] = []
        for sheet in workbook_sheets.sheets_of_kind(kind, catalogue):
            columns = _columns(sheet, [])
            _LAYOUTS[key].append((sheet, columns, block_version(sheet, cell_styles(), code),
                                  _digest([c.width for c in columns])))
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


def _lay_out(sheet: Sheet, styles: CellStyles, store: Store | None, kept: list[Block], code: str = "",
             read: dict | None = None) -> Laid:
    """The sheet's column widths (declared for a kind's sheet, else from the widest value of every row; a text
    longer than its row can show widens its column: `_columns`) and its rows (a kind's: each current
    submission's kept block, rendered now where none is kept for this layout)."""
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
    fresh = _values_by_submission(store, sheet, keys, [sid for sid, _ in order if sid not in known], read)
    block_widths = {sid: _block_widths(v, percent) for sid, v in fresh.items()}
    block_widths.update({sid: known[sid][0] for sid, _ in order if sid in known})
    columns = _columns(sheet, _widest([label_widths, *block_widths.values()]))
    layout = _digest([c.width for c in columns])
    stale = [sid for sid, _ in order if sid in known and known[sid][1] != layout]
    fresh.update(_values_by_submission(store, sheet, keys, stale, read))  # kept, for other widths: rendered again
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


def _values_by_submission(store: Store, sheet: Sheet, keys: list[str], ids: list[int],
                          read: dict | None = None) -> dict[int, list[list]]:
    """The rows of submissions `ids` on `sheet`; `read` keeps the records read for this workbook (the 机构信息
    sheets, one per table, all read the same submission's records)."""
    out: dict[int, list[list]] = {sid: [] for sid in ids}
    if ids:
        records = read.get((sheet.kind, tuple(ids))) if read is not None else None
        if records is None:
            records = store.records_of(sheet.kind, ids)
            if read is not None and sheet.where is not None:  # only what another sheet of the kind will ask for
                read[(sheet.kind, tuple(ids))] = records = list(records)
        for rec in records:
            if sheet.where is None or sheet.where(rec):
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
    """Each column as wide as its widest value (8 to 40), or as the sheet fixes it; a sheet a little too wide for
    one page's width has its wide columns narrowed to fit (their text wraps: rows grow instead)."""
    widths = [(sheet.widths or {}).get(key) or min(max(column_width(natural[i]), 8), 40)
              for i, (key, _) in enumerate(sheet.columns)]
    # a column holding a text longer than a row of its width shows is widened (up to DATA_WIDEST), never narrowed
    # back by fitting the page
    floors = [min(width_for(natural[i]), DATA_WIDEST) if i < len(natural) else 0 for i in range(len(widths))]
    widths = [max(w, f) for w, f in zip(widths, floors)]
    shown = [i for i, (key, _) in enumerate(sheet.columns) if key not in (sheet.hidden or ())]
    for i, w in zip(shown, fit_widths([widths[i] for i in shown], floors=[floors[i] for i in shown])):
        widths[i] = round(w, 1)
    out = []
    for i, (key, _) in enumerate(sheet.columns):
        fills = sorted((sheet.fills or {}).get(key, {}).items(), key=lambda kv: -len(kv[0]))
        out.append(Column(column_letter(i + 1), widths[i], percent=key in PERCENT_KEYS, fills=tuple(fills)))
    return out


def _worksheet(wb, sheet: Sheet, laid: Laid) -> None:
    """The worksheet around the rows: widths (hidden columns for support), frozen header, filter, print setup."""
    ws = wb.add_worksheet(clean(sheet.title)[:31])
    hidden = [key in (sheet.hidden or ()) for key, _ in sheet.columns]
    for i, col in enumerate(laid.columns):
        ws.set_column(i, i, col.width, None, {"hidden": True} if hidden[i] else None)
    ws.freeze_panes(1, 0)
    if laid.rows.last_row > 1:
        ws.autofilter(0, 0, laid.rows.last_row - 1, len(laid.columns) - 1)
    for_print(ws, [c.width for c, h in zip(laid.columns, hidden) if not h], sheet.key_columns)


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


# What a landscape A4 page holds, in characters of column width: measured with LibreOffice (a column 10 wide
# prints 75 pt wide at 100%; 0.4" margins leave 773 pt), the narrower of the programs people print from (Excel
# holds about a third more). At `MIN_PRINT_SCALE` a page holds PAGE_CHARS * 100 / MIN_PRINT_SCALE characters.
PAGE_CHARS = 103
MIN_PRINT_SCALE = 75  # percent: 11-point text printed at 8¼ points, the least that stays readable
WRAP_FLOOR = 16  # fitting a sheet on one page wide, a wrapped column is narrowed at most to this


def page_room(scale: int = MIN_PRINT_SCALE) -> float:
    """Characters of column width one page's width holds at `scale` percent."""
    return PAGE_CHARS * 100 / scale


def fit_widths(widths: list[float], room: float | None = None, floors: list[float] | None = None) -> list[float]:
    """Widths that fit one page's width at the readable scale, narrowing the wide columns (their text wraps)
    toward their floor (`WRAP_FLOOR`, or what their longest text needs) in proportion to their excess; as they
    are when they fit, or cannot be made to."""
    room = page_room() if room is None else room
    floors = [max(WRAP_FLOOR, f) for f in floors] if floors else [WRAP_FLOOR] * len(widths)
    total = sum(widths)
    excess = sum(w - f for w, f in zip(widths, floors) if w > f)
    if total <= room or excess <= 0 or total - excess > room:
        return list(widths)
    keep = 1 - (total - room) / excess
    return [f + (w - f) * keep if w > f else w for w, f in zip(widths, floors)]


TALLEST = (MAX_ROW_HEIGHT - CELL_PADDING) // LINE_HEIGHT - 1  # lines a cell may take: Excel's tallest row, less one
WIDEST = 100  # an evidence column widened for a long fact is at most this wide (a fact beyond that: `fit_text`)
# a data column widened for a sender's long text is at most this wide: about 1,700 Chinese characters in a cell
# show whole; a longer text (the sender's own data) is kept whole, as the cell can hold, and shows its beginning
DATA_WIDEST = 160


def width_for(display: int) -> float:
    """A width at which text `display` wide takes at most `TALLEST` lines (by `wrapped_lines`' measure), with room
    for a few paragraphs' last lines (only the widest value's width is known here, not its paragraphs)."""
    return (display / (TALLEST - 4) + 1) / WRAP_FACTOR + 1


def fit_text(text: str, width: float, tail: str) -> str:
    """`text` cut (ending with `tail`) to what a row `width` wide shows; as it is when it fits."""
    if wrapped_lines(text, width) <= TALLEST:
        return text
    room = int((width * WRAP_FACTOR - 1) * TALLEST * 0.9) - text_width(tail)
    out, used = [], 0
    for ch in text:
        used += text_width(ch) + (int((width * WRAP_FACTOR - 1) * 0.5) if ch == "\n" else 0)
        if used > room:
            break
        out.append(ch)
    return "".join(out).rstrip() + tail


def fits_one_page(widths: list[float]) -> bool:
    return sum(widths) <= page_room()


def for_print(ws, widths: list[float] | None = None, key_columns: int = 1) -> None:
    """Landscape A4, the header row repeated on every page, grid lines printed. One page wide when that keeps the
    text at `MIN_PRINT_SCALE` or more (`_columns` narrows wrapped columns to get there); a sheet still wider
    prints at that scale across several pages, left to right then down, its first `key_columns` columns (who
    or what a row is) repeated on each: never shrunk below readable."""
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    ws.repeat_rows(0)
    ws.hide_gridlines(0)
    if widths is None or fits_one_page(widths):
        ws.fit_to_pages(1, 0)
        return
    ws.set_print_scale(MIN_PRINT_SCALE)
    ws.print_across()
    if key_columns:
        ws.repeat_columns(0, key_columns - 1)


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


def _evidence_parts(e: dict) -> tuple[str, str]:
    """One fact of the evidence as (what, where it is) for 评估依据."""
    if "message" in e:
        return e["message"], " ".join(str(x) for x in (e.get("file"), e.get("sheet"), e.get("cell")) if x)
    if "fact" in e:
        value = e.get("value", "")
        return f"{e['fact']}：{'是' if value is True else '否' if value is False else value}", e.get("source") or ""
    return "；".join(f"{k}：{v}" for k, v in e.items() if v not in (None, "")), ""


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
