"""The nightly consolidation without Prefect: `sureform.pipeline.run_nightly` (re-check the whole master as of
today, regenerate the outputs), then the units that have sent nothing this term and the verdicts that changed
since the previous run. `flows/nightly.py` runs it in a Prefect flow with the stages as tasks; tests call it
directly.
"""
from __future__ import annotations

import logging

from flows.summary import nightly_markdown, overdue_units, record_verdicts, silent_units
from sureform import pipeline
from sureform.pipeline import Execute, RunOptions
from sureform.report import RunReport
from sureform.runlock import RunBusy

log = logging.getLogger("sureform.serve")


def nightly(opts: RunOptions, term_starts: tuple[tuple[int, int], ...], lock_wait: float = 600.0, *,
            execute: Execute = pipeline.run_directly) -> tuple[dict, str]:
    """Returns (report, markdown summary). `opts.as_of` is the date the rules are checked against (today).

    The report is the pipeline's (no files) plus `silent_units`, `findings` (count), `verdict_changes` and, once
    the deadline (`opts.deadline`) has passed, `overdue_units` (who still owes what, from 进度.html's facts);
    when another run held the lock for longer than `lock_wait` it is {"as_of", "skipped_reason"} instead.
    """
    extra: dict = {}

    def finish(report: RunReport) -> None:
        data = report.to_dict()
        data["outputs"]["feedback"] = []
        extra["silent_units"] = silent_units(opts.db_path, opts.inbox, opts.as_of, term_starts)
        extra["verdict_changes"], extra["previous"] = record_verdicts(opts.state, data, "nightly")
        extra["overdue"] = overdue_units(opts)

    try:
        run = pipeline.run_nightly(opts, execute=execute, lock_wait=lock_wait, what="sureform-nightly",
                                   finish=finish)
    except RunBusy as exc:
        log.warning("夜间汇总跳过：%s", exc)
        report = {"as_of": opts.as_of.isoformat(), "skipped_reason": str(exc)}
        return report, nightly_markdown(report, [], None, {})
    report = run.to_dict()
    report["outputs"]["feedback"] = []
    report["findings"] = run.open_findings
    report["silent_units"] = silent = extra["silent_units"]
    report["verdict_changes"] = changes = extra["verdict_changes"]
    if extra["overdue"] is not None:
        report["overdue_units"] = extra["overdue"]
        for u in extra["overdue"]["units"]:
            log.info("已过截止时间仍未报齐：%s（缺：%s）", u["unit"], "、".join(u["owes"]))
    if silent["silent"]:
        log.info("本学期（%s 起）未报送的单位：%s", silent["term_start"], "、".join(silent["silent"]))
    for c in changes:
        log.info("评估项目 %s 的结论变化：%s → %s", c["id"], c["before"] or "（无）", c["after"] or "（无）")
    log.info("夜间汇总完成（填报日期 %s）：待整改问题 %d 处%s", report["as_of"], run.open_findings,
             "，评估结论没有变化" if not changes else "")
    return report, nightly_markdown(report, changes, extra["previous"], silent, extra["overdue"])
