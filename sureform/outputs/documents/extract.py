"""Every piece of text a .docx carries, for checks such as "the disclosure names no student"."""
from __future__ import annotations

import re
import zipfile
from pathlib import Path

from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
NS = {"w": W, "wp": WP}
# body, headers, footers, notes and comments: everything a reader can see
TEXT_PARTS = re.compile(r"^word/(document|header\d*|footer\d*|footnotes|endnotes|comments)\.xml$")
CORE_PROPERTIES = "docProps/core.xml"


def _part_texts(xml: bytes) -> list[str]:
    root = etree.fromstring(xml)
    texts: list[str] = []
    for run in root.iter(f"{{{W}}}r"):  # each run: its text, and text deleted under tracked changes
        text = "".join(t.text or "" for t in run.iter(f"{{{W}}}t", f"{{{W}}}delText"))
        if text:
            texts.append(text)
    for para in root.iter(f"{{{W}}}p"):  # words split over several runs
        text = "".join(t.text or "" for t in para.iter(f"{{{W}}}t", f"{{{W}}}delText"))
        if text:
            texts.append(text)
    for cell in root.iter(f"{{{W}}}tc"):
        paras = ["".join(t.text or "" for t in p.iter(f"{{{W}}}t")) for p in cell.iter(f"{{{W}}}p")]
        text = "\n".join(paras).strip()
        if text:
            texts.append(text)
    for doc_pr in root.iter(f"{{{WP}}}docPr"):  # pictures' names and descriptions
        texts += [doc_pr.get(attr) for attr in ("name", "descr", "title") if doc_pr.get(attr)]
    return texts


def document_texts(path: Path) -> list[str]:
    """Run texts, paragraph texts, table-cell texts, picture descriptions and document properties.

    Read from the saved file, so composed parts, headers and footers are all included.
    """
    texts: list[str] = []
    with zipfile.ZipFile(path) as package:
        for name in sorted(package.namelist()):
            if TEXT_PARTS.match(name):
                texts += _part_texts(package.read(name))
        if CORE_PROPERTIES in package.namelist():
            core = etree.fromstring(package.read(CORE_PROPERTIES))
            texts += [el.text.strip() for el in core.iter() if isinstance(el.tag, str) and el.text and el.text.strip()]
    return texts


def find_forbidden(texts: list[str], forbidden) -> list[tuple[str, str]]:
    """(token, text) pairs for each forbidden token found inside a text."""
    return [(token, text) for token in forbidden for text in texts if token and token in text]
