"""The nightly consolidation flow: re-check the whole master as of today (the rules move with the date even
when nothing new arrives), regenerate 汇总.xlsx and the documents, report the units that have sent nothing
this term and the verdicts that changed. Two coarse tasks; the rest is `sureform.serve.nightly`. Then it trims
the Prefect server's history (`sureform.serve.retention`).
"""
from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from prefect import flow

from flows.intake import consolidate, publish_artifact, sureform_log_level, write_outputs
from sureform.config import parse_term_starts
from sureform.pipeline import RunOptions
from flows.nightly_run import nightly
from flows.recovery import die_with_serve
from flows.retention import clean_prefect_history


@flow(name="sureform-nightly", log_prints=True)
def nightly_flow(inbox: str = "inbox", outbox: str = "outbox", state: str = "state", edition: str = "2020",
                 timezone: str = "Asia/Shanghai", term_starts: str = "09-01,02-01", lock_wait: float = 1800.0,
                 history_days: int = 30, prefect_history_days: int = 30) -> dict:
    sureform_log_level()
    die_with_serve()  # a flow run never outlives the serve that started it
    as_of = datetime.now(ZoneInfo(timezone)).date()  # at run time, not when the schedule was made
    opts = RunOptions(Path(inbox), Path(outbox), Path(state), as_of, edition, 0.0, history_days)
    report, markdown = nightly(opts, parse_term_starts(term_starts), lock_wait,
                               consolidate=consolidate, write_outputs=write_outputs)
    publish_artifact("sureform-nightly", markdown, "夜间汇总结果")
    # runs that ended more than prefect_history_days ago, tasks left unfinished by killed runs (never raises)
    report["prefect_history"] = clean_prefect_history(prefect_history_days)
    return report
