"""The intake flow: `sureform.pipeline.run_intake` with each stage run as a Prefect task.

The stage order lives in `sureform.pipeline.INTAKE` only; here each stage becomes one coarse task. Only I/O
stages retry; validation never does (a failure there is data, not bad luck).
"""
from __future__ import annotations

import logging
import os
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NONE

from flows.recovery import die_with_serve
from flows.summary import intake_markdown, record_verdicts
from sureform import pipeline
from sureform.config import parse_deadline
from sureform.intake.grid import ReadLimits
from sureform.pipeline import Run, RunOptions, Stage
from sureform.report import RunReport
from sureform.runlock import RunBusy

log = logging.getLogger("sureform.serve")  # sureform's lines: the serve log and this run's logs on the server

TASKS = {stage.name: task(stage.run, name=stage.title, retries=2 if stage.io else 0, retry_delay_seconds=2,
                          cache_policy=NONE)
         for stage in pipeline.INTAKE}


def as_task(stage: Stage, run: Run) -> None:
    """`pipeline.Execute` for the flows: the stage as its Prefect task."""
    TASKS[stage.name](run)


@flow(name="sureform-intake", log_prints=True)
def intake_flow(inbox: str = "inbox", outbox: str = "outbox", state: str = "state", as_of: date | None = None,
                edition: str = "2020", stable_seconds: float = 5.0, lock_wait: float = 600.0,
                timezone: str | None = None, history_days: int = 30, read_limits: dict | None = None,
                deadline: str = "") -> dict:
    """One run at a time (`<state>/run.lock`): waits at most `lock_wait` s for another run, else skips (the files
    stay in the inbox). Leaves a markdown artifact `sureform-intake`: files, verdicts changed since last run."""
    sureform_log_level()
    die_with_serve()  # a flow run never outlives the serve that started it
    if as_of is None:
        as_of = datetime.now(ZoneInfo(timezone)).date() if timezone else pipeline.today_in_china()
    opts = RunOptions(Path(inbox), Path(outbox), Path(state), as_of, edition, stable_seconds, history_days,
                      ReadLimits(**(read_limits or {})), parse_deadline(deadline))
    changes: list = []
    previous = None

    def finish(report: RunReport) -> None:
        nonlocal changes, previous
        changes, previous = record_verdicts(opts.state, report.to_dict(), "intake")

    try:
        report = pipeline.run_intake(opts, execute=as_task, lock_wait=lock_wait, what="sureform-intake",
                                     finish=finish).to_dict()
        report["verdict_changes"] = changes
        from sureform.outputs.terminal import documents_line, file_lines, run_line

        for line in file_lines(report):  # one Chinese line per file: what happened to it (serve's log)
            log.info("%s", line)
        if (waiting := documents_line(report)) is not None:
            log.info("%s", waiting)
        log.info("%s", run_line(report))
    except RunBusy as exc:
        log.warning("本次收件处理跳过：%s", exc)
        report = {"as_of": opts.as_of.isoformat(), "files": [], "skipped_reason": str(exc)}
    publish_artifact("sureform-intake", intake_markdown(report, changes, previous), "收件处理结果")
    return report


def sureform_log_level() -> None:
    """`sureform` log lines at the level `serve` passes down (SUREFORM_LOG_LEVEL) reach the run's logs."""
    level = os.environ.get("SUREFORM_LOG_LEVEL", "").strip().upper()
    if level in ("DEBUG", "INFO", "WARNING", "ERROR"):
        logging.getLogger("sureform").setLevel(level)


def publish_artifact(key: str, markdown: str, description: str) -> None:
    """The run's markdown summary in the Prefect UI (Artifacts); never fails the run."""
    try:
        create_markdown_artifact(markdown=markdown, key=key, description=description)
    except Exception as exc:
        log.warning("无法保存运行摘要（artifact）：%s", exc)
