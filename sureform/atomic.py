"""Writing outputs so that a reader never sees a half-written file: the one way it is done.

Every write goes to a temporary file beside its target, named by `temp_beside` (`.<stem>.<pid>.tmp<suffix>`,
the one name `sureform.runlock.sweep_leftovers` recognises as a killed run's leftover), is fsynced, then
renamed over the target. Files are created with the usual permissions (0666 less the umask), so the league
office's other accounts on the share can open them.
"""
from __future__ import annotations

import os
import shutil
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


def temp_beside(dest: Path) -> Path:
    dest = Path(dest)
    return dest.with_name(f".{dest.stem}.{os.getpid()}.tmp{dest.suffix}")


def fsync_path(path: Path) -> None:
    with open(path, "rb") as f:
        os.fsync(f.fileno())


@contextmanager
def atomic_path(dest: Path) -> Iterator[Path]:
    """Yield a temporary path beside `dest`; on success it is fsynced and renamed over `dest`."""
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_beside(dest)
    try:
        yield tmp
        fsync_path(tmp)
        os.replace(tmp, dest)
    finally:
        if tmp.exists():
            tmp.unlink()


def write_temp(dest: Path, data: bytes) -> Path:
    """`data` in a fsynced temporary file beside `dest`, for the caller to rename over it (or several together)."""
    tmp = temp_beside(dest)
    try:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def copy_temp(src: Path, dest: Path) -> Path:
    """A fsynced copy of `src` (with its mtime) in a temporary file beside `dest`."""
    tmp = temp_beside(dest)
    try:
        shutil.copy2(src, tmp)
        fsync_path(tmp)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp
