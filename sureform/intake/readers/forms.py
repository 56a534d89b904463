"""Reading a form: label cells with their value to the right, anywhere on a sheet.

A value sits in the first non-blank cell right of its label; when another label (or the sheet's
edge) stands right beside the label, a row of labels is over a row of values and the value is below.

A label is matched by `label_key` (full-width, spaces, bracketed notes and colons ignored); a cell
`学号：2019010101` holds its label and value together. Merged label cells (filled across their
range by the grid reader) count once. A bare 日期/时间 label belongs to the step whose label comes
just before it in reading order (left to right, top to bottom).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from sureform.intake.grid import Grid, column_letter
from sureform.intake.labels import clean_text, label_key
from sureform.intake.tables import FieldSpec, field_index, label_keys
from sureform.intake.values import is_blank

BARE_DATE_LABELS = {"日期", "时间", "签字日期", "盖章日期", "审核日期", "签章日期", "年月日"}
# words printed in a form that are neither a fact nor its value: they only end a label's search
NOISE_LABELS = {"签字", "盖章", "签章", "签名", "签字盖章", "负责人签字", "本人签字", "负责人", "公章"}
NOISE = "~noise"
FORM_ROWS, FORM_COLS = 80, 30  # a form is a page or two: a long table below it is not searched for labels
_INLINE = re.compile(r"^([^:：]{1,20})[:：]\s*(.+)$", re.S)


@dataclass
class Fact:
    """A value found on a sheet: the raw cell content and its 1-based coordinates."""

    raw: object
    row: int
    col: int

    @property
    def cell(self) -> str:
        return f"{column_letter(self.col)}{self.row}"


@dataclass
class _Label:
    key: str | None  # field key, None for a bare date label, NOISE for printed words such as 签字
    row: int
    col: int
    inline: object = None  # the value written in the label cell itself


def _match(text, specs: list[FieldSpec]) -> str | None | bool:
    """The field key a label text names, None for a bare date label, False for no label."""
    k = label_key(text)
    if not k:
        return False
    for spec in specs:
        if k in spec.keys:
            return spec.key
    if k in BARE_DATE_LABELS:
        return None
    if k in NOISE_LABELS:
        return NOISE
    return False


def reachable_labels(grid: Grid, specs: list[FieldSpec]) -> set[str]:
    """The keys of the fields among `specs` whose label some cell of the form area shows, alone or before a
    colon: every label `find_labels` can find names one of these (a cheap test before reading a form)."""
    shown = _form_label_keys(grid)
    return {spec.key for k, spec in field_index(specs).items() if k in shown}


def _form_label_keys(grid: Grid) -> frozenset[str]:
    """Label keys of the form area's text cells and of the labels written before a colon inside a cell; once a
    sheet. Only a cell with a colon, or one that NFKC changes (it might gain a colon), can hold an inline label."""
    shown = grid.derived.get("form_label_keys")
    if shown is None:
        keys = {here for row in label_keys(grid, FORM_ROWS) for c, here, _ in row if c <= FORM_COLS}
        for row in grid.rows[:FORM_ROWS]:
            for v in row[:FORM_COLS]:
                if isinstance(v, str) and (":" in v or "：" in v or not unicodedata.is_normalized("NFKC", v)):
                    m = _INLINE.match(clean_text(v))
                    if m:
                        keys.add(label_key(m.group(1)))
        shown = grid.derived["form_label_keys"] = frozenset(keys)
    return shown


def find_labels(grid: Grid, specs: list[FieldSpec]) -> list[_Label]:
    """Every label cell of a sheet's form area in reading order (merged duplicates dropped)."""
    out = []
    for r in range(1, min(grid.height, FORM_ROWS) + 1):
        for c in range(1, min(grid.width, FORM_COLS) + 1):
            v = grid.value(r, c)
            if is_blank(v) or not isinstance(v, str):
                continue
            if c > 1 and grid.value(r, c - 1) == v:
                continue  # the rest of a label merged across
            key = _match(v, specs)
            if key is not False:
                if key not in (None, NOISE) and r > 1 and grid.value(r - 1, c) == v:
                    continue  # the rest of a label merged down (a 日期 repeated row after row is not one)
                out.append(_Label(key, r, c))
                continue
            m = _INLINE.match(clean_text(v))
            if m:
                key = _match(m.group(1), specs)
                if key is not False:
                    out.append(_Label(key, r, c, inline=m.group(2).strip()))
    return out


def read_form(grid: Grid, specs: list[FieldSpec], step_dates: dict[str, str]) -> tuple[dict[str, Fact], dict[str, Fact]]:
    """(facts found, blank value cells of labels present) by field key.

    `step_dates` maps a step's result key to its date key, to place bare 日期 labels.
    """
    labels = find_labels(grid, specs)
    at = {(lb.row, lb.col) for lb in labels}
    facts: dict[str, Fact] = {}
    blanks: dict[str, Fact] = {}
    last_step: str | None = None
    for lb in labels:
        key = lb.key
        if key == NOISE:
            continue
        if key is None:
            key = step_dates.get(last_step) if last_step else None
            if key is None or key in facts:
                continue
        elif key in step_dates:
            last_step = key
        if key in facts:
            continue
        fact = Fact(lb.inline, lb.row, lb.col) if lb.inline is not None else _value_beside(grid, lb, at)
        if is_blank(fact.raw):
            blanks.setdefault(key, fact)
        else:
            facts[key] = fact
            blanks.pop(key, None)
    return facts, blanks


def _value_beside(grid: Grid, lb: _Label, labels: set[tuple[int, int]]) -> Fact:
    """The first non-blank cell right of the label in its row; else, when the label has another label (or
    the sheet's edge) beside it, the cell below; else a blank Fact at the cell where the value belongs."""
    label = grid.value(lb.row, lb.col)
    c = lb.col + 1
    while c <= grid.width and grid.value(lb.row, c) == label:
        c += 1  # merged label
    first_right = c
    while c <= grid.width:
        if (lb.row, c) in labels:
            break
        v = grid.value(lb.row, c)
        if not is_blank(v):
            return Fact(v, lb.row, c)
        c += 1
    beside_is_label = first_right > grid.width or (lb.row, first_right) in labels
    r = lb.row + 1
    while r <= grid.height and grid.value(r, lb.col) == label:
        r += 1  # merged label
    if beside_is_label and r <= grid.height and (r, lb.col) not in labels and not is_blank(grid.value(r, lb.col)):
        return Fact(grid.value(r, lb.col), r, lb.col)  # a row of labels over a row of values
    if (lb.row, first_right) not in labels:
        return Fact("", lb.row, first_right)  # where the value should have been written
    return Fact("", lb.row, lb.col)
