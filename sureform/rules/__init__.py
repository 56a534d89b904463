"""The verdicts of the filing form and the section 四 figures, computed from the master dataset.

`library` holds the rule kinds (`RULE_KINDS`); an edition composes them into numbered items. `load_view` (or
`build_view`) gathers what they read; `decide_items` decides every item of the view's edition;
`disclosure_figures` gives the seven aggregates; `consolidate_verdicts` is the consolidation step doing both.
"""
from sureform.rules.figures import disclosure_figures
from sureform.rules.decide import consolidate_verdicts
from sureform.rules.library import RULE_KINDS, EditionError, decide_item, decide_items, load_edition, tag_issues
from sureform.rules.view import MasterView, build_view, load_view, roster_findings

__all__ = ["RULE_KINDS", "EditionError", "MasterView", "build_view", "consolidate_verdicts", "decide_item",
           "decide_items", "disclosure_figures", "load_edition", "load_view", "roster_findings", "tag_issues"]
