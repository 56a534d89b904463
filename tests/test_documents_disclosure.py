"""The public disclosure: sections 一 to 八 in the seed's order, composed files, picture, tables."""
from __future__ import annotations

import sys
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt
from docx.table import Table
from docx.text.paragraph import Paragraph

sys.path.insert(0, str(Path(__file__).parent / "fixtures_docs"))
from docs_seed import (  # noqa: E402
    CHARTER_BOLD,
    CHARTER_HEADING,
    DISCLOSURE,
    ELECTION_TEXT,
    EVALUATION_TEXT,
    MEETING_CONTENT,
    MEETING_TITLE,
    PARTY_GUIDANCE,
    SCHOOL,
    seed_inputs,
    write_charter,
)

from sureform.outputs.documents import build_disclosure  # noqa: E402
from sureform.outputs.documents.wording import STAFF_COLUMNS  # noqa: E402
from sureform.model import OrgChart  # noqa: E402

HEADINGS = [
    "一、改革自评表",
    f"二、《{SCHOOL}学生会章程》",
    "三、校级组织工作机构组织架构图",
    "四、校级组织工作人员名单",
    "五、校级组织主席团成员候选人产生办法及选举办法",
    "六、校级组织工作人员述职评议办法（或其他有关制度文件）",
    "七、学校党委指导学生会组织工作情况",
    "八、校团委指导学生会主要责任人",
]


def _save_and_open(doc, path: Path):
    doc.save(path)
    return docx.Document(str(path))


@pytest.fixture
def disclosure(tmp_path):
    return _save_and_open(build_disclosure(seed_inputs(tmp_path)), tmp_path / "公开.docx")


def blocks(doc):
    """Body paragraphs and tables in document order."""
    out = []
    for element in doc.element.body.iterchildren():
        if element.tag == qn("w:p"):
            out.append(Paragraph(element, doc))
        elif element.tag == qn("w:tbl"):
            out.append(Table(element, doc))
    return out


def section(doc, number: int):
    """The blocks between heading `number` (1-based) and the next heading."""
    all_blocks = blocks(doc)
    starts = [next(i for i, b in enumerate(all_blocks) if isinstance(b, Paragraph) and b.text == h) for h in HEADINGS]
    end = starts[number] if number < len(starts) else len(all_blocks)
    return all_blocks[starts[number - 1] + 1 : end]


def test_title_and_opening(disclosure):
    texts = [p.text for p in disclosure.paragraphs if p.text.strip()]
    assert texts[0] == f"{SCHOOL}学生会组织改革情况"
    assert texts[1].startswith("为落实共青团中央、教育部、全国学联联合下发的《关于推动高校学生会（研究生会）深化改革的若干意见》")
    assert texts[1].endswith("现将我校学生会改革情况公开如下。")
    assert disclosure.paragraphs[0].runs[0]._element.rPr.rFonts.get(qn("w:eastAsia")) == "方正小标宋简体"


def test_sections_in_the_seed_order(disclosure):
    texts = [b.text for b in blocks(disclosure) if isinstance(b, Paragraph)]
    positions = [texts.index(h) for h in HEADINGS]
    assert positions == sorted(positions)
    heading = next(p for p in disclosure.paragraphs if p.text == HEADINGS[0])
    assert heading.runs[0]._element.rPr.rFonts.get(qn("w:eastAsia")) == "黑体"
    assert heading.runs[0].font.size == Pt(16)


def test_section_one_is_the_filing_form(disclosure):
    part = section(disclosure, 1)
    texts = [b.text for b in part if isinstance(b, Paragraph) and b.text.strip()]
    assert texts[:2] == ["高校学生会组织深化改革评估备案表", f"组织名称：{SCHOOL} ☑学生会□研究生会"]
    tables = [b for b in part if isinstance(b, Table)]
    assert len(tables) == 1 and len(tables[0].rows) == 18
    assert tables[0].rows[1].cells[2].text == "□达标\n☑未达标"


def test_composed_charter_is_restyled_to_the_body_and_keeps_its_emphasis(disclosure):
    """Issue 11: the composed files were 14 pt and unindented beside our 16 pt indented text."""
    part = section(disclosure, 2)
    heading = next(b for b in part if isinstance(b, Paragraph) and b.text == CHARTER_HEADING)
    # the charter's own heading style stays (bold, an outline level), drawn in our measures and kept with the next
    assert heading.style.font.bold is True and heading.style.element.pPr.find(qn("w:outlineLvl")) is not None
    assert all(r.font.size == Pt(16) for r in heading.runs) and heading.paragraph_format.keep_with_next
    body = next(b for b in part if isinstance(b, Paragraph) and CHARTER_BOLD in b.text)
    assert body.style.name == "公文正文" and body.style.paragraph_format.first_line_indent == Pt(32)
    assert body.paragraph_format.first_line_indent is None and body.paragraph_format.line_spacing is None
    for run in body.runs:
        assert run.font.size == Pt(16) and run._element.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋_GB2312"
    bold = next(r for r in body.runs if r.text == CHARTER_BOLD)
    assert bold.bold is True


@pytest.mark.parametrize("number, text", [(5, ELECTION_TEXT), (6, EVALUATION_TEXT)])
def test_composed_methods(disclosure, number, text):
    part = section(disclosure, number)
    run = next(r for b in part if isinstance(b, Paragraph) for r in b.runs if r.text == text)
    assert run.bold is True and run.font.size == Pt(16)
    assert any(isinstance(b, Paragraph) and b.style.font.bold and b.text for b in part)


def test_missing_files_leave_a_placeholder(tmp_path):
    doc = _save_and_open(build_disclosure(seed_inputs()), tmp_path / "d.docx")
    assert [b.text for b in section(doc, 2)] == ["（待补充：章程文件未提交）"]
    assert "待补充" in section(doc, 5)[0].text and "待补充" in section(doc, 6)[0].text


def test_a_charter_in_old_word_format_is_refused(tmp_path):
    inputs = seed_inputs()
    inputs.charter_docx = tmp_path / "章程.doc"
    inputs.charter_docx.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(ValueError):
        build_disclosure(inputs)
    inputs.charter_docx = tmp_path / "nowhere.docx"
    with pytest.raises(FileNotFoundError):
        build_disclosure(inputs)


def test_section_three_holds_the_org_chart_picture(disclosure):
    part = section(disclosure, 3)
    pictures = [el for b in part if isinstance(b, Paragraph) for el in b._element.iter(qn("wp:inline"))]
    assert len(pictures) == 1
    inline = pictures[0]
    assert abs(inline.extent.cx - Cm(15)) < Mm(1)
    descr = inline.docPr.get("descr")
    assert "主席团（4人）" in descr and "生活纪安部（9人）" in descr
    blip = next(inline.iter(qn("a:blip")))
    image = disclosure.part.related_parts[blip.get(qn("r:embed"))]
    assert image.content_type == "image/png"


def test_org_chart_without_a_chinese_font_still_draws(caplog):
    from io import BytesIO

    from PIL import Image

    from sureform.outputs.documents.orgchart import draw_org_chart

    png = draw_org_chart(OrgChart(presidium=3, departments=[("办公室", 5), ("宣传部", 6)]), font_file=None)
    image = Image.open(BytesIO(png))
    assert image.format == "PNG" and image.width > 1000


def test_a_department_name_thousands_of_characters_long_is_cut_in_its_box():
    from sureform.outputs.documents.orgchart import MAX_NAME_LINES, _fit_departments

    font, size, laid_out = _fit_departments([("宣传部", 6), ("很长的部门名称" * 6000, 3)], 200, None)
    long_box = laid_out[1]
    assert len(long_box) == MAX_NAME_LINES + 1 and long_box[-1] == "（3人）"
    assert long_box[-2].endswith("…") and all(font.getlength(line) <= 200 for line in long_box)
    assert laid_out[0][0] == "宣传部"


def test_section_four_is_one_aggregate_row(disclosure):
    tables = [b for b in section(disclosure, 4) if isinstance(b, Table)]
    assert len(tables) == 1
    rows = [[c.text for c in row.cells] for row in tables[0].rows]
    assert rows[0] == list(STAFF_COLUMNS)
    assert rows[1] == ["58", "58", "58", "8", "91.38%", "否", "否"]
    assert len(rows) == 2


def test_section_four_refuses_other_keys():
    inputs = seed_inputs()
    inputs.disclosure = dict(DISCLOSURE, 学号="2021010101")
    with pytest.raises(ValueError):
        build_disclosure(inputs)


def test_section_seven_party_guidance(disclosure):
    texts = [b.text for b in section(disclosure, 7) if isinstance(b, Paragraph) and b.text.strip()]
    assert texts == [PARTY_GUIDANCE, f"2020年10月15日，{MEETING_TITLE}。{MEETING_CONTENT}"]


def test_section_eight_responsible_people(disclosure):
    tables = [b for b in section(disclosure, 8) if isinstance(b, Table)]
    rows = [[c.text for c in row.cells] for row in tables[0].rows]
    assert rows[0] == ["序号", "类别", "姓名", "是否为专职团干", "备注"]
    assert rows[1] == ["1", "分管学生会组织的校团委责任人", "张福成", "是", ""]
    assert rows[2][:4] == ["2", "秘书长", "李明远", "是"]


def test_our_runs_name_east_asian_fonts_and_every_section_is_official(disclosure):
    composed = {CHARTER_BOLD, CHARTER_HEADING, ELECTION_TEXT, EVALUATION_TEXT}
    checked = 0
    for block in blocks(disclosure):
        if isinstance(block, Table):
            paragraphs = [p for cell in block._cells for p in cell.paragraphs]
        else:
            paragraphs = [block]
        for p in paragraphs:
            if p.text in composed or p.text in {"选举办法", "述职评议办法"} or p.text.startswith("第"):
                continue  # the composed files keep their own formatting
            for run in p.runs:
                if not run.text.strip():
                    continue
                rfonts = run._element.rPr.rFonts if run._element.rPr is not None else None
                assert rfonts is not None and rfonts.get(qn("w:eastAsia")), run.text
                checked += 1
    assert checked > 50
    for s in disclosure.sections:
        assert abs(s.top_margin - Mm(37)) < Mm(0.1) and abs(s.left_margin - Mm(28)) < Mm(0.1)
        assert abs(s.bottom_margin - Mm(35)) < Mm(0.1) and abs(s.right_margin - Mm(26)) < Mm(0.1)
    instr = "".join(t.text for t in disclosure.sections[0].footer._element.iter(qn("w:instrText")))
    assert "PAGE" in instr


def test_a_charter_with_its_own_sections_does_not_change_our_page(tmp_path):
    from docx import Document
    from docx.enum.section import WD_SECTION

    charter = Document()
    charter.add_paragraph("第一页")
    new = charter.add_section(WD_SECTION.NEW_PAGE)
    new.left_margin = Mm(10)
    charter.add_paragraph("第二页")
    charter.save(tmp_path / "章程.docx")
    inputs = seed_inputs()
    inputs.charter_docx = tmp_path / "章程.docx"
    doc = _save_and_open(build_disclosure(inputs), tmp_path / "d.docx")
    assert len(doc.sections) >= 2
    for s in doc.sections:
        assert abs(s.left_margin - Mm(28)) < Mm(0.1)
    # every section shows the page number
    for s in doc.sections:
        footer = s.footer
        assert "PAGE" in "".join(t.text for t in footer._element.iter(qn("w:instrText")))


def test_charter_fixture_is_plain_python_docx(tmp_path):
    path = write_charter(tmp_path / "c.docx")
    doc = docx.Document(str(path))
    assert doc.paragraphs[0].style.name == "Heading 1"


@pytest.mark.parametrize("title, content, expected", [
    # the seed's data: the content tells the meeting, the name goes in its place, said once
    ("“不忘初心 牢记使命 砥砺前行 不负韶华”学生会专题调研座谈会", "院党委分管学生工作院长助理主持召开学生会专题调研座谈会，提出三点要求",
     "2020年10月15日，院党委分管学生工作院长助理主持召开“不忘初心 牢记使命 砥砺前行 不负韶华”学生会专题调研座谈会，提出三点要求。"),
    # a bare name and what was done: the party committee is the subject
    ("学生会专题调研座谈会", "听取学生会工作汇报", "2020年10月15日，学校党委召开学生会专题调研座谈会，听取学生会工作汇报。"),
    ("党委常委会", "", "2020年10月15日，学校党委召开党委常委会，听取学生会组织工作汇报。"),
    # a name that is already a clause opens the sentence
    (MEETING_TITLE, MEETING_CONTENT, f"2020年10月15日，{MEETING_TITLE}。{MEETING_CONTENT}"),
    ("研究生会工作座谈会", "听取汇报", "2020年10月15日，学校党委召开研究生会工作座谈会，听取汇报。"),
])
def test_a_meeting_is_told_in_whole_sentences(title, content, expected):
    from sureform.outputs.documents.wording import meeting_sentence

    assert meeting_sentence("2020年10月15日", title, content) == expected


def test_a_composed_files_own_headings_stay_with_their_text(tmp_path):
    """Headings of a college's file (bold, numbered `4.6.1学生会干部选拔标准`, a centred title) are kept with the
    paragraph that follows them; its body lines are not; a centred title keeps its alignment without indent."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    from sureform.outputs.documents import style
    from sureform.outputs.documents.compose import append_document, new_composer

    source = Document()
    title = source.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.add_run("学生会章程").font.size = Pt(22)
    source.add_paragraph().add_run("1 范围").bold = True
    source.add_paragraph("本章程规定了学院学生会的性质、宗旨、基本任务。")
    source.add_paragraph("4.6.1学生会干部选拔标准")
    source.add_paragraph("4.6.1.1 有明确、坚定的政治方向，热爱中国共产党，热爱社会主义祖国，积极要求进步。")
    source.save(tmp_path / "章程.docx")
    doc = style.new_document()
    append_document(new_composer(doc), tmp_path / "章程.docx", "章程")
    doc = _save_and_open(doc, tmp_path / "out.docx")
    by_text = {p.text: p for p in doc.paragraphs}
    kept = {t for t, p in by_text.items() if p.paragraph_format.keep_with_next}
    assert kept == {"学生会章程", "1 范围", "4.6.1学生会干部选拔标准"}
    assert by_text["学生会章程"].alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert by_text["学生会章程"].paragraph_format.first_line_indent == Pt(0)
    assert by_text["学生会章程"].runs[0].font.size == Pt(16)
