"""Issue 11, point 7: both documents rendered (LibreOffice → PDF → pages): no page holds a line of punctuation
alone, and the filing form's item 3 rows (3a–3c, one merged label) stay on one page."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "fixtures_docs"))
from docs_seed import seed_inputs  # noqa: E402

from sureform.outputs.documents import write_documents  # noqa: E402
from sureform.outputs.documents.pdf import docx_to_pdf, soffice_path  # noqa: E402

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(soffice_path() is None, reason="LibreOffice (soffice) is not installed")]
PUNCTUATION_ONLY = re.compile(r"^[\s，。、；：！？）」』”’》）\)\].,;:]+$")


def _pages(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", str(pdf), "-"], capture_output=True,
                          check=True).stdout.decode("utf-8")
    return text.split("\f")


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pages")
    paths = write_documents(seed_inputs(folder), folder / "outbox")
    return {kind: _pages(docx_to_pdf(path, folder / "pdf")) for kind, path in paths.items()}


def test_no_line_holds_only_punctuation(pages):
    for kind, doc_pages in pages.items():
        for n, page in enumerate(doc_pages, 1):
            for line in page.splitlines():
                assert not PUNCTUATION_ONLY.match(line) or not line.strip(), (kind, n, line)


def test_filing_item3_rows_on_one_page(pages):
    filing = pages["filing"]
    # the three sub-items of item 3 (人数 of the staff, the presidium and the departments) are on one page
    holding = [n for n, page in enumerate(filing) if re.search(r"不超过\s*\d+\s*人", page)]
    assert holding and len(set(holding)) == 1, holding
