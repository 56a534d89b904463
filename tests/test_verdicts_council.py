"""Items 11, 12, 13: study measures, the evaluation council and 述职, nominations by results."""
from __future__ import annotations

from datetime import date

from test_verdicts_data import basic, institution, member, score, verdict_of, view

CHAIR = member("王主席", "2019010111", post="主席", dept="主席团")
HEAD = member("李部长", "2019010112", post="部长", dept="宣传部", row=3)
DEPUTY = member("周副部", "2019010113", post="副部长", dept="文体部", row=4)  # 文体部 has no 部长: its head
CLERK = member("赵干事", "2019010114", post="干事", dept="宣传部", row=5)
ROSTER = [CHAIR, HEAD, DEPUTY, CLERK]


def codes(v) -> list[str]:
    return [e.get("code") for e in v.evidence if e.get("code")]


def council(students=3, staff=2):
    rows = [institution("council", i + 2, name=f"学生{i}", category="学生代表", unit="石油工程系") for i in range(students)]
    rows += [institution("council", students + i + 2, name=f"老师{i}", category="学工部" if i % 2 else "团委",
                         unit="校团委") for i in range(staff)]
    return rows


# ---- item 11 ------------------------------------------------------------------------------------------
def test_item11_a_dated_measure_passes():
    v = verdict_of("11", view(institution=[institution("study_measures", date="2020-09-10", measure="组织学习全国学联二十七大报告")]))
    assert v.verdict == "达标" and v.evidence[0]["source"] == "机构信息.xlsx 学习贯彻举措!B2"


def test_item11_undated_or_no_measure_fails():
    v = verdict_of("11", view(institution=[institution("study_measures", date=None, measure="学习")]))
    assert v.verdict == "未达标" and codes(v) == ["study-measure-missing"]
    v = verdict_of("11", view(institution=[institution("study_measures", date="2021-01-10", measure="学习")]))
    assert v.verdict == "未达标"  # dated after the filing date


def test_item11_pending_without_the_measures_sheet():
    assert verdict_of("11", view()).verdict == "待补充"
    v = verdict_of("11", view(institution=[basic("学校名称", "某学院")]))
    assert v.verdict == "待补充" and "学习贯彻举措" in v.note


# ---- item 12 ------------------------------------------------------------------------------------------
def all_reports(**kw):
    return [score(p, **kw) for p in (CHAIR, HEAD, DEPUTY)]


def test_item12_student_majority_and_everyone_reported_passes():
    v = verdict_of("12", view(ROSTER, scores=all_reports(), institution=council()))
    assert v.verdict == "达标", v.evidence
    assert sum(e.get("fact") == "述职评议" for e in v.evidence) == 3


def test_item12_half_students_is_not_a_majority():
    v = verdict_of("12", view(ROSTER, scores=all_reports(), institution=council(students=2, staff=2)))
    assert v.verdict == "未达标" and codes(v) == ["council-students-not-majority"]


def test_item12_head_without_report_this_semester_fails():
    """In the current semester's last month (here 2020-12-20) its own 述职 is due: the spring one no longer counts."""
    scores = [score(CHAIR), score(DEPUTY), score(HEAD, semester="2019-2020学年第二学期", review_date="2020-06-20")]
    v = verdict_of("12", view(ROSTER, scores=scores, institution=council(), as_of=date(2020, 12, 20)))
    assert v.verdict == "未达标"
    e = next(e for e in v.evidence if e.get("code") == "report-missing")
    assert e["value"] == "李部长" and "2020-2021学年第一学期" in e["message"] and e["cell"] == "A3"


def test_item12_a_november_filing_is_judged_on_the_spring_report():
    """reform-rules.md (readings decided): before the current semester's last month, the previous semester's
    述职 counts; once the last month begins (mid-December), the current one is needed."""
    spring = all_reports(semester="2019-2020学年第二学期", review_date="2020-06-20")
    assert verdict_of("12", view(ROSTER, scores=spring, institution=council(), as_of=date(2020, 11, 24))).verdict == "达标"
    assert verdict_of("12", view(ROSTER, scores=spring, institution=council(), as_of=date(2020, 12, 20))).verdict == "未达标"
    older = all_reports(semester="2019-2020学年第一学期", review_date="2019-12-20")
    assert verdict_of("12", view(ROSTER, scores=older, institution=council(), as_of=date(2020, 11, 24))).verdict == "未达标"


def test_item12_current_semester_moves_with_as_of():
    scores = all_reports(semester="2019-2020学年第二学期", review_date="2020-06-20")
    assert verdict_of("12", view(ROSTER, scores=scores, institution=council(), as_of=date(2020, 7, 1))).verdict == "达标"
    assert verdict_of("12", view(ROSTER, scores=scores, institution=council(), as_of=date(2021, 1, 5))).verdict == "未达标"


def test_item12_no_council_or_no_scores_pending():
    v = verdict_of("12", view(ROSTER, scores=all_reports(), institution=[basic("学校名称", "某学院")]))
    assert (v.verdict, v.note) == ("待补充", "待补充：机构信息“评议会成员”")
    v = verdict_of("12", view(ROSTER, institution=council()))
    assert (v.verdict, v.note) == ("待补充", "待补充：述职评议评分表")


# ---- item 13 ------------------------------------------------------------------------------------------
def nomination(person, category="国家励志奖学金", row=2):
    return institution("nominations", row, name=person["name"], student_id=person["student_id"], category=category)


def scored():
    return [score(CHAIR, each=9, summary=48, report=48), score(HEAD, each=8, summary=45, report=45),
            score(DEPUTY, each=6, summary=30, report=30)]


def test_item13_nominating_the_best_passes():
    nominated = [nomination(CHAIR), nomination(CHAIR, "优秀学生干部", row=3), nomination(HEAD, "优秀学生干部", row=4)]
    v = verdict_of("13", view(ROSTER, scores=scored(), institution=nominated))
    assert v.verdict == "达标", v.evidence
    assert "王主席（国家励志奖学金）2020-2021学年第一学期评议结果 93.00" in [e["value"] for e in v.evidence]


def test_item13_nominee_below_a_non_nominated_peer_fails():
    v = verdict_of("13", view(ROSTER, scores=scored(), institution=[nomination(DEPUTY)]))
    assert v.verdict == "未达标" and codes(v) == ["nominee-below-peer"]
    assert "王主席" in v.evidence[0]["message"]


def test_item13_nominee_without_result_fails():
    v = verdict_of("13", view(ROSTER, scores=scored(), institution=[nomination(CLERK)]))
    assert v.verdict == "未达标" and codes(v) == ["nominee-without-result"]


def test_item13_pending_without_nominations_or_scores():
    assert verdict_of("13", view(ROSTER, scores=scored())).note == "待补充：评奖评优提名名单"
    assert verdict_of("13", view(ROSTER, institution=[nomination(CHAIR)])).note == "待补充：述职评议评分表"
