"""The review flow `sureform-review`: `sureform.pipeline.run_review` with each REVIEW stage as a Prefect task.

The stage order lives in `sureform.pipeline.REVIEW` only; here each stage becomes one coarse task (only I/O
stages retry). `sureform serve` offers it as the deployment `sureform-review/review`, run on demand (no
schedule) from the same server as intake and nightly: a province starts a round from the UI or with
`prefect deployment run sureform-review/review`. A markdown artifact `sureform-review` gives the counts and the
colleges that are not 通过.
"""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NONE

from flows.intake import publish_artifact, sureform_log_level
from sureform import pipeline
from sureform.intake.grid import ReadLimits
from sureform.pipeline import ReviewOptions, ReviewRun, Stage
from sureform.runlock import RunBusy

TASKS = {stage.name: task(stage.run, name=stage.title, retries=2 if stage.io else 0, retry_delay_seconds=2,
                          cache_policy=NONE)
         for stage in pipeline.REVIEW}


def as_task(stage: Stage, run: ReviewRun) -> None:
    TASKS[stage.name](run)


def review_markdown(report: dict) -> str:
    counts = report["counts"]
    lines = [f"# {report['round']}复评（{report['as_of']}）", "",
             f"通过 {counts['通过']} · 需整改 {counts['需整改']} · 待核实 {counts['待核实']}", "",
             "| 学校 | 结论 | 主要原因 |", "|---|---|---|"]
    for c in report["colleges"]:
        if c["outcome"] != "通过":
            why = (c["reasons"][0] if c["reasons"] else "").replace("|", "／")
            lines.append(f"| {c['name']} | {c['outcome']} | {why} |")
    return "\n".join(lines) + "\n"


@flow(name="sureform-review", log_prints=True)
def review_flow(inbox: str = "review/inbox", outbox: str = "review/outbox", state: str = "review/state",
                as_of: date | None = None, edition: str | None = None, sample: float = 0.2, seed: int = 0,
                lock_wait: float = 600.0, timezone: str | None = None, read_limits: dict | None = None) -> dict:
    """One review round at a time (`<review state>/run.lock`)."""
    sureform_log_level()
    if as_of is None:
        as_of = datetime.now(ZoneInfo(timezone)).date() if timezone else pipeline.today_in_china()
    opts = ReviewOptions(Path(inbox), Path(outbox), Path(state), as_of, edition, sample, seed,
                         ReadLimits(**(read_limits or {})))
    try:
        report = pipeline.run_review(opts, execute=as_task, lock_wait=lock_wait)
    except RunBusy as exc:
        get_run_logger().warning("本次跳过：%s", exc)
        return {"as_of": opts.as_of.isoformat(), "colleges": [], "skipped_reason": str(exc)}
    for c in report["colleges"]:
        get_run_logger().info("%s：%s", c["name"], c["outcome"])
    publish_artifact("sureform-review", review_markdown(report), "复评结果")
    return report
