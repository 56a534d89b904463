"""Inert text out: what any workbook sureform writes may hold, whatever the senders typed.

Every value goes through `clean` (characters a workbook cannot hold, such as NUL or \\x1a from an older master,
are dropped instead of failing the whole export), and every workbook is saved through `save_workbook`, which
turns any cell that would be a formula, or any text that begins with = + - @ tab or CR (OWASP's list for formula
injection), into plain text marked as such (Excel's quote prefix: it stays text when the cell is edited). The
sender's own workbook keeps its formatting; its formulas come back as the values they showed, never live.
"""
from __future__ import annotations

import re
from pathlib import Path

from sureform.atomic import Access, atomic_path

# One colour language for everything a person reads (feedback workbooks, 汇总.xlsx, 进度.html): the fill of a
# severity and of a state, as ARGB. 错误 red (the file is not accepted), 问题 orange (accepted, but it fails a reform
# requirement), 提示 yellow (for information only); a good state green, a missing one grey.
SEVERITY_FILL = {"错误": "FFFFC7CE", "问题": "FFFCD5B4", "提示": "FFFFF2CC"}
STATE_FILL = {"good": "FFC6EFCE", "bad": "FFFFC7CE", "open": "FFFCD5B4", "missing": "FFEDEDED"}

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
ILLEGAL_CHARACTERS = re.compile(r"[\000-\010\013\014\016-\037]")  # as openpyxl's ILLEGAL_CHARACTERS_RE


def clean(value):
    """A value a workbook can hold: text without the control characters XML refuses; anything else as it is."""
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS.sub("", value)
    return value


def make_inert(wb) -> int:
    """Every formula cell and every text that starts like one becomes plain text; returns how many cells changed.
    External links and defined names (which can hold formulas, DDE included) are dropped."""
    changed = 0
    for ws in wb.worksheets:
        for cell in list(getattr(ws, "_cells", {}).values()):
            value = cell.value
            if cell.data_type == "f":
                text = value if isinstance(value, str) else getattr(value, "text", None) or str(value)
                cell.value = None
                cell.value = clean(text)
            elif not (isinstance(value, str) and value.startswith(FORMULA_START)):
                continue
            cell.data_type = "s"
            cell.quotePrefix = True
            changed += 1
        try:
            ws.defined_names.clear()
        except AttributeError:
            pass
    try:
        wb.defined_names.clear()
    except AttributeError:
        pass
    if getattr(wb, "_external_links", None):
        wb._external_links = []
    return changed


def save_workbook(wb, dest: Path, access: Access | None = None) -> Path:
    """`wb` made inert, then written atomically to `dest` (with `access`: who may read it, from the start)."""
    make_inert(wb)
    with atomic_path(dest, access) as tmp:
        wb.save(tmp)
    return dest
