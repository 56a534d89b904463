"""The inbox: which files are ready to read, whose they are, and where they go afterwards.

A file is left alone while it may still be written (changed within the stability window, or held open for
writing by any process), and Excel/WPS lock files, hidden and temporary files are never touched. A processed
file is copied to `<state>/archive/` (accepted) or `<state>/rejected/` first and removed from the inbox only
after the master dataset committed, so a run killed at any instant loses nothing.

Release is guarded, because a copy can stall half-way for any length of time (a slow VPN, a laptop lid
closed) while the sender's copy program still holds the file open:

- a file leaves the inbox only if its size, mtime and bytes are still those that were processed and no
  process holds it open for writing (checked under a Linux read lease, which also makes a writer's `open`
  wait until the file has left: there is no gap between the check and the move);
- it leaves by `rename` into `<state>/released/` when that is on the same file system, so the very file (the
  inode the sender's copy program may still be writing) is parked, not unlinked; a parked file that changes
  afterwards is put back into the inbox by the next run (`revive_released`) and processed as it now is.
"""
from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import logging
import os
import shutil
import signal
import stat
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Iterator

from sureform.atomic import (NotRegularFile, copy_temp, gbk_guess, open_regular, safe_component, safe_join, shown_name,
                             undecodable, unit_name_problem)
from sureform.intake.grid import SPREADSHEET_SUFFIXES

log = logging.getLogger("sureform")

DOCUMENT_SUFFIXES = {".docx"}
ACCEPTED_SUFFIXES = SPREADSHEET_SUFFIXES | DOCUMENT_SUFFIXES
TEMP_SUFFIXES = {".tmp", ".temp", ".part", ".crdownload", ".download", ".swp", ".bak", ".wbk", ".partial"}
IGNORED_NAMES = {"readme.md", "thumbs.db", "desktop.ini", ".ds_store"}
# An unreadable file changed this recently may be a copy that stalled half-way: it is not rejected but
# reported as still arriving, and retried.
ARRIVAL_WINDOW = 120.0
RELEASED_DIR = "released"
PARKED_DAYS = 7  # a parked file unchanged this long is removed (its bytes stay in archive/ or rejected/)
STILL_WRITING = "文件正在写入（仍被其他程序打开），稍后再处理"

_F_SETSIG, _F_GETLEASE = 10, 1025  # Linux fcntl commands Python does not name


@dataclass
class InboxFile:
    path: Path
    rel: str  # relative to the inbox, with forward slashes
    unit: str | None  # first-level subfolder, if any
    size: int
    mtime: float
    mtime_ns: int = 0


@dataclass
class SkippedFile:
    rel: str
    reason: str  # Chinese, for the person who dropped it
    arriving: bool = False  # still being written: read by a later run (no document is rewritten meanwhile)


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


# ---- is anybody writing it? ------------------------------------------------------------------------
class WriterPresent(Exception):
    """Some process holds the file open for writing (or started to open it while we looked)."""


@contextmanager
def no_writer(path: Path) -> Iterator[tuple[int, bool]]:
    """Open `path` read-only and, where the OS allows, hold a read lease on it for the block.

    Yields (fd, leased). Raises WriterPresent when a process has the file open for writing. While leased,
    a process that opens the file for writing waits (up to the kernel's lease-break time) until the block
    ends. `leased` is False where leases are not available (network shares, other systems, no rights):
    then nothing can be told about writers, and the callers rely on size, mtime and bytes alone.
    """
    fd = open_regular(path)  # never through a link, never waiting on a FIFO
    leased = False
    try:
        try:
            leased = take_read_lease(fd)
        except WriterPresent:
            raise WriterPresent(str(path)) from None
        yield fd, leased
    finally:
        if leased:
            try:
                fcntl.fcntl(fd, fcntl.F_SETLEASE, fcntl.F_UNLCK)
            except OSError:
                pass
        os.close(fd)


def take_read_lease(fd: int) -> bool:
    """A read lease on `fd` (True), or False where the file system or our rights allow none (a network share:
    nothing can be told about writers there). Raises WriterPresent if the file is open for writing."""
    try:
        fcntl.fcntl(fd, _F_SETSIG, signal.SIGURG)  # a lease break signals us: SIGURG is ignored by default
        fcntl.fcntl(fd, fcntl.F_SETLEASE, fcntl.F_RDLCK)
        return True
    except OSError as exc:
        if exc.errno in (errno.EAGAIN, errno.EBUSY, errno.ETXTBSY):
            raise WriterPresent() from None
        return False  # EINVAL/ENOLCK (no leases there), EACCES (not our file)
    except AttributeError:  # not Linux
        return False


def writer_knocked(fd: int, leased: bool) -> bool:
    """A process started to open the leased file for writing while we held it (it waits for us)."""
    return leased and fcntl.fcntl(fd, _F_GETLEASE) != fcntl.F_RDLCK


def nobody_writing(path: Path) -> bool:
    """True only when the kernel can vouch that no process holds `path` open for writing (a local file system
    with leases); False when someone does, or when it cannot be told (a network share)."""
    try:
        with no_writer(path) as (_fd, leased):
            return leased
    except (WriterPresent, OSError):
        return False


def being_written(path: Path) -> bool:
    """True when some process holds `path` open for writing (False when nobody does, or it cannot be told)."""
    try:
        with no_writer(path):
            return False
    except WriterPresent:
        return True
    except OSError:
        return False


# ---- scanning ----------------------------------------------------------------------------------------
def scan_inbox(inbox: Path, stable_seconds: float = 5.0, now: float | None = None) -> tuple[list[InboxFile], list[SkippedFile]]:
    """Ready files (in arrival order) and the files left for later, with the reason."""
    now = time.time() if now is None else now
    ready: list[InboxFile] = []
    skipped: list[SkippedFile] = []
    if not inbox.exists():
        return ready, skipped
    for dirpath, dirnames, filenames in os.walk(inbox):  # never into a linked folder (followlinks=False)
        top = Path(dirpath) == Path(inbox)
        kept = []
        for d in sorted(dirnames):
            rel = shown_name((Path(dirpath) / d).relative_to(inbox).as_posix())
            reason = _folder_problem(Path(dirpath) / d, d, top)
            if reason == "":
                continue  # hidden or system folders (.snapshot, ~…): not the senders'
            if reason:
                skipped.append(SkippedFile(rel + "/", reason))
                continue
            kept.append(d)
        dirnames[:] = kept
        for name in sorted(filenames):
            if is_ignored(name):
                continue
            path = Path(dirpath) / name
            rel = path.relative_to(inbox).as_posix()
            if undecodable(name):
                skipped.append(SkippedFile(shown_name(rel), not_utf8_reason("文件", name)))
                continue
            try:
                st = path.lstat()
            except FileNotFoundError:
                continue
            if stat.S_ISLNK(st.st_mode):
                skipped.append(SkippedFile(rel, LINK_SKIPPED))
                continue
            if not stat.S_ISREG(st.st_mode):
                skipped.append(SkippedFile(rel, SPECIAL_SKIPPED))
                continue
            if path.suffix.lower() not in ACCEPTED_SUFFIXES:
                skipped.append(SkippedFile(rel, f"不支持的文件类型“{path.suffix or '无扩展名'}”，请提交 .xlsx、.xls、.xlsm 或 .csv 文件"))
                continue
            if now - st.st_mtime < stable_seconds:
                skipped.append(SkippedFile(rel, "文件可能仍在写入，稍后再处理", arriving=True))
                continue
            if being_written(path):
                skipped.append(SkippedFile(rel, STILL_WRITING, arriving=True))
                continue
            parts = Path(rel).parts
            unit = parts[0] if len(parts) > 1 else None
            ready.append(InboxFile(path, rel, unit, st.st_size, st.st_mtime, st.st_mtime_ns))
    ready.sort(key=lambda f: (f.mtime, f.rel))  # arrival order: of two rosters of a unit, the later one wins
    return ready, skipped


LINK_SKIPPED = "这是一个链接（快捷方式），不会读取它指向的文件，也不会移动或复制它。请放入文件本身"
SPECIAL_SKIPPED = "这不是普通文件（设备、管道等），不会读取，也不会移动或复制它"


def not_utf8_reason(what: str, name: str) -> str:
    """Why a file or folder whose name is not UTF-8 is not read (it cannot be named in any output)."""
    guess = gbk_guess(name)
    said = f"（按 GBK 编码应为“{guess}”）" if guess else ""
    inside = "其中的文件不会处理" if what == "文件夹" else "不会读取"
    return (f"{what}名称“{shown_name(name)}”{said}不是有效的 UTF-8 编码（通常是在 Windows 上打包、在本机解压的压缩包），"
            f"{inside}。请把{what}重新命名后再放入")


def _folder_problem(path: Path, name: str, top: bool) -> str | None:
    """Why a folder's files are not read (Chinese), "" for folders silently not ours, None when it is read."""
    if undecodable(name):
        return not_utf8_reason("文件夹", name)
    if name.strip(".") == "":
        return "文件夹名称只有“.”，其中的文件不会处理。请把文件放入以系名命名的子文件夹"
    if name.startswith(".") or name.startswith("~"):
        return ""
    try:
        st = path.lstat()
    except OSError:
        return ""
    if stat.S_ISLNK(st.st_mode):
        return "这是一个链接的文件夹（快捷方式），其中的文件不会读取。请把文件夹本身放入收件文件夹"
    if not stat.S_ISDIR(st.st_mode):
        return SPECIAL_SKIPPED
    if top and (problem := unit_name_problem(name)):
        return f"文件夹名称“{name}”不能作为系名（{problem}），其中的文件不会处理。请改用系的名称"
    return None


def may_still_arrive(mtime: float, now: float | None = None) -> bool:
    """Changed within ARRIVAL_WINDOW: an unreadable file this young may be a stalled copy, not a broken one."""
    return (time.time() if now is None else now) - mtime < ARRIVAL_WINDOW


def file_sha256(path: Path) -> str:
    """The hash of a plain file's bytes; a link, FIFO or device raises NotRegularFile (an OSError), unread."""
    fd = open_regular(path)
    try:
        return _fd_sha256(fd)
    finally:
        os.close(fd)


def _fd_sha256(fd: int) -> str:
    h = hashlib.sha256()
    offset = 0
    while chunk := os.pread(fd, 1 << 20, offset):
        h.update(chunk)
        offset += len(chunk)
    return h.hexdigest()


def stored_path(state: Path, status: str, unit: str | None, name: str, sha256: str) -> Path:
    """Deterministic from content, so a retried run finds its own copy instead of making another. The name is
    short and safe whatever the sender called the file (hash, then the name cut to fit 200 bytes); a unit
    that cannot name a folder is kept with the unknown ones."""
    folder = "archive" if status == "accepted" else "rejected"
    unit_folder = unit if unit and unit_name_problem(unit) is None else "_校级或未知单位"
    return safe_join(state, folder, safe_component(unit_folder, 120), safe_component(f"{sha256[:12]}_{name}"))


class ChangedWhileRead(Exception):
    """The file's bytes are no longer those that were read: it is still being written."""


def keep_copy(src: Path, dest: Path, expected_sha256: str | None = None, durable: bool = True) -> Path:
    """Copy src to dest atomically (temp file + rename); an existing dest with the same name is the same bytes.

    With `expected_sha256`, the copy is kept only if it holds exactly those bytes (else ChangedWhileRead):
    what is archived is what was validated. With `durable` False the copy is not fsynced: the caller makes the
    batch durable at once (`atomic.make_durable`) before anything names it. A copy already there is kept when
    its size is right (its name is its hash: a copy of another size was cut short by a machine's crash)."""
    if dest.exists():
        try:
            if dest.stat().st_size == src.stat().st_size:
                return dest
        except FileNotFoundError:  # the sender's file taken away meanwhile: the copy is what there is
            return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = copy_temp(src, dest, durable)
    if expected_sha256 is not None and file_sha256(tmp) != expected_sha256:
        tmp.unlink(missing_ok=True)
        raise ChangedWhileRead(str(src))
    os.replace(tmp, dest)
    return dest


# ---- release -----------------------------------------------------------------------------------------
def release(path: Path, expected_sha256: str, state: Path | None = None, size: int | None = None,
            mtime_ns: int | None = None, rel: str | None = None) -> bool:
    """Take a processed file out of the inbox, unless it is no longer exactly what was processed.

    Left in place (returns False) when: it vanished; its size or mtime differ from `size`/`mtime_ns` (as
    seen when it was read); its bytes differ from `expected_sha256`; or a process holds it open for
    writing. With `state`, the file is parked in `<state>/released/` by rename (same inode: a copy still
    writing into it keeps writing there, and `revive_released` brings it back); across file systems it is
    unlinked.
    """
    try:
        with no_writer(path) as (fd, leased):
            st = os.fstat(fd)
            if (size is not None and st.st_size != size) or (mtime_ns is not None and st.st_mtime_ns != mtime_ns):
                return False
            if _fd_sha256(fd) != expected_sha256:
                return False
            now_st = os.stat(path)
            if (now_st.st_dev, now_st.st_ino) != (st.st_dev, st.st_ino):
                return False  # replaced by another file meanwhile
            if writer_knocked(fd, leased):
                raise WriterPresent(str(path))
            if state is not None and _park(path, Path(state), expected_sha256, st, rel or path.name):
                return True
            path.unlink()
            return True
    except WriterPresent:
        log.info("%s 仍被其他程序打开写入，留在收件文件夹中", path)
        return False
    except FileNotFoundError:
        return False


def _park(path: Path, state: Path, sha256: str, st: os.stat_result, rel: str) -> bool:
    folder = state / RELEASED_DIR / f"{datetime.now().strftime('%Y%m%d-%H%M%S')}-{sha256[:12]}-{os.getpid()}"
    try:
        folder.mkdir(parents=True, exist_ok=False)
    except FileExistsError:
        return False
    except OSError:
        return False
    record = {"rel": rel, "size": st.st_size, "mtime_ns": st.st_mtime_ns, "sha256": sha256,
              "parked": time.time()}
    (folder / "origin.json").write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    try:
        os.rename(path, folder / "file")
        return True
    except OSError:  # EXDEV: the inbox is on another file system (a share): unlink instead
        shutil.rmtree(folder, ignore_errors=True)
        return False


def revive_released(inbox: Path, state: Path, now: float | None = None) -> list[str]:
    """Put back into the inbox every parked file that changed after it left (a copy that went on writing);
    remove parked files unchanged for PARKED_DAYS. Returns the inbox-relative paths put back."""
    now = time.time() if now is None else now
    root = Path(state) / RELEASED_DIR
    revived: list[str] = []
    if not root.is_dir():
        return revived
    for folder in sorted(root.iterdir()):
        try:
            record = json.loads((folder / "origin.json").read_text(encoding="utf-8"))
            st = (folder / "file").stat()
        except (OSError, ValueError):
            if folder.is_dir() and not (folder / "file").exists():
                shutil.rmtree(folder, ignore_errors=True)  # an interrupted park: nothing was moved
            continue
        if (st.st_size, st.st_mtime_ns) != (record["size"], record["mtime_ns"]):
            if being_written(folder / "file"):
                continue  # still being written: wait until the copy is done
            target = _free_name(Path(inbox) / record["rel"])
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                os.rename(folder / "file", target)
            except OSError as exc:
                log.warning("无法把续写完成的文件放回收件文件夹 %s：%s", target, exc)
                continue
            shutil.rmtree(folder, ignore_errors=True)
            rel = target.relative_to(inbox).as_posix()
            log.warning("文件 %s 在处理后仍在继续写入（复制中途停顿过），已放回收件文件夹重新处理", rel)
            revived.append(rel)
        elif now - float(record.get("parked", now)) > PARKED_DAYS * 86400:
            shutil.rmtree(folder, ignore_errors=True)
    return revived


def _free_name(target: Path) -> Path:
    if not target.exists():
        return target
    for n in range(2, 1000):
        candidate = target.with_name(f"{target.stem}（续传{n}）{target.suffix}")
        if not candidate.exists():
            return candidate
    return target.with_name(f"{target.stem}（续传{os.getpid()}）{target.suffix}")
