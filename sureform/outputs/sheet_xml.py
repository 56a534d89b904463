"""Worksheet rows as SpreadsheetML text, rendered without a library call per cell, and spliced into a workbook.

汇总.xlsx holds every current row of the master (60,000 and more at a large university). A library that writes
cell by cell costs about 10 µs a cell however little changed; here a block of rows (one submission's) is
rendered once to the `<row>` elements of the worksheet, kept (`store.sheet_rows`), and only numbered when the
workbook is written again: the row number is a placeholder byte (NUL, which no cell text can hold: `clean`
drops it) replaced per row at splice time. Rows are separated by a newline (cell text writes its newlines as
`&#10;`), so a block splits into rows with one C call.

xlsxwriter still writes everything around the rows (styles, column widths, frozen header, filter, print
setup): `splice` puts the rows into its worksheets' empty `<sheetData/>` and fixes their `<dimension>`.
"""
from __future__ import annotations

import math
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Iterable, Iterator

from sureform.intake.grid import column_letter
from sureform.outputs.cells import ILLEGAL_CHARACTERS  # what `clean` drops: XML 1.0 cannot hold it

ROW_MARK = b"\x00"  # the row number's placeholder in a rendered block
MAX_TEXT = 32767  # Excel's longest cell text
LINE_HEIGHT = 16  # points per line of the default 11-point font (a Chinese line is a little taller)
MAX_ROW_HEIGHT = 409  # Excel's largest row height
EPOCH = date(1899, 12, 30)  # day 0 of Excel's 1900 date system, as a serial number's origin
FIRST_DAY, LAST_DAY = (1900, 3, 1), (9999, 12, 31)  # the days Excel shows as dates alike (its 1900 leap year aside)

_ESCAPED_ESCAPE = re.compile(r"(_x[0-9a-fA-F]{4}_)")  # text that looks like Excel's own _xHHHH_ escape
_TEXT_SPECIAL = re.compile(r"[&<>\n\r\t_\ufffe\uffff\x00-\x08\x0b\x0c\x0e-\x1f]")  # any of these: the slow path


@dataclass(frozen=True)
class CellStyles:
    """The workbook's style (xf) indices a cell can take: plain wrapped text, a date, a percentage, text marked
    as text (Excel's quote prefix), each with or without one of the fills; the header's."""

    head: int
    plain: dict  # fill (or None) → xf index
    dated: dict
    percent: dict
    quoted: dict


def text_width(text) -> int:
    """Display width: a Chinese (or other wide) character counts two, a Latin one one. Counted from the UTF-8
    length in C: a character of three bytes (CJK, full-width punctuation) counts two, of one byte one."""
    text = str(text)
    return (len(text.encode("utf-8", "surrogatepass")) + len(text)) // 2


def column_width(display: int) -> int:
    """The narrowest column (in characters, as Excel counts them) in which text `display` wide stays on one line
    by `wrapped_lines`' measure."""
    return math.ceil((display + 1) / WRAP_FACTOR)


WRAP_FACTOR = 0.9  # of a column's width, what text may take (a Chinese character is a little wider than two Latin)


def wrapped_lines(value, width: float) -> int:
    """Lines a wrapped text takes in a column `width` characters wide."""
    if not isinstance(value, str) or not value:
        return 1
    usable = max(width * WRAP_FACTOR - 1, 1)
    if 2 * len(value) <= usable and "\n" not in value:  # fits on one line whatever its characters are
        return 1
    return sum(max(1, -(-text_width(part) // usable)) for part in value.split("\n"))


CELL_PADDING = 4  # points above and below a wrapped cell's lines (without it a CJK cell's last line is clipped)


def row_height(lines: int) -> float:
    """Points for `lines` lines and the cell's padding, at most Excel's largest, in whole pixels (¾ pt) as Excel
    keeps them."""
    return round(min(LINE_HEIGHT * lines + CELL_PADDING, MAX_ROW_HEIGHT) * 4 / 3) * 0.75


def _text(value: str) -> str:
    """`value` as the content of a `<t>` element: escaped for XML and for Excel's own `_xHHHH_` convention."""
    if len(value) > MAX_TEXT:
        value = value[:MAX_TEXT]
    if _TEXT_SPECIAL.search(value) is None:
        return value
    value = _ESCAPED_ESCAPE.sub(r"_x005F\1", ILLEGAL_CHARACTERS.sub("", value))
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    value = value.replace("\r", "&#13;").replace("\n", "&#10;").replace("\t", "&#9;")
    return value.replace("\ufffe", "_xFFFE_").replace("\uffff", "_xFFFF_")


def _serial(value: date | datetime) -> float | int:
    if isinstance(value, datetime):
        delta = value.replace(tzinfo=None) - datetime(1899, 12, 30)
        return delta.days + delta.seconds / 86400
    return (value - EPOCH).days


@dataclass(frozen=True)
class Column:
    """How one column's cells are written: its letter, width (characters), and which style family its values take:
    `percent` for numbers shown as percentages; `fills` as (prefix, fill) pairs, longest prefix first."""

    letter: str
    width: float
    percent: bool = False
    fills: tuple = ()


def render_rows(rows: Iterable[list], columns: list[Column], styles: CellStyles, quote_starts: tuple) -> bytes:
    """The `<row>` elements of `rows` (lists of cell values: str, int, float, date, datetime or None), one per
    line, numbered by `ROW_MARK`. A row is as tall as its most wrapped cell (LibreOffice and WPS do not grow a row
    themselves). Text that begins like a formula is written as text with the quote prefix: it stays text.
    Characters a workbook cannot hold (NUL, other control characters) are dropped.

    A cell's XML depends on its column and value only (the row number is the placeholder), so each column renders
    a value once: a submission's 系, file, posts and dates repeat on every row."""
    out: list[str] = []
    cells_of = [_CellWriter(c, styles, quote_starts) for c in columns]
    for values in rows:
        cells = []
        lines = 1
        for writer, value in zip(cells_of, values):
            try:
                cell, wrapped = writer.seen[(value.__class__, value)]
            except KeyError:
                cell, wrapped = writer.seen[(value.__class__, value)] = writer.cell(value)
            except TypeError:  # unhashable: rendered as it comes
                cell, wrapped = writer.cell(value)
            if cell:
                cells.append(cell)
                if wrapped > lines:
                    lines = wrapped
        height = f' ht="{row_height(lines)}" customHeight="1"' if lines > 1 else ""
        out.append(f'<row r="\x00"{height}>{"".join(cells)}</row>')
    return "\n".join(out).encode("utf-8", "replace")  # a lone surrogate (a mis-decoded file) becomes "?"


class _CellWriter:
    """One column's cells: each value's `<c>` element (or "" for none) and the lines it wraps to, kept by value."""

    def __init__(self, col: Column, styles: CellStyles, quote_starts: tuple):
        self.col, self.styles, self.quote_starts = col, styles, quote_starts
        self.start = f'<c r="{col.letter}\x00" s="'
        self.usable = max(col.width * WRAP_FACTOR - 1, 1)  # as wrapped_lines counts
        self.fits = self.usable / 2  # this many characters fit on a line whatever they are
        self.seen: dict = {}

    def cell(self, value) -> tuple[str, int]:
        col, styles, start, quote_starts = self.col, self.styles, self.start, self.quote_starts
        plain, quoted = styles.plain, styles.quoted
        fill = None
        if col.fills:
            shown = "" if value is None else str(value)
            fill = next((f for prefix, f in col.fills if shown.startswith(prefix)), None)
        if value is None or value == "":
            return (f'{start}{plain[fill]}"/>' if fill is not None else "", 1)
        if type(value) is str:
            # a control character at either end would hide the spaces that decide xml:space
            if (value[0] < " " or value[-1] < " ") and ILLEGAL_CHARACTERS.search(value):
                value = ILLEGAL_CHARACTERS.sub("", value)
                if not value:
                    return "", 1
            style = (quoted if value.startswith(quote_starts) else plain)[fill]
            preserve = ' xml:space="preserve"' if value[0].isspace() or value[-1].isspace() else ""
            lines = 1
            if "\n" in value or (len(value) > self.fits and text_width(value) > self.usable):
                lines = wrapped_lines(value, col.width)
            return f'{start}{style}" t="inlineStr"><is><t{preserve}>{_text(value)}</t></is></c>', lines
        if isinstance(value, (date, datetime)) and FIRST_DAY <= value.timetuple()[:3] <= LAST_DAY:
            return f'{start}{styles.dated[fill]}"><v>{_serial(value)}</v></c>', 1
        if isinstance(value, (date, datetime)):  # a day Excel cannot show as a date: as its text
            return f'{start}{plain[fill]}" t="inlineStr"><is><t>{value.isoformat()}</t></is></c>', 1
        if isinstance(value, (int, float)) and not isinstance(value, bool) and -1e15 < value < 1e15:
            # (a comparison, never a conversion: an int of 400 digits or NaN is written as its text below)
            style = (styles.percent if col.percent else plain)[fill]
            return f'{start}{style}"><v>{value!r}</v></c>', 1
        text = _as_text(value)  # anything else (a non-finite or huge number included) as its text
        style = (quoted if text.startswith(quote_starts) else plain)[fill]
        return f'{start}{style}" t="inlineStr"><is><t>{_text(text)}</t></is></c>', 1


def _as_text(value) -> str:
    try:
        return str(value)
    except ValueError:  # an int past Python's 4,300-digit limit for str()
        return "（数字过长）"


def header_row(labels: list[str], styles: CellStyles) -> bytes:
    """Row 1: the column labels in the header style."""
    cells = "".join(f'<c r="{column_letter(i + 1)}1" s="{styles.head}" t="inlineStr"><is><t>{_text(label)}</t></is></c>'
                    for i, label in enumerate(labels))
    return f'<row r="1">{cells}</row>'.encode("utf-8", "replace")


def numbered(blocks: Iterable[bytes], first: int = 2) -> Iterator[bytes]:
    """The rows of rendered blocks, numbered from `first` on, in pieces of a block each."""
    n = first
    for block in blocks:
        if not block:
            continue
        rows = block.split(b"\n")
        pieces = []
        for row in rows:
            pieces.append(row.replace(ROW_MARK, str(n).encode()))
            n += 1
        yield b"".join(pieces)


@dataclass
class SheetRows:
    """What goes into one worksheet's `<sheetData>`: the header row, then the numbered blocks."""

    header: bytes
    blocks: Iterable[bytes]
    last_row: int  # 1 + the number of data rows
    last_column: int  # 0-based


_SHEET_DATA = re.compile(rb"<sheetData\s*/>|<sheetData>\s*</sheetData>")
_DIMENSION = re.compile(rb'<dimension ref="[^"]*"\s*/>')


def splice(skeleton: Path, out: Path, sheets: dict[int, SheetRows], level: int = 1) -> None:
    """Write to `out` the xlsx at `skeleton` (as xlsxwriter wrote it, every listed worksheet without rows) with
    each worksheet N's (1-based, in the order they were added) rows put in. Other members are copied as they are;
    the worksheets are streamed, compressed at `level` (a 60,000-row sheet is tens of MB of XML)."""
    with zipfile.ZipFile(skeleton) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as dst:
        for info in src.infolist():
            data = src.read(info)
            number = _worksheet_number(info.filename)
            if number not in sheets:
                dst.writestr(info, data)
                continue
            rows = sheets[number]
            found = _SHEET_DATA.search(data)
            if found is None:
                raise ValueError(f"{info.filename}: no empty <sheetData> to fill")
            head, tail = data[: found.start()], data[found.end():]
            ref = f"A1:{column_letter(rows.last_column + 1)}{rows.last_row}".encode()
            head = _DIMENSION.sub(b'<dimension ref="' + ref + b'"/>', head, count=1)
            with dst.open(info.filename, "w") as member:  # no Zip64: some readers refuse it; sheets stay far below 4 GiB
                member.write(head + b"<sheetData>" + rows.header)
                for block in rows.blocks:
                    member.write(block)
                member.write(b"</sheetData>" + tail)


def _worksheet_number(name: str) -> int | None:
    m = re.fullmatch(r"xl/worksheets/sheet(\d+)\.xml", name)
    return int(m.group(1)) if m else None
