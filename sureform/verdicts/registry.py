"""The item functions by id, and evaluating them all in the catalogue's order."""
from __future__ import annotations

import importlib
import logging
from typing import Callable

from ..model import ItemVerdict
from .outcome import pending
from .view import MasterView

log = logging.getLogger("sureform")

ItemFunction = Callable[[MasterView], ItemVerdict]
ITEMS: dict[str, ItemFunction] = {}
MODULES = ("structure", "staff", "selection", "council", "party")


def item(item_id: str):
    """Register the function deciding one item of the form."""
    def register(fn: ItemFunction) -> ItemFunction:
        ITEMS[item_id] = fn
        return fn
    return register


def _load() -> None:
    for name in MODULES:
        importlib.import_module(f"{__package__}.{name}")


def evaluate_item(item_id: str, view: MasterView) -> ItemVerdict:
    _load()
    fn = ITEMS.get(item_id)
    if fn is None:
        return pending(item_id, "本版本备案表的该项尚无评估规则")
    try:
        return fn(view)
    except Exception as exc:  # one item's bug must not take the others down
        log.exception("verdict of item %s failed", item_id)
        return pending(item_id, f"评估时出错（{type(exc).__name__}），请联系维护人员")


def evaluate_items(view: MasterView) -> list[ItemVerdict]:
    """Every item of the view's edition, in catalogue order."""
    return [evaluate_item(it.id, view) for it in view.catalogue.items]
