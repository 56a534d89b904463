"""What every reader returns, and the shared step that turns raw cells into normalised values."""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from sureform.issues import Issue, Location, make_issue
from sureform.intake.tables import Header, RawRow


@dataclass
class FileRead:
    """One input file after reading and normalising, before batch validation."""

    path: Path
    rel: str  # path relative to the inbox, as the sender knows it
    kind: str | None = None
    unit: str | None = None
    records: list[dict] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    sha256: str = ""
    size: int = 0
    status: str = "pending"  # accepted | rejected | duplicate | reinstated | arriving (left in the inbox for later)
    received_at: str = ""
    stored_path: Path | None = None
    feedback: Path | None = None
    mtime_ns: int = 0  # as seen when it was scanned: the file is released only if it is still so
    twin_of: "FileRead | None" = None  # an earlier file of the same batch with the same bytes
    submission_id: int | None = None  # the master's submission of these bytes (a duplicate: the first one's)
    counted: tuple[int, dict[str, int]] | None = None  # (rows, rows per 机构信息 table) once the records are let go
    schema_checks: list | None = None  # a roster's schema issues as ((sheet, row), Issue), for consolidation
    rendered: list | None = None  # its rows on 汇总.xlsx's sheets, rendered where it was read (outputs.workbook)
    stored: list[str] | None = None  # its records as the store keeps them (store.record_json), made where read

    @property
    def rejected(self) -> bool:
        return any(i.severity == "error" for i in self.issues)

    def let_go_of_records(self) -> None:
        """Once committed, the records live in the master: keep only their counts (a batch of thousands of files
        would otherwise hold every row twice while the master is consolidated)."""
        if self.counted is None:
            self.counted = (len(self.records), self.parts)
        self.records = []
        self.stored = self.rendered = None

    @property
    def row_count(self) -> int:
        return self.counted[0] if self.counted is not None else len(self.records)

    @property
    def parts(self) -> dict[str, int]:
        """Rows per 机构信息 table, in the order they were read."""
        if self.counted is not None:
            return dict(self.counted[1])
        return dict(Counter(r["_table"] for r in self.records if r.get("_table")))


def share_texts(records: list[dict], longest: int = 24) -> None:
    """Each short text that repeats across records (a 院系, a post, a date) as one object: the records sent back
    from a reader process then hold one copy a file instead of one a row (pickle keeps what is shared)."""
    texts: dict[str, str] = {}
    for rec in records:
        for k, v in rec.items():
            if v.__class__ is str and len(v) <= longest:
                rec[k] = texts.setdefault(v, v)


def without_feedback_sheets(grids: list) -> list:
    """A feedback workbook dropped back in: the sheets sureform wrote into it (its marker names them, see
    `intake.grid.feedback_marks`) are not the sender's data. A sheet is never skipped for its name alone: a roster on
    a sheet the sender named 问题清单 is read."""
    own = [g for g in grids if g.own_feedback]
    return [g for g in grids if not g.own_feedback] if len(own) < len(grids) else grids


Parser = Callable[[object], tuple[object, str | None]]


def normalise_row(raw: RawRow, header: Header, parsers: dict[str, Parser], labels: dict[str, str], rel: str,
                  issues: list[Issue]) -> dict:
    """Apply each column's parser; a value that does not parse becomes None plus an error issue."""
    rec: dict = {"_sheet": raw.sheet, "_row": raw.row, "_cols": header.letters()}  # shared: never changed per row
    for key, value in raw.values.items():
        parser = parsers.get(key)
        if key in raw.formula_blank:
            issues.append(make_issue("formula-no-value", cell_location(rel, raw, header, key, labels)))
            rec[key] = None
            continue
        if key in raw.formula_zero:
            issues.append(make_issue("formula-cached-zero", cell_location(rel, raw, header, key, labels), value))
        if parser is None:
            rec[key] = value
            continue
        parsed, code = parser(value)
        rec[key] = parsed
        if code:
            issues.append(make_issue(code, cell_location(rel, raw, header, key, labels), value))
    return rec


def record_cell(rec: dict, key: str) -> str | None:
    """The cell a record's value came from: `_cells[key]` (forms), else its column letter and row (tables)."""
    cells = rec.get("_cells") or {}
    if cells.get(key):
        return cells[key]
    letter = (rec.get("_cols") or {}).get(key)
    row = rec.get("_row")
    return f"{letter}{row}" if letter and row else None


def record_location(file: str | None, rec: dict, key: str, label: str | None = None) -> Location:
    """Where a record's value sits; the row is the cell's own row (a form's values sit on many rows)."""
    cell = record_cell(rec, key)
    row = int(re.sub(r"^[A-Z]+", "", cell)) if cell else rec.get("_row")
    return Location(file, rec.get("_sheet"), row, label or key, cell)


def cell_location(rel: str, raw: RawRow | dict, header: Header | None, key: str, labels: dict[str, str]) -> Location:
    if isinstance(raw, dict):
        sheet, row, letter = raw["_sheet"], raw["_row"], raw["_cols"].get(key)
    else:
        sheet, row, letter = raw.sheet, raw.row, header.letter(key) if header else None
    return Location(rel, sheet, row, labels.get(key, key), f"{letter}{row}" if letter and row else None)
