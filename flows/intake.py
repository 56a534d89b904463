"""The intake flow: the same stages as `sureform.pipeline.run_pipeline`, one coarse task per stage.

Only I/O stages retry; validation never does (a failure there is data, not bad luck).
"""
from __future__ import annotations

import logging
import os
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from prefect import flow, get_run_logger, task

from sureform import pipeline
from sureform.pipeline import RunOptions
from flows.recovery import die_with_serve

scan_inbox = task(pipeline.scan, name="scan-inbox", retries=2, retry_delay_seconds=2)
read_batch = task(pipeline.read_batch, name="read-batch")
validate_batch = task(pipeline.validate_batch, name="validate-batch")
commit_batch = task(pipeline.commit_batch, name="commit-master", retries=2, retry_delay_seconds=2)
write_feedback = task(pipeline.write_feedback_files, name="write-feedback", retries=2, retry_delay_seconds=2)
consolidate = task(pipeline.consolidate, name="consolidate")
write_outputs = task(pipeline.write_outputs, name="write-outputs", retries=2, retry_delay_seconds=2)
release_batch = task(pipeline.release_batch, name="release-inbox", retries=2, retry_delay_seconds=2)


@flow(name="sureform-intake", log_prints=True)
def intake_flow(inbox: str = "inbox", outbox: str = "outbox", state: str = "state", as_of: date | None = None,
                edition: str = "2020", stable_seconds: float = 5.0, lock_wait: float = 600.0,
                timezone: str | None = None, history_days: int = 30) -> dict:
    """One run at a time (`<state>/run.lock`): waits at most `lock_wait` s for another run, else skips (the files
    stay in the inbox). Leaves a markdown artifact `sureform-intake`: files, verdicts changed since last run."""
    from sureform.runlock import RunBusy, run_lock, sweep_leftovers
    from flows.summary import intake_markdown, record_verdicts

    sureform_log_level()
    die_with_serve()  # a flow run never outlives the serve that started it
    if as_of is None:
        as_of = datetime.now(ZoneInfo(timezone)).date() if timezone else pipeline.today_in_china()
    opts = RunOptions(Path(inbox), Path(outbox), Path(state), as_of, edition, stable_seconds, history_days)
    try:
        with run_lock(opts.state, wait=lock_wait, what="sureform-intake"):
            sweep_leftovers(opts.outbox, opts.state)
            report = _intake(opts)
            changes, previous = record_verdicts(opts.state, report, "intake")
            report["verdict_changes"] = changes
    except RunBusy as exc:
        get_run_logger().warning("本次跳过：%s", exc)
        report = {"as_of": opts.as_of.isoformat(), "files": [], "skipped_reason": str(exc)}
        changes, previous = [], None
    publish_artifact("sureform-intake", intake_markdown(report, changes, previous), "收件处理结果")
    return report


def sureform_log_level() -> None:
    """`sureform` log lines at the level `serve` passes down (SUREFORM_LOG_LEVEL) reach the run's logs."""
    level = os.environ.get("SUREFORM_LOG_LEVEL", "").strip().upper()
    if level in ("DEBUG", "INFO", "WARNING", "ERROR"):
        logging.getLogger("sureform").setLevel(level)


def publish_artifact(key: str, markdown: str, description: str) -> None:
    """The run's markdown summary in the Prefect UI (Artifacts); never fails the run."""
    from prefect.artifacts import create_markdown_artifact

    try:
        create_markdown_artifact(markdown=markdown, key=key, description=description)
    except Exception as exc:
        get_run_logger().warning("无法保存运行摘要（artifact）：%s", exc)


def _intake(opts: RunOptions) -> dict:
    """The stages as tasks, in the order of `pipeline.run_pipeline`."""
    scanned = scan_inbox(opts)
    reads = read_batch(scanned.files, opts)
    reads = validate_batch(reads, opts)
    reads = commit_batch(reads, opts)
    feedback = write_feedback(reads, opts)
    consolidation = consolidate(opts)
    outputs = write_outputs(consolidation, opts)
    release_batch(reads, opts)
    outputs["feedback"] = [pipeline.rel_out(p, opts) for p in feedback]
    return pipeline.build_report(opts, scanned, reads, consolidation, outputs)
