"""Watching the inbox: filesystem events where they arrive (a local disk), polling everywhere.

`InboxWatcher.poll()` walks the inbox (cheap: names and `stat`, no reading) and calls a file *ready* once
its size and mtime have stayed the same for the stability window, as seen by two observations at least
that far apart. The first sight of a file starts its window even if its mtime is old: a copy that keeps
the sender's mtime (Explorer, `cp -p`, robocopy) can still be growing. With `quick` (a local disk), a file
is ready sooner: once two observations `quick` seconds apart agree *and* the kernel vouches that no process
holds it open for writing (a read lease, `sureform.intake.inbox.nobody_writing`); where it cannot vouch
(a share, a file we may not lease) the whole window still applies.

`WatchLoop` turns that into runs: it triggers the intake only when something is ready, never while
the run it triggered is still going, and retries a file that is still there after its run finished
(lock busy, share error) with a growing delay (1 min, 2, 4 … at most 1 h) so a file that can never leave
the inbox costs a run an hour, not one every poll. A run that did not complete (crashed, killed, failed)
is retried at the next poll, once; only a second failure in a row backs off. Plain Python: the trigger is
passed in; `is_done(run)` is falsy while the run goes on, else True or the name of its final state.
`WatchLoop.wake()` makes it look at once (`InboxEvents` calls it on inotify events); it still polls every
`poll_interval`, since events can be lost (a full kernel queue, a share that sends none).

`watch_mode()` picks events or polling for an inbox: polling on network file systems (SMB/CIFS, NFS, …,
read from /proc/mounts), where inotify reports only this machine's own writes.
"""
from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from sureform.atomic import undecodable
from sureform.intake.inbox import ACCEPTED_SUFFIXES, being_written, is_ignored, nobody_writing

log = logging.getLogger("sureform.watch")

QUICK_WINDOW = 1.0  # s between the two agreeing observations of a local file nobody holds open for writing
# file systems whose changes made by other machines inotify does not see: polled
NETWORK_FS = {"cifs", "smb3", "smbfs", "nfs", "nfs4", "afs", "ncpfs", "9p", "ceph", "glusterfs",
              "fuse.glusterfs", "fuse.sshfs", "sshfs", "davfs", "fuse.davfs2", "fuse.rclone", "lustre", "gpfs",
              "fuse.s3fs", "fuse.gcsfuse", "beegfs", "ocfs2", "gfs2", "virtiofs", "vboxsf", "fuse.vmhgfs-fuse"}


def filesystem_type(path: Path, mounts: str = "/proc/mounts") -> str | None:
    """The type of the file system `path` lives on (the longest mount point above it), or None if unknown."""
    try:
        target = os.path.realpath(path)
        lines = Path(mounts).read_text(errors="replace").splitlines()
    except OSError:
        return None
    best, kind = "", None
    for line in lines:
        fields = line.split()
        if len(fields) < 3:
            continue
        point = fields[1].encode().decode("unicode_escape").encode("latin-1").decode("utf-8", "replace")  # \040
        inside = target == point or target.startswith(point.rstrip("/") + "/")
        if inside and len(point) >= len(best):
            best, kind = point, fields[2]
    return kind


def watch_mode(setting: str, inbox: Path, mounts: str = "/proc/mounts") -> tuple[str, str | None]:
    """("events" or "poll", the file system type) for the `watch` setting (auto, events, poll) and inbox."""
    kind = filesystem_type(inbox, mounts)
    if setting in ("events", "poll"):
        return setting, kind
    return ("poll" if kind in NETWORK_FS or kind is None else "events"), kind


@dataclass
class Seen:
    size: int
    mtime_ns: int
    since: float  # clock time of the first observation with this size and mtime


@dataclass
class PollResult:
    ready: list[str] = field(default_factory=list)  # inbox-relative paths, stable for the window
    waiting: list[str] = field(default_factory=list)  # changed within the window
    next_due: float | None = None  # seconds until the earliest waiting file may be ready


class InboxWatcher:
    def __init__(self, inbox: Path, stability_window: float, clock: Callable[[], float] = time.monotonic,
                 quick: float | None = None):
        self.inbox = Path(inbox)
        self.window = float(stability_window)
        self.clock = clock
        # the adaptive window (local disk): ready after `quick` s when nobody holds the file open for writing
        self.quick = None if quick is None or quick >= self.window else float(quick)
        self.seen: dict[str, Seen] = {}

    def candidates(self) -> dict[str, os.stat_result]:
        """The files `scan_inbox` would consider: accepted types, no lock/hidden/temporary files."""
        found: dict[str, os.stat_result] = {}
        if not self.inbox.is_dir():
            return found
        for dirpath, dirnames, filenames in os.walk(self.inbox):
            # a name that is not UTF-8 is never read (the run lists it as skipped): nothing to wait for
            dirnames[:] = [d for d in dirnames if not d.startswith(".") and not d.startswith("~") and not undecodable(d)]
            for name in filenames:
                if is_ignored(name) or undecodable(name) or Path(name).suffix.lower() not in ACCEPTED_SUFFIXES:
                    continue
                path = Path(dirpath) / name
                try:
                    st = path.stat()
                except OSError:  # vanished between listing and stat, or the share hiccuped
                    continue
                found[path.relative_to(self.inbox).as_posix()] = st
        return found

    def poll(self) -> PollResult:
        now = self.clock()
        result = PollResult()
        current = self.candidates()
        for rel in [r for r in self.seen if r not in current]:
            del self.seen[rel]
        for rel, st in sorted(current.items()):
            prev = self.seen.get(rel)
            if prev is None or (prev.size, prev.mtime_ns) != (st.st_size, st.st_mtime_ns):
                prev = self.seen[rel] = Seen(st.st_size, st.st_mtime_ns, now)
            age = now - prev.since
            if self.quick is not None and self.quick <= age < self.window and nobody_writing(self.inbox / rel):
                result.ready.append(rel)  # quiet for `quick` s and the kernel vouches nobody is writing it
                continue
            if self.quick is not None and age < self.quick:
                result.waiting.append(rel)
                due = self.quick - age
                result.next_due = due if result.next_due is None else min(result.next_due, due)
                continue
            if age >= self.window and being_written(self.inbox / rel):
                result.waiting.append(rel)  # quiet, but a process still holds it open for writing
                result.next_due = self.window if result.next_due is None else min(result.next_due, self.window)
            elif age >= self.window:
                result.ready.append(rel)
            else:
                result.waiting.append(rel)
                due = self.window - age
                result.next_due = due if result.next_due is None else min(result.next_due, due)
        return result

    def signature(self, rel: str) -> tuple[int, int] | None:
        s = self.seen.get(rel)
        return (s.size, s.mtime_ns) if s else None


@dataclass
class Handed:
    signature: tuple[int, int] | None
    attempts: int
    next_allowed: float
    failed_runs: int = 0  # runs in a row that handled this file and did not complete
    handed_in: int = 0  # the number of the run it was last handed to


def completed(outcome: Any) -> bool:
    """`is_done`'s answer for a finished run: True, or a final state's name ("COMPLETED", "CRASHED", …)."""
    return outcome is True or (isinstance(outcome, str) and outcome.upper() == "COMPLETED")


class WatchLoop:
    """Polls every `poll_interval` seconds (sooner when a waiting file's window ends) and triggers runs."""

    def __init__(self, watcher: InboxWatcher, poll_interval: float, trigger: Callable[[list[str]], Any],
                 is_done: Callable[[Any], bool], *, retry_after: float = 60.0, retry_max: float = 3600.0,
                 check_every: float = 1.0, give_up_after: float = 3 * 3600.0):
        self.watcher = watcher
        self.poll_interval = float(poll_interval)
        self.trigger = trigger
        self.is_done = is_done
        self.retry_after, self.retry_max = retry_after, retry_max
        self.check_every = check_every
        self.give_up_after = give_up_after
        self.inflight: Any = None
        self.inflight_since = 0.0
        self.handed: dict[str, Handed] = {}
        self.next_poll = 0.0
        self.triggered = 0
        self.events = "轮询"  # how files are learnt of, for the log (InboxEvents says when it listens)
        self._woken = False
        self._wakeup = threading.Event()

    def wake(self) -> None:
        """Something changed in the inbox (an inotify event): look now, not at the next poll. Thread-safe."""
        self._woken = True
        self._wakeup.set()

    @property
    def clock(self) -> Callable[[], float]:
        return self.watcher.clock

    def _due(self, rel: str, now: float) -> bool:
        h = self.handed.get(rel)
        return h is None or h.signature != self.watcher.signature(rel) or now >= h.next_allowed

    def step(self) -> float:
        """One turn of the loop; returns how long to sleep before the next."""
        now = self.clock()
        if self._woken:
            self._woken = False
            self.next_poll = min(self.next_poll, now)  # with a run in flight: looked at once it is over
        if self.inflight is not None:
            try:
                done = self.is_done(self.inflight)
            except Exception as exc:  # the server being briefly unreachable is no reason to stop watching
                log.warning("无法查询处理任务的状态：%s", exc)
                done = False
            if not done and now - self.inflight_since > self.give_up_after:
                log.error("处理任务 %s 超过 %.0f 秒仍未结束，不再等待它", self.inflight, self.give_up_after)
                done = True
            if not done:
                return self.check_every
            self._run_over(now, completed(done))
            self.inflight = None
            self.next_poll = now  # look again right away: what is left, what arrived meanwhile
        if now < self.next_poll:
            return self.next_poll - now
        result = self.watcher.poll()
        for rel in [r for r in self.handed if r not in self.watcher.seen]:
            del self.handed[rel]  # left the inbox: done with
        due = [rel for rel in result.ready if self._due(rel, now)]
        wait = self.poll_interval if result.next_due is None else min(self.poll_interval, result.next_due + 0.05)
        if due:
            retried = [rel for rel in due if rel in self.handed]
            if retried:
                log.warning("这些文件在上次处理后仍在收件文件夹中，再试一次：%s", "、".join(retried))
            log.info("%d 个文件已写完，开始处理：%s", len(due), "、".join(due[:10]) + ("…" if len(due) > 10 else ""))
            try:
                self.inflight = self.trigger(due)
            except Exception as exc:
                log.error("无法启动处理：%s；%.0f 秒后重试", exc, self.poll_interval)
                self.next_poll = now + self.poll_interval
                return self.poll_interval
            self.triggered += 1
            self.inflight_since = now
            for rel in due:
                prev = self.handed.get(rel)
                attempts = prev.attempts + 1 if prev and prev.signature == self.watcher.signature(rel) else 1
                delay = min(self.retry_max, self.retry_after * 2 ** (attempts - 1))
                failed = prev.failed_runs if prev and prev.signature == self.watcher.signature(rel) else 0
                self.handed[rel] = Handed(self.watcher.signature(rel), attempts, now + delay, failed, self.triggered)
            self.next_poll = now + wait
            return self.check_every
        self.next_poll = now + wait
        return wait

    def _run_over(self, now: float, ok: bool) -> None:
        """A run that did not complete (crashed, killed) leaves its files due again at once, the first time."""
        for h in self.handed.values():
            if h.handed_in != self.triggered:
                continue
            if ok:
                h.failed_runs = 0
                continue
            if h.failed_runs == 0:
                h.next_allowed = now
            h.failed_runs += 1

    def run(self, stop: threading.Event) -> None:
        log.info("开始监视收件文件夹 %s（%s；每 %.0f 秒检查一次，文件 %.0f 秒不变视为写完%s）",
                 self.watcher.inbox, self.events, self.poll_interval, self.watcher.window,
                 "" if self.watcher.quick is None else
                 f"，本机磁盘上没有程序在写的文件 {self.watcher.quick:.0f} 秒不变即可")
        while not stop.is_set():
            try:
                pause = self.step()
            except Exception:  # never let one bad turn end the watching
                log.exception("监视收件文件夹时出错")
                pause = self.poll_interval
            self._wakeup.wait(max(0.05, pause))
            self._wakeup.clear()

    def stop(self, stop: threading.Event) -> None:
        stop.set()
        self._wakeup.set()


class InboxEvents:
    """Wakes a `WatchLoop` on inotify events in the inbox (watchfiles, in a daemon thread).

    Any change under the inbox wakes the loop, which then polls as usual: events only say *when* to look,
    never *what* is ready. If events cannot be had (no inotify, too many folders for the watch limit, the
    inbox vanished) it logs once and the loop's polling goes on alone; it tries again after a while."""

    RETRY = 60.0

    def __init__(self, inbox: Path, loop: WatchLoop, stop: threading.Event):
        self.inbox, self.loop, self.stop = Path(inbox), loop, stop
        self.listening = threading.Event()
        self.thread = threading.Thread(target=self._run, name="inbox-events", daemon=True)

    def start(self) -> "InboxEvents":
        self.loop.events = "文件变化通知（inotify）加定时检查"
        self.thread.start()
        return self

    def _run(self) -> None:
        from watchfiles import watch

        warned = False
        while not self.stop.is_set():
            try:
                for _changes in watch(self.inbox, watch_filter=None, debounce=400, step=30, stop_event=self.stop,
                                      rust_timeout=1000, yield_on_timeout=True, raise_interrupt=False,
                                      force_polling=False, ignore_permission_denied=True):
                    if not self.listening.is_set():
                        self.listening.set()  # the first (timeout) yield: the watches are in place
                        if warned:
                            log.info("重新收到收件文件夹的文件变化通知")
                            warned = False
                    if _changes:
                        self.loop.wake()
                self.stop.wait(1.0)  # the watch ended by itself (the inbox went away?): not in a tight loop
            except Exception as exc:  # noqa: BLE001 — polling goes on; try again later
                self.listening.clear()
                if not warned:
                    log.warning("收不到收件文件夹的文件变化通知（%s），改为每 %.0f 秒检查一次，%.0f 秒后再试",
                                exc, self.loop.poll_interval, self.RETRY)
                    warned = True
                self.stop.wait(self.RETRY)
