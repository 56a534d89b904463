"""备案表: 《高校学生会组织深化改革评估备案表》 (or the edition's 改革自评表) as a Word document of its own."""
from __future__ import annotations

from sureform.editions import Catalogue, load_catalogue
from sureform.model import DocumentInputs
from sureform.outputs.documents import style
from sureform.outputs.documents.form import add_form
from sureform.outputs.documents.wording import DRAFT_MARK, DRAFT_NOTE


def draft_mark(cat: Catalogue) -> tuple[str, str] | None:
    """The page header of a form printed from an edition that lacks items or tables; None when complete."""
    return (DRAFT_MARK, DRAFT_NOTE) if cat.missing else None


def build_filing(inputs: DocumentInputs):
    """The filing form: title, `组织名称：… ☑学生会□研究生会`, the header fields and the edition's tables with
    conclusions and notes; a draft (header on every page) while the edition lacks items."""
    doc = style.new_document()
    cat = load_catalogue(inputs.edition)
    add_form(doc, inputs, title_size=style.SIZE_2, cat=cat)
    style.finish_sections(doc, draft=draft_mark(cat))
    return doc
