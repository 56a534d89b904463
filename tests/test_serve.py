"""`sureform serve` for real: a subprocess with its own embedded Prefect server (PREFECT_* isolated to tmp),
a roster dropped into the inbox, the feedback and 汇总.xlsx waited for, the intake run and its artifact read
back from the server, the nightly deployment triggered once, and a clean shutdown on SIGTERM.

One Prefect server for the whole module (~10–20 s to start).
"""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from conftest import HEADER, person, write_xlsx

pytestmark = pytest.mark.slow

STARTUP = 180  # s: server start is 8–18 s here, more on a busy CI machine
RUN = 120  # s: one flow run, from trigger to outputs


def api(url: str, body: dict | None = None, attempts: int = 6):
    """One call to the Prefect REST API; a 5xx (SQLite busy under the runner's polling) is retried, as the
    Prefect client itself does."""
    data = None if body is None else json.dumps(body).encode()
    for attempt in range(attempts):
        req = urllib.request.Request(url, data=data, method="GET" if body is None else "POST",
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                return json.loads(resp.read() or b"null")
        except urllib.error.HTTPError as exc:
            if exc.code < 500 or attempt == attempts - 1:
                raise
        time.sleep(0.5 * (attempt + 1))


def wait_for(predicate, timeout: float, what: str, log: Path | None = None, step: float = 0.25):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    tail = log.read_text(errors="replace")[-4000:] if log and log.exists() else ""
    raise AssertionError(f"timed out after {timeout}s waiting for {what}\n--- serve log ---\n{tail}")


class Served:
    def __init__(self, root: Path, extra_env: dict | None = None, log_name: str = "serve.log", args=()):
        self.root = root
        self.inbox, self.outbox, self.state = root / "inbox", root / "outbox", root / "state"
        self.inbox.mkdir(parents=True, exist_ok=True)
        self.log = root / log_name
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "SUREFORM_"))}
        env.update(extra_env or {})
        env["HOME"] = str(root)  # nothing of the machine's ~/.prefect
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "sureform.cli", "serve", "--inbox", str(self.inbox), "--outbox", str(self.outbox),
             "--state", str(self.state), "--server-port", "0", "--poll-interval", "1", "--stability-window", "1",
             "--log-level", "INFO", *args],
            cwd=root, env=env, stdin=subprocess.DEVNULL, stdout=open(self.log, "wb"), stderr=subprocess.STDOUT)
        wait_for(lambda: "sureform serve 已就绪" in self.text() or self.proc.poll() is not None, STARTUP,
                 "serve to be ready", self.log)
        assert self.proc.poll() is None, self.text()
        self.api = re.search(r"(http://127\.0\.0\.1:\d+/api)", self.text()).group(1)

    def text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def flow_runs(self, flow_name: str) -> list[dict]:
        return api(f"{self.api}/flow_runs/filter", {"flows": {"name": {"any_": [flow_name]}}, "limit": 50,
                                                    "offset": 0, "sort": "EXPECTED_START_TIME_DESC"})

    def artifact(self, key: str) -> dict | None:
        found = api(f"{self.api}/artifacts/filter", {"artifacts": {"key": {"any_": [key]}}, "limit": 1, "offset": 0,
                                                     "sort": "CREATED_DESC"})
        return found[0] if found else None

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(90)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    s = Served(tmp_path_factory.mktemp("serve"), args=["--watch", "poll"])  # as on a share: polling only
    yield s
    s.stop()


def test_dropped_roster_is_processed_and_recorded(served):
    path = served.inbox / "石油工程系" / "名单.xlsx"
    write_xlsx(path, [HEADER, person(), person(sid="2024010102", name="李四", political="群众")])
    feedback = served.outbox / "退回" / "石油工程系" / "名单.xlsx_错误标注.xlsx"
    wait_for(lambda: feedback.exists() and (served.outbox / "汇总.xlsx").exists() and not path.exists(), RUN,
             "feedback, 汇总.xlsx and the release of the file", served.log)
    assert list((served.state / "archive" / "石油工程系").iterdir())

    runs = wait_for(lambda: [r for r in served.flow_runs("sureform-intake") if r["state_type"] == "COMPLETED"], 30,
                    "the intake run to be COMPLETED on the server", served.log)
    assert len(runs) == 1  # one drop, one run: the watcher does not trigger again while its run is going
    assert runs[0]["deployment_id"] and "watch" in runs[0]["tags"]
    wait_for(lambda: any("Finished in state Completed" in e["message"] for e in api(  # logs arrive in batches
        f"{served.api}/logs/filter", {"logs": {"flow_run_id": {"any_": [runs[0]["id"]]}}, "limit": 200, "offset": 0,
                                      "sort": "TIMESTAMP_ASC"})), 30, "the run's logs on the server", served.log)
    artifact = wait_for(lambda: served.artifact("sureform-intake"), 20, "the intake artifact", served.log)
    assert "接收 1 个" in artifact["data"] and "石油工程系/名单.xlsx" in artifact["data"]


def test_polling_mode_is_what_the_log_says(served):
    wait_for(lambda: "开始监视" in served.text(), 30, "the watcher to start", served.log)
    assert "定时检查" in served.text() and "inotify" not in served.text()


def test_the_log_is_one_chinese_line_per_event_in_beijing_time_with_names_escaped(served):
    """A file named to retitle the window and clear the screen: its line shows the escapes; Prefect's own
    lines (`Beginning flow run …`, `Finished in state Completed()`) are debug only; times are Beijing time."""
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    path = served.inbox / "机电工程系" / "\x1b]2;pwned\x07\x1b[2J名单.xlsx"
    write_xlsx(path, [HEADER, person(sid="12-34", unit="机电工程系")])
    shown = "机电工程系/\\x1b]2;pwned\\x07\\x1b[2J名单.xlsx"
    wait_for(lambda: f"{shown}：退回（未接收），错误 1 处，按“校级学生会工作人员名单”读取；退回标注：outbox/" in served.text(), RUN,
             "the escaped line of the file", served.log)
    wait_for(lambda: "本次收件处理完成：1 个文件，退回 1 个" in served.text(), 30, "the run's last line", served.log)
    raw = served.log.read_bytes()
    assert b"\x1b" not in raw and b"\x07" not in raw
    text = served.text()
    for english in ("Beginning flow run", "Finished in state", "View at http", "INFO", "sureform.serve"):
        assert english not in text, english
    lines = [line for line in text.splitlines() if line and not line.startswith(" ")]
    assert all(re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \S", line) for line in lines), lines
    when = next(line[:19] for line in lines if shown in line)
    now = datetime.now(ZoneInfo("Asia/Shanghai")).replace(tzinfo=None)
    assert abs(datetime.fromisoformat(when) - now) < timedelta(minutes=10)


def test_an_event_brings_a_drop_to_its_run_without_waiting_for_a_poll(tmp_path):
    """On a local disk (`watch = events`) with a poll once an hour: only the inotify event can start the run,
    which executes inside serve and is recorded on the server like any other."""
    s = Served(tmp_path, args=["--watch", "events", "--poll-interval", "3600", "--stability-window", "3"])
    try:
        wait_for(lambda: "开始监视" in s.text(), 30, "the watcher to start", s.log)
        assert "inotify" in s.text()
        time.sleep(1.5)  # the events' watches are in place (after the first poll) — not a timing assertion
        path = s.inbox / "石油工程系" / "名单.xlsx"
        write_xlsx(path, [HEADER, person(), person(sid="2024010102", name="李四", political="群众")])
        wait_for(lambda: not path.exists() and (s.outbox / "汇总.xlsx").exists(), RUN, "the drop to be processed",
                 s.log)
        wait_for(lambda: "石油工程系/名单.xlsx：已接收" in s.text(), 30, "the serve log's one line for the file", s.log)
        # its roster is all this edition needs from it (no presidium member: no candidate form): it is complete
        assert s.text().count("石油工程系：本轮需要的材料已全部报齐") == 1
        runs = wait_for(lambda: [r for r in s.flow_runs("sureform-intake") if r["state_type"] == "COMPLETED"], 30,
                        "the intake run to be COMPLETED on the server", s.log)
        assert len(runs) == 1 and runs[0]["deployment_id"] and "watch" in runs[0]["tags"]
    finally:
        assert s.stop() == 0


def test_nightly_deployment_is_scheduled_and_runs_once(served):
    deployment = api(f"{served.api}/deployments/name/sureform-nightly/nightly")
    schedule = deployment["schedules"][0]["schedule"]
    assert (schedule["cron"], schedule["timezone"]) == ("0 2 * * *", "Asia/Shanghai")
    assert deployment["paused"] is False
    # the server's scheduler makes the 02:00 (Asia/Shanghai = 18:00 UTC) runs (it does not with SQLAlchemy 2.1)
    scheduled = wait_for(lambda: api(f"{served.api}/flow_runs/filter", {
        "deployments": {"id": {"any_": [deployment["id"]]}}, "flow_runs": {"state": {"type": {"any_": ["SCHEDULED"]}}},
        "limit": 5, "offset": 0, "sort": "EXPECTED_START_TIME_ASC"}), 90, "scheduled nightly runs", served.log, step=1)
    assert scheduled[0]["expected_start_time"][11:19] == "18:00:00"

    (served.inbox / "化学工程系").mkdir()  # a unit with a folder that has sent nothing
    master = served.outbox / "汇总.xlsx"
    wait_for(lambda: master.exists(), RUN, "汇总.xlsx from the intake test", served.log)
    master.unlink()
    run = api(f"{served.api}/deployments/{deployment['id']}/create_flow_run", {})
    state = wait_for(lambda: (s := api(f"{served.api}/flow_runs/{run['id']}")["state_type"]) in
                     ("COMPLETED", "FAILED", "CRASHED", "CANCELLED") and s, RUN, "the nightly run", served.log)
    assert state == "COMPLETED", served.text()[-3000:]
    assert master.exists()  # regenerated with no new file
    artifact = wait_for(lambda: served.artifact("sureform-nightly"), 20, "the nightly artifact", served.log)
    md = artifact["data"]
    assert "未报送的单位" in md and "- 化学工程系" in md and "- 石油工程系" not in md


def test_sigterm_lets_the_run_in_progress_finish_then_stops_the_server(served):
    path = served.inbox / "机电工程系" / "名单.xlsx"
    write_xlsx(path, [HEADER, person(sid="2024020101", name="赵六", unit="机电工程系", political="群众")])
    wait_for(lambda: any(r["state_type"] == "RUNNING" for r in served.flow_runs("sureform-intake")), RUN,
             "the second intake run to start", served.log, step=0.05)
    assert served.stop() == 0
    log = served.text()
    assert "sureform serve 已停止" in log and "内置 Prefect 服务器已停止" in log
    assert not path.exists() and (served.outbox / "退回" / "机电工程系" / "名单.xlsx_错误标注.xlsx").exists()
    assert "was cancelled" not in log and "Pausing all deployments" not in log
    with pytest.raises(OSError):
        urllib.request.urlopen(f"{served.api}/health", timeout=3)
    assert not (served.state / "serve.lock").read_text()  # released
