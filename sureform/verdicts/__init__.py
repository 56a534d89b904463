"""The fifteen verdicts of the filing form and the section 四 figures, computed from the master dataset.

`load_view` (or `build_view`) gathers what they read; `evaluate_items` decides every item of the
catalogue's edition; `disclosure_figures` gives the seven aggregates; `consolidate_verdicts` is the
consolidation hook doing both.
"""
from . import codes  # noqa: F401  (registers the issue types the verdicts raise)
from .disclosure import disclosure_figures
from .hook import consolidate_verdicts
from .registry import ITEMS, evaluate_item, evaluate_items
from .view import MasterView, build_view, load_view, roster_findings

__all__ = ["ITEMS", "MasterView", "build_view", "consolidate_verdicts", "disclosure_figures", "evaluate_item",
           "evaluate_items", "load_view", "roster_findings"]
