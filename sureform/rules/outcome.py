"""Collecting one item's facts, breaches and gaps, and turning them into an ItemVerdict.

Any breach gives 未达标; else anything missing gives 待补充 (note `待补充：<what>`); else 达标.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sureform.model import VERDICT_FAIL, VERDICT_PASS, VERDICT_PENDING, ItemVerdict


@dataclass
class Outcome:
    item_id: str
    evidence: list[dict] = field(default_factory=list)
    breaches: int = 0
    reasons: list[str] = field(default_factory=list)  # short, for the 备注 of 未达标
    missing: list[str] = field(default_factory=list)  # what is needed to decide

    def breach(self, evidence: dict | list[dict], reason: str | None = None) -> None:
        self.breaches += 1
        self.evidence.extend(evidence if isinstance(evidence, list) else [evidence])
        if reason and reason not in self.reasons:
            self.reasons.append(reason)

    def lack(self, what: str, evidence: dict | list[dict] | None = None) -> None:
        if what not in self.missing:
            self.missing.append(what)
        if evidence:
            self.evidence.extend(evidence if isinstance(evidence, list) else [evidence])

    def show(self, evidence: dict | list[dict]) -> None:
        self.evidence.extend(evidence if isinstance(evidence, list) else [evidence])

    @property
    def verdict(self) -> str:
        if self.breaches:
            return VERDICT_FAIL
        return VERDICT_PENDING if self.missing else VERDICT_PASS

    def result(self, actual=None, note: str = "") -> ItemVerdict:
        """`note` is the 备注 of a decided verdict (e.g. `实有人 58`); breaches add their reasons."""
        verdict = self.verdict
        if verdict == VERDICT_PENDING:
            note = "待补充：" + "；".join(self.missing)
        elif verdict == VERDICT_FAIL and self.reasons:
            note = one_line([x for x in (note, *self.reasons) if x])
        return ItemVerdict(self.item_id, verdict, actual, note, self.evidence)


NOTE_LIMIT = 40  # characters of a 未达标 备注: about four lines of the form's narrow 备注 column


def one_line(reasons: list[str], limit: int = NOTE_LIMIT) -> str:
    """The 备注 of 未达标 in one short line, the reason alone (the documents are public: no pointer to a workbook
    their readers never get): the first reasons while they fit, then how many more there are (汇总.xlsx's
    评估依据 sheet lists every breach with its cell)."""
    shown: list[str] = []
    for reason in reasons:
        if shown and len("；".join([*shown, reason])) > limit:
            break
        shown.append(reason)
    text = "；".join(shown)
    if len(shown) < len(reasons):
        text += f"；另有{len(reasons) - len(shown)}处不符合要求"
    return text


def pending(item_id: str, what: str, evidence: list[dict] | None = None, actual=None) -> ItemVerdict:
    return ItemVerdict(item_id, VERDICT_PENDING, actual, f"待补充：{what}", list(evidence or []))
