"""Items 4, 5, 6 from the roster findings: posts, political status, grades (freshmen by as_of)."""
from __future__ import annotations

from datetime import date

from test_verdicts_data import member, seed_roster, verdict_of, view


def test_seed_roster_passes_4_5_6():
    v = view(seed_roster())
    assert [verdict_of(i, v).verdict for i in ("4", "5", "6")] == ["达标", "达标", "达标"]


def test_item4_other_post_fails_with_the_cell():
    v = verdict_of("4", view([member(), member("李四", "2019010102", post="部长助理", row=3)]))
    assert v.verdict == "未达标"
    assert [(e["code"], e["cell"], e["value"]) for e in v.evidence] == [("post-not-allowed", "G3", "部长助理")]


def test_item4_executive_chair_is_allowed():
    assert verdict_of("4", view([member(post="执行主席", dept="主席团")])).verdict == "达标"


def test_item5_masses_fail_members_pass():
    assert verdict_of("5", view([member(political="中共预备党员")])).verdict == "达标"
    v = verdict_of("5", view([member(political="群众")]))
    assert v.verdict == "未达标" and v.evidence[0]["code"] == "political-status-not-allowed"
    assert v.evidence[0]["cell"] == "E2"


def test_items_4_5_6_pending_without_roster():
    assert {verdict_of(i, view()).verdict for i in ("4", "5", "6")} == {"待补充"}


def test_item6_30_percent_itself_passes_just_above_fails():
    assert verdict_of("6", view([member(rank_ratio=0.30)])).verdict == "达标"
    assert verdict_of("6", view([member(rank_ratio=9 / 30)])).verdict == "达标"
    v = verdict_of("6", view([member(rank_ratio=0.3001)]))
    assert v.verdict == "未达标" and v.evidence[0]["code"] == "rank-above-limit"


def test_item6_failed_course_fails_even_for_freshmen_and_graduates():
    for rec in (member(failed=1), member(year=2020, rank_ratio=None, failed=2), member(level="硕士研究生", failed=1)):
        v = verdict_of("6", view([rec]))
        assert v.verdict == "未达标" and v.evidence[0]["code"] == "failed-course"


def test_item6_graduate_students_need_no_rank():
    assert verdict_of("6", view([member(level="硕士研究生", rank_ratio=0.8)])).verdict == "达标"


def test_item6_freshman_exemption_moves_with_as_of():
    freshman_2020 = member(year=2020, rank_ratio=0.5)
    assert verdict_of("6", view([freshman_2020], as_of=date(2020, 11, 24))).verdict == "达标"
    # before 1 September 2020 the 2020 intake is not a freshman class yet; after 1 September 2021 it is not any more
    assert verdict_of("6", view([freshman_2020], as_of=date(2021, 9, 1))).verdict == "未达标"
    assert verdict_of("6", view([freshman_2020], as_of=date(2021, 8, 31))).verdict == "达标"


def test_item6_missing_rank_of_a_non_freshman_is_pending():
    v = verdict_of("6", view([member(rank_ratio=None)]))
    assert v.verdict == "待补充" and v.note == "待补充：1名非新生工作人员的成绩排名"
    assert v.evidence[0]["code"] == "rank-missing"


def test_item6_a_breach_outweighs_a_gap():
    v = verdict_of("6", view([member(rank_ratio=None), member("李四", "2019010102", rank_ratio=0.5, row=3)]))
    assert v.verdict == "未达标"
    assert {e["code"] for e in v.evidence} == {"rank-missing", "rank-above-limit"}


def test_item6_discipline_alone_does_not_break_it():
    assert verdict_of("6", view([member(discipline="警告处分")])).verdict == "达标"
