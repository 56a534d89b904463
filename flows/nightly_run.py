"""The nightly consolidation, as plain stages: re-check the whole master as of today, regenerate the outputs,
list the units that have sent nothing this term, compare the verdicts with the previous run's.

`flows/nightly.py` runs this inside a Prefect flow with the stages as tasks; tests call it directly.
"""
from __future__ import annotations

import logging
from typing import Callable

from sureform.pipeline import RunOptions, Scan, build_report
from sureform.runlock import RunBusy, run_lock, sweep_leftovers
from flows.summary import nightly_markdown, record_verdicts, silent_units

log = logging.getLogger("sureform.serve")


def nightly(opts: RunOptions, term_starts: tuple[tuple[int, int], ...], lock_wait: float = 600.0, *,
            consolidate: Callable | None = None, write_outputs: Callable | None = None) -> tuple[dict, str]:
    """Returns (report, markdown summary). `opts.as_of` is the date the rules are checked against (today).

    The report is the pipeline's (no files) plus `silent_units`, `findings` (count) and `verdict_changes`;
    when another run held the lock for longer than `lock_wait` it is {"as_of", "skipped_reason"} instead.
    """
    from sureform import pipeline

    consolidate = consolidate or pipeline.consolidate
    write_outputs = write_outputs or pipeline.write_outputs
    try:
        with run_lock(opts.state, wait=lock_wait, what="sureform-nightly"):
            sweep_leftovers(opts.outbox, opts.state)
            consolidation = consolidate(opts)
            outputs = write_outputs(consolidation, opts)
            outputs["feedback"] = []
            report = build_report(opts, Scan([], []), [], consolidation, outputs)
            report["findings"] = len(consolidation.findings)
            report["silent_units"] = silent_units(opts.db_path, opts.inbox, opts.as_of, term_starts)
            changes, previous = record_verdicts(opts.state, report, "nightly")
            report["verdict_changes"] = changes
    except RunBusy as exc:
        log.warning("夜间汇总跳过：%s", exc)
        report = {"as_of": opts.as_of.isoformat(), "skipped_reason": str(exc)}
        return report, nightly_markdown(report, [], None, {})
    silent = report["silent_units"]
    if silent["silent"]:
        log.info("本学期（%s 起）未报送的单位：%s", silent["term_start"], "、".join(silent["silent"]))
    for c in changes:
        log.info("评估项目 %s 的结论变化：%s → %s", c["id"], c["before"] or "（无）", c["after"] or "（无）")
    return report, nightly_markdown(report, changes, previous, silent)
