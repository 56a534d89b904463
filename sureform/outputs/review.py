"""What the provincial review gives its people, written atomically into the review's outbox:

- `复评汇总.xlsx`: one row per college (name, 学生会/研究生会, edition read, 二级 declared/found, 核查, link, what
  changed since its last declaration, each item's declared verdict and 实有, the outcome), a sheet of every
  finding with its college, item and source cell, and the 通过 / 需整改 / 待核实 lists; coloured with the shared
  colour language (`SEVERITY_FILL`, `STATE_FILL`), filters on, landscape A4 one page wide;
- `复评意见/<college>.docx` for every college that is not 通过: a letter in the GB/T 9704 layout of the other
  documents (`outputs/documents/style.py`) listing what is inconsistent or missing, what to send or rectify, and
  by when;
- `实地复核工作表.xlsx`: the colleges chosen for a visit, per college the items to verify with the 台账/支撑材料 to
  ask for, interview rows to fill and a satisfaction tally sheet.

Nothing a sender typed becomes a formula (`save_workbook`); a college's letter names only its own files.
"""
from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from sureform.atomic import atomic_path, safe_component
from sureform.issues import SEVERITY_LABEL
from sureform.outputs.cells import SEVERITY_FILL, STATE_FILL, clean, save_workbook
from sureform.rules.review import (PASS, RECTIFY, VERIFY, CollegeReview, ReviewItem, ReviewRound, Visit, evidence_of)

SUMMARY = "复评汇总.xlsx"
VISITS = "实地复核工作表.xlsx"
LETTERS = "复评意见"
OUTCOME_STATE = {PASS: "good", RECTIFY: "bad", VERIFY: "open"}
DEADLINE_DAYS = 30  # the letter's deadline: a month after the review date
INTERVIEWS = (("团组织负责人", 1), ("学生会工作人员", 3), ("普通同学", 5))


def _fill(argb: str):
    from openpyxl.styles import PatternFill

    return PatternFill("solid", start_color=argb, end_color=argb)


def _sheet(wb, title: str, header: list[str], widths: list[int], first: bool = False):
    from openpyxl.styles import Alignment, Font

    ws = wb.active if first else wb.create_sheet()
    ws.title = title
    ws.append(header)
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[ws.cell(1, i).column_letter].width = w
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        cell.fill = _fill(STATE_FILL["missing"])
    ws.row_dimensions[1].height = LINE_POINTS * 2
    ws.freeze_panes = "A2"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"
    ws.print_options.gridLines = True
    return ws


LINE_POINTS = 16  # one line of 11-point text, with its leading


def _lines(text, width: float) -> int:
    """Printed lines of `text` in a column `width` characters wide (a Chinese character is two)."""
    if text is None:
        return 1
    total = 0
    for part in str(text).split("\n"):
        chars = sum(2 if ord(ch) > 0x2E80 else 1 for ch in part)
        total += max(1, -(-chars // max(1, int(width * 0.9) - 2)))
    return total


def _finish(ws, wrap_columns: tuple[int, ...] = ()) -> None:
    """Filters on; wrapped columns wrap, and each row is as tall as its longest wrapped cell (openpyxl does not
    measure text, and a spreadsheet program keeps the stored height when it prints)."""
    from openpyxl.styles import Alignment

    ws.auto_filter.ref = ws.dimensions
    wrap = Alignment(wrap_text=True, vertical="top")
    top = Alignment(vertical="top")
    widths = {c: ws.column_dimensions[ws.cell(1, c).column_letter].width or 10 for c in wrap_columns}
    for row in ws.iter_rows(min_row=2):
        lines = 1
        for cell in row:
            if cell.column in wrap_columns:
                cell.alignment = wrap
                lines = max(lines, _lines(cell.value, widths[cell.column]))
            else:
                cell.alignment = top
        if lines > 1:
            ws.row_dimensions[row[0].row].height = LINE_POINTS * min(lines, 27)


def _item_label(i: ReviewItem) -> str:
    return f"{'二级 ' if i.table == '二级' else ''}第{i.id}项{i.mark}"


def _item_value(i: ReviewItem) -> str:
    text = i.declared or "未勾选"
    return f"{text}（实有{i.actual}）" if i.actual is not None else text


def _item_state(i: ReviewItem) -> str | None:
    if i.fails or (i.binding and i.declared is not None and i.consistent is False):
        return "bad"
    if i.consistent is None and i.binding:
        return "open"
    return None


def source_of(issue) -> str:
    parts = [issue.file or ""]
    if issue.sheet:
        parts.append(issue.sheet)
    if issue.row:
        parts.append(f"第{issue.row}行")
    if issue.column:
        parts.append(f"{issue.column}栏")
    return " · ".join(p for p in parts if p)


def write_summary(rnd: ReviewRound, changes: dict[str, list[str]], dest: Path) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ids: list[str] = []
    for c in rnd.colleges:
        for i in c.items:
            if i.table == "校级" and i.id not in ids:
                ids.append(i.id)
    header = ["学校", "组织", "复评结论", "读取的版本", "二级组织（申报）", "二级组织（收到）", "已由省级核查",
              "自评公开链接", "与上次相比", "主要原因"] + [f"第{x}项" for x in ids]
    ws = _sheet(wb, "复评汇总", header, [22, 9, 9, 12, 9, 9, 8, 28, 24, 60] + [13] * len(ids), first=True)
    for c in rnd.colleges:
        by_id = {i.id: i for i in c.items if i.table == "校级"}
        row = [c.name, c.org or "", c.outcome, c.edition, c.units_declared, c.units_found, c.reviewed or "",
               c.link, "；".join(changes.get(c.name, [])), "\n".join(c.reasons)]
        row += [_item_value(by_id[x]) if x in by_id else "" for x in ids]
        ws.append([clean(v) for v in row])
        r = ws._current_row
        ws.cell(r, 3).fill = _fill(STATE_FILL[OUTCOME_STATE[c.outcome]])
        for k, x in enumerate(ids):
            if x in by_id and (state := _item_state(by_id[x])):
                ws.cell(r, 11 + k).fill = _fill(STATE_FILL[state])
    _finish(ws, wrap_columns=(9, 10))
    ws.page_setup.fitToWidth = 2  # the item columns on a second page across, the college's name repeated
    ws.print_title_cols = "A:A"

    ws = _sheet(wb, "问题清单", ["学校", "项目", "二级组织", "严重程度", "问题", "来源（文件 · 表格 · 行 · 栏）"],
                [22, 10, 18, 8, 70, 50])
    for c in rnd.colleges:
        order = sorted(c.issues, key=lambda x: ({"error": 0, "finding": 1}.get(x.severity, 2)))
        for x in order:
            unit = next((i.unit for i in c.items if i.id == x.item and i.unit and i.unit in (x.sheet or "")), "")
            label = SEVERITY_LABEL[x.severity]
            ws.append([clean(v) for v in (c.name, f"第{x.item}项" if x.item else "", unit or "", label, x.message,
                                          source_of(x))])
            ws.cell(ws._current_row, 4).fill = _fill(SEVERITY_FILL[label])
    _finish(ws, wrap_columns=(5, 6))

    ws = _sheet(wb, "结论名单", [PASS, RECTIFY, VERIFY], [28, 28, 28])
    lists = [[c.name for c in rnd.colleges if c.outcome == o] for o in (PASS, RECTIFY, VERIFY)]
    for k in range(max((len(x) for x in lists), default=0)):
        ws.append([clean(x[k]) if k < len(x) else None for x in lists])
    for col, o in enumerate((PASS, RECTIFY, VERIFY), start=1):
        ws.cell(1, col).fill = _fill(STATE_FILL[OUTCOME_STATE[o]])
    _finish(ws)
    return save_workbook(wb, dest)


# ---- the letters ---------------------------------------------------------------------------------------
def letter_name(college: str) -> str:
    return safe_component(f"{college}.docx")


def _blank_letter() -> bytes:
    """An empty document with the official styles, page and footer (`new_document`), as bytes to open again:
    opening it costs half of making it, and a round writes a letter to every college that does not pass."""
    import io

    from sureform.outputs.documents.style import new_document

    buffer = io.BytesIO()
    new_document().save(buffer)
    return buffer.getvalue()


def write_letter(c: CollegeReview, as_of: date, dest: Path, round_name: str, blank: bytes | None = None) -> Path:
    import io

    import docx

    from sureform.outputs.documents.style import add_body, add_title, finish_sections, reuse_style_ids, style_ids_of
    from sureform.outputs.documents.style import add_heading as add_heading_raw

    from sureform.outputs.documents.style import SIZE_2, TITLE_FONT, set_run_font

    doc = docx.Document(io.BytesIO(blank or _blank_letter()))
    add_title, add_body = _cleaned(add_title), _cleaned(add_body)  # a sender's text may hold what XML refuses
    if blank is not None and blank in _STYLE_IDS:
        reuse_style_ids(doc.part, _STYLE_IDS[blank])
    title = add_title(doc, f"关于{c.name}")  # broken where a reader expects it, not inside a word
    title.runs[0].add_break()
    set_run_font(title.add_run("学生会组织改革复评情况的意见"), TITLE_FONT, SIZE_2, latin=TITLE_FONT)
    add_heading = _cleaned(add_heading_raw)
    add_body(doc, f"{c.name}团委：", indent=False)
    verdict = "需限期整改" if c.outcome == RECTIFY else "部分情况需进一步核实"
    add_body(doc, f"根据{round_name}高校学生会组织深化改革复评工作安排，我们对你校报送的改革自评材料"
                  f"（{'、'.join(Path(f).name for f in c.files) or '未收到可读取的材料'}）逐项进行了复核。经复核，你校{verdict}，具体如下。")
    failing = [i for i in c.items if i.fails]
    failing.sort(key=lambda i: (i.mark != "★", i.table != "校级"))
    pending = [i for i in c.items if i.binding and not i.fails and i.consistent is None]
    n = 0
    if failing:
        n += 1
        add_heading(doc, f"{'一二三四'[n - 1]}、需整改的问题")
        for k, i in enumerate(failing, start=1):
            add_body(doc, f"{k}. {_letter_line(i)}")
    lines = [_letter_line(i) for i in pending]
    lines += [x.message for x in c.issues if x.code in ("review-units-mismatch", "review-org-mismatch",
                                                        "review-file-unreadable")]
    if lines or not c.items:
        n += 1
        add_heading(doc, f"{'一二三四'[n - 1]}、需核实的情况")
        for k, line in enumerate(lines or ["没有收到可以读取的自评表。"], start=1):
            add_body(doc, f"{k}. {line}")
    n += 1
    add_heading(doc, f"{'一二三四'[n - 1]}、请报送的材料")
    wanted = []
    for i in failing + pending:
        if (e := evidence_of(i.rule)) not in wanted:
            wanted.append(e)
    if not c.items:
        wanted.append("填写完整的改革自评表（Word 版）")
    for k, e in enumerate(wanted, start=1):
        add_body(doc, f"{k}. {e}。")
    deadline = as_of + timedelta(days=DEADLINE_DAYS)
    ask = "完成整改，并将整改情况报告和上述材料" if failing else "将上述材料"
    if any(x.code == "review-units-mismatch" for x in c.issues):
        wanted.append("全部二级学生会组织的改革自评表")
        add_body(doc, f"{len(wanted)}. 全部二级学生会组织的改革自评表。")
    last = add_body(doc, f"请你校于{deadline.year}年{deadline.month}月{deadline.day}日前{ask}报送省级团委学校部、省学联秘书处。")
    last.paragraph_format.keep_with_next = True  # the signature never alone on a last page
    add_body(doc, "").paragraph_format.keep_with_next = True
    sign = add_body(doc, "省级团委学校部　省学联秘书处", indent=False)
    sign.alignment = 2  # right
    sign.paragraph_format.keep_with_next = True  # the signature and its date on one page
    when = add_body(doc, f"{as_of.year}年{as_of.month}月{as_of.day}日", indent=False)
    when.alignment = 2
    finish_sections(doc)
    if blank is not None and blank not in _STYLE_IDS:
        _STYLE_IDS.clear()
        _STYLE_IDS[blank] = style_ids_of(doc.part)
    with atomic_path(dest) as tmp:
        doc.save(str(tmp))
    return dest


def _cleaned(add):
    """`add(doc, text, …)` with the text cleaned of the control characters a Word file cannot hold."""
    def call(doc, text, *args, **kwargs):
        return add(doc, clean(text), *args, **kwargs)
    return call


def _letter_line(i: ReviewItem) -> str:
    """One item of a letter: the 二级 organisation it concerns, ★ for a core item, then the reasons."""
    why = "".join(r for r in i.reasons if "观测指标" not in r) or f"第{i.id}项申报为“{i.declared}”。"
    return f"{i.unit + '：' if i.unit else ''}{'★ ' if i.mark == '★' else ''}{why}"


def write_letters(rnd: ReviewRound, folder: Path) -> list[Path]:
    """A letter for every college that is not 通过; the letter an earlier review wrote to a college that now
    passes is removed (it would ask for what is no longer due)."""
    for c in rnd.colleges:
        if c.outcome == PASS:
            (folder / letter_name(c.name)).unlink(missing_ok=True)
    jobs = [(c, rnd.as_of, folder / letter_name(c.name), rnd.round) for c in rnd.colleges if c.outcome != PASS]
    return [_letter_job(job) for job in jobs]


_BLANK: list[bytes] = []  # one blank letter per process
_STYLE_IDS: dict[bytes, dict] = {}  # the blank's paragraph style ids, looked up in its first letter


def _letter_job(job: tuple) -> Path:
    if not _BLANK:
        _BLANK.append(_blank_letter())
    c, as_of, dest, round_name = job
    return write_letter(c, as_of, dest, round_name, _BLANK[0])


# ---- the visit workbook ----------------------------------------------------------------------------------
def write_visits(visits: list[Visit], dest: Path) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = _sheet(wb, "复核名单", ["序号", "学校", "复评结论", "入选原因", "主要原因", "复核日期", "复核组成员"],
                [6, 22, 9, 9, 70, 12, 24], first=True)
    for k, v in enumerate(visits, start=1):
        ws.append([clean(x) for x in (k, v.college.name, v.college.outcome, v.why, "\n".join(v.college.reasons),
                                      None, None)])
        ws.cell(ws._current_row, 3).fill = _fill(STATE_FILL[OUTCOME_STATE[v.college.outcome]])
    _finish(ws, wrap_columns=(5,))

    ws = _sheet(wb, "核查项目", ["学校", "表", "二级组织", "项目", "申报", "实有", "复评", "核查要点",
                              "请提供的台账/支撑材料", "核查结果", "核查人"],
                [20, 6, 16, 8, 8, 6, 8, 50, 40, 16, 10])
    for v in visits:
        items = sorted(v.college.items, key=lambda i: (_item_state(i) is None, i.table != "校级"))
        for i in items:
            if _item_state(i) is None and i.table != "校级":
                continue  # a 二级 item with nothing to verify: not asked on the visit
            state = _item_state(i)
            shown = {"bad": "不一致", "open": "待核实"}.get(state or "", "抽查")
            point = "".join(i.reasons) or f"核对台账是否支持申报的“{i.declared or '未勾选'}”"
            ws.append([clean(x) for x in (v.college.name, i.table, i.unit or "", _item_label(i), i.declared or "",
                                          i.actual, shown, point, evidence_of(i.rule), None, None)])
            if state:
                ws.cell(ws._current_row, 7).fill = _fill(STATE_FILL[state])
    _finish(ws, wrap_columns=(8, 9))

    ws = _sheet(wb, "访谈记录", ["学校", "访谈对象", "姓名", "身份/职务", "访谈要点", "记录", "访谈人"],
                [20, 14, 10, 14, 40, 40, 10])
    points = {"团组织负责人": "学生会组织改革推进情况、指导和管理制度",
              "学生会工作人员": "产生方式、职责、培训和述职评议情况",
              "普通同学": "对学生会的了解、参与和满意情况"}
    for v in visits:
        for who, count in INTERVIEWS:
            for _ in range(count):
                ws.append([clean(v.college.name), who, None, None, points[who], None, None])
    _finish(ws, wrap_columns=(5, 6))
    for r in range(2, ws._current_row + 1):  # room to write by hand
        ws.row_dimensions[r].height = LINE_POINTS * 3

    ws = _sheet(wb, "满意度统计", ["学校", "发放问卷数", "回收问卷数", "非常满意", "满意", "一般", "不满意",
                               "满意率（非常满意+满意）/回收", "备注"], [20, 10, 10, 9, 9, 9, 9, 16, 24])
    for v in visits:
        ws.append([clean(v.college.name)] + [None] * 8)
    _finish(ws)
    for r in range(2, ws._current_row + 1):
        ws.row_dimensions[r].height = LINE_POINTS * 2
    return save_workbook(wb, dest)


# ---- the terminal ----------------------------------------------------------------------------------------
def _safe(text) -> str:
    """A sender's text for the terminal: control characters (escape sequences) shown, never run."""
    return "".join(c if c.isprintable() or c == "\n" else f"\\x{ord(c):02x}" for c in str(text))


def print_review(report: dict, out=None) -> None:
    """The round, each college's outcome with its reasons, and where the outputs are (Chinese)."""
    import builtins
    import sys

    out = out or sys.stdout

    def print(*parts, file=None):  # noqa: A001 - every line of this report goes through _safe
        builtins.print(*(_safe(p) for p in parts), file=file)

    counts = report["counts"]
    print(f"{report['round']}复评（复评日期 {report['as_of']}）：共 {len(report['colleges'])} 所学校，"
          f"通过 {counts[PASS]}，需整改 {counts[RECTIFY]}，待核实 {counts[VERIFY]}", file=out)
    for c in report["colleges"]:
        units = f"，二级组织 申报 {c['units_declared']} / 收到 {c['units_found']}" if c["units_declared"] is not None \
            else ""
        print(f"\n{c['name']}：{c['outcome']}（{c['org'] or '组织未勾选'}，版本 {c['edition']}{units}）", file=out)
        for r in c["reasons"]:
            print(f"  - {r}", file=out)
        for ch in c.get("changes", []):
            print(f"  · 与上次相比：{ch}", file=out)
    print(f"\n实地复核 {len(report['visits'])} 所：" + "、".join(f"{v['name']}（{v['why']}）" for v in report["visits"]),
          file=out)
    o = report["outputs"]
    print(f"输出：{o['summary']}、{o['visits']}，复评意见 {len(o['letters'])} 份（{Path(o['summary']).parent}/{LETTERS}/）",
          file=out)
