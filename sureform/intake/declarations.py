"""Reading what a college declared: its filled 备案表 / 改革自评表 or its 改革情况公开 (the provincial review).

On the shared form-table reader (`sureform.intake.form_tables`): `read_declaration(path)` gives a `Declaration`
— the header fields (组织名称 and ☑学生会/研究生会, 二级学生会组织数量, 核查, 公开链接), every item row of every
table (校级, and each 二级 table with the union it answers for) with its number, mark, text, declared verdict
(☑ ■ √ ✓, a typed 是/否/达标/未达标, Wingdings-2 R/£ by the run's font), the figure and date its 备注 gives
(`实有人 58`, `实有58`, `实有 3 人`, `召开日期为：2019年11月9日`), and the disclosure's section 四 figures
(工作人员人数, 共青团员人数, 党员人数, the top-30% ratio). `scan_review_inbox(inbox)` finds each college's files
(one folder per college; a file at the top level belongs to the college its 组织名称 names).

A born-digital PDF is read with pdfplumber: its text lines and tables, laid out again as a .docx, go through
the same reader (`pdf_as_docx`); a PDF without text is a scan (扫描件无法读取，请提供 Word 版).

Nothing here judges: `sureform.rules.review` recomputes. A file that cannot be read gives a `FormUnreadable`
reason in Chinese.
"""
from __future__ import annotations

import hashlib
import re
import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sureform.intake.form_tables import FormRow, FormTable, FormUnreadable, narrow, open_form, read_docx, sniff
from sureform.intake.grid import ReadLimits

POSITIVE = {"是": True, "达标": True, "符合": True, "否": False, "未达标": False, "不符合": False}
SUFFIXES = (".docx", ".doc", ".wps", ".docm", ".rtf", ".odt", ".pdf")
MAX_FILES_PER_COLLEGE = 20
SECOND_LEVEL = re.compile(r"二级")
PDF_MESSAGE = "暂不支持 PDF，请提供 Word 版（.docx 或 .doc）"  # when pdfplumber is not installed
SCANNED_MESSAGE = "这是扫描件（PDF 中没有文字），无法读取，请提供 Word 版"
MAX_PDF_PAGES = 40
# section 四 of the disclosure: the heading of each figure → its key
FIGURES = (("staff", re.compile(r"^工作人员(人数|总数)")), ("league", re.compile(r"共青团员")),
           ("party", re.compile(r"^(中共)?(党员|共产党员)(人数)?$|^中共党员")),
           ("activists", re.compile(r"入党积极分子")), ("top5", re.compile(r"前5[%％]")),
           ("top30", re.compile(r"前30[%％]的?比例")), ("failed", re.compile(r"不及格")),
           ("discipline", re.compile(r"违纪")))


@dataclass
class DeclaredItem:
    table: str  # 校级 | 二级
    unit: str | None  # the 二级 organisation the table answers for (None: the school's table, or one for all)
    id: str
    mark: str
    text: str
    declared: str | None  # the form's own word (是, 达标, 未达标…) or None when nothing (or both) is ticked
    positive: bool | None  # 是/达标 → True, 否/未达标 → False
    note: str = ""  # the 备注 cell as printed
    actual: int | None = None  # 实有 N
    actual_unit: str | None = None  # 人 | 个, when the 备注 names one
    held: str | None = None  # 召开日期 as ISO date, when it has a year
    held_text: str | None = None  # 召开日期 as printed (`3月30日`) when it cannot be a date
    ambiguous: bool = False  # both words ticked
    table_title: str = ""
    row: int = 0  # 1-based row of the table

    @property
    def where(self) -> str:
        """The source cell, for a reviewer: the table and its row."""
        return f"{self.table_title or self.table}第{self.row}行"


@dataclass
class Declaration:
    college: str  # the folder's name, or the 组织名称 of a file at the top level
    files: list[str] = field(default_factory=list)  # inbox-relative, the one read first
    sha256: str = ""
    org_name: str = ""  # 组织名称 as printed
    org: str | None = None  # 学生会 | 研究生会 (the ticked box)
    units_declared: int | None = None
    reviewed: str | None = None  # 是 | 否
    link: str = ""
    title: str = ""
    legend: str = ""
    items: list[DeclaredItem] = field(default_factory=list)
    units: list[str] = field(default_factory=list)  # the 二级 tables received (their unions, in order)
    figures: dict = field(default_factory=dict)  # section 四: staff, league, party, top30 (a ratio 0–1)…
    school_texts: list[tuple[str, str, str]] = field(default_factory=list)  # (id, mark, text) of the 校级 table
    unit_texts: list[tuple[str, str, str]] = field(default_factory=list)  # of the first 二级 table
    warnings: list[str] = field(default_factory=list)  # the reader's: odd numbering, rows not understood
    problems: list[tuple[str, str]] = field(default_factory=list)  # (file, Chinese reason) of unreadable files
    notes: list[str] = field(default_factory=list)  # what the reader guessed or converted


# ---- values of the 备注 and the header ---------------------------------------------------------------------
_ACTUAL = re.compile(r"实有\s*(人|个)?\s*[:：]?\s*([0-9]{1,6})\s*(人|个|名)?")
_DATE = re.compile(r"([0-9]{4})\s*[年.\-/]\s*([0-9]{1,2})\s*[月.\-/]\s*([0-9]{1,2})\s*日?")
_NO_YEAR = re.compile(r"([0-9]{1,2})\s*月\s*([0-9]{1,2})\s*日")
_HELD = re.compile(r"召开(?:日期|时间)\s*为?\s*[:：]?(.*)", re.S)


def actual_of(note: str) -> tuple[int | None, str | None]:
    """`实有人 58`, `实有58`, `实有 3 人`, `实有个 6`, full-width digits → (58, 人|个|None)."""
    m = _ACTUAL.search(narrow(note or ""))
    if not m:
        return None, None
    unit = m.group(1) or m.group(3)
    return int(m.group(2)), ("人" if unit == "名" else unit)


def held_of(note: str) -> tuple[str | None, str | None]:
    """(ISO date, text as printed) of `召开日期为：2019年11月9日`; (None, `3月30日`) for a date without a year,
    (None, None) when no date is given."""
    text = narrow(note or "")
    m = _HELD.search(text)
    rest = m.group(1) if m else text
    d = _DATE.search(rest)
    if d:
        shown = re.sub(r"\s+", "", d.group(0))  # a date wrapped in its cell is one date
        try:
            return date(int(d.group(1)), int(d.group(2)), int(d.group(3))).isoformat(), shown
        except ValueError:
            return None, shown
    y = _NO_YEAR.search(rest)
    if y:
        return None, re.sub(r"\s+", "", y.group(0))
    return None, None


def _org_of(value: str) -> tuple[str, str | None]:
    """(name, 学生会|研究生会) of `天津石油职业技术学院 ☑学生会□研究生会`."""
    org = None
    for word in ("研究生会", "学生会"):
        if re.search(r"[☑■√✓☒✔]\s*" + word, value) or re.search(word + r"\s*[√✓✔]", value):
            org = word
            break
    name = re.split(r"[☑■√✓☒✔□☐]", value, 1)[0].strip()
    name = re.sub(r"[_＿\s　]+$", "", name)
    return name, org


def _unit_of(title: str) -> str | None:
    """The union a 二级 table answers for: its title's last parenthesis (`…改革自评表（机械工程学院学生会）`)."""
    m = re.search(r"[（(]([^（()）]{2,40})[）)]\s*$", title.strip())
    if not m or re.search(r"含二级|院系、书院", m.group(1)):
        return None
    return m.group(1).strip()


def _declared(row: FormRow) -> tuple[str | None, bool | None, bool]:
    ticked = [w for w in row.ticked if w in POSITIVE]
    if len(ticked) == 1:
        return ticked[0], POSITIVE[ticked[0]], False
    if len(ticked) > 1:
        return None, None, True
    return None, None, False


def _items_of(table: FormTable, tid: str, unit: str | None) -> list[DeclaredItem]:
    out = []
    for row in table.rows:
        word, positive, ambiguous = _declared(row)
        actual, unit_word = actual_of(row.note_cell)
        held, held_text = held_of(row.note_cell) if re.search(r"召开|日期", row.note_cell + row.text) else (None, None)
        out.append(DeclaredItem(tid, unit, row.number, row.mark, row.text, word, positive, row.note_cell, actual,
                                unit_word, held, held_text, ambiguous, table.title, row.line))
    return out


# ---- section 四 --------------------------------------------------------------------------------------------
def _number(text: str) -> float | None:
    t = narrow(text).strip().replace(",", "")
    m = re.fullmatch(r"([0-9]{1,6}(?:\.[0-9]+)?)\s*([%％])?\s*(人|个|名)?", t)
    if not m:
        return None
    value = float(m.group(1))
    return value / 100 if m.group(2) else value


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _cell_texts(tr) -> list[str]:
    return ["".join(t.text or "" for t in tc.iter(_W + "t")) for tc in tr.iter(_W + "tc")]


def section_four(docx_path: Path) -> dict:
    """The disclosure's section 四 figures: a table whose header row holds 工作人员人数, the row under it. Read
    from document.xml directly (lxml), and only when the text is there at all: most forms have no section 四."""
    import zipfile

    from lxml import etree

    with zipfile.ZipFile(docx_path) as z:
        data = z.read("word/document.xml")
    if "人数".encode() not in data:
        return {}
    root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False))
    for tbl in root.iter(_W + "tbl"):
        rows = [tr for tr in tbl if tr.tag == _W + "tr"][:12]
        for r in range(len(rows) - 1):
            heads = [narrow(h).strip() for h in _cell_texts(rows[r])]
            if not any(FIGURES[0][1].search(h) for h in heads):
                continue
            values = _cell_texts(rows[r + 1])
            out: dict = {}
            for head, value in zip(heads, values):
                key = next((k for k, rx in FIGURES if rx.search(head)), None)
                if key is None or key in out:
                    continue
                if key in ("failed", "discipline"):
                    v = value.strip()
                    out[key] = v if v in ("是", "否", "有", "无") else None
                    continue
                n = _number(value)
                if n is not None:
                    out[key] = n if key == "top30" else int(n)
            if out:
                return out
    return {}


# ---- a born-digital PDF: its tables laid out again as Word tables, for the one form-table reader -------------
_PDF_BOX = re.compile(r"([R£])(?=\s*(?:未达标|达标|是|否|不符合|符合))")


def _pdf_cell(text: str | None) -> str:
    """A cell's text: Word's Wingdings-2 boxes lose their font in a PDF (`R是 £否`): shown as ☑/□ again."""
    return _PDF_BOX.sub(lambda m: "☑" if m.group(1) == "R" else "□", text or "")


def pdf_as_docx(path: Path, work: Path, limits: ReadLimits | None = None) -> Path:
    """The PDF's text lines and tables, in reading order, as a .docx the form-table reader reads like any other:
    a cell a table spans (None in pdfplumber's grid) is merged into the cell left of it, or above it in the first
    column (2020's 3. 机构和人员规模). FormUnreadable: no pdfplumber, a scanned file, or too many pages."""
    try:
        import pdfplumber
    except ImportError:
        raise FormUnreadable(PDF_MESSAGE) from None
    import docx

    limits = limits or ReadLimits()
    if path.stat().st_size > limits.zip_member_mb * (1 << 20):
        raise FormUnreadable(f"PDF 文件超过 {limits.zip_member_mb} MB，不像是一份自评表")
    out = docx.Document()
    chars = 0
    try:
        with pdfplumber.open(str(path)) as pdf:
            if len(pdf.pages) > MAX_PDF_PAGES:
                raise FormUnreadable(f"PDF 有 {len(pdf.pages)} 页，超过 {MAX_PDF_PAGES} 页，不像是一份自评表；请提供 Word 版")
            for page in pdf.pages:
                chars += len(page.chars)
                tables = page.find_tables()
                boxes = [t.bbox for t in tables]
                blocks = [(t.bbox[1], "table", t) for t in tables]
                for line in page.extract_text_lines():
                    mid = (line["top"] + line["bottom"]) / 2
                    if not any(b[1] <= mid <= b[3] and b[0] <= line["x0"] <= b[2] for b in boxes):
                        blocks.append((line["top"], "line", line["text"]))
                for _, kind, what in sorted(blocks, key=lambda b: b[0]):
                    if kind == "line":
                        out.add_paragraph(_pdf_cell(what))
                    else:
                        _pdf_table(out, what.extract())
    except FormUnreadable:
        raise
    except Exception:
        raise FormUnreadable("PDF 文件已损坏或无法解析，请提供 Word 版") from None
    if chars == 0:
        raise FormUnreadable(SCANNED_MESSAGE)
    dest = Path(work) / "from-pdf.docx"
    out.save(str(dest))
    return dest


def _pdf_table(doc, rows: list[list]) -> None:
    rows = [r for r in rows if r][:400]
    width = max((len(r) for r in rows), default=0)
    if not rows or not width:
        return
    table = doc.add_table(rows=len(rows), cols=width)
    for r, row in enumerate(rows):
        for c in range(width):
            value = row[c] if c < len(row) else ""
            if value is not None:
                table.cell(r, c).text = _pdf_cell(value)
    for r, row in enumerate(rows):  # merges after the text: python-docx joins merged cells' paragraphs
        for c in range(width):
            if c < len(row) and row[c] is None:
                if c > 0 and row[c - 1] is not None or (c > 0 and r == 0):
                    table.cell(r, c - 1).merge(table.cell(r, c))
                elif r > 0:
                    table.cell(r - 1, c).merge(table.cell(r, c))


# ---- one file, one college ---------------------------------------------------------------------------------
def read_declaration(path: Path, rel: str, college: str | None = None, limits: ReadLimits | None = None) -> Declaration:
    """A college's declaration in the file at `path` (FormUnreadable, Chinese, when it cannot be read)."""
    path = Path(path)
    pdf = sniff(path) == "pdf"
    with tempfile.TemporaryDirectory(prefix="sureform-review-") as work:
        if pdf:
            docx_path, converted = pdf_as_docx(path, Path(work), limits), "pdf"
        else:
            docx_path, converted = open_form(path, Path(work), limits)
        try:
            form = read_docx(docx_path, source=path.name)
            figures = section_four(docx_path)
        except FormUnreadable:
            raise
        except Exception:  # python-docx and lxml raise many kinds for a broken package
            raise FormUnreadable("Word 文件已损坏或结构异常，无法读取；请在 Word 或 WPS 中打开后另存为 .docx 再提交") from None
    dec = Declaration(college=college or "", files=[rel], title=form.title, legend=form.legend, figures=figures,
                      warnings=form.all_warnings())
    dec.notes += form.all_notes()
    if converted == "pdf":
        dec.notes.append("从 PDF 中读取表格（合并单元格和勾选符号按版面推断），如有疑问请以 Word 版为准")
    elif converted:
        dec.notes.append(f"已用 LibreOffice 把 {path.suffix} 文件转换为 .docx 后读取")
    with open(path, "rb") as f:
        dec.sha256 = hashlib.sha256(f.read()).hexdigest()
    for h in form.header_fields:
        if h.key == "org" and not dec.org_name:
            dec.org_name, dec.org = _org_of(h.value)
        elif h.key == "units" and dec.units_declared is None:
            m = re.search(r"[0-9]{1,4}", narrow(h.value))
            dec.units_declared = int(m.group(0)) if m else None
        elif h.key == "reviewed" and dec.reviewed is None:
            m = re.search(r"[☑■√✓☒✔]\s*(是|否)|(是|否)\s*[√✓✔]", h.value)
            dec.reviewed = (m.group(1) or m.group(2)) if m else (h.value.strip() if h.value.strip() in ("是", "否") else None)
        elif h.key == "link" and not dec.link:
            dec.link = h.value.strip()
    school_seen = False
    for table in form.tables:
        if not table.rows:
            continue
        second = bool(SECOND_LEVEL.search(table.title)) or (school_seen and _unit_of(table.title) is not None)
        if second:
            unit = _unit_of(table.title)
            dec.units.append(unit or f"第{len(dec.units) + 1}个二级组织")
            dec.items += _items_of(table, "二级", unit or dec.units[-1])
            if not dec.unit_texts:
                dec.unit_texts = [(r.number, r.mark, r.text) for r in table.rows]
        elif not school_seen:
            school_seen = True
            dec.items += _items_of(table, "校级", None)
            dec.school_texts = [(r.number, r.mark, r.text) for r in table.rows]
    if not dec.college:
        dec.college = dec.org_name or Path(rel).stem  # a top-level file names its college, or its own name does
    if not school_seen:
        raise FormUnreadable("没有找到填写好的自评表（指标 · 结论 · 备注 或 项目 · 验收结论 · 备注）；"
                             "请提交备案表、改革自评表或改革情况公开的 Word 版")
    return dec


# ---- the inbox ---------------------------------------------------------------------------------------------
@dataclass
class CollegeFiles:
    college: str | None  # None: a file at the top level (the college its 组织名称 names)
    paths: list[tuple[Path, str]]  # (path, inbox-relative), newest first
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (rel, Chinese reason)


def scan_review_inbox(inbox: Path) -> list[CollegeFiles]:
    """One entry per college folder (its Word/PDF files, newest first) and one per file at the top level."""
    inbox = Path(inbox)
    out: list[CollegeFiles] = []
    if not inbox.is_dir():
        return out
    for entry in sorted(inbox.iterdir(), key=lambda p: p.name):
        if entry.name.startswith((".", "~$")) or entry.is_symlink():
            continue
        if entry.is_dir():
            files, skipped = [], []
            for p in sorted(entry.rglob("*")):
                if p.is_symlink() or not p.is_file() or p.name.startswith((".", "~$")):
                    continue
                rel = p.relative_to(inbox).as_posix()
                if p.suffix.lower() not in SUFFIXES:
                    skipped.append((rel, "不是 Word 或 PDF 文件，未读取"))
                    continue
                files.append((p, rel))
            files.sort(key=lambda f: (-f[0].stat().st_mtime, f[1]))
            if len(files) > MAX_FILES_PER_COLLEGE:
                skipped += [(rel, f"一个学校最多读取 {MAX_FILES_PER_COLLEGE} 个文件，其余未读取")
                            for _, rel in files[MAX_FILES_PER_COLLEGE:]]
                files = files[:MAX_FILES_PER_COLLEGE]
            out.append(CollegeFiles(entry.name, files, skipped))
        elif entry.is_file() and entry.suffix.lower() in SUFFIXES:
            out.append(CollegeFiles(None, [(entry, entry.name)]))
    return out


def read_college(cf: CollegeFiles, limits: ReadLimits | None = None) -> Declaration:
    """The college's declaration: the newest readable file with a filled table; section 四 figures from any of
    its files (a separate 改革情况公开); every unreadable file named with its reason."""
    chosen: Declaration | None = None
    problems: list[tuple[str, str]] = list(cf.skipped)
    others: list[Declaration] = []
    for path, rel in cf.paths:
        try:
            dec = read_declaration(path, rel, cf.college, limits)
        except FormUnreadable as exc:
            problems.append((rel, exc.reason))
            continue
        except OSError as exc:
            problems.append((rel, f"无法打开文件（{exc.strerror or '读取失败'}）"))
            continue
        except Exception:  # one sender's file costs only its own reading, never the round
            problems.append((rel, "文件结构异常，无法读取；请在 Word 或 WPS 中打开后另存为 .docx 再提交"))
            continue
        if chosen is None:
            chosen = dec
        else:
            others.append(dec)
    if chosen is None:
        return Declaration(college=cf.college or (cf.paths[0][1] if cf.paths else "（未知）"),
                           files=[rel for _, rel in cf.paths], problems=problems)
    for other in others:
        chosen.files.append(other.files[0])
        for k, v in other.figures.items():
            chosen.figures.setdefault(k, v)
        chosen.notes.append(f"{other.files[0]} 与 {chosen.files[0]} 同为本校材料，按较新的 {chosen.files[0]} 复评")
    chosen.problems = problems
    return chosen


PARALLEL_FROM = 8  # fewer colleges than this are read in the run's own process


def read_colleges(colleges: list[CollegeFiles], limits: ReadLimits | None = None, workers: int | None = None,
                  progress=None) -> list[Declaration]:
    """Every college's declaration, in order: in worker processes (one per core, at most `workers`) when there
    are many — reading Word files is CPU-bound — else here. Workers are spawned, not forked (a serving process
    has threads), and import only the reader."""
    import os
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    workers = workers if workers is not None else min(4, os.cpu_count() or 1)
    if workers <= 1 or len(colleges) < PARALLEL_FROM:
        out = []
        for k, cf in enumerate(colleges):
            if progress:
                progress("read", k, len(colleges))
            out.append(read_college(cf, limits))
        return out
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
        chunk = max(1, len(colleges) // (workers * 8))
        return list(pool.map(read_college, colleges, [limits] * len(colleges), chunksize=chunk))


def one_per_college(declarations: list[Declaration]) -> list[Declaration]:
    """A college's folder and a top-level file naming the same college are one college: the declaration with
    items read (the folder's first) is reviewed, the other's files are listed with it."""
    by: dict[str, Declaration] = {}
    for dec in declarations:
        kept = by.get(dec.college)
        if kept is None:
            by[dec.college] = dec
            continue
        first, other = (kept, dec) if kept.items or not dec.items else (dec, kept)
        first.files += [f for f in other.files if f not in first.files]
        first.problems += other.problems
        for k, v in other.figures.items():
            first.figures.setdefault(k, v)
        if other.items:
            first.notes.append(f"同一学校的 {other.files[0]} 未复评，按 {first.files[0]} 复评")
        by[dec.college] = first
    return list(by.values())
