"""The nightly consolidation flow: re-check the whole master as of today (the rules move with the date even
when nothing new arrives), regenerate 汇总.xlsx and the documents, report the units that have sent nothing
this term and the verdicts that changed (`flows.nightly_run`, with `sureform.pipeline.NIGHTLY`'s stages as
tasks). Then it trims the Prefect server's history (`flows.retention`).
"""
from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from prefect import flow

from flows.intake import as_task, publish_artifact, sureform_log_level
from flows.nightly_run import nightly
from flows.recovery import die_with_serve
from flows.retention import clean_prefect_history
from sureform.config import parse_deadline, parse_term_starts
from sureform.pipeline import RunOptions


@flow(name="sureform-nightly", log_prints=True)
def nightly_flow(inbox: str = "inbox", outbox: str = "outbox", state: str = "state", edition: str = "2020",
                 timezone: str = "Asia/Shanghai", term_starts: str = "09-01,02-01", lock_wait: float = 1800.0,
                 history_days: int = 30, prefect_history_days: int = 30, deadline: str = "") -> dict:
    sureform_log_level()
    die_with_serve()  # a flow run never outlives the serve that started it
    as_of = datetime.now(ZoneInfo(timezone)).date()  # at run time, not when the schedule was made
    opts = RunOptions(Path(inbox), Path(outbox), Path(state), as_of, edition, 0.0, history_days,
                      deadline=parse_deadline(deadline))
    report, markdown = nightly(opts, parse_term_starts(term_starts), lock_wait, execute=as_task)
    publish_artifact("sureform-nightly", markdown, "夜间汇总结果")
    # runs that ended more than prefect_history_days ago, tasks left unfinished by killed runs (never raises)
    report["prefect_history"] = clean_prefect_history(prefect_history_days)
    return report
