"""Items 14, 15: the party committee's plan and hearings (12-month window), the guide and the 秘书长."""
from __future__ import annotations

from datetime import date

from test_verdicts_data import basic, institution, verdict_of, view

PLAN = institution("party_plan", included=True, document="学院党建工作要点")


def report(day: str, row=2):
    return institution("party_reports", row, date=day, title="学生会专题调研座谈会", content="听取学生会工作汇报")


def responsible(category="分管学生会组织的校团委责任人", name="张福成", full_time=True, row=2):
    return institution("responsible", row, category=category, name=name, full_time=full_time, remark=None)


def codes(v) -> list[str]:
    return [e.get("code") for e in v.evidence if e.get("code")]


# ---- item 14 ------------------------------------------------------------------------------------------
def test_item14_plan_and_recent_hearing_pass():
    v = verdict_of("14", view(institution=[PLAN, report("2020-10-15")]))
    assert v.verdict == "达标"
    assert any(e.get("fact") == "党委听取汇报" and e["value"].startswith("2020-10-15") for e in v.evidence)


def test_item14_the_12_month_window_includes_its_first_day_and_moves_with_as_of():
    records = [PLAN, report("2019-11-24")]
    assert verdict_of("14", view(institution=records, as_of=date(2020, 11, 24))).verdict == "达标"
    v = verdict_of("14", view(institution=records, as_of=date(2020, 11, 25)))
    assert v.verdict == "未达标" and codes(v) == ["party-report-missing"]


def test_item14_a_hearing_after_the_filing_date_does_not_count():
    v = verdict_of("14", view(institution=[PLAN, report("2020-12-01")], as_of=date(2020, 11, 24)))
    assert v.verdict == "未达标"


def test_item14_not_in_the_plan_fails_unknown_is_pending():
    no = institution("party_plan", included=False, document=None)
    assert codes(verdict_of("14", view(institution=[no, report("2020-10-15")]))) == ["party-plan-missing"]
    blank = institution("party_plan", included=None, document=None)
    v = verdict_of("14", view(institution=[blank, report("2020-10-15")]))
    assert v.verdict == "待补充" and "党建" in v.note
    assert verdict_of("14", view()).verdict == "待补充"
    v = verdict_of("14", view(institution=[PLAN]))
    assert (v.verdict, v.note) == ("待补充", "待补充：机构信息“党委听取汇报”")


# ---- item 15 ------------------------------------------------------------------------------------------
def test_item15_full_time_guide_and_secretary_pass():
    v = verdict_of("15", view(institution=[responsible(), responsible("秘书长", "刘洋", row=3)]))
    assert v.verdict == "达标"
    assert [e["value"] for e in v.evidence] == ["张福成", "刘洋"]


def test_item15_not_full_time_or_no_secretary_fails():
    v = verdict_of("15", view(institution=[responsible(full_time=False), responsible("秘书长", "刘洋", row=3)]))
    assert v.verdict == "未达标" and codes(v) == ["responsible-not-full-time"] and v.evidence[0]["cell"] == "C2"
    v = verdict_of("15", view(institution=[responsible()]))
    assert v.verdict == "未达标" and codes(v) == ["responsible-missing"]
    assert "秘书长" in next(e["message"] for e in v.evidence if e.get("code"))


def test_item15_unknown_full_time_is_pending_no_institution_is_pending():
    v = verdict_of("15", view(institution=[responsible(full_time=None), responsible("秘书长", "刘洋", row=3)]))
    assert v.verdict == "待补充" and "专职团干" in v.note
    assert verdict_of("15", view()).verdict == "待补充"
    assert verdict_of("15", view(institution=[basic("学校名称", "某学院")])).verdict == "待补充"
