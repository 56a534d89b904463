"""kill -9 of `sureform serve` with a run in flight: no process outlives it, the run lock is free at once,
and the restarted serve finishes the work within a poll of being ready; the dead run is CRASHED on the server.

The watcher's intake runs execute inside serve (a worker thread), so the run dies with it; what it started
(the reader processes and their fork server) must not outlive it either.
"""
from __future__ import annotations

import os
import signal
import time

import pytest
from conftest import HEADER, person, write_xlsx
from test_serve import RUN, Served, api, wait_for

from sureform.runlock import lock_is_held, pid_alive, read_holder
from sureform.store import Store

pytestmark = pytest.mark.slow


def started_by(serve_pid: int) -> list[int]:
    """Live processes whose environment names this serve (what it started inherits SUREFORM_SERVE_PID)."""
    from pathlib import Path

    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == serve_pid:
            continue
        try:
            env = (entry / "environ").read_bytes().split(b"\0")
            if f"SUREFORM_SERVE_PID={serve_pid}".encode() in env and pid_alive(int(entry.name)):
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def test_kill_9_of_serve_leaves_no_orphan_and_the_restart_finishes_the_work(tmp_path):
    first = Served(tmp_path, {"SUREFORM_STALL_AT": "copy"}, "serve-1.log")  # the run hangs after its copies
    try:
        path = first.inbox / "材料工程系" / "工作人员名单.xlsx"
        write_xlsx(path, [HEADER, person(unit="材料工程系")])
        holder = wait_for(lambda: lock_is_held(first.state) and (h := read_holder(first.state / "run.lock"))
                          and h.get("what") == "sureform-intake" and h, RUN, "the intake run to hold the lock",
                          first.log)
        assert holder["serve_pid"] == str(first.proc.pid)
        assert int(holder["pid"]) == first.proc.pid  # the run executes inside serve, no child process per drop
        started = started_by(first.proc.pid)  # the reader processes (and their fork server), if any yet
        os.kill(first.proc.pid, signal.SIGKILL)
        first.proc.wait(10)
        killed = time.monotonic()
        wait_for(lambda: not lock_is_held(first.state), 10, "the run lock to be free", first.log, step=0.05)
        wait_for(lambda: not [p for p in started if pid_alive(p)] and not started_by(first.proc.pid), 10,
                 "the processes serve started to end with it", first.log, step=0.05)
        assert time.monotonic() - killed < 5
        assert path.exists()  # nothing released by the dead run
    finally:
        if first.proc.poll() is None:
            first.proc.kill()

    second = Served(tmp_path, None, "serve-2.log")
    try:
        ready = time.monotonic()
        wait_for(lambda: not path.exists(), 30, "the restarted serve to finish the file", second.log, step=0.1)
        assert time.monotonic() - ready < 15  # one poll and one run, no 60 s retry delay
        with Store(second.state / "master.sqlite") as store:
            rows = store.conn.execute("SELECT rel_path, status FROM submissions").fetchall()
        assert [tuple(r) for r in rows] == [("材料工程系/工作人员名单.xlsx", "accepted")]
        states = wait_for(lambda: {r["state_type"] for r in second.flow_runs("sureform-intake")} >= {"CRASHED", "COMPLETED"}
                          and [r["state_type"] for r in second.flow_runs("sureform-intake")], 30,
                          "the killed run CRASHED and the new one COMPLETED", second.log)
        assert "RUNNING" not in states and "PENDING" not in states
    finally:
        assert second.stop() == 0


def test_a_process_of_a_dead_serve_is_ended_at_the_next_start(tmp_path):
    """A flow-run process killed with its serve before its flow function began has no watchdog yet: the next
    serve's start ends it (here a stand-in process whose environment names a serve that is gone)."""
    import subprocess
    import sys

    from flows.recovery import end_orphans

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    env = dict(os.environ, SUREFORM_SERVE_PID=str(gone.pid))
    orphan = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"], env=env)
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"],
                             env=dict(os.environ, SUREFORM_SERVE_PID=str(os.getpid())))
    try:
        time.sleep(0.3)
        assert orphan.pid in end_orphans()
        assert orphan.wait(5) == -signal.SIGKILL
        assert alive.poll() is None  # its serve (this test) is alive: left alone
    finally:
        for p in (orphan, alive):
            if p.poll() is None:
                p.kill()
                p.wait()
