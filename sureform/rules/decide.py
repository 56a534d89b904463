"""The consolidation hook: verdicts and section 四 figures for the current master as of the filing date."""
from __future__ import annotations

from sureform.rules.figures import disclosure_figures
from sureform.rules.library import decide_items
from sureform.rules.view import load_view


def consolidate_verdicts(store, opts, consolidation) -> None:
    view = load_view(store, opts, consolidation.findings)
    consolidation.items = [v.to_dict() for v in decide_items(view)]
    consolidation.disclosure = disclosure_figures(view)
