"""The two deployments `sureform serve` runs, and the watcher's trigger for the intake one.

- `sureform-intake/intake`: no schedule; the inbox watcher creates a run when files are ready.
- `sureform-nightly/nightly`: cron schedule (default `0 2 * * *`, Asia/Shanghai).

Entrypoints are module paths (`flows.intake.intake_flow`), so the runner's subprocesses find the code
whatever the working directory; parameters carry absolute folders from the settings.
"""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sureform.config import Settings

log = logging.getLogger("sureform.serve")

INTAKE = "intake"
NIGHTLY = "nightly"
TAGS = ["sureform"]


def intake_parameters(settings: "Settings") -> dict[str, Any]:
    return {"inbox": str(settings.inbox), "outbox": str(settings.outbox), "state": str(settings.state),
            "edition": settings.edition, "stable_seconds": settings.stability_window,
            "lock_wait": settings.lock_wait, "timezone": settings.timezone, "history_days": settings.history_days,
            "read_limits": settings.read_limits()}


def nightly_parameters(settings: "Settings") -> dict[str, Any]:
    return {"inbox": str(settings.inbox), "outbox": str(settings.outbox), "state": str(settings.state),
            "edition": settings.edition, "timezone": settings.timezone,
            "term_starts": settings.display("term_starts"), "lock_wait": max(settings.lock_wait, 1800.0),
            "history_days": settings.history_days, "prefect_history_days": settings.prefect_history_days}


def build_deployments(settings: "Settings") -> list:
    from prefect.schedules import Cron
    from prefect.types.entrypoint import EntrypointType

    from flows.intake import intake_flow
    from flows.nightly import nightly_flow

    intake = intake_flow.to_deployment(
        name=INTAKE, parameters=intake_parameters(settings), paused=False, tags=TAGS,
        description="收件：监视到收件文件夹中有写完的文件时运行（sureform serve）",
        entrypoint_type=EntrypointType.MODULE_PATH)
    nightly = nightly_flow.to_deployment(
        name=NIGHTLY, schedule=Cron(settings.schedule, timezone=settings.timezone), paused=False, tags=TAGS,
        parameters=nightly_parameters(settings),
        description=f"夜间汇总：按 {settings.schedule}（{settings.timezone}）定时运行（sureform serve）",
        entrypoint_type=EntrypointType.MODULE_PATH)
    return [intake, nightly]


class IntakeTrigger:
    """Creates intake flow runs for the watcher and tells when one is over. Used from one thread."""

    def __init__(self, deployment_id):
        from prefect.client.orchestration import get_client

        self.deployment_id = deployment_id
        self._client = get_client(sync_client=True)
        self._client.__enter__()

    @property
    def client(self):
        return self._client

    def __call__(self, files: list[str]):
        run = self._client.create_flow_run_from_deployment(self.deployment_id, tags=[*TAGS, "watch"])
        log.info("已启动收件处理 %s（%s）", run.name, run.id)
        return run.id

    def is_done(self, flow_run_id) -> bool | str:
        """False while the run goes on; then its final state's name (COMPLETED, CRASHED, FAILED, …)."""
        state = self._client.read_flow_run(flow_run_id).state
        if state is None or not state.is_final():
            return False
        return state.type.value

    def close(self) -> None:
        try:
            self._client.__exit__(None, None, None)
        except Exception:
            pass
