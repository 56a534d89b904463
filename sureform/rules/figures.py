"""Section 四 of the disclosure: seven aggregates over all staff, never a per-student value."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from sureform.intake.values import academic_year_start
from sureform.rules.people import staff
from sureform.rules.view import MasterView

STAFF = "工作人员人数"
LEAGUE = "共青团员人数"
ACTIVISTS = "入党积极分子"
TOP_FEW = "最近1学年综合排名进入专业前5%人数"
TOP_SHARE = "最近1学年综合排名进入专业前30%的比例"
FAILED = "是否存在课业不及格情况"
DISCIPLINE = "是否存在违纪行为"
KEYS = (STAFF, LEAGUE, ACTIVISTS, TOP_FEW, TOP_SHARE, FAILED, DISCIPLINE)
EPSILON = 1e-9  # a ratio equal to the limit is within it


def percent(part: int, whole: int) -> str:
    """`53/58` → `91.38%` (two decimals, half up)."""
    value = (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return f"{value}%"


def within(ratio, limit: float) -> bool:
    return ratio is not None and float(ratio) <= limit + EPSILON


def disclosure_figures(view: MasterView) -> dict:
    """The seven figures; counts as ints, the percentage and 是/否 as strings; all None without a roster.

    The 30% share is over all staff: freshmen without a rank count as not in the top 30%.
    """
    members = staff(view)
    if not members:
        return dict.fromkeys(KEYS)
    limits, vocab = view.catalogue.limits, view.catalogue.vocabulary
    league = set(vocab.get("league_member_statuses", ["共青团员"]))
    top30 = sum(within(r.get("rank_ratio"), limits["rank_ratio"]) for r in members)
    return {
        STAFF: len(members),
        LEAGUE: sum(r.get("political") in league for r in members),
        ACTIVISTS: sum(r.get("activist") is True for r in members),
        TOP_FEW: sum(within(r.get("rank_ratio"), limits["top_ratio"]) for r in members),
        TOP_SHARE: percent(top30, len(members)),
        FAILED: "是" if any((r.get("failed_courses") or 0) > 0 for r in members) else "否",
        DISCIPLINE: "是" if any(r.get("discipline") for r in members) else "否",
    }


def unranked_freshmen(view: MasterView) -> int:
    """Staff in their first academic year (as of the filing date) without a rank: in the 30% share's denominator,
    never in its numerator; the disclosure says how many."""
    first_year = academic_year_start(view.as_of, view.catalogue.limits.get("academic_year_start_month", 9))
    return sum(1 for r in staff(view) if r.get("year") == first_year and r.get("rank_ratio") is None)
