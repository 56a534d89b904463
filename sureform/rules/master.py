"""The master view as of the filing date: the open roster findings, every item's verdict, the section 四 figures.

`consolidate` re-checks the whole current master (the rules move with the date even when nothing new arrives);
each step is written out here, in order.
"""
from __future__ import annotations

from datetime import date

from sureform.editions import Catalogue
from sureform.model import Consolidation
from sureform.rules.figures import disclosure_figures
from sureform.rules.library import decide_items, tag_issues
from sureform.rules.view import build_view, roster_findings
from sureform.store import Store


def consolidate(store: Store, catalogue: Catalogue, as_of: date) -> Consolidation:
    roster = store.current_records("roster")
    found = roster_findings(roster, as_of, catalogue)
    findings = list(zip([unit for unit, _ in found], tag_issues([issue for _, issue in found], catalogue)))
    view = build_view(roster, store.current_records("candidate"), store.current_records("score"),
                      store.current_records("institution"), as_of=as_of, catalogue=catalogue, findings=findings)
    return Consolidation(master=store.counts(), findings=findings,
                         items=[v.to_dict() for v in decide_items(view)], disclosure=disclosure_figures(view))
