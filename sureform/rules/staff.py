"""The rule kind deciding an item by the roster findings (2020: items 4, 5, 6 — posts, political status, grades).

The roster schema has already checked each row as of the filing date (freshmen by academic year, graduate
students without rank); the item's parameters say which finding codes break it (`codes`, with `reason`) and
which only leave it undecided (`pending_codes`, with `pending_reason`).
"""
from __future__ import annotations

from sureform.editions import CatalogueItem
from sureform.rules.evidence import fact, issue_record
from sureform.rules.outcome import Outcome, pending
from sureform.rules.people import staff
from sureform.rules.view import MasterView


def no_roster_findings(view: MasterView, item: CatalogueItem):
    members = staff(view)
    if not members:
        return pending(item.id, "工作人员名单")
    breaking = set(item.params["codes"])
    unknown = set(item.params.get("pending_codes", []))
    out = Outcome(item.id)
    bad = [i for _, i in view.findings if i.code in breaking]
    gaps = [i for _, i in view.findings if i.code in unknown]
    if bad:
        out.breach([issue_record(i) for i in bad], item.params["reason"].format(n=len({(i.file, i.row) for i in bad})))
    if gaps:
        what = item.params.get("pending_reason", "{n}名工作人员的相关信息")
        out.lack(what.format(n=len({(i.file, i.row) for i in gaps})), [issue_record(i) for i in gaps])
    if not bad and not gaps:
        out.show(fact("已核对工作人员", len(members), "工作人员名单"))
    return out.result()
