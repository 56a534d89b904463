"""Keeping the Prefect server's history bounded: delete flow runs that ended more than `prefect_history_days`
ago (with their task runs, logs and artifacts), and mark as CRASHED the task runs left PENDING, RUNNING or
SCHEDULED in a flow run that is already over (a killed flow process never reports them). The nightly flow
does both; `sureform serve` marks the crashed tasks once at start.

Only sureform's own flows (`sureform-intake`, `sureform-nightly`) are touched, so a shared Prefect server
(PREFECT_API_URL) keeps everyone else's runs; a run that has not finished is never deleted.

The functions take a synchronous Prefect client (`get_client(sync_client=True)`); Prefect is imported inside
them. With fastapi 0.154 the server answers 422 to a filter request whose `sort` or `limit` is null, so every
read passes `sort`, `limit` and `offset` explicitly, and pages through the results `page` at a time.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from typing import Any, Iterable

log = logging.getLogger("sureform.serve")

FLOW_NAMES = ("sureform-intake", "sureform-nightly")
FINAL = ("COMPLETED", "FAILED", "CANCELLED", "CRASHED")
UNFINISHED_TASK = ("PENDING", "RUNNING", "SCHEDULED")
PAGE = 200
CRASHED_MESSAGE = "所在的运行已经结束，此步骤没有报告结果（进程被结束？），标记为崩溃"


def _flow_filter(flow_names: Iterable[str]):
    from prefect.client.schemas.filters import FlowFilter, FlowFilterName

    return FlowFilter(name=FlowFilterName(any_=list(flow_names)))


def _state_types(names: Iterable[str]) -> list:
    from prefect.client.schemas.objects import StateType

    return [StateType(n) for n in names]


def _artifacts_of(client, flow_run_ids: list, page: int) -> list:
    """Artifacts of these flow runs. Sent without the helper's null `flow_runs`/`task_runs` filters (422 on
    fastapi 0.154), and without an empty task-run filter, which would keep only artifacts made inside a task."""
    from prefect.client.schemas.objects import Artifact

    out: list = []
    while True:
        body = {"artifacts": {"flow_run_id": {"any_": [str(i) for i in flow_run_ids]}},
                "sort": "ID_DESC", "limit": page, "offset": len(out)}
        batch = Artifact.model_validate_list(client.request("POST", "/artifacts/filter", json=body).json())
        out += batch
        if len(batch) < page:
            return out


def delete_old_flow_runs(client, before: datetime, *, flow_names: Iterable[str] = FLOW_NAMES,
                         page: int = PAGE) -> int:
    """Delete the runs of `flow_names` in a final state that ended before `before`, with their artifacts (the
    server removes their task runs with them and their logs shortly after). Returns how many were deleted."""
    from prefect.client.schemas.filters import (FlowRunFilter, FlowRunFilterEndTime, FlowRunFilterState,
                                                FlowRunFilterStateType)
    from prefect.client.schemas.sorting import FlowRunSort
    from prefect.exceptions import ObjectNotFound

    if before.tzinfo is None:
        raise ValueError("`before` must be timezone-aware")
    flows = _flow_filter(flow_names)
    runs_filter = FlowRunFilter(state=FlowRunFilterState(type=FlowRunFilterStateType(any_=_state_types(FINAL))),
                                end_time=FlowRunFilterEndTime(before_=before))
    deleted = 0
    skipped = 0  # runs that could not be deleted stay in the result: step over them
    tried: set = set()
    while True:
        runs = client.read_flow_runs(flow_filter=flows, flow_run_filter=runs_filter, sort=FlowRunSort.ID_DESC,
                                     limit=page, offset=skipped)
        if not runs:
            return deleted
        try:
            for artifact in _artifacts_of(client, [r.id for r in runs], page):
                try:
                    client.delete_artifact(artifact.id)
                except ObjectNotFound:
                    pass
        except Exception as exc:  # noqa: BLE001 — the runs go anyway; what is left of their summaries is small
            log.warning("无法删除要删除的运行的摘要（artifact）：%s", exc)
        for run in runs:
            if run.id in tried:  # still there after its deletion: never loop on it
                skipped += 1
                continue
            tried.add(run.id)
            try:
                client.delete_flow_run(run.id)
                deleted += 1
            except ObjectNotFound:
                pass
            except Exception as exc:  # noqa: BLE001
                skipped += 1
                log.warning("无法删除运行记录 %s（%s）：%s", run.name, run.id, exc)


def mark_orphaned_tasks_crashed(client, *, flow_names: Iterable[str] = FLOW_NAMES, page: int = PAGE) -> int:
    """Task runs still PENDING, RUNNING or SCHEDULED whose flow run is over (COMPLETED, FAILED, CANCELLED,
    CRASHED) are set to CRASHED (forced: no orchestration rule can refuse it). Returns how many."""
    from prefect.client.schemas.filters import (FlowRunFilter, FlowRunFilterState, FlowRunFilterStateType,
                                                TaskRunFilter, TaskRunFilterState, TaskRunFilterStateType)
    from prefect.client.schemas.sorting import TaskRunSort
    from prefect.exceptions import ObjectNotFound
    from prefect.states import Crashed

    flows = _flow_filter(flow_names)
    over = FlowRunFilter(state=FlowRunFilterState(type=FlowRunFilterStateType(any_=_state_types(FINAL))))
    stuck = TaskRunFilter(state=TaskRunFilterState(type=TaskRunFilterStateType(any_=_state_types(UNFINISHED_TASK))))
    marked = 0
    skipped = 0
    tried: set = set()
    while True:
        tasks = client.read_task_runs(flow_filter=flows, flow_run_filter=over, task_run_filter=stuck,
                                      sort=TaskRunSort.ID_DESC, limit=page, offset=skipped)
        if not tasks:
            return marked
        for task in tasks:
            if task.id in tried:
                skipped += 1
                continue
            tried.add(task.id)
            try:
                result = client.set_task_run_state(task.id, Crashed(message=CRASHED_MESSAGE), force=True)
            except ObjectNotFound:
                continue
            except Exception as exc:  # noqa: BLE001
                skipped += 1
                log.warning("无法把步骤 %s（%s）标记为崩溃：%s", task.name, task.id, exc)
                continue
            if getattr(result.status, "value", result.status) == "ACCEPT":
                marked += 1
            else:
                skipped += 1


def clean_prefect_history(days: int | None, *, now: datetime | None = None) -> dict[str, Any]:
    """On the server of PREFECT_API_URL: delete sureform's runs that ended more than `days` days before `now`
    (None: delete nothing), then mark orphaned task runs crashed. Never raises: a failure is logged as a warning
    and returned as `error` (the next nightly run tries again)."""
    result: dict[str, Any] = {"deleted_flow_runs": 0, "crashed_tasks": 0}
    try:
        from prefect.client.orchestration import get_client

        with get_client(sync_client=True) as client:
            if days is not None:
                before = (now or datetime.now(timezone.utc)) - timedelta(days=days)
                result["deleted_flow_runs"] = delete_old_flow_runs(client, before)
            result["crashed_tasks"] = mark_orphaned_tasks_crashed(client)
    except Exception as exc:  # noqa: BLE001 — cleanup must never fail a run or serve
        log.warning("清理 Prefect 运行记录失败（下次再试）：%s", exc)
        result["error"] = str(exc)
        return result
    if result["deleted_flow_runs"]:
        log.info("Prefect 运行记录：删除了 %d 个 %d 天前结束的运行", result["deleted_flow_runs"], days)
    if result["crashed_tasks"]:
        log.info("Prefect 运行记录：%d 个所在运行已结束却未结束的步骤标记为崩溃", result["crashed_tasks"])
    return result
