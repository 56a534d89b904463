"""Writing documents into the outbox atomically, keeping previous versions under 历史/<time>/.

历史/ is pruned after each publish (`prune_history`): every version of the last `history_days` days, and before
that the newest version of each calendar month, for each document name.
"""
from __future__ import annotations

import io
import logging
import os
import re
import shutil
from datetime import datetime, timedelta
from pathlib import Path

from sureform.atomic import Access, apply_access, fsync_folder, make_folder, write_temp
from sureform.intake.supplied import docx_problem
from sureform.model import DocumentInputs
from sureform.outputs.documents.disclosure import build_disclosure
from sureform.outputs.documents.filing import build_filing

log = logging.getLogger(__name__)

HISTORY_DIR = "历史"
TIMESTAMP = "%Y%m%d-%H%M%S"
HISTORY_DAYS = 30  # default of the `history_days` setting
_HISTORY_FOLDER = re.compile(r"(\d{8}-\d{6})(?:-(\d+))?")  # `<stamp>` or `<stamp>-2`, `-3`… (see _new_history_dir)
FILING_NAME = "备案表.docx"
DISCLOSURE_NAME = "改革情况公开.docx"


def _new_history_dir(outbox: Path, now: datetime, access: Access | None = None) -> Path:
    """`历史/<YYYYmmdd-HHMMSS>`, or `…-2`, `…-3` when that folder already exists: nothing is overwritten."""
    root = make_folder(outbox / HISTORY_DIR, access)
    stamp = now.strftime(TIMESTAMP)
    for attempt in range(1, 1000):
        folder = root / (stamp if attempt == 1 else f"{stamp}-{attempt}")
        try:
            folder.mkdir()
            apply_access(folder, access, folder=True)
            return folder
        except FileExistsError:
            continue
    raise RuntimeError(f"cannot find a free history folder for {stamp} in {root}")


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
    """The document's bytes, re-opened with python-docx (and free of DOCTYPEs and outside references) before
    anything is published: a document that does not open is never put in place of the old one."""
    import docx

    buffer = io.BytesIO()
    doc.save(buffer)
    data = buffer.getvalue()
    if (problem := docx_problem(data)) is not None:
        raise ValueError(f"the document would not be safe to open: {problem}")
    docx.Document(io.BytesIO(data))  # raises when Word would not open it either
    return data


def _history_folders(root: Path) -> list[tuple[datetime, int, Path]]:
    """(time, suffix, folder) for each `历史/<YYYYmmdd-HHMMSS>[-n]` folder; anything else is not ours and is left."""
    out = []
    for folder in root.iterdir():
        m = _HISTORY_FOLDER.fullmatch(folder.name)
        if not m or folder.is_symlink() or not folder.is_dir():
            continue
        try:
            stamp = datetime.strptime(m.group(1), TIMESTAMP)
        except ValueError:
            continue
        out.append((stamp, int(m.group(2) or 1), folder))
    return out


def prune_history(outbox: Path, history_days: int = HISTORY_DAYS, now: datetime | None = None) -> list[Path]:
    """Trim `outbox/历史/`: for each document name keep every version put aside in the last `history_days` days and,
    of the older ones, the newest of each calendar month; remove the rest, then the timestamp folders left empty.

    Only `历史/<timestamp>/` folders are touched (the published files in `outbox/` are separate links and never
    removed; a folder or file that does not look like ours is left). Returns the removed files.
    """
    root = Path(outbox) / HISTORY_DIR
    if not root.is_dir():
        return []
    now = now or datetime.now()
    cutoff = now - timedelta(days=history_days)
    folders = sorted(_history_folders(root))  # oldest first; same second: by suffix
    versions: dict[str, list[tuple[datetime, Path]]] = {}
    for stamp, _, folder in folders:
        for item in folder.iterdir():
            if item.is_file() or item.is_symlink():  # a symlink is removed as a link, never followed
                versions.setdefault(item.name, []).append((stamp, item))
    removed: list[Path] = []
    for dated in versions.values():
        newest_of_month: set[tuple[int, int]] = set()
        for stamp, item in reversed(dated):  # newest first
            if stamp >= cutoff:
                continue
            month = (stamp.year, stamp.month)
            if month not in newest_of_month:
                newest_of_month.add(month)
                continue
            item.unlink(missing_ok=True)
            removed.append(item)
    for _, _, folder in folders:
        try:
            folder.rmdir()  # only succeeds when empty
        except OSError:
            continue
    if removed:
        log.info("历史/：删除了 %d 个旧版本（保留最近 %d 天的全部版本，更早的每个文档每月一份）", len(removed), history_days)
    return removed


def publish_documents(outbox: Path, docs: dict, now: datetime | None = None,
                      history_days: int | None = HISTORY_DAYS, access: Access | None = None) -> dict[str, Path]:
    """Write each document to `outbox/<name>` atomically; earlier versions move to `outbox/历史/<time>/<name>`.

    A document whose content is the same as the one already published is left as it is. Afterwards 历史/ is
    pruned (`prune_history` with `history_days`, measured from `now`; None: keep everything); a failure there is
    logged, never raised.

    Each file is written to a temporary file in the same folder, fsynced, then renamed over the old one,
    so a reader sees the old or the new file whole, never half of one; every document is written so before any
    is renamed. A document may be given as a function that builds it: it is built when its turn comes and let
    go of once written.
    """
    outbox = Path(outbox)
    outbox.mkdir(parents=True, exist_ok=True)
    now = now or datetime.now()
    history: Path | None = None
    written: dict[str, Path] = {}
    for name in docs:
        if Path(name).name != name or name in ("", ".", "..", HISTORY_DIR):
            raise ValueError(f"document name must be a plain file name: {name!r}")
    # first every document in a temporary file beside its target (a document given as a function is built
    # only now, and let go of once written: a form of hundreds of tables is held once, not twice), then all
    # of them put in place: a document that fails to build or to open leaves every published one as it was
    temps: dict[str, Path] = {}
    try:
        for name in list(docs):
            target = outbox / name
            doc = docs[name]
            data = _serialise(doc() if callable(doc) else doc)
            del doc
            if target.exists() and _unchanged(target, data):
                apply_access(target, access)  # a changed setting holds for the documents already there too
                written[name] = target
                continue
            temps[name] = write_temp(target, data, access)
            del data
        for name, temp in temps.items():
            target = outbox / name
            if target.exists():
                history = history or _new_history_dir(outbox, now, access)
                kept = _keep_previous(target, history)
                log.debug("previous %s kept as %s", name, kept)
            os.replace(temp, target)
            written[name] = target
    finally:
        for temp in temps.values():
            temp.unlink(missing_ok=True)
    if history is not None:
        fsync_folder(history)
    fsync_folder(outbox)
    if history_days is not None:
        try:
            prune_history(outbox, history_days, now)
        except Exception as exc:  # noqa: BLE001 — the documents are published; old versions wait for the next one
            log.warning("无法清理 %s：%s", outbox / HISTORY_DIR, exc)
    return written


def write_documents(inputs: DocumentInputs, outbox: Path, now: datetime | None = None,
                    history_days: int | None = HISTORY_DAYS, access: Access | None = None) -> dict[str, Path]:
    """Build both documents and publish them as 备案表.docx and 改革情况公开.docx."""
    docs = {FILING_NAME: lambda: build_filing(inputs), DISCLOSURE_NAME: lambda: build_disclosure(inputs)}
    paths = publish_documents(outbox, docs, now=now, history_days=history_days, access=access)
    return {"filing": paths[FILING_NAME], "disclosure": paths[DISCLOSURE_NAME]}
