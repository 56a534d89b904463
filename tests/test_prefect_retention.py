"""The Prefect history kept bounded, against a real temporary Prefect server: sureform's runs that ended before
the cutoff go (with their task runs, artifacts and logs), unfinished and recent runs and other flows' runs stay;
task runs left PENDING/RUNNING/SCHEDULED in a finished run become CRASHED.

The server stamps state times itself, so "old" runs are made by finishing them before the cutoff and the
recent ones after it; the cutoff is then passed as `now - days`."""
from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import pytest


def _flows():
    from prefect import flow, task

    from flows.intake import intake_flow
    from flows.nightly import nightly_flow

    @flow(name="someone-elses-flow")
    def foreign():
        pass

    @task(name="step")
    def step():
        pass

    return intake_flow, nightly_flow, foreign, step


def _run(client, flow_obj, final=None):
    from prefect.states import Running

    run = client.create_flow_run(flow_obj, state=Running())
    if final is not None:
        client.set_flow_run_state(run.id, final, force=True)
    return run.id


def _task(client, step, flow_run_id, key, state):
    from prefect.states import Pending

    tr = client.create_task_run(step, flow_run_id, key, state=Pending())
    if state.type.value != "PENDING":
        client.set_task_run_state(tr.id, state, force=True)
    return tr.id


def _exists(client, read, run_id) -> bool:
    from prefect.exceptions import ObjectNotFound

    try:
        read(run_id)
        return True
    except ObjectNotFound:
        return False


def _artifacts(client, flow_run_id) -> list:
    body = {"artifacts": {"flow_run_id": {"any_": [str(flow_run_id)]}}, "sort": "ID_DESC", "limit": 200, "offset": 0}
    return client.request("POST", "/artifacts/filter", json=body).json()


def _logs(client, flow_run_id) -> list:
    from prefect.client.schemas.filters import LogFilter, LogFilterFlowRunId

    return client.read_logs(LogFilter(flow_run_id=LogFilterFlowRunId(any_=[flow_run_id])), limit=200, offset=0)


@pytest.mark.slow
def test_old_runs_deleted_and_orphaned_tasks_crashed(prefect_harness):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import ArtifactCreate, LogCreate
    from prefect.states import Cancelled, Completed, Crashed, Failed, Pending, Running, Scheduled

    from flows.retention import clean_prefect_history

    intake, nightly, foreign, step = _flows()
    with get_client(sync_client=True) as client:
        # ---- finished before the cutoff
        old_done = _run(client, intake, Completed())
        old_failed = _run(client, nightly, Failed())
        old_cancelled = _run(client, intake, Cancelled())
        old_failed_tasks = [_task(client, step, old_failed, "a", Pending()), _task(client, step, old_failed, "b",
                                                                                     Running())]
        client.create_artifact(ArtifactCreate(key="sureform-intake", type="markdown", data="# 旧", flow_run_id=old_done))
        client.create_logs([LogCreate(name="sureform", level=20, message="旧的日志", flow_run_id=old_done,
                                      timestamp=datetime.now(timezone.utc))])
        old_foreign = _run(client, foreign, Completed())  # not ours: a shared server keeps it
        old_running = _run(client, intake)  # not finished: never deleted, its tasks are not touched
        running_task = _task(client, step, old_running, "a", Running())
        time.sleep(0.2)
        cutoff = datetime.now(timezone.utc)
        time.sleep(0.2)
        # ---- finished after the cutoff
        recent_done = _run(client, intake, Completed())
        recent_crashed = _run(client, intake, Crashed())
        stuck = [_task(client, step, recent_crashed, key, state)
                 for key, state in (("p", Pending()), ("r", Running()), ("s", Scheduled()))]
        finished_task = _task(client, step, recent_crashed, "c", Completed())
        done_task = _task(client, step, recent_done, "x", Running())  # in a COMPLETED run: crashed too

        result = clean_prefect_history(30, now=cutoff + timedelta(days=30))

        assert "error" not in result
        assert result["deleted_flow_runs"] >= 3 and result["crashed_tasks"] >= 4  # and other tests' runs, if any
        for run_id in (old_done, old_failed, old_cancelled):
            assert not _exists(client, client.read_flow_run, run_id)
        for task_id in old_failed_tasks:  # deleted with their run
            assert not _exists(client, client.read_task_run, task_id)
        assert _artifacts(client, old_done) == []
        for run_id in (old_foreign, old_running, recent_done, recent_crashed):
            assert _exists(client, client.read_flow_run, run_id)

        for task_id in [*stuck, done_task]:
            state = client.read_task_run(task_id).state
            assert state.type.value == "CRASHED" and "已经结束" in state.message
        assert client.read_task_run(finished_task).state.type.value == "COMPLETED"
        assert client.read_task_run(running_task).state.type.value == "RUNNING"  # its run is still going

        deadline = time.monotonic() + 15  # the server removes a deleted run's logs in the background
        while _logs(client, old_done) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _logs(client, old_done) == []

        again = clean_prefect_history(30, now=cutoff + timedelta(days=30))
        assert again == {"deleted_flow_runs": 0, "crashed_tasks": 0}


@pytest.mark.slow
def test_cleanup_pages_through_many_runs(prefect_harness):
    """More runs and tasks than one page (page=2 here, 200 in use): all are handled."""
    from prefect import flow
    from prefect.client.orchestration import get_client
    from prefect.states import Completed, Failed, Pending

    from flows.retention import delete_old_flow_runs, mark_orphaned_tasks_crashed

    _, _, _, step = _flows()

    @flow(name="sureform-retention-pages")
    def paged():
        pass

    names = ["sureform-retention-pages"]
    with get_client(sync_client=True) as client:
        runs = [_run(client, paged, Completed() if i % 2 else Failed()) for i in range(5)]
        tasks = [_task(client, step, run_id, "t", Pending()) for run_id in runs]
        assert mark_orphaned_tasks_crashed(client, flow_names=names, page=2) == 5
        assert all(client.read_task_run(t).state.type.value == "CRASHED" for t in tasks)
        assert delete_old_flow_runs(client, datetime.now(timezone.utc) - timedelta(days=1), flow_names=names,
                                    page=2) == 0  # they ended just now
        time.sleep(0.1)
        assert delete_old_flow_runs(client, datetime.now(timezone.utc), flow_names=names, page=2) == 5
        assert not any(_exists(client, client.read_flow_run, r) for r in runs)


def test_cleanup_never_raises_when_the_server_is_unreachable():
    """The nightly run goes on when the server cannot be reached: a warning and an `error` entry."""
    from prefect.settings import PREFECT_API_URL, PREFECT_CLIENT_MAX_RETRIES, temporary_settings

    from flows.retention import clean_prefect_history

    with temporary_settings({PREFECT_API_URL: "http://127.0.0.1:9/api", PREFECT_CLIENT_MAX_RETRIES: 0}):
        result = clean_prefect_history(30)
    assert result["deleted_flow_runs"] == 0 and result["crashed_tasks"] == 0 and result["error"]
