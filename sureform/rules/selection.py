"""Rule kinds about how the presidium and staff are chosen and the 学生代表大会 that elects them (2020: items 7–10)."""
from __future__ import annotations

import math
from datetime import date

from sureform.intake.labels import compact
from sureform.intake.values import STUDENTS_MAX, academic_year_start, chinese_date, parse_yes_no, to_date
from sureform.rules.chain import check_chain
from sureform.rules.evidence import fact, fact_of, finding, source
from sureform.rules.outcome import Outcome, pending
from sureform.rules.people import describe, presidium, same_person, staff
from sureform.editions import CatalogueItem
from sureform.rules.view import MasterView

RECOMMENDATION_FIELDS = (("recommender", "推荐团组织"), ("review_date", "审核日期"))


def candidate_form(view: MasterView, member: dict) -> dict | None:
    """The member's candidate form: by 学号, else by 姓名; the last received when there are several."""
    sid, name = member.get("student_id"), member.get("name")
    by_id = [f for f in view.candidates if sid and f.get("student_id") == sid]
    forms = by_id or [f for f in view.candidates if same_person(None, name, None, f.get("name"))]
    return forms[-1] if forms else None


def candidates_vetted(view: MasterView, item: CatalogueItem):
    """Every presidium member's candidate form shows the whole approval chain, in order, with a 公示 of at
    least `publicity_working_days` working days; every other member names who recommended them."""
    members = staff(view)
    if not members:
        return pending(item.id, "工作人员名单")
    out = Outcome(item.id)
    chosen = presidium(view)
    without_form = []
    for member in chosen:
        form = candidate_form(view, member)
        if form is None:
            without_form.append(member)
            continue
        check = check_chain(form, view, item.params["publicity_working_days"])
        out.show(fact("主席团候选人推荐表", describe(member), source(form)))
        out.show(check.notes)
        if check.breaches:
            out.breach(check.breaches, f"{member.get('name')}的推荐审核程序不完整或不合规")
    for member in without_form:
        ev = finding("candidate-form-missing", member, "name", "姓名", member.get("name"),
                     name=member.get("name") or "", post=member.get("post") or "")
        out.lack(("、".join(m.get("name") or "" for m in without_form)) + "的主席团候选人预备人选推荐表", ev)
    _recommendations(view, members, out)
    return out.result()


def _recommendations(view: MasterView, members: list[dict], out: Outcome) -> None:
    """Every staff member outside the presidium names the recommending league organisation and a review date."""
    posts = set(view.catalogue.vocabulary["presidium_posts"])
    known = [i for _, i in view.findings if i.code == "recommendation-missing"]
    covered = {(i.file, i.row) for i in known}
    lacking = [i.to_dict(with_file=True) for i in known]
    for rec in members:
        if rec.get("post") in posts or (rec.get("_file"), rec.get("_row")) in covered:
            continue
        missing = [(k, label) for k, label in RECOMMENDATION_FIELDS if rec.get(k) in (None, "")]
        if missing:
            lacking.append(finding("recommendation-missing", rec, missing[0][0], missing[0][1], None,
                                   missing="、".join(label for _, label in missing)))
    if lacking:
        out.breach(lacking, f"{len(lacking)}名工作部门成员未填推荐团组织或审核日期")


def _congress_date(rec: dict):
    return to_date(rec.get("date"))


def is_congress_itself(body, vocab, bodies: list[str] | None = None) -> bool:
    text = compact(body)
    bodies = bodies or vocab.get("congress_bodies") or [vocab["congress_body"]]
    return any(b in text for b in bodies) and not any(w in text for w in vocab["not_congress_bodies"])


def elected_by_congress(view: MasterView, item: CatalogueItem):
    """The presidium is elected by the congress itself, not by one of its committees, and by a congress held
    after it was chosen: a presidium member whose candidacy 校党委 confirmed (校党委确定, on the candidate form)
    after every recorded congress cannot have been elected by any of them (未达标, both dates in the 备注), as
    reform-rules.md's item 8 reads; the README's developer section states it too. A congress on the day of the
    confirmation counts as after it."""
    records = view.table("congress")
    if not records:
        return pending(item.id, "机构信息“学代会”记录（选举主席团的机构）")
    vocab = view.catalogue.vocabulary
    flags = [parse_yes_no(r.get("elects_presidium"))[0] for r in records]
    electing = [r for r, f in zip(records, flags) if f is True]
    out = Outcome(item.id)
    if not electing and all(f is False for f in flags):
        out.breach([finding("presidium-not-elected-by-congress", r, "elects_presidium", "是否选举主席团",
                            "学代会以外的机构") for r in records[-1:]], "主席团未由学代会选举产生")
        return out.result()
    electing = electing or records
    latest = max(electing, key=lambda r: (_congress_date(r) or to_date("0001-01-01")))
    body = latest.get("body")
    if body in (None, ""):
        out.lack("选举主席团的机构（学代会记录）")
    elif not is_congress_itself(body, vocab, item.params.get("bodies")):
        out.breach(finding("presidium-not-elected-by-congress", latest, "body", "选举机构", body), f"由“{body}”选举")
    else:
        out.show(fact_of(latest, "body", "选举主席团的机构"))
    _confirmed_after_congress(view, records, out)
    return out.result()


def _confirmed_after_congress(view: MasterView, congresses: list[dict], out: Outcome) -> None:
    """A breach when a current presidium member's 校党委确定 date is later than every congress held by the filing
    date. Without dated congresses or candidate forms there is nothing to compare (items 7 and 9 say what lacks)."""
    held = [(d, r) for r in congresses if (d := _congress_date(r)) is not None and d <= view.as_of]
    if not held:
        return
    last, congress = max(held, key=lambda x: x[0])
    late = []
    for member in presidium(view):
        form = candidate_form(view, member)
        confirmed = to_date(form.get("party_decision_date")) if form else None
        if confirmed is not None and confirmed > last:
            late.append((confirmed, member, form))
    if not late:
        return
    out.show(fact_of(congress, "date", "最近一次学代会召开日期", last.isoformat()))
    latest = max(c for c, _, _ in late)
    out.breach([finding("presidium-confirmed-after-congress", form, "party_decision_date", "校党委确定日期",
                        confirmed.isoformat(), name=member.get("name") or "", congress=last.isoformat())
                for confirmed, member, form in late],
               f"校党委确定主席团于{chinese_date(latest)}，最近一次学代会为{chinese_date(last)}")


def congress_held(view: MasterView, item: CatalogueItem):
    """A congress held on or after `since` (and not after the filing date); 备注 shows its date."""
    return _congress_since(view, item, to_date(item.params["since"]))


def congress_on_schedule(view: MasterView, item: CatalogueItem):
    """按期规范召开: a congress in the academic year of the filing date or the `academic_years` − 1 before it."""
    start = academic_year_start(view.as_of, view.catalogue.limits.get("academic_year_start_month", 9))
    first = date(start - (item.params["academic_years"] - 1), view.catalogue.limits.get("academic_year_start_month", 9), 1)
    return _congress_since(view, item, first)


def _congress_since(view: MasterView, item: CatalogueItem, since: date):
    records = view.table("congress")
    label = item.note or "{date}"
    empty = label.format(date="")
    if not records:
        if not view.has_institution:
            return pending(item.id, "机构信息（学代会记录）")
        out = Outcome(item.id)
        out.breach(finding("congress-missing"))
        return out.result(note=f"{empty}（机构信息中没有学代会记录）")
    dated = [(d, r) for r in records if (d := _congress_date(r)) is not None and d <= view.as_of]
    out = Outcome(item.id)
    if not dated:
        out.lack("学代会召开日期")
        return out.result()
    held = [(d, r) for d, r in dated if d >= since]
    if held:
        day, rec = max(held, key=lambda x: x[0])
        out.show(fact_of(rec, "date", "学代会召开日期", day.isoformat()))
        return out.result(actual=chinese_date(day), note=label.format(date=chinese_date(day)))
    day, rec = max(dated, key=lambda x: x[0])
    out.breach(finding("congress-too-old", rec, "date", "召开日期", day.isoformat(), since=since.isoformat()))
    return out.result(note=f"{label.format(date=chinese_date(day))}（{since.year}年{since.month}月以来未召开）")


def delegates_recommended_and_elected(view: MasterView, item: CatalogueItem):
    """Every delegate recommended by a 团支部 and elected by a 院系. Advice only (warnings, never 未达标): with
    `delegate_share`, at least that share of all students are delegates; every 系 sending a roster has one."""
    delegates = view.table("delegates")
    if not delegates:
        return pending(item.id, "学代会代表名单")
    out = Outcome(item.id)
    for rec in delegates:
        name = rec.get("name") or ""
        if rec.get("branch") in (None, ""):
            out.breach(finding("delegate-not-recommended", rec, "branch", "推荐团支部", None, name=name),
                       "有代表未经班级团支部推荐")
        if rec.get("electing_unit") in (None, ""):
            out.breach(finding("delegate-not-elected", rec, "electing_unit", "选举单位", None, name=name),
                       "有代表未经院系选举")
    _delegate_share(view, delegates, item.params.get("delegate_share"), out)
    _units_represented(view, delegates, out)
    out.show(fact("学代会代表人数", len(delegates), source(delegates[0])))
    return out.result()


def _delegate_share(view: MasterView, delegates: list[dict], share: float | None, out: Outcome) -> None:
    rec = view.basic("students")
    try:
        students = int(float(str(rec.get("value")).replace(",", ""))) if rec else None
    except (ValueError, OverflowError):  # a value stored before counts were bounded: not a number to use
        students = None
    if not students or not share or not 0 < students <= STUDENTS_MAX:
        return
    minimum = math.ceil(students * share)
    if len(delegates) < minimum:
        out.show(finding("delegates-too-few", rec, "value", "全校学生人数", len(delegates), students=students,
                         share=f"{share:.0%}", minimum=minimum))  # advice: never 未达标


def _units_represented(view: MasterView, delegates: list[dict], out: Outcome) -> None:
    """Every 系 known to the master (those sending rosters) has at least one delegate."""
    theirs = [compact(r.get("unit") or r.get("electing_unit") or "") for r in delegates]
    for unit in dict.fromkeys(r.get("_unit") for r in view.roster if r.get("_unit")):
        u = compact(unit)
        if not any(t and (u in t or t in u) for t in theirs):
            out.show(finding("unit-without-delegate", value=unit))  # advice: never 未达标
