"""Official-document form (GB/T 9704-2012): A4 page, margins, the fonts of title, body and headings.

python-docx sets only the Latin font of a run; Chinese text is drawn with the East Asian font
(`w:rFonts/@w:eastAsia`), so every run written here and the Normal style name it explicitly.
The fonts are named even when this machine lacks them: the reader's Word or WPS has them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from weakref import WeakKeyDictionary

from docx import Document
from docx.enum.section import WD_HEADER_FOOTER, WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
TABLE_FONT = "仿宋_GB2312"
TABLE_HEADER_FONT = "黑体"
PAGE_NUMBER_FONT = "宋体"
LATIN_FONT = "Times New Roman"

# Chinese type sizes (字号)
SIZE_2 = Pt(22)  # 二号
SIZE_S2 = Pt(18)  # 小二
SIZE_3 = Pt(16)  # 三号
SIZE_4 = Pt(14)  # 四号
SIZE_S4 = Pt(12)  # 小四
SIZE_5 = Pt(10.5)  # 五号

BODY_LINE_SPACING = Pt(28)  # 22 lines on the 225 mm type area
BODY_STYLE = "公文正文"
HEADING_STYLE = "Heading 1"

PAGE_WIDTH, PAGE_HEIGHT = Mm(210), Mm(297)
MARGINS = {"top": Mm(37), "bottom": Mm(35), "left": Mm(28), "right": Mm(26)}
TEXT_WIDTH = PAGE_WIDTH - MARGINS["left"] - MARGINS["right"]  # 156 mm


def set_run_font(run, east_asia: str = BODY_FONT, size=None, bold: bool | None = None, latin: str | None = LATIN_FONT):
    """Name the font of one run for Latin and East Asian text alike."""
    run.font.name = latin or east_asia
    _set_east_asia(run._element.get_or_add_rPr(), east_asia)
    if size is not None:
        run.font.size = size
    if bold is not None:
        run.font.bold = bold
    return run


def _set_east_asia(rpr, east_asia: str) -> None:
    rfonts = rpr.get_or_add_rFonts()
    rfonts.set(qn("w:eastAsia"), east_asia)
    rfonts.set(qn("w:hint"), "eastAsia")


def _style_font(style, east_asia: str, size, bold: bool = False, latin: str | None = LATIN_FONT) -> None:
    style.font.name = latin or east_asia
    style.font.size = size
    style.font.bold = bold
    style.font.italic = False
    rpr = style.element.get_or_add_rPr()
    for tag in ("w:color", "w:spacing", "w:kern"):  # template colours, letter spacing, kerning
        for el in rpr.findall(qn(tag)):
            rpr.remove(el)
    _set_east_asia(style.element.get_or_add_rPr(), east_asia)
    # drop theme fonts inherited from the template, they would win over the names above
    rfonts = style.element.rPr.find(qn("w:rFonts"))
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(attr), None)


def _set_doc_defaults(doc) -> None:
    """docDefaults name the body font too: composed parts that rely on them read Chinese right."""
    rpr_default = doc.styles.element.find(qn("w:docDefaults") + "/" + qn("w:rPrDefault"))
    if rpr_default is None:
        return
    rpr = rpr_default.find(qn("w:rPr"))
    if rpr is None:
        rpr = OxmlElement("w:rPr")
        rpr_default.append(rpr)  # parsed as CT_RPr, so get_or_add_* keep the schema order
    rfonts = rpr.get_or_add_rFonts()
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(attr), None)
    rfonts.set(qn("w:ascii"), LATIN_FONT)
    rfonts.set(qn("w:hAnsi"), LATIN_FONT)
    rfonts.set(qn("w:eastAsia"), BODY_FONT)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)  # w:lang comes late in rPr; the template's docDefaults have nothing after it
    lang.set(qn("w:eastAsia"), "zh-CN")


def apply_page_setup(section) -> None:
    """A4 portrait with the GB/T 9704 margins; a landscape section (from a composed file) keeps its turn."""
    if section.orientation == WD_ORIENT.LANDSCAPE:
        section.page_width, section.page_height = PAGE_HEIGHT, PAGE_WIDTH
    else:
        section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.top_margin = MARGINS["top"]
    section.bottom_margin = MARGINS["bottom"]
    section.left_margin = MARGINS["left"]
    section.right_margin = MARGINS["right"]
    section.header_distance = Mm(15)
    section.footer_distance = Mm(28)  # the page number sits 7 mm below the type area


def new_document():
    """An empty document with the official-document styles, page setup and page-number footer."""
    doc = Document()
    _set_doc_defaults(doc)
    normal = doc.styles["Normal"]
    _style_font(normal, BODY_FONT, SIZE_3)
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE

    body = doc.styles.add_style(BODY_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    body.base_style = normal
    _style_font(body, BODY_FONT, SIZE_3)
    fmt = body.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = BODY_LINE_SPACING
    fmt.first_line_indent = Pt(32)  # two characters of 三号
    fmt.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    fmt.widow_control = True

    heading = doc.styles[HEADING_STYLE]
    _style_font(heading, HEADING_FONT, SIZE_3, bold=False)
    hfmt = heading.paragraph_format
    hfmt.space_before = Pt(14)
    hfmt.space_after = Pt(0)
    hfmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    hfmt.line_spacing = BODY_LINE_SPACING
    hfmt.first_line_indent = Pt(32)
    hfmt.keep_with_next = True

    title = doc.styles["Title"]
    _style_font(title, TITLE_FONT, SIZE_2, latin=TITLE_FONT)
    _drop_paragraph_borders(title)
    for el in title.element.pPr.findall(qn("w:contextualSpacing")):
        title.element.pPr.remove(el)
    tfmt = title.paragraph_format
    tfmt.alignment = WD_ALIGN_PARAGRAPH.CENTER
    tfmt.space_before = Pt(0)
    tfmt.space_after = Pt(16)
    tfmt.line_spacing_rule = WD_LINE_SPACING.SINGLE

    props = doc.core_properties  # the template says "python-docx" otherwise
    props.author = props.last_modified_by = "sureform"
    props.comments = ""

    section = doc.sections[0]
    apply_page_setup(section)
    add_page_number_footer(section)
    return doc


def _drop_paragraph_borders(style) -> None:
    ppr = style.element.pPr
    if ppr is not None:
        for border in ppr.findall(qn("w:pBdr")):
            ppr.remove(border)


def _emptied_paragraph(part):
    """The first paragraph of a section's own header or footer (no longer linked to the previous section's),
    emptied of its runs and centred: the one place a header or footer line is written."""
    part.is_linked_to_previous = False
    para = part.paragraphs[0] if part.paragraphs else part.add_paragraph()
    for run in list(para.runs):
        run._element.getparent().remove(run._element)
    para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    return para


def add_page_number_footer(section) -> None:
    """`— 1 —` centred in the footer: a PAGE field between two em dashes, 宋体 四号."""
    para = _emptied_paragraph(section.footer)
    set_run_font(para.add_run("— "), PAGE_NUMBER_FONT, SIZE_4, latin=PAGE_NUMBER_FONT)
    _add_field(para, "PAGE", "1")
    set_run_font(para.add_run(" —"), PAGE_NUMBER_FONT, SIZE_4, latin=PAGE_NUMBER_FONT)


def _add_field(paragraph, instruction: str, placeholder: str) -> None:
    def fld_char(kind):
        el = OxmlElement("w:fldChar")
        el.set(qn("w:fldCharType"), kind)
        return el

    begin = set_run_font(paragraph.add_run(), PAGE_NUMBER_FONT, SIZE_4, latin=PAGE_NUMBER_FONT)
    begin._element.append(fld_char("begin"))
    instr = set_run_font(paragraph.add_run(), PAGE_NUMBER_FONT, SIZE_4, latin=PAGE_NUMBER_FONT)
    text = OxmlElement("w:instrText")
    text.set(qn("xml:space"), "preserve")
    text.text = f" {instruction} "
    instr._element.append(text)
    sep = set_run_font(paragraph.add_run(), PAGE_NUMBER_FONT, SIZE_4, latin=PAGE_NUMBER_FONT)
    sep._element.append(fld_char("separate"))
    set_run_font(paragraph.add_run(placeholder), PAGE_NUMBER_FONT, SIZE_4, latin=PAGE_NUMBER_FONT)
    end = set_run_font(paragraph.add_run(), PAGE_NUMBER_FONT, SIZE_4, latin=PAGE_NUMBER_FONT)
    end._element.append(fld_char("end"))


DRAFT_RED = RGBColor(0xC0, 0x00, 0x00)


def add_draft_header(section, mark: str, note: str) -> None:
    """The page header of a draft: `草稿` in red bold 黑体 and a short note of why, on every page."""
    para = _emptied_paragraph(section.header)
    run = set_run_font(para.add_run(mark), HEADING_FONT, SIZE_3, bold=True, latin=HEADING_FONT)
    run.font.color.rgb = DRAFT_RED
    note_run = set_run_font(para.add_run(f"　{note}"), BODY_FONT, SIZE_5)
    note_run.font.color.rgb = DRAFT_RED


def finish_sections(doc, draft: tuple[str, str] | None = None) -> None:
    """After composition: every section on the official page, all showing our one page-number footer (and,
    for a draft, the header `draft` = (mark, note) says so on every page).

    A composed file may bring sections of its own; their footer (and header) references are pointed at our
    parts directly (python-docx's "link to previous" would drop the shared relationship).
    """
    header_rid = None
    if draft is not None:
        add_draft_header(doc.sections[-1], *draft)
        header_rid = next(r.get(qn("r:id")) for r in doc.element.body.sectPr.findall(qn("w:headerReference"))
                          if r.get(qn("w:type")) == "default")
    body_sect_pr = doc.element.body.sectPr
    refs = [r for r in body_sect_pr.findall(qn("w:footerReference")) if r.get(qn("w:type")) == "default"]
    if not refs:
        add_page_number_footer(doc.sections[-1])
        refs = [r for r in body_sect_pr.findall(qn("w:footerReference")) if r.get(qn("w:type")) == "default"]
    footer_rid = refs[0].get(qn("r:id"))
    for section in doc.sections:
        apply_page_setup(section)
        sect_pr = section._sectPr
        for ref in sect_pr.findall(qn("w:footerReference")):
            sect_pr.remove(ref)
        sect_pr.add_footerReference(WD_HEADER_FOOTER.PRIMARY, footer_rid)
        if header_rid is not None:
            for ref in sect_pr.findall(qn("w:headerReference")):
                sect_pr.remove(ref)
            sect_pr.add_headerReference(WD_HEADER_FOOTER.PRIMARY, header_rid)
        section.different_first_page_header_footer = False


# --- paragraphs -----------------------------------------------------------------------------
_STYLE_IDS: "WeakKeyDictionary" = WeakKeyDictionary()  # per document part: paragraph style name → style id


def paragraph_style_id(part, name: str) -> str | None:
    """The id of the paragraph style `name` in this document (None for its default style), looked up once per
    document: python-docx scans every style of the document at each lookup."""
    return style_id(part, name, WD_STYLE_TYPE.PARAGRAPH)


def style_id(part, name: str, kind=WD_STYLE_TYPE.PARAGRAPH) -> str | None:
    """The id of the style `name` of `kind` in this document, looked up once per document."""
    ids = _STYLE_IDS.setdefault(part, {})
    if (name, kind) not in ids:
        ids[(name, kind)] = part.get_style_id(name, kind)
    return ids[(name, kind)]


def style_ids_of(part) -> dict[str, str | None]:
    """The paragraph style ids looked up so far in this document."""
    return dict(_STYLE_IDS.get(part, {}))


def reuse_style_ids(part, ids: dict[str, str | None]) -> None:
    """Style ids known from another document opened from the same bytes (the review's letters): no lookups."""
    _STYLE_IDS.setdefault(part, {}).update(ids)


def add_styled(doc, name: str):
    """`doc.add_paragraph(style=name)`, the style looked up once per document."""
    para = doc.add_paragraph()
    para._p.style = paragraph_style_id(doc.part, name)
    return para



def add_title(doc, text: str, size=SIZE_2):
    para = add_styled(doc, "Title")
    set_run_font(para.add_run(text), TITLE_FONT, size, latin=TITLE_FONT)
    return para


LINE_CHARS = int(TEXT_WIDTH / SIZE_3)  # 27 characters of 三号 on a line of the type area


def text_width(text: str) -> float:
    """Width in characters of 三号: a Chinese character is one, a Latin letter or digit half."""
    return sum(0.5 if ord(c) < 0x2E80 else 1 for c in text)


def add_heading(doc, text: str):
    """A heading on one line: no indent when the indent would make it wrap; a heading longer than a line breaks
    before its parenthesis (`…述职评议办法` / `（或其他有关制度文件）`), never leaving `件）` alone."""
    para = add_styled(doc, HEADING_STYLE)
    width = text_width(text)
    if width + 2 > LINE_CHARS:
        para.paragraph_format.first_line_indent = Pt(0)
    cut = text.find("（")
    if width > LINE_CHARS and cut > 0:
        run = set_run_font(para.add_run(text[:cut]), HEADING_FONT, SIZE_3, bold=False)
        run.add_break()
        set_run_font(para.add_run(text[cut:]), HEADING_FONT, SIZE_3, bold=False)
    else:
        set_run_font(para.add_run(text), HEADING_FONT, SIZE_3, bold=False)
    return para


def add_body(doc, text: str, indent: bool = True):
    para = add_styled(doc, BODY_STYLE)
    if not indent:
        para.paragraph_format.first_line_indent = Pt(0)
    set_run_font(para.add_run(text), BODY_FONT, SIZE_3)
    return para


# --- tables ---------------------------------------------------------------------------------


_BLOCK_WIDTHS: "WeakKeyDictionary" = WeakKeyDictionary()


def _block_width(doc):
    """The text width of the document's last section, found once per document (python-docx searches every
    paragraph of the body for section breaks each time)."""
    if doc.part not in _BLOCK_WIDTHS:
        _BLOCK_WIDTHS[doc.part] = doc._block_width
    return _BLOCK_WIDTHS[doc.part]


def new_table(doc, rows: int, widths: list, style: str = "Table Grid"):
    """A bordered table of fixed column widths (tblGrid for LibreOffice, tcW for Word), centred."""
    from docx.oxml.table import CT_Tbl
    from docx.table import Table

    # as `doc.add_table`, without its searches of the whole body and of every style (a form of a thousand
    # tables would pay them a thousand times): the table goes before the body's final section properties
    tbl = CT_Tbl.new_tbl(rows, len(widths), _block_width(doc))
    body = doc.element.body
    if len(body) and body[-1].tag == qn("w:sectPr"):
        body[-1].addprevious(tbl)
    else:
        body.append(tbl)
    table = Table(tbl, doc._body)
    tbl.tblStyle_val = style_id(doc.part, style, WD_STYLE_TYPE.TABLE)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for column, width in zip(table.columns, widths):
        column.width = width
    for row in table.rows:
        for cell, width in zip(row.cells, widths):
            cell.width = width
    return table


@dataclass(frozen=True)
class CellSpec:
    """One cell of a row built as XML (`append_rows`): the text lines as `write_cell` writes them, how many grid
    columns it spans, whether it starts ("restart") or continues ("continue") a vertical merge."""

    lines: tuple[str, ...] | str = ("",)
    span: int = 1
    vmerge: str | None = None
    font: str = TABLE_FONT
    size: object = SIZE_S4
    bold: bool | None = False
    align: object = WD_ALIGN_PARAGRAPH.LEFT


_JC = {WD_ALIGN_PARAGRAPH.LEFT: "left", WD_ALIGN_PARAGRAPH.CENTER: "center", WD_ALIGN_PARAGRAPH.RIGHT: "right"}
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # what an XML document cannot hold


def _escape(text: str) -> str:
    return _XML_BAD.sub("", text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _run_content(text: str) -> str:
    """A run's text as python-docx writes it: `w:t` pieces, a tab as `w:tab`, a line break as `w:br`."""
    out, piece = [], []

    def flush():
        if piece:
            t = "".join(piece)
            space = ' xml:space="preserve"' if len(t.strip()) < len(t) else ""
            out.append(f"<w:t{space}>{_escape(t)}</w:t>")
            piece.clear()

    for char in _XML_BAD.sub("", text):
        if char == "\t":
            flush()
            out.append("<w:tab/>")
        elif char in "\r\n":
            flush()
            out.append("<w:br/>")
        else:
            piece.append(char)
    flush()
    return "".join(out)


def _cell_xml(cell: CellSpec, width: int, style_id: str | None, keep_next: bool) -> str:
    """What `write_cell` makes of a cell (the same XML), as text."""
    merge = "" if cell.vmerge is None else '<w:vMerge w:val="restart"/>' if cell.vmerge == "restart" else "<w:vMerge/>"
    span = f'<w:gridSpan w:val="{cell.span}"/>' if cell.span > 1 else ""
    if cell.vmerge == "continue":  # the merged cell's content is in the cell that started it
        return f'<w:tc><w:tcPr><w:tcW w:type="dxa" w:w="{width}"/>{span}{merge}</w:tcPr><w:p/></w:tc>'
    lines = [cell.lines] if isinstance(cell.lines, str) else list(cell.lines) or [""]
    font, latin = _escape(cell.font), _escape(LATIN_FONT)
    bold = "" if cell.bold is None else "<w:b/>" if cell.bold else '<w:b w:val="0"/>'
    rpr = (f'<w:rPr><w:rFonts w:ascii="{latin}" w:hAnsi="{latin}" w:eastAsia="{font}" w:hint="eastAsia"/>{bold}'
           f'<w:sz w:val="{round(cell.size.pt * 2)}"/></w:rPr>')
    pstyle = f'<w:pStyle w:val="{_escape(style_id)}"/>' if style_id else ""
    keep = "<w:keepNext/>" if keep_next else ""
    paras = []
    for index, line in enumerate(lines):
        before = 40 if index == 0 else 0
        after = 40 if index == len(lines) - 1 else 0
        paras.append(f'<w:p><w:pPr>{pstyle}{keep}<w:spacing w:line="240" w:lineRule="auto" w:before="{before}" '
                     f'w:after="{after}"/><w:ind w:firstLine="0"/><w:jc w:val="{_JC[cell.align]}"/></w:pPr>'
                     f"<w:r>{rpr}{_run_content(line)}</w:r></w:p>")
    return (f'<w:tc><w:tcPr><w:tcW w:type="dxa" w:w="{width}"/>{span}{merge}<w:vAlign w:val="center"/></w:tcPr>'
            f'{"".join(paras)}</w:tc>')


def append_rows(table, rows: list[list[CellSpec]], header_rows: int = 0, keep_next: set[int] = frozenset()) -> None:
    """Rows appended to `table`, written as XML text and parsed once: the cells are what `write_cell` makes of
    them, each spanning its grid columns (`w:gridSpan`) or merged down a column (`w:vMerge`) as it says; no row
    splits across pages, the first `header_rows` repeat on each page, and the paragraphs of the rows in
    `keep_next` keep with the next row. The cost is linear in the cells whatever the size of the document
    (python-docx's `merge` and cell writing search the document for every cell they touch)."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    tbl = table._tbl
    grid = [int(g.get(qn("w:w"))) for g in tbl.tblGrid.gridCol_lst]
    style_id = paragraph_style_id(table.part, "Normal")
    out = []
    for n, row in enumerate(rows):
        cells, column = [], 0
        for cell in row:
            cells.append(_cell_xml(cell, sum(grid[column: column + cell.span]), style_id, n in keep_next))
            column += cell.span
        head = "<w:tblHeader/>" if n < header_rows else ""
        out.append(f'<w:tr><w:trPr><w:cantSplit/>{head}</w:trPr>{"".join(cells)}</w:tr>')
    for tr in list(parse_xml(f'<w:tbl {nsdecls("w")}>{"".join(out)}</w:tbl>')):
        tbl.append(tr)


def repeat_header_and_keep_rows(table, header_rows: int = 1) -> None:
    """Header rows repeat on each page; no row breaks across pages."""
    for index, row in enumerate(table.rows):
        tr_pr = row._tr.get_or_add_trPr()
        tr_pr.append(OxmlElement("w:cantSplit"))
        if index < header_rows:
            tr_pr.append(OxmlElement("w:tblHeader"))


def write_cell(cell, lines, font: str = TABLE_FONT, size=SIZE_S4, bold: bool = False, align=WD_ALIGN_PARAGRAPH.LEFT):
    """Replace the cell's text with one paragraph per line, every run with its East Asian font."""
    if isinstance(lines, str):
        lines = [lines]
    lines = list(lines) or [""]
    first = cell.paragraphs[0]
    for extra in cell.paragraphs[1:]:
        extra._element.getparent().remove(extra._element)
    for run in list(first.runs):
        run._element.getparent().remove(run._element)
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    for index, line in enumerate(lines):
        para = first if index == 0 else cell.add_paragraph()
        para._p.style = paragraph_style_id(cell.part, "Normal")
        para.alignment = align
        para.paragraph_format.first_line_indent = Pt(0)
        para.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
        # space above the first line and below the last, none between the lines of one cell (☑达标 / □未达标)
        para.paragraph_format.space_before = Pt(2) if index == 0 else Pt(0)
        para.paragraph_format.space_after = Pt(2) if index == len(lines) - 1 else Pt(0)
        set_run_font(para.add_run(line), font, size, bold=bold)
    return cell
