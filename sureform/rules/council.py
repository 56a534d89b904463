"""Rule kinds about studying the 全国学联 congress, the evaluation council and 述职, nominations by results
(2020: items 11, 12, 13)."""
from __future__ import annotations

from sureform.intake.labels import compact
from sureform.rules.scoring import score_results
from sureform.intake.semesters import semester_of
from sureform.intake.values import to_date
from sureform.rules.dates import months_before
from sureform.rules.evidence import fact, fact_of, finding, source
from sureform.rules.outcome import Outcome, pending
from sureform.rules.people import department_heads, describe, presidium, same_person, staff
from sureform.rules.semester_scores import latest_semester_scores, semester_scores
from sureform.editions import CatalogueItem
from sureform.rules.view import MasterView


def study_measures(view: MasterView, item: CatalogueItem):
    """At least one dated measure of studying the 全国学联 congress, on or before the filing date."""
    measures = view.table("study_measures")
    dated = [m for m in measures if (d := to_date(m.get("date"))) and d <= view.as_of and str(m.get("measure") or "").strip()]
    if not measures:
        return pending(item.id, "机构信息“学习贯彻举措”（学习贯彻全国学联二十七大精神的举措）")
    out = Outcome(item.id)
    if dated:
        out.show([fact_of(m, "measure", "学习贯彻举措", f"{to_date(m.get('date')).isoformat()} {m.get('measure')}")
                  for m in dated])
    else:
        out.breach(finding("study-measure-missing"), "未记录有日期的学习贯彻举措")
        out.show([fact_of(m, "measure", "未注明日期的举措") for m in measures])
    return out.result()


def council_and_reports(view: MasterView, item: CatalogueItem):
    """The 评议会 has students as more than `student_share` of its members; every presidium member and
    department head has a 述职 record in the semester of the filing date."""
    out = Outcome(item.id)
    _council(view, item.params["student_share"], out)
    _reports(view, out)
    return out.result()


def _council(view: MasterView, share: float, out: Outcome) -> None:
    members = view.table("council")
    if not members:
        out.lack("机构信息“评议会成员”")
        return
    student_words = view.catalogue.vocabulary["student_rater_categories"]
    students = [m for m in members if any(w in compact(m.get("category")) for w in student_words)]
    if len(students) <= share * len(members):
        out.breach(finding("council-students-not-majority", members[0], "category", "类别", len(members),
                           students=len(students)), "评议会学生代表未过半数")
    else:
        out.show(fact("评议会组成", f"共{len(members)}人，其中学生代表{len(students)}人", source(members[0], "category")))


def _reports(view: MasterView, out: Outcome) -> None:
    """Every presidium member and department head has a 述职 record in the semester of the filing date, or in the
    previous one while the current semester's last month has not begun (a November filing is judged on the
    spring 述职 unless the autumn one is already held)."""
    if not staff(view):
        out.lack("工作人员名单")
        return
    if not view.scores:
        out.lack("述职评议评分表")
        return
    semester = semester_of(view.as_of)
    current = semester_scores(view.scores, semester, view.as_of)
    if view.as_of < semester.last_month()[0]:  # the current semester's 述职 is not due yet: the previous one counts
        current += semester_scores(view.scores, semester.previous, view.as_of)
        semester_label = f"{semester.previous.label}或{semester.label}"
    else:
        semester_label = semester.label
    for member in presidium(view) + department_heads(view):
        rows = [s for s in current if same_person(s.get("person_id"), s.get("person_name"),
                                                  member.get("student_id"), member.get("name"))]
        if rows:
            out.show(fact("述职评议", describe(member), source(rows[0])))
        else:
            out.breach(finding("report-missing", member, "name", "姓名", member.get("name"),
                               name=member.get("name") or "", post=member.get("post") or "",
                               semester=semester_label), "有主席团成员或部门负责人本学期未述职")


def nominations_follow_results(view: MasterView, item: CatalogueItem):
    """Every nominee has an evaluation result, none below the best of those not nominated."""
    nominations = view.table("nominations")
    if not nominations:
        return pending(item.id, "评奖评优提名名单")
    recent = latest_semester_scores(view.scores, view.as_of)
    if not recent:
        return pending(item.id, "述职评议评分表")
    results = score_results(recent, view.catalogue)
    out = Outcome(item.id)
    for category in dict.fromkeys(n.get("category") or "" for n in nominations):
        nominees = [n for n in nominations if (n.get("category") or "") == category]
        _category(nominees, category, results, out)
    return out.result()


def _category(nominees: list[dict], category: str, results: list[dict], out: Outcome) -> None:
    """No nominee without a result, none below the best of the evaluated people not nominated."""
    def result_of(n):
        return next((r for r in results if same_person(n.get("student_id"), n.get("name"),
                                                       r["person_id"], r["person_name"])), None)

    mine = {id(n): result_of(n) for n in nominees}
    chosen = {id(r) for r in mine.values() if r is not None}
    best = max((r for r in results if id(r) not in chosen), key=lambda r: r["result"], default=None)
    for n in nominees:
        name, r = n.get("name") or n.get("student_id") or "", mine[id(n)]
        if r is None:
            out.breach(finding("nominee-without-result", n, "name", "姓名", n.get("name"), name=name,
                               category=category), "有被提名人没有评议结果")
        elif best is not None and r["result"] < best["result"]:
            out.breach(finding("nominee-below-peer", n, "name", "姓名", f"{r['result']:.2f}", name=name,
                               category=category, peer=best["person_name"] or best["person_id"] or "",
                               peer_result=f"{best['result']:.2f}"), "有被提名人的评议结果低于未被提名者")
        else:
            out.show(fact("提名依据", f"{name}（{category}）{r['semester']}评议结果 {r['result']:.2f}", source(n)))


SEASON_MONTHS = {"春季": (2, 3, 4, 5, 6, 7), "秋季": (8, 9, 10, 11, 12, 1)}


def all_staff_training(view: MasterView, item: CatalogueItem):
    """An all-staff training in each season named by `seasons` (春季: February–July, 秋季: August–January; or a
    record that says its season), within the last `window_months` months."""
    records = view.table("training")
    if not records and not view.has_institution:
        return pending(item.id, "学生会组织工作人员全员培训的记录")
    since = months_before(view.as_of, item.params["window_months"])
    out = Outcome(item.id)
    for season in item.params["seasons"]:
        months = SEASON_MONTHS.get(season, ())
        held = [r for r in records if (d := to_date(r.get("date"))) and since <= d <= view.as_of
                and (season in compact(r.get("season") or r.get("title") or "") or d.month in months)]
        if held:
            out.show(fact_of(held[-1], "date", f"{season}全员培训", to_date(held[-1].get("date")).isoformat()))
        else:
            out.breach(finding("training-missing", season=season, since=since.isoformat()), f"未开展{season}全员培训")
    return out.result()
