"""The intake pipeline as plain stage functions; `run_pipeline` chains them, the Prefect flow wraps each.

Stages take and return plain data (paths, dataclasses); each opens the master store it needs, so a
stage can run in any worker thread.
"""
from __future__ import annotations

import functools
import logging
import os
import signal
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Callable
from zoneinfo import ZoneInfo

from sureform.issues import Issue, Location, has_errors, make_issue
from sureform.intake.readers.base import FileRead, record_location

log = logging.getLogger("sureform")
TZ = ZoneInfo("Asia/Shanghai")
MASTER_DB = "master.sqlite"


def today_in_china() -> date:
    return datetime.now(TZ).date()


@dataclass
class RunOptions:
    inbox: Path = Path("inbox")
    outbox: Path = Path("outbox")
    state: Path = Path("state")
    as_of: date = field(default_factory=today_in_china)
    edition: str = "2020"
    stable_seconds: float = 5.0
    history_days: int = 30  # outbox/历史/: every version of the last N days, then one a month

    @property
    def db_path(self) -> Path:
        return self.state / MASTER_DB

    def catalogue(self):
        from sureform.rules.library import load_edition

        return load_edition(self.edition)


@dataclass
class Scan:
    files: list  # InboxFile
    skipped: list  # SkippedFile


@dataclass
class Consolidation:
    master: dict[str, int]
    findings: list[tuple[str | None, Issue]]  # (unit, issue) open on the current master
    items: list[dict] = field(default_factory=list)
    disclosure: dict | None = None


Progress = Callable[[str, int, int], None]


def _noop(stage: str, done: int, total: int) -> None:
    pass


# ---- stage 1: scan ------------------------------------------------------------------------------
def scan(opts: RunOptions) -> Scan:
    from sureform.intake.inbox import revive_released, scan_inbox

    revive_released(opts.inbox, opts.state)  # files whose copy went on after an earlier run released them
    files, skipped = scan_inbox(opts.inbox, opts.stable_seconds)
    return Scan(files, skipped)


# ---- stage 2: read ------------------------------------------------------------------------------
def read_batch(files: list, opts: RunOptions, progress: Progress = _noop) -> list[FileRead]:
    """Hash, recognise duplicates, read and normalise every ready file; one bad file never stops the rest."""
    from sureform.intake.inbox import file_sha256
    from sureform.store import Store

    catalogue = opts.catalogue()
    reads: list[FileRead] = []
    seen: dict[str, FileRead] = {}
    received = datetime.now(TZ).isoformat(timespec="seconds")
    with Store(opts.db_path) as store:
        for n, f in enumerate(files, 1):
            fr = FileRead(path=f.path, rel=f.rel, unit=f.unit, size=f.size, received_at=received,
                          mtime_ns=f.mtime_ns)
            try:
                fr.sha256 = file_sha256(f.path)
            except OSError as exc:
                log.warning("cannot hash %s: %s", f.rel, exc)
                continue  # vanished or locked: it will be seen next run
            known = store.accepted_by_hash(fr.sha256)
            twin = seen.get(fr.sha256)
            if known is not None:
                _mark_duplicate(fr, known["kind"], known["unit"], known["received_at"], store, known["id"])
                if _left_by_killed_run(fr, known):
                    _resume(fr, known)
            elif twin is not None:
                fr.twin_of = twin  # judged with it in validate_batch: one content, an answer for each path
            else:
                _read_one(fr, catalogue)
                if _still_arriving(fr, f.mtime):
                    fr.status = "arriving"
                else:
                    seen.setdefault(fr.sha256, fr)
            reads.append(fr)
            progress("read", n, len(files))
    return reads


def _mark_duplicate(fr: FileRead, kind, unit, received_at, store, submission_id) -> None:
    fr.status, fr.kind, fr.unit = "duplicate", kind, unit or fr.unit
    fr.issues.append(make_issue("file-duplicate", Location(fr.rel), received=str(received_at)[:19].replace("T", " ")))
    if store is not None and submission_id is not None:
        fr.issues.extend(store.submission_issues(submission_id))
        fr.stored_path = store.stored_path(submission_id)


def _still_arriving(fr: FileRead, mtime: float) -> bool:
    """Unreadable (or empty) and changed within the arrival window: likely a copy that stalled half-way.
    It stays in the inbox, reported as still arriving, and is read again by a later run."""
    from sureform.intake.inbox import may_still_arrive

    if not any(i.code in ("file-unreadable", "file-empty") for i in fr.issues) or not may_still_arrive(mtime):
        return False
    fr.issues = [arriving_issue(fr.rel)]
    return True


def arriving_issue(rel: str) -> Issue:
    from sureform.intake.inbox import ARRIVAL_WINDOW

    return make_issue("file-arriving", Location(rel), minutes=f"{ARRIVAL_WINDOW / 60:g}")


def _left_by_killed_run(fr: FileRead, known) -> bool:
    """The very file an earlier run committed and was killed before releasing: same place, same bytes and the
    same mtime as the copy kept of it (keep_copy preserves mtimes). A sender's re-send is a duplicate instead."""
    if known["rel_path"] != fr.rel or fr.stored_path is None:
        return False
    try:
        return Path(fr.stored_path).stat().st_mtime_ns == fr.path.stat().st_mtime_ns
    except OSError:
        return False


def _resume(fr: FileRead, known) -> None:
    """Finish the killed run's work on its file: accepted as recorded then (feedback and release follow)."""
    fr.status, fr.received_at = "accepted", known["received_at"]
    fr.issues = [i for i in fr.issues if i.code != "file-duplicate"]


def _read_one(fr: FileRead, catalogue) -> None:
    from sureform.intake.grid import UnreadableFile, read_grids
    from sureform.intake.kinds import detect_kind

    if fr.path.suffix.lower() == ".docx":
        from sureform.intake.supplied import read_supplied_document

        read_supplied_document(fr)
        return
    try:
        grids = read_grids(fr.path)
    except UnreadableFile as exc:
        fr.issues.append(make_issue("file-unreadable", Location(fr.rel), reason=exc.reason))
        return
    except Exception as exc:  # a reader bug must not stop the batch
        log.exception("reading %s failed", fr.rel)
        fr.issues.append(make_issue("file-unreadable", Location(fr.rel), reason=f"读取时出错（{type(exc).__name__}）"))
        return
    if not any(any(v not in ("", None) for v in row) for g in grids for row in g.rows):
        fr.issues.append(make_issue("file-empty", Location(fr.rel)))
        return
    kind = detect_kind(grids)
    if kind is None:
        fr.issues.append(make_issue("kind-unknown", Location(fr.rel, grids[0].name if grids else None)))
        return
    fr.kind = kind.name
    try:
        records, issues = kind.read(grids, fr.rel, catalogue)
    except Exception as exc:
        log.exception("reading %s as %s failed", fr.rel, kind.name)
        fr.issues.append(make_issue("file-unreadable", Location(fr.rel), reason=f"读取时出错（{type(exc).__name__}）"))
        return
    fr.records, fr.issues = records, fr.issues + issues
    if not records and not has_errors(fr.issues):
        fr.issues.append(make_issue("file-empty", Location(fr.rel, grids[0].name)))
    _resolve_unit(fr, kind)


def _resolve_unit(fr: FileRead, kind) -> None:
    """The unit is the first-level subfolder; else the file's own 院系 column."""
    if not kind.needs_unit:
        return
    values = [r.get("unit") for r in fr.records if r.get("unit")]
    if fr.unit is None:
        if values:
            fr.unit = Counter(values).most_common(1)[0][0]
        else:
            fr.issues.append(make_issue("unit-unknown", Location(fr.rel)))
            return
    for rec in fr.records:
        v = rec.get("unit")
        if v and v not in fr.unit and fr.unit not in v:
            fr.issues.append(make_issue("unit-mismatch", record_location(fr.rel, rec, "unit", "院系"), v, unit=fr.unit))


# ---- stage 3: validate --------------------------------------------------------------------------
def validate_batch(reads: list[FileRead], opts: RunOptions) -> list[FileRead]:
    """Schema checks over the whole batch at once; decides accepted or rejected for each file."""
    from sureform.store import Store
    from sureform.checks.batch import run_validators
    from sureform.checks.roster import cross_unit_duplicates

    from sureform.rules.library import tag_issues

    fresh = [fr for fr in reads if fr.status == "pending" and fr.twin_of is None]
    run_validators([fr for fr in fresh if fr.records], opts.as_of, opts.catalogue())
    for fr in fresh:
        fr.issues = tag_issues(fr.issues, opts.catalogue())
    for fr in fresh:
        fr.status = "rejected" if fr.rejected else "accepted"
    for fr in reads:
        if fr.twin_of is not None and fr.status == "pending":
            _judge_twin(fr, fr.twin_of)
    rosters = [fr for fr in fresh if fr.kind == "roster"]
    # a person on two units' rosters: against the rest of the master and the rest of the batch
    accepted = [fr for fr in rosters if fr.status == "accepted"]
    replaced = {fr.unit for fr in accepted}
    with Store(opts.db_path) as store:
        others = [(r["_unit"], r["_file"], r) for r in store.current_records("roster") if r["_unit"] not in replaced]
    new = [(fr.unit, fr.rel, rec) for fr in accepted for rec in fr.records]
    owners = [fr for fr in accepted for _ in fr.records]
    for pos, issues in cross_unit_duplicates(new, others).items():
        owners[pos].issues.extend(issues)
    return reads


def _judge_twin(fr: FileRead, first: FileRead) -> None:
    """Same bytes as `first`, earlier in this batch: a duplicate if that was accepted, else the same answer
    as it (rejected, with its problems pointed at in this file), so that each path gets its own feedback."""
    if first.status == "arriving":
        fr.status, fr.issues = "arriving", [arriving_issue(fr.rel)]
        return
    fr.kind, fr.unit = first.kind, fr.unit or first.unit
    if first.status in ("accepted", "duplicate"):
        fr.status = "duplicate"
        fr.issues = [make_issue("file-duplicate", Location(fr.rel), received=f"本批次的“{first.rel}”")]
        fr.issues += [replace(i, file=fr.rel) for i in first.issues if i.code != "file-duplicate"]
        return
    fr.status = "rejected"
    fr.records = list(first.records)
    fr.issues = [replace(i, file=fr.rel) for i in first.issues]


# ---- stage 4: commit ----------------------------------------------------------------------------
def commit_batch(reads: list[FileRead], opts: RunOptions) -> list[FileRead]:
    """Keep a copy of every processed file, then record the batch in one transaction."""
    from sureform.intake.inbox import ChangedWhileRead, keep_copy, stored_path
    from sureform.intake.kinds import kind_named
    from sureform.store import Store, Submission

    for fr in [fr for fr in reads if fr.status in ("accepted", "rejected")]:
        dest = stored_path(opts.state, fr.status, fr.unit, fr.path.name, fr.sha256)
        try:
            fr.stored_path = keep_copy(fr.path, dest, fr.sha256)
        except ChangedWhileRead:  # written to since it was read: judge it again when the copy is complete
            fr.status, fr.stored_path = "arriving", None
            fr.issues = [arriving_issue(fr.rel)]
        except FileNotFoundError:  # taken away by its sender meanwhile: nothing to record
            fr.status, fr.stored_path = "arriving", None
            fr.issues = []
    for fr in reads:
        if fr.status == "duplicate" and fr.twin_of is not None:
            fr.stored_path = fr.twin_of.stored_path  # its bytes are kept once, as its first copy's
    todo = [fr for fr in reads if fr.status in ("accepted", "rejected")]
    crash_point("copy")  # copies kept, master not yet committed
    with Store(opts.db_path) as store, store.transaction():
        run_id = store.start_run(datetime.now(TZ).isoformat(timespec="seconds"), opts.as_of.isoformat())
        for fr in todo:
            if fr.status == "accepted" and (prior := store.accepted_by_hash(fr.sha256)) is not None:
                if (prior["rel_path"], prior["received_at"]) != (fr.rel, fr.received_at):  # else resumed: recorded
                    fr.status = "duplicate"  # committed by a run that died before releasing the file
                continue
            if fr.status == "rejected" and store.conn.execute(
                    "SELECT 1 FROM submissions WHERE sha256 = ? AND rel_path = ? AND status = 'rejected'",
                    (fr.sha256, fr.rel)).fetchone():
                continue  # the same bytes at the same place were rejected already (e.g. by a run killed before release)
            key = _supersede_key(fr, kind_named) if fr.status == "accepted" and fr.kind else None
            store.add_submission(run_id, Submission(
                sha256=fr.sha256, original_name=fr.path.name, rel_path=fr.rel, unit=fr.unit, kind=fr.kind,
                supersede_key=key, status=fr.status, received_at=fr.received_at,
                stored_path=str(fr.stored_path), records=fr.records if fr.status == "accepted" else [],
                issues=fr.issues))
        store.finish_run(run_id, {"files": len(todo)})
    return reads


def _supersede_key(fr: FileRead, kind_named) -> str:
    try:
        kind = kind_named(fr.kind)
    except KeyError:
        return f"{fr.kind}:{fr.unit}"
    return kind.supersede_key(fr.unit, fr.records)


# ---- stage 5: consolidate -------------------------------------------------------------------------
def consolidate(opts: RunOptions) -> Consolidation:
    """Re-check the whole current master as of the filing date: open findings, counts, verdicts."""
    from sureform.rules.master import consolidate_master

    return consolidate_master(opts)


# ---- stage 6: outputs -----------------------------------------------------------------------------
def write_feedback_files(reads: list[FileRead], opts: RunOptions) -> list[Path]:
    from sureform.outputs.feedback import feedback_path, write_feedback

    written = []
    for fr in reads:
        if fr.stored_path is None:
            continue
        dest = feedback_path(opts.outbox, fr.unit or _sender_label(fr), fr.path.name)
        if not any(i.severity in ("error", "finding") for i in fr.issues):
            if fr.status == "accepted":
                dest.unlink(missing_ok=True)  # an earlier version's marks no longer apply to this file
            continue
        verdict = {"rejected": "有错误，整个文件未被接收，请修改标红的单元格后重新提交",
                   "accepted": "已接收，但有不符合改革要求的情况，请核实标注的单元格",
                   "duplicate": "与已接收的文件相同，未重复计入；以下为该文件的检查结果"}[fr.status]
        try:
            fr.feedback = write_feedback(Path(fr.stored_path), fr.path.name, fr.issues, dest, verdict)
            written.append(fr.feedback)
        except Exception:
            log.exception("feedback for %s failed", fr.rel)
    return written


def _sender_label(fr: FileRead) -> str:
    """Where a file without a 系 is answered: the league office's own kinds, else 未知单位."""
    from sureform.intake.kinds import kind_named

    try:
        return "校团委" if fr.kind and not kind_named(fr.kind).needs_unit else "未知单位"
    except KeyError:
        return "未知单位"


def write_master(consolidation: Consolidation, opts: RunOptions) -> Path:
    from sureform.rules.master import export_master

    return export_master(consolidation, opts)


# ---- stage 7: release ------------------------------------------------------------------------------
def release_batch(reads: list[FileRead], opts: RunOptions) -> None:
    """Only now do processed files leave the inbox: their copies are kept and the master committed. A file
    that changed since it was read, or that a process holds open for writing, stays for the next run."""
    from sureform.intake.inbox import release

    for fr in reads:
        if fr.status in ("accepted", "rejected", "duplicate") and fr.stored_path and Path(fr.stored_path).exists():
            if not release(fr.path, fr.sha256, opts.state, fr.size, fr.mtime_ns or None, fr.rel):
                log.info("%s 在处理后有变化或仍在写入，留在收件文件夹中，下次再处理", fr.rel)


# ---- the report -----------------------------------------------------------------------------------
def build_report(opts: RunOptions, scanned: Scan, reads: list[FileRead], consolidation: Consolidation,
                 outputs: dict) -> dict:
    files = [
        {"path": fr.rel, "status": fr.status, "kind": fr.kind, "unit": fr.unit, "rows": len(fr.records),
         "issues": [i.to_dict() for i in fr.issues]}
        for fr in reads if fr.status != "arriving"
    ]
    files += [{"path": fr.rel, "status": "skipped", "kind": None, "unit": fr.unit, "rows": 0, "issues": [],
               "reason": fr.issues[0].message if fr.issues else "文件在处理过程中有变化，稍后再处理"}
              for fr in reads if fr.status == "arriving"]
    files += [{"path": s.rel, "status": "skipped", "kind": None, "unit": None, "rows": 0,
               "issues": [], "reason": s.reason} for s in scanned.skipped]
    report = {"as_of": opts.as_of.isoformat(), "files": files, "master": consolidation.master,
              "items": consolidation.items, "outputs": outputs}
    if consolidation.disclosure is not None:
        report["disclosure"] = consolidation.disclosure
    return report


def rel_out(path: Path, opts: RunOptions) -> str:
    try:
        return Path(path).resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)


def crash_point(stage: str) -> None:
    """Test hook (tests/test_crash.py): SUREFORM_CRASH_AT=<stage> kills this process with SIGKILL right after
    that stage, as `kill -9` would; SUREFORM_STALL_AT=<stage> makes it hang there instead. Does nothing unless
    a variable names this stage."""
    if os.environ.get("SUREFORM_CRASH_AT") == stage:
        os.kill(os.getpid(), signal.SIGKILL)
    if os.environ.get("SUREFORM_STALL_AT") == stage:  # test hook (tests/test_serve_recovery.py): a run in flight
        time.sleep(3600)


def _one_run_at_a_time(fn):
    """Hold `<state>/run.lock` for the whole run (re-entrant: callers may already hold it)."""
    @functools.wraps(fn)
    def locked(opts: RunOptions, *args, **kwargs):
        from sureform.runlock import run_lock, sweep_leftovers

        with run_lock(opts.state, what="sureform run"):
            sweep_leftovers(opts.outbox, opts.state)  # temporary files of a killed run's writes
            return fn(opts, *args, **kwargs)
    return locked


@_one_run_at_a_time
def run_pipeline(opts: RunOptions, progress: Progress = _noop) -> dict:
    """One whole intake and consolidation, in-process. Returns the JSON report."""
    progress("scan", 0, 1)
    scanned = scan(opts)
    crash_point("scan")
    reads = read_batch(scanned.files, opts, progress)
    crash_point("read")
    progress("validate", 0, 1)
    validate_batch(reads, opts)
    crash_point("validate")
    progress("commit", 0, 1)
    commit_batch(reads, opts)
    crash_point("commit")
    progress("feedback", 0, 1)
    feedback = write_feedback_files(reads, opts)
    crash_point("feedback")
    progress("consolidate", 0, 1)
    consolidation = consolidate(opts)
    crash_point("consolidate")
    outputs = write_outputs(consolidation, opts)
    crash_point("outputs")
    release_batch(reads, opts)
    crash_point("release")
    outputs["feedback"] = [rel_out(p, opts) for p in feedback]
    return build_report(opts, scanned, reads, consolidation, outputs)


def write_outputs(consolidation: Consolidation, opts: RunOptions) -> dict:
    from sureform.rules.master import write_documents_for

    outputs = {"master": rel_out(write_master(consolidation, opts), opts)}
    outputs.update({k: rel_out(v, opts) for k, v in write_documents_for(consolidation, opts).items()})
    return outputs
