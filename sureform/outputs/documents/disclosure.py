"""公开: `<college>学生会组织改革情况`, sections 一 to 八 in the seed's order."""
from __future__ import annotations

import io
import logging

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt

from sureform.editions import load_catalogue
from sureform.model import DocumentInputs
from sureform.outputs.documents import style
from sureform.outputs.documents.compose import append_document, new_composer
from sureform.outputs.documents.filing import draft_mark
from sureform.outputs.documents.form import add_form
from sureform.outputs.documents.orgchart import alt_text, draw_org_chart
from sureform.outputs.documents.wording import (
    MISSING_FIGURE,
    MISSING_PARTY_GUIDANCE,
    MISSING_RESPONSIBLE,
    OPENING,
    RESPONSIBLE_COLUMNS,
    SECTIONS,
    STAFF_COLUMNS,
    UNRANKED_FRESHMEN_NOTE,
    chinese_date,
    meeting_sentence,
    yes_no,
)

log = logging.getLogger(__name__)

ORG_CHART_WIDTH = Cm(15)
STAFF_WIDTHS = [Mm(20), Mm(20), Mm(20), Mm(26), Mm(26), Mm(22), Mm(22)]
RESPONSIBLE_WIDTHS = [Mm(14), Mm(50), Mm(26), Mm(34), Mm(32)]


def disclosure_title(inputs: DocumentInputs) -> str:
    cat = load_catalogue(inputs.edition)
    return inputs.school_name + cat.raw.get("disclosure_title_suffix", "学生会组织改革情况")


def section_heading(key: str, inputs: DocumentInputs) -> str:
    return SECTIONS[key].format(school=inputs.school_name, org_type=inputs.org_type)


def add_org_chart(doc, inputs: DocumentInputs) -> None:
    para = style.add_styled(doc, "Normal")
    para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    picture = para.add_run().add_picture(io.BytesIO(draw_org_chart(inputs.org_chart)), width=ORG_CHART_WIDTH)
    doc_pr = picture._inline.docPr
    doc_pr.set("name", "组织架构图")
    doc_pr.set("descr", alt_text(inputs.org_chart))


def add_staff_table(doc, inputs: DocumentInputs) -> None:
    """Section 四: one header row and one row of aggregates, never a per-student row."""
    unknown = sorted(set(inputs.disclosure) - set(STAFF_COLUMNS))
    if unknown:
        raise ValueError(f"section 四 takes only the seven aggregate figures; unexpected: {', '.join(unknown)}")
    table = style.new_table(doc, rows=2, widths=STAFF_WIDTHS)
    center = WD_ALIGN_PARAGRAPH.CENTER
    for column, key in enumerate(STAFF_COLUMNS):
        style.write_cell(table.cell(0, column), key, font=style.TABLE_HEADER_FONT, size=style.SIZE_5, align=center)
        value = inputs.disclosure.get(key)
        if value is None or str(value).strip() == "":
            log.debug("section 四 figure %s is missing; shown as %s", key, MISSING_FIGURE)
            value = MISSING_FIGURE
        style.write_cell(table.cell(1, column), str(value), size=style.SIZE_S4, align=center)
    style.repeat_header_and_keep_rows(table)
    if inputs.unranked_freshmen:  # the share counts them as not in the top 30%: say so, lest 5 staff seem to fail
        note = _note_paragraph(doc, UNRANKED_FRESHMEN_NOTE.format(staff=inputs.disclosure.get(STAFF_COLUMNS[0]),
                                                                  n=inputs.unranked_freshmen))
        note.paragraph_format.space_before = Pt(4)


def _note_paragraph(doc, text: str):
    para = style.add_styled(doc, style.BODY_STYLE)
    para.paragraph_format.first_line_indent = Pt(0)
    style.set_run_font(para.add_run(text), style.BODY_FONT, style.SIZE_S4)
    return para


def add_party_guidance(doc, inputs: DocumentInputs) -> None:
    style.add_body(doc, inputs.party_guidance or MISSING_PARTY_GUIDANCE)
    for meeting in sorted(inputs.party_meetings, key=lambda m: m.date):
        style.add_body(doc, meeting_sentence(chinese_date(meeting.date), meeting.title, meeting.content))


def add_responsible_table(doc, inputs: DocumentInputs) -> None:
    if not inputs.responsible:
        style.add_body(doc, MISSING_RESPONSIBLE)
        return
    table = style.new_table(doc, rows=1 + len(inputs.responsible), widths=RESPONSIBLE_WIDTHS)
    center = WD_ALIGN_PARAGRAPH.CENTER
    for column, key in enumerate(RESPONSIBLE_COLUMNS):
        style.write_cell(table.cell(0, column), key, font=style.TABLE_HEADER_FONT, align=center)
    for row, person in enumerate(inputs.responsible, start=1):
        values = [str(row), person.category, person.name, yes_no(person.full_time), person.remark]
        for column, value in enumerate(values):
            style.write_cell(table.cell(row, column), value, align=center if column != 1 else WD_ALIGN_PARAGRAPH.LEFT)
    style.repeat_header_and_keep_rows(table)


def _space_after_table(doc) -> None:
    style.add_styled(doc, "Normal").paragraph_format.space_after = Pt(6)


def build_disclosure(inputs: DocumentInputs):
    """The public disclosure: opening paragraph and sections 一 to 八; aggregates only, no per-student data."""
    doc = style.new_document()
    composer = new_composer(doc)

    style.add_title(doc, disclosure_title(inputs))
    style.add_body(doc, OPENING.format(org_type=inputs.org_type))

    heading = section_heading("form", inputs)
    form_heading = style.add_heading(doc, heading)
    cat = load_catalogue(inputs.edition)
    # the form's own title under the heading, unless the heading already says it (一、改革自评表 / 改革自评表);
    # the form itself is built apart and moved in at the end (`_insert_form_after`)
    form_title = heading.split("、", 1)[-1] != cat.title

    style.add_heading(doc, section_heading("charter", inputs))
    append_document(composer, inputs.charter_docx, "章程")

    style.add_heading(doc, section_heading("org_chart", inputs))
    add_org_chart(doc, inputs)

    style.add_heading(doc, section_heading("staff", inputs))
    add_staff_table(doc, inputs)
    _space_after_table(doc)

    style.add_heading(doc, section_heading("election", inputs))
    append_document(composer, inputs.election_method_docx, "主席团成员候选人产生办法及选举办法")

    style.add_heading(doc, section_heading("evaluation", inputs))
    append_document(composer, inputs.evaluation_method_docx, "工作人员述职评议办法")

    style.add_heading(doc, section_heading("party", inputs))
    add_party_guidance(doc, inputs)

    style.add_heading(doc, section_heading("responsible", inputs))
    add_responsible_table(doc, inputs)

    _insert_form_after(form_heading, inputs, cat, form_title)
    doc.core_properties.title = disclosure_title(inputs)
    style.finish_sections(doc, draft=draft_mark(cat))
    return doc


def _insert_form_after(heading, inputs: DocumentInputs, cat, title: bool) -> None:
    """Section 一, the form, built in a document of its own (made as this one is, so with the same styles) and
    moved in after its heading once the supplied documents are composed: docxcompose searches the whole document
    for each part it appends, and a form of hundreds of tables would make every search cost that much more."""
    scratch = style.new_document()
    add_form(scratch, inputs, title_size=style.SIZE_S2, cat=cat, title=title)
    _space_after_table(scratch)
    anchor = heading._p
    for element in [e for e in scratch.element.body if e.tag != qn("w:sectPr")]:
        anchor.addnext(element)
        anchor = element
