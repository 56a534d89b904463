"""Soak run (not a test): `sureform serve` for N minutes against its own inbox, with the drops a school really
sees and one `kill -9` of serve, then checks that nothing was lost and that the master equals a fault-free
replay of the same drops.

    .venv/bin/python bench/soak.py                      # 5 minutes, seed 1
    .venv/bin/python bench/soak.py --minutes 4 --seed 7 --keep

What it does:

1. A fresh work folder (tempdir) with inbox/, outbox/, state/; `sureform serve --poll-interval 2
   --stability-window 3 --server-port <port>` started in its own process group (HOME and PREFECT_* isolated
   to the work folder), waited for until it prints "sureform serve 已就绪".
2. For --minutes, a random but seeded schedule of drops into unit subfolders (材料工程系, 信息工程系 …):
   - plain: written to a staging folder outside the inbox, then os.replace'd into place;
   - burst: 10 files at once (the first burst is copied from examples/inbox/);
   - slow: written through one open handle in chunks, 0.2–1 s between chunks;
   - stall: half written, 8–40 s pause, the rest through the same handle;
   - resubmission: a new version of a unit's roster (fewer or other rows) at its usual path;
   - duplicate: the same bytes under two names in one burst (`名单.xlsx` and `名单 - 副本.xlsx`);
   - bad: garbage bytes named .xlsx;
   - lock: an Excel lock file `~$<name>.xlsx` beside a roster (the roster is what is timed; the lock file
     must be left alone).
   Rosters are examples/make_samples_roster.py's generator for each unit's people, then edited with openpyxl
   (a cell, a row, a 政治面貌 or 学号) so every version's bytes differ; candidate forms come from
   examples/make_samples_inputs.py. At about half-time serve's own pid (not its group) gets SIGKILL, as an
   OOM kill would, and serve is started again.
3. Latency of a drop: from the end of its write until its file left the inbox and its answer is visible (a
   `submissions` row for that path with the file's sha256, an accepted row with that sha256 for a duplicate,
   or its feedback workbook under outbox/反馈/ written after the drop). serve's RSS and its children's
   (Prefect server, flow-run subprocesses; anything whose command line or environment names the work
   folder) are sampled every 5 s.
4. At the end: waits until every drop is answered or has left the inbox (--drain seconds at most), stops
   serve with SIGTERM, then checks
   (a) no process of the run is left (and reports processes orphaned by the kill -9, and for how long);
   (b) every drop has an answer and nothing disappeared: the final bytes of every completed drop are in
       state/archive or state/rejected (by sha256) or still in the inbox; lock files untouched; kept copies
       match the hash in their name; no temporary files left;
   (c) the master equals a fault-free replay: the final bytes of every drop copied, in drop order and with
       their mtimes, into a fresh folder, `sureform run --settle 0 --as-of <serve's date>` once per group
       (one drop or one burst), then again while files are left; accepted/rejected submissions, accepted
       sha256s and current records per kind compared; `PRAGMA integrity_check` on both.
   Prints the latency table per kind, the memory curve and the checks; exit code 0 only if all pass.

Every wait is bounded; serve is always stopped (try/finally) and leftover processes killed.
"""
from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import random
import re
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
EXAMPLES = PROJECT / "examples"
sys.path.insert(0, str(EXAMPLES))

READY_LINE = "sureform serve 已就绪"
TZ = ZoneInfo("Asia/Shanghai")
UNITS = ["材料工程系", "信息工程系", "石油工程系", "机电工程系", "化学工程系", "经济管理系", "电气工程系",
         "建筑工程系", "环境工程系", "汽车工程系", "外语系", "艺术设计系"]
KINDS = ["plain", "burst", "slow", "stall", "resubmission", "duplicate", "bad", "lock"]
WEIGHTS = [4, 1, 2, 1, 3, 1, 1, 1]
STARTUP_TIMEOUT = 240.0  # s: serve (with its Prefect server) ready
STOP_TIMEOUT = 120.0  # s: serve's own grace is 60 s for a run in progress
RUN_TIMEOUT = 300.0  # s: one replay `sureform run`
SAMPLE_EVERY = 5.0  # s: memory
ORPHAN_GRACE = 5.0  # s: a process of the run may take this long to end after serve's kill -9


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_sha(path: Path) -> str | None:
    try:
        return sha256(path.read_bytes())
    except OSError:
        return None


# ---- sample files -------------------------------------------------------------------------------------
class Samples:
    """Bytes of rosters, candidate forms and garbage, from the project's own generators; deterministic in
    content for a seed (openpyxl stamps the save time in docProps, so two saves differ anyway)."""

    def __init__(self, folder: Path, rng: random.Random):
        import make_samples_roster as msr
        from seed_people import PEOPLE

        self.msr, self.people, self.rng = msr, PEOPLE, rng
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.versions: dict[str, int] = {}
        self.candidates = 0
        self.lock = threading.RLock()  # drops are made from several threads

    def unit_people(self, unit: str) -> list:
        k = UNITS.index(unit)
        out = []
        for i in range(10):
            j = (k * 7 + i * 3) % len(self.people)
            p = self.people[j]
            out.append(p._replace(unit=unit, student_id=f"{p.year}{10 + k:02d}{1 + i % 2:02d}{i + 1:02d}"))
        return out

    def base_roster(self, unit: str) -> Path:
        path = self.folder / f"base_{UNITS.index(unit):02d}.xlsx"
        if not path.exists():
            self.msr.write_title_and_merged_header(path, self.unit_people(unit))
        return path

    def roster(self, unit: str, flavour: str | None = None) -> bytes:
        """The unit's next roster version: flavour clean (accepted), finding (accepted with a mark: a 群众 on
        the staff), error (rejected: a 学号 that is not one)."""
        from openpyxl import load_workbook

        with self.lock:
            return self._roster(unit, flavour, load_workbook)

    def _roster(self, unit: str, flavour: str | None, load_workbook) -> bytes:
        v = self.versions[unit] = self.versions.get(unit, 0) + 1
        flavour = flavour or self.rng.choices(["clean", "finding", "error"], [5, 3, 1])[0]
        wb = load_workbook(self.base_roster(unit))
        ws = wb.active
        ws.cell(2, 13).value = f"填报日期：2020年9月25日（第{v}版）"  # so the bytes of every version differ
        first = 4  # title, 填报单位 row, header
        drop = v % 4  # later versions have fewer people: the record count shows which version is current
        for _ in range(drop):
            ws.delete_rows(first + 10 - 1 - _)
        if flavour == "finding":
            ws.cell(first + self.rng.randrange(3), 9).value = "群众"
        elif flavour == "error":
            ws.cell(first + 1 + self.rng.randrange(3), 3).value = "未填"
        buf = io.BytesIO()
        wb.save(buf)
        return buf.getvalue()

    def candidate(self, unit: str) -> tuple[str, bytes]:
        import make_samples_inputs as msi

        with self.lock:
            return self._candidate(unit, msi)

    def _candidate(self, unit: str, msi) -> tuple[str, bytes]:
        self.candidates += 1
        n = self.candidates
        k = UNITS.index(unit)
        p = msi.PRESIDIUM_MEMBERS[n % len(msi.PRESIDIUM_MEMBERS)]
        p = p._replace(unit=unit, student_id=f"{p.year}{10 + k:02d}9{n % 10}{n % 100:02d}"[:10],
                       name=p.name[0] + "候选" + "甲乙丙丁戊己庚辛壬癸"[n % 10])
        path = self.folder / f"cand_{n:03d}.xlsx"
        msi.form_like_template(path, p)
        return f"主席团候选人推荐表_{p.name}.xlsx", path.read_bytes()

    def garbage(self) -> bytes:
        with self.lock:
            return bytes(self.rng.getrandbits(8) for _ in range(self.rng.randrange(3000, 12000)))


# ---- drops -------------------------------------------------------------------------------------------
@dataclass
class Drop:
    id: int
    kind: str
    group: int
    rel: str
    data: bytes
    unit: str | None = None
    roster: bool = False
    sha: str = ""
    t_start: float = 0.0  # monotonic
    t_done: float | None = None
    wall_done_ns: int = 0
    mtime_ns: int = 0
    vanished: bool = False  # the file was gone from the inbox when its write completed
    answered_at: float | None = None
    answer: str | None = None
    lock_file: str | None = None  # rel of the ~$ file beside it
    note: str = ""

    @property
    def latency(self) -> float | None:
        return None if self.answered_at is None or self.t_done is None else self.answered_at - self.t_done


class Soak:
    def __init__(self, args, root: Path):
        self.args = args
        self.rng = random.Random(args.seed)
        self.root = root
        self.inbox, self.outbox, self.state = root / "inbox", root / "outbox", root / "state"
        self.staging = root / "staging"
        for d in (self.inbox, self.outbox, self.state, self.staging):
            d.mkdir(parents=True, exist_ok=True)
        self.samples = Samples(root / "samples", random.Random(args.seed + 1))
        self.lock = threading.Lock()
        self.drops: list[Drop] = []
        self.groups = 0
        self.busy_paths: set[str] = set()  # rels of unanswered drops: no other drop writes there meanwhile
        self.busy_units: set[str] = set()  # units with a roster in flight: their order cannot be ambiguous
        self.lock_files: dict[str, str] = {}  # rel -> sha256
        self.proc: subprocess.Popen | None = None
        self.serve_starts = 0
        self.t0 = time.monotonic()
        self.memory: list[tuple[float, dict[str, float], dict[str, int]]] = []
        self.orphans: dict[int, dict] = {}  # survivors of the kill -9: pid -> {label, ppid, lived, cmd, threads}
        self.kill_info: dict = {}
        self.stop_sampling = threading.Event()
        self.stop_tracking = threading.Event()
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "SUREFORM_"))}
        self.env["HOME"] = str(root)  # nothing of the machine's ~/.prefect; every descendant carries the path
        self.env["PYTHONUNBUFFERED"] = "1"

    def now(self) -> float:
        return time.monotonic() - self.t0

    # ---- serve ----------------------------------------------------------------------------------------
    def serve_cmd(self) -> list[str]:
        exe = Path(sys.executable).with_name("sureform")
        head = [str(exe)] if exe.exists() else [sys.executable, "-m", "sureform.cli"]
        return head + ["serve", "--inbox", str(self.inbox), "--outbox", str(self.outbox), "--state", str(self.state),
                       "--server-port", str(self.args.port), "--poll-interval", "2", "--stability-window", "3"]

    def start_serve(self) -> float:
        self.serve_starts += 1
        logpath = self.root / f"serve-{self.serve_starts}.log"
        t = time.monotonic()
        with open(logpath, "wb") as out:
            proc = subprocess.Popen(self.serve_cmd(), cwd=self.root, env=self.env, stdin=subprocess.DEVNULL,
                                    stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        with self.lock:
            self.proc = proc
        while READY_LINE not in logpath.read_text(errors="replace"):
            if proc.poll() is not None:
                raise RuntimeError(f"serve exited with {proc.returncode} before it was ready:\n"
                                   + logpath.read_text(errors="replace")[-3000:])
            if time.monotonic() - t > STARTUP_TIMEOUT:
                raise RuntimeError(f"serve not ready after {STARTUP_TIMEOUT:.0f} s:\n"
                                   + logpath.read_text(errors="replace")[-3000:])
            time.sleep(0.2)
        took = time.monotonic() - t
        log(f"serve #{self.serve_starts} (pid {proc.pid}) ready after {took:.1f} s")
        return took

    def stop_serve(self) -> tuple[int | None, float]:
        with self.lock:
            proc = self.proc
        if proc is None:
            return None, 0.0
        t = time.monotonic()
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                log(f"serve did not stop within {STOP_TIMEOUT:.0f} s of SIGTERM: SIGKILL")
                proc.kill()
                proc.wait(30)
        return proc.returncode, time.monotonic() - t

    def kill_and_restart(self) -> None:
        """SIGKILL of serve's pid only (its group lives on, as after an OOM kill), then a restart."""
        with self.lock:
            proc = self.proc
        deadline = time.monotonic() + 20  # prefer a moment when a flow run is in flight
        while time.monotonic() < deadline and not any(
                p["label"] == "flow-run" for p in processes_of(self.root, proc.pid).values()):
            time.sleep(0.2)
        inflight = [pid for pid, p in processes_of(self.root, proc.pid).items() if p["label"] == "flow-run"]
        t = self.now()
        with self.lock:
            pending = [d.id for d in self.drops if d.t_done is not None and d.answered_at is None]
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(30)
        killed_at = time.monotonic()
        left = processes_of(self.root, None)
        log(f"kill -9 of serve pid {proc.pid} at t={t:.0f} s (flow runs in flight: {inflight or 'none'}; "
            f"{len(pending)} drops unanswered); still running: "
            + (", ".join(f"{pid} {p['label']} (ppid {p['ppid']})" for pid, p in left.items()) or "nothing"))
        self.kill_info = {"t": t, "pid": proc.pid, "inflight": inflight, "pending": pending,
                          "left": {pid: dict(p) for pid, p in left.items()}}
        for pid, p in left.items():
            self.orphans[pid] = {"label": p["label"], "ppid": p["ppid"], "lived": None, "cmd": p["cmd"]}
        watcher = threading.Thread(target=self.watch_orphans, args=(killed_at,), name="orphans", daemon=True)
        watcher.start()
        time.sleep(2.0)
        deadline = time.monotonic() + 30  # with a fixed --port the old server must have let go of it
        while time.monotonic() < deadline and any(o["label"] == "prefect-server" and o["lived"] is None
                                                  for o in self.orphans.values()):
            time.sleep(0.2)
        try:
            self.kill_info["restart_ready_s"] = self.start_serve()
            self.kill_info["restart_ready_at"] = time.monotonic()
        except Exception as exc:  # noqa: BLE001
            self.kill_info["restart_error"] = str(exc)
            log(f"restart failed: {exc}")

    def watch_orphans(self, killed_at: float, limit: float = 300.0) -> None:
        """How long each process that survived the kill -9 lived on (every 0.2 s, at most `limit` s)."""
        while time.monotonic() - killed_at < limit:
            alive = False
            for pid, o in self.orphans.items():
                if o["lived"] is None:
                    if _read(f"/proc/{pid}/cmdline"):
                        alive = True
                        if "threads" not in o and time.monotonic() - killed_at > ORPHAN_GRACE:
                            o["threads"] = thread_states(pid)  # where it waits: a retry sleep, a lock, a socket
                            log(f"pid {pid} ({o['label']}) still running {ORPHAN_GRACE:.0f} s after serve's kill -9; "
                                f"threads (kernel wait channel): {o['threads']}")
                    else:
                        o["lived"] = time.monotonic() - killed_at
                        log(f"pid {pid} ({o['label']}) ended {o['lived']:.1f} s after serve's kill -9")
            if not alive:
                return
            time.sleep(0.2)

    # ---- sampling and tracking --------------------------------------------------------------------------
    def sample_memory(self) -> None:
        while not self.stop_sampling.is_set():
            with self.lock:
                pid = self.proc.pid if self.proc and self.proc.poll() is None else None
            procs = processes_of(self.root, pid)
            mib: dict[str, float] = {}
            count: dict[str, int] = {}
            for p in procs.values():
                mib[p["label"]] = mib.get(p["label"], 0.0) + p["rss_kib"] / 1024
                count[p["label"]] = count.get(p["label"], 0) + 1
            now = self.now()
            self.memory.append((now, mib, count))
            self.stop_sampling.wait(SAMPLE_EVERY)

    def track_answers(self) -> None:
        db = self.state / "master.sqlite"
        conn = None
        while not self.stop_tracking.is_set():
            with self.lock:
                pending = [d for d in self.drops if d.t_done is not None and d.answered_at is None]
            if pending:
                if conn is None and db.exists():
                    try:
                        conn = sqlite3.connect(db, timeout=5)
                        conn.execute("PRAGMA query_only=1")
                    except sqlite3.Error:
                        conn = None
                for d in pending:
                    try:
                        answer = self.answer_of(d, conn)
                    except sqlite3.Error:
                        answer = None
                    if answer:
                        with self.lock:
                            d.answered_at, d.answer = time.monotonic(), answer
                            self.busy_paths.discard(d.rel)
                            if d.roster and d.unit:
                                self.busy_units.discard(d.unit)
            self.stop_tracking.wait(0.25)
        if conn is not None:
            conn.close()

    def answer_of(self, d: Drop, conn) -> str | None:
        if (self.inbox / d.rel).exists():
            return None  # not yet left the inbox
        if conn is not None:
            row = conn.execute("SELECT status FROM submissions WHERE rel_path = ? AND sha256 = ? ORDER BY id LIMIT 1",
                               (d.rel, d.sha)).fetchone()
            if row:
                return row[0]
            if conn.execute("SELECT 1 FROM submissions WHERE sha256 = ? AND status = 'accepted'", (d.sha,)).fetchone():
                return "duplicate"
        for fb in self.feedback_paths(d):
            try:
                if fb.stat().st_mtime_ns >= d.wall_done_ns:
                    return "feedback"
            except OSError:
                pass
        return None

    def feedback_paths(self, d: Drop) -> list[Path]:
        stem = Path(d.rel).stem
        units = [d.unit] if d.unit else ["校团委", "未知单位"]
        return [self.outbox / "反馈" / u / f"{stem}_错误标注.xlsx" for u in units]

    # ---- the schedule -----------------------------------------------------------------------------------
    def schedule(self) -> list[tuple[float, str]]:
        total = self.args.minutes * 60
        events = [(2.0, "examples")]
        required = KINDS[:]
        self.rng.shuffle(required)
        required += ["stall", "resubmission", "duplicate"]  # at least two of the ones that find bugs
        t = 8.0
        while t < total - 3:
            kind = required.pop(0) if required else self.rng.choices(KINDS, WEIGHTS)[0]
            events.append((t, kind))
            t += self.rng.uniform(4, 12) + (6 if kind in ("burst", "duplicate") else 0)
        events.append((total / 2, "kill"))
        return sorted(events)

    def pick_unit(self, roster: bool, prefer_sent: bool = False) -> str | None:
        with self.lock:
            free = [u for u in UNITS if not (roster and u in self.busy_units)]
            if prefer_sent:
                sent = [u for u in free if self.samples.versions.get(u)]
                free = sent or free
            if not free:
                return None
            unit = self.rng.choice(free)
            if roster:
                self.busy_units.add(unit)
            return unit

    def claim_path(self, rel: str) -> str:
        """`rel`, or `rel` with (2), (3) … while another unanswered drop or a file in the inbox holds it."""
        p = Path(rel)
        with self.lock:
            n = 1
            cand = rel
            while cand in self.busy_paths or (self.inbox / cand).exists():
                n += 1
                cand = (p.parent / f"{p.stem}({n}){p.suffix}").as_posix()
            self.busy_paths.add(cand)
            return cand

    def new_drop(self, kind: str, group: int, rel: str, data: bytes, unit: str | None, roster: bool) -> Drop:
        with self.lock:
            d = Drop(len(self.drops) + 1, kind, group, rel, data, unit, roster, sha256(data))
            self.drops.append(d)
        return d

    def new_group(self) -> int:
        with self.lock:
            self.groups += 1
            return self.groups

    def finish(self, d: Drop) -> None:
        path = self.inbox / d.rel
        try:
            d.mtime_ns = path.stat().st_mtime_ns
        except FileNotFoundError:
            d.vanished = True
            d.mtime_ns = time.time_ns()
            log(f"drop {d.id} ({d.kind}) {d.rel}: the file was no longer in the inbox when its write completed")
        d.wall_done_ns = time.time_ns()
        d.t_done = time.monotonic()

    def put(self, d: Drop) -> None:
        """A complete file at once: staged outside the inbox, then renamed into place."""
        d.t_start = time.monotonic()
        stage = self.staging / f"{d.id:04d}.part"
        stage.write_bytes(d.data)
        dest = self.inbox / d.rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        os.replace(stage, dest)
        self.finish(d)

    def put_chunks(self, d: Drop, pauses: list[float]) -> None:
        """Through one open handle, len(pauses) + 1 chunks with those pauses between them."""
        d.t_start = time.monotonic()
        dest = self.inbox / d.rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        n = len(pauses) + 1
        cuts = [len(d.data) * i // n for i in range(n + 1)]
        with open(dest, "wb", buffering=0) as f:
            for i in range(n):
                f.write(d.data[cuts[i]:cuts[i + 1]])
                os.fsync(f.fileno())
                if i < len(pauses):
                    time.sleep(pauses[i])
        self.finish(d)

    def roster_rel(self, unit: str) -> str:
        return self.claim_path(f"{unit}/工作人员名单.xlsx")

    def run_event(self, kind: str) -> None:
        rng = self.samples.rng
        g = self.new_group()
        if kind == "examples":
            files = sorted(p for p in (EXAMPLES / "inbox").rglob("*") if p.is_file())
            files = [p for p in files if p.suffix in (".xlsx", ".xls", ".csv", ".docx")][:10]
            drops = []
            for p in files:
                rel = p.relative_to(EXAMPLES / "inbox").as_posix()
                unit = rel.split("/")[0] if "/" in rel else None
                drops.append(self.new_drop("burst", g, self.claim_path(rel), p.read_bytes(), unit, False))
            for d in drops:
                self.put(d)
        elif kind == "burst":
            drops = []
            for _ in range(10):
                unit = self.pick_unit(roster=True)
                if unit is not None:
                    drops.append(self.new_drop("burst", g, self.roster_rel(unit), self.samples.roster(unit), unit, True))
                else:
                    unit = rng.choice(UNITS)
                    name, data = self.samples.candidate(unit)
                    drops.append(self.new_drop("burst", g, self.claim_path(f"{unit}/{name}"), data, unit, False))
            for d in drops:
                self.put(d)
        elif kind in ("plain", "slow", "stall", "resubmission", "lock"):
            unit = self.pick_unit(roster=True, prefer_sent=kind == "resubmission")
            if unit is None:
                return
            d = self.new_drop(kind, g, self.roster_rel(unit), self.samples.roster(unit), unit, True)
            if kind == "slow":
                self.put_chunks(d, [rng.uniform(0.2, 1.0) for _ in range(rng.randrange(3, 8))])
            elif kind == "stall":
                pause = rng.uniform(8, 40)
                d.note = f"stalled {pause:.0f} s"
                self.put_chunks(d, [pause])
            elif kind == "lock":
                lock_rel = (Path(d.rel).parent / f"~${Path(d.rel).name}").as_posix()
                owner = "Office User".encode("utf-16-le").ljust(162, b"\x00")
                (self.inbox / lock_rel).parent.mkdir(parents=True, exist_ok=True)
                (self.inbox / lock_rel).write_bytes(owner)
                with self.lock:
                    self.lock_files[lock_rel] = sha256(owner)
                d.lock_file = lock_rel
                self.put(d)
            else:
                self.put(d)
        elif kind == "duplicate":
            unit = self.pick_unit(roster=True)
            if unit is None:
                return
            flavour = rng.choice(["error", "clean"])
            data = self.samples.roster(unit, flavour)
            a = self.new_drop("duplicate", g, self.claim_path(f"{unit}/名单.xlsx"), data, unit, True)
            b = self.new_drop("duplicate", g, self.claim_path(f"{unit}/名单 - 副本.xlsx"), data, unit, False)
            a.note = b.note = f"same bytes ({flavour})"
            self.put(a)
            self.put(b)
        elif kind == "bad":
            unit = rng.choice(UNITS)
            d = self.new_drop("bad", g, self.claim_path(f"{unit}/报名汇总.xlsx"), self.samples.garbage(), unit, False)
            self.put(d)

    def run_schedule(self) -> None:
        events = self.schedule()
        total = self.args.minutes * 60
        log(f"schedule: {len(events)} events over {total:.0f} s: "
            + ", ".join(f"{t:.0f}:{k}" for t, k in events))
        threads: list[threading.Thread] = []
        for t, kind in events:
            delay = t - self.now()
            if delay > 0:
                time.sleep(delay)
            target = self.kill_and_restart if kind == "kill" else (lambda k=kind: self.run_event(k))
            th = threading.Thread(target=self.guard, args=(target, kind), name=f"drop-{kind}", daemon=True)
            th.start()
            threads.append(th)
        deadline = time.monotonic() + 60 + STARTUP_TIMEOUT
        for th in threads:
            th.join(max(0.1, deadline - time.monotonic()))
        alive = [th.name for th in threads if th.is_alive()]
        if alive:
            log(f"still running after the schedule: {alive}")

    def guard(self, fn, kind: str) -> None:
        try:
            fn()
        except Exception as exc:  # noqa: BLE001 — reported, the soak goes on
            log(f"event {kind} failed: {type(exc).__name__}: {exc}")

    def drain(self) -> bool:
        """Until every completed drop is answered or has left the inbox without one (then it never will)."""
        deadline = time.monotonic() + self.args.drain
        while time.monotonic() < deadline:
            with self.lock:
                waiting = [d for d in self.drops if d.t_done is not None and d.answered_at is None
                           and (self.inbox / d.rel).exists()]
            if not waiting:
                time.sleep(1.0)  # one more look of the tracker
                return True
            time.sleep(1.0)
        return False


# ---- processes ---------------------------------------------------------------------------------------
def _read(path: str) -> bytes:
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError:
        return b""


def processes_of(root: Path, serve_pid: int | None) -> dict[int, dict]:
    """Processes of the run: serve and its descendants, and anything whose command line or environment names
    the work folder (the Prefect server has its own session; an orphaned flow run has parent 1)."""
    needle = str(root).encode()
    me = os.getpid()
    table: dict[int, dict] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        pid = int(entry)
        if pid == me:
            continue
        stat = _read(f"/proc/{pid}/stat")
        if not stat:
            continue
        try:
            ppid = int(stat.rsplit(b")", 1)[1].split()[1])
        except (IndexError, ValueError):
            continue
        table[pid] = {"ppid": ppid}
    mine: set[int] = set()
    if serve_pid in table:
        mine.add(serve_pid)
        grew = True
        while grew:
            grew = False
            for pid, p in table.items():
                if pid not in mine and p["ppid"] in mine:
                    mine.add(pid)
                    grew = True
    out: dict[int, dict] = {}
    for pid, p in table.items():
        cmd = _read(f"/proc/{pid}/cmdline")
        if pid not in mine and needle not in cmd and needle not in _read(f"/proc/{pid}/environ"):
            continue
        status = _read(f"/proc/{pid}/status").decode(errors="replace")
        m = re.search(r"VmRSS:\s+(\d+) kB", status)
        if not cmd:  # a zombie or a kernel thread
            continue
        envb = _read(f"/proc/{pid}/environ")
        text = cmd.replace(b"\x00", b" ").decode(errors="replace")
        if pid == serve_pid:
            label = "serve"
        elif "prefect server start" in text or "uvicorn" in text:
            label = "prefect-server"
        elif b"PREFECT__FLOW_RUN_ID=" in envb or "prefect.engine" in text or "flow_run" in text:
            label = "flow-run"
        elif " serve " in f"{text} " and "sureform" in text:
            label = "serve"
        else:
            label = "other:" + Path(text.split(" ")[0]).name
        out[pid] = {"ppid": p["ppid"], "label": label, "rss_kib": int(m.group(1)) if m else 0, "cmd": text[:160]}
    return out


def thread_states(pid: int) -> str:
    """`main: hrtimer_nanosleep, 3× do_epoll_wait …`: what each thread of a process waits on, from /proc."""
    try:
        tasks = sorted(os.listdir(f"/proc/{pid}/task"), key=int)
    except OSError:
        return "?"
    waits = [_read(f"/proc/{pid}/task/{t}/wchan").decode(errors="replace") for t in tasks]
    waits = [w if w not in ("", "0") else "running" for w in waits]
    rest: dict[str, int] = {}
    for w in waits[1:]:
        rest[w] = rest.get(w, 0) + 1
    return f"main: {waits[0] if waits else '?'}" + "".join(f", {n}× {w}" for w, n in rest.items())


def end_processes(pids: list[int], grace: float = 5.0) -> None:
    for pid in pids:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and any(Path(f"/proc/{pid}").exists() and _read(f"/proc/{pid}/cmdline")
                                              for pid in pids):
        time.sleep(0.2)
    for pid in pids:
        try:
            if _read(f"/proc/{pid}/cmdline"):
                os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


# ---- the master --------------------------------------------------------------------------------------
def master_summary(db: Path) -> dict:
    if not db.exists():
        return {"missing": True}
    conn = sqlite3.connect(db, timeout=30)
    try:
        q = lambda sql, *a: conn.execute(sql, a).fetchall()  # noqa: E731
        return {
            "integrity": q("PRAGMA integrity_check")[0][0],
            "accepted": q("SELECT count(*) FROM submissions WHERE status = 'accepted'")[0][0],
            "rejected": q("SELECT count(*) FROM submissions WHERE status = 'rejected'")[0][0],
            "records": {k or "?": n for k, n in q(
                """SELECT s.kind, count(r.rowid) FROM current_submissions s
                   LEFT JOIN records r ON r.submission_id = s.id GROUP BY s.kind ORDER BY s.kind""")},
            "current": {k or "?": n for k, n in q("SELECT kind, count(*) FROM current_submissions GROUP BY kind")},
            "accepted_sha": sorted(r[0] for r in q("SELECT sha256 FROM submissions WHERE status = 'accepted'")),
            "rejected_keys": sorted(f"{r[1]}@{r[0][:12]}" for r in q(
                "SELECT sha256, rel_path FROM submissions WHERE status = 'rejected'")),
            "as_of": sorted({r[0] for r in q("SELECT as_of FROM runs")}),
        }
    finally:
        conn.close()


def hashes_under(*folders: Path) -> dict[str, list[Path]]:
    out: dict[str, list[Path]] = {}
    for folder in folders:
        if folder.is_dir():
            for p in folder.rglob("*"):
                if p.is_file():
                    out.setdefault(file_sha(p) or "", []).append(p)
    return out


def replay(soak: Soak, as_of: str) -> tuple[dict, list[str]]:
    """The same final bytes, same paths and mtimes, one `sureform run` per group in drop order."""
    base = soak.root / "replay"
    inbox, outbox, state = base / "inbox", base / "outbox", base / "state"
    for d in (inbox, outbox, state):
        d.mkdir(parents=True, exist_ok=True)
    notes: list[str] = []
    exe = Path(sys.executable).with_name("sureform")
    head = [str(exe)] if exe.exists() else [sys.executable, "-m", "sureform.cli"]
    cmd = head + ["run", "--inbox", str(inbox), "--outbox", str(outbox), "--state", str(state), "--settle", "0",
                  "--as-of", as_of, "--json"]
    env = dict(soak.env, HOME=str(base))
    done = [d for d in soak.drops if d.t_done is not None]
    groups: dict[int, list[Drop]] = {}
    for d in sorted(done, key=lambda d: (d.t_done, d.id)):
        groups.setdefault(d.group, []).append(d)
    order = sorted(groups.values(), key=lambda ds: max(d.t_done for d in ds))

    def run_once() -> None:
        try:
            r = subprocess.run(cmd, cwd=base, env=env, stdin=subprocess.DEVNULL, capture_output=True,
                               timeout=RUN_TIMEOUT)
        except subprocess.TimeoutExpired:
            notes.append(f"a replay run took more than {RUN_TIMEOUT:.0f} s")
            return
        if r.returncode != 0:
            notes.append(f"replay run exit {r.returncode}: {r.stderr.decode(errors='replace')[-500:]}")

    t = time.monotonic()
    for ds in order:
        for d in ds:
            if d.lock_file:
                lock = inbox / d.lock_file
                lock.parent.mkdir(parents=True, exist_ok=True)
                lock.write_bytes((soak.inbox / d.lock_file).read_bytes() if (soak.inbox / d.lock_file).exists()
                                 else b"lock")
            dest = inbox / d.rel
            if dest.exists():
                notes.append(f"replay: {d.rel} still in the replay inbox when drop {d.id} came (overwritten)")
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(d.data)
            os.utime(dest, ns=(d.mtime_ns, d.mtime_ns))
        run_once()
    for _ in range(4):  # files a run leaves for the next one (e.g. a second copy of the same bytes)
        left = [p for p in inbox.rglob("*") if p.is_file() and not p.name.startswith(("~", "."))]
        if not left:
            break
        notes.append(f"replay: {len(left)} file(s) left after a run, run again: "
                     + ", ".join(p.relative_to(inbox).as_posix() for p in left[:5]))
        run_once()
    left = [p.relative_to(inbox).as_posix() for p in inbox.rglob("*") if p.is_file() and not p.name.startswith(("~", "."))]
    if left:
        notes.append(f"replay: still in its inbox at the end: {left}")
    log(f"replay: {len(order)} groups, {len(done)} files, {time.monotonic() - t:.0f} s")
    return master_summary(state / "master.sqlite"), notes


# ---- report ------------------------------------------------------------------------------------------
def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    if not s:
        return float("nan")
    k = (len(s) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def latency_table(drops: list[Drop]) -> list[str]:
    lines = [f"{'kind':<13}{'n':>4}{'answered':>10}{'median':>9}{'p90':>8}{'max':>8}   (seconds)"]
    all_lat = []
    for kind in KINDS:
        ds = [d for d in drops if d.kind == kind and d.t_done is not None]
        if not ds:
            continue
        lat = [d.latency for d in ds if d.latency is not None]
        all_lat += lat
        lines.append(f"{kind:<13}{len(ds):>4}{len(lat):>10}" + (
            f"{statistics.median(lat):>9.1f}{pct(lat, 0.9):>8.1f}{max(lat):>8.1f}" if lat else f"{'-':>9}{'-':>8}{'-':>8}"))
    if all_lat:
        n = len([d for d in drops if d.t_done is not None])
        lines.append(f"{'all':<13}{n:>4}{len(all_lat):>10}{statistics.median(all_lat):>9.1f}"
                     f"{pct(all_lat, 0.9):>8.1f}{max(all_lat):>8.1f}")
    return lines


def memory_table(samples: list[tuple[float, dict[str, float], dict[str, int]]], every: int = 6) -> list[str]:
    labels = ["serve", "prefect-server", "flow-run"]
    for _, mib, _c in samples:
        labels += [k for k in mib if k not in labels]
    lines = ["  t(s)" + "".join(f"{lab:>16}" for lab in labels) + f"{'total':>9}   (MiB; flow-run: sum over n processes)"]
    picked = samples[::every]
    if samples and samples[-1] is not picked[-1]:
        picked.append(samples[-1])
    for t, mib, count in picked:
        cells = "".join(f"{(f'{mib[lab]:.0f}' + (f' ({count[lab]})' if count.get(lab, 0) > 1 or lab == 'flow-run' else '')) if lab in mib else '-':>16}"
                        for lab in labels)
        lines.append(f"{t:6.0f}{cells}{sum(mib.values()):>9.0f}")
    return lines


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--minutes", type=float, default=5.0, help="how long drops go on (default 5)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--keep", action="store_true", help="keep the work folder (serve logs, master, replay)")
    ap.add_argument("--port", type=int, default=0, help="serve's --server-port (default 0: a free port)")
    ap.add_argument("--drain", type=float, default=360.0,
                    help="seconds at most to wait after the schedule for every drop to be answered (default 360)")
    args = ap.parse_args()

    root = Path(tempfile.mkdtemp(prefix="sureform-soak-"))
    soak = Soak(args, root)
    log(f"work folder {root}; seed {args.seed}; {args.minutes:g} min")
    failures: list[str] = []
    sampler = threading.Thread(target=soak.sample_memory, name="memory", daemon=True)
    tracker = threading.Thread(target=soak.track_answers, name="answers", daemon=True)
    startup = rc = stop_s = None
    leftovers: dict[int, dict] = {}
    date_start = datetime.now(TZ).date()
    try:
        startup = soak.start_serve()
        soak.t0 = time.monotonic()
        sampler.start()
        tracker.start()
        soak.run_schedule()
        log("schedule done; waiting for every drop to be answered")
        if not soak.drain():
            failures.append(f"drain: drops still in the inbox after {args.drain:.0f} s")
        time.sleep(SAMPLE_EVERY)
    except Exception as exc:  # noqa: BLE001
        failures.append(f"soak aborted: {type(exc).__name__}: {exc}")
        log(failures[-1])
    finally:
        rc, stop_s = soak.stop_serve()
        soak.stop_sampling.set()
        soak.stop_tracking.set()
        for th in (sampler, tracker):
            if th.ident is not None:
                th.join(10)
        time.sleep(2.0)
        leftovers = processes_of(root, None)
        if leftovers:
            end_processes(list(leftovers))
    log(f"serve stopped: exit {rc} after {stop_s:.1f} s" if stop_s is not None else "serve never started")

    drops = [d for d in soak.drops if d.t_done is not None]
    # (a) processes
    check_a = not leftovers
    a_lines = [f"  left after serve stopped: {pid} {p['label']} (ppid {p['ppid']}): {p['cmd']}" for pid, p in leftovers.items()]
    if rc not in (0, None):
        a_lines.append(f"  serve exit code {rc} on SIGTERM")
        check_a = False
    for pid, o in soak.orphans.items():
        lived = f"{o['lived']:.1f} s" if o["lived"] is not None else "until the end (killed by the soak)"
        late = o["lived"] is None or o["lived"] > ORPHAN_GRACE
        a_lines.append(f"  after kill -9: pid {pid} ({o['label']}, now ppid {o['ppid']}) lived on {lived}"
                       + (f"  <- more than {ORPHAN_GRACE:.0f} s" if late else "")
                       + (f"; its threads waited in {o['threads']}" if o.get("threads") else ""))
        check_a &= not late
    if soak.kill_info.get("pending") and soak.kill_info.get("restart_ready_at"):
        # a bad file waits out serve's arrival window (2 min) whatever the kill: not the restart's doing
        ids = {d.id for d in soak.drops if d.id in set(soak.kill_info["pending"]) and d.kind != "bad"}
        at = [d.answered_at for d in soak.drops if d.id in ids]
        if not ids:
            pass
        elif all(a is not None for a in at):
            a_lines.append(f"  the {len(ids)} drops unanswered at the kill (bad files aside) were all answered "
                           f"{max(at) - soak.kill_info['restart_ready_at']:.1f} s after the restarted serve was ready")
        else:
            a_lines.append(f"  of the {len(ids)} drops unanswered at the kill, {sum(a is None for a in at)} never were")
    # (b) answers and losses
    kept = hashes_under(soak.state / "archive", soak.state / "rejected")
    inbox_now = {p.relative_to(soak.inbox).as_posix(): p for p in soak.inbox.rglob("*") if p.is_file()}
    unanswered, lost, b_lines = [], [], []
    for d in drops:
        if d.answered_at is None:
            unanswered.append(d)
            here = inbox_now.get(d.rel)
            if d.sha not in kept and not (here and file_sha(here) == d.sha):
                lost.append(d)
    for d in unanswered:
        state_ = "LOST (bytes neither kept nor in the inbox)" if d in lost else (
            "kept, no answer" if d.sha in kept else "still in the inbox")
        b_lines.append(f"  drop {d.id} {d.kind} {d.rel} {d.note}: no answer; {state_}"
                       + ("; the file was gone when its write completed" if d.vanished else ""))
    for rel, sha in soak.lock_files.items():
        if rel not in inbox_now or file_sha(inbox_now[rel]) != sha:
            b_lines.append(f"  lock file {rel} was touched or removed")
            lost.append(rel)
    if soak.lock_files:
        b_lines.append(f"  lock files: {len(soak.lock_files)} dropped, "
                       f"{sum(rel in inbox_now for rel in soak.lock_files)} still in the inbox at the end")
    bad_copies = [p for sha, ps in kept.items() for p in ps if not p.name.startswith(".") and sha[:12] != p.name[:12]]
    for p in bad_copies:
        b_lines.append(f"  kept copy {p.relative_to(root)} does not match the hash in its name")
    temps = [p for folder in (soak.outbox, soak.state / "archive", soak.state / "rejected") if folder.is_dir()
             for p in folder.rglob(".*") if p.is_file()]
    for p in temps:
        b_lines.append(f"  temporary file left: {p.relative_to(root)}")
    check_b = not unanswered and not lost and not bad_copies and not temps
    lost_locks = [x for x in lost if isinstance(x, str)]
    lost = [x for x in lost if not isinstance(x, str)]

    # (c) the master against a fault-free replay
    served = master_summary(soak.state / "master.sqlite")
    as_of = (served.get("as_of") or [date_start.isoformat()])[-1]
    c_lines = []
    if len(served.get("as_of") or []) > 1:
        c_lines.append(f"  serve's runs used several dates {served['as_of']}: replay with {as_of}")
    fresh, notes = replay(soak, as_of) if drops else ({"missing": True}, [])
    c_lines += [f"  {n}" for n in notes]
    check_c = not served.get("missing") and not fresh.get("missing")
    for key in ("integrity", "accepted", "rejected", "current", "records"):
        same = served.get(key) == fresh.get(key)
        check_c &= same
        c_lines.append(f"  {key:<11} serve {served.get(key)!s:<40} replay {fresh.get(key)!s:<40} {'ok' if same else 'DIFFERENT'}")
    check_c &= served.get("integrity") == "ok"
    for key in ("accepted_sha", "rejected_keys"):
        a, b = set(served.get(key) or []), set(fresh.get(key) or [])
        if a != b:
            check_c = False
            c_lines.append(f"  {key}: only in serve {sorted(a - b)[:6]}, only in replay {sorted(b - a)[:6]}")

    # report
    print()
    print(f"sureform soak: {args.minutes:g} min, seed {args.seed}, {len(drops)} drops in {soak.groups} groups, "
          f"poll 2 s, stability window 3 s; serve ready after {startup or 0:.1f} s; "
          f"kill -9 at t={soak.kill_info.get('t', float('nan')):.0f} s, restart ready after "
          f"{soak.kill_info.get('restart_ready_s', float('nan')):.1f} s; as of {as_of}")
    print("\nlatency: end of write -> left the inbox with its answer")
    print("\n".join(latency_table(drops)))
    slow = sorted((d for d in drops if d.latency is not None), key=lambda d: -d.latency)[:5]
    print("slowest: " + "; ".join(f"#{d.id} {d.kind} {d.rel} {d.latency:.0f} s ({d.answer}{', ' + d.note if d.note else ''})"
                                  for d in slow))
    print("\nmemory (RSS)")
    print("\n".join(memory_table(soak.memory)))
    if soak.memory:
        first, last = soak.memory[0], soak.memory[-1]
        print(f"start {sum(first[1].values()):.0f} MiB ({', '.join(f'{k} {v:.0f}' for k, v in first[1].items())}); "
              f"end {sum(last[1].values()):.0f} MiB ({', '.join(f'{k} {v:.0f}' for k, v in last[1].items())})")
    db = soak.state / "prefect" / "prefect.db"
    if db.exists():
        print(f"Prefect database {db.stat().st_size / 2**20:.1f} MiB")
    print(f"\n(a) no process left, none orphaned: {'PASS' if check_a else 'FAIL'}")
    print("\n".join(a_lines) if a_lines else "  nothing left")
    print(f"(b) every drop answered, nothing lost: {'PASS' if check_b else 'FAIL'} "
          f"({len(drops) - len(unanswered)}/{len(drops)} answered, {len(lost)} lost"
          + (f", {len(lost_locks)} lock files touched" if lost_locks else "") + ")")
    if b_lines:
        print("\n".join(b_lines))
    print(f"(c) master equals a fault-free replay: {'PASS' if check_c else 'FAIL'}")
    print("\n".join(c_lines))
    for f in failures:
        print(f"FAIL {f}")
    ok = check_a and check_b and check_c and not failures
    (root / "soak.json").write_text(json.dumps({
        "drops": [{k: v for k, v in d.__dict__.items() if k != "data"} | {"latency": d.latency} for d in soak.drops],
        "memory": soak.memory, "kill": soak.kill_info, "served": served, "replay": fresh,
        "checks": {"a": check_a, "b": check_b, "c": check_c}}, ensure_ascii=False, indent=1, default=str))
    if args.keep:
        print(f"kept {root}")
    else:
        shutil.rmtree(root, ignore_errors=True)
    print("ALL CHECKS PASS" if ok else "SOME CHECKS FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
