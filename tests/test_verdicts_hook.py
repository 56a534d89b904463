"""The verdicts as a whole: catalogue order, a failing item, and the consolidation hook on a real master store."""
from __future__ import annotations

from datetime import date

from test_verdicts_data import AS_OF, basic, seed_departments, seed_roster, view

from sureform.rules import library as verdicts
from sureform.editions import load_catalogue
from sureform.rules.library import decide_items
from sureform.rules.library import RULE_KINDS


def test_items_come_in_catalogue_order_with_form_fields():
    items = decide_items(view(seed_roster(), institution=seed_departments()))
    assert [v.id for v in items] == [it.id for it in load_catalogue().items]
    assert {v.verdict for v in items} <= {"达标", "未达标", "待补充"}
    d = items[2].to_dict()
    assert d == {"id": "3a", "verdict": items[2].verdict, "actual": 58, "note": items[2].note,
                 "evidence": items[2].evidence, "table": "校级", "unit": None, "mark": None,
                 "passed": {"达标": True, "未达标": False}.get(items[2].verdict), "binding": True}


def test_a_crashing_item_is_pending_not_fatal(monkeypatch):
    from dataclasses import replace

    def boom(view, item):
        raise RuntimeError("bug")

    kind = RULE_KINDS["no-administrative-duties"]
    monkeypatch.setitem(RULE_KINDS, kind.name, replace(kind, decide=boom))
    v = verdicts.decide_item(load_catalogue().item("1"), view())
    assert v.verdict == "待补充" and "RuntimeError" in v.note


def _submit(store, run_id, kind, records, rel, unit=None):
    from sureform.store import Submission

    store.add_submission(run_id, Submission(
        sha256=f"{kind}-{rel}", original_name=rel.split("/")[-1], rel_path=rel, unit=unit, kind=kind,
        supersede_key=f"{kind}:{unit}", status="accepted", received_at="2020-11-24T09:00:00+08:00",
        stored_path=None, records=records, issues=[]))


def test_consolidation_hook_fills_items_and_disclosure(tmp_path):
    from sureform.pipeline import consolidate as consolidate_master
    from sureform.pipeline import RunOptions
    from sureform.store import Store

    opts = RunOptions(tmp_path / "inbox", tmp_path / "outbox", tmp_path / "state", AS_OF)
    roster = seed_roster()
    with Store(opts.db_path) as store, store.transaction():
        run = store.start_run("2020-11-24T09:00:00+08:00", AS_OF.isoformat())
        for unit in dict.fromkeys(r["_unit"] for r in roster):
            _submit(store, run, "roster", [r for r in roster if r["_unit"] == unit], f"{unit}/工作人员名单.xlsx", unit)
        _submit(store, run, "institution", seed_departments() + [basic("学生人数较多或分校区较多", True, row=5)],
                "机构信息.xlsx")
    result = consolidate_master(opts)
    by_id = {i["id"]: i for i in result.items}
    assert list(result.disclosure.values()) == [58, 58, 58, 8, "91.38%", "否", "否"]
    assert (by_id["3a"]["verdict"], by_id["3a"]["actual"], by_id["3a"]["note"]) == ("达标", 58, "实有人 58")
    assert (by_id["3b"]["actual"], by_id["3c"]["actual"]) == (4, 6)
    assert by_id["1"]["verdict"] == "未达标" and by_id["1"]["note"].startswith("生活纪安部职责含")
    assert by_id["4"]["verdict"] == by_id["5"]["verdict"] == by_id["6"]["verdict"] == "达标"


def test_as_of_reaches_the_roster_findings_through_the_hook(tmp_path):
    """The same master filed a year later: the 2020 intake lost its freshman exemption."""
    from sureform.pipeline import consolidate as consolidate_master
    from sureform.pipeline import RunOptions
    from sureform.store import Store

    roster = seed_roster()
    state = tmp_path / "state"
    with Store(state / "master.sqlite") as store, store.transaction():
        run = store.start_run("2020-11-24T09:00:00+08:00", AS_OF.isoformat())
        _submit(store, run, "roster", roster, "全部/工作人员名单.xlsx", "全部")
    later = RunOptions(tmp_path / "inbox", tmp_path / "outbox", state, date(2021, 11, 24))
    items = {i["id"]: i for i in consolidate_master(later).items}
    assert items["6"]["verdict"] == "待补充" and items["6"]["note"] == "待补充：5名非新生工作人员的成绩排名"
