"""The three deployments `sureform serve` runs, and the watcher's trigger for the intake one.

- `sureform-intake/intake`: no schedule; the inbox watcher creates a run of it when files are ready and
  executes it *in the serving process* (`IntakeTrigger`: a worker thread, one run at a time), so a drop costs
  no process start and no imports. The run is created PENDING, which the runner does not pick up; a run made
  by hand (UI, API) is SCHEDULED and the runner executes it in a subprocess, as before.
- `sureform-nightly/nightly`: cron schedule (default `0 2 * * *`, Asia/Shanghai), executed by the runner.
- `sureform-review/review`: the provincial review, no schedule: run on demand (UI, API), by the runner, on the
  folders of the settings' [review] table.

Entrypoints are module paths (`flows.intake.intake_flow`), so the runner's subprocesses find the code
whatever the working directory; parameters carry absolute folders from the settings.
"""
from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sureform.config import Settings

log = logging.getLogger("sureform.serve")

INTAKE = "intake"
NIGHTLY = "nightly"
REVIEW = "review"
TAGS = ["sureform"]


def intake_parameters(settings: "Settings", stable_seconds: float | None = None) -> dict[str, Any]:
    """`stable_seconds`: the run's own mtime-age check; serve passes the watcher's quick window on a local disk
    (the watcher has seen the file quiet and unwritten already), else the configured stability window."""
    stable = settings.stability_window if stable_seconds is None else stable_seconds
    return {"inbox": str(settings.inbox), "outbox": str(settings.outbox), "state": str(settings.state),
            "edition": settings.edition, "stable_seconds": stable,
            "lock_wait": settings.lock_wait, "timezone": settings.timezone, "history_days": settings.history_days,
            "read_limits": settings.read_limits(), "deadline": settings.display("deadline")}


def nightly_parameters(settings: "Settings") -> dict[str, Any]:
    return {"inbox": str(settings.inbox), "outbox": str(settings.outbox), "state": str(settings.state),
            "edition": settings.edition, "timezone": settings.timezone,
            "term_starts": settings.display("term_starts"), "lock_wait": max(settings.lock_wait, 1800.0),
            "history_days": settings.history_days, "prefect_history_days": settings.prefect_history_days,
            "deadline": settings.display("deadline")}


def build_deployments(settings: "Settings") -> list:
    from prefect.schedules import Cron
    from prefect.types.entrypoint import EntrypointType

    from flows.intake import intake_flow
    from flows.nightly import nightly_flow
    from flows.review import review_flow

    intake = intake_flow.to_deployment(
        name=INTAKE, parameters=intake_parameters(settings), paused=False, tags=TAGS,
        description="收件：监视到收件文件夹中有写完的文件时运行（sureform serve）",
        entrypoint_type=EntrypointType.MODULE_PATH)
    nightly = nightly_flow.to_deployment(
        name=NIGHTLY, schedule=Cron(settings.schedule, timezone=settings.timezone), paused=False, tags=TAGS,
        parameters=nightly_parameters(settings),
        description=f"夜间汇总：按 {settings.schedule}（{settings.timezone}）定时运行（sureform serve）",
        entrypoint_type=EntrypointType.MODULE_PATH)
    review = review_flow.to_deployment(
        name=REVIEW, parameters=review_parameters(settings), paused=False, tags=TAGS,
        description="省级复评：按需运行（在界面中点“运行”，或 prefect deployment run sureform-review/review）",
        entrypoint_type=EntrypointType.MODULE_PATH)
    return [intake, nightly, review]


def review_parameters(settings: "Settings") -> dict[str, Any]:
    from sureform.config import load_review_settings

    rs = load_review_settings({}, config_path=settings.config_file)
    return {"inbox": str(rs.inbox), "outbox": str(rs.outbox), "state": str(rs.state), "sample": rs.sample,
            "seed": rs.seed, "timezone": settings.timezone, "lock_wait": settings.lock_wait,
            "read_limits": settings.read_limits()}


class IntakeTrigger:
    """Creates intake flow runs for the watcher and executes each in a worker thread of this process.

    `__call__` (from the watcher's thread) creates the run on the server and starts it; `is_done` tells when it
    is over (False, then the final state's name). One run at a time: the watcher never triggers while one is
    in flight, and the run itself takes `<state>/run.lock`."""

    def __init__(self, deployment_id, parameters: dict[str, Any] | None = None):
        from prefect.client.orchestration import get_client

        self.deployment_id = deployment_id
        self.parameters = parameters
        self._client = get_client(sync_client=True)
        self._client.__enter__()
        self._outcomes: dict[Any, str] = {}
        self._thread: threading.Thread | None = None
        self._current = None

    @property
    def client(self):
        return self._client

    def __call__(self, files: list[str]):
        from prefect.states import Pending

        if self.busy():
            raise RuntimeError("上一次收件处理还没有结束")
        run = self._client.create_flow_run_from_deployment(self.deployment_id, parameters=self.parameters,
                                                           tags=[*TAGS, "watch"], state=Pending())
        log.debug("已启动收件处理 %s（%s）", run.name, run.id)  # the watcher has said which files
        self._current = run.id
        self._thread = threading.Thread(target=self._execute, args=(run,), name=f"intake-{run.name}", daemon=True)
        self._thread.start()
        return run.id

    def _execute(self, run) -> None:
        from prefect.flow_engine import run_flow

        from flows.intake import intake_flow

        outcome = "CRASHED"
        try:
            state = run_flow(intake_flow, flow_run=run, parameters=run.parameters, return_type="state")
            outcome = state.type.value if state is not None else "COMPLETED"
        except BaseException:  # noqa: BLE001 — the engine records failures itself; this is what it could not
            log.exception("收件处理 %s 意外中断", run.name)
        finally:
            self._outcomes[run.id] = outcome

    def is_done(self, flow_run_id) -> bool | str:
        """False while the run goes on; then its final state's name (COMPLETED, CRASHED, FAILED, …)."""
        return self._outcomes.get(flow_run_id, False)

    def busy(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def wait(self, timeout: float) -> bool:
        """Wait up to `timeout` s for a run in flight; True when none is left."""
        if self._thread is not None:
            self._thread.join(timeout)
        return not self.busy()

    def abandon(self, message: str) -> None:
        """Serve is stopping with a run still going: mark it CRASHED (the next run finishes its work)."""
        from prefect.states import Crashed

        if self.busy() and self._current is not None:
            try:
                self._client.set_flow_run_state(self._current, Crashed(message=message), force=True)
            except Exception as exc:  # noqa: BLE001 — the next serve marks it anyway
                log.warning("无法把未结束的收件处理标记为 CRASHED：%s", exc)

    def close(self) -> None:
        try:
            self._client.__exit__(None, None, None)
        except Exception:
            pass
