"""备案表: 《高校学生会组织深化改革评估备案表》 as a Word document of its own."""
from __future__ import annotations

from sureform.model import DocumentInputs
from sureform.outputs.documents import style
from sureform.outputs.documents.form import add_form


def build_filing(inputs: DocumentInputs):
    """The filing form: title, `组织名称：… ☑学生会□研究生会`, items 1–15 with conclusions and notes."""
    doc = style.new_document()
    add_form(doc, inputs, title_size=style.SIZE_2)
    style.finish_sections(doc)
    return doc
