"""The 备案表 form as its edition lays it out, shared by both documents: title, the ★/▲ legend, the organisation
line, the header fields (2021 on), the 校级 table and one (二) table per 二级 organisation (each 院系 union),
the 院系 that sent nothing. The 2020 edition declares no tables: one untitled `项目 | 验收结论 | 备注` table."""
from __future__ import annotations

import logging
import re

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm, Pt

from sureform.editions import Catalogue, CatalogueItem, EditionTable, load_catalogue
from sureform.model import (VERDICT_FAIL, VERDICT_PASS, VERDICT_PENDING, DocumentInputs, ItemVerdict,
                            UnitOrganisation)
from sureform.intake.values import parse_yes_no
from sureform.outputs.documents import style
from sureform.outputs.documents.wording import (CHECKED, HEADER_LINE, MISSING_VERDICT_NOTE, ORG_NAME_LABEL,
                                                UNCHECKED, UNIT_TABLE_TITLE, UNITS_MISSING, UNITS_NONE, YES_NO)

log = logging.getLogger(__name__)

# label | sub-item text | conclusion | note; label and text merge for items without sub-rows
COLUMN_WIDTHS = [Mm(24), Mm(74), Mm(22), Mm(36)]
DEFAULT_COLUMNS = ["项目", "验收结论", "备注"]
DEFAULT_LABELS = [VERDICT_PASS, VERDICT_FAIL]


def conclusion_lines(verdict: str, labels=DEFAULT_LABELS) -> list[str]:
    """`☑达标`/`□未达标` (one line each, as the seed prints them); 待补充 leaves both boxes empty."""
    passed, failed = labels
    if verdict == VERDICT_PASS:
        marks = (CHECKED, UNCHECKED)
    elif verdict == VERDICT_FAIL:
        marks = (UNCHECKED, CHECKED)
    elif verdict == VERDICT_PENDING:
        marks = (UNCHECKED, UNCHECKED)
    else:
        raise ValueError(f"unknown verdict {verdict!r}; expected {VERDICT_PASS}, {VERDICT_FAIL} or {VERDICT_PENDING}")
    return [marks[0] + passed, marks[1] + failed]


def conclusion_text(verdict: str, labels=DEFAULT_LABELS) -> str:
    """The conclusion on one line: `☑达标 □未达标`."""
    return " ".join(conclusion_lines(verdict, labels))


def org_type_line(school_name: str, org_type: str, org_types) -> str:
    """`组织名称：<school> ☑学生会□研究生会`."""
    if org_type not in org_types:
        raise ValueError(f"unknown organisation type {org_type!r}; expected one of {', '.join(org_types)}")
    boxes = "".join((CHECKED if kind == org_type else UNCHECKED) + kind for kind in org_types)
    return f"{ORG_NAME_LABEL}{school_name} {boxes}"


def note_for(item: CatalogueItem, verdict: ItemVerdict) -> str:
    """备注: the verdict's note; failing that, the catalogue's format of the actual figure."""
    if verdict.note:
        return verdict.note
    if item.actual_format and verdict.actual is not None:
        return item.actual_format.format(n=verdict.actual, date=verdict.actual)
    return ""


NUMBERED = re.compile(r"^\s*\d+[a-z]?\s*[.．、]")


def item_text(item: CatalogueItem) -> str:
    """The item as printed: 2020's texts carry their own number ("1. 坚持…"; 3a–3c sit under their group);
    later editions' do not, and get "{mark}{id}. {text}" (★ core, ▲ observation before the number)."""
    if item.group or NUMBERED.match(item.text):
        return f"{item.mark}{item.text}"
    return f"{item.mark}{item.id}. {item.text}"


VerdictKey = tuple[str, str | None, str]  # (table, 院系 or None, item id)


def verdicts_by_key(cat: Catalogue, verdicts: list[ItemVerdict],
                    units: list[str] = ()) -> dict[VerdictKey, ItemVerdict]:
    """One verdict per item of each table (per 院系 for a per-unit table); a missing one becomes 待补充, an item
    the edition does not have is an error. Per-unit tables are filled for `units` and every 院系 a verdict names."""
    tables = {t.id: t for t in cat.tables}
    known = {(item.table, item.id) for item in cat.items}
    found: dict[VerdictKey, ItemVerdict] = {}
    units = list(units)
    listed = set(units)
    for verdict in verdicts:
        if (verdict.table, verdict.id) not in known:
            raise ValueError(f"verdict for unknown item {verdict.id!r} of table {verdict.table} (edition {cat.edition})")
        per_unit = tables[verdict.table].per_unit
        unit = verdict.unit if per_unit else None
        if per_unit and not unit:
            raise ValueError(f"verdict for item {verdict.id!r} of the per-unit table {verdict.table} names no 院系")
        key = (verdict.table, unit, verdict.id)
        if key in found:
            raise ValueError(f"two verdicts for item {verdict.id!r}" + (f" of {unit}" if unit else ""))
        found[key] = verdict
        if unit and unit not in listed:
            units.append(unit)
            listed.add(unit)
    for item in cat.items:
        for unit in (units if tables[item.table].per_unit else [None]):
            key = (item.table, unit, item.id)
            if key not in found:
                log.warning("%s第 %s 项没有结论，备案表中写作“%s”", f"{unit}的" if unit else "", item.id,
                            VERDICT_PENDING)
                found[key] = ItemVerdict(id=item.id, verdict=VERDICT_PENDING, note=MISSING_VERDICT_NOTE,
                                         table=item.table, unit=unit, mark=item.mark)
    return found


def verdicts_by_id(cat: Catalogue, verdicts: list[ItemVerdict]) -> dict[str, ItemVerdict]:
    """The 校级 table's verdicts by item id (see `verdicts_by_key`)."""
    return {item_id: v for (table, unit, item_id), v in verdicts_by_key(cat, verdicts).items()
            if unit is None and table == cat.tables[0].id}


def _row_groups(items) -> list[tuple[str | None, list[CatalogueItem]]]:
    """Consecutive items sharing a group form one block (item 3's three sub-rows)."""
    groups: list[tuple[str | None, list[CatalogueItem]]] = []
    for item in items:
        if item.group and groups and groups[-1][0] == item.group:
            groups[-1][1].append(item)
        else:
            groups.append((item.group, [item]))
    return groups


def header_lines(cat: Catalogue, header: dict) -> list[str]:
    """The edition's header fields as printed under 组织名称: a count, ☑是□否 from the value, a link."""
    lines = []
    for field in cat.header_fields:
        value = header.get(field.key)
        if field.key == "reviewed":
            answer = value if isinstance(value, bool) or value is None else parse_yes_no(value)[0]
            text = "".join((CHECKED if answer is (label == YES_NO[0]) else UNCHECKED) + label for label in YES_NO)
        else:
            text = "" if value is None else str(value)
        lines.append(HEADER_LINE.format(label=field.label, value=text))
    return lines


def _paragraph(doc, text: str, font: str, size, align=None, space_after=None):
    para = style.add_styled(doc, style.BODY_STYLE)
    para.paragraph_format.first_line_indent = Pt(0)
    if align is not None:
        para.alignment = align
    if space_after is not None:
        para.paragraph_format.space_after = space_after
    style.set_run_font(para.add_run(text), font, size)
    return para


def add_table_title(doc, text: str):
    """A table's heading (校级学生会组织情况, （二）… 改革自评表（机电工程系学生会）): centred, 黑体."""
    para = _paragraph(doc, text, style.HEADING_FONT, style.SIZE_4, align=WD_ALIGN_PARAGRAPH.CENTER, space_after=Pt(4))
    para.paragraph_format.keep_with_next = True
    para.paragraph_format.space_before = Pt(6)
    return para


def add_item_table(doc, table_def: EditionTable, items, verdicts: dict[str, ItemVerdict], labels):
    """The bordered `项目 | 结论 | 备注` table of `items`; `verdicts` by item id. Its rows are written as XML with
    their spans in place (`style.append_rows`): linear in the items, whatever the size of the document."""
    table = style.new_table(doc, rows=0, widths=COLUMN_WIDTHS)
    center = WD_ALIGN_PARAGRAPH.CENTER
    rows = [[style.CellSpec(text, span, font=style.TABLE_HEADER_FONT, align=center)
             for text, span in zip(table_def.columns, (2, 1, 1))]]
    keep: set[int] = set()
    for group, members in _row_groups(items):
        merged = bool(group) and len(members) > 1
        for n, item in enumerate(members):
            verdict = verdicts[item.id]
            ending = [style.CellSpec(conclusion_lines(verdict.verdict, labels), align=center),
                      style.CellSpec(note_for(item, verdict))]
            if merged:  # item 3's sub-rows: the group's label spans them, each sub-item its own text
                label = style.CellSpec(group, vmerge="restart") if n == 0 else style.CellSpec(vmerge="continue")
                rows.append([label, style.CellSpec(f"{item.mark}{item.text}"), *ending])
                if n < len(members) - 1:  # a merged group never splits across pages: keep with the next row
                    keep.add(len(rows) - 1)
            else:
                text = item_text(item) if not group else f"{group} {item.mark}{item.text}"
                rows.append([style.CellSpec(text, span=2), *ending])
    style.append_rows(table, rows, header_rows=1, keep_next=keep)
    return table


def unit_organisations(inputs: DocumentInputs) -> list[UnitOrganisation]:
    """The 二级 organisations to print: the inputs' own, then any 院系 a verdict names that they lack."""
    units = list(inputs.units)
    names = {u.unit for u in units}
    for verdict in inputs.verdicts:
        if verdict.unit and verdict.unit not in names:
            units.append(UnitOrganisation(verdict.unit))
            names.add(verdict.unit)
    return units


LEGEND_BREAK = re.compile(r"(?<=[；;])")  # the legend's clauses: one line each, so no line holds only its end


def legend_lines(legend: str) -> list[str]:
    """The ★/▲ legend one clause a line (`标注“★”为核心指标；` / `标注“▲”为观测指标，…`): a legend that wraps
    by itself leaves its last characters (`求。`) alone on a line in Word's 仿宋."""
    return [part for part in LEGEND_BREAK.split(legend.strip()) if part.strip()]


def add_form(doc, inputs: DocumentInputs, title_size=style.SIZE_2, cat: Catalogue | None = None,
             title: bool = True):
    """Title (unless `title` is False: the heading above already says it), legend, organisation line, header
    fields and the edition's tables; returns the first table. A per-unit table the edition has no items for is
    left out (the document is then a draft: `filing.draft_mark`)."""
    cat = cat or load_catalogue(inputs.edition)
    labels = list(cat.verdict_labels)
    org_types = list(cat.vocabulary.get("org_types", ["学生会", "研究生会"]))
    units = unit_organisations(inputs)
    verdicts = verdicts_by_key(cat, inputs.verdicts, [u.unit for u in units])

    if title:
        style.add_title(doc, cat.title, size=title_size)
    for line in legend_lines(cat.legend):
        _paragraph(doc, line, style.BODY_FONT, style.SIZE_S4, align=WD_ALIGN_PARAGRAPH.LEFT)
    org_line = style.add_body(doc, org_type_line(inputs.school_name, inputs.org_type, org_types), indent=False)
    org_line.paragraph_format.space_after = Pt(6)
    for line in header_lines(cat, inputs.header):
        org_line = style.add_body(doc, line, indent=False)
        org_line.paragraph_format.space_after = Pt(6)

    by_table: dict[tuple[str, str | None], dict[str, ItemVerdict]] = {}  # grouped once: linear in the units
    for (table_id, unit, item_id), verdict in verdicts.items():
        by_table.setdefault((table_id, unit), {})[item_id] = verdict
    first = None
    for table_def in cat.tables:
        items = cat.items_of(table_def.id)
        if not table_def.per_unit:
            if table_def.title:
                add_table_title(doc, table_def.title)
            table = add_item_table(doc, table_def, items, by_table.get((table_def.id, None), {}), labels)
            first = first or table
            continue
        if not items:
            continue  # nothing to print: the edition lacks the table's items (a draft says so in its header)
        if not units:
            add_table_title(doc, table_def.title)
            _paragraph(doc, UNITS_NONE, style.BODY_FONT, style.SIZE_S4)
        else:
            for unit in units:
                add_table_title(doc, UNIT_TABLE_TITLE.format(title=table_def.title, unit=unit.unit,
                                                             org_type=unit.org_type))
                add_item_table(doc, table_def, items, by_table.get((table_def.id, unit.unit), {}), labels)
        if inputs.units_missing:
            _paragraph(doc, UNITS_MISSING.format(units="、".join(inputs.units_missing)), style.BODY_FONT,
                       style.SIZE_S4).paragraph_format.space_before = Pt(6)
    return first
