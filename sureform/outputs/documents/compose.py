"""Putting the college's own Word files (charter, election and evaluation methods) into the disclosure."""
from __future__ import annotations

import logging
from pathlib import Path

from docx import Document
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
        log.warning("%s document %s not included: %s", what, path, problem)
        style.add_body(composer.doc, MISSING_FILE.format(what=what))
        return
    composer.append(Document(str(path)))
