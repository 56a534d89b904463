"""Reading the item tables of an official form (Word), wherever Word or WPS put them.

One reader for blank forms (`sureform editions import`) and, later, filled ones (the provincial review):
`read_form_tables(path)` gives a `FormDocument` — title, legend, header fields (label and value), and every
item table found in the body, in tables nested in layout tables and in text boxes, in document order. Each
table gives its title, its three columns (项目/指标 · 结论 · 备注) and its rows: number (half-width, `3a` for a
group's sub-rows), mark (★/▲), text, the verdict cell (Wingdings boxes shown as ☑/□) with the words it offers
and those ticked, and the 备注 cell.

What it copes with:
- the mark before or after the number or the dot (`★1.`, `1★.`, `1.★`, `1★、`, `（1）`), full-width digits
  and punctuation (`１★．`), numbers in a column of their own, Word's automatic list numbering (numbering.xml);
- a row with no number whose 结论 cell is empty or merged from above continues the item above (a wrapped row);
  a group is a first-column cell merged down over its sub-rows (2020's 3. 机构和人员规模 → 3a–3c);
- title rows, the legend, 说明/注/填表说明 rows and rows spanning the whole table are never items;
- header fields (组织名称, 二级学生会组织数量, 核查, 公开链接) above or inside the table.

Formats: .docx (Word, WPS); a legacy .doc/.wps/.rtf/.odt is converted with LibreOffice headless (its own profile,
a temporary folder, a time limit) when it is installed. A file that is really a workbook, a text/CSV file or a PDF
is refused with a Chinese message saying what it is (`FormUnreadable.reason`). Zip members are bounded as the
inbox bounds workbooks (`ReadLimits`), and so are the tables, rows and nesting read.

After reading, `FormDocument.warnings` names every oddity of the numbering (`第 1 项缺失`, `第 10 项之后出现
10a`) and every row that was not understood; `notes` names what was guessed.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from sureform.intake.grid import FileTooLarge, ReadLimits, UnreadableFile, check_zip
from sureform.intake.supplied import docx_problem

MARKS = ("★", "▲")
VERDICT_WORDS = ("未达标", "达标", "不符合", "符合", "是", "否")
TICKS = "☑■√✓☒✔"
BOXES = "□☐"
MAX_TABLES = 60  # item tables and layout tables visited in one document
MAX_ROWS = 1000  # rows read from one table (an import refuses more than 200 items anyway)
MAX_COLUMNS = 64
MAX_DEPTH = 4  # tables in tables, text boxes in tables…
CONVERT_SECONDS = 60

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
W = {k: f"{{{_W}}}{k}" for k in ("p", "r", "t", "tab", "br", "cr", "sym", "tbl", "tr", "tc", "tcPr", "gridSpan",
                                  "vMerge", "val", "pPr", "numPr", "numId", "ilvl", "pStyle", "rPr", "rFonts",
                                  "ascii", "hAnsi", "eastAsia", "font", "char", "sdt", "sdtContent", "customXml",
                                  "txbxContent", "del", "moveFrom", "trPr", "gridBefore", "body", "hyperlink",
                                  "ins", "smartTag", "fldSimple", "drawing", "pict", "instrText", "delText")}
MC_FALLBACK = f"{{{_MC}}}Fallback"
MC_ALTERNATE = f"{{{_MC}}}AlternateContent"

# Word's symbol fonts: the letter drawn as a box (Wingdings 2: R ☑, £ □, T/S ☒; Wingdings: þ ☑, ¨/o □, x ☒)
_SYMBOLS = {"wingdings 2": {"R": "☑", "£": "□", "T": "☒", "S": "☒", "P": "✓", "O": "✗", "Q": "☐"},
            "wingdings": {"þ": "☑", "¨": "□", "o": "□", "x": "☒", "ü": "✓", "û": "✗", "ý": "☒"}}

ITEM_HEADER = re.compile(r"^(项目|指标|内容|评估内容|评估指标|自评指标|具体指标|评估项目|改革指标)")
VERDICT_HEADER = re.compile(r"结论|符合|达标|评估情况|自评情况|是否")
NOTE_HEADER = re.compile(r"^(备注|说明|情况说明)$|^备注")
NUMBER_HEADER = re.compile(r"^(序号|编号|序|项次)$")
REMARK_ROW = re.compile(r"问题不足|选填|存在问题|其他说明|填表说明")
EXPLANATION = re.compile(r"^(说明|注|注释|填表说明|备注|附注)\s*\d*\s*[:：.．、]|^注\s*\d|^填表说明|^说明$")
SECTION_TITLE = re.compile(r"^[（(][一二三四五六七八九十]+[）)]|^[一二三四五六七八九十]+、|学生会组织.*(情况|自评|评估|备案)")
HEADER_FIELDS = (("org", re.compile(r"^组织名称")), ("units", re.compile(r"二级学生会组织.*数量")),
                 ("reviewed", re.compile(r"核查")), ("link", re.compile(r"公开链接")))


class FormUnreadable(Exception):
    """The file cannot be read as a Word form; `reason` is Chinese, for the person who sent it."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass
class FormRow:
    number: str  # half-width: "1", "3a" (a group's sub-rows are lettered)
    text: str  # the item's text, without its number and mark (wrapped rows joined)
    mark: str = ""  # ★, ▲ or ""
    group: str | None = None  # the group cell's text ("3. 机构和人员规模")
    verdict_cell: str = ""  # as printed, symbol-font boxes shown as ☑/□
    note_cell: str = ""  # the 备注 cell (wrapped rows joined by a line break)
    offered: tuple[str, ...] = ()  # the verdict words the cell offers (是, 否)
    ticked: tuple[str, ...] = ()  # the words ticked (☑, ■, √, ✓) or typed alone
    line: int = 0  # 1-based row of the table where the item starts
    lines: int = 1  # table rows it spans (a wrapped item: more than one)
    numbered_by: str = "text"  # text | column | list (Word's numbering) | group | order (unnumbered table)


@dataclass
class HeaderField:
    key: str  # org | units | reviewed | link
    label: str  # as printed, before the colon
    value: str = ""  # what follows the label (a filled form's answer; "" on a blank)


@dataclass
class FormTable:
    title: str
    columns: tuple[str, str, str]  # item · verdict · 备注, as printed
    rows: list[FormRow] = field(default_factory=list)
    where: str = "正文"  # 正文 | 文本框 | 表格内
    explanations: list[str] = field(default_factory=list)  # 说明/注 rows, never items
    warnings: list[str] = field(default_factory=list)  # what was not understood or is odd in its numbering
    notes: list[str] = field(default_factory=list)  # what was guessed


@dataclass
class FormDocument:
    source: str
    title: str = ""
    legend: str = ""
    header_fields: list[HeaderField] = field(default_factory=list)
    tables: list[FormTable] = field(default_factory=list)
    converted_from: str | None = None  # "doc", "wps"…: read after conversion by LibreOffice
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def filled(self) -> bool:
        """Ticks or header values are present: a filled form (perhaps reused as a blank)."""
        return any(r.ticked for t in self.tables for r in t.rows) or any(_answered(h.value) for h in self.header_fields)

    def all_warnings(self) -> list[str]:
        out = list(self.warnings)
        for t in self.tables:
            out += [f"“{t.title or '项目表'}”：{w}" for w in t.warnings]
        return out

    def all_notes(self) -> list[str]:
        out = list(self.notes)
        for t in self.tables:
            out += [f"“{t.title or '项目表'}”：{n}" for n in t.notes]
        return out


def _answered(value: str) -> bool:
    """A header field's value is an answer (a name, a figure, a link, a tick), not the blank's boxes and words."""
    rest = re.sub(r"[□☐\s_＿　]|是|否|学生会|研究生会", "", value)
    return bool(rest) or any(c in value for c in TICKS)


# ---- numbers and marks -----------------------------------------------------------------------------------
def narrow(text: str) -> str:
    """Full-width digits and punctuation as half-width, one character for one (positions kept)."""
    out = []
    for c in text:
        n = unicodedata.normalize("NFKC", c) if ord(c) > 0x7F else c
        out.append(n if len(n) == 1 else c)
    return "".join(out)


def _skip(s: str, i: int) -> int:
    while i < len(s) and s[i].isspace():
        i += 1
    return i


_DIGITS = re.compile(r"\(\s*([0-9]{1,3})\s*\)|([0-9]{1,3})(?![0-9])")


def split_number(text: str) -> tuple[str | None, str, str]:
    """(number, mark, text) of `★1. 坚持…`, `1★. 坚持…`, `1.★坚持…`, `１★．坚持…`, `（1）坚持…`; number None when
    the text is not numbered (its leading mark is still taken)."""
    s = narrow(text)
    i = _skip(s, 0)
    mark = ""
    if i < len(s) and s[i] in MARKS:
        mark, i = s[i], _skip(s, i + 1)
    m = _DIGITS.match(s, i)
    if not m:
        return None, mark, text[i:].strip()
    number = m.group(1) or m.group(2)
    k = m.end()
    ended = m.group(1) is not None  # （1）
    k2 = _skip(s, k)
    if k2 < len(s) and s[k2] in MARKS:
        mark, k, ended = mark or s[k2], _skip(s, k2 + 1), True
        k2 = k
    if k2 < len(s) and s[k2] in ".、)" and not (s[k2] == "." and k2 + 1 < len(s) and s[k2 + 1].isdigit()):
        k, ended = _skip(s, k2 + 1), True
        if k < len(s) and s[k] in MARKS:
            mark, k = mark or s[k], _skip(s, k + 1)
    elif not ended and k2 > k and k2 < len(s) and not s[k2].isdigit() and not s[k2] in "%个人月年日项条名":
        k, ended = k2, True  # `1 坚持…`: the number, a space, the text
    elif ended:
        k = k2
    if not ended:
        return None, mark, text[i:].strip() if mark else text.strip()
    return str(int(number)), mark, text[k:].strip()


def number_only(text: str) -> tuple[str, str] | None:
    """(number, mark) of a cell that holds a number alone (`1`, `★1`, `1★.`, `１．`)."""
    s = narrow(text).strip()
    m = re.fullmatch(r"([★▲])?\s*\(?\s*([0-9]{1,3})\s*\)?\s*([★▲])?\s*[.、]?\s*([★▲])?", s)
    if not m:
        return None
    return str(int(m.group(2))), (m.group(1) or m.group(3) or m.group(4) or "")


def verdict_choices(cell: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(words offered, words ticked) of a verdict cell: `☑是 □否` → (是, 否), (是,); a typed `是` → (是,), (是,)."""
    s = narrow(cell).replace(" ", "").replace("\u3000", "")
    offered, ticked = [], []
    for m in re.finditer(r"([" + TICKS + BOXES + r"]?)(未达标|达标|不符合|符合|是|否)([√✓✔]?)", s):
        word = m.group(2)
        offered.append(word)
        if (m.group(1) and m.group(1) in TICKS) or m.group(3):
            ticked.append(word)
    if len(offered) == 1 and not any(c in s for c in BOXES):
        ticked = offered[:]  # a word typed alone (是, 达标): the answer
    return tuple(dict.fromkeys(offered)), tuple(dict.fromkeys(ticked))


# ---- text of Word's XML ------------------------------------------------------------------------------------
def _symbol(font: str, char: str) -> str:
    table = _SYMBOLS.get(font.strip().lower())
    return table.get(char, char) if table else char


def _run_font(r) -> str:
    rpr = r.find(W["rPr"])
    fonts = rpr.find(W["rFonts"]) if rpr is not None else None
    if fonts is None:
        return ""
    for key in ("ascii", "hAnsi", "eastAsia"):
        value = fonts.get(W[key])
        if value and value.lower().startswith("wingdings"):
            return value
    return ""


def _text_of(el, out: list[str]) -> None:
    """The inline text of a paragraph (or of part of it): runs, hyperlinks, insertions; not deleted text, not
    text boxes or drawings (read as blocks of their own)."""
    for ch in el:
        tag = ch.tag
        if tag == W["r"]:
            font = _run_font(ch)
            for part in ch:
                ptag = part.tag
                if ptag == W["t"]:
                    text = part.text or ""
                    out.append("".join(_symbol(font, c) for c in text) if font else text)
                elif ptag == W["tab"]:
                    out.append("\t")
                elif ptag in (W["br"], W["cr"]):
                    out.append("\n")
                elif ptag == W["sym"]:
                    code = part.get(W["char"]) or ""
                    try:
                        value = int(code, 16)
                    except ValueError:
                        continue
                    out.append(_symbol(part.get(W["font"]) or "", chr(value - 0xF000 if value >= 0xF000 else value)))
        elif tag in (W["del"], W["moveFrom"], W["txbxContent"], MC_ALTERNATE, W["drawing"], W["pict"], W["tbl"],
                     W["pPr"]):
            continue
        elif isinstance(tag, str):
            _text_of(ch, out)


class _Lists:
    """Word's automatic numbering: the label each numbered paragraph shows (`1.`, `★1.`, `1★.`), in document
    order, from numbering.xml (and a paragraph style's own numbering)."""

    def __init__(self, document):
        self.labels: dict[int, str] = {}  # id of a paragraph element → its label
        self._alive: list = []  # the elements whose ids are keys (lxml proxies live while referenced)
        part = document.part
        try:
            numbering = part.numbering_part.element
        except Exception:  # no numbering part: nothing is numbered
            return
        self.abstract: dict[str, dict[int, tuple[int, str, str]]] = {}
        for a in numbering.iterchildren(f"{{{_W}}}abstractNum"):
            levels = {}
            for lvl in a.iterchildren(f"{{{_W}}}lvl"):
                levels[_int(lvl.get(W["ilvl"]), 0)] = (
                    _int(_val(lvl, "start"), 1), _val(lvl, "numFmt") or "decimal", _val(lvl, "lvlText") or "")
            self.abstract[a.get(f"{{{_W}}}abstractNumId")] = levels
        self.nums: dict[str, tuple[str, dict[int, int]]] = {}
        for n in numbering.iterchildren(f"{{{_W}}}num"):
            abstract = _val(n, "abstractNumId")
            starts = {}
            for o in n.iterchildren(f"{{{_W}}}lvlOverride"):
                start = _val(o, "startOverride")
                if start is not None:
                    starts[_int(o.get(W["ilvl"]), 0)] = _int(start, 1)
            self.nums[n.get(f"{{{_W}}}numId")] = (abstract, starts)
        self.style_num: dict[str, tuple[str, int]] = {}
        try:
            styles = part.styles.element
            by_id = {s.get(f"{{{_W}}}styleId"): s for s in styles.iterchildren(f"{{{_W}}}style")}
        except Exception:
            by_id = {}
        for sid, style in by_id.items():
            seen, s = 0, style
            while s is not None and seen < 10:
                ppr = s.find(W["pPr"])
                num = ppr.find(W["numPr"]) if ppr is not None else None
                if num is not None:
                    self.style_num[sid] = (_val(num, "numId") or "", _int(_val(num, "ilvl"), 0))
                    break
                based = _val(s, "basedOn")
                s, seen = by_id.get(based), seen + 1
        counters: dict[str, list[int]] = {}
        body = document.element.body
        for p in body.iter(W["p"]):
            num = self._num_of(p)
            if num is None or _under_fallback(p, body):
                continue
            num_id, ilvl = num
            if num_id not in self.nums or num_id == "0":
                continue
            abstract_id, starts = self.nums[num_id]
            levels = self.abstract.get(abstract_id, {})
            ilvl = min(max(ilvl, 0), 8)
            start, fmt, text = levels.get(ilvl, (1, "decimal", f"%{ilvl + 1}."))
            values = counters.setdefault(num_id, [None] * 9)
            values[ilvl] = (starts.get(ilvl, start) if values[ilvl] is None else values[ilvl] + 1)
            for deeper in range(ilvl + 1, 9):
                values[deeper] = None
            if fmt == "bullet":
                label = "".join(c for c in text if c in MARKS)
            else:
                label = re.sub(r"%([1-9])", lambda m: str(values[int(m.group(1)) - 1] or
                                                          levels.get(int(m.group(1)) - 1, (1,))[0]), text)
            if label:
                self.labels[id(p)] = label + " "
                self._alive.append(p)

    def _num_of(self, p) -> tuple[str, int] | None:
        ppr = p.find(W["pPr"])
        if ppr is None:
            return None
        num = ppr.find(W["numPr"])
        if num is not None:
            num_id = _val(num, "numId")
            return (num_id, _int(_val(num, "ilvl"), 0)) if num_id is not None else None
        style = _val(ppr, "pStyle")
        return self.style_num.get(style) if style else None


def _val(el, child: str) -> str | None:
    found = el.find(f"{{{_W}}}{child}")
    return None if found is None else found.get(W["val"])


def _int(text, default: int) -> int:
    try:
        return max(0, min(int(text), 10000))
    except (TypeError, ValueError):
        return default


def _under_fallback(el, stop) -> bool:
    parent = el.getparent()
    while parent is not None and parent is not stop:
        if parent.tag == MC_FALLBACK:
            return True
        parent = parent.getparent()
    return False


# ---- tables as grids -------------------------------------------------------------------------------------
class _Cell:
    __slots__ = ("tc", "text", "height", "col", "width", "listed")

    def __init__(self, tc, text: str, col: int, width: int, listed: bool = False):
        self.tc, self.text, self.height, self.col, self.width = tc, text, 1, col, width
        self.listed = listed  # its first paragraph is numbered by Word's automatic numbering


@dataclass
class _Slot:
    cell: _Cell
    continued: bool  # merged from the row above (w:vMerge continue)


def _paragraph_text(p, lists: _Lists) -> str:
    out = [lists.labels.get(id(p), "")]
    _text_of(p, out)
    return "".join(out)


def _cell_text(tc, lists: _Lists) -> str:
    lines = []
    for ch in tc:
        if ch.tag == W["p"]:
            lines.append(_paragraph_text(ch, lists))
        elif ch.tag in (W["sdt"], W["customXml"]):
            for p in ch.iter(W["p"]):
                lines.append(_paragraph_text(p, lists))
    return "\n".join(line.strip() for line in lines).strip()


def _cells_of(tr):
    for ch in tr:
        if ch.tag == W["tc"]:
            yield ch
        elif ch.tag in (W["sdt"], W["customXml"]):
            content = ch.find(W["sdtContent"]) if ch.tag == W["sdt"] else ch
            if content is not None:
                yield from (tc for tc in content if tc.tag == W["tc"])


def _rows_of(tbl):
    for ch in tbl:
        if ch.tag == W["tr"]:
            yield ch
        elif ch.tag in (W["sdt"], W["customXml"]):
            content = ch.find(W["sdtContent"]) if ch.tag == W["sdt"] else ch
            if content is not None:
                yield from (tr for tr in content if tr.tag == W["tr"])


def _grid(tbl, lists: _Lists) -> tuple[list[list[_Slot | None]], bool]:
    """The table as a grid of slots (a merged cell in every grid column and row it covers); True when cut short."""
    rows: list[list[_Slot | None]] = []
    prev: list[_Slot | None] = []
    cut = False
    for n, tr in enumerate(_rows_of(tbl)):
        if n >= MAX_ROWS:
            cut = True
            break
        slots: list[_Slot | None] = []
        trpr = tr.find(W["trPr"])
        before = _int(_val(trpr, "gridBefore"), 0) if trpr is not None else 0
        slots += [None] * min(before, MAX_COLUMNS)
        for tc in _cells_of(tr):
            if len(slots) >= MAX_COLUMNS:
                break
            tcpr = tc.find(W["tcPr"])
            span = max(1, min(_int(_val(tcpr, "gridSpan"), 1), MAX_COLUMNS)) if tcpr is not None else 1
            vmerge = tcpr.find(W["vMerge"]) if tcpr is not None else None
            col = len(slots)
            above = prev[col] if col < len(prev) else None
            if vmerge is not None and vmerge.get(W["val"]) != "restart" and above is not None:
                above.cell.height += 1
                slot = _Slot(above.cell, True)
            else:
                first = tc.find(W["p"])
                listed = first is not None and id(first) in lists.labels
                slot = _Slot(_Cell(tc, _cell_text(tc, lists), col, span, listed), False)
            slots += [slot] * span
        rows.append(slots)
        prev = slots
    return rows, cut


def _distinct(slots) -> list[_Slot]:
    seen, out = set(), []
    for s in slots:
        if s is not None and id(s.cell) not in seen:
            seen.add(id(s.cell))
            out.append(s)
    return out


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _clean(text: str) -> str:
    return re.sub(r"\s*\n\s*", "", text).strip()


def _roles(slots: list[_Slot | None]) -> dict[int, str] | None:
    """Grid column → role (item/verdict/note/number) when these slots are a table's header row."""
    roles: dict[int, str] = {}
    for i, slot in enumerate(slots):
        if slot is None:
            continue
        text = _compact(narrow(slot.cell.text))
        if NUMBER_HEADER.match(text):
            roles[i] = "number"
        elif ITEM_HEADER.match(text):
            roles[i] = "item"
        elif text.startswith("备注"):
            roles[i] = "note"
        elif text and VERDICT_HEADER.search(text) and len(text) <= 30:
            roles[i] = "verdict"
        elif NOTE_HEADER.match(text):
            roles[i] = "note"
    values = set(roles.values())
    return roles if {"item", "verdict"} <= values else None


def _header_field(text: str) -> HeaderField | None:
    compact = _compact(narrow(text))
    key = next((k for k, pattern in HEADER_FIELDS if pattern.search(compact)), None)
    if key is None or compact.endswith("表"):
        return None
    parts = re.split(r"[：:]", text, maxsplit=1)
    return HeaderField(key, parts[0].strip(), parts[1].strip() if len(parts) > 1 else "")


# ---- reading one table --------------------------------------------------------------------------------------
@dataclass
class _Open:
    """The item table read last, which the next table may continue (a table split at a page break)."""

    table: FormTable
    roles: dict[int, str]
    width: int
    state: "_TableState"
    header: tuple[str, ...]  # the header row's texts, to know it when it is repeated


def _texts(slots) -> tuple[str, ...]:
    return tuple(_compact(s.cell.text) for s in _distinct(slots))


def _first_number(body, roles: dict[int, str]) -> int | None:
    for slots in body[:5]:
        for i, role in sorted(roles.items()):
            if role in ("number", "item") and i < len(slots) and slots[i] is not None and not slots[i].continued:
                text = slots[i].cell.text
                found = number_only(text) if role == "number" else None
                num = found[0] if found else split_number(text)[0]
                if num is not None:
                    return int(num)
    return None


def _last_number(table: FormTable) -> int:
    tops = [int(m.group(0)) for r in table.rows if (m := re.match(r"\d+", r.number))]
    return max(tops, default=0)


def _read_table(grid: list[list[_Slot | None]], title: str, where: str, doc: FormDocument,
                previous: _Open | None = None) -> tuple[list[FormTable], _Open] | None:
    """The item tables of one Word table (more than one when a row spanning the table titles a new section), and
    what the next table may continue; None when it is not an item table (a layout table)."""
    width = max((len(s) for s in grid), default=0)
    header_at, roles = None, None
    for i, slots in enumerate(grid[:6]):
        roles = _roles(slots)
        if roles:
            header_at = i
            break
    out: list[FormTable] = []
    if roles is None:
        if previous is None or previous.width != width or not grid:
            return None
        # no header, right after an item table of the same grid: the rest of it, split at a page break
        current, roles, state, body, first_line = previous.table, previous.roles, previous.state, grid, 1
        header_texts = previous.header
        current.notes.append("表格在分页处断开，无表头的后半部分已接在前面读取")
    else:
        for slots in grid[:header_at]:  # a title or header fields inside the table, above its header
            texts = []
            for slot in _distinct(slots):
                hf = _header_field(slot.cell.text)
                if hf:
                    _add_field(doc, hf)
                elif _clean(slot.cell.text):
                    texts.append(_clean(slot.cell.text))
            if len(texts) == 1:
                title = texts[0]
        header = grid[header_at]
        header_texts = _texts(header)

        def first(role: str) -> str:
            return next((_clean(header[i].cell.text) for i, r in sorted(roles.items()) if r == role and header[i]),
                        "")

        columns = (first("item"), first("verdict"), first("note") or "备注")
        body = grid[header_at + 1:]
        first_line = header_at + 2
        # a column with no header whose cells are numbers alone: the numbers' own column
        for col in range(width):
            if col in roles:
                continue
            texts = [s[col].cell.text for s in body if col < len(s) and s[col] and not s[col].continued
                     and s[col].cell.text.strip()]
            if texts and all(number_only(t) for t in texts):
                roles[col] = "number"
        start = _first_number(body, roles)
        if previous is not None and not title and previous.table.columns == columns and previous.width == width \
                and start is not None and start == _last_number(previous.table) + 1 and start > 1:
            # the header repeated on the next page: the same table goes on
            current, roles, state = previous.table, previous.roles, previous.state
            current.notes.append(f"表格在分页处断开，表头重复的后半部分（自第 {start} 项起）已接在前面读取")
        else:
            current, state = FormTable(title=title, columns=columns, where=where), _TableState()
            out.append(current)
        state.offered = state.offered or any(
            slots[i] is not None and not slots[i].continued and slots[i].cell.text.strip()
            for slots in body for i, r in roles.items() if r == "verdict" and i < len(slots))
    for offset, slots in enumerate(body):
        line = first_line + offset
        cells = _distinct(slots)
        if not cells or not any(s.cell.text.strip() for s in cells if not s.continued):
            continue
        if _texts(slots) == header_texts:
            continue  # the header row repeated (a form converted from PDF repeats it on every page)
        whole = len(cells) == 1 and cells[0].cell.width >= max(width, 2)
        if whole or _is_subheader(slots, roles):
            text = cells[0].cell.text if whole else ""
            if not text:
                continue  # 是 | 否 under a merged 结论 header: not a row
            num = split_number(_clean(text))[0]
            if num is not None and whole:  # 3. 机构和人员规模 across the table: the heading of the rows below
                _group_heading(current, state, _clean(text), num, line)
                continue
            kind = _free_row(text, doc)
            if kind == "title" and state.rows_seen and not SECTION_TITLE.search(_compact(narrow(text))):
                kind = "explanation"  # a closing remark (以上内容请如实填写), not the title of another table
            if kind == "title" and state.rows_seen:
                _close_heading(current, state)
                current = FormTable(title=_clean(text), columns=current.columns, where=where)
                out.append(current)
                state = _TableState()
            elif kind == "title":
                current.title = current.title if current.title and not SECTION_TITLE.search(_compact(text)) \
                    else _clean(text)
            elif kind == "explanation":
                current.explanations.append(_clean(text))
            continue
        _read_row(current, state, slots, roles, line)
    _close_heading(current, state)
    return out, _Open(current, roles, width, state, header_texts)


def _group_heading(table: FormTable, st: "_TableState", text: str, number: str, line: int) -> None:
    """A numbered row spanning the table: its sub-rows follow (3a, 3b…)."""
    _close_heading(table, st)
    st.group, st.group_number, st.sub, st.group_cell = text, number, 0, None
    st.heading, st.numbered = (text, number, line), True
    st.rows_seen += 1


def _close_heading(table: FormTable, st: "_TableState") -> None:
    """A spanning numbered row with no sub-rows under it is an item that lost its 结论 cell: said, not dropped."""
    if st.heading is not None:
        text, number, line = st.heading
        table.warnings.append(f"表格第 {line} 行“{_short(text)}”横跨整行、下面没有分项，也没有结论栏，未读入")
        st.heading = None


def _is_subheader(slots, roles) -> bool:
    """The row under a header whose 结论 is split into 是 | 否 (or 达标 | 未达标) columns."""
    texts = [s.cell.text.strip() for s in _distinct(slots) if s.cell.text.strip() and not s.continued]
    return bool(texts) and all(_compact(t) in VERDICT_WORDS for t in texts)


def _free_row(text: str, doc: FormDocument) -> str:
    """What a row spanning the whole table is: legend, header field, explanation, or a (section) title."""
    compact = _compact(narrow(text))
    if "标注" in compact and any(m in compact for m in MARKS):
        doc.legend = doc.legend or _clean(text)
        return "legend"
    hf = _header_field(text)
    if hf:
        _add_field(doc, hf)
        return "field"
    if EXPLANATION.search(compact) or REMARK_ROW.search(compact) or len(compact) > 60:
        return "explanation"
    return "title"


def _add_field(doc: FormDocument, hf: HeaderField) -> None:
    if hf.key not in {h.key for h in doc.header_fields}:
        doc.header_fields.append(hf)


@dataclass
class _TableState:
    rows_seen: int = 0
    numbered: bool | None = None
    group_cell: object = None  # the merged first-column cell of the current group
    group: str | None = None
    group_number: str = ""
    sub: int = 0
    last_top: FormRow | None = None  # the last numbered row (a group row when sub-rows follow)
    offered: bool = False  # some 结论 cell of the table offers words (□是 □否): an empty one is no item's
    heading: tuple[str, str, int] | None = None  # a spanning numbered row waiting for its sub-rows


def _read_row(table: FormTable, st: _TableState, slots, roles: dict[int, str], line: int) -> None:
    def cells_of(role: str) -> list[_Slot]:
        return _distinct(slots[i] for i, r in sorted(roles.items()) if r == role and i < len(slots))

    items = cells_of("item")
    taken = {id(s.cell) for s in items}  # an item cell spanning the 结论 column is not a 结论 cell
    numbers = [s for s in cells_of("number") if id(s.cell) not in taken]
    verdicts = [s for s in cells_of("verdict") if id(s.cell) not in taken]
    notes = [s for s in cells_of("note") if id(s.cell) not in taken and id(s.cell) not in {id(v.cell) for v in verdicts}]
    label_slot = items[0] if len(items) > 1 else None
    text_slot = items[-1] if items else None
    text = _clean(text_slot.cell.text) if text_slot is not None and not text_slot.continued else ""
    verdict_text = "\n".join(s.cell.text for s in verdicts if not s.continued)
    verdict_merged = bool(verdicts) and all(s.continued for s in verdicts)
    note_text = "\n".join(s.cell.text for s in notes if not s.continued)
    number_text = " ".join(s.cell.text for s in numbers if not s.continued).strip()
    st.rows_seen += 1
    if label_slot is not None and number_only(label_slot.cell.text) and not label_slot.continued:
        number_text, label_slot = label_slot.cell.text, None  # the number in a column of its own
    elif label_slot is not None and label_slot.continued and number_only(label_slot.cell.text):
        label_slot = None
        number_text = ""
    num, mark, body = split_number(text)
    how = "text"
    if number_text and (only := number_only(number_text)):
        num, mark, how = only[0], only[1] or mark, "column"
    elif num is not None and text_slot is not None and text_slot.cell.listed:
        how = "list"
    if not text:
        if (verdict_text.strip() or note_text.strip()) and not verdict_merged:
            table.warnings.append(f"表格第 {line} 行有结论或备注但没有项目内容，未读入")
        return
    if REMARK_ROW.search(text) and num is None:
        table.explanations.append(text)
        return
    if num is None and EXPLANATION.search(_compact(narrow(text))):
        table.explanations.append(text)
        return
    offered, ticked = verdict_choices(verdict_text)
    empty_verdict = verdict_merged or not verdict_text.strip()
    prev = table.rows[-1] if table.rows else None
    if label_slot is not None and label_slot.cell.height > 1:  # a group: its first cell merged down
        group_text = _clean(label_slot.cell.text)
        if label_slot.cell is st.group_cell and num is None and empty_verdict and prev is not None \
                and prev.group == st.group:
            _continue(prev, body, note_text, verdict_text)  # a sub-row's text wrapped onto the next row
            return
        if label_slot.cell is not st.group_cell:
            st.group_cell, st.group, st.sub = label_slot.cell, group_text, 0
            gnum, gmark, _ = split_number(group_text)
            st.group_number = gnum or str(_next_number(table))
        st.sub += 1
        row_id = f"{st.group_number}{_letter(st.sub)}"
        table.rows.append(FormRow(row_id, body, mark, st.group, verdict_text, note_text,
                                  offered, ticked, line, 1, "group"))
        return
    if label_slot is not None and num is None:  # two item cells, not merged down: a label and its text
        lnum, lmark, ltext = split_number(_clean(label_slot.cell.text))
        if lnum is not None:
            num, mark = lnum, mark or lmark
            body = f"{ltext}{body}" if not ltext.endswith(body) else ltext
    st.group_cell = None if num is not None else st.group_cell
    if num is None:
        if st.group is not None and not empty_verdict and (st.heading or (prev is not None and prev.group == st.group)):
            st.sub += 1  # the next sub-row under a spanning heading, or of a group guessed from an unmerged row
            st.heading = None
            table.rows.append(FormRow(f"{st.group_number}{_letter(st.sub)}", body, mark, st.group, verdict_text,
                                      note_text, offered, ticked, line, 1, "group"))
            return
        wrapped = verdict_merged or (empty_verdict and (st.numbered or (st.offered and not _ends_sentence(prev.text)))
                                     if prev is not None else False)
        if prev is not None and wrapped:
            _continue(prev, body, note_text, verdict_text)
            return
        merged_number = bool(numbers) and all(n.continued for n in numbers)
        if prev is not None and st.numbered and merged_number and prev is st.last_top and prev.group is None:
            # the number cell merged down over rows with a 结论 each: one item's sub-rows (3a, 3b…)
            st.group, st.group_number, st.sub = f"{prev.number}.", prev.number, 2
            prev.number, prev.group, prev.numbered_by = f"{prev.number}a", st.group, "group"
            table.rows.append(FormRow(f"{st.group_number}b", body, mark, st.group, verdict_text, note_text, offered,
                                      ticked, line, 1, "group"))
            return
        if prev is not None and st.numbered and prev.numbered_by != "group" and prev is st.last_top:
            # a numbered row, then unnumbered rows with a 结论 of their own: a group row and its sub-rows, though
            # its first cell is not merged down (guessed, and said: the import stops unless --force)
            table.rows.pop()
            st.group, st.group_number, st.sub = f"{prev.number}. {prev.text}", prev.number, 1
            table.warnings.append(f"第 {prev.number} 项“{_short(prev.text)}”下面是没有编号、有结论栏的行，已按分项读取"
                                  f"（{prev.number}a、{prev.number}b…），但首列没有合并，请核对")
            table.rows.append(FormRow(f"{prev.number}a", body, mark, st.group, verdict_text, note_text, offered,
                                      ticked, line, 1, "group"))
            return
        if st.numbered:
            table.warnings.append(f"表格第 {line} 行没有编号，未读入：“{_short(body)}”")
            return
        table.rows.append(FormRow(str(_next_number(table)), body, mark, None, verdict_text, note_text, offered,
                                  ticked, line, 1, "order"))
        st.numbered = False
        return
    if st.numbered is False and table.rows:
        table.warnings.append(f"表格第 {line} 行有编号 {num}，而上面的 {len(table.rows)} 行没有编号（已按顺序编为第 "
                              f"{'、'.join(r.number for r in table.rows[:5])} 项），请核对")
    _close_heading(table, st)
    st.numbered = True
    st.group = None
    row = FormRow(num, body, mark, None, verdict_text, note_text, offered, ticked, line, 1, how)
    table.rows.append(row)
    st.last_top = row


def _letter(n: int) -> str:
    return chr(ord("a") + n - 1) if n <= 26 else f"_{n}"


def _next_number(table: FormTable) -> int:
    tops = [int(m.group(0)) for r in table.rows if (m := re.match(r"\d+", r.number))]
    return (max(tops) if tops else 0) + 1


def _ends_sentence(text: str) -> bool:
    return bool(re.search(r"[。；;！!？?]\s*$", text))


def _continue(prev: FormRow, body: str, note: str, verdict: str) -> None:
    joiner = " " if prev.text[-1:].isascii() and prev.text[-1:].isalnum() and body[:1].isascii() else ""
    prev.text = f"{prev.text}{joiner}{body}" if body else prev.text
    if note.strip():
        prev.note_cell = f"{prev.note_cell}\n{note}".strip()
    if verdict.strip() and not prev.verdict_cell.strip():
        prev.verdict_cell = verdict
        prev.offered, prev.ticked = verdict_choices(verdict)
    prev.lines += 1


def _finish(table: FormTable) -> None:
    wrapped = [r for r in table.rows if r.lines > 1]
    if wrapped:
        table.notes.append("、".join(f"第 {r.number} 项" for r in wrapped[:10]) + "的文字跨行，已与下一行合并读取")


def _short(text: str, width: int = 24) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def check_numbering(table: FormTable) -> None:
    """Warn on gaps, repeats and disorder of the numbers (1…N per table) and on sub-ids outside a group."""
    seen: dict[int, int] = {}
    last = 0
    last_id = ""
    for row in table.rows:
        m = re.fullmatch(r"(\d+)([a-z_]\d*)?", row.number)
        if not m:
            table.warnings.append(f"第 {row.number} 项的编号无法识别")
            continue
        n, sub = int(m.group(1)), m.group(2)
        if sub and row.group is None:
            table.warnings.append(f"第 {last_id or n} 项之后出现 {row.number}")
        if sub:
            if n != last and n in seen:
                table.warnings.append(f"第 {n} 项重复")
            seen.setdefault(n, row.line)
        elif n in seen:
            table.warnings.append(f"第 {n} 项重复")
        elif n < last:
            table.warnings.append(f"第 {n} 项排在第 {last} 项之后")
        seen.setdefault(n, row.line)
        last, last_id = max(last, n), row.number
    if seen:
        missing = [n for n in range(1, max(seen) + 1) if n not in seen]
        if missing:
            shown = "、".join(str(n) for n in missing[:10]) + ("…" if len(missing) > 10 else "")
            table.warnings.insert(0, f"第 {shown} 项缺失")


# ---- the document -------------------------------------------------------------------------------------------
def _walk(container, doc: FormDocument, lists: _Lists, where: str, depth: int, state: dict) -> None:
    """Blocks in document order: paragraphs (title, legend, header fields, the heading above a table), tables
    (item tables, or layout tables whose cells are walked in turn) and the text boxes of paragraphs."""
    for el in container:
        tag = el.tag
        if tag == W["p"]:
            if _paragraph(el, doc, lists, state):
                state["open"] = None  # text between two tables: the next one is a table of its own
            if depth < MAX_DEPTH:
                for box in _boxes(el):
                    _walk(box, doc, lists, "文本框", depth + 1, state)
        elif tag == W["tbl"]:
            if state["tables"] >= MAX_TABLES:
                if not state.get("too_many"):
                    doc.warnings.append(f"表格超过 {MAX_TABLES} 个，其余的没有读取")
                    state["too_many"] = True
                continue
            state["tables"] += 1
            grid, cut = _grid(el, lists)
            found = _read_table(grid, state["above"], where, doc, state["open"])
            state["above"] = ""
            if found is not None:
                tables, state["open"] = found
                if cut:
                    state["open"].table.warnings.append(f"表格超过 {MAX_ROWS} 行，其余的行没有读取")
                doc.tables.extend(tables)
                continue
            state["open"] = None
            if depth < MAX_DEPTH:  # a layout table: what is inside its cells
                for slots in grid:
                    for slot in _distinct(slots):
                        if not slot.continued:
                            _walk(slot.cell.tc, doc, lists, "表格内", depth + 1, state)
        elif tag in (W["sdt"], W["customXml"]):
            content = el.find(W["sdtContent"]) if tag == W["sdt"] else el
            if content is not None:
                _walk(content, doc, lists, where, depth, state)


def _boxes(p):
    """The text boxes anchored in a paragraph (DrawingML or VML; Word writes both: the fallback copy is skipped)."""
    out = []
    for box in p.iter(W["txbxContent"]):
        if not _under_fallback(box, p) and not any(box is o or _inside(box, o) for o in out):
            out.append(box)
    return out


def _inside(el, outer) -> bool:
    parent = el.getparent()
    while parent is not None:
        if parent is outer:
            return True
        parent = parent.getparent()
    return False


def _paragraph(p, doc: FormDocument, lists: _Lists, state: dict) -> bool:
    """Take a paragraph's title, legend or header field, or keep it as the heading of the next table; False when
    it is empty."""
    text = _paragraph_text(p, lists).strip()
    if not text:
        return False
    compact = _compact(narrow(text))
    if "标注" in compact and any(m in compact for m in MARKS):
        doc.legend = doc.legend or text
        return True
    hf = _header_field(text)
    if hf:
        _add_field(doc, hf)
        return True
    if not doc.title and not doc.tables and compact.endswith("表") and not re.match(r"^[(（][一二三四]", compact):
        doc.title = re.sub(r"^[一二三四五六七八九十]+、", "", compact)
        return True
    state["above"] = text
    return True


def read_docx(path: Path, source: str | None = None) -> FormDocument:
    """The form tables of a .docx already checked (`open_form` checks and converts)."""
    import docx

    document = docx.Document(str(path))
    doc = FormDocument(source=source or Path(path).name)
    lists = _Lists(document)
    _walk(document.element.body, doc, lists, "正文", 0, {"above": "", "tables": 0, "open": None})
    for table in doc.tables:
        _finish(table)
        check_numbering(table)
    return doc


# ---- formats ------------------------------------------------------------------------------------------------
def soffice_path() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def sniff(path: Path) -> str:
    """What the file really is: docx, odt, xlsx, pptx, zip, doc (OLE Word or WPS), xls, ppt, ole, pdf, rtf, html,
    text, csv, empty or unknown."""
    with open(path, "rb") as f:
        head = f.read(1 << 16)
    if not head:
        return "empty"
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        try:
            with zipfile.ZipFile(path) as z:
                names = set(z.namelist()[:5000])
                mimetype = z.read("mimetype")[:100] if "mimetype" in names else b""
                with z.open("[Content_Types].xml") if "[Content_Types].xml" in names else _nothing() as f:
                    types = f.read(1 << 20)
        except (zipfile.BadZipFile, OSError, KeyError, ValueError, NotImplementedError, EOFError):
            return "unknown"
        if "word/document.xml" in names or any(n.endswith("/document.xml") and n.startswith("word") for n in names):
            # python-docx opens a document only: a macro-enabled one or a template goes through LibreOffice
            return "docm" if b"macroEnabled.main" in types or b"template.main" in types else "docx"
        if "xl/workbook.xml" in names:
            return "xlsx"
        if "ppt/presentation.xml" in names:
            return "pptx"
        if b"opendocument.text" in mimetype:
            return "odt"
        if b"opendocument.spreadsheet" in mimetype:
            return "ods"
        return "zip"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        with open(path, "rb") as f:
            data = f.read(8 << 20)  # the directory of a form-sized file lies well within this
        if "WordDocument".encode("utf-16-le") in data:
            return "doc"
        if "Workbook".encode("utf-16-le") in data or "Book".encode("utf-16-le") in data:
            return "xls"
        if "PowerPoint Document".encode("utf-16-le") in data:
            return "ppt"
        return "ole"
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.lstrip().startswith(b"{\\rtf"):
        return "rtf"
    lowered = head[:4096].lower()
    if b"<html" in lowered or b"mime-version:" in lowered or b"w:worddocument" in lowered or b"<?mso-application" in lowered:
        return "html"
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):  # Notepad's "Unicode" (UTF-16)
        text = head[2:4096].decode("utf-16-le" if head[:1] == b"\xff" else "utf-16-be", errors="replace")
    elif b"\x00" in head[:4096]:
        return "unknown"
    else:
        text = _decoded(head)
        if text is None:
            return "unknown"
    lines = [line for line in text.splitlines()[:20] if line.strip()]
    if lines and sum(1 for line in lines if line.count(",") >= 1 or line.count("\t") >= 1) >= max(1, len(lines) * 0.6):
        return "csv"
    return "text"


def _nothing():
    import io

    return io.BytesIO(b"")


def _decoded(head: bytes) -> str | None:
    """The text of a file's first bytes as UTF-8 or GB18030 (a character cut at the end is dropped)."""
    for encoding in ("utf-8", "gb18030"):
        for cut in range(4):
            try:
                return head[: len(head) - cut].decode(encoding)
            except UnicodeDecodeError:
                if len(head) < 1 << 16:
                    break  # the whole file: no character was cut
    return None


WHAT = {"xlsx": "Excel 表格（.xlsx）", "ods": "电子表格（.ods）", "xls": "Excel 97-2003 表格（.xls）",
        "pptx": "PowerPoint 演示文稿（.pptx）", "ppt": "PowerPoint 演示文稿（.ppt）", "zip": "压缩包",
        "pdf": "PDF 文件", "csv": "文本表格（CSV）文件", "text": "纯文本文件", "empty": "空文件",
        "unknown": "无法识别格式的文件", "ole": "无法识别的旧版 Office 文件"}
CONVERTIBLE = {"doc": "旧版 Word 文件（.doc）", "rtf": "RTF 文件", "odt": "OpenDocument 文本（.odt）",
               "html": "网页格式保存的 Word 文件", "docm": "启用宏的 Word 文件或 Word 模板（.docm、.dotx）"}
SAVE_AS = "请用 Word 或 WPS 打开空白表，“另存为” Word 文档（.docx）后再导入"


def open_form(path: Path, work: Path, limits: ReadLimits | None = None, seconds: float = CONVERT_SECONDS) -> tuple[Path, str | None]:
    """The .docx to read for `path` (converted into `work` when it is a .doc/.wps/.rtf/.odt) and the format it
    was converted from; FormUnreadable (Chinese) when it is not a Word document or cannot be converted."""
    limits = limits or ReadLimits()
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise FormUnreadable(f"无法打开文件（{exc.strerror or '读取失败'}）") from None
    if size > limits.zip_member_mb * (1 << 20):
        raise FormUnreadable(f"文件有 {size / (1 << 20):.0f} MB，超过 {limits.zip_member_mb} MB 的上限，不像是一份空白表")
    kind = sniff(path)
    suffix = path.suffix.lower()
    if kind == "doc" and suffix == ".wps":
        label = "WPS 文字文件（.wps）"
    else:
        label = CONVERTIBLE.get(kind, "")
    if kind == "ole" and suffix in (".doc", ".wps", ".dot", ".wpt"):
        kind, label = "doc", label or CONVERTIBLE["doc"]  # an old Word/WPS file whose streams are named otherwise
    if kind in CONVERTIBLE:
        soffice = soffice_path()
        if not soffice:
            raise FormUnreadable(f"这是{label}，读取它需要安装 LibreOffice（例如 sudo apt install libreoffice-writer）；"
                                 f"或者{SAVE_AS}")
        converted = _convert(path, work, soffice, seconds, label)
        _check_docx(converted, limits)
        return converted, ("wps" if suffix == ".wps" else kind)
    if kind == "docx":
        _check_docx(path, limits)
        return path, None
    what = WHAT.get(kind, WHAT["unknown"])
    advice = "请提供 Word 版的空白表" if kind == "pdf" else SAVE_AS if kind not in ("empty",) else "请重新获取空白表"
    raise FormUnreadable(f"这是一个{what}，不是 Word 文档；{advice}")


MAX_XML_MB = 20  # one XML part of a form (a 200-item form's document.xml is well under 1 MB)


def _check_docx(path: Path, limits: ReadLimits) -> None:
    try:
        with zipfile.ZipFile(path) as z:
            big = next((i for i in z.infolist() if i.filename.lower().endswith((".xml", ".rels"))
                        and i.file_size > MAX_XML_MB << 20), None)
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, EOFError):
        raise FormUnreadable("Word 文件已损坏，无法打开；" + SAVE_AS) from None
    if big is not None:
        raise FormUnreadable(f"文件过大或结构异常：其中的 {big.filename} 解压后有 {big.file_size >> 20} MB，"
                             f"超过 {MAX_XML_MB} MB，不像是一份空白表")
    try:
        check_zip(path, limits)
    except FileTooLarge as exc:
        raise FormUnreadable(f"文件过大或结构异常：{exc.reason}") from None
    except UnreadableFile:
        raise FormUnreadable("Word 文件已损坏，无法打开；" + SAVE_AS) from None
    problem = docx_problem(path)
    if problem == "不是有效的 .docx 文件":
        raise FormUnreadable("Word 文件已损坏，无法打开；" + SAVE_AS)
    if problem:
        raise FormUnreadable(f"Word 文件不安全，未读取：{problem}")


def _convert(path: Path, work: Path, soffice: str, seconds: float, label: str) -> Path:
    """`soffice --headless --convert-to docx` of a copy under a plain name, with its own profile and a time limit."""
    work = Path(work)
    src_dir, out_dir = work / "src", work / "out"
    src_dir.mkdir(parents=True, exist_ok=True)
    out_dir.mkdir(parents=True, exist_ok=True)
    suffix = path.suffix.lower() if re.fullmatch(r"\.[a-z]{2,4}", path.suffix.lower()) else ".doc"
    source = src_dir / f"form{suffix}"
    shutil.copyfile(path, source)
    env = dict(os.environ)
    env.setdefault("LANG", "C.UTF-8")
    cmd = [soffice, f"-env:UserInstallation={(work / 'profile').resolve().as_uri()}", "--headless", "--norestore",
           "--nologo", "--nodefault", "--nolockcheck", "--convert-to", "docx:MS Word 2007 XML", "--outdir",
           str(out_dir), str(source)]
    try:
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
                                env=env, start_new_session=True)  # its own process group: soffice starts children
    except OSError:
        raise FormUnreadable(f"这是{label}，但 LibreOffice 无法启动；{SAVE_AS}") from None
    try:
        code = proc.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        raise FormUnreadable(f"这是{label}，用 LibreOffice 转换超过 {seconds:g} 秒仍未完成；{SAVE_AS}") from None
    made = out_dir / "form.docx"
    if code != 0 or not made.is_file():
        raise FormUnreadable(f"这是{label}，但 LibreOffice 无法转换它（文件可能已损坏）；{SAVE_AS}")
    return made


def _kill_group(proc: subprocess.Popen) -> None:
    """End the conversion we started and every process it started (its own session), then reap it."""
    try:
        os.killpg(proc.pid, 9)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pass


def read_form_tables(path: Path, limits: ReadLimits | None = None, seconds: float = CONVERT_SECONDS) -> FormDocument:
    """Every item table of the form at `path` (.docx, or .doc/.wps/.rtf/.odt through LibreOffice), with the
    numbering checked; FormUnreadable (Chinese) when it cannot be read."""
    path = Path(path)
    with tempfile.TemporaryDirectory(prefix="sureform-form-") as work:
        docx_path, converted = open_form(path, Path(work), limits, seconds)
        try:
            doc = read_docx(docx_path, source=path.name)
        except FormUnreadable:
            raise
        except Exception:  # python-docx and lxml raise many kinds for a broken package
            raise FormUnreadable("Word 文件已损坏或结构异常，无法读取；" + SAVE_AS) from None
    doc.converted_from = converted
    if converted:
        doc.notes.append(f"已用 LibreOffice 把 {path.suffix or '文件'} 转换为 .docx 后读取")
    return doc
