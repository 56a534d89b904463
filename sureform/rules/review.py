"""Recomputing a college's declaration (the provincial review): is each tick borne out by the form's own papers?

Each item is judged by the rule its own text states — the same recognition as `sureform editions import`
(`sureform.rules.form_import.recognise`), so the limits are those printed on the form the college filled — or,
with an edition given (`--edition`), by that edition's item of the same table and number. Never a copy of a limit.

`consistent` is False when the papers' own numbers or dates contradict the tick, None when the tick rests on
something the papers leave open and a reviewer must verify (the large-school branch, the freshmen behind a
ratio, a date without a year, nothing ticked), True otherwise — an item no rule can contradict is True when
declared and uncontradicted. The outcome: 需整改 when a binding item is 否 (declared, or recomputed), 待核实
when nothing fails but something cannot be confirmed, 通过 otherwise; ▲ items never decide while the legend
says they are not binding; ★ failures come first. Every finding is an `Issue` with a registered code.

May import: the foundation, the intake's declaration reader and this package's rule recognition.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date

from sureform.editions import Catalogue, available_editions, load_catalogue
from sureform.intake.declarations import Declaration, DeclaredItem
from sureform.intake.form_tables import split_number
from sureform.issues import Issue, Location, make_issue
from sureform.rules.form_import import recognise

PASS, RECTIFY, VERIFY = "通过", "需整改", "待核实"
OUTCOMES = (PASS, RECTIFY, VERIFY)
NOT_BINDING = re.compile(r"暂不|不作硬性要求")
LARGE_SCHOOL = re.compile(r"学生人数较多|分校区较多|较多的高校|大规模")
COUNT_KINDS = {"staff-at-most": "人", "presidium-at-most": "人", "departments-at-most": "个"}
COUNT_WHAT = {"staff-at-most": "工作人员", "presidium-at-most": "主席团成员", "departments-at-most": "工作部门"}
EDITION_MATCH = 0.8  # share of the school table's texts equal to a built-in edition's to name it


@dataclass
class ReviewItem:
    table: str  # 校级 | 二级
    unit: str | None
    id: str
    mark: str
    text: str
    declared: str | None
    actual: int | None
    consistent: bool | None
    rule: str | None = None
    binding: bool = True
    fails: bool = False  # a binding 否: declared, or recomputed from the papers' own numbers
    reasons: list[str] = field(default_factory=list)
    where: str = ""  # the source cell (table, row)

    def to_dict(self) -> dict:
        return {"table": self.table, "unit": self.unit, "id": self.id, "mark": self.mark or None,
                "declared": self.declared, "actual": self.actual, "consistent": self.consistent,
                "reasons": list(self.reasons)}


@dataclass
class CollegeReview:
    name: str
    org: str | None
    edition: str
    units_declared: int | None
    units_found: int
    outcome: str
    files: list[str]
    items: list[ReviewItem]
    issues: list[Issue]
    reasons: list[str]  # the outcome's reasons, ★ failures first
    reviewed: str | None = None
    link: str = ""
    figures: dict = field(default_factory=dict)
    units: list[str] = field(default_factory=list)
    sha256: str = ""

    def to_dict(self) -> dict:
        return {"name": self.name, "org": self.org, "edition": self.edition, "units_declared": self.units_declared,
                "units_found": self.units_found, "outcome": self.outcome, "files": list(self.files),
                "reasons": list(self.reasons), "items": [i.to_dict() for i in self.items]}


# ---- which rule judges an item ----------------------------------------------------------------------------
def _compact(text: str) -> str:
    return re.sub(r"[\s　]+", "", text or "")


_EDITION_TEXTS: dict[str, set[str]] = {}


def edition_read(dec: Declaration) -> str:
    """The built-in edition whose school table the form's texts match, else 按表内条目识别."""
    texts = {_compact(t) for _, _, t in dec.school_texts}
    if not texts:
        return "按表内条目识别"
    best, share = None, 0.0
    for name in available_editions():
        if name not in _EDITION_TEXTS:
            _EDITION_TEXTS[name] = {_compact(split_number(it.text)[2]) for it in load_catalogue(name).items_of("校级")}
        known = _EDITION_TEXTS[name]
        s = len(texts & known) / len(texts)
        if s > share:
            best, share = name, s
    return best if best and share >= EDITION_MATCH else "按表内条目识别"


def rule_of(item: DeclaredItem, catalogue: Catalogue | None) -> tuple[str | None, dict]:
    """(rule kind, params) for the item: the edition's item when one is given, else the form's own text."""
    if catalogue is not None:
        try:
            it = catalogue.item(item.id, item.table)
        except KeyError:
            return None, {}
        return it.rule, dict(it.params)
    key = _compact(item.text)
    if key not in _RECOGNISED:  # 170 colleges fill the same few forms: each text is recognised once
        if len(_RECOGNISED) > 5000:
            _RECOGNISED.clear()
        _RECOGNISED[key] = recognise(item.text)
    found = _RECOGNISED[key]
    return (found[0], dict(found[1])) if found else (None, {})


_RECOGNISED: dict[str, tuple[str, dict] | None] = {}


# ---- recomputing one item ----------------------------------------------------------------------------------
def _cn(d: date | str) -> str:
    """2019-03-30 → 2019年3月30日, as a Chinese letter writes a date."""
    d = date.fromisoformat(d) if isinstance(d, str) else d
    return f"{d.year}年{d.month}月{d.day}日"


def _academic_year_start(d: date) -> date:
    return date(d.year if d.month >= 9 else d.year - 1, 9, 1)


class _Item:
    """One item being judged: collects its issues and reasons, and the worst finding decides `consistent`."""

    def __init__(self, dec: Declaration, di: DeclaredItem, rel: str):
        self.dec, self.di, self.rel = dec, di, rel
        self.consistent: bool | None = True
        self.fails = di.positive is False
        self.issues: list[Issue] = []

    def issue(self, code: str, column: str, value=None, contradicts: bool | None = True, **params) -> None:
        """An issue on the item; `contradicts` False: the papers contradict the tick, None: open, True: a hint."""
        loc = Location(file=self.rel, sheet=self.di.table_title or self.di.table, row=self.di.row, column=column)
        params.setdefault("item", self.di.id)
        params.setdefault("declared", self.di.declared or "")
        self.issues.append(replace(make_issue(code, loc, value, **params), item=self.di.id))
        if contradicts is False:
            self.consistent = False
        elif contradicts is None and self.consistent is not False:
            self.consistent = None


def _judge(dec: Declaration, di: DeclaredItem, rule: str | None, params: dict, as_of: date, rel: str) -> _Item:
    j = _Item(dec, di, rel)
    if di.ambiguous:
        j.issue("review-verdict-ambiguous", "结论", contradicts=None)
    elif di.declared is None:
        j.issue("review-verdict-missing", "结论", contradicts=None)
    yes = di.positive is True
    actual, unit_word = di.actual, di.actual_unit
    figures = dec.figures if di.table == "校级" else {}
    if rule in COUNT_KINDS:
        unit = COUNT_KINDS[rule]
        if rule == "staff-at-most" and figures.get("staff") is not None:
            if actual is None:
                actual = figures["staff"]
            elif figures["staff"] != actual:
                j.issue("review-staff-mismatch", "备注", actual, contradicts=None, staff=figures["staff"])
        di.actual = actual
        limit, large = params.get("limit"), params.get("large_school_limit")
        if rule == "departments-at-most" and unit_word == "人":
            j.issue("review-unit-slip", "备注", di.note.strip())
        if actual is None:
            if yes:
                j.issue("review-count-missing", "备注", what=COUNT_WHAT[rule], contradicts=None)
        elif limit is not None and yes and actual > limit:
            if large is not None and actual <= large:
                if LARGE_SCHOOL.search(di.note) or LARGE_SCHOOL.search(" ".join(_notes_of_school(dec))):
                    pass  # the form says the college is large: within the large-school limit
                else:
                    j.issue("review-large-school", "备注", actual, contradicts=None, limit=limit, large=large)
            else:
                j.issue("review-over-limit", "备注", actual, contradicts=False, unit=unit, what=COUNT_WHAT[rule],
                        limit=large if large is not None else limit)
                j.fails = True
        elif limit is not None and di.positive is False and actual <= limit:
            j.issue("review-no-but-within", "备注", actual, contradicts=False, unit=unit, what=COUNT_WHAT[rule],
                    limit=limit)
    elif rule in ("congress-held-since", "congress-on-schedule"):
        held = date.fromisoformat(di.held) if di.held else None
        if yes and held is None:
            if di.held_text:
                j.issue("review-date-no-year", "备注", di.held_text, contradicts=None)
            else:
                j.issue("review-date-missing", "备注", contradicts=None)
        elif yes and held is not None:
            if held > as_of:
                j.issue("review-date-future", "备注", _cn(held), contradicts=False, as_of=_cn(as_of))
                j.fails = True
            elif rule == "congress-held-since" and params.get("since") and held < date.fromisoformat(params["since"]):
                j.issue("review-date-before", "备注", _cn(held), contradicts=False, since=_cn(params["since"]))
                j.fails = True
            elif rule == "congress-on-schedule":
                years = int(params.get("academic_years", 2))
                start = _academic_year_start(as_of)
                earliest = date(start.year - (years - 1), 9, 1)
                if held < earliest:
                    j.issue("review-date-off-schedule", "备注", _cn(held), contradicts=False,
                            earliest=_cn(earliest), as_of=_cn(as_of))
                    j.fails = True
    elif rule == "no-roster-findings" and di.table == "校级" and yes:
        codes = set(params.get("codes", []))
        staff = figures.get("staff")
        if "political-status-not-allowed" in codes and staff is not None and (
                figures.get("league") is not None or figures.get("party") is not None):
            members = (figures.get("league") or 0) + (figures.get("party") or 0)
            if members < staff:
                j.issue("review-political-short", "结论", members, contradicts=False, staff=staff)
                j.fails = True
        if "rank-above-limit" in codes and figures.get("top30") is not None and figures["top30"] < 1:
            j.issue("review-ratio-below", "结论", f"{figures['top30'] * 100:.2f}%", contradicts=None)
    return j


# ---- one college -------------------------------------------------------------------------------------------
def _notes_of_school(dec: Declaration) -> list[str]:
    return [i.note for i in dec.items if i.table == "校级"]


def review_college(dec: Declaration, as_of: date, catalogue: Catalogue | None = None) -> CollegeReview:
    """The college's declaration recomputed item by item, its findings and its outcome."""
    rel = dec.files[0] if dec.files else dec.college
    issues: list[Issue] = []
    for file, reason in dec.problems:
        issues.append(make_issue("review-file-unreadable", Location(file=file), file, reason=reason))
    if not dec.items:
        reasons = [i.message for i in issues] or ["没有收到可以读取的自评表"]
        return CollegeReview(dec.college, dec.org, "—", dec.units_declared, 0, VERIFY, dec.files, [], issues, reasons,
                             dec.reviewed, dec.link, dec.figures, [], dec.sha256)
    binding_obs = not NOT_BINDING.search(dec.legend or "")
    if catalogue is not None:
        binding_obs = catalogue.observation_binding
    edition = catalogue.edition if catalogue is not None else edition_read(dec)
    items: list[ReviewItem] = []
    for w in dec.warnings:
        issues.append(make_issue("review-numbering", Location(file=rel), w))
    for di in dec.items:
        rule, params = rule_of(di, catalogue)
        j = _judge(dec, di, rule, params, as_of, rel)
        binding = not (di.mark == "▲" and not binding_obs)
        if not binding:
            j.issues.append(replace(make_issue("review-not-binding", Location(file=rel, sheet=di.table_title,
                                                                            row=di.row, column="结论"),
                                               item=di.id), item=di.id))
        if di.positive is False:
            j.issues.insert(0, replace(make_issue("review-declared-no", Location(
                file=rel, sheet=di.table_title, row=di.row, column="结论"), di.declared, item=di.id), item=di.id))
        item = ReviewItem(di.table, di.unit, di.id, di.mark, di.text, di.declared, di.actual, j.consistent, rule,
                          binding, j.fails and binding, [i.message for i in j.issues], di.where)
        items.append(item)
        issues += [_with_unit(i, di.unit) for i in j.issues]
    if catalogue is not None:  # items of the edition the form does not have
        have = {(i.table, i.id) for i in items}
        tables = {i.table for i in items}
        for it in catalogue.items:
            if it.table in tables and (it.table, it.id) not in have and it.table == "校级":
                iss = replace(make_issue("review-item-missing", Location(file=rel, sheet=it.table), it.id,
                                         item=it.id, edition=catalogue.edition), item=it.id)
                issues.append(iss)
                items.append(ReviewItem(it.table, None, it.id, it.mark, it.text, None, None, None, it.rule,
                                        True, False, [iss.message]))
    units_found = len(dec.units)
    college_pending = False
    folder = dec.files[0].split("/", 1)[0] if "/" in dec.files[0] else None
    if folder and dec.org_name and _compact(dec.org_name) != _compact(folder):
        issues.append(make_issue("review-org-mismatch", Location(file=rel), dec.org_name, folder=folder))
        college_pending = True
    if dec.units_declared is not None and units_found and units_found != dec.units_declared and not (
            units_found == 1 and dec.units[0].startswith("第")):
        issues.append(make_issue("review-units-mismatch", Location(file=rel), dec.units_declared, found=units_found))
        college_pending = True
    elif dec.units_declared and not units_found:
        issues.append(make_issue("review-units-mismatch", Location(file=rel), dec.units_declared, found=0))
        college_pending = True
    outcome, reasons = decide(items, issues, college_pending)
    return CollegeReview(dec.college, dec.org, edition, dec.units_declared, units_found, outcome, dec.files, items,
                         issues, reasons, dec.reviewed, dec.link, dec.figures, list(dec.units), dec.sha256)


def _with_unit(issue: Issue, unit: str | None) -> Issue:
    return issue if not unit else replace(issue, sheet=f"{issue.sheet}" if unit in (issue.sheet or "") else
                                          f"{issue.sheet}（{unit}）" if issue.sheet else unit)


def decide(items: list[ReviewItem], issues: list[Issue], college_pending: bool = False) -> tuple[str, list[str]]:
    """(outcome, reasons): ★ failures first, then other failures, then what must be verified."""
    failing = [i for i in items if i.binding and i.fails]
    failing.sort(key=lambda i: (i.mark != "★", i.table != "校级"))
    open_ = [i for i in items if i.binding and not i.fails and i.consistent is None]
    reasons = []
    for i in failing + open_:
        why = "".join(r for r in i.reasons if "观测指标" not in r) or f"第{i.id}项申报为“{i.declared}”。"
        reasons.append(f"{i.unit + '：' if i.unit else ''}{'★ ' if i.mark == '★' else ''}{why}")
    if college_pending:
        reasons += [x.message for x in issues if x.code in ("review-units-mismatch", "review-org-mismatch")]
    reasons += [x.message for x in issues if x.code == "review-file-unreadable"]
    if failing:
        return RECTIFY, reasons
    if open_ or college_pending:
        return VERIFY, reasons
    return PASS, reasons


# ---- the round -------------------------------------------------------------------------------------------
@dataclass
class ReviewRound:
    round: str
    as_of: date
    colleges: list[CollegeReview]

    def counts(self) -> dict[str, int]:
        return {o: sum(1 for c in self.colleges if c.outcome == o) for o in OUTCOMES}


def review_all(declarations: list[Declaration], as_of: date, catalogue: Catalogue | None = None,
               round_name: str | None = None) -> ReviewRound:
    colleges = sorted((_review_or_say(d, as_of, catalogue) for d in declarations), key=lambda c: c.name)
    return ReviewRound(round_name or round_of(as_of), as_of, colleges)


def _review_or_say(dec: Declaration, as_of: date, catalogue: Catalogue | None) -> CollegeReview:
    """One college's review; a declaration the rules cannot take costs only that college (待核实, said)."""
    try:
        return review_college(dec, as_of, catalogue)
    except Exception:
        issue = make_issue("review-file-unreadable", Location(file=dec.files[0] if dec.files else None),
                           dec.files[0] if dec.files else dec.college, reason="表格内容无法逐项复核，请人工核对")
        return CollegeReview(dec.college, dec.org, "—", dec.units_declared, len(dec.units), VERIFY, dec.files, [],
                             [issue], [issue.message], dec.reviewed, dec.link, dec.figures, list(dec.units), dec.sha256)


def round_of(as_of: date) -> str:
    """The academic year of the review: 2021-12-10 → 2021—2022学年."""
    start = _academic_year_start(as_of).year
    return f"{start}—{start + 1}学年"


# ---- the visit (实地复核) ------------------------------------------------------------------------------------
# the 台账/支撑材料 a visiting team asks for, by the rule kind that judges the item
EVIDENCE = {
    "staff-at-most": "校级学生会组织工作人员名单（含年级、职务、政治面貌）及聘任文件",
    "presidium-at-most": "主席团成员名单及学生代表大会选举结果",
    "departments-at-most": "机构设置文件及各工作部门职责",
    "no-administrative-duties": "各工作部门职责说明及近一学年工作台账",
    "presidium-and-departments-only": "组织架构图及机构设置文件",
    "no-roster-findings": "工作人员名单、团员（党员）证明及教务部门出具的成绩排名证明",
    "candidates-vetted": "主席团候选人推荐表、党组织意见、联合审查记录及公示材料",
    "delegates-recommended-and-elected": "代表推荐、选举材料及代表名单",
    "elected-by-congress": "学生代表大会选举办法、选举结果及计票记录",
    "congress-held-since": "学生代表大会通知、议程、代表名单、会议纪要及照片",
    "congress-on-schedule": "学生代表大会通知、议程、代表名单、会议纪要及照片",
    "all-staff-training": "春、秋季全员培训通知、签到表及照片",
    "study-measures-recorded": "学习贯彻全国学联大会精神的学习记录及举措材料",
    "council-and-reports": "评议会成员名单、每学期述职评议记录",
    "nominations-follow-results": "评奖评优、推荐免试等提名名单及评议结果",
    "party-plan-and-hearings": "学校党建工作规划及党组织听取汇报的会议纪要",
    "guide-and-secretary": "指导教师及秘书长的任命（聘任）文件",
}
EVIDENCE_OTHER = "与该项相关的工作台账和支撑材料"


def evidence_of(rule: str | None) -> str:
    return EVIDENCE.get(rule or "", EVIDENCE_OTHER)


@dataclass
class Visit:
    college: CollegeReview
    why: str  # 需整改 | 待核实 | 随机抽取


def select_visits(rnd: ReviewRound, share: float = 0.2, seed: int = 0) -> list[Visit]:
    """Every 需整改 and 待核实 college first, then a seeded random share of those that pass (reproducible)."""
    import random

    first = [Visit(c, c.outcome) for c in rnd.colleges if c.outcome == RECTIFY]
    first += [Visit(c, c.outcome) for c in rnd.colleges if c.outcome == VERIFY]
    rest = [c for c in rnd.colleges if c.outcome == PASS]
    k = min(len(rest), max(1 if share > 0 and rest else 0, round(share * len(rest))))
    drawn = random.Random(seed).sample(rest, k) if k else []
    drawn.sort(key=lambda c: c.name)
    return first + [Visit(c, "随机抽取") for c in drawn]


# ---- history: what changed since the college's last declaration --------------------------------------------
def history_items(c: CollegeReview) -> list[dict]:
    """What a round keeps of a college's items to compare the next declaration with."""
    out = []
    for i in c.items:
        what = COUNT_WHAT.get(i.rule or "")
        label = (f"{i.unit}" if i.unit else "") + (what or f"{'二级' if i.table == '二级' and not i.unit else ''}第{i.id}项")
        out.append({"key": f"{i.table}/{i.unit or ''}/{i.id}", "what": label, "declared": i.declared,
                    "actual": i.actual})
    return out


def changes_since(previous: tuple[str, str, list[dict]] | None, c: CollegeReview) -> list[str]:
    """`工作人员 38 → 51`, `第9项 未达标 → 达标`, `结论 需整改 → 通过`: the college's declaration against its last
    one (an earlier round, or the declaration this one supersedes)."""
    if previous is None:
        return []
    _, outcome, items = previous
    before = {x["key"]: x for x in items}
    out = []
    for x in history_items(c):
        old = before.get(x["key"])
        if old is None:
            continue
        if x["actual"] is not None and old.get("actual") is not None and old["actual"] != x["actual"]:
            out.append(f"{x['what']} {old['actual']} → {x['actual']}")
        elif old.get("declared") != x["declared"] and old.get("declared") and x["declared"]:
            out.append(f"{x['what']} {old['declared']} → {x['declared']}")
    if outcome != c.outcome:
        out.append(f"结论 {outcome} → {c.outcome}")
    return out
