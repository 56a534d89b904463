"""Reading files where a native abort, a runaway allocation or a hang costs only the file being read.

`Isolated` runs calls in a small pool of worker processes (one per core, at most four). Each worker limits its
own address space (RLIMIT_AS: what it has at start plus `ReadLimits.memory_mb`) and writes no core file; each
call has `ReadLimits.seconds`. When a worker dies (calamine aborts the process when an allocation fails) or a
call runs too long, the pool is killed and rebuilt and the calls it held are sent again; the call being waited
for is then run alone in a fresh worker, and only if it fails there too is it blamed (`Abnormal`, with a Chinese
reason). The common case costs two forks per run; nothing is retried unless something went wrong.

Workers are forked from the running process when it has a single thread (`sureform run`), else from a fork
server (under `serve` and Prefect, where forking a threaded process could copy a held lock).
"""
from __future__ import annotations

import faulthandler
import logging
import multiprocessing
import os
import signal
import threading
import time
from concurrent.futures import CancelledError, Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Callable, Hashable

from sureform.intake.grid import ReadLimits
from sureform.runlock import pid_alive

log = logging.getLogger("sureform")

MAX_WORKERS = 4
_POLL = 0.2  # seconds between looks at a call that is not done yet


class Abnormal(Exception):
    """A call that killed its worker or ran out of time, even when run alone; `reason` is Chinese."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _address_space() -> int:
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _die_with_parent() -> None:
    """A worker outlives no `kill -9` of its run: the kernel kills it when its parent goes (Linux)."""
    parent = os.getppid()
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent went before the line above
        os._exit(1)


def _die_with_owner(owner: int, every: float = 0.5) -> None:
    """A worker forked by a fork server has the server for its parent, and each worker holds the server's
    "alive" pipe open, so neither sees the owner go: the worker watches the owner (the process that made the
    pool: `serve`, a flow run) itself and ends when it is gone; then the fork server ends too."""
    def watch() -> None:
        while pid_alive(owner):
            time.sleep(every)
        os.kill(os.getpid(), signal.SIGKILL)

    threading.Thread(target=watch, name="die-with-owner", daemon=True).start()


def _start_worker(memory_mb: int, owner: int | None = None) -> None:
    """In each worker: the parent's signal handlers are not ours, no core dumps, a bounded address space, and
    no life after the parent's (or, forked by a fork server, the owner's)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _die_with_parent()
    if owner is not None and owner != os.getppid():
        _die_with_owner(owner)  # before the address-space limit below: its thread's stack is counted
    faulthandler.disable()  # an abort is expected here and reported by the run, not dumped on its stderr
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = _address_space() + memory_mb * (1 << 20)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        if soft == resource.RLIM_INFINITY or soft > limit:
            resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ImportError, OSError, ValueError):
        pass  # not Linux: the time limit still holds


def _context(preload: str | None):
    methods = multiprocessing.get_all_start_methods()
    if threading.active_count() > 1 and "forkserver" in methods:
        ctx = multiprocessing.get_context("forkserver")
        if preload:
            ctx.set_forkserver_preload([preload])  # effective when the fork server starts (once per process)
        return ctx
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


class Isolated:
    """`submit(key, fn, *args)` early, `result(key)` in any order; use as a context manager."""

    def __init__(self, limits: ReadLimits, workers: int | None = None, in_process: bool = False):
        self.limits = limits
        self.workers = max(1, min(workers or os.cpu_count() or 1, MAX_WORKERS))
        self._pool: ProcessPoolExecutor | None = None
        self._jobs: dict[Hashable, tuple[Callable, tuple]] = {}
        self._futures: dict[Hashable, Future] = {}
        self._started: dict[Hashable, float] = {}
        # each call run in this process when `result` asks for it (unprotected): asked for, or no processes here
        self._in_process = in_process

    def __enter__(self) -> "Isolated":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    # ---- the pool ----------------------------------------------------------------------------------------
    def _new_pool(self, workers: int, fn: Callable) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(max_workers=workers, mp_context=_context(getattr(fn, "__module__", None)),
                                   initializer=_start_worker, initargs=(self.limits.memory_mb, os.getpid()))

    def _kill(self, pool: ProcessPoolExecutor | None) -> None:
        if pool is None:
            return
        processes = list((getattr(pool, "_processes", None) or {}).values())
        for p in processes:
            try:
                p.kill()
            except (OSError, AttributeError):
                pass
        pool.shutdown(wait=False, cancel_futures=True)
        for p in processes:
            try:
                p.join(5)
            except (OSError, AssertionError, AttributeError):
                pass

    def _send(self, key: Hashable) -> None:
        fn, args = self._jobs[key]
        if self._pool is None:
            self._pool = self._new_pool(self.workers, fn)
        self._futures[key] = self._pool.submit(fn, *args)
        self._started.pop(key, None)

    def _restart(self, skip: Hashable) -> None:
        """Kill the pool; send again every call it held that has no result yet (except `skip`)."""
        self._kill(self._pool)
        self._pool = None
        for key, fut in list(self._futures.items()):
            if key == skip:
                continue
            if fut.done() and not fut.cancelled() and not isinstance(fut.exception(), BrokenProcessPool):
                continue
            self._send(key)

    # ---- calls -------------------------------------------------------------------------------------------
    def submit(self, key: Hashable, fn: Callable, *args: Any) -> None:
        self._jobs[key] = (fn, args)
        if self._in_process:
            return
        try:
            self._send(key)
        except (OSError, NotImplementedError, ImportError) as exc:  # no semaphores, no fork: unprotected
            log.warning("无法启动读取进程（%s），改为在本进程中读取", exc)
            self._in_process = True

    def result(self, key: Hashable) -> Any:
        """The call's value; its own exception; or Abnormal when it killed its worker or ran out of time alone."""
        fn, args = self._jobs[key]
        if self._in_process or key not in self._futures:
            return fn(*args)
        fut = self._futures[key]
        try:
            while True:
                try:
                    return fut.result(timeout=_POLL)
                except FutureTimeout:
                    if fut.running():
                        self._started.setdefault(key, time.monotonic())
                    if key in self._started and time.monotonic() - self._started[key] > self.limits.seconds:
                        break  # too long (perhaps only queued behind another in its worker): alone, to be sure
                except (BrokenProcessPool, CancelledError):
                    break  # a worker died: this call, or another one the same pool held
            self._restart(skip=key)
            return self._alone(fn, args)
        finally:
            self._futures.pop(key, None)
            self._started.pop(key, None)

    def _alone(self, fn: Callable, args: tuple) -> Any:
        pool = self._new_pool(1, fn)
        try:
            fut = pool.submit(fn, *args)
            return fut.result(timeout=self.limits.seconds)
        except FutureTimeout:
            raise Abnormal(f"读取超过 {self.limits.seconds:g} 秒仍未完成") from None
        except (BrokenProcessPool, CancelledError):
            raise Abnormal(f"读取时进程异常退出（可能需要超过 {self.limits.memory_mb} MB 内存）") from None
        finally:
            self._kill(pool)
