"""Putting the college's own Word files (charter, election and evaluation methods) into the disclosure."""
from __future__ import annotations

import logging
import re
from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor
from docx.text.paragraph import Paragraph
from docxcompose.composer import Composer

from sureform.intake.supplied import docx_problem
from sureform.outputs.documents import style
from sureform.outputs.documents.wording import MISSING_FILE

log = logging.getLogger(__name__)


def new_composer(doc) -> Composer:
    """A composer that keeps each appended file's own styles (renamed where ours differ)."""
    return Composer(doc, preserve_styles=True)


def append_document(composer: Composer, path: Path | None, what: str) -> None:
    """Append a .docx whole, with its formatting, pictures and numbering; a placeholder when none was given."""
    if path is None:
        log.debug("no %s document given; the disclosure says it is to be supplied", what)
        style.add_body(composer.doc, MISSING_FILE.format(what=what))
        return
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{what} document not found: {path}")
    if path.suffix.lower() != ".docx":
        raise ValueError(f"{what} document must be a .docx file (save it as .docx in Word or WPS): {path}")
    if (problem := docx_problem(path)) is not None:  # kept by an older version that did not check
        log.warning("%s %s 未编入公开文档：%s", what, path, problem)
        style.add_body(composer.doc, MISSING_FILE.format(what=what))
        return
    body = composer.doc.element.body
    before = sum(1 for el in body if el.tag != qn("w:sectPr"))  # the file's blocks go after these
    composer.append(Document(str(path)))
    looks = StyleLooks(composer.doc)
    for el in [el for el in body if el.tag != qn("w:sectPr")][before:]:
        if el.tag == qn("w:p"):
            restyle_paragraph(Paragraph(el, composer.doc._body), looks)


class StyleLooks:
    """What restyling asks of a document's paragraph styles, looked up once per style (python-docx scans every
    style of the document for each lookup: a charter of a few hundred paragraphs took a second)."""

    def __init__(self, doc):
        self.body_id = style.paragraph_style_id(doc.part, style.BODY_STYLE)
        self._chains: dict[str | None, list] = {}

    def chain(self, para: Paragraph) -> list:
        """The paragraph's style, then the styles it is based on."""
        style_id = para._p.style
        if style_id not in self._chains:
            chain, s = [], para.style
            while s is not None:
                chain.append(s)
                s = s.base_style
            self._chains[style_id] = chain
        return self._chains[style_id]


HEADING_MAX = 30  # a short line all in bold, or numbered without a full stop, is one of the file's own headings
NUMBERED_HEADING = re.compile(r"^(\d+(\.\d+)+\s*(?![\d.])|\d+\s|第[一二三四五六七八九十百零〇\d]+[章节]|[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）)")
_CENTRED = {WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.RIGHT}


def restyle_paragraph(para: Paragraph, looks: StyleLooks | None = None) -> None:
    """One paragraph of a college's file in the disclosure's body style: 16 pt 仿宋, exact 28 pt lines, first
    line indented two characters. Centred and right-aligned lines (titles, signatures) and pictures keep their
    alignment without indent; a short all-bold line (the file's own heading) stays bold and with the next
    paragraph. Tables keep their own style; bold, italics and underlines are kept."""
    looks = looks or StyleLooks(para.part.document)
    chain = looks.chain(para)
    alignment = _alignment(para, chain)
    text = para.text.strip()
    runs = [r for r in para.runs if r.text.strip()]
    outline = _outline_style(chain)
    short = bool(runs) and len(text) <= HEADING_MAX
    heading = outline or (short and all(r.bold for r in runs)) or (
        short and NUMBERED_HEADING.match(text) is not None and not text.endswith(("。", "；", "，", "：", ";", ",", ":")))
    picture = para._p.find(".//" + qn("w:drawing")) is not None or para._p.find(".//" + qn("w:pict")) is not None
    ppr = para._p.get_or_add_pPr()
    for tag in ("w:ind", "w:spacing", "w:jc") + (() if outline else ("w:pStyle",)):
        for el in ppr.findall(qn(tag)):
            ppr.remove(el)
    fmt = para.paragraph_format
    if outline:  # the file's own heading style stays (bold, outline level: Word's navigation pane), in our measures
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = style.BODY_LINE_SPACING
        fmt.first_line_indent = Pt(32)
        fmt.space_before = fmt.space_after = Pt(0)
        fmt.alignment = alignment
    else:
        para._p.style = looks.body_id  # as `para.style = …` does, without looking the style up again
    if alignment in _CENTRED or picture:
        fmt.alignment = alignment if alignment in _CENTRED else WD_ALIGN_PARAGRAPH.CENTER
        fmt.first_line_indent = Pt(0)
        if picture:
            fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE  # an exact line height would cut the picture
    if heading or (alignment in _CENTRED and text):
        fmt.keep_with_next = True
    for run in para.runs:
        rpr = run._element.get_or_add_rPr()
        for tag in ("w:sz", "w:szCs", "w:rFonts", "w:color", "w:highlight", "w:spacing", "w:w", "w:kern"):
            for el in rpr.findall(qn(tag)):
                rpr.remove(el)
        style.set_run_font(run, style.BODY_FONT, style.SIZE_3)
        if outline:  # Word's default heading styles are blue: a published page is black
            run.font.color.rgb = RGBColor(0, 0, 0)


def _outline_style(chain: list) -> bool:
    """The paragraph's style is a heading style (an outline level, through the styles it is based on)."""
    return any(s.element.pPr is not None and s.element.pPr.find(qn("w:outlineLvl")) is not None for s in chain)


def _alignment(para: Paragraph, chain: list):
    """The paragraph's own alignment, else its style's (through the styles it is based on)."""
    if para.alignment is not None:
        return para.alignment
    return next((s.paragraph_format.alignment for s in chain if s.paragraph_format.alignment is not None), None)
