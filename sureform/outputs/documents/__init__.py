"""The Word documents: the 备案表 (filing form) and the public disclosure, in official-document form."""
from sureform.outputs.documents.disclosure import build_disclosure
from sureform.outputs.documents.extract import document_texts
from sureform.outputs.documents.filing import build_filing
from sureform.outputs.documents.publish import publish_documents, write_documents
from sureform.outputs.documents.pdf import render_first_page_png

__all__ = [
    "build_disclosure",
    "build_filing",
    "document_texts",
    "publish_documents",
    "render_first_page_png",
    "write_documents",
]
