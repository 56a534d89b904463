"""Section 四: the seven aggregates over all staff."""
from __future__ import annotations

from datetime import date

from test_verdicts_data import member, seed_roster, view

from sureform.outputs.documents.wording import STAFF_COLUMNS
from sureform.rules.figures import disclosure_figures


def test_seed_figures():
    figures = disclosure_figures(view(seed_roster()))
    assert tuple(figures) == STAFF_COLUMNS
    assert list(figures.values()) == [58, 58, 58, 8, "91.38%", "否", "否"]


def test_30_percent_boundary_and_freshmen_count_as_not_in_the_top():
    roster = [member("甲", "2019000001", rank_ratio=0.30), member("乙", "2019000002", rank_ratio=0.3001, row=3),
              member("丙", "2020000003", year=2020, rank_ratio=None, row=4)]
    figures = disclosure_figures(view(roster))
    assert figures["最近1学年综合排名进入专业前30%的比例"] == "33.33%"
    assert figures["工作人员人数"] == 3


def test_5_percent_boundary_and_other_counts():
    roster = [member("甲", "2019000001", rank_ratio=0.05, political="中共预备党员", activist=False),
              member("乙", "2019000002", rank_ratio=0.0501, failed=1, discipline="警告", row=3)]
    figures = disclosure_figures(view(roster))
    assert figures["最近1学年综合排名进入专业前5%人数"] == 1
    assert figures["共青团员人数"] == 1 and figures["入党积极分子"] == 1
    assert figures["是否存在课业不及格情况"] == "是" and figures["是否存在违纪行为"] == "是"
    assert figures["最近1学年综合排名进入专业前30%的比例"] == "100.00%"


def test_two_decimals_round_half_up():
    roster = [member(f"人{i}", f"20190000{i:02d}", rank_ratio=0.1 if i < 2 else 0.9, row=i + 2) for i in range(8)]
    assert disclosure_figures(view(roster))["最近1学年综合排名进入专业前30%的比例"] == "25.00%"
    roster = [member(f"人{i}", f"20190000{i:02d}", rank_ratio=0.1 if i < 1 else 0.9, row=i + 2) for i in range(8)]
    assert disclosure_figures(view(roster))["最近1学年综合排名进入专业前30%的比例"] == "12.50%"


def test_no_roster_gives_no_figures():
    assert set(disclosure_figures(view()).values()) == {None}


def test_figures_do_not_depend_on_as_of_but_count_each_person_once():
    twice = [member(), member(unit="机电工程系", row=9)]
    assert disclosure_figures(view(twice, as_of=date(2030, 1, 1)))["工作人员人数"] == 1
