"""Render the first page of each generated document to docs/images/ for the README, and the page of the 2021
备案表 where the first (二) table (a 院系 union's 二级学生会组织情况) begins.

Run after `make demo`:  .venv/bin/python examples/render_readme_pictures.py
Needs LibreOffice (soffice) and poppler (pdftoppm, pdftotext). The 2021 page comes from a run of the sample
data of its own (`--edition 2021`, in a temporary folder), whatever edition `make demo` used.
"""
import shutil
import tempfile
from datetime import date
from pathlib import Path

from sureform.outputs.documents import render_first_page_png
from sureform.outputs.documents.pdf import docx_to_pdf, pdf_page_png, pdf_text
from sureform.pipeline import RunOptions, run_pipeline

ROOT = Path(__file__).resolve().parent.parent
IMAGES = ROOT / "docs" / "images"

for name in ("备案表", "改革情况公开"):
    out = render_first_page_png(ROOT / "outbox" / f"{name}.docx", IMAGES / f"{name}-第1页.png", dpi=80)
    print(out.relative_to(ROOT))

with tempfile.TemporaryDirectory(prefix="sureform-readme-") as work:
    work = Path(work)
    shutil.copytree(ROOT / "examples" / "inbox", work / "inbox")
    run_pipeline(RunOptions(work / "inbox", work / "outbox", work / "state", date(2020, 11, 24), "2021", 0))
    pdf = docx_to_pdf(work / "outbox" / "备案表.docx", work / "pdf")
    pages = pdf_text(pdf).split("\f")
    page = next(i for i, text in enumerate(pages, start=1) if "二级学生会组织情况（" in text.replace("\n", ""))
    out = pdf_page_png(pdf, IMAGES / "备案表-2021-二级表.png", page=page, dpi=80)
    print(out.relative_to(ROOT), f"(page {page})")
