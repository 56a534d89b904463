"""outbox/进度.html in a real browser (headless Chromium): a sample round built from the example data with one
unit that sent nothing, one whose roster came back, one accepted with a problem; every unit's row and state, the
form's items, the 催报 text, the countdown across the deadline, no horizontal overflow on a phone, no personal
data; written only when what it shows changed; the nightly summary's overdue units; the log line of a unit that
has become complete.

Headless Chromium never lays a page out narrower than 500 px, whatever `--window-size` says (a 390-px screenshot is
a 500-px layout cut off), so the phone width is a 390-px iframe: its own viewport, its media queries, its own
scroll width, reported by a small script injected into a copy of the page (the page itself has none).

`.venv/bin/python tests/test_progress_page.py` writes the README's screenshots (docs/images/进度-*.png).
"""
from __future__ import annotations

import csv
import html
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
from datetime import date, datetime
from pathlib import Path
from urllib.parse import unquote

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from conftest import settle, write_xls  # noqa: E402

from sureform import pipeline  # noqa: E402
from sureform.outputs import progress  # noqa: E402
from sureform.outputs.feedback import feedback_folder  # noqa: E402
from sureform.pipeline import RunOptions  # noqa: E402
from sureform.store import Store  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "inbox"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or "/usr/bin/chromium"
AS_OF = date(2020, 11, 24)
DEADLINE = datetime(2020, 11, 27, 18, 0)
MISSING, RETURNED, PROBLEMS = "信息工程系", "化学工程系", "机电工程系"
FINE = ("石油工程系", "经济管理系")

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="chromium is not installed (.ci/run installs it)")


# ---- the browser -------------------------------------------------------------------------------------------------
def chromium(*args: str, timeout: float = 120) -> str:
    with tempfile.TemporaryDirectory() as profile:
        done = subprocess.run(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--hide-scrollbars", f"--user-data-dir={profile}", *args],
            capture_output=True, text=True, timeout=timeout)
    return done.stdout


PROBE = """<script>(function(){var right=0;document.querySelectorAll('body *').forEach(function(e){
var b=e.getBoundingClientRect();if(b.width&&b.right>right)right=b.right;});
var row=document.querySelector('tr.unit');parent.postMessage(JSON.stringify({inner:window.innerWidth,
scroll:document.documentElement.scrollWidth,right:Math.ceil(right),height:document.documentElement.scrollHeight,
row:row?getComputedStyle(row).display:null}),'*');})();</script>"""


def framed(page: Path, width: int, height: int = 2000) -> Path:
    """A copy of `page` with the probe, in a `width`-px iframe of a frame page beside it (relative links hold)."""
    probe = page.with_name(f".probe-{width}.html")
    probe.write_text(page.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>"), encoding="utf-8")
    frame = page.with_name(f".frame-{width}.html")
    frame.write_text(
        f'<!DOCTYPE html><html><head><meta charset="utf-8"></head><body style="margin:0">'
        f'<iframe src="{probe.name}" style="width:{width}px;height:{height}px;border:0;display:block"></iframe>'
        '<pre id="probe"></pre><script>addEventListener("message",function(e){'
        'document.getElementById("probe").textContent=e.data;});</script></body></html>', encoding="utf-8")
    return frame


def measure(page: Path, width: int, height: int = 2000) -> dict:
    """The page laid out `width` CSS px wide: its viewport, scroll width, rightmost element, height, row display."""
    frame = framed(page, width, height)
    try:
        dom = chromium("--window-size=1400,2100", "--virtual-time-budget=5000", "--dump-dom", frame.as_uri())
    finally:
        frame.unlink()
        page.with_name(f".probe-{width}.html").unlink()
    found = re.search(r'<pre id="probe">(.*?)</pre>', dom, re.S)
    assert found and found.group(1), f"the probe did not report:\n{dom[-2000:]}"
    return json.loads(html.unescape(found.group(1)))


def rendered_dom(page: Path, width: int = 1280) -> str:
    return chromium(f"--window-size={width},2000", "--virtual-time-budget=3000", "--dump-dom", page.as_uri())


def screenshot(page: Path, width: int, dest: Path) -> None:
    """A picture of the whole page at `width` CSS px (a frame as tall as the page)."""
    height = measure(page, width, 300)["height"]  # a short frame: the page's own height
    frame = framed(page, width, height)
    try:
        chromium(f"--window-size={width},{height}", f"--screenshot={dest}", "--virtual-time-budget=3000",
                 frame.as_uri())
    finally:
        frame.unlink()
        page.with_name(f".probe-{width}.html").unlink()


# ---- the sample round --------------------------------------------------------------------------------------------
def read_csv(path: Path) -> list[list[str]]:
    with open(path, encoding="gb18030", newline="") as f:  # as WPS saved it
        return list(csv.reader(f))


def build_round(root: Path) -> RunOptions:
    """The example data as of 2020-11-24, except: 信息工程系 has sent nothing (its folder is empty), 化学工程系's roster
    has a 学号 that is not one (returned), one member of 机电工程系 is 群众 (accepted with a problem)."""
    inbox = root / "inbox"
    shutil.copytree(EXAMPLES, inbox)
    for f in (inbox / MISSING).iterdir():
        f.unlink()
    rows = read_csv(inbox / RETURNED / "工作人员名单.csv")
    rows[2][1] = "2019-03-02!"
    with open(inbox / RETURNED / "工作人员名单.csv", "w", encoding="gb18030", newline="") as f:
        csv.writer(f).writerows(rows)
    settle(inbox / RETURNED / "工作人员名单.csv")
    from python_calamine import CalamineWorkbook

    xls = inbox / PROBLEMS / "工作人员名单.xls"
    grid = CalamineWorkbook.from_path(str(xls)).get_sheet_by_index(0).to_python()
    grid = [[int(v) if isinstance(v, float) and v.is_integer() else v for v in r] for r in grid]
    grid[3][6] = "群众"
    xls.unlink()
    write_xls(xls, [[str(v) if i == 1 else v for i, v in enumerate(r)] for r in grid])
    return RunOptions(inbox, root / "outbox", root / "state", AS_OF, "2020", 0.0, deadline=DEADLINE)


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    root = tmp_path_factory.mktemp("round")
    opts = build_round(root)
    report = pipeline.run_intake(opts).to_dict()
    return opts, report


def personal_values(opts: RunOptions) -> set[str]:
    """Every 学号 and student's name of the sample (people of 机构信息 too), and every rank written as a fraction or
    a decimal share, as the senders wrote them: from the master and from the returned file."""
    found: set[str] = set()
    with Store(opts.db_path) as store:
        for kind in ("roster", "unit_roster", "candidate", "score", "institution"):
            for rec in store.current_records(kind):
                if kind == "institution" and rec.get("_table") not in progress.PEOPLE_TABLES:
                    continue
                for key in ("name", "student_id", "person_name", "person_id", "rater_name"):
                    if rec.get(key):
                        found.add(str(rec[key]).strip())
                rank = str(rec.get("rank_text") or "")
                if "/" in rank or "." in rank:
                    found.add(rank)
    for row in read_csv(EXAMPLES / RETURNED / "工作人员名单.csv")[1:]:  # the returned roster is not in the master
        found.update(v for v in row[:2] if v)
    return {v for v in found if len(v) >= 2}


# ---- the tests ---------------------------------------------------------------------------------------------------
def unit_rows(dom: str) -> dict[str, str]:
    return {html.unescape(m.group(1)): m.group(0) for m in re.finditer(
        r'<tr class="unit" data-unit="([^"]*)".*?</tr>', dom, re.S)}


def state_of(row: str, kind: str) -> str:
    return re.search(rf'data-kind="{kind}" data-state="([a-z]+)"', row).group(1)


def test_every_unit_has_its_row_and_state(sample):
    opts, report = sample
    assert report["outputs"]["progress"].endswith("进度.html")
    dom = rendered_dom(opts.outbox / "进度.html")
    rows = unit_rows(dom)
    assert set(rows) == {MISSING, RETURNED, PROBLEMS, *FINE, "校团委"}
    assert state_of(rows[MISSING], "roster") == "missing"
    assert state_of(rows[RETURNED], "roster") == "returned"
    assert "学号不是有效学号" in rows[RETURNED]
    assert state_of(rows[PROBLEMS], "roster") == "problems" and "1 个问题" in rows[PROBLEMS]
    for unit in FINE:
        assert state_of(rows[unit], "roster") == "accepted"
    assert state_of(rows["石油工程系"], "candidate") == "accepted"
    assert state_of(rows["经济管理系"], "candidate") == "none"  # no member of the presidium
    assert state_of(rows["校团委"], "institution") == "accepted" and state_of(rows["校团委"], "score") == "accepted"
    for unit in (MISSING, RETURNED):
        assert 'data-complete="false"' in rows[unit]
    for unit in (PROBLEMS, *FINE):
        assert 'data-complete="true"' in rows[unit]
    # the colours are the workbooks' (cells.STATE_FILL)
    from sureform.outputs.cells import STATE_FILL

    assert f'background:#{STATE_FILL["bad"][2:]}' in rows[RETURNED]
    assert f'background:#{STATE_FILL["open"][2:]}' in rows[PROBLEMS]
    assert f'background:#{STATE_FILL["missing"][2:]}' in rows[MISSING]


def test_the_items_and_the_reminder_match_the_run(sample):
    opts, report = sample
    dom = rendered_dom(opts.outbox / "进度.html")
    items = re.findall(r'<tr class="item" data-item="([^"]*)" data-table="校级" data-verdict="([^"]*)"', dom)
    assert items == [(it["id"], it["verdict"]) for it in report["items"] if it["table"] == "校级"]
    assert "生活纪安部" in dom  # item 1's one-line reason, as in 汇总.xlsx
    remind = html.unescape(re.search(r'<div class="remind" id="remind-text">(.*?)</div>', dom, re.S).group(1))
    assert re.fullmatch(r"截至\d+月\d+日\d\d:\d\d：以下单位尚未提交工作人员名单：信息工程系；"
                        r"以下单位的材料被退回待修改：化学工程系（工作人员名单）；已超过截止时间\d+天，请尽快报送。", remind), remind
    links = set(re.findall(r'href="([^"]+)"', dom))
    assert {"%E6%B1%87%E6%80%BB.xlsx", "%E5%A4%87%E6%A1%88%E8%A1%A8.docx"} <= links  # 汇总.xlsx, 备案表.docx
    pages = {unquote(h) for h in links if h.endswith(".html")}
    for unit in (MISSING, RETURNED, PROBLEMS, *FINE, "校团委"):  # each unit's page, in its feedback folder
        page = feedback_folder(opts.outbox, unit) / "进度.html"
        assert page.exists() and page.relative_to(opts.outbox).as_posix() in pages


def test_the_page_matches_the_summary_workbook(sample):
    """What 汇总.xlsx says (评估结论, 提交记录) is what the pages say: the same verdicts, the same files per unit."""
    from openpyxl import load_workbook

    opts, _ = sample
    wb = load_workbook(opts.outbox / "汇总.xlsx", read_only=True)
    verdicts = [(r[0], str(r[3]), r[5]) for r in list(wb["评估结论"].iter_rows(values_only=True))[1:] if r[3]]
    dom = rendered_dom(opts.outbox / "进度.html")
    shown = [(html.unescape(t), i, html.unescape(v)) for i, t, v in
             re.findall(r'<tr class="item" data-item="([^"]*)" data-table="([^"]*)" data-verdict="([^"]*)"', dom)]
    assert shown == verdicts
    records = list(wb["提交记录"].iter_rows(values_only=True))[1:]
    words = {"退回": "returned", "已接收（现行）": "current", "已被新文件替换": "replaced"}
    for unit in (MISSING, RETURNED, PROBLEMS, *FINE, "校团委"):
        expected = sorted(words.get(r[3], "other") for r in records if (r[0] or "校团委") == unit)
        page = (feedback_folder(opts.outbox, unit) / "进度.html").read_text(encoding="utf-8")
        got = sorted({"accepted": "current", "problems": "current"}.get(x, x)
                     for x in re.findall(r'<tr class="file" data-state="([a-z]+)">', page))
        assert got == expected, unit


def test_each_units_own_page(sample):
    opts, _ = sample
    dom = rendered_dom(feedback_folder(opts.outbox, RETURNED) / "进度.html")
    assert "还需报送：工作人员名单" in dom
    files = re.findall(r'<tr class="file" data-state="([a-z]+)">', dom)
    assert sorted(files) == ["accepted", "returned"]  # its candidate form and its returned roster
    assert "学号不是有效学号" in dom and "错误" in dom
    assert list(unit_rows(dom)) == [RETURNED]  # its own row only: nothing of another unit
    assert all(other not in dom for other in (MISSING, PROBLEMS, *FINE))
    office = rendered_dom(feedback_folder(opts.outbox, "校团委") / "进度.html")
    assert "本单位的材料已报齐" in office and "述职评议评分表" in office


def test_no_personal_data_on_any_page(sample):
    opts, _ = sample
    values = personal_values(opts)
    assert len(values) > 150  # names and 学号 of five rosters, the forms, the score sheet, 机构信息's people
    pages = [opts.outbox / "进度.html", *opts.outbox.rglob("退回/*/进度.html")]
    assert len(pages) == 7
    for page in pages:
        text = page.read_text(encoding="utf-8")
        leaked = sorted(v for v in values if v in text)
        assert not leaked, f"{page}: {leaked[:10]}"
        assert not re.search(r"\d{8,}", text), page


def test_self_contained_and_inert(sample):
    """No script, no request to anywhere: it opens from the share by double-clicking it."""
    opts, _ = sample
    for page in [opts.outbox / "进度.html", *opts.outbox.rglob("退回/*/进度.html")]:
        text = page.read_text(encoding="utf-8")
        assert "<script" not in text.lower() and "http" not in text and "@import" not in text and "src=" not in text
        assert re.findall(r'href="([^"]+)"', text) and all(not h.startswith("/") and ":" not in h
                                                          for h in re.findall(r'href="([^"]+)"', text))


def test_a_hostile_file_name_is_text(tmp_path):
    """Whatever a sender calls a file, the page shows it as text: no markup, no script, no link of theirs."""
    from conftest import HEADER, person, write_xlsx

    inbox = tmp_path / "inbox"
    name = '<img src=x onerror=alert(1)><a href="x">名单.xlsx'
    write_xlsx(inbox / "石油工程系" / name, [HEADER, person(sid="bad")])  # rejected: its name is on its page
    opts = RunOptions(inbox, tmp_path / "outbox", tmp_path / "state", date(2026, 11, 24), "2020", 0.0)
    pipeline.run_intake(opts)
    page = feedback_folder(opts.outbox, "石油工程系") / "进度.html"
    dom = rendered_dom(page)
    assert not re.search(r"<img\b", dom)  # the browser made no element of it (text `<` is serialised as &lt;)
    assert sorted(re.findall(r'<a href="([^"]*)"', dom)) == ["../../%E8%BF%9B%E5%BA%A6.html", "./"]  # ours only
    assert '&lt;img src=x onerror=alert(1)&gt;&lt;a href="x"&gt;名单.xlsx' in dom and 'data-state="returned"' in dom


def test_no_horizontal_overflow_on_a_phone(sample):
    opts, _ = sample
    for page in (opts.outbox / "进度.html", feedback_folder(opts.outbox, RETURNED) / "进度.html"):
        phone = measure(page, 390)
        assert phone["inner"] == 390
        assert phone["scroll"] <= 390 and phone["right"] <= 390, phone
        assert phone["row"] == "block"  # one card per unit
        desk = measure(page, 1280)
        assert desk["inner"] == 1280 and desk["scroll"] <= 1280 and desk["row"] == "table-row"


@pytest.mark.parametrize("now,words,sentence", [
    (datetime(2020, 11, 24, 10, 0), "还有 3 天", "距截止还有3天。"),
    (datetime(2020, 11, 26, 23, 59), "还有 1 天", "距截止还有1天。"),
    (datetime(2020, 11, 27, 9, 0), "今天 18:00 截止", "今天18:00截止。"),
    (datetime(2020, 11, 27, 18, 1), "已过截止时间", "已超过截止时间，请尽快报送。"),
    (datetime(2020, 11, 29, 8, 0), "已过截止时间 2 天", "已超过截止时间2天，请尽快报送。"),
])
def test_the_countdown_across_the_deadline(sample, tmp_path, now, words, sentence):
    opts, _ = sample
    facts = pipeline.progress_record(opts)["facts"]
    main = progress.finish(progress.pages(facts, opts.outbox, now, DEADLINE)[opts.outbox / "进度.html"], now)
    page = tmp_path / "进度.html"
    page.write_text(main, encoding="utf-8")
    dom = rendered_dom(page)
    shown = re.search(r'<span class="countdown" id="countdown"[^>]*>(.*?)</span>', dom).group(1)
    assert shown == words
    remind = html.unescape(re.search(r'<div class="remind" id="remind-text">(.*?)</div>', dom, re.S).group(1))
    assert remind.startswith(f"截至{now.month}月{now.day}日{now:%H:%M}：") and remind.endswith(sentence)
    assert f"最后更新 {now.month}月{now.day}日{now:%H:%M}" in dom


def test_no_deadline_no_countdown(sample):
    opts, _ = sample
    facts = pipeline.progress_record(opts)["facts"]
    now = datetime(2020, 11, 24, 10, 0)
    main = progress.pages(facts, opts.outbox, now, None)[opts.outbox / "进度.html"]
    assert 'id="countdown"' not in main and "未设置截止时间" in main and "距截止" not in main


def test_rewritten_only_when_what_it_shows_changed(tmp_path, caplog):
    opts = build_round(tmp_path)
    pipeline.run_intake(opts)
    page = opts.outbox / "进度.html"
    unit_page = feedback_folder(opts.outbox, MISSING) / "进度.html"
    first = (page.stat().st_mtime_ns, unit_page.stat().st_mtime_ns)
    pipeline.run_intake(opts)  # nothing new: nothing rewritten
    assert (page.stat().st_mtime_ns, unit_page.stat().st_mtime_ns) == first
    opts.deadline = date(2020, 11, 30)  # another deadline: every page shows it
    pipeline.run_intake(opts)
    assert page.stat().st_mtime_ns != first[0] and "2020年11月30日 23:59" in page.read_text(encoding="utf-8")
    unit_page.unlink()  # a page deleted by hand comes back
    pipeline.run_intake(opts)
    assert unit_page.exists()
    (opts.inbox / "环境工程系").mkdir()  # a unit given a folder: its row at once, though nothing else is new
    pipeline.run_intake(opts)
    rows = unit_rows(page.read_text(encoding="utf-8"))
    assert state_of(rows["环境工程系"], "roster") == "missing" and 'data-complete="false"' in rows["环境工程系"]
    assert (feedback_folder(opts.outbox, "环境工程系") / "进度.html").exists()

    # 化学工程系 sends its roster again, corrected: it becomes complete, and the log says so in one line
    fixed = read_csv(EXAMPLES / RETURNED / "工作人员名单.csv")
    dest = opts.inbox / RETURNED / "工作人员名单.csv"
    with open(dest, "w", encoding="gb18030", newline="") as f:
        csv.writer(f).writerows(fixed)
    settle(dest)
    with caplog.at_level(logging.INFO, logger="sureform"):
        pipeline.run_intake(opts)
    lines = [r.getMessage() for r in caplog.records if "报齐" in r.getMessage()]
    assert lines == ["化学工程系：本轮需要的材料已全部报齐"]
    rows = unit_rows(page.read_text(encoding="utf-8"))
    assert state_of(rows[RETURNED], "roster") == "accepted"
    files = re.findall(r'<tr class="file" data-state="([a-z]+)">',
                       (feedback_folder(opts.outbox, RETURNED) / "进度.html").read_text(encoding="utf-8"))
    assert sorted(files) == ["accepted", "accepted", "returned"]


def test_the_nightly_summary_lists_overdue_units(sample, tmp_path):
    from flows.nightly_run import nightly

    opts, _ = sample
    nightly_opts = RunOptions(opts.inbox, opts.outbox, opts.state, AS_OF, "2020", 0.0, deadline=DEADLINE)
    report, markdown = nightly(nightly_opts, ((2, 1), (9, 1)), lock_wait=5)
    overdue = report["overdue_units"]
    assert overdue["deadline"] == "2020-11-27 18:00"
    assert [u["unit"] for u in overdue["units"]] == [MISSING, RETURNED]
    assert "已过截止时间（2020-11-27 18:00）仍未报齐的单位" in markdown
    assert "- 信息工程系：缺工作人员名单" in markdown and "- 化学工程系：缺工作人员名单" in markdown
    later = RunOptions(opts.inbox, opts.outbox, opts.state, AS_OF, "2020", 0.0, deadline=date(2999, 1, 1))
    report, markdown = nightly(later, ((2, 1), (9, 1)), lock_wait=5)
    assert "overdue_units" not in report and "仍未报齐" not in markdown


def main() -> None:
    """The README's screenshots of the sample round, at 1280 px and 390 px, as of 2020-11-25 10:00."""
    with tempfile.TemporaryDirectory() as tmp:
        opts = build_round(Path(tmp))
        pipeline.run_intake(opts)
        with Store(opts.db_path) as store:  # received in the days before the picture's "now", not today
            for n, (sid,) in enumerate(store.conn.execute("SELECT id FROM submissions ORDER BY id").fetchall()):
                store.conn.execute("UPDATE submissions SET received_at = ? WHERE id = ?",
                                   (f"2020-11-{20 + n % 5}T{9 + n % 8:02d}:{(7 * n) % 60:02d}:00+08:00", sid))
        pipeline.write_progress(opts, pipeline.consolidate(opts))
        facts = pipeline.progress_record(opts)["facts"]
        now = datetime(2020, 11, 25, 10, 0)
        page = opts.outbox / "进度.html"
        page.write_text(progress.finish(progress.pages(facts, opts.outbox, now, DEADLINE)[page], now), encoding="utf-8")
        out = ROOT / "docs" / "images"
        for width in (1280, 390):
            screenshot(page, width, out / f"进度-{width}.png")
            print(out / f"进度-{width}.png")


if __name__ == "__main__":
    main()
