"""Nothing outlives `sureform serve`, and a restart finishes what a killed one left, at once.

- `die_with_serve()` runs in each flow-run process the Prefect runner starts (the nightly run, an intake run
  made by hand): a daemon thread ends the process (SIGKILL, as if it had been killed with serve) as soon as the
  serve that started it is gone. The watcher's intake runs execute inside serve and die with it. A run
  killed half-way is safe by construction (see `sureform.pipeline`); the next run finishes its work.
- `end_orphans()` at serve's start: a flow-run process of a dead serve that had not yet reached its flow
  function (so had no watchdog) is ended too.
- `end_stale_run(state)` at serve's start and shutdown: a run still holding `<state>/run.lock` whose serve is
  gone (or is this one, shutting down) is ended, so the lock is free at once instead of after the run.
- `mark_orphaned_runs_crashed(client)` at serve's start: flow runs left RUNNING/PENDING by a killed serve are
  set CRASHED (their processes died with it), so the server does not show them as running forever.
"""
from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import time
from pathlib import Path

from sureform.runlock import LOCK_NAME, lock_is_held, pid_alive, read_holder

log = logging.getLogger("sureform.serve")

SERVE_PID_ENV = "SUREFORM_SERVE_PID"
CHECK_EVERY = 0.5


def die_with_serve(check_every: float = CHECK_EVERY) -> threading.Thread | None:
    """In a flow-run process started by serve: end this process when that serve is gone."""
    raw = os.environ.get(SERVE_PID_ENV, "")
    if not raw.isdigit():
        return None  # not started by serve (a test, `prefect` by hand): nothing to watch
    serve_pid, parent = int(raw), os.getppid()
    if serve_pid == os.getpid():
        return None  # the run executes inside serve itself (the watcher's intake runs): it dies with it anyway

    def watch() -> None:
        try:
            while pid_alive(serve_pid) and not (parent == serve_pid and os.getppid() != serve_pid):
                time.sleep(check_every)
            # no logging here: the run's log handler talks to a server that may have died with serve
            os.write(2, f"sureform serve（进程 {serve_pid}）已不在，本次处理随之结束；下次运行会补完\n".encode())
        finally:
            os.kill(os.getpid(), signal.SIGKILL)

    thread = threading.Thread(target=watch, name="die-with-serve", daemon=True)
    thread.start()
    return thread


def end_orphans() -> list[int]:
    """End every process started by a serve that is gone (its environment names a dead SUREFORM_SERVE_PID):
    a flow run killed before its flow function began (so before `die_with_serve` ran) would otherwise retry a
    dead Prefect server for ever. Only processes this user may signal are seen. Returns the pids ended."""
    ended: list[int] = []
    me = os.getpid()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == me:
            continue
        try:
            env = (entry / "environ").read_bytes().split(b"\0")
        except OSError:
            continue
        raw = next((v.split(b"=", 1)[1] for v in env if v.startswith(SERVE_PID_ENV.encode() + b"=")), b"")
        if not raw.isdigit() or int(raw) == me or pid_alive(int(raw)):
            continue
        try:
            os.kill(int(entry.name), signal.SIGKILL)
            ended.append(int(entry.name))
        except OSError:
            pass
    if ended:
        log.warning("结束了上一个 sureform serve 留下的 %d 个处理进程：%s", len(ended), "、".join(map(str, ended)))
    return ended


def end_stale_run(state: Path, *, ours: bool = False, wait: float = 10.0) -> int | None:
    """End the run holding `<state>/run.lock` if its serve is gone (or, with `ours`, is this process).

    Returns the pid ended, or None. Only runs started by a serve on this host are touched."""
    path = Path(state) / LOCK_NAME
    if not lock_is_held(state):
        return None
    holder = read_holder(path) or {}
    serve_pid = str(holder.get("serve_pid") or "")
    pid = int(holder.get("pid") or 0)
    if not serve_pid.isdigit() or not pid or holder.get("host") != socket.gethostname() or pid == os.getpid():
        return None
    if ours != (int(serve_pid) == os.getpid()) or (not ours and pid_alive(int(serve_pid))):
        return None
    if not pid_alive(pid):
        return None
    log.warning("结束上一个 sureform serve 留下的处理进程 %d，接管运行锁", pid)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        return None
    deadline = time.monotonic() + wait
    while lock_is_held(state) and time.monotonic() < deadline:
        time.sleep(0.05)
    return pid


def mark_orphaned_runs_crashed(client, deployment_ids) -> int:
    """Flow runs of our deployments still RUNNING/PENDING/CANCELLING when serve starts died with the last
    serve: mark them CRASHED. `client` is a sync Prefect client. Returns how many."""
    from prefect.client.schemas.filters import (DeploymentFilter, DeploymentFilterId, FlowRunFilter,
                                                FlowRunFilterState, FlowRunFilterStateType)
    from prefect.client.schemas.objects import StateType
    from prefect.client.schemas.sorting import FlowRunSort
    from prefect.states import Crashed

    runs = client.read_flow_runs(
        flow_run_filter=FlowRunFilter(state=FlowRunFilterState(type=FlowRunFilterStateType(
            any_=[StateType.RUNNING, StateType.PENDING, StateType.CANCELLING]))),
        deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=list(deployment_ids))),
        limit=200, offset=0, sort=FlowRunSort.EXPECTED_START_TIME_DESC)
    for run in runs:
        client.set_flow_run_state(run.id, Crashed(message="sureform serve 已停止，处理进程随之结束（下次运行补完）"),
                                  force=True)
    if runs:
        log.warning("上一个 sureform serve 留下 %d 个未结束的运行，已标记为 CRASHED", len(runs))
    return len(runs)
