"""The sample data reproduces the seed college's 2020 disclosure: its section 四 row and its item
figures, and its own ticks everywhere except where its data contradicts them (item 1)."""
import shutil
from datetime import date
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "inbox"
SEED_TICKS = {"1": "达标", "2": "达标", "3a": "达标", "3b": "达标", "3c": "达标", "4": "达标", "5": "达标",
              "6": "达标", "7": "达标", "8": "达标", "9": "未达标", "10": "达标", "11": "达标", "12": "达标",
              "13": "达标", "14": "达标", "15": "达标"}
SEED_SECTION_4 = {"工作人员人数": 58, "共青团员人数": 58, "入党积极分子": 58, "最近1学年综合排名进入专业前5%人数": 8,
                  "最近1学年综合排名进入专业前30%的比例": "91.38%", "是否存在课业不及格情况": "否", "是否存在违纪行为": "否"}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from sureform.pipeline import RunOptions, run_pipeline

    root = tmp_path_factory.mktemp("demo")
    shutil.copytree(EXAMPLES, root / "inbox")
    opts = RunOptions(root / "inbox", root / "outbox", root / "state", date(2020, 11, 24), "2020", 0)
    return root, run_pipeline(opts)


def test_every_sample_file_is_accepted(demo):
    _, report = demo
    assert {f["status"] for f in report["files"]} == {"accepted"}
    assert report["master"]["roster"] == 58
    assert {f["kind"] for f in report["files"]} == {"roster", "unit_roster", "candidate", "score", "institution",
                                                  "document"}


def test_section_four_is_the_seed_row(demo):
    _, report = demo
    assert report["disclosure"] == SEED_SECTION_4


def test_item_figures(demo):
    _, report = demo
    items = {i["id"]: i for i in report["items"]}
    assert (items["3a"]["actual"], items["3a"]["note"]) == (58, "实有人 58")  # large school: limit 60
    assert (items["3b"]["actual"], items["3b"]["note"]) == (4, "实有人 4")
    assert (items["3c"]["actual"], items["3c"]["note"]) == (6, "实有个 6")
    assert items["9"]["note"] == "召开日期为：2018年11月16日（2019年10月以来未召开）"


def test_verdicts_differ_from_the_seed_only_on_item_1(demo):
    _, report = demo
    verdicts = {i["id"]: i["verdict"] for i in report["items"]}
    differ = {k for k in SEED_TICKS if verdicts[k] != SEED_TICKS[k]}
    assert differ == {"1"}
    item1 = next(i for i in report["items"] if i["id"] == "1")
    assert item1["verdict"] == "未达标"
    quoted = " ".join(str(e.get("value", "")) + str(e.get("message", "")) for e in item1["evidence"])
    assert "生活纪安部" in quoted and "宿舍卫生检查" in quoted
    assert any(e.get("cell") or "!" in str(e.get("source", "")) for e in item1["evidence"])  # points at a cell


def test_every_verdict_carries_evidence(demo):
    _, report = demo
    for item in report["items"]:
        assert item["evidence"], item["id"]


def test_documents_are_written(demo):
    root, report = demo
    assert Path(root / report["outputs"]["filing"]).exists() or Path(report["outputs"]["filing"]).exists()
    assert report["outputs"]["disclosure"].endswith("改革情况公开.docx")


def test_disclosure_carries_no_student_data(demo):
    from sureform.outputs.documents import document_texts
    from sureform.store import Store

    root, report = demo
    with Store(root / "state" / "master.sqlite") as store:
        roster = store.current_records("roster")
    tokens = {r["student_id"] for r in roster} | {r["name"] for r in roster}
    tokens |= {r["rank_text"] for r in roster if r.get("rank_text") and "/" in r["rank_text"]}
    text = "\n".join(document_texts(root / "outbox" / "改革情况公开.docx"))
    leaked = sorted(t for t in tokens if t and t in text)
    assert leaked == []


def test_sample_dropped_again_with_its_mtimes_changes_nothing(tmp_path):
    """`make demo` twice: `cp -p` drops the same bytes with the same mtimes into the same places."""
    from sureform.pipeline import RunOptions, run_pipeline

    opts = RunOptions(tmp_path / "inbox", tmp_path / "outbox", tmp_path / "state", date(2020, 11, 24), "2020", 0)
    shutil.copytree(EXAMPLES, opts.inbox)
    first = run_pipeline(opts)
    shutil.copytree(EXAMPLES, opts.inbox, dirs_exist_ok=True)
    second = run_pipeline(opts)
    assert second["master"] == first["master"]
    assert {f["status"] for f in second["files"]} <= {"accepted", "duplicate"}
    assert [i["verdict"] for i in second["items"]] == [i["verdict"] for i in first["items"]]
    assert not [p for p in opts.inbox.rglob("*") if p.is_file()]
