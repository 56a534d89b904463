"""Writing documents into the outbox atomically, keeping every previous version under 历史/<time>/."""
from __future__ import annotations

import io
import logging
import os
import shutil
import tempfile
from datetime import datetime
from pathlib import Path

from ..model import DocumentInputs
from .disclosure import build_disclosure
from .filing import build_filing

log = logging.getLogger(__name__)

HISTORY_DIR = "历史"
TIMESTAMP = "%Y%m%d-%H%M%S"
FILING_NAME = "备案表.docx"
DISCLOSURE_NAME = "改革情况公开.docx"


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # not possible on Windows; the rename is still atomic there
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _new_history_dir(outbox: Path, now: datetime) -> Path:
    """`历史/<YYYYmmdd-HHMMSS>`, or `…-2`, `…-3` when that folder already exists: nothing is overwritten."""
    root = outbox / HISTORY_DIR
    root.mkdir(parents=True, exist_ok=True)
    stamp = now.strftime(TIMESTAMP)
    for attempt in range(1, 1000):
        folder = root / (stamp if attempt == 1 else f"{stamp}-{attempt}")
        try:
            folder.mkdir()
            return folder
        except FileExistsError:
            continue
    raise RuntimeError(f"cannot find a free history folder for {stamp} in {root}")


def _write_temp(outbox: Path, name: str, data: bytes) -> Path:
    fd, temp = tempfile.mkstemp(dir=outbox, prefix=f".{name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return Path(temp)


def _keep_previous(target: Path, history: Path) -> Path:
    """Put the current version into history; a hard link keeps `target` in place until it is replaced."""
    kept = history / target.name
    try:
        os.link(target, kept)
    except OSError:  # file systems without hard links
        shutil.copy2(target, kept)
    return kept


_VOLATILE_PARTS = {"docProps/core.xml", "docProps/app.xml"}  # save times and counters, not content


def _parts(data: bytes) -> dict[str, bytes]:
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {n: z.read(n) for n in z.namelist() if n not in _VOLATILE_PARTS}


def _unchanged(target: Path, data: bytes) -> bool:
    """The document already published says exactly this: no new version, no history entry."""
    try:
        return _parts(target.read_bytes()) == _parts(data)
    except Exception:  # unreadable or not a zip: publish the new one
        return False


def _serialise(doc) -> bytes:
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def publish_documents(outbox: Path, docs: dict, now: datetime | None = None) -> dict[str, Path]:
    """Write each document to `outbox/<name>` atomically; earlier versions move to `outbox/历史/<time>/<name>`.

    A document whose content is the same as the one already published is left as it is.

    Each file is written to a temporary file in the same folder, fsynced, then renamed over the old one,
    so a reader sees the old or the new file whole, never half of one.
    """
    outbox = Path(outbox)
    outbox.mkdir(parents=True, exist_ok=True)
    now = now or datetime.now()
    history: Path | None = None
    written: dict[str, Path] = {}
    for name, doc in docs.items():
        if Path(name).name != name or name in ("", ".", "..", HISTORY_DIR):
            raise ValueError(f"document name must be a plain file name: {name!r}")
        target = outbox / name
        data = _serialise(doc)
        if target.exists() and _unchanged(target, data):
            written[name] = target
            continue
        temp = _write_temp(outbox, name, data)
        try:
            if target.exists():
                history = history or _new_history_dir(outbox, now)
                kept = _keep_previous(target, history)
                log.info("previous %s kept as %s", name, kept)
            os.replace(temp, target)
        except BaseException:
            temp.unlink(missing_ok=True)
            raise
        written[name] = target
    if history is not None:
        _fsync_dir(history)
    _fsync_dir(outbox)
    return written


def write_documents(inputs: DocumentInputs, outbox: Path, now: datetime | None = None) -> dict[str, Path]:
    """Build both documents and publish them as 备案表.docx and 改革情况公开.docx."""
    docs = {FILING_NAME: build_filing(inputs), DISCLOSURE_NAME: build_disclosure(inputs)}
    paths = publish_documents(outbox, docs, now=now)
    return {"filing": paths[FILING_NAME], "disclosure": paths[DISCLOSURE_NAME]}
