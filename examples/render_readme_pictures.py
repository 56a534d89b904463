"""Render the first page of each generated document to docs/images/ for the README.

Run after `make demo`:  .venv/bin/python examples/render_readme_pictures.py
Needs LibreOffice (soffice) and poppler (pdftoppm).
"""
from pathlib import Path

from sureform.outputs.documents import render_first_page_png

ROOT = Path(__file__).resolve().parent.parent

for name in ("备案表", "改革情况公开"):
    out = render_first_page_png(ROOT / "outbox" / f"{name}.docx", ROOT / "docs" / "images" / f"{name}-第1页.png", dpi=80)
    print(out.relative_to(ROOT))
