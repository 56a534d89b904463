"""Reading any spreadsheet into plain grids of cell values that keep their Excel coordinates.

python-calamine reads .xlsx/.xlsm/.xls/.ods (data only: macros never run); .csv is decoded as
UTF-8 (with or without BOM) or GB18030, as WPS saves it. Merged ranges are filled with their
top-left value so a merged 院系 or header cell reads the same in every cell it covers.
"""
from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".csv", ".ods"}


class UnreadableFile(Exception):
    """The file cannot be opened as a spreadsheet; `reason` is Chinese, for the sender."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass
class Grid:
    """One sheet: rows[i][j] is the value of Excel cell (row i+1, column j+1)."""

    name: str
    rows: list[list]
    formula_without_value: set[tuple[int, int]] = field(default_factory=set)  # 1-based (row, col)
    formula_cached_zero: set[tuple[int, int]] = field(default_factory=set)  # formulas whose saved result is 0
    derived: dict = field(default_factory=dict, repr=False)  # memo of what readers found in it (headers)

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
        return max((len(r) for r in self.rows), default=0)


def column_letter(col: int) -> str:
    """1 → A, 27 → AA."""
    s = ""
    while col > 0:
        col, rem = divmod(col - 1, 26)
        s = chr(65 + rem) + s
    return s


def read_grids(path: Path) -> list[Grid]:
    """Every visible sheet of a spreadsheet file as a Grid; raises UnreadableFile."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return [_read_csv(path)]
    if suffix not in SPREADSHEET_SUFFIXES:
        raise UnreadableFile(f"不支持的文件类型 {suffix or '（无扩展名）'}")
    from python_calamine import CalamineWorkbook

    try:
        wb = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises several types for corrupt/encrypted files
        raise UnreadableFile(_reason(exc)) from exc
    formulas = _formulas_without_value(path) if suffix in {".xlsx", ".xlsm"} else {}
    grids = []
    try:
        for meta in wb.sheets_metadata:
            if "Visible" not in str(meta.visible) or "WorkSheet" not in str(meta.typ):
                continue
            sheet = wb.get_sheet_by_name(meta.name)
            rows = [list(r) for r in sheet.to_python(skip_empty_area=False)]
            _fill_merged(rows, sheet.merged_cell_ranges or [])
            blank, zero = formulas.get(meta.name, (set(), set()))
            grids.append(Grid(meta.name, rows, blank, zero))
    except Exception as exc:
        raise UnreadableFile(_reason(exc)) from exc
    finally:
        try:
            wb.close()
        except Exception:
            pass
    return grids


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


def _read_csv(path: Path) -> Grid:
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise UnreadableFile("CSV 文件编码无法识别（请另存为 UTF-8 或使用 Excel 格式）")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    rows = [list(r) for r in csv.reader(io.StringIO(text), dialect)]
    return Grid("Sheet1", rows)  # a CSV has one sheet; its name must not depend on the file name


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
