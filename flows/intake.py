"""The intake flow: the same stages as `sureform.pipeline.run_pipeline`, one coarse task per stage.

Only I/O stages retry; validation never does (a failure there is data, not bad luck).
"""
from __future__ import annotations

from datetime import date
from pathlib import Path

from prefect import flow, task

from sureform import pipeline
from sureform.pipeline import RunOptions

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
                edition: str = "2020", stable_seconds: float = 5.0) -> dict:
    opts = RunOptions(Path(inbox), Path(outbox), Path(state), as_of or pipeline.today_in_china(), edition,
                      stable_seconds)
    scanned = scan_inbox(opts)
    reads = read_batch(scanned.files, opts)
    reads = validate_batch(reads, opts)
    reads = commit_batch(reads, opts)
    feedback = write_feedback(reads, opts)
    consolidation = consolidate(opts)
    outputs = write_outputs(consolidation, opts)
    release_batch(reads)
    outputs["feedback"] = [pipeline.rel_out(p, opts) for p in feedback]
    return pipeline.build_report(opts, scanned, reads, consolidation, outputs)
