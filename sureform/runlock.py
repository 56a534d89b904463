"""One run at a time per state folder: an exclusive `flock` on `<state>/run.lock`.

The kernel drops a flock when its process dies, however it dies (`kill -9` included), so a lock left
by a crashed run is stale by construction and the next run simply takes it over; the holder's pid,
host and start time are written into the file for the log line of whoever waits, and for the
"previous run did not finish" notice on takeover.

Re-entrant within one thread (`run_pipeline` takes the lock itself, and so do its callers: the CLI and
the flows), exclusive between threads and processes. Keep the state folder on a local disk: SQLite
in WAL mode needs that anyway, and flock over NFS/SMB is only as good as the share's locking.
"""
from __future__ import annotations

import errno
import fcntl
import json
import logging
import os
import re
import socket
import threading
import time
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Callable, Iterator

log = logging.getLogger("sureform.lock")

LOCK_NAME = "run.lock"
DEFAULT_WAIT = 600.0


class RunBusy(RuntimeError):
    """The lock stayed held by another run for longer than we were willing to wait."""

    def __init__(self, path: Path, holder: dict | None, waited: float):
        self.path, self.holder, self.waited = path, holder, waited
        super().__init__(f"另一次处理正在进行（{describe(holder)}），已等待 {waited:.0f} 秒，本次跳过")


def describe(holder: dict | None) -> str:
    if not holder:
        return "持有者未知"
    what = holder.get("what") or "处理"
    return f"{what}，进程 {holder.get('pid')}@{holder.get('host')}，开始于 {_beijing(holder.get('since'))}"


def _beijing(since) -> str:
    """`2026-12-04T19:36:08+00:00` (as the lock file keeps it) → `2026-12-05 03:36:08`, the time people read."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    try:
        when = datetime.fromisoformat(str(since))
    except ValueError:
        return str(since)
    if when.tzinfo is None:
        return when.strftime("%Y-%m-%d %H:%M:%S")
    try:
        zone = ZoneInfo(os.environ.get("SUREFORM_TIMEZONE", "").strip() or "Asia/Shanghai")
    except (ValueError, OSError):
        zone = ZoneInfo("Asia/Shanghai")
    return when.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")


_local = threading.local()


def _held() -> dict[str, list]:
    if not hasattr(_local, "held"):
        _local.held = {}  # path -> [fd, depth]
    return _local.held


def read_holder(path: Path) -> dict | None:
    try:
        text = Path(path).read_text(encoding="utf-8").strip()
        return json.loads(text) if text else None
    except (OSError, ValueError):
        return None


def pid_alive(pid: int) -> bool:
    """The process exists and has not exited (a zombie nobody has reaped yet counts as gone)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat[stat.rindex(")") + 2] != "Z"
    except (OSError, ValueError, IndexError):
        return True


def _try_flock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except OSError as exc:
        if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
            return False
        raise


@contextmanager
def file_lock(path: Path, wait: float | None = None, what: str = "处理",
              on_wait: Callable[[dict | None], None] | None = None, poll: float = 0.2) -> Iterator[dict]:
    """Hold an exclusive lock on `path` for the block; wait at most `wait` seconds, else raise RunBusy.

    `on_wait(holder)` is called once if the lock is busy when we arrive (the default logs a line).
    Yields the information written into the lock file. `wait=None`: DEFAULT_WAIT.
    """
    wait = DEFAULT_WAIT if wait is None else wait
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    key = str(path.parent.resolve() / path.name)
    held = _held()
    if key in held:  # same thread, nested: already ours
        held[key][1] += 1
        try:
            yield read_holder(path) or {}
        finally:
            held[key][1] -= 1
        return

    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    start = time.monotonic()
    try:
        if not _try_flock(fd):
            holder = read_holder(path)
            (on_wait or _log_wait)(holder)
            while True:
                waited = time.monotonic() - start
                if waited >= wait:
                    raise RunBusy(path, read_holder(path), waited)
                time.sleep(min(poll, max(0.0, wait - waited)))
                if _try_flock(fd):
                    break
        previous = read_holder(path)
        if previous and previous.get("host") == socket.gethostname() and not pid_alive(int(previous.get("pid", 0))):
            log.warning("上次处理（%s）没有正常结束（进程已不存在），接管运行锁；本次会补完未完成的工作", describe(previous))
        info = {"pid": os.getpid(), "host": socket.gethostname(), "what": what,
                "since": datetime.now().astimezone().isoformat(timespec="seconds")}
        if os.environ.get("SUREFORM_SERVE_PID"):  # a flow run of `sureform serve`: ended with it (serve/recovery)
            info["serve_pid"] = os.environ["SUREFORM_SERVE_PID"]
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(info, ensure_ascii=False).encode("utf-8"), 0)
    except BaseException:
        os.close(fd)
        raise
    held[key] = [fd, 1]
    try:
        yield info
    finally:
        del held[key]
        try:
            os.ftruncate(fd, 0)  # a clean release leaves an empty file: no takeover notice next time
        finally:
            os.close(fd)  # closing drops the flock


def _log_wait(holder: dict | None) -> None:
    log.info("另一次处理正在进行（%s），等待它结束", describe(holder))


def run_lock(state: Path, wait: float | None = None, what: str = "处理",
             on_wait: Callable[[dict | None], None] | None = None):
    """The lock every run that touches the master and the outputs takes: `<state>/run.lock`."""
    return file_lock(Path(state) / LOCK_NAME, wait=wait, what=what, on_wait=on_wait)


def lock_is_held(state: Path) -> bool:
    """True while some run holds the lock (checked without taking it for longer than an instant)."""
    path = Path(state) / LOCK_NAME
    if not path.exists():
        return False
    if str(path.parent.resolve() / path.name) in _held():
        return True
    fd = os.open(path, os.O_RDWR)
    try:
        if _try_flock(fd):
            fcntl.flock(fd, fcntl.LOCK_UN)
            return False
        return True
    finally:
        os.close(fd)


_TEMP = re.compile(r"^\..+\.tmp(\.[^.]+)?$")


def sweep_leftovers(outbox: Path, state: Path) -> list[Path]:
    """Remove the temporary files of writes interrupted by a killed run (`.<name>.<pid>.tmp…`, written beside
    their target by atomic_path, keep_copy and the document publisher), in the outbox and the kept copies.

    Call only while holding the run lock: then no write is under way and every such file is a leftover.
    The inbox is never swept: temporary files there belong to the senders.
    """
    removed = []
    for folder in (Path(outbox), Path(state) / "archive", Path(state) / "rejected"):
        if not folder.is_dir():
            continue
        for path in folder.rglob(".*"):
            if _TEMP.match(path.name) and path.is_file():
                try:
                    path.unlink()
                    removed.append(path)
                except OSError as exc:
                    log.warning("无法删除中断写入留下的临时文件 %s：%s", path, exc)
    if removed:
        log.warning("删除了上次中断的处理留下的 %d 个临时文件", len(removed))
    return removed
