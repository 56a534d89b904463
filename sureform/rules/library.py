"""The rule library: every kind of rule, keyed by what it checks, with its parameters and issue codes.

A rule kind is one function `decide(view, item) -> ItemVerdict` plus what it declares: the parameters an item
must (or may) give it, and the issue codes its verdicts can carry. An edition file (`schemas/editions/*.toml`)
composes rule kinds into numbered items: `rule = "staff-at-most"`, `params = { limit = 40, … }`. Item numbers
live only in edition files; nothing here knows them.

`RULE_KINDS` is the whole registry, an explicit table. `check_edition` refuses an edition that names an
unknown rule kind, leaves out a required parameter, gives one the kind does not take or of the wrong type, or
names an unknown issue code; `load_edition` loads and checks one. `decide_items` decides every item of an
edition; `tag_issues` sets each issue's `item` to the item whose rule can emit its code.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache
from typing import Any, Callable, Iterable

from sureform.editions import Catalogue, CatalogueItem, load_catalogue
from sureform.issues import ISSUE_TYPES, Issue
from sureform.model import VERDICT_FAIL, VERDICT_PASS, ItemVerdict
from sureform.rules import council, party, selection, staff, structure
from sureform.intake.labels import compact
from sureform.rules.evidence import fact_of
from sureform.rules.outcome import pending
from sureform.rules.view import MasterView

log = logging.getLogger("sureform")

Decide = Callable[[MasterView, CatalogueItem], ItemVerdict]


class EditionError(ValueError):
    """An edition file that cannot be used as it is; the message says which item and what is wrong."""


@dataclass(frozen=True)
class Param:
    name: str
    type: str  # "count" (int ≥ 0), "ratio" (0–1), "date" (YYYY-MM-DD), "codes" (issue codes), "text",
    #            "texts" (a list of words), "flag" (true/false)
    doc: str
    required: bool = True
    maximum: int | None = None  # a count's largest value a rule can use (None: MAX_COUNT)


@dataclass(frozen=True)
class RuleKind:
    name: str
    decide: Decide
    doc: str  # Chinese: what it checks, as `sureform rules` shows it
    params: tuple[Param, ...] = ()
    codes: tuple[str, ...] = ()  # issue codes its verdicts can carry (codes given as parameters come on top)

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)


COUNT_LIMIT = Param("limit", "count", "上限（含）")
MAX_COUNT = 100_000  # no count of people, units or days a rule compares with goes beyond this
MAX_MONTHS = 120

RULE_KINDS: dict[str, RuleKind] = {kind.name: kind for kind in (
    RuleKind("no-administrative-duties", structure.no_administrative_functions,
             "各部门职责不含宿舍管理、纠察、安保等行政职能（词表：vocabulary.administrative_keywords；校团委复核说明可免）",
             codes=("duty-administrative", "duty-reviewed")),
    RuleKind("presidium-and-departments-only", structure.presidium_and_departments_only,
             "“主席团+工作部门”：无“中心”“项目办公室”等层级，部门之下无层级，名单中的部门均已设置",
             codes=("department-level-forbidden", "department-sub-level", "department-not-declared")),
    RuleKind("staff-at-most", structure.staff_size, "工作人员人数不超过上限；学生人数较多或分校区较多的高校用较大的上限",
             (COUNT_LIMIT, Param("large_school_limit", "count", "学生人数较多、分校区较多的高校的上限（含）",
                                 required=False))),
    RuleKind("presidium-at-most", structure.presidium_size, "主席团成员人数不超过上限", (COUNT_LIMIT,)),
    RuleKind("departments-at-most", structure.department_count, "工作部门数不超过上限", (COUNT_LIMIT,)),
    RuleKind("no-roster-findings", staff.no_roster_findings,
             "工作人员名单的检查没有给出所列问题（职务、政治面貌、成绩等由名单检查逐行判定）",
             (Param("codes", "codes", "使本项不达标的问题代码"),
              Param("reason", "text", "不达标时备注的原因，{n} 为人数"),
              Param("pending_codes", "codes", "使本项待补充的问题代码", required=False),
              Param("pending_reason", "text", "待补充的内容，{n} 为人数", required=False),
              Param("related_codes", "codes", "与本项有关、但不决定结论的问题代码", required=False))),
    RuleKind("candidates-vetted", selection.candidates_vetted,
             "主席团候选人推荐、同意、公示、审查、确定的程序完整且有序，公示不少于规定的工作日；工作部门成员经推荐和审核",
             (Param("publicity_working_days", "count", "公示的最少工作日数", maximum=365),),
             ("candidate-form-missing", "candidate-step-missing", "candidate-step-refused",
              "candidate-steps-out-of-order", "candidate-step-during-publicity", "publicity-too-short",
              "publicity-objection", "workdays-uncertain", "recommendation-missing")),
    RuleKind("elected-by-congress", selection.elected_by_congress,
             "主席团由学生代表大会本身选举产生（非其委员会、常务委员会、常任代表会议等），且主席团经校党委确定后召开过学代会",
             (Param("bodies", "texts", "可以选举主席团的机构（默认：学生/研究生代表大会）", required=False),),
             ("presidium-not-elected-by-congress", "presidium-confirmed-after-congress")),
    RuleKind("congress-held-since", selection.congress_held, "自规定日期以来召开了学生（研究生）代表大会；备注写召开日期",
             (Param("since", "date", "最早的召开日期（含）"),), ("congress-too-old", "congress-missing")),
    RuleKind("congress-on-schedule", selection.congress_on_schedule,
             "按期规范召开：填报日期所在学年或之前规定学年数内召开了代表大会；备注写召开日期",
             (Param("academic_years", "count", "往前看的学年数（1 表示仅本学年）", maximum=20),), ("congress-too-old", "congress-missing")),
    RuleKind("all-staff-training", council.all_staff_training, "规定月数内开展了春季、秋季学生会组织工作人员全员培训",
             (Param("seasons", "texts", "须开展培训的季节（春季、秋季）"), Param("window_months", "count", "时限（月）", maximum=MAX_MONTHS)),
             ("training-missing",)),
    RuleKind("delegates-recommended-and-elected", selection.delegates_recommended_and_elected,
             "代表均经团支部推荐、院系选举；各系都有代表；代表人数不少于全校学生人数的规定比例",
             (Param("delegate_share", "ratio", "代表占全校学生人数的最低比例", required=False),),
             ("delegate-not-recommended", "delegate-not-elected", "delegates-too-few", "unit-without-delegate")),
    RuleKind("study-measures-recorded", council.study_measures, "有注明日期的学习贯彻全国学联大会精神的举措",
             codes=("study-measure-missing",)),
    RuleKind("council-and-reports", council.council_and_reports,
             "评议会中学生代表超过规定比例；主席团成员和部门负责人本学期均已述职",
             (Param("student_share", "ratio", "学生代表须超过的比例"),),
             ("council-students-not-majority", "report-missing", "review-date-outside-last-month")),
    RuleKind("nominations-follow-results", council.nominations_follow_results,
             "评奖评优提名依据述职评议结果择优，被提名人不低于未被提名者", codes=("nominee-without-result", "nominee-below-peer")),
    RuleKind("party-plan-and-hearings", party.party_plans_and_hears,
             "学生会组织建设纳入学校党建规划；党委在规定月数内听取过工作汇报",
             (Param("window_months", "count", "听取汇报的时限（月）", maximum=MAX_MONTHS),
              Param("plan", "flag", "是否同时要求纳入党建规划（默认是）", required=False)),
             ("party-plan-missing", "party-report-missing")),
    RuleKind("guide-and-secretary", party.league_guide_and_secretary, "明确专职团干指导学生会组织，并聘任秘书长",
             (Param("lead_category", "text", "指导责任人的类别（机构信息“指导责任人”中的写法）", required=False),
              Param("secretary_category", "text", "秘书长的类别", required=False),
              Param("lead_full_time", "flag", "指导责任人须为专职团干（默认是）", required=False)),
             ("responsible-missing", "responsible-not-full-time")),
)}


# what `sureform editions show` and `editions import` call each rule kind (its `doc` says how it decides)
RULE_LABELS: dict[str, str] = {
    "no-administrative-duties": "不承担行政职能",
    "presidium-and-departments-only": "“主席团+工作部门”，无其他常设层级",
    "staff-at-most": "工作人员人数不超过上限",
    "presidium-at-most": "主席团成员人数不超过上限",
    "departments-at-most": "工作部门数不超过上限",
    "no-roster-findings": "工作人员名单中没有所列问题",
    "candidates-vetted": "主席团候选人经推荐、同意、审查、公示后确定",
    "elected-by-congress": "主席团由学生代表大会选举产生",
    "congress-held-since": "规定日期以来召开了代表大会",
    "congress-on-schedule": "按期召开代表大会",
    "all-staff-training": "规定月数内开展了全员培训",
    "delegates-recommended-and-elected": "代表经团支部推荐、院系选举产生",
    "study-measures-recorded": "有学习贯彻全国学联大会精神的举措",
    "council-and-reports": "评议会学生代表过半，主席团和部门负责人已述职",
    "nominations-follow-results": "评奖评优提名依据述职评议结果",
    "party-plan-and-hearings": "纳入学校党建规划，党委听取工作汇报",
    "guide-and-secretary": "专职团干指导，聘任秘书长",
}


# ---- checking an edition ------------------------------------------------------------------------------
def check_edition(catalogue: Catalogue) -> None:
    """Raise EditionError unless every item's rule kind, parameters and issue codes are known and complete."""
    seen: set[tuple[str, str]] = set()
    for it in catalogue.items:
        where = f"备案表版本 {catalogue.edition} 的{it.table}表第 {it.id} 项" if it.table != "校级" else \
            f"备案表版本 {catalogue.edition} 的第 {it.id} 项"
        if (it.table, it.id) in seen:
            raise EditionError(f"{where}：项目编号重复")
        seen.add((it.table, it.id))
        if it.mark not in ("", "★", "▲"):
            raise EditionError(f"{where}：标记“{it.mark}”无效，只能是 ★、▲ 或空")
        if it.rule is None:
            continue  # decided by hand: 待补充 until the league office decides it
        kind = RULE_KINDS.get(it.rule)
        if kind is None:
            raise EditionError(f"{where}：未知的规则类型“{it.rule}”。可用的规则类型：{'、'.join(RULE_KINDS)}")
        for p in kind.params:
            if p.required and p.name not in it.params:
                raise EditionError(f"{where}：规则“{kind.name}”缺少参数 {p.name}（{p.doc}）")
        for name, value in it.params.items():
            p = kind.param(name)
            if p is None:
                known = "、".join(x.name for x in kind.params) or "无"
                raise EditionError(f"{where}：规则“{kind.name}”没有参数 {name}（它的参数：{known}）")
            problem = _type_problem(p, value)
            if problem:
                raise EditionError(f"{where}：参数 {name} 的值 {value!r} {problem}")
            problem = _range_problem(p, value)
            if problem:
                raise EditionError(f"{where}：{p.doc}为 {value}，{problem}")
    for key, value in (catalogue.limits or {}).items():
        problem = _limit_problem(key, value)
        if problem:
            raise EditionError(f"备案表版本 {catalogue.edition} 的限值 {key} = {value!r}：{problem}")


# the shared limits an edition may change, and the range a rule can use them in
LIMIT_RANGES = {"rank_ratio": (0.0, 1.0), "top_ratio": (0.0, 1.0), "academic_year_start_month": (1, 12)}


def _range_problem(p: Param, value: Any) -> str | None:
    """A count beyond what its rule can use (months ≤ 120, counts ≤ 100,000; a ratio is 0–1 by its type)."""
    if p.type != "count":
        return None
    top = p.maximum if p.maximum is not None else MAX_COUNT
    if value > top:
        return f"超出了规则可用的范围（最多 {top}）"
    if p.name == "academic_years" and value < 1:
        return "至少为 1"
    return None


def _limit_problem(key: str, value: Any) -> str | None:
    if key not in LIMIT_RANGES:
        return None
    low, high = LIMIT_RANGES[key]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        return f"应在 {low:g} 到 {high:g} 之间"
    return None


def _type_problem(p: Param, value: Any) -> str | None:
    if p.type == "count":
        return None if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else "应为非负整数"
    if p.type == "ratio":
        ok = isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value <= 1
        return None if ok else "应为 0 到 1 之间的小数"
    if p.type == "date":
        try:
            date.fromisoformat(str(value))
            return None
        except ValueError:
            return "应为日期，写成 2019-10-01"
    if p.type == "flag":
        return None if isinstance(value, bool) else "应为 true 或 false"
    if p.type == "texts":
        ok = isinstance(value, list) and value and all(isinstance(v, str) and v for v in value)
        return None if ok else "应为词语的列表"
    if p.type == "codes":
        if not isinstance(value, list) or not all(isinstance(c, str) for c in value):
            return "应为问题代码的列表"
        unknown = [c for c in value if c not in ISSUE_TYPES]
        return f"含未知的问题代码：{'、'.join(unknown)}" if unknown else None
    return None if isinstance(value, str) else "应为文字"


@lru_cache(maxsize=16)
def load_edition(edition: str) -> Catalogue:
    """The edition's catalogue, checked against the rule library (EditionError when it cannot be used)."""
    try:
        catalogue = load_catalogue(edition)
    except ValueError as exc:
        raise EditionError(str(exc)) from None
    check_edition(catalogue)
    return catalogue


# ---- deciding -------------------------------------------------------------------------------------------
def codes_of(kind: RuleKind, item: CatalogueItem) -> list[str]:
    """The issue codes an item's rule can emit: declared by its kind, plus those given as its parameters."""
    return [*kind.codes, *(c for p in kind.params if p.type == "codes" for c in item.params.get(p.name, []))]


def item_of_code(catalogue: Catalogue) -> dict[str, str]:
    """Issue code → the first item whose rule can emit it (declared by the kind or given as a parameter)."""
    out: dict[str, str] = {}
    for it in catalogue.items:
        kind = RULE_KINDS.get(it.rule or "")
        for code in codes_of(kind, it) if kind else ():
            out.setdefault(code, it.id)
    return out


def tag_issues(issues: Iterable[Issue], catalogue: Catalogue) -> list[Issue]:
    """Each issue with `item` set to the item of the edition that its code bears on (or None)."""
    items = item_of_code(catalogue)
    return [i if i.item == items.get(i.code) else replace(i, item=items.get(i.code)) for i in issues]


def decide_item(item: CatalogueItem, view: MasterView, items: dict[str, str] | None = None) -> ItemVerdict:
    """One item's verdict; evidence issues carry this item, or the item their code bears on (`items`: the
    edition's `item_of_code`, computed here when not given)."""
    kind = RULE_KINDS.get(item.rule or "")
    if kind is None:
        return labelled(decided_by_hand(item, view), item, view.catalogue)
    try:
        verdict = kind.decide(view, item)
    except Exception as exc:  # one item's bug must not take the others down
        log.exception("verdict of item %s (%s) failed", item.id, kind.name)
        verdict = pending(item.id, f"评估时出错（{type(exc).__name__}），请联系维护人员")
    own = set(codes_of(kind, item))
    items = item_of_code(view.catalogue) if items is None else items
    for ev in verdict.evidence:
        if ev.get("code") and ev.get("item") is None:
            ev["item"] = item.id if ev["code"] in own else items.get(ev["code"])
    return labelled(verdict, item, view.catalogue)


def labelled(verdict: ItemVerdict, item: CatalogueItem, catalogue: Catalogue, unit: str | None = None) -> ItemVerdict:
    """The verdict placed in its table, with the edition's mark, words and bindingness."""
    labels = dict(zip((VERDICT_PASS, VERDICT_FAIL), catalogue.verdict_labels))
    return replace(verdict, table=item.table, unit=unit, mark=item.mark, label=labels.get(verdict.verdict, verdict.verdict),
                   binding=not (item.mark == "▲" and not catalogue.observation_binding))


PASS_WORDS, FAIL_WORDS = ("是", "达标", "符合", "√", "✓"), ("否", "未达标", "不符合", "×", "✗")


def decided_by_hand(item: CatalogueItem, view: MasterView) -> ItemVerdict:
    """人工判定: an item no rule kind decides takes the league office's 结论 from the 自评补充 sheet (表 / 指标号 /
    结论 / 依据); 待补充 until it is there."""
    rows = [r for r in view.table("self_assessment")
            if str(r.get("item") or "").strip().rstrip(".、") == item.id
            and (r.get("table") or "校级").strip() in (item.table, f"{item.table}表", f"{item.table}学生会组织")]
    if not rows:
        return pending(item.id, f"本项须人工判定：请在机构信息“自评补充”表中填写{item.table}表第 {item.id} 项的结论和依据")
    row = rows[-1]
    answer = compact(row.get("verdict") or "")
    verdict = VERDICT_FAIL if any(w in answer for w in FAIL_WORDS) else \
        VERDICT_PASS if any(w in answer for w in PASS_WORDS) else None
    basis = str(row.get("basis") or "").strip()
    evidence = [fact_of(row, "verdict", "校团委人工判定", f"{row.get('verdict')}：{basis}" if basis else row.get("verdict"))]
    if verdict is None:
        return pending(item.id, f"自评补充表中第 {item.id} 项的结论“{row.get('verdict')}”无法识别，请填写 是 或 否", evidence)
    return ItemVerdict(item.id, verdict, None, basis, evidence)


def decide_items(view: MasterView, table: str = "校级", unit: str | None = None) -> list[ItemVerdict]:
    """Every item of one table of the view's edition (the school's by default), in the edition's order; `unit`
    names the 二级 organisation the view is of."""
    items = item_of_code(view.catalogue)
    return [replace(decide_item(it, view, items), unit=unit) for it in view.catalogue.items_of(table)]
