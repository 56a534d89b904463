"""Items 4, 5, 6: posts, political status and grades of every staff member, from the roster findings.

The roster schema has already checked each row as of the filing date (freshmen by academic year,
graduate students without rank); the catalogue says which finding codes break which item.
"""
from __future__ import annotations

from .evidence import fact, issue_record
from .outcome import Outcome, pending
from .people import staff
from .registry import item
from .view import MasterView

REASONS = {"4": "{n}人的职务不在允许范围内", "5": "{n}人的政治面貌不符合要求", "6": "{n}人的学习成绩不符合要求"}
PENDING = {"6": "{n}名非新生工作人员的成绩排名"}


def roster_item(view: MasterView, item_id: str):
    members = staff(view)
    if not members:
        return pending(item_id, "工作人员名单")
    raw = view.catalogue.raw
    breaking = set(raw.get("roster_finding_codes", {}).get(item_id, []))
    unknown = set(raw.get("roster_pending_codes", {}).get(item_id, []))
    out = Outcome(item_id)
    bad = [i for _, i in view.findings if i.code in breaking]
    gaps = [i for _, i in view.findings if i.code in unknown]
    if bad:
        out.breach([issue_record(i) for i in bad], REASONS[item_id].format(n=len({(i.file, i.row) for i in bad})))
    if gaps:
        out.lack(PENDING[item_id].format(n=len({(i.file, i.row) for i in gaps})), [issue_record(i) for i in gaps])
    if not bad and not gaps:
        out.show(fact("已核对工作人员", len(members), "工作人员名单"))
    return out.result()


@item("4")
def posts_allowed(view: MasterView):
    return roster_item(view, "4")


@item("5")
def political_status_allowed(view: MasterView):
    return roster_item(view, "5")


@item("6")
def grades_within_limit(view: MasterView):
    return roster_item(view, "6")
