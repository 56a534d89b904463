"""Crash safety, for real: a `sureform run` process killed with SIGKILL at every stage boundary (and at a few
random instants), then one normal run, must end exactly where a run that was never killed ends: same master
(counts, current records, submissions, none twice), same kept copies, same outputs, nothing left in the inbox,
no half-written file anywhere.

The kill points come from the `SUREFORM_CRASH_AT=<stage>` hook in `sureform.pipeline` (the process SIGKILLs
itself right after that stage); the random kills come from this test, timed from the moment the run takes its
lock.
"""
from __future__ import annotations

import hashlib
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import AS_OF, HEADER, person, write_xlsx

from sureform.pipeline import RunOptions, run_pipeline
from sureform.store import Store

STAGES = ["scan", "read", "validate", "copy", "commit", "feedback", "consolidate", "outputs", "release"]
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?")


def make_inputs(inbox: Path) -> None:
    """Five rosters: clean, with a finding (feedback), rejected (feedback), a unit's two versions, no subfolder."""
    write_xlsx(inbox / "石油工程系" / "名单.xlsx",
               [HEADER, person(), person(sid="2024010102", name="李四", political="群众")])
    write_xlsx(inbox / "机电工程系" / "工作人员名单.xlsx",
               [HEADER, person(sid="2024020101", name="赵六", unit="机电工程系"),
                person(sid="2024020102", name="钱七", unit="机电工程系")])
    write_xlsx(inbox / "化学工程系" / "名单.xlsx", [HEADER, person(sid="12-34", unit="化学工程系")])
    write_xlsx(inbox / "信息工程系" / "名单v1.xlsx", [HEADER, person(sid="2024040101", name="孙八", unit="信息工程系")])
    newer = write_xlsx(inbox / "信息工程系" / "名单v2.xlsx",
                       [HEADER, person(sid="2024040102", name="周九", unit="信息工程系")])
    t = time.time() - 30  # v2 is the later file: it supersedes v1 within the batch
    os.utime(newer, (t, t))
    write_xlsx(inbox / "经济管理系工作人员名单.xlsx", [HEADER, person(sid="2024050101", name="吴十", unit="经济管理系")])
    (inbox / "经济管理系").mkdir(exist_ok=True)  # its folder exists: a file put beside it takes its 系 from 院系


def options(root: Path) -> RunOptions:
    return RunOptions(root / "inbox", root / "outbox", root / "state", AS_OF, "2020", 0)


def cli_run(root: Path, crash_at: str | None = None) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API") and k != "SUREFORM_CONFIG"}
    if crash_at:
        env["SUREFORM_CRASH_AT"] = crash_at
    return subprocess.Popen(
        [sys.executable, "-m", "sureform.cli", "run", "--inbox", str(root / "inbox"), "--outbox", str(root / "outbox"),
         "--state", str(root / "state"), "--as-of", AS_OF.isoformat(), "--settle", "0", "--json"],
        cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _xlsx_values(path: Path) -> dict:
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True)
    out = {}
    for ws in wb.worksheets:
        out[ws.title] = [tuple("<time>" if isinstance(v, str) and TIMESTAMP.match(v) else v for v in row)
                         for row in ws.iter_rows(values_only=True)]
    wb.close()
    return out


def _files(folder: Path) -> dict[str, str]:
    if not folder.exists():
        return {}
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def snapshot(root: Path) -> dict:
    """Everything a crash could damage, with run-dependent times masked."""
    state, outbox = root / "state", root / "outbox"
    with Store(state / "master.sqlite") as store:
        subs = sorted(tuple(r) for r in store.conn.execute(
            "SELECT sha256, status, unit, kind, rel_path, original_name, rows, supersede_key FROM submissions"))
        current = sorted((r["_unit"], r["student_id"], r["name"]) for r in store.current_records("roster"))
        counts = store.counts()
        n_records = store.conn.execute("SELECT count(*) FROM records").fetchone()[0]
    outputs = {}
    for rel in sorted(_files(outbox)):
        if rel.startswith("历史/"):
            continue  # every run that rewrites the Word documents keeps the previous ones there, by design

        outputs[rel] = _xlsx_values(outbox / rel) if rel.endswith(".xlsx") else "present"
    return {
        "submissions": subs, "current": current, "counts": counts, "records": n_records,
        "kept": {k: v for k, v in _files(state).items() if k.startswith(("archive/", "rejected/"))},
        "outbox": outputs, "inbox": sorted(_files(root / "inbox")),
    }


def leftovers(root: Path) -> list[str]:
    """Temporary files of an interrupted write (atomic_path / keep_copy name them `.<name>.<pid>.tmp…`)."""
    return sorted(p.relative_to(root).as_posix() for p in root.rglob(".*") if ".tmp" in p.name)


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> Path:
    """The same bytes for every run (a workbook written twice differs in its timestamps)."""
    folder = tmp_path_factory.mktemp("inputs") / "inbox"
    make_inputs(folder)
    return folder


def prepare(root: Path, inputs: Path) -> None:
    shutil.copytree(inputs, root / "inbox")  # copy2: bytes and mtimes


@pytest.fixture(scope="module")
def reference(tmp_path_factory, inputs) -> dict:
    """A run that was never killed."""
    root = tmp_path_factory.mktemp("reference")
    prepare(root, inputs)
    proc = cli_run(root)
    assert proc.wait(120) == 0, proc.stderr.read().decode()
    snap = snapshot(root)
    assert snap["inbox"] == [] and snap["counts"] == {"roster": 6}
    assert [s[1] for s in snap["submissions"]].count("rejected") == 1
    assert any(k.startswith("反馈/") for k in snap["outbox"]) and "汇总.xlsx" in snap["outbox"]
    return snap


def recover_and_compare(root: Path, reference: dict) -> None:
    report = run_pipeline(options(root))  # the next normal run finishes the work
    assert not leftovers(root), leftovers(root)
    snap = snapshot(root)
    assert snap["inbox"] == [], "a file stayed in the inbox"
    for key in ("counts", "records", "current", "submissions", "kept", "outbox"):
        assert snap[key] == reference[key], f"{key} differs after recovery"
    assert report["master"] == reference["counts"]


def assert_nothing_lost(root: Path, inputs: Path) -> None:
    """Right after the kill: every input is still in the inbox or kept in the state folder."""
    kept = set(_files(root / "state").values())
    inbox = set(_files(root / "inbox").values())
    assert set(_files(inputs).values()) <= kept | inbox


@pytest.mark.parametrize("stage", STAGES)
def test_killed_after_stage_then_next_run_finishes(tmp_path, inputs, reference, stage):
    root = tmp_path / "run"
    prepare(root, inputs)
    proc = cli_run(root, crash_at=stage)
    assert proc.wait(120) == -signal.SIGKILL, proc.stderr.read().decode()
    assert_nothing_lost(root, inputs)
    recover_and_compare(root, reference)


@pytest.mark.parametrize("seed", [int(s) for s in os.environ.get("CRASH_SEEDS", "1,2,3").split(",")])
def test_killed_at_a_random_instant_then_next_run_finishes(tmp_path, inputs, reference, seed):
    root = tmp_path / "run"
    prepare(root, inputs)
    proc = cli_run(root)
    lock = root / "state" / "run.lock"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:  # wait until the run holds its lock
        if lock.exists() and str(proc.pid) in lock.read_text(encoding="utf-8", errors="replace"):
            break
        time.sleep(0.002)
    time.sleep(random.Random(seed).uniform(0.0, 0.5))
    proc.send_signal(signal.SIGKILL)
    proc.wait(30)
    assert_nothing_lost(root, inputs)
    recover_and_compare(root, reference)


def test_killed_twice_in_a_row(tmp_path, inputs, reference):
    """A run killed after commit, the next killed after its outputs: the third run still ends in the same place."""
    root = tmp_path / "run"
    prepare(root, inputs)
    for stage in ("commit", "outputs"):
        proc = cli_run(root, crash_at=stage)
        assert proc.wait(120) == -signal.SIGKILL
    recover_and_compare(root, reference)


def test_temporary_files_of_a_killed_write_are_removed_by_the_next_run(tmp_path, inputs, reference):
    """A kill inside an atomic write leaves its temporary file beside the target; the next run sweeps them
    (outbox and kept copies), never the senders' own temporary files in the inbox."""
    root = tmp_path / "run"
    prepare(root, inputs)
    stale = [root / "outbox" / ".汇总.99999.tmp.xlsx", root / "outbox" / "反馈" / "石油工程系" / ".名单.xlsx_错误标注.99999.tmp.xlsx",
             root / "outbox" / ".备案表.docx.k2j3h4.tmp", root / "state" / "archive" / "石油工程系" / ".abc_名单.xlsx.99999.tmp"]
    for path in stale:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"half a file")
    senders = root / "inbox" / "石油工程系" / ".~lock.名单.xlsx#"
    senders.write_bytes(b"lock")
    run_pipeline(options(root))
    assert not any(p.exists() for p in stale)
    assert senders.exists()
    senders.unlink()
    snap = snapshot(root)
    for key in ("counts", "submissions", "kept", "outbox"):
        assert snap[key] == reference[key]
