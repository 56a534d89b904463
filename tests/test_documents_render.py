"""LibreOffice round trip: both documents open, convert to PDF, and read back with their key texts."""
from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "fixtures_docs"))
from docs_seed import SCHOOL, expected_verdicts, seed_inputs  # noqa: E402

from sureform.editions import load_catalogue  # noqa: E402
from sureform.outputs.documents import render_first_page_png, write_documents  # noqa: E402
from sureform.outputs.documents.pdf import docx_to_pdf, pdf_text, soffice_path  # noqa: E402

# outside CI a machine without LibreOffice skips these; in CI they must run
needs_soffice = pytest.mark.skipif(
    soffice_path() is None and not os.environ.get("CI"), reason="LibreOffice (soffice) is not installed"
)
pytestmark = [pytest.mark.slow, needs_soffice]

FIGURES = ["58", "8", "91.38%"]


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    folder = tmp_path_factory.mktemp("render")
    paths = write_documents(seed_inputs(folder), folder / "outbox")
    pdf_dir = folder / "pdf"
    pdfs = {kind: docx_to_pdf(path, pdf_dir) for kind, path in paths.items()}
    # raw: each table cell's lines together; layout: rows from top to bottom
    return {kind: (pdf_text(pdf), pdf_text(pdf, layout=True)) for kind, pdf in pdfs.items()}


BOXES = {"达标": "☑□", "未达标": "□☑", "待补充": "□□"}


def _conclusions(text: str) -> list[str]:
    """The pairs of boxes (达标, 未达标) from top to bottom of the laid-out pages."""
    marks = re.findall(r"([☑□])(未?)达标", text)
    assert [kind for _, kind in marks] == ["", "未"] * (len(marks) // 2), "a 达标 box without its 未达标 box"
    return [marks[i][0] + marks[i + 1][0] for i in range(0, len(marks), 2)]


def _expected_boxes() -> list[str]:
    expected = expected_verdicts()
    return [BOXES[expected[item.id]] for item in load_catalogue("2020").items]


def test_filing_pdf_has_title_and_every_conclusion(rendered):
    text, laid_out = rendered["filing"]
    assert "高校学生会组织深化改革评估备案表" in _squash(text)
    assert f"组织名称：{SCHOOL}☑学生会□研究生会" in _squash(text)
    assert _conclusions(laid_out) == _expected_boxes()
    assert "实有人58" in _squash(text) and "召开日期为：2020年10月15日" in _squash(text)
    assert "—1—" in _squash(text)  # page number from the PAGE field


def test_disclosure_pdf_has_sections_conclusions_and_figures(rendered):
    text, laid_out = rendered["disclosure"]
    flat = _squash(text)
    assert f"{SCHOOL}学生会组织改革情况" in flat
    positions = [flat.index(h) for h in ("一、改革自评表", "二、《", "三、校级组织", "四、校级组织", "五、校级组织", "六、校级组织", "七、学校党委", "八、校团委")]
    assert positions == sorted(positions)
    assert _conclusions(laid_out) == _expected_boxes()
    section_four = flat[flat.index("四、校级组织工作人员名单") : flat.index("五、校级组织")]
    for figure in FIGURES:
        assert figure in section_four
    assert "张福成" in flat


def test_render_first_page_png(tmp_path):
    paths = write_documents(seed_inputs(), tmp_path / "outbox")
    png = render_first_page_png(paths["filing"], tmp_path / "png" / "备案表.png")
    assert png.is_file()
    from PIL import Image

    with Image.open(png) as image:
        # A4 at 60 dpi is about 496 × 702 pixels
        assert 480 < image.width < 510 and 690 < image.height < 715
