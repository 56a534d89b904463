"""The 二级 table (2021 edition, 13 items): each 院系 union decided on its own roster and facts, item by item,
both ways; the school's roster never counts for a union (a student may serve in both). ▲ items that an edition
says are not yet binding never count as failures. An item no rule decides follows the 自评补充 sheet.

Everything goes through a real SQLite master (`store.Submission`) and `rules.master.consolidate`.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from test_verdicts_data import AS_OF, member, score

from sureform.editions import EDITIONS_DIR
from sureform.rules.library import load_edition
from sureform.rules.master import consolidate
from sureform.store import Store, Submission

UNIT = "石油工程系"


def fact(category, date=None, name=None, detail=None, flag=None, row=2, unit=UNIT):
    values = {"unit": unit, "org": "学生会", "category": category, "date": date, "name": name, "detail": detail,
              "flag": flag}
    return {"_table": "unit_facts", **values, "_file": "机构信息.xlsx", "_sheet": "二级组织信息", "_row": row,
            "_cols": {}, "_cells": {k: f"{'ABCDEFG'[i]}{row}" for i, k in enumerate(values)}}


def unit_roster(size=6, presidium=3, **changes_of_last):
    people = [member(name=f"主{i}", sid=f"20190199{i:02d}", post="主席" if i == 0 else "副主席", dept="主席团", row=i + 2)
              for i in range(presidium)]
    depts = ["办公室", "宣传部", "学习部"]
    for j in range(size - presidium):
        people.append(member(name=f"员{j}", sid=f"20190198{j:02d}", post="部长" if j < 3 else "干事",
                             dept=depts[j % 3], row=presidium + j + 2))
    people[-1].update(changes_of_last)
    for p in people:
        p["org"] = "学生会"
    return people


def good_facts():
    return [fact("部门", name=d, detail=f"负责{d}的日常工作。", row=i + 2) for i, d in enumerate(["办公室", "宣传部", "学习部"])] + [
        fact("学生代表大会", "2020-10-09", "第三次学生代表大会", "学生代表大会", True, row=10),
        fact("春季培训", "2020-04-10", "春季全员培训", row=11),
        fact("秋季培训", "2020-10-20", "秋季全员培训", row=12),
        fact("党组织听取汇报", "2020-09-25", "系党总支会议", row=13),
        fact("团组织负责人", name="王建国", row=14),
        fact("秘书长", name="刘晓明", detail="系团总支老师", flag=True, row=15),
        fact("评奖评优提名", name="主0", detail="优秀学生干部", row=16),
    ]


def good_scores(roster):
    return [score(p, each=9 if p["name"] == "主0" else 7) for p in roster[:3]]


def decide(tmp_path: Path, roster, facts, scores, edition="2021", school=None):
    db = tmp_path / "master.sqlite"
    db.unlink(missing_ok=True)
    with Store(db) as store, store.transaction():
        run = store.start_run("2020-11-24T09:00:00+08:00", AS_OF.isoformat())
        for kind, unit, records in (("unit_roster", UNIT, roster), ("institution", None, facts),
                                    ("score", None, scores),
                                    ("roster", (school or [{}])[0].get("_unit", UNIT), school or [])):
            if records:
                store.add_submission(run, Submission(
                    sha256=f"{kind}", original_name=f"{kind}.xlsx", rel_path=f"{unit or '校团委'}/{kind}.xlsx",
                    unit=unit, kind=kind, supersede_key=f"{kind}:{unit}", status="accepted",
                    received_at="2020-11-24T09:00:00+08:00", stored_path=None, records=records, issues=[]))
    with Store(db) as store:
        result = consolidate(store, load_edition(edition), AS_OF)
    return {i["id"]: i for i in result.items if i["table"] == "二级" and i["unit"] == UNIT}, result


def test_a_union_that_meets_every_item(tmp_path):
    roster = unit_roster()
    items, result = decide(tmp_path, roster, good_facts(), good_scores(roster))
    assert [i for i in items.values() if i["verdict"] != "是"] == []
    assert [i["id"] for i in items.values()] == [str(n) for n in range(1, 14)]
    assert result.header["units"] == 1 and result.units == [UNIT]
    assert (items["3"]["note"], items["4"]["note"]) == ("实有 6 人", "实有 3 人")


def without(facts, category):
    return [f for f in facts if f["category"] != category]


def replaced(facts, category, **values):
    return [dict(f, **values) if f["category"] == category else f for f in facts]


BREACHES = {
    "1": lambda r, f, s: (r, replaced(f, "部门", detail="负责宿舍卫生检查和查寝工作。"), s),
    "2": lambda r, f, s: (r, f + [fact("部门", name="文化活动中心", detail="组织活动。", row=30)], s),
    "3": lambda r, f, s: (unit_roster(size=31), f, s),
    "4": lambda r, f, s: (unit_roster(size=8, presidium=4), f, s),
    "5": lambda r, f, s: (unit_roster(post="队长"), f, s),
    "6": lambda r, f, s: (unit_roster(political="群众"), f, s),
    "7": lambda r, f, s: (unit_roster(rank_ratio=0.55), f, s),
    "8": lambda r, f, s: (r, replaced(f, "学生代表大会", detail="学生代表大会常务委员会"), s),
    "9": lambda r, f, s: (r, replaced(f, "学生代表大会", date="2018-05-01"), s),
    "10": lambda r, f, s: (r, without(f, "春季培训"), s),
    "11": lambda r, f, s: (r, replaced(f, "评奖评优提名", name="主1"), s),
    "12": lambda r, f, s: (r, replaced(f, "党组织听取汇报", date="2019-05-01"), s),
    "13": lambda r, f, s: (r, without(f, "秘书长"), s),
}


@pytest.mark.parametrize("item_id", sorted(BREACHES, key=int))
def test_each_item_fails_on_its_own_breach_and_only_that_item(tmp_path, item_id):
    roster = unit_roster()
    r, f, s = BREACHES[item_id](roster, good_facts(), good_scores(roster))
    items, _ = decide(tmp_path, r, f, s)
    failing = sorted((i["id"] for i in items.values() if i["verdict"] == "否"), key=int)
    assert failing == [item_id], {k: (v["verdict"], v["note"]) for k, v in items.items()}
    assert items[item_id]["passed"] is False and items[item_id]["unit"] == UNIT


def test_the_school_roster_never_counts_for_a_union(tmp_path):
    roster = unit_roster()
    school = [member(name=f"校{i}", sid=f"20190197{i:02d}", row=i + 2) for i in range(45)]  # 45 school staff
    items, _ = decide(tmp_path, roster, good_facts(), good_scores(roster), school=school)
    assert items["3"]["verdict"] == "是" and items["3"]["note"] == "实有 6 人"


def test_a_unit_of_the_school_roster_without_its_own_union_data_is_listed(tmp_path):
    roster = unit_roster()
    school = [member(unit="机电工程系", row=2), member(name="李四", sid="2019020102", unit="机电工程系", row=3)]
    for p in school:
        p["_unit"] = "机电工程系"
    db_items, result = decide(tmp_path, roster, good_facts(), good_scores(roster), school=school)
    assert result.units_missing == ["机电工程系"]


def edition_file(tmp_path: Path, old: str, new: str, count: int = 1) -> str:
    text = (EDITIONS_DIR / "2021.toml").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "edited.toml"
    path.write_text(text.replace(old, new, count), encoding="utf-8")
    return str(path)


def test_an_observation_item_that_is_not_binding_is_shown_but_never_a_failure(tmp_path):
    text = (EDITIONS_DIR / "2021.toml").read_text(encoding="utf-8")
    text = text.replace('verdict_labels = ["是", "否"]', 'verdict_labels = ["是", "否"]\nobservation_binding = false')
    text = re.sub(r'(table = "二级"\nid = "10"\n)', r'\1mark = "▲"\n', text)
    path = tmp_path / "observed.toml"
    path.write_text(text, encoding="utf-8")
    roster = unit_roster()
    items, _ = decide(tmp_path, roster, without(good_facts(), "春季培训"), good_scores(roster), edition=str(path))
    ten = items["10"]
    assert (ten["mark"], ten["verdict"], ten["passed"], ten["binding"]) == ("▲", "否", False, False)
    from sureform.model import ItemVerdict

    assert not ItemVerdict.from_dict(ten).failed


def test_an_item_no_rule_decides_follows_the_self_assessment_sheet(tmp_path):
    path = edition_file(tmp_path, 'text = "开展了春、秋季学生会组织工作人员全员培训。"\nrule = "all-staff-training"\n'
                                  'params = { seasons = ["春季", "秋季"], window_months = 12 }',
                        'text = "开展了春、秋季学生会组织工作人员全员培训。"')
    roster = unit_roster()
    items, _ = decide(tmp_path, roster, good_facts(), good_scores(roster), edition=path)
    assert items["10"]["verdict"] == "待补充" and "自评补充" in items["10"]["note"]
    decided = {"_table": "self_assessment", "table": "二级", "item": "10", "unit": UNIT, "verdict": "否",
               "basis": "春季培训因疫情取消", "_file": "机构信息.xlsx", "_sheet": "自评补充", "_row": 2, "_cols": {},
               "_cells": {"verdict": "D2"}}
    items, _ = decide(tmp_path, roster, good_facts() + [decided], good_scores(roster), edition=path)
    assert (items["10"]["verdict"], items["10"]["note"]) == ("否", "春季培训因疫情取消")
    assert items["10"]["evidence"][0]["source"].endswith("自评补充!D2")
