"""Writing outputs so that a reader never sees a half-written file: the one way it is done; and the one way a
name from outside (a folder, a cell, a sender's file name) becomes a path (`safe_join`, `safe_component`,
`unit_name_problem`), and a file is opened for reading without following a link (`open_regular`); and the one
way such a name or value is shown on a terminal or in a log line (`printable`).

Every write goes to a temporary file beside its target, named by `temp_beside` (`.<stem>.<pid>.tmp<suffix>`,
the one name `sureform.runlock.sweep_leftovers` recognises as a killed run's leftover), is fsynced, then
renamed over the target. Files are created with the usual permissions (0666 less the umask), so the league
office's other accounts on the share can open them, unless the caller gives an `Access` (a mode, and an owner and
group): then the temporary file is created with it before anything is written into it, so nobody else can open
the file at any moment (a unit's feedback, the league office's 汇总.xlsx and documents).
"""
from __future__ import annotations

import errno
import os
import re
import shutil
import stat
import sys
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator


@dataclass(frozen=True)
class Access:
    """Who may read what is written: a folder mode (files get the same bits without execute) and an owner and
    group (None: the process's own). Changing the owner needs the rights to do so; without them the mode still
    holds (see `apply_access`)."""

    mode: int = 0o750
    uid: int | None = None
    gid: int | None = None

    @property
    def file_mode(self) -> int:
        return self.mode & 0o666


def apply_access(path: Path | int, access: Access | None, folder: bool = False) -> bool:
    """Give `path` (or an open descriptor) `access`: owner and group first, then the mode (the mode is set even
    when the owner cannot be changed; returns False then, for the caller to say so)."""
    if access is None:
        return True
    owned = True
    if access.uid is not None or access.gid is not None:
        uid = -1 if access.uid is None else access.uid
        gid = -1 if access.gid is None else access.gid
        try:
            (os.fchown if isinstance(path, int) else os.chown)(path, uid, gid)
        except PermissionError:  # not root: keep the owner, try the group alone (allowed when we are a member)
            owned = False
            if gid != -1:
                try:
                    (os.fchown if isinstance(path, int) else os.chown)(path, -1, gid)
                except PermissionError:
                    pass
    mode = access.mode if folder else access.file_mode
    (os.fchmod if isinstance(path, int) else os.chmod)(path, mode)
    return owned


def make_folder(path: Path, access: Access | None) -> Path:
    """`path` and its missing parents (those with the usual permissions); `path` itself gets `access`."""
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    if access is not None:
        apply_access(path, access, folder=True)
    return path


def _create_temp(tmp: Path, access: Access | None) -> None:
    """The temporary file, empty, with `access` before a byte is written (never through a link)."""
    if access is None:
        return
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0),
                 access.file_mode)
    try:
        apply_access(fd, access)
    finally:
        os.close(fd)


def temp_beside(dest: Path) -> Path:
    dest = Path(dest)
    return dest.with_name(f".{dest.stem}.{os.getpid()}.tmp{dest.suffix}")


def fsync_path(path: Path) -> None:
    with open(path, "rb") as f:
        os.fsync(f.fileno())


@contextmanager
def atomic_path(dest: Path, access: Access | None = None) -> Iterator[Path]:
    """Yield a temporary path beside `dest`; on success it is fsynced and renamed over `dest`. With `access`, the
    temporary file already exists, created with it: write into it (truncating), never replace it."""
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_beside(dest)
    try:
        _create_temp(tmp, access)
        yield tmp
        fsync_path(tmp)
        os.replace(tmp, dest)
    finally:
        if tmp.exists():
            tmp.unlink()


def write_temp(dest: Path, data: bytes, access: Access | None = None) -> Path:
    """`data` in a fsynced temporary file beside `dest`, for the caller to rename over it (or several together)."""
    tmp = temp_beside(dest)
    try:
        _create_temp(tmp, access)
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def copy_temp(src: Path, dest: Path, durable: bool = True) -> Path:
    """A copy of `src` (with its mtime) in a temporary file beside `dest`, fsynced unless `durable` is False (the
    caller then makes a whole batch durable at once: `make_durable`)."""
    tmp = temp_beside(dest)
    try:
        fd = open_regular(src)  # a link or a FIFO put in its place is never followed
        with os.fdopen(fd, "rb") as f, open(tmp, "wb") as out:
            shutil.copyfileobj(f, out, 1 << 20)
            st = os.fstat(f.fileno())
        os.utime(tmp, ns=(st.st_atime_ns, st.st_mtime_ns))
        if durable:
            fsync_path(tmp)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def make_durable(paths: list[Path]) -> None:
    """Files written (and renamed into place) without a fsync each, made durable together with the folders that
    name them: one `syncfs` of each file system they are on (Linux), else a fsync of every file and folder. A batch
    of 2,000 copies costs one journal commit instead of 2,000."""
    if not paths:
        return
    folders = sorted({Path(p).parent for p in paths})
    syncfs = _syncfs()
    if syncfs is not None:
        done: set[int] = set()
        for folder in folders:
            fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0))
            try:
                dev = os.fstat(fd).st_dev
                if dev in done:
                    continue
                if syncfs(fd) == 0:
                    done.add(dev)
                    continue
            finally:
                os.close(fd)
            break  # refused (an old kernel, a file system without it): file by file below
        else:
            return
    for p in paths:
        fsync_path(p)
    for folder in folders:
        fsync_folder(folder)


def fsync_folder(folder: Path) -> None:
    """A folder's entries (a rename into it) made durable; a system that cannot open a folder skips it."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _syncfs():
    """libc's syncfs(fd), or None where there is none (not Linux, no libc found)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes
        import ctypes.util

        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        return libc.syncfs
    except (OSError, AttributeError):
        return None


# ---- names → paths: the one place a name from outside (a folder, a cell, a file name) becomes a path -------
UNIT_NAME_MAX = 64  # characters
STORED_NAME_MAX = 200  # bytes (UTF-8), well under the 255 most file systems allow
_WINDOWS_REFUSED = re.compile(r'[:*?"<>|\\/]')  # Windows and SMB refuse these in a name; / and \ separate folders
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


# characters a name may carry that nobody sees: zero-width ones, joiners, marks of direction, the soft hyphen, BOM
_INVISIBLE = re.compile("[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
                        "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0]")
_CJK_GAP = re.compile(r"(?<=[^\x00-\x7f])\s+(?=[^\x00-\x7f])")


def fold_unit_name(name: str | None) -> str | None:
    """A unit's name as it is compared (a folder, a 院系 cell): NFKC (full-width letters, the Kangxi radical ⼯ for
    工, compatibility ideographs), without invisible characters, every odd space (no-break, ideographic, thin …) a
    plain one, none at either end, none between two Chinese characters, runs of them one."""
    if name is None:
        return None
    folded = str(name)
    for _ in range(4):  # until it stays (taking a space away can bring marks together that NFKC then reorders)
        step = unicodedata.normalize("NFKC", _INVISIBLE.sub("", folded))
        step = _CJK_GAP.sub("", " ".join(_INVISIBLE.sub("", step).split()))  # every Unicode space, ends, runs
        if step == folded:
            break
        folded = step
    return folded


def undecodable(name: str) -> bool:
    """A name from the file system that is not valid UTF-8 (e.g. GBK bytes from an archive unzipped as it came
    from Windows): Python hands it over with lone surrogates (os.fsdecode), which no text output can hold."""
    try:
        str(name).encode("utf-8")
        return False
    except UnicodeEncodeError:
        return True


def shown_name(name: str) -> str:
    """`name` as people can be shown it: bytes that are not UTF-8 become the replacement character “�”."""
    name = str(name)
    if not undecodable(name):
        return name
    return _name_bytes(name).decode("utf-8", "replace")


def _name_bytes(name: str) -> bytes:
    try:
        return name.encode("utf-8", "surrogateescape")  # the bytes the file system holds
    except UnicodeEncodeError:  # a surrogate that did not come from undecodable bytes
        return name.encode("utf-8", "replace")


def gbk_guess(name: str) -> str | None:
    """What a non-UTF-8 name reads as in GB18030 (the encoding Chinese Windows writes names in), if it does."""
    try:
        guess = _name_bytes(str(name)).decode("gb18030")
    except UnicodeDecodeError:
        return None
    return guess if guess.isprintable() else None


class UnsafeName(ValueError):
    """A name that cannot be used as one component of a path; the message is Chinese, for people."""


def unit_name_problem(name: str | None) -> str | None:
    """Why `name` (a 系 from a folder or from the 院系 column) cannot name a folder, or None when it can."""
    if name is None or not str(name).strip():
        return "名称为空"
    name = str(name)
    if undecodable(name):
        return "不是有效的 UTF-8 编码"
    folded = unicodedata.normalize("NFKC", name)
    if _CONTROL.search(name) or _CONTROL.search(folded):
        return "含有控制字符"
    if any(sep in folded for sep in ("/", "\\")) or any(sep in name for sep in ("/", "\\")):
        return "含有路径分隔符“/”或“\\”"
    if folded.strip(" .") == "" or ".." in folded:
        return "含有“..”"
    if len(name) > UNIT_NAME_MAX:
        return f"超过 {UNIT_NAME_MAX} 个字"
    if _WINDOWS_REFUSED.search(folded):
        return "含有 Windows 不允许的字符 :*?\"<>|"
    return None


def safe_component(name: str, max_bytes: int = STORED_NAME_MAX, keep_suffix: bool = True) -> str:
    """`name` as one safe path component: separators, control characters and :*?"<>| become “_”, a leading dot
    is dropped (no hidden files, never “.” or “..”), and the stem is cut (on a character boundary) so that the
    whole name fits `max_bytes` in UTF-8, keeping the suffix."""
    name = unicodedata.normalize("NFC", shown_name(name)).replace("\ufffd", "_")
    name = _CONTROL.sub("_", _WINDOWS_REFUSED.sub("_", name)).strip()
    name = name.lstrip(".") or "_"
    stem, suffix = os.path.splitext(name) if keep_suffix else (name, "")
    if len(suffix.encode()) > 16 or not suffix[1:].isalnum():
        stem, suffix = name, ""
    budget = max_bytes - len(suffix.encode())
    while len(stem.encode()) > budget:
        stem = stem[:-1]
    return (stem.rstrip(" .") or "_") + suffix


def safe_join(root: Path, *parts: str) -> Path:
    """`root / part / …` where each part must already be one plain component (see `safe_component`); raises
    UnsafeName for an empty part, “.” or “..”, a separator, a control character, or a result outside `root`."""
    root = Path(root)
    path = root
    for part in parts:
        part = str(part)
        if part in ("", ".", "..") or "/" in part or "\\" in part or _CONTROL.search(part) \
                or len(part.encode("utf-8", "surrogateescape")) > 255:
            raise UnsafeName(f"不能用作文件或文件夹名称：{part!r}")
        path = path / part
    base = os.path.abspath(root)
    if os.path.commonpath([base, os.path.abspath(path)]) != base:
        raise UnsafeName(f"路径不在 {root} 之内：{path}")
    return path


class NotRegularFile(OSError):
    """A link, a device, a FIFO or a folder where a plain file was expected: never read."""


def open_regular(path: Path) -> int:
    """A read-only descriptor of `path`, which must be a plain file: never a link (not followed), a FIFO (never
    waited on) or a device. Raises NotRegularFile (an OSError) otherwise."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise NotRegularFile(errno.ELOOP, "是链接，不读取", str(path)) from None
        raise
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        os.close(fd)
        raise NotRegularFile(errno.EINVAL, "不是普通文件，不读取", str(path))
    return fd


# shown as escapes wherever text from outside reaches a terminal or a log line: C0 controls (ESC, BEL, CR, LF,
# TAB …), DEL, C1 controls, the bidirectional controls (embeddings, overrides, isolates, marks), line and
# paragraph separators, the byte order mark; a lone surrogate (a name that was not UTF-8) is shown as U+FFFD
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ufeff\ud800-\udfff]")


def _escaped(m: re.Match) -> str:
    code = ord(m.group())
    if 0xD800 <= code <= 0xDFFF:
        return "\ufffd"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: object) -> str:
    """`text` (a file or folder name, a cell's value, a message quoting one) safe to write on one line of a
    terminal or a log: every control character is shown as its escape (`\\x1b`, `\\x07`, `\\u202e`), so a
    name cannot move the cursor, retitle the window, clear the screen, reorder the line or start a new one."""
    s = text if isinstance(text, str) else str(text)
    return _UNPRINTABLE.sub(_escaped, s)
