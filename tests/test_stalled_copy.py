"""A copy that stalls half-way is never lost: it is processed once it completes, whatever the timing.

Each test writes a real roster through one open handle, as a copy program does, and runs the real pipeline
between the two halves. `take_read_lease` is replaced only to stand for a network share, where the kernel
cannot tell whether someone is writing (then the arrival window and the release checks must hold alone).
"""
from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from conftest import HEADER, codes, file_report, person, settle, write_xlsx
from flows.watch import InboxWatcher, WatchLoop
from sureform.intake import inbox as inbox_mod
from sureform import pipeline
from sureform.store import Store

UNIT = "材料工程系"
REL = f"{UNIT}/工作人员名单.xlsx"


@pytest.fixture
def roster_bytes(tmp_path) -> bytes:
    src = write_xlsx(tmp_path / "src" / "名单.xlsx",
                     [HEADER, person(sid="2024060101", unit=UNIT), person(name="李四", sid="2024060102", unit=UNIT)])
    return src.read_bytes()


@pytest.fixture
def share(monkeypatch):
    """A file system without leases (an SMB/NFS mount): nobody can be seen writing."""
    monkeypatch.setattr(inbox_mod, "take_read_lease", lambda fd: False)


def accepted(env) -> list[tuple[str, str]]:
    with Store(env.state / "master.sqlite") as store:
        rows = store.conn.execute("SELECT rel_path, sha256 FROM submissions WHERE status = 'accepted'").fetchall()
    return [(r[0], r[1]) for r in rows]


def sha(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


def age(path: Path, seconds: float) -> None:
    settle(path, seconds)


def inbox_files(env) -> list[str]:
    return sorted(p.relative_to(env.inbox).as_posix() for p in env.inbox.rglob("*") if p.is_file())


def test_run_leaves_a_file_that_is_still_open_for_writing(env, roster_bytes):
    path = env.inbox / REL
    path.parent.mkdir(parents=True)
    half = len(roster_bytes) // 2
    with open(path, "wb") as writer:
        writer.write(roster_bytes[:half])
        writer.flush()
        age(path, inbox_mod.ARRIVAL_WINDOW + 600)  # paused for longer than any window
        report = env.run(stable_seconds=3)
        f = file_report(report, REL)
        assert f["status"] == "skipped" and f["reason"] == inbox_mod.STILL_WRITING
        assert path.exists() and accepted(env) == [] and not (env.state / "rejected").exists()
        writer.write(roster_bytes[half:])
    age(path, 8)
    report = env.run(stable_seconds=3)
    assert file_report(report, REL)["status"] == "accepted"
    assert accepted(env) == [(REL, sha(roster_bytes))]
    assert inbox_files(env) == []
    assert not list(env.outbox.rglob("*_错误标注.xlsx"))


def test_on_a_share_an_unreadable_young_file_is_still_arriving_not_rejected(env, roster_bytes, share):
    path = env.inbox / REL
    path.parent.mkdir(parents=True)
    half = len(roster_bytes) // 2
    with open(path, "wb") as writer:
        writer.write(roster_bytes[:half])
        writer.flush()
        age(path, 8)
        report = env.run(stable_seconds=3)
        f = file_report(report, REL)
        assert f["status"] == "skipped" and "复制完" in f["reason"]
        assert path.read_bytes() == roster_bytes[:half]  # left where it was, untouched
        assert not (env.state / "rejected").exists() and not list(env.outbox.rglob("*_错误标注.xlsx"))
        writer.write(roster_bytes[half:])
    age(path, 8)
    report = env.run(stable_seconds=3)
    assert file_report(report, REL)["status"] == "accepted"
    assert accepted(env) == [(REL, sha(roster_bytes))]
    assert inbox_files(env) == []


def test_on_a_share_a_copy_stalled_past_the_arrival_window_is_put_back_when_it_goes_on(env, roster_bytes, share):
    """Rejected as unreadable after the window, yet the sender's copy still writes into the same file: the
    file was parked by rename, so the rest lands in it, and the next run puts it back and accepts it."""
    path = env.inbox / REL
    path.parent.mkdir(parents=True)
    half = len(roster_bytes) // 2
    with open(path, "wb") as writer:
        writer.write(roster_bytes[:half])
        writer.flush()
        age(path, inbox_mod.ARRIVAL_WINDOW + 60)
        report = env.run(stable_seconds=3)
        f = file_report(report, REL)
        assert f["status"] == "rejected" and codes(f) == ["file-unreadable"]
        assert not path.exists()  # released: parked in state/released, not unlinked
        writer.write(roster_bytes[half:])  # the copy resumes through its old handle
    report = env.run(stable_seconds=0)
    assert file_report(report, REL)["status"] == "accepted"
    assert accepted(env) == [(REL, sha(roster_bytes))]
    assert inbox_files(env) == []
    parked = [p.read_bytes() for p in (env.state / "released").rglob("file")]
    assert parked == [roster_bytes]  # the half-file's parking place was emptied; the complete one is parked
    # the half it once was is kept too, as the rejected copy the feedback points at
    assert [p.read_bytes() for p in (env.state / "rejected").rglob("*.xlsx")] == [roster_bytes[:half]]


def test_a_file_changed_after_it_was_read_stays_for_the_next_run(env, roster_bytes, share):
    path = env.inbox / REL
    path.parent.mkdir(parents=True)
    path.write_bytes(roster_bytes)
    settle(path)
    opts = env.options(stable_seconds=3)
    scanned = pipeline.scan(opts)
    reads = pipeline.read_batch(scanned.files, opts)
    pipeline.validate_batch(reads, opts)
    pipeline.commit_batch(reads, opts)
    bigger = write_xlsx(env.root / "v2.xlsx", [HEADER, person(sid="2024060109", unit=UNIT)]).read_bytes()
    path.write_bytes(bigger)  # the sender saved a new version while the run was finishing
    pipeline.release_batch(reads, opts)
    assert path.read_bytes() == bigger  # not taken away
    settle(path)
    report = env.run(stable_seconds=3)
    assert file_report(report, REL)["status"] == "accepted"
    assert sha(bigger) in [s for _, s in accepted(env)]
    assert inbox_files(env) == []


def test_a_file_written_between_read_and_commit_is_not_archived_as_something_else(env, roster_bytes, share):
    path = env.inbox / REL
    path.parent.mkdir(parents=True)
    path.write_bytes(roster_bytes)
    settle(path)
    opts = env.options(stable_seconds=3)
    reads = pipeline.read_batch(pipeline.scan(opts).files, opts)
    pipeline.validate_batch(reads, opts)
    with open(path, "ab") as f:
        f.write(b"more")
    pipeline.commit_batch(reads, opts)
    pipeline.release_batch(reads, opts)
    assert reads[0].status == "arriving"
    assert path.exists() and accepted(env) == [] and not list((env.state / "archive").rglob("*.xlsx"))


def test_the_watcher_path_processes_a_stalled_copy_once_it_completes(env, roster_bytes):
    """serve's code path: the watcher decides readiness, each trigger runs the intake in-process."""
    runs: list[dict] = []

    def trigger(files):
        runs.append(pipeline.run_pipeline(env.options(stable_seconds=0)))
        return len(runs)

    clock = [1000.0]
    loop = WatchLoop(InboxWatcher(env.inbox, 3.0, lambda: clock[0]), 10.0, trigger, lambda run: True,
                     check_every=1.0)

    def turn(n=1):
        for _ in range(n):
            clock[0] += loop.step()

    path = env.inbox / REL
    path.parent.mkdir(parents=True)
    half = len(roster_bytes) // 2
    with open(path, "wb") as writer:
        writer.write(roster_bytes[:half])
        writer.flush()
        turn(20)  # 20 polls of a stalled copy
        assert runs == [] and path.exists()
        writer.write(roster_bytes[half:])
    turn(4)
    assert len(runs) == 1 and file_report(runs[0], REL)["status"] == "accepted"
    assert accepted(env) == [(REL, sha(roster_bytes))] and inbox_files(env) == []


def test_identical_bad_files_in_one_batch_each_get_their_own_rejection(env):
    bad = env.roster(UNIT, [person(sid="12-34", unit=UNIT)], name="a.xlsx")
    shutil.copy2(bad, env.inbox / UNIT / "a - 副本.xlsx")
    report = env.run()
    first, second = file_report(report, f"{UNIT}/a.xlsx"), file_report(report, f"{UNIT}/a - 副本.xlsx")
    assert first["status"] == second["status"] == "rejected"
    assert codes(first) == codes(second) and "file-duplicate" not in codes(second)
    assert {i["cell"] for i in second["issues"]} == {i["cell"] for i in first["issues"]}
    feedback = sorted(p.name for p in (env.outbox / "退回").rglob("*.xlsx"))
    assert feedback == ["a - 副本.xlsx_错误标注.xlsx", "a.xlsx_错误标注.xlsx"]
    assert inbox_files(env) == []


def test_identical_good_files_in_one_batch_one_is_accepted_the_other_is_its_duplicate(env):
    good = env.roster(UNIT, [person(unit=UNIT)], name="a.xlsx")
    shutil.copy2(good, env.inbox / UNIT / "a - 副本.xlsx")
    report = env.run()
    statuses = {f["path"]: f["status"] for f in report["files"]}
    assert sorted(statuses.values()) == ["accepted", "duplicate"]
    assert report["master"] == {"roster": 1}
    assert inbox_files(env) == []  # both answered, neither waits for a later run


def test_a_young_broken_file_that_nobody_writes_is_rejected_at_once(env):
    """On a local disk the kernel vouches that nobody has it open: broken, not arriving (no 2-minute wait)."""
    path = env.inbox / UNIT / "坏文件.xlsx"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"PK\x03\x04 not a workbook")
    age(path, 8)
    f = file_report(env.run(stable_seconds=3), f"{UNIT}/坏文件.xlsx")
    assert f["status"] == "rejected" and codes(f) == ["file-unreadable"]
