"""What the verdicts read: the current master's records of every kind, the open roster findings, the filing date.

`build_view` makes one from plain records (`sureform.rules.master` passes the current master's).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sureform.editions import Catalogue, load_catalogue
from sureform.issues import Issue
from sureform.intake.labels import label_key
from sureform.checks.roster import check_rosters, cross_unit_duplicates

@dataclass
class MasterView:
    roster: list[dict]
    candidates: list[dict]
    scores: list[dict]
    institution: dict[str, list[dict]]  # 机构信息 records grouped by `_table`
    findings: list[tuple[str | None, Issue]]  # open roster findings as of `as_of`
    as_of: date
    catalogue: Catalogue = field(default_factory=load_catalogue)
    # what the rules derive from the view more than once (people.staff): computed once, never compared or shown
    derived: dict = field(default_factory=dict, compare=False, repr=False)

    def table(self, name: str) -> list[dict]:
        return self.institution.get(name, [])

    @property
    def has_institution(self) -> bool:
        """Whether the league office's 机构信息 is in the master at all."""
        return any(self.institution.values())

    def basic(self, key: str) -> dict | None:
        """The 基本信息 record whose item is the catalogue's `institution_items[key]`, else None."""
        wanted = label_key(self.catalogue.raw.get("institution_items", {}).get(key, key))
        for rec in self.table("basic"):
            if label_key(rec.get("item")) == wanted:
                return rec
        for rec in self.table("basic"):  # a longer or shorter label for the same item
            got = label_key(rec.get("item"))
            if got and (wanted in got or got in wanted):
                return rec
        return None

    def basic_value(self, key: str):
        rec = self.basic(key)
        return None if rec is None else rec.get("value")


def group_institution(records: list[dict]) -> dict[str, list[dict]]:
    grouped: dict[str, list[dict]] = defaultdict(list)
    for rec in records:
        grouped[rec.get("_table") or "unknown"].append(rec)
    return dict(grouped)


def roster_findings(roster: list[dict], as_of: date, catalogue: Catalogue) -> list[tuple[str | None, Issue]]:
    """The open findings of the roster schema as of a date (what consolidation computes for the master)."""
    by_pos = check_rosters([(r.get("_file"), r) for r in roster], as_of, catalogue)
    dups = cross_unit_duplicates([(r.get("_unit"), r.get("_file"), r) for r in roster], [])
    return [(rec.get("_unit"), issue) for pos, rec in enumerate(roster)
            for issue in by_pos.get(pos, []) + dups.get(pos, []) if issue.severity != "error"]


def build_view(roster=(), candidates=(), scores=(), institution=(), *, as_of: date,
               catalogue: Catalogue | None = None, findings=None) -> MasterView:
    """A view from plain records; roster findings are computed with the roster schema unless given."""
    catalogue = catalogue or load_catalogue()
    roster = list(roster)
    if findings is None:
        findings = roster_findings(roster, as_of, catalogue)
    return MasterView(roster=roster, candidates=list(candidates), scores=list(scores),
                      institution=group_institution(list(institution)), findings=list(findings),
                      as_of=as_of, catalogue=catalogue)
