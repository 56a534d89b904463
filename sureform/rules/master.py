"""The master view as of the filing date: the open roster findings, every item's verdict, the section 四 figures.

`consolidate` re-checks the whole current master (the rules move with the date even when nothing new arrives),
step by step, in order: the school's roster findings and its table (校级); then, where the edition has a table
per 二级 organisation, each 院系 union decided on its own roster (院系学生会工作人员名单) and its own facts (the
二级组织信息 sheet); the header fields; section 四.
"""
from __future__ import annotations

from collections import defaultdict

from datetime import date

from sureform.editions import Catalogue
from sureform.intake.labels import compact
from sureform.model import Consolidation
from sureform.rules.figures import disclosure_figures, unranked_freshmen
from sureform.rules.library import decide_items, tag_issues
from sureform.rules.people import same_person
from sureform.rules.view import KeptChecks, MasterView, build_view, group_institution, roster_findings
from sureform.store import Store

# 二级组织信息 类别 → (the table the rule kinds read, how a fact becomes that table's record)
UNIT_FACT_KINDS = (
    (("培训",), "training", lambda r: {"date": r.get("date"), "season": r.get("category"), "title": r.get("name")},
     {"date": "date", "season": "category", "title": "name"}),
    (("代表大会", "全体学生大会", "全体研究生大会", "学代会", "研代会"), "congress",
     lambda r: {"date": r.get("date"), "body": r.get("detail") or r.get("category"), "elects_presidium": r.get("flag"),
                "session": r.get("name")},
     {"date": "date", "body": "detail", "elects_presidium": "flag", "session": "name"}),
    (("听取", "汇报"), "party_reports", lambda r: {"date": r.get("date"), "title": r.get("name") or r.get("category"),
                                              "content": r.get("detail")},
     {"date": "date", "title": "name", "content": "detail"}),
    (("部门",), "departments", lambda r: {"name": r.get("name"), "duties": r.get("detail"), "review_note": None},
     {"name": "name", "duties": "detail"}),
    (("秘书长",), "responsible", lambda r: {"category": "秘书长", "name": r.get("name"), "full_time": r.get("flag"),
                                        "remark": r.get("detail")},
     {"category": "category", "name": "name", "full_time": "flag"}),
    (("负责人", "指导"), "responsible", lambda r: {"category": "团组织负责人", "name": r.get("name"),
                                            "full_time": r.get("flag"), "remark": r.get("detail")},
     {"category": "category", "name": "name", "full_time": "flag"}),
    (("提名", "评优"), "nominations", lambda r: {"name": r.get("name"), "category": r.get("detail") or "评奖评优",
                                            "student_id": None},
     {"name": "name", "category": "detail"}),
)


def consolidate(store: Store, catalogue: Catalogue, as_of: date, stamp: str | None = None) -> Consolidation:
    """The master as of `as_of`. With `stamp` (the date, the edition and the code, as one string), each roster
    submission's schema issues are kept in the store and reused while the stamp holds."""
    kept = KeptChecks(store.roster_checks(stamp)) if stamp else None
    roster = store.current_records("roster")
    institution = store.current_records("institution")
    found = roster_findings(roster, as_of, catalogue, kept)
    findings = list(zip([unit for unit, _ in found], tag_issues([issue for _, issue in found], catalogue)))
    view = build_view(roster, store.current_records("candidate"), store.current_records("score"), institution,
                      as_of=as_of, catalogue=catalogue, findings=findings)
    items = [v.to_dict() for v in decide_items(view)]
    result = Consolidation(master=store.counts(), master_parts=store.institution_parts(), findings=findings,
                           items=items, disclosure=disclosure_figures(view),
                           unranked_freshmen=unranked_freshmen(view))
    per_unit = [t for t in catalogue.tables if t.per_unit]
    if per_unit:
        units = unit_views(store.current_records("unit_roster"), view, as_of, catalogue, kept)
        for table in per_unit:
            for unit, unit_view in units.items():
                result.items += [v.to_dict() for v in decide_items(unit_view, table.id, unit)]
        known = dict.fromkeys(r.get("_unit") for r in roster if r.get("_unit"))
        result.units = list(units)
        result.units_missing = [u for u in known if u not in units]
    if catalogue.header_fields:
        result.header = header_values(catalogue, view, len(result.units))
    if kept is not None:
        live = {sid for kind in ("roster", "unit_roster") for sid, _ in store.current_units(kind)}
        if kept.fresh or set(kept.known) - live:
            with store.transaction():
                store.keep_roster_checks(stamp, kept.fresh, live)
    return result


def unit_views(unit_roster: list[dict], school: MasterView, as_of: date, catalogue: Catalogue,
               kept: KeptChecks | None = None) -> dict[str, MasterView]:
    """Each 院系 union's own view: its roster, its facts mapped to the tables the rule kinds read, its
    self-assessment rows; never the school's roster (a student may serve in both)."""
    facts = school.table("unit_facts")
    assessed = school.table("self_assessment")
    units = list(dict.fromkeys([r.get("_unit") or r.get("unit") for r in unit_roster] + [r.get("unit") for r in facts]))
    rosters: dict = defaultdict(list)  # each union's rows, grouped once (not once for every union)
    for r in unit_roster:
        rosters[r.get("_unit") or r.get("unit")].append(r)
    fact_keys, assessed_keys = _unit_keys(facts), _unit_keys(assessed)
    views: dict[str, MasterView] = {}
    for unit in [u for u in units if u]:
        roster = rosters.get(unit, [])
        found = roster_findings(roster, as_of, catalogue, kept)
        findings = list(zip([u for u, _ in found], tag_issues([i for _, i in found], catalogue)))
        records = [rec for r in _rows_of(unit, facts, fact_keys) for rec in fact_records(r)]
        records += _rows_of(unit, assessed, assessed_keys)
        scores = [r for r in school.scores  # the score sheet's rows about this union's own people
                  if any(same_person(r.get("person_id"), r.get("person_name"), m.get("student_id"), m.get("name"))
                         for m in roster)]
        views[unit] = MasterView(roster=roster, candidates=[], scores=scores, institution=group_institution(records),
                                 findings=findings, as_of=as_of, catalogue=catalogue)
    return views


def _unit_keys(rows: list[dict]) -> dict[str, list[int]]:
    """The positions of `rows` by their 院系 as `same_unit` compares it (each name folded once)."""
    keys: dict[str, list[int]] = {}
    for i, r in enumerate(rows):
        if key := compact(r.get("unit") or ""):
            keys.setdefault(key, []).append(i)
    return keys


def _rows_of(unit: str, rows: list[dict], keys: dict[str, list[int]]) -> list[dict]:
    """The rows whose 院系 is `same_unit` as `unit`, in their order: compared once per distinct name."""
    u = compact(unit or "")
    if not u:
        return []
    hits = sorted(i for key, positions in keys.items() if key == u or key in u or u in key for i in positions)
    return [rows[i] for i in hits]


def same_unit(a, b) -> bool:
    a, b = compact(a or ""), compact(b or "")
    return bool(a and b and (a == b or a in b or b in a))


def fact_records(fact: dict) -> list[dict]:
    """One 二级组织信息 row as the record(s) of the table its 类别 names (cells kept for the evidence)."""
    category = compact(fact.get("category") or "")
    for words, table, make, cells in UNIT_FACT_KINDS:
        if any(w in category for w in words):
            rec = make(fact)
            rec.update({"_table": table, "_file": fact.get("_file"), "_sheet": fact.get("_sheet"),
                        "_row": fact.get("_row"), "_unit": fact.get("unit"),
                        "_cells": {k: (fact.get("_cells") or {}).get(src) for k, src in cells.items()}})
            return [rec]
    return []


def header_values(catalogue: Catalogue, view: MasterView, units: int) -> dict:
    """The form's header fields: 二级学生会组织数量 counted from the data, the others from 基本信息."""
    out: dict = {}
    for field in catalogue.header_fields:
        if field.key == "units":
            out[field.key] = units
        elif field.key == "reviewed":
            out[field.key] = view.basic_value("reviewed")
        elif field.key == "link":
            out[field.key] = view.basic_value("link")
    return out
