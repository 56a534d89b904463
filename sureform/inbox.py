"""The inbox: which files are ready to read, whose they are, and where they go afterwards.

A file is left alone while it may still be written (changed within the stability window), and
Excel/WPS lock files, hidden and temporary files are never touched. A processed file is copied to
`<state>/archive/` (accepted) or `<state>/rejected/` first and removed from the inbox only after the
master dataset committed, so a run killed at any instant loses nothing.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from .grid import SPREADSHEET_SUFFIXES

DOCUMENT_SUFFIXES = {".docx"}
ACCEPTED_SUFFIXES = SPREADSHEET_SUFFIXES | DOCUMENT_SUFFIXES
TEMP_SUFFIXES = {".tmp", ".temp", ".part", ".crdownload", ".download", ".swp", ".bak", ".wbk", ".partial"}
IGNORED_NAMES = {"readme.md", "thumbs.db", "desktop.ini", ".ds_store"}


@dataclass
class InboxFile:
    path: Path
    rel: str  # relative to the inbox, with forward slashes
    unit: str | None  # first-level subfolder, if any
    size: int
    mtime: float


@dataclass
class SkippedFile:
    rel: str
    reason: str  # Chinese, for the person who dropped it


def is_ignored(name: str) -> bool:
    """Lock files, hidden files, temporary files: never ours to read or move."""
    low = name.lower()
    return (
        name.startswith("~$")
        or name.startswith(".~lock.")
        or name.startswith(".")
        or name.startswith("~")
        or low in IGNORED_NAMES
        or Path(low).suffix in TEMP_SUFFIXES
    )


def scan_inbox(inbox: Path, stable_seconds: float = 5.0, now: float | None = None) -> tuple[list[InboxFile], list[SkippedFile]]:
    """Ready files (in arrival order) and the files left for later, with the reason."""
    now = time.time() if now is None else now
    ready: list[InboxFile] = []
    skipped: list[SkippedFile] = []
    if not inbox.exists():
        return ready, skipped
    for dirpath, dirnames, filenames in os.walk(inbox):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and not d.startswith("~"))
        for name in sorted(filenames):
            if is_ignored(name):
                continue
            path = Path(dirpath) / name
            rel = path.relative_to(inbox).as_posix()
            try:
                st = path.stat()
            except FileNotFoundError:
                continue
            if path.suffix.lower() not in ACCEPTED_SUFFIXES:
                skipped.append(SkippedFile(rel, f"不支持的文件类型“{path.suffix or '无扩展名'}”，请提交 .xlsx、.xls、.xlsm 或 .csv 文件"))
                continue
            if now - st.st_mtime < stable_seconds:
                skipped.append(SkippedFile(rel, "文件可能仍在写入，稍后再处理"))
                continue
            parts = Path(rel).parts
            unit = parts[0] if len(parts) > 1 else None
            ready.append(InboxFile(path, rel, unit, st.st_size, st.st_mtime))
    ready.sort(key=lambda f: (f.mtime, f.rel))  # arrival order: of two rosters of a unit, the later one wins
    return ready, skipped


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def stored_path(state: Path, status: str, unit: str | None, name: str, sha256: str) -> Path:
    """Deterministic from content, so a retried run finds its own copy instead of making another."""
    folder = "archive" if status == "accepted" else "rejected"
    return state / folder / (unit or "_校级或未知单位") / f"{sha256[:12]}_{name}"


def keep_copy(src: Path, dest: Path) -> Path:
    """Copy src to dest atomically (temp file + rename); an existing dest with the same name is the same bytes."""
    if dest.exists():
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.tmp")
    shutil.copy2(src, tmp)
    with open(tmp, "rb") as f:
        os.fsync(f.fileno())
    os.replace(tmp, dest)
    return dest


def release(path: Path, expected_sha256: str) -> bool:
    """Remove a file from the inbox once a copy is kept, unless the sender replaced it meanwhile."""
    try:
        if file_sha256(path) != expected_sha256:
            return False
        path.unlink()
    except FileNotFoundError:
        return False
    return True
