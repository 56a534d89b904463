"""The one place that states the order of the stages, and takes the run lock once.

    scan → read → validate → commit → feedback → consolidate → outputs → release      (INTAKE)
                                              consolidate → outputs                 (NIGHTLY)
    scan → read → recompute → record → outputs                 (REVIEW: colleges' declarations, its own folders)

Each stage is a plain function over a `Run` (what the run has found so far); `run_intake` and
`run_nightly` hold `<state>/run.lock`, sweep what a killed run left, and call the stages in order through an
`execute(stage, run)` function: directly here, as Prefect tasks in `flows/` (the only place that knows
Prefect). Stages open the master store they need, so a stage can run in any worker thread.

The stage functions over plain arguments (`scan`, `read_batch`, … `release_batch`) stay public for tests.
"""
from __future__ import annotations

import errno
import hashlib
import json
import logging
import os
import signal
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Callable
from zoneinfo import ZoneInfo

# Only light modules at the top: a run with nothing new (`outputs_current`) must finish in well under a second,
# and pandas/pandera (checks, rules), python-docx (documents) and openpyxl (workbook, feedback) cost ≈ 0.6 s to
# import. Those are imported inside the stages that use them (validate, consolidate, outputs, feedback).
from sureform.atomic import fold_unit_name, make_durable, unit_name_problem, write_temp
from sureform.editions import EDITIONS_DIR, Catalogue, edition_path, incomplete_warning, load_catalogue
from sureform.intake.grid import FileTooLarge, ReadLimits, UnreadableFile, column_letter, read_grids
from sureform.intake.isolate import Abnormal, Isolated
from sureform.intake.inbox import (ARRIVAL_WINDOW, ChangedWhileRead, file_sha256, keep_copy, may_still_arrive,
                                   nobody_writing, release,
                                   revive_released, scan_inbox, stored_path)
from sureform.intake.kinds import detect_kind, kind_label, kind_named
from sureform.intake.readers.base import FileRead, record_location, share_texts, without_feedback_sheets
from sureform.intake import senders
from sureform.intake.supplied import read_supplied_document
from sureform.intake.values import short_time
from sureform.issues import Issue, Location, has_errors, make_issue, with_filing_year
from sureform.model import Consolidation
from sureform.report import RunReport
from sureform.runlock import run_lock, sweep_leftovers
from sureform.store import Store, Submission, record_json

log = logging.getLogger("sureform")
TZ = ZoneInfo("Asia/Shanghai")
MASTER_DB = "master.sqlite"
# a machine's failure, not the data's: full, read-only, not ours to write (the run stops and says so)
ENVIRONMENT_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM}


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
    limits: ReadLimits = field(default_factory=ReadLimits)  # what one input file may ask for (rows, memory, time)
    deadline: date | datetime | None = None  # the round's deadline, Beijing time (进度.html's countdown)
    feedback_mode: int = 0o750  # outbox/反馈/<unit>/ (files: no execute bits), owned as that unit's inbox folder
    outputs_mode: int = 0o750  # 汇总.xlsx, the documents and 历史/: the league office's
    senders: dict = field(default_factory=dict)  # unit → the uids that may own its folder's files ([units])

    def share(self, sharing: dict | None) -> "RunOptions":
        """These options with `Settings.sharing()` (who may send and read what) applied."""
        if sharing:
            self.feedback_mode = sharing.get("feedback_mode", self.feedback_mode)
            self.outputs_mode = sharing.get("outputs_mode", self.outputs_mode)
            self.senders = {unit: tuple(uids) for unit, uids in (sharing.get("senders") or {}).items()}
        return self

    @property
    def db_path(self) -> Path:
        return self.state / MASTER_DB

    def catalogue(self) -> Catalogue:
        """The edition, checked against the rule library (EditionError if it cannot be used)."""
        from sureform.rules.library import load_edition  # pandas/pandera come with the rules: see the imports

        return load_edition(self.edition)

    def check_edition(self) -> None:
        """EditionError if the edition cannot be used; skipped (no rules imported) when the last outputs were
        built from this very edition file by this very code, which checked it then."""
        if _built_from_edition(self):
            return
        self.catalogue()


@dataclass
class Scan:
    files: list  # InboxFile
    skipped: list  # SkippedFile


Progress = Callable[[str, int, int], None]


def _noop(stage: str, done: int, total: int) -> None:
    pass


# ---- stage 1: scan ------------------------------------------------------------------------------
def scan(opts: RunOptions) -> Scan:
    revive_released(opts.inbox, opts.state)  # files whose copy went on after an earlier run released them
    files, skipped = scan_inbox(opts.inbox, opts.stable_seconds)
    return Scan(files, skipped)


# ---- stage 2: read ------------------------------------------------------------------------------
def read_batch(files: list, opts: RunOptions, progress: Progress = _noop) -> list[FileRead]:
    """Hash, recognise duplicates, read and normalise every ready file; one bad file never stops the rest."""
    if not files:
        return []  # nothing to read: no edition to check, no reader processes to start
    catalogue = opts.catalogue()
    code = _code_stamp()  # a submission's 汇总 rows are rendered where it is read, stamped with this code
    reads: list[FileRead] = []
    seen: dict[str, FileRead] = {}
    received = datetime.now(TZ).isoformat(timespec="seconds")
    with Store(opts.db_path) as store, Isolated(opts.limits) as reader:
        hashed = []
        for f in files:
            fr = FileRead(path=f.path, rel=f.rel, unit=senders.unit_of_place(f.rel), size=f.size,
                          received_at=received, mtime_ns=f.mtime_ns)
            try:
                fr.sha256 = file_sha256(f.path)
            except OSError as exc:
                log.warning("无法读取 %s（计算校验值时）：%s", f.rel, exc)
                continue  # vanished or locked (or no longer a plain file): it will be seen next run
            hashed.append((f, fr))
        first = {}
        for f, fr in hashed:  # each new content is read once, in a worker process, all of them at once
            if fr.sha256 not in first and store.accepted_by_hash(fr.sha256) is None:
                first[fr.sha256] = fr.rel
                reader.submit(fr.rel, _read_isolated, fr, catalogue, opts.limits, code)
        for n, (f, fr) in enumerate(hashed, 1):
            known = store.accepted_by_hash(fr.sha256)
            twin = seen.get((fr.sha256, senders.place_of(fr.rel)))  # the same bytes elsewhere: judged on their own
            if known is not None:
                _mark_duplicate(fr, known["kind"], known["unit"], known["received_at"], store, known["id"])
                if _left_by_killed_run(fr, known) and not store.released(fr.sha256, known["rel_path"]):
                    _resume(fr, known)
            elif twin is not None:
                fr.twin_of = twin  # judged with it in validate_batch: one content, an answer for each path
            else:
                if first.get(fr.sha256) != fr.rel:  # same bytes as a file still arriving: read on its own
                    reader.submit(fr.rel, _read_isolated, fr, catalogue, opts.limits, code)
                _take_read(fr, reader)
                if _still_arriving(fr, f.mtime):
                    fr.status = "arriving"
                else:
                    seen.setdefault((fr.sha256, senders.place_of(fr.rel)), fr)
            reads.append(fr)
            progress("read", n, len(files))
        if any(fr.status in ("pending", "duplicate") for fr in reads):
            # the units known are looked up only for a look-alike folder or a file of the league office's places
            needed = any(fr.status in ("pending", "duplicate") and (senders.place_of(fr.rel) == senders.OFFICE
                         or senders.folder_of(fr.rel) != senders.unit_of_place(fr.rel)) for fr in reads)
            known = _known_units(reads, opts, store) if needed else set()
            _check_senders(reads, opts, store, known)
            _check_column_units(reads, known)
    return reads


def _known_units(reads: list[FileRead], opts: RunOptions, store: Store) -> set[str]:
    """The units sureform knows, written as they are compared: a folder in the inbox, a unit that has sent files
    before, or one named in the 机构信息 (this batch's or the master's). Look-alike names are not among them."""
    known = {p.name for p in opts.inbox.iterdir() if p.is_dir() and not p.is_symlink()}
    known |= store.units_with_submissions()
    institution = store.current_records("institution") + [r for fr in reads if fr.kind == "institution"
                                                          for r in fr.records]
    known |= {fold_unit_name(str(r.get(k))) for r in institution for k in ("unit", "electing_unit") if r.get(k)}
    return senders.clean_names(known)


def _check_senders(reads: list[FileRead], opts: RunOptions, store: Store, known: set[str]) -> None:
    """A sender is a place (`intake.senders`): a look-alike folder is its unit or refused, a file's owner must
    be one of its place's senders (when set), a school-wide kind comes only from the league office, and bytes
    another unit sent are not this unit's: refused, never reinstated."""
    for fr in reads:
        if fr.status not in ("pending", "duplicate") or fr.twin_of is not None:
            continue
        problems: list[Issue] = []
        folded = len(fr.issues)
        senders.settle_folder(fr, known)
        problems += [i for i in fr.issues[folded:] if i.severity == "error"]
        fr.issues = fr.issues[:folded] + [i for i in fr.issues[folded:] if i.severity != "error"]
        if (owner := senders.owner_problem(fr, opts.senders)) is not None:
            problems.append(owner)
        kind = None
        if fr.kind:
            try:
                kind = kind_named(fr.kind)
            except KeyError:
                kind = None
            if kind is not None and (p := senders.kind_problem(fr, kind.label, not kind.needs_unit)) is not None:
                problems.append(p)
        if fr.status == "duplicate" and fr.submission_id is not None and not problems:
            first = store.submission(fr.submission_id)
            if first is not None and (p := senders.duplicate_problem(
                    fr, first["rel_path"], first["unit"], store.is_current(fr.submission_id),
                    kind.label if kind is not None else "")):
                problems.append(p)
        if not problems:
            continue
        if fr.status == "duplicate":  # never a re-send of what another place sent: judged as a file of its own
            fr.status, fr.records, fr.stored_path, fr.submission_id = "pending", [], None, None
            fr.unit = senders.unit_of_place(fr.rel)
            fr.issues = [i for i in fr.issues if i.code == "unit-name-folded"]
        fr.issues += problems


def _check_column_units(reads: list[FileRead], known: set[str]) -> None:
    """A file of the league office's places takes its 系 from its 院系 column only when that 系 is known."""
    top = [fr for fr in reads if fr.unit and senders.place_of(fr.rel) == senders.OFFICE and fr.status == "pending"
           and fr.twin_of is None and fr.kind]
    for fr in top:
        if fr.unit not in known:
            fr.issues.append(make_issue("unit-not-known", Location(fr.rel), fr.unit))
            fr.unit = None


def _mark_duplicate(fr: FileRead, kind, unit, received_at, store, submission_id) -> None:
    fr.status, fr.kind, fr.unit = "duplicate", kind, unit or fr.unit
    fr.issues.append(make_issue("file-duplicate", Location(fr.rel), received=str(received_at)[:19].replace("T", " ")))
    if store is not None and submission_id is not None:
        fr.issues.extend(store.submission_issues(submission_id))
        fr.stored_path = store.stored_path(submission_id)
        fr.submission_id = submission_id


def _still_arriving(fr: FileRead, mtime: float) -> bool:
    """Unreadable (or empty), changed within the arrival window, and nobody can vouch that no one is writing it (a
    network share): likely a copy that stalled half-way.
    It stays in the inbox, reported as still arriving, and is read again by a later run."""
    if not any(i.code in ("file-unreadable", "file-empty") for i in fr.issues) or not may_still_arrive(mtime):
        return False
    if nobody_writing(fr.path):
        return False  # a local file nobody has open: broken, not arriving (rejected now, not in 2 minutes)
    fr.issues = [arriving_issue(fr.rel)]
    return True


def arriving_issue(rel: str) -> Issue:
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


def _read_isolated(fr: FileRead, catalogue, limits: ReadLimits, code: str = "") -> FileRead:
    """In a reader process (intake.isolate): `_read_one`, its 汇总 rows rendered (`outputs.workbook`: kept with the
    submission at commit, never rendered again), and the FileRead back to the run."""
    _read_one(fr, catalogue, limits)
    share_texts(fr.records)
    if fr.records and fr.kind and not has_errors(fr.issues):
        from sureform.outputs.workbook import render_submission

        fr.stored = [record_json(r) for r in fr.records]  # as the store keeps them: here, not in the commit
        try:
            fr.rendered = render_submission(fr.kind, fr.records, fr.unit, fr.rel, catalogue, code)
        except Exception:  # the workbook renders it from the master instead
            log.exception("rendering the rows of %s failed", fr.rel)
    return fr


def _take_read(fr: FileRead, reader: Isolated) -> None:
    """What the reader process found; a file that killed it or ran out of time is refused with the reason."""
    try:
        got = reader.result(fr.rel)
    except Abnormal as exc:
        log.warning("读取 %s：%s", fr.rel, exc.reason)
        fr.issues.append(make_issue("file-abnormal", Location(fr.rel), reason=exc.reason))
        return
    except Exception as exc:  # a reader bug must not stop the batch
        log.error("读取 %s 时出错：%r", fr.rel, exc)
        fr.issues.append(make_issue("file-unreadable", Location(fr.rel), reason=f"读取时出错（{type(exc).__name__}）"))
        return
    fr.kind, fr.unit, fr.records, fr.issues = got.kind, got.unit, got.records, got.issues
    fr.rendered, fr.stored = got.rendered, got.stored


def _read_one(fr: FileRead, catalogue, limits: ReadLimits | None = None) -> None:
    if fr.path.suffix.lower() == ".docx":
        read_supplied_document(fr)
        return
    hidden: list[str] = []
    try:
        grids = without_feedback_sheets(read_grids(fr.path, limits, hidden))
    except FileTooLarge as exc:
        fr.issues.append(make_issue("file-abnormal", Location(fr.rel), reason=exc.reason))
        return
    except UnreadableFile as exc:
        fr.issues.append(make_issue("file-unreadable", Location(fr.rel), reason=exc.reason))
        return
    except Exception as exc:  # a reader bug must not stop the batch
        log.exception("reading %s failed", fr.rel)
        fr.issues.append(make_issue("file-unreadable", Location(fr.rel), reason=f"读取时出错（{type(exc).__name__}）"))
        return
    fr.issues += [make_issue("sheet-hidden-skipped", Location(fr.rel, name), sheet=name) for name in hidden]
    if not any(any(v not in ("", None) for v in row) for g in grids for row in g.rows):
        fr.issues.append(make_issue("file-empty", Location(fr.rel)))
        return
    fr.issues += [make_issue("text-control-removed", Location(fr.rel, g.name, r, None, f"{column_letter(c)}{r}"),
                             g.value(r, c)) for g in grids for r, c in sorted(g.cleaned)]
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
    """The unit is the first-level subfolder; else (the league office's places) the file's own 院系 column. Unit
    names are compared folded (`atomic.fold_unit_name`): a 院系 that names another unit refuses the file."""
    for rec in fr.records:  # look-alike and invisible characters never make a unit of their own
        for key in ("unit", "electing_unit"):
            if isinstance(rec.get(key), str):
                rec[key] = fold_unit_name(rec[key]) or None
    if not kind.needs_unit:
        return
    values = [r.get("unit") for r in fr.records if r.get("unit")]
    if fr.unit is None:
        if values:
            unit = Counter(values).most_common(1)[0][0]
            if (problem := unit_name_problem(unit)) is not None:  # it would name folders: never a path
                fr.issues.append(make_issue("unit-name-invalid", Location(fr.rel), unit, reason=problem))
                return
            fr.unit = unit
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
    fresh = [fr for fr in reads if fr.status == "pending" and fr.twin_of is None]
    if not any(fr.status == "pending" for fr in reads):
        return reads  # nothing new to judge: the master is not loaded
    from sureform.checks.batch import run_validators  # pandera: see the imports at the top
    from sureform.checks.roster import cross_unit_duplicates, implausible_size
    from sureform.rules.library import tag_issues

    run_validators([fr for fr in fresh if fr.records], opts.as_of, opts.catalogue())
    catalogue = opts.catalogue()
    for fr in fresh:  # the item each issue bears on; a date's example of the filing year
        if fr.kind in ("roster", "unit_roster") and (big := implausible_size(fr.kind, fr.rel, fr.records, catalogue)):
            fr.issues.append(big)
        fr.issues = [with_filing_year(i, opts.as_of.year) for i in tag_issues(fr.issues, catalogue)]
    for fr in fresh:
        fr.status = "rejected" if fr.rejected else "accepted"
    _check_supersede(fresh, opts)
    for fr in reads:
        if fr.twin_of is not None and fr.status == "pending":
            _judge_twin(fr, fr.twin_of)
    rosters = [fr for fr in fresh if fr.kind == "roster"]
    # a person on two units' rosters: against the rest of the master and the rest of the batch
    accepted = [fr for fr in rosters if fr.status == "accepted"]
    replaced = {fr.unit for fr in accepted}
    if not accepted:
        return reads
    with Store(opts.db_path) as store:  # of the rest of the master, only the 学号 are compared: not whole records
        others = [(unit, file, sid) for unit, file, sid in store.current_values("roster", "student_id")
                  if unit not in replaced]
    new = [(fr.unit, fr.rel, rec) for fr in accepted for rec in fr.records]
    owners = [fr for fr in accepted for _ in fr.records]
    for pos, issues in cross_unit_duplicates(new, others).items():
        owners[pos].issues.extend(issues)
    return reads


def _check_supersede(fresh: list[FileRead], opts: RunOptions) -> None:
    """A file never takes the place of another unit's submission (`intake.senders.supersede_problem`): against
    what is in force in the master and, in arrival order, what this batch accepted before it."""
    accepted = [fr for fr in fresh if fr.status == "accepted" and fr.kind]
    if not accepted:
        return
    in_batch: dict[str, tuple[str, str | None]] = {}
    with Store(opts.db_path) as store:
        for fr in accepted:
            key = _supersede_key(fr, kind_named)
            current = in_batch.get(key)
            if current is None and (row := store.current_for_key(key)) is not None:
                current = (row["rel_path"], row["unit"])
            try:
                label = kind_named(fr.kind).label
            except KeyError:
                label = fr.kind
            if (problem := senders.supersede_problem(fr, label, current)) is not None:
                fr.issues.append(problem)
                fr.status = "rejected"
                continue
            in_batch[key] = (fr.rel, fr.unit)


def _judge_twin(fr: FileRead, first: FileRead) -> None:
    """Same bytes as `first`, earlier in this batch: a duplicate if that was accepted, else the same answer
    as it (rejected, with its problems pointed at in this file), so that each path gets its own feedback."""
    if first.status == "arriving":
        fr.status, fr.issues = "arriving", [arriving_issue(fr.rel)]
        return
    fr.kind, fr.unit = first.kind, fr.unit or first.unit
    if first.status in ("accepted", "duplicate", "reinstated"):
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
    _keep_copies([fr for fr in reads if fr.status in ("accepted", "rejected")], opts)
    for fr in reads:
        if fr.status == "duplicate" and fr.twin_of is not None:
            fr.stored_path = fr.twin_of.stored_path  # its bytes are kept once, as its first copy's
    todo = [fr for fr in reads if fr.status in ("accepted", "rejected", "duplicate")]
    crash_point("copy")  # copies kept, master not yet committed
    with Store(opts.db_path) as store, store.transaction():
        run_id = store.start_run(datetime.now(TZ).isoformat(timespec="seconds"), opts.as_of.isoformat())
        checked: dict[int, list] = {}
        for fr in todo:  # in arrival order: of two versions in force for the same thing, the later one wins
            if fr.status == "duplicate":
                _record_arrival(fr, store, run_id)
                continue
            if fr.status == "accepted" and (prior := store.accepted_by_hash(fr.sha256)) is not None:
                fr.submission_id = prior["id"]
                if (prior["rel_path"], prior["received_at"]) != (fr.rel, fr.received_at):  # else resumed: recorded
                    fr.status = "duplicate"  # committed by a run that died before releasing the file
                continue
            if fr.status == "rejected" and store.rejected_already(fr.sha256, fr.rel):
                continue  # the same bytes at the same place were rejected already (e.g. by a run killed before release)
            key = _supersede_key(fr, kind_named) if fr.status == "accepted" and fr.kind else None
            fr.submission_id = store.add_submission(run_id, Submission(
                sha256=fr.sha256, original_name=fr.path.name, rel_path=fr.rel, unit=fr.unit, kind=fr.kind,
                supersede_key=key, status=fr.status, received_at=fr.received_at,
                stored_path=str(fr.stored_path), records=fr.records if fr.status == "accepted" else [],
                issues=fr.issues, stored=fr.stored))
            if fr.status == "accepted" and fr.schema_checks is not None:
                checked[fr.submission_id] = fr.schema_checks
            for block in (fr.rendered or []) if fr.status == "accepted" else []:
                if block.unit == fr.unit:  # else its 报送单位 was decided otherwise since: the workbook renders it
                    store.keep_sheet_block(fr.submission_id, block.sheet, block.version, block.widths,
                                           block.layout, block.rows, block.xml, compressed=True)
            fr.rendered = fr.stored = None  # kept, or rendered from the master by the workbook
        if checked:  # consolidation on the same date takes these instead of checking the rows again
            store.add_roster_checks(checks_stamp(opts), checked)
        store.finish_run(run_id, {"files": len(todo)})
    return reads


DISK_THREADS = 4  # copying, fsyncing, moving wait on the disk: a few at once (1,000 copies: 0.84 → 0.49 s here)


def _few_at_once(work: Callable, items: list) -> list:
    """`[work(x) for x in items]`, a few at once in threads; the first failure is raised, as one at a time."""
    if len(items) < 2:
        return [work(x) for x in items]
    with ThreadPoolExecutor(min(DISK_THREADS, len(items))) as pool:
        return list(pool.map(work, items))


def _keep_copies(reads: list[FileRead], opts: RunOptions) -> None:
    """Each file's copy in state/, a few at once; files bound for the same copy (the same bytes and name from
    one 系) one after the other, in batch order."""
    by_dest: dict[Path, list[FileRead]] = {}
    for fr in reads:
        by_dest.setdefault(stored_path(opts.state, fr.status, fr.unit, fr.path.name, fr.sha256), []).append(fr)

    def copy(dest_and_group: tuple[Path, list[FileRead]]) -> None:
        dest, group = dest_and_group
        for fr in group:
            try:
                fr.stored_path = keep_copy(fr.path, dest, fr.sha256, durable=False)
            except ChangedWhileRead:  # written to since it was read: judge it again when the copy is complete
                fr.status, fr.stored_path = "arriving", None
                fr.issues = [arriving_issue(fr.rel)]
            except FileNotFoundError:  # taken away by its sender meanwhile: nothing to record
                fr.status, fr.stored_path = "arriving", None
                fr.issues = []

    _few_at_once(copy, list(by_dest.items()))  # a full disk or a refused write stops the run here
    # one durable point for the batch, before the SQLite commit that names the copies
    make_durable([fr.stored_path for fr in reads if fr.stored_path is not None])


def _record_arrival(fr: FileRead, store: Store, run_id: int) -> None:
    """A re-sent file is recorded (提交记录 lists it); if the version it repeats had been replaced meanwhile, it
    is in force again and the sender is told so. The file a killed run left behind is not a new arrival."""
    sid = fr.submission_id if fr.twin_of is None else fr.twin_of.submission_id
    if sid is None or store.arrival_pending(fr.sha256, fr.rel):
        return
    newer = store.replaced_by(sid)
    if store.add_arrival(run_id, sid, fr.sha256, fr.path.name, fr.rel, fr.unit, fr.received_at) and newer:
        fr.status = "reinstated"
        first = store.submission(sid)
        note = make_issue("file-reinstated", Location(fr.rel), received=short_time(first["received_at"]),
                          newer_received=short_time(newer["received_at"]), newer_name=newer["original_name"])
        fr.issues = [note if i.code == "file-duplicate" else i for i in fr.issues]


def _supersede_key(fr: FileRead, kind_named) -> str:
    try:
        kind = kind_named(fr.kind)
    except KeyError:
        return f"{fr.kind}:{fr.unit}"
    return kind.supersede_key(fr.unit, fr.records)


# ---- stage 5: consolidate -------------------------------------------------------------------------
def consolidate(opts: RunOptions) -> Consolidation:
    """Re-check the whole current master as of the filing date: open findings, counts, verdicts."""
    from sureform.rules.master import consolidate as master_view  # pandas: see the imports at the top

    with Store(opts.db_path) as store:
        return master_view(store, opts.catalogue(), opts.as_of, checks_stamp(opts))


def checks_stamp(opts: RunOptions) -> str:
    """What a roster's schema issues depend on besides its rows: the filing date, the edition, the code."""
    return _digest([opts.as_of.isoformat(), _edition_stamp(opts.edition), _code_stamp()])


# ---- stage 6: outputs -----------------------------------------------------------------------------
def write_feedback_files(reads: list[FileRead], opts: RunOptions) -> list[Path]:
    """Each sender's feedback workbook, written in the reader processes (intake.isolate), all cores at once: a
    sender's workbook is opened again to mark it, and that costs only its own feedback if it goes wrong. When
    marking the sender's own sheets fails for want of memory or time (openpyxl needs far more than reading did),
    the sender still gets the list of problems, written here."""
    written: list[Path] = []
    move_old_feedback_once(opts)
    if not any(fr.stored_path is not None for fr in reads):
        return written
    from sureform.outputs.feedback import (feedback_access, feedback_path, needs_feedback, prepare_feedback_folder,
                                           retire_feedback, verdict_for)

    pending: dict[Path, tuple[FileRead, tuple]] = {}  # dest → the file whose feedback is written there, its call
    prepared: set[str] = set()
    few = sum(1 for fr in reads if fr.stored_path is not None and needs_feedback(fr.issues)) < FEEDBACK_POOL_MIN
    with Isolated(opts.limits, in_process=few) as writer:  # a few: here, with openpyxl already imported
        for fr in reads:
            if fr.stored_path is None:
                continue
            place = senders.place_of(fr.rel)  # feedback goes back to whoever sent the file, and to nobody else
            access = feedback_access(opts.inbox, place, opts.feedback_mode, senders.folder_of(fr.rel))
            dest = feedback_path(opts.outbox, place, fr.path.name)
            if dest in pending:  # two files of one name from one 系 in a batch: the later one's answer stands
                _take_feedback(*pending.pop(dest), writer, written)
            if fr.status in ("accepted", "rejected", "reinstated"):
                retire_feedback(dest, opts.outbox, office_access(opts))  # earlier marks no longer apply: 历史/
            if not needs_feedback(fr.issues):
                continue
            if place not in prepared:
                prepare_feedback_folder(opts.outbox, place, access)
                prepared.add(place)
            call = (Path(fr.stored_path), fr.path.name, fr.issues, dest,
                    read_as(fr.kind) + verdict_for(fr.status, fr.issues), True, access)
            writer.submit(fr.rel, _write_feedback_isolated, *call)
            pending[dest] = (fr, call)
        for fr, call in pending.values():
            _take_feedback(fr, call, writer, written)
    return written


def read_as(kind: str | None) -> str:
    """The feedback's first words: which kind the file was read as (`按“校级学生会工作人员名单”读取；`)."""
    label = kind_label(kind)
    return f"按“{label}”读取；" if label else ""


FEEDBACK_POOL_MIN = 4  # fewer feedback files than this are written in the run's own process (a drop under serve)


def _write_feedback_isolated(source: Path, original_name: str, issues: list, dest: Path, verdict: str,
                             own_sheets: bool = True, access=None) -> Path:
    """In a reader process: `outputs.feedback.write_feedback`."""
    from sureform.outputs.feedback import write_feedback  # openpyxl: see the imports at the top

    return write_feedback(source, original_name, issues, dest, verdict, own_sheets=own_sheets, access=access)


def _take_feedback(fr: FileRead, call: tuple, writer: Isolated, written: list[Path]) -> None:
    try:
        try:
            fr.feedback = writer.result(fr.rel)
        except (Abnormal, MemoryError) as exc:
            log.warning("%s 的标注文件：无法在原表格上标注（%s），只列出问题清单",
                        fr.rel, getattr(exc, "reason", "MemoryError"))
            access = call[6] if len(call) > 6 else None
            fr.feedback = _write_feedback_isolated(*call[:5], own_sheets=False, access=access)
        written.append(fr.feedback)
    except OSError as exc:
        if exc.errno in ENVIRONMENT_ERRNOS:
            raise  # a full or read-only outbox: the run says so (cli), the next run writes it
        log.exception("feedback for %s failed", fr.rel)
    except Exception:
        log.exception("feedback for %s failed", fr.rel)


def office_access(opts: RunOptions):
    """The league office's outputs (汇总.xlsx, the documents, 历史/): `outputs_mode`, the process's own owner."""
    from sureform.atomic import Access

    return Access(opts.outputs_mode)


def move_old_feedback_once(opts: RunOptions) -> None:
    """outbox/退回/ (feedback's folder before it was 反馈/) moved into outbox/反馈/, each unit's with its access."""
    if not (opts.outbox / "退回").is_dir():
        return
    from sureform.outputs.feedback import feedback_access, move_old_feedback

    move_old_feedback(opts.outbox, lambda unit: feedback_access(opts.inbox, unit, opts.feedback_mode, unit),
                      office_access(opts))


# ---- stage 7: release ------------------------------------------------------------------------------
def release_batch(reads: list[FileRead], opts: RunOptions) -> None:
    """Only now do processed files leave the inbox: their copies are kept and the master committed. A file
    that changed since it was read, or that a process holds open for writing, stays for the next run."""
    done = [fr for fr in reads if fr.status in ("accepted", "rejected", "duplicate", "reinstated")
            and fr.stored_path and Path(fr.stored_path).exists()]

    def let_go(fr: FileRead) -> bool:
        if release(fr.path, fr.sha256, opts.state, fr.size, fr.mtime_ns or None, fr.rel):
            return True
        log.info("%s 在处理后有变化或仍在写入，留在收件文件夹中，下次再处理", fr.rel)
        return False

    released = [fr for fr, ok in zip(done, _few_at_once(let_go, done)) if ok]  # each hashed again, then moved
    if released:  # a later copy of the same bytes is a re-send (重复), not a killed run's file to finish
        with Store(opts.db_path) as store, store.transaction():
            now = datetime.now(TZ).isoformat(timespec="seconds")
            for fr in released:
                store.mark_released(fr.sha256, fr.rel, now)


# ---- the order of the stages ------------------------------------------------------------------------
@dataclass
class Run:
    """One run as it goes through the stages: each stage fills its part."""

    opts: RunOptions
    progress: "Progress" = None  # type: ignore[assignment]
    scanned: Scan = field(default_factory=lambda: Scan([], []))
    reads: list[FileRead] = field(default_factory=list)
    feedback: list[Path] = field(default_factory=list)
    consolidation: Consolidation | None = None
    outputs: dict = field(default_factory=dict)
    built_from: dict = field(default_factory=dict)  # what the outputs are built from (`built_from`)
    previous: dict | None = None  # state/outputs.json: what the last outputs were built from, and the report's part
    current: bool = False  # the last outputs were built from exactly this: not consolidated, nothing rewritten

    def __post_init__(self) -> None:
        self.progress = self.progress or _noop


def _scan(run: Run) -> None:
    run.progress("scan", 0, 1)
    run.scanned = scan(run.opts)


def _read(run: Run) -> None:
    run.reads = read_batch(run.scanned.files, run.opts, run.progress)


def _validate(run: Run) -> None:
    run.progress("validate", 0, 1)
    validate_batch(run.reads, run.opts)


def _commit(run: Run) -> None:
    run.progress("commit", 0, 1)
    commit_batch(run.reads, run.opts)
    for fr in run.reads:  # from here on the master holds them: the run keeps only their counts
        fr.let_go_of_records()


def _feedback(run: Run) -> None:
    run.progress("feedback", 0, 1)
    run.feedback = write_feedback_files(run.reads, run.opts)


def _consolidate(run: Run) -> None:
    run.progress("consolidate", 0, 1)
    run.built_from = built_from(run.opts)
    run.previous = outputs_record(run.opts)
    run.current = outputs_current(run.previous, run.built_from)
    if not run.current:
        run.consolidation = consolidate(run.opts)


def _outputs(run: Run) -> None:
    if run.current:
        run.outputs = {k: rel_out(Path(v), run.opts) for k, v in run.previous["outputs"].items()}
        page = write_progress(run.opts)  # the same facts: only the countdown (or a page deleted by hand) can change
    else:
        run.outputs = write_outputs(run.consolidation, run.opts, run.previous, run.built_from,
                                    documents=not still_arriving(run))
        page = write_progress(run.opts, run.consolidation)
    if page is not None:
        run.outputs["progress"] = rel_out(page, run.opts)
    run.outputs["feedback"] = [rel_out(p, run.opts) for p in run.feedback]


def still_arriving(run: Run) -> list[str]:
    """The files this run left in the inbox because they may still be being written (too young, open for writing,
    a copy stalled half-way): until they are read, the documents would show a master without them, so neither
    document is rewritten (nor its previous version moved to 历史/)."""
    return [s.rel for s in run.scanned.skipped if s.arriving] + [fr.rel for fr in run.reads if fr.status == "arriving"]


def _release(run: Run) -> None:
    release_batch(run.reads, run.opts)


@dataclass(frozen=True)
class Stage:
    name: str  # also the crash-test point right after it (SUREFORM_CRASH_AT)
    title: str  # the task's name in Prefect
    run: Callable[[Run], None]
    io: bool  # files and the database only: a failure may be bad luck, so the flow retries it


INTAKE: tuple[Stage, ...] = (
    Stage("scan", "scan-inbox", _scan, io=True),
    Stage("read", "read-batch", _read, io=False),
    Stage("validate", "validate-batch", _validate, io=False),
    Stage("commit", "commit-master", _commit, io=True),
    Stage("feedback", "write-feedback", _feedback, io=True),
    Stage("consolidate", "consolidate", _consolidate, io=False),
    Stage("outputs", "write-outputs", _outputs, io=True),
    Stage("release", "release-inbox", _release, io=True),
)
NIGHTLY: tuple[Stage, ...] = tuple(s for s in INTAKE if s.name in ("consolidate", "outputs"))


# ---- the provincial review (`sureform review`): its own folders, its own lock -------------------------------
@dataclass
class ReviewOptions:
    inbox: Path = Path("review/inbox")
    outbox: Path = Path("review/outbox")
    state: Path = Path("review/state")
    as_of: date = field(default_factory=today_in_china)
    edition: str | None = None  # None: each college judged by the form it filled
    sample: float = 0.2  # the share of passing colleges drawn for a visit
    seed: int = 0
    limits: ReadLimits = field(default_factory=ReadLimits)


@dataclass
class ReviewRun:
    opts: ReviewOptions
    progress: "Progress" = None  # type: ignore[assignment]
    colleges: list = field(default_factory=list)  # CollegeFiles
    declarations: list = field(default_factory=list)  # Declaration
    round: object = None  # ReviewRound
    visits: list = field(default_factory=list)  # Visit
    changes: dict = field(default_factory=dict)  # college → ["工作人员 38 → 51", …]
    outputs: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.progress = self.progress or _noop


def _review_scan(run: ReviewRun) -> None:
    from sureform.intake.declarations import scan_review_inbox

    run.colleges = scan_review_inbox(run.opts.inbox)


def _review_read(run: ReviewRun) -> None:
    from sureform.intake.declarations import one_per_college, read_colleges

    run.declarations = one_per_college(read_colleges(run.colleges, run.opts.limits, progress=run.progress))


def _review_recompute(run: ReviewRun) -> None:
    from sureform.rules.library import load_edition
    from sureform.rules.review import review_all, select_visits

    catalogue = load_edition(run.opts.edition) if run.opts.edition else None
    run.round = review_all(run.declarations, run.opts.as_of, catalogue)
    run.visits = select_visits(run.round, run.opts.sample, run.opts.seed)


def _review_record(run: ReviewRun) -> None:
    from sureform.rules.review import changes_since, history_items
    from sureform.store import REVIEW_DB, ReviewRecord, ReviewStore

    records = [ReviewRecord(c.name, c.sha256 or "-", c.files, c.outcome, history_items(c)) for c in run.round.colleges]
    with ReviewStore(run.opts.state / REVIEW_DB) as store:
        before = store.record_round(run.round.round, run.opts.as_of.isoformat(), records,
                                    datetime.now(TZ).isoformat(timespec="seconds"))
    run.changes = {c.name: changes_since(before[c.name]["previous"], c) for c in run.round.colleges}


def _review_outputs(run: ReviewRun) -> None:
    from sureform.outputs.review import LETTERS, SUMMARY, VISITS, write_letters, write_summary, write_visits

    out = run.opts.outbox
    run.outputs = {"summary": rel_out(write_summary(run.round, run.changes, out / SUMMARY), run.opts),
                   "letters": [rel_out(p, run.opts) for p in write_letters(run.round, out / LETTERS)],
                   "visits": rel_out(write_visits(run.visits, out / VISITS), run.opts)}


REVIEW: tuple[Stage, ...] = (
    Stage("review-scan", "scan-declarations", _review_scan, io=True),
    Stage("review-read", "read-declarations", _review_read, io=False),
    Stage("review-recompute", "recompute", _review_recompute, io=False),
    Stage("review-record", "record-round", _review_record, io=True),
    Stage("review-outputs", "write-review-outputs", _review_outputs, io=True),
)


def run_review(opts: ReviewOptions, *, execute: "Execute | None" = None, progress: "Progress | None" = None,
               lock_wait: float | None = None) -> dict:
    """One review of every college's declaration in `opts.inbox`: the REVIEW stages under the review's own lock
    (`<review state>/run.lock`), as the JSON of `sureform review --json`."""
    with run_lock(opts.state, wait=lock_wait, what="sureform review"):
        sweep_leftovers(opts.outbox, opts.state)
        run = ReviewRun(opts, progress)
        for stage in REVIEW:
            (execute or run_directly)(stage, run)  # type: ignore[arg-type]
            crash_point(stage.name)
    return review_report(run)


def review_report(run: ReviewRun) -> dict:
    colleges = []
    for c in run.round.colleges:
        d = c.to_dict()
        d["changes"] = run.changes.get(c.name, [])
        colleges.append(d)
    return {"round": run.round.round, "as_of": run.opts.as_of.isoformat(), "counts": run.round.counts(),
            "colleges": colleges, "visits": [{"name": v.college.name, "why": v.why} for v in run.visits],
            "outputs": run.outputs}

Execute = Callable[[Stage, Run], None]


def run_directly(stage: Stage, run: Run) -> None:
    stage.run(run)


def run_stages(stages: tuple[Stage, ...], opts: RunOptions, *, execute: Execute = run_directly,
               progress: "Progress | None" = None, lock_wait: float | None = None, what: str = "sureform run",
               on_wait: Callable | None = None, finish: Callable[[RunReport], None] | None = None) -> RunReport:
    """Hold the run lock (waiting at most `lock_wait` s, else RunBusy), sweep what a killed run left, run the
    stages in order, and report; `finish(report)` runs last, still under the lock (the flows' summaries)."""
    with run_lock(opts.state, wait=lock_wait, what=what, on_wait=on_wait):
        sweep_leftovers(opts.outbox, opts.state)  # temporary files of a killed run's writes
        run = Run(opts, progress)
        for stage in stages:
            execute(stage, run)
            crash_point(stage.name)
        report = build_report(run)
        if finish is not None:
            finish(report)
    return report


def run_intake(opts: RunOptions, **kwargs) -> RunReport:
    """One whole intake and consolidation: the INTAKE stages."""
    return run_stages(INTAKE, opts, **kwargs)


def run_nightly(opts: RunOptions, **kwargs) -> RunReport:
    """Re-check the whole master as of `opts.as_of` and regenerate the outputs: the NIGHTLY stages."""
    return run_stages(NIGHTLY, opts, **kwargs)


def run_pipeline(opts: RunOptions, progress: "Progress | None" = None) -> dict:
    """`run_intake` in-process, as the JSON report."""
    return run_intake(opts, progress=progress).to_dict()


def build_report(run: Run) -> RunReport:
    report = RunReport.from_run(run.opts.as_of, run.reads, run.scanned.skipped, run.consolidation, run.outputs)
    if run.consolidation is None and run.current:  # not consolidated again: what the last consolidation found
        shown = run.previous["report"]
        report.master, report.items, report.disclosure = shown["master"], shown["items"], shown["disclosure"]
        report.open_findings, report.header = shown["open_findings"], shown["header"]
        report.units_missing = shown["units_missing"]
        report.master_parts = shown.get("master_parts", {})
    report.edition, report.warnings = edition_summary(run.opts.edition)
    report.documents_waiting = still_arriving(run)
    return report


def edition_summary(edition: str) -> tuple[dict, list[str]]:
    """The report's part on the edition (name, title, table titles, what it lacks) and its warnings: an
    incomplete edition is said before the run (`sureform run`) and in the report."""
    try:
        cat = load_catalogue(edition)
    except ValueError:  # checked before the run; a file edited since is the next run's error
        return {}, []
    summary = {"name": cat.edition, "title": cat.title, "tables": {t.id: t.title for t in cat.tables},
               "complete": not cat.missing}
    if cat.missing:
        summary["missing"] = cat.missing
    warning = incomplete_warning(cat)
    return summary, [warning] if warning else []


def write_outputs(consolidation: Consolidation, opts: RunOptions, previous: dict | None = None,
                  made_from: dict | None = None, documents: bool = True) -> dict:
    """汇总.xlsx, then both Word documents (a failure there keeps the previous documents and is logged; without
    `documents`, files are still arriving: the documents stay as they are, and are recorded as not written, so
    the next run, which reads those files, writes them).

    Each is rewritten only when what it shows changed: 汇总.xlsx when the master or the consolidation did,
    the documents when their `DocumentInputs` did (and either when its file is not what was written). What they
    were built from goes to state/outputs.json, which lets a run with nothing new skip all of this."""
    from sureform.outputs.documents.inputs import build_document_inputs, write_documents_for  # python-docx
    from sureform.outputs.workbook import write_summary_workbook  # openpyxl: see the imports at the top

    previous = previous or {}
    made_from = made_from or built_from(opts)
    base = {k: made_from[k] for k in ("store", "edition", "code", "outbox")}
    outputs: dict = {}
    complete = True
    with Store(opts.db_path) as store:
        catalogue = opts.catalogue()
        workbook_digest = _digest({**base, "shows": repr(consolidation)})
        kept = _kept(previous, "workbook", workbook_digest, ("master",))
        if kept:
            outputs.update(kept)
        else:
            outputs["master"] = write_summary_workbook(store, consolidation, catalogue, opts.outbox, base["code"],
                                                       access=office_access(opts))
        if not documents:
            _record_outputs(opts, made_from, consolidation, outputs, workbook_digest, None)
            return {k: rel_out(v, opts) for k, v in outputs.items()}
        documents_digest: str | None = "no verdicts, no documents"
        try:
            inputs = None
            if consolidation.items:
                inputs = build_document_inputs(store, consolidation.items, consolidation.disclosure, catalogue,
                                               consolidation)
                documents_digest = _digest({**base, "shows": repr(inputs)})
            kept = _kept(previous, "documents", documents_digest, ("filing", "disclosure"))
            written = kept or write_documents_for(store, consolidation, catalogue, opts.outbox, opts.history_days,
                                                  inputs=inputs, access=office_access(opts))
        except OSError as exc:
            if exc.errno in ENVIRONMENT_ERRNOS:
                raise  # a full or read-only outbox: the run says so
            log.exception("writing documents failed")
            written, complete = {}, False
        except Exception:  # the master and the feedback still go out; the previous documents stay in place
            log.exception("writing documents failed")
            written, complete = {}, False
    outputs.update(written)
    _record_outputs(opts, made_from, consolidation, outputs, workbook_digest,
                    documents_digest if complete else None)
    return {k: rel_out(v, opts) for k, v in outputs.items()}


# ---- 进度.html ---------------------------------------------------------------------------------------------
PROGRESS_RECORD = "progress.json"  # in the state folder: the facts the progress pages show, and their digests


def progress_record(opts: RunOptions) -> dict:
    try:
        record = json.loads((opts.state / PROGRESS_RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return record if isinstance(record, dict) and record.get("version") == 1 else {}


def _page_access(opts: RunOptions):
    """Who may read a progress page: a unit's (in its feedback folder) as that folder, made with it first."""
    from sureform.outputs.feedback import FEEDBACK_DIR, feedback_access, prepare_feedback_folder

    def access_of(path: Path):
        try:
            unit = Path(path).relative_to(opts.outbox / FEEDBACK_DIR).parts[0]
        except (ValueError, IndexError):
            return None
        access = feedback_access(opts.inbox, unit, opts.feedback_mode, unit)
        prepare_feedback_folder(opts.outbox, unit, access)
        return access

    return access_of


def write_progress(opts: RunOptions, consolidation: Consolidation | None = None) -> Path | None:
    """`outbox/进度.html` and each unit's page in its feedback folder (`outputs.progress`), each rewritten only when
    what it shows changed. With a consolidation the round's facts are collected again; without one (nothing new
    since the last outputs) the recorded facts are shown with the time as it is now. A unit that has become
    complete gets one line in the log. A failure here costs only the pages (logged), never the run."""
    from sureform.outputs import progress

    record = progress_record(opts)
    try:
        if consolidation is not None:
            with Store(opts.db_path) as store:
                facts = progress.collect(store, consolidation, opts.catalogue(), opts.inbox, opts.outbox, opts.as_of)
            facts_digest = _digest(facts)
        else:
            facts, facts_digest = record.get("facts"), record.get("facts_digest")
            if not facts or facts.get("version") != progress.FACTS_VERSION:
                return None
            grown = progress.with_new_folders(facts, opts.inbox, opts.outbox)  # a unit given a folder meanwhile
            if grown is not facts:
                facts, facts_digest = grown, _digest(grown)
        now = datetime.now(TZ).replace(tzinfo=None)
        shows = progress.shows(facts_digest, opts.outbox, now, opts.deadline)
        if record.get("shows") == shows and progress.untouched(record):
            return opts.outbox / progress.PROGRESS_NAME  # every page already shows exactly this: nothing rendered
        rendered = progress.pages(facts, opts.outbox, now, opts.deadline)
        _, pages = progress.write_pages(rendered, now, record.get("pages") or {}, _page_access(opts))
    except OSError as exc:
        if exc.errno in ENVIRONMENT_ERRNOS:
            raise
        log.exception("writing the progress pages failed")
        return None
    except Exception:
        log.exception("writing the progress pages failed")
        return None
    for unit in sorted(progress.complete_units(facts) - progress.complete_units(record.get("facts"))):
        log.info("%s：本轮需要的材料已全部报齐", unit)
    dest = opts.state / PROGRESS_RECORD
    data = json.dumps({"version": 1, "facts": facts, "facts_digest": facts_digest, "shows": shows, "pages": pages},
                      ensure_ascii=False).encode()
    os.replace(write_temp(dest, data), dest)
    return opts.outbox / progress.PROGRESS_NAME


# ---- what the outputs were built from ------------------------------------------------------------------
OUTPUTS_RECORD = "outputs.json"  # in the state folder
_PACKAGE = Path(__file__).resolve().parent


def _digest(value) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


def _code_stamp() -> str:
    """This code (and its templates and editions): a changed or upgraded sureform builds its outputs again."""
    stamps = []
    for folder, dirs, names in os.walk(_PACKAGE):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(names):
            if not name.endswith((".pyc", ".tmp")):
                st = os.stat(os.path.join(folder, name))
                stamps.append((os.path.relpath(os.path.join(folder, name), _PACKAGE), st.st_size, st.st_mtime_ns))
    return _digest(stamps)


def _edition_stamp(edition: str) -> str:
    """The edition's file and the built-in ones (an edition may take tables from its `base`), by content."""
    h = hashlib.sha256()
    for path in [edition_path(edition), *sorted(EDITIONS_DIR.glob("*.toml"))]:
        h.update(str(path).encode())
        try:
            h.update(Path(path).read_bytes())
        except OSError:
            h.update(b"-")
    return h.hexdigest()


def built_from(opts: RunOptions) -> dict:
    """What the consolidation and the outputs are made of: the master's state (its submissions are only ever
    added: the latest id and their count), the edition file's content, the filing date, this code, the outbox."""
    with Store(opts.db_path) as store:
        master = store.state_digest()
    return {"store": master, "edition": _edition_stamp(opts.edition), "as_of": opts.as_of.isoformat(),
            "code": _code_stamp(), "outbox": str(Path(opts.outbox).resolve()), "history_days": opts.history_days}


def outputs_record(opts: RunOptions) -> dict | None:
    try:
        record = json.loads((opts.state / OUTPUTS_RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) and record.get("version") == 1 else None


def _file_stamp(path: Path) -> list | None:
    try:
        st = Path(path).stat()
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns]


def _untouched(previous: dict, keys) -> bool:
    """The outputs named were written by the last run and are still exactly as it left them."""
    paths = [previous.get("outputs", {}).get(k) for k in keys]
    return all(p and _file_stamp(Path(p)) == previous.get("files", {}).get(p) for p in paths)


def _kept(previous: dict, what: str, digest: str | None, keys) -> dict[str, Path]:
    """The outputs `keys` as they are when they already show `digest` ({} when they must be written)."""
    if digest is None or previous.get(what) != digest or not _untouched(previous, keys):
        return {}
    return {k: Path(previous["outputs"][k]) for k in keys}


def outputs_current(previous: dict | None, made_from: dict) -> bool:
    """The last outputs were built from exactly this (master, edition, date, code) and are untouched since."""
    return bool(previous and previous.get("built_from") == made_from and previous.get("documents") is not None
                and _untouched(previous, previous.get("outputs", {}).keys()))


def _built_from_edition(opts: RunOptions) -> bool:
    """This edition file, read by this code, was loaded and checked when the last outputs were built."""
    previous = outputs_record(opts)
    if not previous:
        return False
    made = previous.get("built_from", {})
    return made.get("edition") == _edition_stamp(opts.edition) and made.get("code") == _code_stamp()


def _record_outputs(opts: RunOptions, made_from: dict, consolidation: Consolidation, outputs: dict,
                    workbook: str, documents: str | None) -> None:
    """state/outputs.json, written whole (temp file, rename) after the outputs it describes."""
    paths = {k: str(Path(v).resolve()) for k, v in outputs.items()}
    record = {"version": 1, "built_from": made_from, "workbook": workbook, "documents": documents,
              "outputs": paths, "files": {p: _file_stamp(Path(p)) for p in paths.values()},
              "report": {"master": consolidation.master, "items": consolidation.items,
                         "disclosure": consolidation.disclosure, "open_findings": len(consolidation.findings),
                         "header": consolidation.header, "units_missing": consolidation.units_missing,
                         "master_parts": consolidation.master_parts}}
    dest = opts.state / OUTPUTS_RECORD
    data = json.dumps(record, ensure_ascii=False, indent=1, default=str).encode()
    os.replace(write_temp(dest, data), dest)


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
