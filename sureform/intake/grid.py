"""Reading any spreadsheet into plain grids of cell values that keep their Excel coordinates.

python-calamine reads .xlsx/.xlsm/.xls/.ods (data only: macros never run); .csv is decoded as
UTF-8 (with or without BOM) or GB18030, as WPS saves it. Merged ranges are filled with their
top-left value so a merged 院系 or header cell reads the same in every cell it covers.

Bounded by the file, not the format (`ReadLimits`): before calamine sees a zip-based workbook, every member's
declared size and compression ratio are checked and each worksheet's XML is scanned as a stream for its
farthest cell that holds a value (calamine allocates a dense grid up to it: one value at XFD1048576 asks for
512 GB); a CSV is read as a stream and stops at the row limit. What no department's table can be raises
`FileTooLarge`. Control characters (other than tab and newline) are removed from every text cell and the cells
are listed in `Grid.cleaned`, for a warning on each.
"""
from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".csv", ".ods"}


@dataclass(frozen=True)
class ReadLimits:
    """What one input file may ask for (the settings max_rows, max_columns, zip_member_mb, zip_ratio,
    read_memory_mb, read_seconds)."""

    max_rows: int = 20000
    max_columns: int = 200
    zip_member_mb: int = 100  # uncompressed size of one member of an .xlsx/.ods
    zip_ratio: int = 100  # uncompressed : compressed, for members over 1 MB
    memory_mb: int = 1024  # address space a reader process may add to read one file
    seconds: float = 60.0  # time to read one file


class UnreadableFile(Exception):
    """The file cannot be opened as a spreadsheet; `reason` is Chinese, for the sender."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class FileTooLarge(UnreadableFile):
    """The file asks for more than any department's table can (rows, columns, a zip bomb, memory, time)."""


@dataclass
class Grid:
    """One sheet: rows[i][j] is the value of Excel cell (row i+1, column j+1)."""

    name: str
    rows: list[list]
    formula_without_value: set[tuple[int, int]] = field(default_factory=set)  # 1-based (row, col)
    formula_cached_zero: set[tuple[int, int]] = field(default_factory=set)  # formulas whose saved result is 0
    cleaned: set[tuple[int, int]] = field(default_factory=set)  # 1-based (row, col) whose control characters were removed
    derived: dict = field(default_factory=dict, repr=False)  # memo of what readers found in it (headers)
    own_feedback: bool = False  # a sheet sureform itself wrote (its marker names it): not the sender's data

    def value(self, row: int, col: int):
        """Value at 1-based Excel coordinates, '' when outside the used area."""
        if 1 <= row <= len(self.rows):
            r = self.rows[row - 1]
            if 1 <= col <= len(r):
                return r[col - 1]
        return ""

    @property
    def height(self) -> int:
        return len(self.rows)

    @property
    def width(self) -> int:
        width = self.derived.get("width")
        if width is None or width[0] != len(self.rows):  # computed once per sheet (rows are not changed after)
            width = self.derived["width"] = (len(self.rows), max((len(r) for r in self.rows), default=0))
        return width[1]


@lru_cache(maxsize=1024)
def column_letter(col: int) -> str:
    """1 → A, 27 → AA (memoised: every record names the letters of its columns)."""
    s = ""
    while col > 0:
        col, rem = divmod(col - 1, 26)
        s = chr(65 + rem) + s
    return s


def read_grids(path: Path, limits: ReadLimits | None = None, hidden: list[str] | None = None) -> list[Grid]:
    """Every visible sheet of a spreadsheet file as a Grid; raises UnreadableFile (FileTooLarge beyond `limits`).
    Hidden and very hidden worksheets are not read: their names are appended to `hidden` when it is given (the
    sender cannot see them, so nothing in them may count)."""
    limits = limits or ReadLimits()
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return [_clean_grid(_read_csv(path, limits))]
    if suffix not in SPREADSHEET_SUFFIXES:
        raise UnreadableFile(f"不支持的文件类型 {suffix or '（无扩展名）'}")
    from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

    if zipfile.is_zipfile(path):
        check_zip(path, limits)  # before calamine allocates anything
    try:
        wb = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises several types for corrupt/encrypted files
        raise UnreadableFile(_reason(exc)) from exc
    formulas = _formulas_without_value(path) if suffix in {".xlsx", ".xlsm"} else {}
    marks = feedback_marks(path) if suffix in {".xlsx", ".xlsm"} else frozenset()
    grids = []
    try:
        for meta in wb.sheets_metadata:
            if meta.typ != SheetTypeEnum.WorkSheet:
                continue  # a chart sheet, a macro sheet: no cells of a table
            if meta.visible != SheetVisibleEnum.Visible:  # (the enum's name itself contains "Visible")
                if hidden is not None:
                    hidden.append(meta.name)
                continue
            sheet = wb.get_sheet_by_name(meta.name)
            _check_extent(meta.name, sheet.height, sheet.width, limits)
            rows = [list(r) for r in sheet.to_python(skip_empty_area=False)]
            _fill_merged(rows, sheet.merged_cell_ranges or [])
            blank, zero = formulas.get(meta.name, (set(), set()))
            grids.append(_clean_grid(Grid(meta.name, rows, blank, zero,
                                          own_feedback=feedback_digest(meta.name) in marks)))
    except UnreadableFile:
        raise
    except MemoryError:
        raise FileTooLarge("读取时内存不足") from None
    except Exception as exc:
        raise UnreadableFile(_reason(exc)) from exc
    finally:
        try:
            wb.close()
        except Exception:
            pass
    return grids


# ---- sureform's own sheets: recognised by a marker, never by a name a sender could also choose ---------------
FEEDBACK_MARK = "sureform-feedback"  # the custom document property a feedback workbook carries (outputs.feedback)
_CUSTOM_PROPS = "docProps/custom.xml"
_MARK_RE = re.compile(rb'<property\b[^>]*\bname="' + FEEDBACK_MARK.encode() + rb'"[^>]*>\s*<vt:lpwstr>([0-9a-f;]*)</vt:lpwstr>')


def feedback_digest(sheet: str) -> str:
    """What the marker holds for one sheet sureform wrote: a digest of its name (so that only the sheets it wrote,
    under the names it gave them, are vouched for)."""
    import hashlib

    return hashlib.sha256(f"{FEEDBACK_MARK}\0{sheet}".encode("utf-8", "replace")).hexdigest()[:32]


def feedback_marks(path: Path) -> frozenset[str]:
    """The digests in a workbook's sureform marker (empty when it has none: a sender's workbook)."""
    try:
        with zipfile.ZipFile(path) as z:
            info = z.getinfo(_CUSTOM_PROPS)
            if info.file_size > _ONE_MB:
                return frozenset()
            m = _MARK_RE.search(z.read(info))
    except (KeyError, zipfile.BadZipFile, OSError, ValueError, NotImplementedError, EOFError):
        return frozenset()
    return frozenset(d for d in m.group(1).decode().split(";") if d) if m else frozenset()


def _reason(exc: Exception) -> str:
    text = str(exc).lower()
    if "password" in text or "encrypt" in text:
        return "文件已加密（设置了打开密码）"
    return "文件已损坏或不是有效的表格文件"


def _fill_merged(rows: list[list], ranges) -> None:
    for (r0, c0), (r1, c1) in ranges:
        if r0 >= len(rows):
            continue
        top = rows[r0][c0] if c0 < len(rows[r0]) else ""
        for r in range(r0, min(r1, len(rows) - 1) + 1):
            row = rows[r]
            for c in range(c0, c1 + 1):
                if c >= len(row):
                    row.extend([""] * (c + 1 - len(row)))
                if row[c] == "" or row[c] is None:
                    row[c] = top


def _read_csv(path: Path, limits: ReadLimits) -> Grid:
    """Streamed: decoded as UTF-8 (with or without BOM), else GB18030; at most `limits.max_rows` rows."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return Grid("Sheet1", _csv_rows(path, encoding, limits))  # one sheet; its name never the file's
        except UnicodeDecodeError:
            continue
    raise UnreadableFile("CSV 文件编码无法识别（请另存为 UTF-8 或使用 Excel 格式）")


def _csv_rows(path: Path, encoding: str, limits: ReadLimits) -> list[list]:
    with open(path, encoding=encoding, errors="strict", newline="") as f:
        head = f.read(4096)
        try:
            dialect = csv.Sniffer().sniff(head, delimiters=",\t;")
        except csv.Error:
            dialect = csv.excel
        f.seek(0)
        rows: list[list] = []
        try:
            for row in csv.reader(f, dialect):
                if len(rows) >= limits.max_rows:
                    raise FileTooLarge(f"超过 {limits.max_rows} 行")
                if len(row) > limits.max_columns:
                    raise FileTooLarge(f"第 {len(rows) + 1} 行有 {len(row)} 列，超过 {limits.max_columns} 列")
                rows.append(row)
        except csv.Error as exc:
            raise UnreadableFile("CSV 文件格式有误（某个单元格过长或引号不成对）") from exc
    return rows


# ---- bounds, before anything is allocated from what the file declares ----------------------------------------
_ONE_MB = 1 << 20
_MAX_MEMBERS = 10000


def _check_extent(sheet: str, height: int, width: int, limits: ReadLimits, where: str | None = None,
                  cells: int | None = None) -> None:
    if height <= limits.max_rows and width <= limits.max_columns:
        return
    where = where or f"{column_letter(width)}{height}"
    sparse = cells is not None and cells < max(height, width) // 2
    hint = (f"表中只有 {cells} 个单元格有内容，这很可能是误输入的单元格：请删除 {where} 的内容后重新提交" if sparse
            else "请只提交本系的名单，或按表拆分后分别提交")
    raise FileTooLarge(f"工作表“{sheet}”在 {where} 单元格有内容，超出了 {limits.max_rows} 行、"
                       f"{limits.max_columns} 列的上限（{hint}）")


def check_zip(path: Path, limits: ReadLimits) -> None:
    """Refuse a zip bomb and a sheet whose farthest value lies beyond the limits, reading every member as a stream
    (at most its declared size, checked against its CRC): nothing is allocated from what the file declares."""
    member_limit = limits.zip_member_mb * _ONE_MB
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
            if len(infos) > _MAX_MEMBERS:
                raise FileTooLarge(f"压缩包内有 {len(infos)} 个部件，不像是表格文件")
            total = 0
            for info in infos:
                size = info.file_size
                if size > member_limit:
                    raise FileTooLarge(f"其中的 {info.filename} 解压后有 {size / _ONE_MB:.0f} MB，"
                                       f"超过 {limits.zip_member_mb} MB 的上限")
                if size > _ONE_MB and size > limits.zip_ratio * max(info.compress_size, 1):
                    raise FileTooLarge(f"其中的 {info.filename} 压缩比异常（{size // max(info.compress_size, 1)}:1）")
                total += size
            if total > 4 * member_limit:
                raise FileTooLarge(f"解压后共 {total / _ONE_MB:.0f} MB，超过上限")
            sheets = {}
            try:
                sheets = {member: name for name, member in _sheet_files(z).items()}
            except (KeyError, zipfile.BadZipFile):
                pass  # not an .xlsx (an .ods, or broken): calamine says
            for info in infos:
                if info.filename in sheets:
                    if info.file_size <= _ONE_MB and _within_by_references(z, info, limits):
                        continue  # every cell within the limits by its own reference: nothing to find
                    rows, cols, cells, where = _scan_sheet(z, info, limits)
                    _check_extent(sheets[info.filename], rows, cols, limits, where, cells)
                else:
                    with z.open(info) as f:
                        while f.read(_ONE_MB):
                            pass
    except FileTooLarge:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, OSError, ValueError) as exc:
        raise UnreadableFile("文件已损坏或不是有效的表格文件") from exc


_SCAN_RE = re.compile(rb"<(?:\w+:)?row\b([^>]*?)/?>|<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.S)
_ROW_ATTR = re.compile(rb'\br="(\d+)"')
_CELL_ATTR = re.compile(rb'\br="([A-Z]{1,3})(\d+)"')


_CELL_REF_RE = re.compile(rb'<(?:\w+:)?c\b(?:[^>]*?\br="([A-Z]{1,3})(\d+)")?')


def _within_by_references(z: zipfile.ZipFile, info: zipfile.ZipInfo, limits: ReadLimits) -> bool:
    """A sheet of at most one chunk whose every cell tag names its cell (`r="K32"`, as Excel and WPS write
    them) lies within the limits when the farthest reference does: the same bound `_scan_sheet` finds, counted
    over every cell rather than only those that hold a value, in a few C calls. False when some cell has no
    reference or one lies beyond the limits: `_scan_sheet` then decides, and words the refusal."""
    with z.open(info) as f:
        data = f.read(_ONE_MB)  # the whole member (its declared size), checked against its CRC at the end
    refs = _CELL_REF_RE.findall(data)
    if not refs:
        return True
    letters, rows = map(set, zip(*refs))  # few distinct columns and rows: compared once each
    if b"" in letters:
        return False  # a cell placed by its position: only the full scan can tell where
    farthest_row = max(map(int, rows))
    farthest_col = max(_col_number(c.decode()) for c in letters)
    return farthest_row <= limits.max_rows and farthest_col <= limits.max_columns


def _scan_sheet(z: zipfile.ZipFile, info: zipfile.ZipInfo, limits: ReadLimits) -> tuple[int, int, int, str | None]:
    """(farthest row, farthest column, cells) of the cells that hold something, and the farthest cell's name;
    read in chunks, cut after a row's end, so that memory stays bounded by a chunk."""
    row = col = max_row = max_col = cells = 0
    far = None
    buffer = b""
    with z.open(info) as f:
        while True:
            chunk = f.read(_ONE_MB)
            buffer += chunk
            cut = len(buffer) if not chunk else buffer.rfind(b"row>") + 4
            if cut < 4:
                if len(buffer) > 64 * _ONE_MB:
                    raise FileTooLarge(f"工作表 {info.filename} 的一行内容超过 64 MB")
                continue
            for m in _SCAN_RE.finditer(buffer, 0, cut):
                if m.group(2) is None:  # a row
                    ref = _ROW_ATTR.search(m.group(1) or b"")
                    row, col = (int(ref.group(1)) if ref else row + 1), 0
                    continue
                ref = _CELL_ATTR.search(m.group(2))
                if ref:
                    row, col = int(ref.group(2)), _col_number(ref.group(1).decode())
                else:
                    col += 1
                body = m.group(3)
                if body and (b"<v" in body or b"<is" in body or b"<f" in body or b":v" in body or b":is" in body):
                    cells += 1
                    if row > max_row or col > max_col:
                        if row > limits.max_rows or col > limits.max_columns:
                            far = f"{column_letter(col)}{row}"
                            if cells > min(limits.max_rows, 1000):  # plainly too long: no need to read on
                                return max(max_row, row), max(max_col, col), cells, far
                        max_row, max_col = max(max_row, row), max(max_col, col)
            buffer = buffer[cut:]
            if not chunk:
                break
    return max_row, max_col, cells, far


# ---- clean text in ------------------------------------------------------------------------------------------
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff]")  # not tab (09) nor newline (0a)


def clean_cell_text(value: str) -> str:
    """A text cell without control characters (a CR before a newline is just a line break)."""
    return _CONTROL.sub("", value.replace("\r\n", "\n"))


def _clean_grid(grid: Grid) -> Grid:
    for r, row in enumerate(grid.rows, 1):
        for c, v in enumerate(row, 1):
            if isinstance(v, str) and _CONTROL.search(v):
                cleaned = clean_cell_text(v)
                row[c - 1] = cleaned
                if cleaned != v.replace("\r\n", "\n"):
                    grid.cleaned.add((r, c))
    return grid


_CELL_RE = re.compile(rb"<c\b([^>]*?)(?:/>|>(.*?)</c>)", re.S)
_REF_RE = re.compile(rb'\br="([A-Z]+)(\d+)"')


_VALUE_RE = re.compile(rb"<v>([^<]+)</v>")


def _formulas_without_value(path: Path) -> dict[str, tuple[set, set]]:
    """Per sheet: formula cells with no cached value (saved by a tool that never calculated) and
    formula cells whose cached value is 0 (often the same story)."""
    out: dict[str, tuple[set, set]] = {}
    try:
        with zipfile.ZipFile(path) as z:
            names = _sheet_files(z)
            for sheet_name, member in names.items():
                xml = z.read(member)
                if b"<f" not in xml:
                    continue
                blank, zero = set(), set()
                for m in _CELL_RE.finditer(xml):
                    body = m.group(2) or b""
                    if b"<f" not in body:
                        continue
                    ref = _REF_RE.search(m.group(1))
                    if not ref:
                        continue
                    cell = (int(ref.group(2)), _col_number(ref.group(1).decode()))
                    v = _VALUE_RE.search(body)
                    if v is None and b"<is>" not in body:
                        blank.add(cell)
                    elif v is not None and v.group(1).strip() in (b"0", b"0.0"):
                        zero.add(cell)
                if blank or zero:
                    out[sheet_name] = (blank, zero)
    except (zipfile.BadZipFile, KeyError, OSError):
        return {}
    return out


def _col_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def _sheet_files(z: zipfile.ZipFile) -> dict[str, str]:
    wb = z.read("xl/workbook.xml").decode("utf-8", "replace")
    rels = z.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
    targets = dict(re.findall(r'Id="([^"]+)"[^>]*Target="([^"]+)"', rels))
    targets.update({k: v for v, k in re.findall(r'Target="([^"]+)"[^>]*Id="([^"]+)"', rels)})
    out = {}
    for name, rid in re.findall(r'<sheet\b[^>]*name="([^"]+)"[^>]*r:id="([^"]+)"', wb):
        target = targets.get(rid)
        if target:
            target = target.lstrip("/")
            out[_unescape(name)] = target if target.startswith("xl/") else "xl/" + target
    return out


def _unescape(s: str) -> str:
    return s.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&apos;", "'")
