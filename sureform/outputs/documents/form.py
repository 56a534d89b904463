"""The 备案表 form: organisation line and the `项目 | 验收结论 | 备注` table, shared by both documents."""
from __future__ import annotations

import logging

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm, Pt

from sureform.editions import Catalogue, CatalogueItem, load_catalogue
from sureform.model import VERDICT_FAIL, VERDICT_PASS, VERDICT_PENDING, DocumentInputs, ItemVerdict
from sureform.outputs.documents import style
from sureform.outputs.documents.wording import CHECKED, MISSING_VERDICT_NOTE, ORG_NAME_LABEL, UNCHECKED

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


def verdicts_by_id(cat: Catalogue, verdicts: list[ItemVerdict]) -> dict[str, ItemVerdict]:
    """One verdict per catalogue item; a missing one becomes 待补充, an unknown id is an error."""
    known = {item.id for item in cat.items}
    found: dict[str, ItemVerdict] = {}
    for verdict in verdicts:
        if verdict.id not in known:
            raise ValueError(f"verdict for unknown item {verdict.id!r} (edition {cat.edition})")
        if verdict.id in found:
            raise ValueError(f"two verdicts for item {verdict.id!r}")
        found[verdict.id] = verdict
    for item in cat.items:
        if item.id not in found:
            log.warning("no verdict for item %s; the form shows it as %s", item.id, VERDICT_PENDING)
            found[item.id] = ItemVerdict(id=item.id, verdict=VERDICT_PENDING, note=MISSING_VERDICT_NOTE)
    return found


def _row_groups(items) -> list[tuple[str | None, list[CatalogueItem]]]:
    """Consecutive items sharing a group form one block (item 3's three sub-rows)."""
    groups: list[tuple[str | None, list[CatalogueItem]]] = []
    for item in items:
        if item.group and groups and groups[-1][0] == item.group:
            groups[-1][1].append(item)
        else:
            groups.append((item.group, [item]))
    return groups


def add_form(doc, inputs: DocumentInputs, title_size=style.SIZE_2, cat: Catalogue | None = None):
    """Title, organisation line and the bordered item table; returns the table."""
    cat = cat or load_catalogue(inputs.edition)
    raw = cat.raw or {}
    columns = list(raw.get("columns", DEFAULT_COLUMNS))
    labels = list(raw.get("verdict_labels", DEFAULT_LABELS))
    org_types = list(cat.vocabulary.get("org_types", ["学生会", "研究生会"]))
    verdicts = verdicts_by_id(cat, inputs.verdicts)

    style.add_title(doc, cat.title, size=title_size)
    org_line = style.add_body(doc, org_type_line(inputs.school_name, inputs.org_type, org_types), indent=False)
    org_line.paragraph_format.space_after = Pt(6)

    groups = _row_groups(cat.items)
    table = style.new_table(doc, rows=1 + sum(len(members) for _, members in groups), widths=COLUMN_WIDTHS)
    header = table.rows[0].cells
    header[0].merge(header[1])
    center = WD_ALIGN_PARAGRAPH.CENTER
    for cell, text in ((header[0], columns[0]), (header[2], columns[1]), (header[3], columns[2])):
        style.write_cell(cell, text, font=style.TABLE_HEADER_FONT, align=center)

    row_index = 1
    for group, members in groups:
        rows = table.rows[row_index : row_index + len(members)]
        if group and len(members) > 1:
            label = rows[0].cells[0].merge(rows[-1].cells[0])
            style.write_cell(label, group)
            for row, item in zip(rows, members):
                style.write_cell(row.cells[1], item.text)
        else:
            cells = rows[0].cells
            style.write_cell(cells[0].merge(cells[1]), members[0].text if not group else f"{group} {members[0].text}")
        for row, item in zip(rows, members):
            verdict = verdicts[item.id]
            style.write_cell(row.cells[2], conclusion_lines(verdict.verdict, labels), align=center)
            style.write_cell(row.cells[3], note_for(item, verdict))
        row_index += len(members)
    style.repeat_header_and_keep_rows(table)
    return table
