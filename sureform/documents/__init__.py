"""The Word documents: the 备案表 (filing form) and the public disclosure, in official-document form."""
from .disclosure import build_disclosure
from .extract import document_texts
from .filing import build_filing
from .publish import publish_documents, write_documents
from .render import render_first_page_png

__all__ = [
    "build_disclosure",
    "build_filing",
    "document_texts",
    "publish_documents",
    "render_first_page_png",
    "write_documents",
]
