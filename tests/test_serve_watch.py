"""The inbox watcher: stability by observation (size and mtime unchanged over the window) on real files, and
the loop that triggers intake runs only when something is ready, one at a time, with retries backing off."""
from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from flows.watch import InboxWatcher, WatchLoop


class Clock:
    def __init__(self):
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds


def drop(path: Path, data: bytes = b"x" * 100, age: float | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    if age is not None:
        t = time.time() - age
        os.utime(path, (t, t))
    return path


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def inbox(tmp_path):
    folder = tmp_path / "inbox"
    folder.mkdir()
    return folder


def test_ready_only_after_the_window_unchanged(inbox, clock):
    w = InboxWatcher(inbox, 3.0, clock)
    drop(inbox / "石油工程系" / "名单.xlsx")
    r = w.poll()
    assert (r.ready, r.waiting, r.next_due) == ([], ["石油工程系/名单.xlsx"], 3.0)
    clock.advance(2.9)
    r = w.poll()
    assert r.ready == [] and r.next_due == pytest.approx(0.1)
    clock.advance(0.1)
    assert w.poll().ready == ["石油工程系/名单.xlsx"]


def test_a_growing_file_restarts_its_window(inbox, clock):
    w = InboxWatcher(inbox, 3.0, clock)
    path = drop(inbox / "名单.xlsx", b"PK" * 10)
    w.poll()
    clock.advance(2.5)
    with open(path, "ab") as f:  # the copy over the share goes on
        f.write(b"more bytes")
    assert w.poll().waiting == ["名单.xlsx"]
    clock.advance(2.5)
    assert w.poll().ready == []  # 2.5 s since the last change
    clock.advance(0.5)
    assert w.poll().ready == ["名单.xlsx"]


def test_a_new_mtime_with_the_same_size_restarts_its_window(inbox, clock):
    w = InboxWatcher(inbox, 3.0, clock)
    path = drop(inbox / "名单.xlsx", age=100)
    w.poll()
    clock.advance(2.0)
    t = time.time()
    os.utime(path, (t, t))  # rewritten in place, same length
    clock.advance(1.5)
    assert w.poll().ready == []
    clock.advance(3.0)
    assert w.poll().ready == ["名单.xlsx"]


def test_an_old_mtime_does_not_skip_the_window(inbox, clock):
    """Explorer, robocopy and `cp -p` keep the sender's mtime: the first sight starts the window anyway."""
    w = InboxWatcher(inbox, 3.0, clock)
    drop(inbox / "机电工程系" / "名单.xls", age=86400)
    assert w.poll().ready == []
    clock.advance(3.0)
    assert w.poll().ready == ["机电工程系/名单.xls"]


def test_zero_window_is_ready_on_first_sight(inbox, clock):
    drop(inbox / "名单.csv")
    assert InboxWatcher(inbox, 0, clock).poll().ready == ["名单.csv"]


def test_lock_hidden_temporary_and_foreign_files_are_never_candidates(inbox, clock):
    for name in ("~$名单.xlsx", ".~lock.名单.xlsx#", ".hidden.xlsx", "名单.xlsx.tmp", "下载中.crdownload",
                 "说明.txt", "Thumbs.db", ".git/config.xlsx"):
        drop(inbox / "石油工程系" / name)
    drop(inbox / "石油工程系" / "名单.xlsx")
    drop(inbox / "材料.docx")
    w = InboxWatcher(inbox, 0, clock)
    assert sorted(w.poll().ready) == ["材料.docx", "石油工程系/名单.xlsx"]


def test_a_file_that_leaves_is_forgotten(inbox, clock):
    w = InboxWatcher(inbox, 1.0, clock)
    path = drop(inbox / "名单.xlsx")
    w.poll()
    path.unlink()
    r = w.poll()
    assert r.ready == r.waiting == [] and w.seen == {}


def test_missing_inbox_is_not_an_error(tmp_path, clock):
    assert InboxWatcher(tmp_path / "unmounted", 1.0, clock).poll().ready == []


# ---- the loop ---------------------------------------------------------------------------------------------

class FakeRuns:
    """Stands in for the intake deployment: records triggers, finishes runs when told, may delete files."""

    def __init__(self):
        self.triggered: list[list[str]] = []
        self.finished: set[int] = set()
        self.fail_next = False

    def trigger(self, files: list[str]) -> int:
        if self.fail_next:
            self.fail_next = False
            raise ConnectionError("server down")
        self.triggered.append(list(files))
        return len(self.triggered)

    def is_done(self, run_id: int) -> bool:
        return run_id in self.finished

    def finish_last(self) -> None:
        self.finished.add(len(self.triggered))


def make_loop(inbox, clock, runs, poll=10.0, window=3.0):
    return WatchLoop(InboxWatcher(inbox, window, clock), poll, runs.trigger, runs.is_done, retry_after=60,
                     retry_max=3600, check_every=1.0)


def test_nothing_ready_nothing_triggered_and_sleeps_a_poll_interval(inbox, clock):
    runs = FakeRuns()
    loop = make_loop(inbox, clock, runs)
    assert loop.step() == 10.0
    assert runs.triggered == []


def test_rechecks_when_the_window_ends_not_a_whole_poll_later(inbox, clock):
    runs = FakeRuns()
    loop = make_loop(inbox, clock, runs)
    drop(inbox / "名单.xlsx")
    pause = loop.step()
    assert 3.0 <= pause <= 3.1 and runs.triggered == []
    clock.advance(pause)
    loop.step()
    assert runs.triggered == [["名单.xlsx"]]


def test_one_run_at_a_time_then_what_arrived_meanwhile(inbox, clock):
    runs = FakeRuns()
    loop = make_loop(inbox, clock, runs, window=0)
    a = drop(inbox / "a.xlsx")
    loop.step()
    assert runs.triggered == [["a.xlsx"]]
    drop(inbox / "b.xlsx")
    for _ in range(5):  # the run is going: no second trigger, only status checks
        clock.advance(loop.step())
    assert len(runs.triggered) == 1
    a.unlink()  # the run released a.xlsx…
    runs.finish_last()
    clock.advance(loop.step())
    loop.step()
    assert runs.triggered[-1] == ["b.xlsx"]  # …and b.xlsx, dropped meanwhile, goes next


def test_a_file_still_there_after_its_run_is_retried_with_growing_delays(inbox, clock):
    runs = FakeRuns()
    loop = make_loop(inbox, clock, runs, window=0)
    drop(inbox / "stuck.xlsx")
    times = []
    for _ in range(4000):  # ~ two simulated hours
        if runs.triggered and len(runs.finished) < len(runs.triggered):
            runs.finish_last()  # each run ends at once, leaving the file where it is
        before = len(runs.triggered)
        pause = loop.step()
        if len(runs.triggered) > before:
            times.append(clock())
        clock.advance(pause)
        if clock() - 1000 > 2 * 3600:
            break
    gaps = [round(b - a) for a, b in zip(times, times[1:])]
    assert len(times) <= 8  # not one run every poll
    assert gaps[:3] == pytest.approx([60, 120, 240], abs=12)
    assert all(g <= 3600 + 12 for g in gaps)


def test_a_changed_file_is_not_held_back_by_the_backoff(inbox, clock):
    runs = FakeRuns()
    loop = make_loop(inbox, clock, runs, window=0)
    path = drop(inbox / "名单.xlsx")
    loop.step()
    runs.finish_last()
    clock.advance(loop.step())
    assert len(runs.triggered) == 1  # still there, same bytes: waits for its retry
    drop(path, b"a corrected file")  # the sender replaced it
    clock.advance(loop.step())
    loop.step()
    assert len(runs.triggered) == 2


def test_a_failed_trigger_is_tried_again_later(inbox, clock):
    runs = FakeRuns()
    runs.fail_next = True
    loop = make_loop(inbox, clock, runs, window=0)
    drop(inbox / "名单.xlsx")
    assert loop.step() == 10.0 and runs.triggered == []
    clock.advance(10.0)
    loop.step()
    assert runs.triggered == [["名单.xlsx"]]


class RunsWithStates(FakeRuns):
    """Runs that end in a named final state, as `IntakeTrigger.is_done` reports them."""

    def __init__(self):
        super().__init__()
        self.states: dict[int, str] = {}

    def is_done(self, run_id: int):
        return self.states.get(run_id, False)

    def end_last(self, state: str) -> None:
        self.states[len(self.triggered)] = state


def test_a_crashed_run_is_retried_at_the_next_poll_not_after_a_minute(inbox, clock):
    runs = RunsWithStates()
    loop = make_loop(inbox, clock, runs, window=0)
    drop(inbox / "名单.xlsx")
    loop.step()
    runs.end_last("CRASHED")  # killed half-way: the file is still in the inbox
    clock.advance(loop.step())
    clock.advance(loop.step())
    assert len(runs.triggered) == 2 and clock() - 1000 < 11  # within one poll, no 60 s wait
    runs.end_last("CRASHED")  # crashed again: now the backoff applies, no run every poll
    second = clock()
    while clock() - second < 100:
        clock.advance(loop.step())
    assert len(runs.triggered) == 2
    while clock() - second < 130:
        clock.advance(loop.step())
    assert len(runs.triggered) == 3


def test_a_file_held_open_for_writing_waits_however_long_it_is_quiet(inbox, clock):
    runs = FakeRuns()
    loop = make_loop(inbox, clock, runs, window=3.0)
    path = inbox / "材料工程系" / "名单.xlsx"
    path.parent.mkdir()
    with open(path, "wb") as writer:  # a copy that stalled half-way, its handle still open
        writer.write(b"PK\x03\x04 first half")
        writer.flush()
        for _ in range(30):
            clock.advance(loop.step())
        assert runs.triggered == [] and loop.watcher.poll().waiting == ["材料工程系/名单.xlsx"]
        writer.write(b" second half")
    for _ in range(3):
        clock.advance(loop.step())
    assert runs.triggered == [["材料工程系/名单.xlsx"]]


# ---- the adaptive window (a local disk) ------------------------------------------------------------------

def test_a_local_file_nobody_writes_is_ready_after_the_quick_window(inbox, clock):
    w = InboxWatcher(inbox, 3.0, clock, quick=1.0)
    drop(inbox / "石油工程系" / "名单.xlsx", age=86400)  # an old mtime does not skip the first observation
    r = w.poll()
    assert r.ready == [] and r.next_due == pytest.approx(1.0)
    clock.advance(0.9)
    assert w.poll().ready == []
    clock.advance(0.1)
    assert w.poll().ready == ["石油工程系/名单.xlsx"]


def test_the_adaptive_window_does_not_take_a_file_still_growing_or_held_open(inbox, clock):
    w = InboxWatcher(inbox, 3.0, clock, quick=1.0)
    path = inbox / "材料工程系" / "名单.xlsx"
    path.parent.mkdir()
    with open(path, "wb") as writer:  # a copy in progress, through one open handle
        writer.write(b"PK\x03\x04 first part")
        writer.flush()
        w.poll()
        clock.advance(1.0)
        writer.write(b" second part")  # still growing: the window starts again
        writer.flush()
        assert w.poll().ready == []
        clock.advance(1.5)  # quiet for longer than the quick window, but still held open for writing
        r = w.poll()
        assert r.ready == [] and r.waiting == ["材料工程系/名单.xlsx"]
        clock.advance(5.0)  # however long
        assert w.poll().ready == []
    clock.advance(0.5)  # closed, unchanged: the kernel now vouches nobody writes it
    assert w.poll().ready == ["材料工程系/名单.xlsx"]


def test_where_nobody_can_be_vouched_for_the_whole_window_applies(inbox, clock, monkeypatch):
    """On a share (no leases) a quiet file may still be a stalled copy: the configured window holds."""
    from sureform.intake import inbox as inbox_mod

    monkeypatch.setattr(inbox_mod, "take_read_lease", lambda fd: False)
    w = InboxWatcher(inbox, 3.0, clock, quick=1.0)
    drop(inbox / "名单.xlsx")
    w.poll()
    clock.advance(1.5)
    r = w.poll()
    assert r.ready == [] and r.next_due == pytest.approx(1.5)
    clock.advance(1.5)
    assert w.poll().ready == ["名单.xlsx"]


def test_a_quick_window_not_shorter_than_the_window_changes_nothing(inbox, clock):
    assert InboxWatcher(inbox, 0.5, clock, quick=1.0).quick is None


# ---- events or polling -------------------------------------------------------------------------------------

def test_shares_are_polled_local_disks_get_events(tmp_path):
    from flows.watch import filesystem_type, watch_mode

    mounts = tmp_path / "mounts"
    mounts.write_text("/dev/vda / ext4 rw 0 0\n"
                      "//fs/共享 /mnt/团委\\040共享 cifs rw,vers=3.0 0 0\n"
                      "srv:/export /srv/nfs nfs4 rw 0 0\n"
                      "tmpfs /srv/nfs/tmp tmpfs rw 0 0\n", encoding="utf-8")
    assert filesystem_type(Path("/mnt/团委 共享/收件"), str(mounts)) == "cifs"
    assert watch_mode("auto", Path("/mnt/团委 共享/收件"), str(mounts)) == ("poll", "cifs")
    assert watch_mode("auto", Path("/srv/nfs/inbox"), str(mounts)) == ("poll", "nfs4")
    assert watch_mode("auto", Path("/srv/nfs/tmp/inbox"), str(mounts)) == ("events", "tmpfs")
    assert watch_mode("auto", Path("/srv/sureform/inbox"), str(mounts)) == ("events", "ext4")
    assert watch_mode("poll", Path("/srv/sureform/inbox"), str(mounts)) == ("poll", "ext4")  # the setting wins
    assert watch_mode("events", Path("/mnt/团委 共享"), str(mounts)) == ("events", "cifs")
    assert watch_mode("auto", tmp_path, str(tmp_path / "no-such-file")) == ("poll", None)  # unknown: polled


def run_loop_in_thread(loop):
    import threading

    stop = threading.Event()
    thread = threading.Thread(target=loop.run, args=(stop,), daemon=True)
    thread.start()
    return stop, thread


def wait_until(predicate, what: str, timeout: float = 30.0):
    deadline = time.monotonic() + timeout  # a bound for a hung test only; nothing is asserted about time
    while not predicate():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.02)


def test_an_event_detected_file_is_taken_without_waiting_for_the_poll_interval(inbox):
    """The loop polls once an hour here: only the inotify event can bring the file to its run."""
    from flows.watch import InboxEvents

    runs = FakeRuns()
    loop = WatchLoop(InboxWatcher(inbox, 3.0, quick=0.2), 3600.0, runs.trigger, runs.is_done, check_every=0.05)
    stop, thread = run_loop_in_thread(loop)
    events = InboxEvents(inbox, loop, stop).start()
    try:
        wait_until(lambda: runs.triggered == [] and loop.next_poll > 0, "the first poll")
        assert events.listening.wait(30)
        drop(inbox / "石油工程系" / "名单.xlsx")  # a new folder and a file in it: both watched
        wait_until(lambda: runs.triggered, "the event-detected file to be handed to a run")
        assert runs.triggered == [["石油工程系/名单.xlsx"]]
    finally:
        loop.stop(stop)
        thread.join(10)
        events.thread.join(10)
    assert not thread.is_alive() and not events.thread.is_alive()


def test_polling_alone_still_finds_a_file(inbox):
    """No events (a share): the poll at `poll_interval` finds it."""
    runs = FakeRuns()
    loop = WatchLoop(InboxWatcher(inbox, 0.2), 0.3, runs.trigger, runs.is_done, check_every=0.05)
    stop, thread = run_loop_in_thread(loop)
    try:
        wait_until(lambda: loop.next_poll > 0, "the first poll")
        drop(inbox / "机电工程系" / "名单.xlsx")
        wait_until(lambda: runs.triggered, "the polled file to be handed to a run")
        assert runs.triggered == [["机电工程系/名单.xlsx"]]
    finally:
        loop.stop(stop)
        thread.join(10)
    assert not thread.is_alive()
