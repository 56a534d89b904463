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


@dataclass
class KeptChecks:
    """The roster schema's issues per submission, each at its row's place in the file ((sheet, row): a row is
    one person), as checked before under the same date, edition and code (`known`), and those checked now
    (`fresh`, for the caller to keep): a master of thousands of rosters is checked again only where a submission
    is new."""

    known: dict[int, list[tuple[tuple, Issue]]] = field(default_factory=dict)
    fresh: dict[int, list[tuple[tuple, Issue]]] = field(default_factory=dict)


def row_key(rec: dict) -> tuple:
    """Where a roster record sits in its file: (sheet, row)."""
    return rec.get("_sheet"), rec.get("_row")


def roster_findings(roster: list[dict], as_of: date, catalogue: Catalogue,
                    kept: KeptChecks | None = None) -> list[tuple[str | None, Issue]]:
    """The open findings of the roster schema as of a date (what consolidation computes for the master). With
    `kept`, the rows of a submission checked before are not checked again (the cross-roster checks always are)."""
    by_pos = _checked(roster, as_of, catalogue, kept)
    dups = cross_unit_duplicates([(r.get("_unit"), r.get("_file"), r) for r in roster], [], detail=True)
    return [(rec.get("_unit"), issue) for pos, rec in enumerate(roster)
            for issue in by_pos.get(pos, []) + dups.get(pos, []) if issue.severity != "error"]


def _checked(roster: list[dict], as_of: date, catalogue: Catalogue, kept: KeptChecks | None) -> dict[int, list[Issue]]:
    """`check_rosters` over the roster, the submissions in `kept.known` taken from there (one schema call for
    the others, their issues added to `kept.fresh`). A submission whose rows do not each have a place of their
    own is always checked."""
    if kept is None or any(r.get("_submission") is None for r in roster):
        return check_rosters([(r.get("_file"), r) for r in roster], as_of, catalogue)
    places: dict[int, dict[tuple, int]] = defaultdict(dict)  # submission → (sheet, row) → position in `roster`
    unplaced: set[int] = set()
    for pos, rec in enumerate(roster):
        sid, key = rec["_submission"], row_key(rec)
        if key in places[sid]:
            unplaced.add(sid)
        places[sid][key] = pos
    reuse = {sid for sid in places if sid in kept.known and sid not in unplaced}
    todo = [pos for pos, rec in enumerate(roster) if rec["_submission"] not in reuse]
    out: dict[int, list[Issue]] = defaultdict(list)
    for i, issues in check_rosters([(roster[p].get("_file"), roster[p]) for p in todo], as_of, catalogue).items():
        out[todo[i]].extend(issues)
    for sid in reuse:
        for key, issue in kept.known[sid]:
            if (pos := places[sid].get(key)) is not None:
                out[pos].append(issue)
    for sid, where in places.items():
        if sid not in reuse and sid not in unplaced:
            kept.fresh.setdefault(sid, []).extend((key, issue) for key, pos in where.items() for issue in out.get(pos, []))
    return out


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
