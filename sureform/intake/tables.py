"""Finding a table inside a sheet: the header row below title rows, its columns by synonym, its data rows."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from sureform.intake.grid import Grid, column_letter
from sureform.intake.labels import clean_text, label_key
from sureform.intake.values import is_blank


@dataclass(frozen=True)
class FieldSpec:
    key: str  # English identifier used in code and in the master store
    label: str  # canonical Chinese label shown to people
    synonyms: tuple[str, ...] = ()
    required: bool = False  # the column must exist
    mandatory: bool = False  # the value must not be blank

    @cached_property
    def keys(self) -> set[str]:
        return {label_key(s) for s in (self.label, *self.synonyms)}


@dataclass
class Header:
    sheet: str
    row: int  # Excel row of the (lowest) header row
    columns: dict[str, int]  # field key -> 1-based column
    ignored: list[tuple[str, str]] = field(default_factory=list)  # (cell, label) of duplicated headers

    def letter(self, key: str) -> str | None:
        col = self.columns.get(key)
        return column_letter(col) if col else None

    def letters(self) -> dict[str, str | None]:
        """{field key: column letter}, one dict for every row read under this header (records share it: a
        batch of 60,000 rows would otherwise hold 60,000 copies). Never change it per record."""
        cached = self.__dict__.get("_letters")
        if cached is None or cached.keys() != self.columns.keys():
            cached = self.__dict__["_letters"] = {k: self.letter(k) for k in self.columns}
        return cached


@dataclass
class RawRow:
    sheet: str
    row: int  # Excel row number
    values: dict[str, object]  # field key -> raw cell value
    formula_blank: set[str] = field(default_factory=set)  # keys whose cell is a formula without a value
    formula_zero: set[str] = field(default_factory=set)  # keys whose formula's saved result is 0


SCAN_ROWS = 30


_INDEXES: dict[tuple[int, ...], dict[str, FieldSpec]] = {}


def field_index(specs: list[FieldSpec]) -> dict[str, FieldSpec]:
    """label key -> field, the first field in `specs` winning; built once per list of fields."""
    ident = tuple(map(id, specs))
    index = _INDEXES.get(ident)
    if index is None:
        index = {}
        for spec in specs:
            for k in spec.keys:
                index.setdefault(k, spec)
        _INDEXES[ident] = index
    return index


def match_field(label, specs: list[FieldSpec]) -> FieldSpec | None:
    if not isinstance(label, str) or not label:  # header labels are text; numbers and dates are data
        return None
    return field_index(specs).get(label_key(label))


def find_header(grid: Grid, specs: list[FieldSpec], min_matches: int = 2) -> Header | None:
    """The row whose labels match most fields, two-row headers allowed: among the first SCAN_ROWS rows, else
    anywhere in the sheet's used range (a header below a long preamble is found too)."""
    if len(reachable_fields(grid, specs)) < min_matches:
        return None  # fewer of these fields named anywhere on the sheet than a header needs: no row has them
    best = _best_header(grid, specs, min_matches, 1, SCAN_ROWS)
    if best is None and grid.height > SCAN_ROWS:
        best = _best_header(grid, specs, min_matches, SCAN_ROWS + 1, grid.height)
    return best


def reachable_fields(grid: Grid, specs: list[FieldSpec]) -> set[str]:
    """The keys of the fields among `specs` that some text cell of the sheet names, alone or joined to the label
    above it: every header `find_header` can find is made of these (a cheap test before searching row by row)."""
    named = sheet_label_keys(grid)
    return {spec.key for k, spec in field_index(specs).items() if k in named}


def sheet_label_keys(grid: Grid) -> frozenset[str]:
    """Every label key of the sheet's text cells, alone and joined to the label above: computed once per sheet,
    so that each kind's detector asks a set rather than scanning every cell."""
    named = grid.derived.get("sheet_label_keys")
    if named is None:
        named = grid.derived["sheet_label_keys"] = frozenset(
            k for row in label_keys(grid, grid.height) for _, here, joined in row for k in (here, joined) if k)
    return named


def _best_header(grid: Grid, specs: list[FieldSpec], min_matches: int, first: int, last: int) -> Header | None:
    index = field_index(specs)
    best: Header | None = None
    best_score = 0
    keys = label_keys(grid, last)
    for r in range(first, min(last, len(keys)) + 1):
        cells = keys[r - 1]
        columns: dict[str, int] = {}
        ignored: list[tuple[str, str]] = []
        for c, here, joined in cells:
            spec = index.get(here) or (index.get(joined) if joined else None)
            if spec is None:
                continue
            if spec.key in columns:
                ignored.append((f"{column_letter(c)}{r}", spec.label))
                continue
            columns[spec.key] = c
        score = len(columns)
        if score >= min_matches and score >= best_score:
            # prefer the lower row of a two-row header when it matches at least as much
            best, best_score = Header(grid.name, r, columns, ignored), score
    return best


def label_keys(grid: Grid, upto: int = SCAN_ROWS) -> list[list[tuple[int, str, str | None]]]:
    """Per row up to `upto`: (column, label key, key of the label above joined to it) of each text cell.
    Computed once per sheet and row, since every kind's detector looks for its header here."""
    keys = grid.derived.setdefault("label_keys", [])
    if len(keys) < min(grid.height, upto):
        cleaned: dict[str, str] = {}  # clean_text of each text met: a cell is read again as the label above
        for r in range(len(keys) + 1, min(grid.height, upto) + 1):
            row = []
            above_row = grid.rows[r - 2] if r > 1 else []
            for c, value in enumerate(grid.rows[r - 1], 1):
                if not isinstance(value, str) or not value.strip():
                    continue  # an empty or non-text cell is never a header label
                above = above_row[c - 1] if c <= len(above_row) else ""
                joined = None
                if not is_blank(above):
                    joined = label_key(_cleaned(above, cleaned) + _cleaned(value, cleaned))
                row.append((c, label_key(value), joined))
            keys.append(row)
        grid.derived["label_keys"] = keys
    return keys


def _cleaned(value, memo: dict[str, str]) -> str:
    if not isinstance(value, str):
        return clean_text(value)
    text = memo.get(value)
    if text is None:
        text = memo[value] = clean_text(value)
    return text


def data_rows(grid: Grid, header: Header) -> list[RawRow]:
    """Rows under the header that carry data; blank rows, notes and repeated headers are skipped."""
    out = []
    header_labels = {c: label_key(grid.value(header.row, c)) for c in header.columns.values()}
    for r in range(header.row + 1, grid.height + 1):
        values = {key: grid.value(r, c) for key, c in header.columns.items()}
        filled = [k for k, v in values.items() if not is_blank(v)]
        blanks = ({k for k, c in header.columns.items() if (r, c) in grid.formula_without_value}
                  if grid.formula_without_value else set())
        if not filled and not blanks:
            continue
        if len(filled) == 1 and _is_note(grid, r):
            continue
        if all(label_key(values[k]) == header_labels[header.columns[k]] for k in filled):
            continue  # a header repeated on a printed page
        zeros = ({k for k, c in header.columns.items() if (r, c) in grid.formula_cached_zero}
                 if grid.formula_cached_zero else set())
        out.append(RawRow(grid.name, r, values, blanks, zeros))
    return out


def _is_note(grid: Grid, r: int) -> bool:
    """A single long text in a row, such as 填表说明：… or 制表人：…, is not a person."""
    texts = [v for v in (grid.rows[r - 1] if r <= grid.height else []) if not is_blank(v)]
    if len(texts) != 1 or not isinstance(texts[0], str):
        return False
    s = texts[0]
    return len(s) > 12 or any(w in s for w in ("说明", "备注", "注：", "注:", "制表", "填表", "审核人", "签字", "盖章"))
