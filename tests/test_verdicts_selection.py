"""Items 7, 8, 9, 10: candidate vetting and staff review, the 学代会, its delegates."""
from __future__ import annotations

from test_verdicts_data import basic, candidate, institution, member, verdict_of, view

CHAIR = member("王主席", "2019010111", post="主席", dept="主席团")
VICE = member("李副", "2019010112", post="副主席", dept="主席团", row=3)
CLERK = member("赵干事", "2019010113", post="干事", dept="宣传部", row=4)


def _item7(*forms, roster=(CHAIR, VICE, CLERK)):
    return verdict_of("7", view(list(roster), list(forms)))


def codes(v) -> list[str]:
    return [e.get("code") for e in v.evidence if e.get("code")]


# ---- item 7 -------------------------------------------------------------------------------------------
def test_item7_complete_chains_and_reviewed_members_pass():
    v = _item7(candidate(CHAIR), candidate(VICE))
    assert v.verdict == "达标", v.evidence
    assert any(e.get("fact") == "公示工作日" and "5 个工作日" in e["value"] for e in v.evidence)


def test_item7_without_any_form_is_pending_and_names_the_members():
    v = _item7()
    assert v.verdict == "待补充" and "王主席" in v.note and "李副" in v.note and "推荐表" in v.note
    assert codes(v) == ["candidate-form-missing", "candidate-form-missing"]


def test_item7_form_matched_by_name_when_the_id_differs():
    assert _item7(candidate(CHAIR, student_id="999"), candidate(VICE)).verdict == "达标"


def test_item7_missing_step_fails_at_its_cell():
    form = candidate(CHAIR, party_decision_date=None)
    v = _item7(form, candidate(VICE))
    assert v.verdict == "未达标"
    e = next(e for e in v.evidence if e.get("code") == "candidate-step-missing")
    assert e["cell"] == form["_cells"]["party_decision_date"] and "校党委确定" in e["message"]


def test_item7_refused_step_fails():
    v = _item7(candidate(CHAIR, party_consent_result="不同意"), candidate(VICE))
    assert v.verdict == "未达标" and "candidate-step-refused" in codes(v)


def test_item7_dates_out_of_order_fail():
    v = _item7(candidate(CHAIR, league_recommend_date="2020-08-30"), candidate(VICE))
    assert v.verdict == "未达标" and "candidate-steps-out-of-order" in codes(v)


def test_item7_review_before_the_publicity_ends_fails():
    v = _item7(candidate(CHAIR, qualification_date="2020-09-10"), candidate(VICE))
    assert v.verdict == "未达标" and "candidate-step-during-publicity" in codes(v)


def test_item7_publicity_with_objection_fails():
    v = _item7(candidate(CHAIR, publicity_result="有异议"), candidate(VICE))
    assert v.verdict == "未达标" and "publicity-objection" in codes(v)


def test_item7_publicity_of_four_working_days_fails():
    v = _item7(candidate(CHAIR, publicity_end="2020-09-09"), candidate(VICE))
    assert v.verdict == "未达标"
    e = next(e for e in v.evidence if e.get("code") == "publicity-too-short")
    assert "4 个工作日" in e["message"]


def test_item7_publicity_counts_chinese_working_days_not_weekdays():
    # 2020-09-30 … 2020-10-09: ten weekdays-ish, but 1–8 October are the National Day holiday: 2 working days
    holiday = candidate(CHAIR, publicity_start="2020-09-30", publicity_end="2020-10-09",
                        qualification_date="2020-10-12", joint_review_date="2020-10-13", party_decision_date="2020-10-14")
    assert "publicity-too-short" in codes(_item7(holiday, candidate(VICE)))
    # 2020-09-24 … 2020-09-29: four weekdays plus the make-up working Sunday 27 September = 5
    makeup = candidate(CHAIR, publicity_start="2020-09-24", publicity_end="2020-09-29",
                       qualification_date="2020-09-30", joint_review_date="2020-10-09", party_decision_date="2020-10-10")
    assert _item7(makeup, candidate(VICE)).verdict == "达标"


def test_item7_staff_member_without_recommender_or_review_date_fails():
    clerk = member("赵干事", "2019010113", recommender=None, review_date=None, row=4)
    v = _item7(candidate(CHAIR), candidate(VICE), roster=(CHAIR, VICE, clerk))
    assert v.verdict == "未达标"
    e = next(e for e in v.evidence if e.get("code") == "recommendation-missing")
    assert e["cell"] == "M4" and "推荐团组织、审核日期" in e["message"]


def test_item7_pending_without_roster():
    assert verdict_of("7", view()).verdict == "待补充"


# ---- item 8 -------------------------------------------------------------------------------------------
def congress(date="2020-10-15", body="学生代表大会", elects=True, row=2):
    return institution("congress", row, session="第十次学生代表大会", date=date, delegates=120, body=body,
                       elects_presidium=elects)


def test_item8_elected_by_the_congress_passes():
    assert verdict_of("8", view(institution=[congress()])).verdict == "达标"


def test_item8_elected_by_a_standing_committee_fails():
    v = verdict_of("8", view(institution=[congress(body="学生代表大会常务委员会")]))
    assert v.verdict == "未达标" and codes(v) == ["presidium-not-elected-by-congress"]
    assert v.evidence[0]["sheet"] == "学代会" and v.evidence[0]["cell"] == "D2"


def test_item8_uses_the_latest_electing_congress():
    records = [congress("2017-10-10", body="学生代表大会委员会"), congress("2020-10-15", row=3),
               congress("2020-12-01", body="常任代表会议", elects=False, row=4)]
    assert verdict_of("8", view(institution=records)).verdict == "达标"


def test_item8_pending_without_congress_records():
    assert verdict_of("8", view()).verdict == "待补充"
    v = verdict_of("8", view(institution=[basic("学校名称", "某学院")]))
    assert v.verdict == "待补充" and "学代会" in v.note


def test_item8_presidium_not_elected_by_any_congress_fails():
    v = verdict_of("8", view(institution=[congress(elects=False)]))
    assert v.verdict == "未达标" and codes(v) == ["presidium-not-elected-by-congress"]


# ---- item 9 -------------------------------------------------------------------------------------------
def test_item9_congress_since_october_2019_passes_with_its_date():
    v = verdict_of("9", view(institution=[congress("2018-05-01"), congress("2020-10-15", row=3)]))
    assert (v.verdict, v.actual, v.note) == ("达标", "2020年10月15日", "召开日期为：2020年10月15日")
    assert v.evidence[0]["source"] == "机构信息.xlsx 学代会!B3"


def test_item9_boundary_is_1_october_2019():
    assert verdict_of("9", view(institution=[congress("2019-10-01")])).verdict == "达标"
    v = verdict_of("9", view(institution=[congress("2019-09-30")]))
    assert (v.verdict, v.note) == ("未达标", "召开日期为：2019年9月30日（2019年10月以来未召开）")
    assert codes(v) == ["congress-too-old"]


def test_item9_no_congress_fails_saying_why():
    v = verdict_of("9", view(institution=[basic("学校名称", "某学院")]))
    assert (v.verdict, v.actual, v.note) == ("未达标", None, "召开日期为：（机构信息中没有学代会记录）")


def test_item9_pending_without_institution():
    assert verdict_of("9", view()).verdict == "待补充"


# ---- item 10 ------------------------------------------------------------------------------------------
def delegate(name, unit="石油工程系", branch="石工1901团支部", electing="石油工程系", row=2):
    return institution("delegates", row, name=name, student_id=None, unit=unit, branch=branch, electing_unit=electing)


def test_item10_recommended_and_elected_delegates_pass():
    v = verdict_of("10", view([member()], institution=[delegate("甲"), delegate("乙", row=3)]))
    assert v.verdict == "达标"


def test_item10_delegate_without_branch_fails():
    v = verdict_of("10", view(institution=[delegate("甲", branch=None)]))
    assert v.verdict == "未达标" and codes(v) == ["delegate-not-recommended"] and v.evidence[0]["cell"] == "D2"


def test_item10_too_few_delegates_or_a_unit_without_any_are_advice_never_a_failure():
    """reform-rules.md (readings decided): delegates ≥ 1% of students and every 系 represented are warnings."""
    few = verdict_of("10", view(institution=[delegate("甲"), basic("全校学生人数", 300)]))
    assert few.verdict == "达标" and "delegates-too-few" in codes(few)
    assert next(e for e in few.evidence if e.get("code") == "delegates-too-few")["severity"] == "warning"
    enough = verdict_of("10", view(institution=[delegate("甲"), delegate("乙", row=3), basic("全校学生人数", 200)]))
    assert enough.verdict == "达标" and "delegates-too-few" not in codes(enough)
    unit = verdict_of("10", view([member(unit="机电工程系")], institution=[delegate("甲")]))
    assert unit.verdict == "达标" and "unit-without-delegate" in codes(unit)


def test_item10_pending_without_delegate_list():
    v = verdict_of("10", view(institution=[congress()]))
    assert (v.verdict, v.note) == ("待补充", "待补充：学代会代表名单")
