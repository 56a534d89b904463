"""备案表: 《高校学生会组织深化改革评估备案表》 (or the edition's 改革自评表) as a Word document of its own."""
from __future__ import annotations

from docx.shared import Pt

from sureform.editions import load_catalogue
from sureform.model import DocumentInputs
from sureform.outputs.documents import style
from sureform.outputs.documents.form import add_form
from sureform.outputs.documents.wording import GAPS_NOTE


def build_filing(inputs: DocumentInputs):
    """The filing form: title, `组织名称：… ☑学生会□研究生会`, the header fields and the edition's tables with
    conclusions and notes; an edition that lacks items says so at the end."""
    doc = style.new_document()
    cat = load_catalogue(inputs.edition)
    add_form(doc, inputs, title_size=style.SIZE_2, cat=cat)
    if cat.gaps:
        note = style.add_body(doc, GAPS_NOTE.format(edition=cat.edition), indent=False)
        note.paragraph_format.space_before = Pt(12)
        for number, gap in enumerate(cat.gaps, start=1):
            style.add_body(doc, f"{number}. {gap.rstrip('。')}。", indent=False)
    style.finish_sections(doc)
    return doc
