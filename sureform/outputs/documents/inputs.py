"""From the master dataset and the verdicts to the plain `DocumentInputs` the Word writers take.

Only aggregates and the league office's own facts cross this line: no 学号, rank or student name.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path

from sureform.model import (Consolidation, DocumentInputs, ItemVerdict, OrgChart, PartyMeeting, ResponsiblePerson,
                            UnitOrganisation)
from sureform.store import Store
from sureform.intake.values import parse_yes_no, to_date
from sureform.outputs.documents.publish import write_documents

SCHOOL_PLACEHOLDER = "（学校名称待补充）"


def _tables(records: list[dict]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for r in records:
        out.setdefault(r.get("_table", ""), []).append(r)
    return out


def _basic(tables: dict[str, list[dict]]) -> dict[str, object]:
    return {str(r.get("item")): r.get("value") for r in tables.get("basic", [])}


def _yes(value) -> bool | None:
    if isinstance(value, bool) or value is None:
        return value
    return parse_yes_no(value)[0]


def org_chart(roster: list[dict], departments: list[dict], catalogue) -> OrgChart:
    presidium_unit = catalogue.vocabulary["presidium_unit"]
    presidium_posts = set(catalogue.vocabulary["presidium_posts"])
    presidium = sum(1 for r in roster if r.get("department") == presidium_unit or r.get("post") in presidium_posts)
    counts = Counter(r.get("department") for r in roster
                     if r.get("department") and r.get("department") != presidium_unit and r.get("post") not in presidium_posts)
    order = [d.get("name") for d in departments if d.get("name")]
    order += sorted(d for d in counts if d not in order)
    return OrgChart(presidium=presidium, departments=[(d, counts.get(d, 0)) for d in order])


def party_guidance(school: str, plan: list[dict]) -> str:
    included = next((p for p in plan if _yes(p.get("included"))), None)
    if included is None:
        return ""
    document = f"（{included['document']}）" if included.get("document") else ""
    return (f"{school}党委把学生会组织建设纳入学校党建工作整体规划{document}，定期听取学生会组织工作汇报，"
            f"研究决定重大事项。")


def unit_organisations(store: Store, units: list[str], catalogue) -> list[UnitOrganisation]:
    """Each 二级 organisation with its kind (学生会/研究生会): the 组织名称 most rows of its roster (then of its
    二级组织信息 rows) give; 学生会 when none does."""
    org_types = list(catalogue.vocabulary.get("org_types", ["学生会", "研究生会"]))
    facts = [r for r in store.current_records("institution") if r.get("_table") == "unit_facts"]
    rosters = store.current_records("unit_roster")
    by_roster: dict = defaultdict(list)  # grouped once: linear in the unions
    for r in rosters:
        by_roster[r.get("_unit") or r.get("unit")].append(r.get("org"))
    by_facts: dict = defaultdict(list)
    for r in facts:
        by_facts[r.get("unit")].append(r.get("org"))
    out = []
    for unit in units:
        named = by_roster.get(unit) or by_facts.get(unit, [])
        counts = Counter(str(o).strip() for o in named if str(o or "").strip() in org_types)
        out.append(UnitOrganisation(unit, counts.most_common(1)[0][0] if counts else org_types[0]))
    return out


def build_document_inputs(store: Store, items: list[dict], disclosure: dict | None, catalogue,
                          consolidation: Consolidation | None = None) -> DocumentInputs:
    """The documents' inputs; `consolidation` brings the header fields and the 二级 organisations."""
    tables = _tables(store.current_records("institution"))
    basic = _basic(tables)
    school = str(basic.get("学校名称") or SCHOOL_PLACEHOLDER)
    org_type = str(basic.get("组织类型") or "学生会")
    documents = {r["role"]: Path(r["_stored"]) for r in _supplied_documents(store)}
    meetings = sorted(
        (PartyMeeting(d, str(r.get("title") or ""), str(r.get("content") or ""))
         for r in tables.get("party_reports", []) if (d := to_date(r.get("date")))),
        key=lambda m: m.date)
    responsible = [ResponsiblePerson(str(r.get("category") or ""), str(r.get("name") or ""), _yes(r.get("full_time")),
                                     str(r.get("remark") or ""))
                   for r in tables.get("responsible", []) if r.get("name")]
    return DocumentInputs(
        school_name=school,
        org_type=org_type if org_type in catalogue.vocabulary["org_types"] else "学生会",
        verdicts=[ItemVerdict.from_dict(i) for i in items],
        disclosure={k: str(v) for k, v in (disclosure or {}).items()},
        org_chart=org_chart(store.current_fields("roster", ("department", "post")), tables.get("departments", []),
                            catalogue),
        party_guidance=party_guidance(school, tables.get("party_plan", [])),
        party_meetings=meetings,
        responsible=responsible,
        charter_docx=documents.get("charter"),
        election_method_docx=documents.get("election_method"),
        evaluation_method_docx=documents.get("evaluation_method"),
        edition=catalogue.edition,
        header=dict(consolidation.header) if consolidation else {},
        units=unit_organisations(store, consolidation.units, catalogue) if consolidation else [],
        units_missing=list(consolidation.units_missing) if consolidation else [],
        unranked_freshmen=consolidation.unranked_freshmen if consolidation else 0,
    )


def _supplied_documents(store: Store) -> list[dict]:
    return [{"role": rec["role"], "_stored": stored} for rec, stored in store.supplied_documents()
            if stored and Path(stored).exists()]


def write_documents_for(store: Store, consolidation: Consolidation, catalogue, outbox: Path,
                        history_days: int = 30, inputs: DocumentInputs | None = None) -> dict[str, Path]:
    """Both Word documents into the outbox, once verdicts exist; {} before. `inputs`: already built from these."""
    if not consolidation.items:
        return {}
    inputs = inputs or build_document_inputs(store, consolidation.items, consolidation.disclosure, catalogue,
                                             consolidation)
    return write_documents(inputs, outbox, history_days=history_days)
