"""Rule kinds about the party committee's plan and hearings, the league office's guide and 秘书长
(2020: items 14, 15)."""
from __future__ import annotations

from sureform.intake.labels import compact
from sureform.intake.values import parse_yes_no, to_date
from sureform.rules.dates import months_before
from sureform.rules.evidence import fact_of, finding
from sureform.rules.outcome import Outcome, pending
from sureform.editions import CatalogueItem
from sureform.rules.view import MasterView


def party_plans_and_hears(view: MasterView, item: CatalogueItem):
    """The union is in the party committee's plan, and the committee heard its report within the last
    `window_months` months."""
    out = Outcome(item.id)
    if item.params.get("plan", True):
        _plan(view, out)
    since = months_before(view.as_of, item.params["window_months"])
    reports = view.table("party_reports")
    recent = [r for r in reports if (d := to_date(r.get("date"))) and since <= d <= view.as_of]
    if not reports:
        out.lack("机构信息“党委听取汇报”")
    elif recent:
        out.show([fact_of(r, "title", "党委听取汇报", f"{to_date(r.get('date')).isoformat()} {r.get('title') or ''}".strip())
                  for r in recent])
    else:
        out.breach(finding("party-report-missing", since=since.isoformat()), f"{since.isoformat()}以来党委未听取汇报")
    return out.result()


def _plan(view: MasterView, out: Outcome) -> None:
    plans = view.table("party_plan")
    answers = [(p, parse_yes_no(p.get("included"))[0]) for p in plans]
    yes = [p for p, a in answers if a is True or (a is None and str(p.get("document") or "").strip())]
    if yes:
        out.show(fact_of(yes[0], "document" if yes[0].get("document") else "included", "纳入党建规划"))
    elif not plans:
        out.lack("机构信息“党建规划”")
    elif any(a is False for _, a in answers):
        out.breach(finding("party-plan-missing"), "未纳入党建工作整体规划")
    else:
        out.lack("是否纳入学校党建工作整体规划")


def _of_category(records: list[dict], category: str) -> list[dict]:
    want = compact(category)
    return [r for r in records if (got := compact(r.get("category"))) and (want in got or got in want)
            and str(r.get("name") or "").strip()]


def league_guide_and_secretary(view: MasterView, item: CatalogueItem):
    """A full-time league officer guides the union, and a 秘书长 is appointed."""
    records = view.table("responsible")
    if not records:
        return pending(item.id, "机构信息“指导责任人”（校团委指导学生会主要责任人、秘书长）")
    vocab = view.catalogue.vocabulary
    out = Outcome(item.id)
    lead_category = item.params.get("lead_category", vocab["responsible_category"])
    secretary_category = item.params.get("secretary_category", vocab["secretary_category"])
    leads = _of_category(records, lead_category)
    if not leads:
        out.breach(finding("responsible-missing", category=lead_category), f"未明确{lead_category}")
    elif not item.params.get("lead_full_time", True):
        out.show(fact_of(leads[0], "name", lead_category))
    else:
        answers = [(r, parse_yes_no(r.get("full_time"))[0]) for r in leads]
        full = [r for r, a in answers if a is True]
        if full:
            out.show(fact_of(full[0], "name", lead_category))
        elif any(a is False for _, a in answers):
            r = next(r for r, a in answers if a is False)
            out.breach(finding("responsible-not-full-time", r, "full_time", "是否为专职团干", r.get("name"),
                               category=lead_category), f"{lead_category}不是专职团干")
        else:
            out.lack(f"{lead_category}是否为专职团干")
    secretaries = _of_category(records, secretary_category)
    if secretaries:
        out.show(fact_of(secretaries[0], "name", secretary_category))
    else:
        out.breach(finding("responsible-missing", category=secretary_category), f"未聘任{secretary_category}")
    return out.result()
