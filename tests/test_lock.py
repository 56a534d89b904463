"""One run at a time: `<state>/run.lock` held, waited for (bounded), skipped, and taken over when stale."""
from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from sureform.runlock import LOCK_NAME, RunBusy, lock_is_held, read_holder, run_lock

HOLD = """
import sys, time
from sureform.runlock import run_lock
with run_lock(sys.argv[1], what="holder"):
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def hold_in_subprocess(state: Path, seconds: float = 60) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(state), str(seconds)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "held"
    return proc


def test_lock_records_its_holder_and_releases_clean(tmp_path):
    with run_lock(tmp_path, what="测试") as info:
        assert lock_is_held(tmp_path)
        holder = read_holder(tmp_path / LOCK_NAME)
        assert holder["pid"] == os.getpid() and holder["what"] == "测试" == info["what"]
    assert not lock_is_held(tmp_path)
    assert (tmp_path / LOCK_NAME).read_text() == ""  # a clean release: nothing to take over


def test_reentrant_in_one_thread_exclusive_between_threads(tmp_path):
    outcome = {}

    def other():
        try:
            with run_lock(tmp_path, wait=0.3):
                outcome["other"] = "got it"
        except RunBusy as exc:
            outcome["other"] = exc

    with run_lock(tmp_path):
        with run_lock(tmp_path):  # nested: run_pipeline inside the CLI's or a flow's lock
            t = threading.Thread(target=other)
            t.start()
            t.join()
        assert lock_is_held(tmp_path)
    assert isinstance(outcome["other"], RunBusy)
    with run_lock(tmp_path, wait=0):
        pass


def test_held_by_another_process_waits_then_gives_up(tmp_path):
    proc = hold_in_subprocess(tmp_path)
    try:
        seen = []
        start = time.monotonic()
        with pytest.raises(RunBusy) as err:
            with run_lock(tmp_path, wait=0.5, on_wait=seen.append):
                pass
        assert 0.5 <= time.monotonic() - start < 5
        assert seen and seen[0]["pid"] == proc.pid and seen[0]["what"] == "holder"
        assert str(proc.pid) in str(err.value) and "本次跳过" in str(err.value)
    finally:
        proc.kill()
        proc.wait()


def test_waiter_gets_the_lock_when_the_holder_finishes(tmp_path):
    proc = hold_in_subprocess(tmp_path, seconds=0.5)
    start = time.monotonic()
    with run_lock(tmp_path, wait=30):
        assert time.monotonic() - start < 10
    proc.wait()


def test_stale_lock_of_a_killed_process_is_taken_over(tmp_path, caplog):
    proc = hold_in_subprocess(tmp_path)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert json.loads((tmp_path / LOCK_NAME).read_text())["pid"] == proc.pid  # left behind by the dead run
    with caplog.at_level(logging.WARNING, logger="sureform.lock"):
        start = time.monotonic()
        with run_lock(tmp_path, wait=0):
            assert read_holder(tmp_path / LOCK_NAME)["pid"] == os.getpid()
        assert time.monotonic() - start < 1
    assert "没有正常结束" in caplog.text and str(proc.pid) in caplog.text


def test_sureform_run_skips_with_a_message_when_the_lock_stays_held(tmp_path):
    state = tmp_path / "state"
    proc = hold_in_subprocess(state)
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
        env["SUREFORM_LOCK_WAIT"] = "0.5"
        res = subprocess.run([sys.executable, "-m", "sureform.cli", "run", "--inbox", str(tmp_path / "inbox"),
                              "--outbox", str(tmp_path / "outbox"), "--state", str(state), "--json"],
                             capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
        assert res.returncode == 3, res.stderr
        assert "另一次处理正在进行" in res.stderr and str(proc.pid) in res.stderr
        assert not (tmp_path / "outbox" / "汇总.xlsx").exists()
    finally:
        proc.kill()
        proc.wait()


def test_run_pipeline_takes_the_lock(tmp_path, monkeypatch):
    import sureform.runlock as runlock
    from sureform.pipeline import RunOptions, run_pipeline

    opts = RunOptions(tmp_path / "inbox", tmp_path / "outbox", tmp_path / "state", stable_seconds=0)
    proc = hold_in_subprocess(opts.state)
    try:
        monkeypatch.setattr(runlock, "DEFAULT_WAIT", 0.3)
        with pytest.raises(RunBusy):
            run_pipeline(opts)
    finally:
        proc.kill()
        proc.wait()
    assert run_pipeline(opts)["files"] == []
