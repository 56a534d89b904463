"""Items 1, 2, 3a–3c: department duties, the structure, the head and department counts."""
from __future__ import annotations

from test_verdicts_data import (SEED_ITEM1_CLAUSE, basic, department, member, seed_departments, seed_roster,
                                verdict_of, view)


# ---- item 1 -------------------------------------------------------------------------------------------
def test_item1_seed_life_and_security_department_fails_quoting_its_duties():
    v = verdict_of("1", view(institution=seed_departments()))
    assert v.verdict == "未达标"
    # one line that says why, the reason alone (the form is public: no pointer to a workbook); the quote is in the
    # evidence, not the form
    assert v.note.startswith("生活纪安部职责含") and v.note.endswith("等行政职能") and "汇总" not in v.note
    assert "安保" in v.note and SEED_ITEM1_CLAUSE not in v.note and "\n" not in v.note
    assert "宣传部" not in v.note
    hit = next(e for e in v.evidence if e.get("code") == "duty-administrative")
    assert hit["file"] == "机构信息.xlsx" and hit["sheet"] == "部门设置" and hit["cell"] == "B7"
    assert "卫生检查" in hit["message"] and "生活纪安部" in hit["message"]
    quoted = next(e for e in v.evidence if e.get("fact") == "部门职责" and "生活纪安部" in e["value"])
    assert SEED_ITEM1_CLAUSE in quoted["value"] and quoted["source"] == "机构信息.xlsx 部门设置!B7"


def test_item1_passes_when_no_duty_is_administrative():
    v = verdict_of("1", view(institution=[department("宣传部", "负责宣传橱窗和新媒体平台。"),
                                          department("文体部", "组织文体活动。", row=3)]))
    assert v.verdict == "达标" and v.note == ""
    assert [e["fact"] for e in v.evidence] == ["部门职责", "部门职责"]


def test_item1_review_note_turns_the_match_into_a_pass_and_is_shown():
    note = "该部门仅组织文明寝室评比，不承担检查职能，已调整职责"
    depts = [department("生活部", "负责宿舍卫生检查工作。", review_note=note)]
    v = verdict_of("1", view(institution=depts))
    assert v.verdict == "达标"
    assert note in v.note and "生活部" in v.note
    assert any(e.get("fact") == "复核说明" and note in e["value"] for e in v.evidence)


def test_item1_keywords_come_from_the_catalogue():
    from dataclasses import replace

    from sureform.editions import load_catalogue

    base = load_catalogue()
    cat = replace(base, vocabulary={**base.vocabulary, "administrative_keywords": ["门禁"]})
    depts = [department("生活部", "负责宿舍卫生检查工作。")]
    assert verdict_of("1", view(institution=depts, catalogue=cat)).verdict == "达标"
    assert verdict_of("1", view(institution=depts)).verdict == "未达标"


def test_item1_pending_without_departments_or_duties():
    v = verdict_of("1", view(roster=[member()]))
    assert v.verdict == "待补充" and v.note.startswith("待补充：") and "部门设置" in v.note
    v = verdict_of("1", view(institution=[department("宣传部", "")]))
    assert v.verdict == "待补充" and "宣传部的部门职责" in v.note


# ---- item 2 -------------------------------------------------------------------------------------------
def test_item2_passes_with_presidium_and_declared_departments():
    roster = [member(post="主席", dept="主席团"), member("李四", "2019010102", dept="办公室", row=3)]
    v = verdict_of("2", view(roster, institution=[department("办公室"), department("宣传部", row=3)]))
    assert v.verdict == "达标"


def test_item2_fails_on_a_centre():
    v = verdict_of("2", view([member(dept="宣传部")], institution=[department("宣传部"),
                                                                   department("新媒体中心", row=3)]))
    assert v.verdict == "未达标"
    e = next(e for e in v.evidence if e.get("code") == "department-level-forbidden")
    assert e["value"] == "新媒体中心" and e["cell"] == "A3"


def test_item2_fails_on_a_project_office_and_a_sub_level():
    v = verdict_of("2", view([member(dept="宣传部")], institution=[department("宣传部"), department("青年项目办公室", row=3),
                                                                   department("宣传部/摄影组", row=4)]))
    codes = [e.get("code") for e in v.evidence]
    assert v.verdict == "未达标" and "department-level-forbidden" in codes and "department-sub-level" in codes


def test_item2_fails_when_a_roster_department_is_not_declared():
    roster = [member(dept="宣传部"), member("李四", "2019010102", dept="外联部", row=3)]
    v = verdict_of("2", view(roster, institution=[department("宣传部")]))
    assert v.verdict == "未达标"
    e = next(e for e in v.evidence if e.get("code") == "department-not-declared")
    assert e["value"] == "外联部" and e["cell"] == "H3" and e["file"] == "石油工程系/工作人员名单.xlsx"


def test_item2_pending_without_declared_departments():
    v = verdict_of("2", view([member(dept="宣传部")]))
    assert v.verdict == "待补充" and "部门设置" in v.note


# ---- item 3a ------------------------------------------------------------------------------------------
def _staff(n: int) -> list[dict]:
    return [member(f"人{i}", f"20190101{i:02d}", row=i + 2) for i in range(n)]


def test_item3a_seed_58_pass_as_a_large_school():
    v = verdict_of("3a", view(seed_roster(), institution=[basic("学生人数较多或分校区较多", True)]))
    assert (v.verdict, v.actual, v.note) == ("达标", 58, "实有人 58")


def test_item3a_58_fail_for_an_ordinary_school():
    v = verdict_of("3a", view(seed_roster(), institution=[basic("学生人数较多或分校区较多", False)]))
    assert (v.verdict, v.actual) == ("未达标", 58) and v.note.startswith("实有人 58")


def test_item3a_over_40_without_the_flag_is_pending():
    v = verdict_of("3a", view(_staff(41)))
    assert v.verdict == "待补充" and "学生人数较多" in v.note and v.actual == 41


def test_item3a_limits_are_inclusive():
    assert verdict_of("3a", view(_staff(40))).verdict == "达标"
    assert verdict_of("3a", view(_staff(61), institution=[basic("学生人数较多或分校区较多", True)])).verdict == "未达标"


def test_item3a_counts_a_person_on_two_rosters_once():
    twice = [member(), member(unit="机电工程系", row=5)]
    assert verdict_of("3a", view(twice)).actual == 1


def test_item3a_pending_without_roster():
    assert verdict_of("3a", view()).verdict == "待补充"


# ---- item 3b ------------------------------------------------------------------------------------------
def test_item3b_seed_has_4():
    v = verdict_of("3b", view(seed_roster()))
    assert (v.verdict, v.actual, v.note) == ("达标", 4, "实有人 4")
    assert all(e["fact"] == "主席团成员" and "Sheet1!G" in e["source"] for e in v.evidence)


def test_item3b_six_fail():
    roster = [member(f"人{i}", f"20190101{i:02d}", post="副主席" if i else "主席", dept="主席团") for i in range(6)]
    v = verdict_of("3b", view(roster))
    assert (v.verdict, v.actual) == ("未达标", 6) and v.note.startswith("实有人 6")


# ---- item 3c ------------------------------------------------------------------------------------------
def test_item3c_counts_declared_departments():
    v = verdict_of("3c", view(institution=seed_departments()))
    assert (v.verdict, v.actual, v.note) == ("达标", 6, "实有个 6")


def test_item3c_seven_declared_fail():
    depts = seed_departments() + [department("外联部", row=8)]
    v = verdict_of("3c", view(institution=depts))
    assert (v.verdict, v.actual) == ("未达标", 7)


def test_item3c_falls_back_to_roster_departments_without_presidium():
    roster = [member(post="主席", dept="主席团")] + [member(f"人{i}", f"20190102{i:02d}", dept=f"部{i}", row=i + 3)
                                                  for i in range(7)]
    v = verdict_of("3c", view(roster))
    assert (v.verdict, v.actual, v.note) == ("未达标", 7, "实有个 7；超过6个")
    assert verdict_of("3c", view(seed_roster())).actual == 6


def test_item3c_pending_without_anything():
    assert verdict_of("3c", view()).verdict == "待补充"


def test_many_breaches_make_one_short_note_that_counts_them():
    from sureform.rules.outcome import NOTE_LIMIT, one_line

    reasons = [f"“{name}”未在部门设置中" for name in ("网络部", "外联部", "实践部", "心理部", "女生部")]
    note = one_line(reasons)
    assert note.startswith("“网络部”未在部门设置中；“外联部”未在部门设置中") and "女生部" not in note
    assert note.endswith("；另有2处不符合要求") and len(note) <= NOTE_LIMIT + 15 and "汇总" not in note
    assert one_line(reasons[:1]) == reasons[0]  # one reason: as it is
    long = "生活纪安部职责含卫生检查、保卫、安保等行政职能"
    assert one_line([long, "“网络部”未在部门设置中", "“外联部”未在部门设置中"]) == \
        "生活纪安部职责含卫生检查、保卫、安保等行政职能；“网络部”未在部门设置中；另有1处不符合要求"
