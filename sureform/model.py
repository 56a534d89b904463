"""Plain data passed between the verdict engine and the document writers (no pandas, no Prefect)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

VERDICT_PASS, VERDICT_FAIL, VERDICT_PENDING = "达标", "未达标", "待补充"


@dataclass
class ItemVerdict:
    id: str  # "1", "3a", … "15"
    verdict: str  # 达标 | 未达标 | 待补充
    actual: int | str | None = None  # the figure the form shows, e.g. 58
    note: str = ""  # 备注 as printed: "实有人 58", "召开日期为：2020年10月15日", "待补充：…", short reasons
    evidence: list[dict] = field(default_factory=list)  # issue records or {"fact": …, "value": …, "source": …}
    table: str = "校级"  # the edition's table: 校级, or 二级 (one per 院系 union)
    unit: str | None = None  # the 院系 of a 二级 item
    mark: str = ""  # ★ core, ▲ observation, or ""
    label: str = ""  # the verdict in the edition's words (是/否, 达标/未达标); 待补充 when undecided
    binding: bool = True  # False: a ▲ item the edition says is not yet binding: shown, never a failure

    @property
    def passed(self) -> bool | None:
        return {VERDICT_PASS: True, VERDICT_FAIL: False}.get(self.verdict)

    @property
    def failed(self) -> bool:
        """Counts as a failure of the filing (a ▲ item that is not binding never does)."""
        return self.passed is False and self.binding

    def to_dict(self) -> dict:
        return {"id": self.id, "verdict": self.label or self.verdict, "actual": self.actual, "note": self.note,
                "evidence": self.evidence, "table": self.table, "unit": self.unit, "mark": self.mark or None,
                "passed": self.passed, "binding": self.binding}

    @classmethod
    def from_dict(cls, d: dict) -> "ItemVerdict":
        verdict = {True: VERDICT_PASS, False: VERDICT_FAIL}.get(d.get("passed"), None)
        if verdict is None:
            verdict = d["verdict"] if d.get("verdict") in (VERDICT_PASS, VERDICT_FAIL) and "passed" not in d \
                else VERDICT_PENDING
        return cls(str(d["id"]), verdict, d.get("actual"), d.get("note") or "", list(d.get("evidence") or []),
                   d.get("table") or "校级", d.get("unit"), d.get("mark") or "", d.get("verdict") or "",
                   bool(d.get("binding", True)))


@dataclass
class Consolidation:
    """The current master re-checked as of the filing date: what 汇总.xlsx and the documents show."""

    master: dict[str, int]  # records per kind
    findings: list  # (unit, Issue): open roster findings on the current master
    items: list[dict] = field(default_factory=list)  # ItemVerdict.to_dict() of every item, in edition order
    disclosure: dict | None = None  # the section 四 figures
    units: list[str] = field(default_factory=list)  # the 二级 organisations decided (each 院系 union with data)
    units_missing: list[str] = field(default_factory=list)  # 院系 known to the master that sent no 二级 data
    header: dict = field(default_factory=dict)  # the edition's header fields: {"units": 3, "reviewed": …, "link": …}
    master_parts: dict[str, int] = field(default_factory=dict)  # 机构信息 records per table (`departments`: 6 …)
    unranked_freshmen: int = 0  # freshmen among the staff without a rank yet: counted in section 四's share


@dataclass
class PartyMeeting:
    date: date
    title: str
    content: str = ""


@dataclass
class ResponsiblePerson:
    category: str  # 分管学生会组织的校团委责任人 | 秘书长 | …
    name: str
    full_time: bool | None = None  # 是否为专职团干
    remark: str = ""


@dataclass
class OrgChart:
    presidium: int  # head count of 主席团
    departments: list[tuple[str, int]]  # (work department, head count) in declared order


@dataclass
class UnitOrganisation:
    """One 二级 organisation of the form: a 院系's own 学生会 or 研究生会."""

    unit: str  # the 院系, as the data names it
    org_type: str = "学生会"  # 学生会 | 研究生会 (the roster's 组织名称)


@dataclass
class DocumentInputs:
    """Everything the two Word documents show; aggregates only, never a per-student record."""

    school_name: str
    org_type: str  # 学生会 | 研究生会
    verdicts: list[ItemVerdict]
    disclosure: dict[str, str]  # the seven section 四 figures, Chinese keys, already formatted
    org_chart: OrgChart
    party_guidance: str = ""  # section 七 opening paragraph
    party_meetings: list[PartyMeeting] = field(default_factory=list)
    responsible: list[ResponsiblePerson] = field(default_factory=list)
    charter_docx: Path | None = None  # section 二
    election_method_docx: Path | None = None  # section 五
    evaluation_method_docx: Path | None = None  # section 六
    edition: str = "2020"
    header: dict = field(default_factory=dict)  # the edition's header fields: {"units": 2, "reviewed": …, "link": …}
    units: list[UnitOrganisation] = field(default_factory=list)  # the 二级 organisations, one (二) table each
    units_missing: list[str] = field(default_factory=list)  # 院系 that sent no 二级 data, listed under the tables
    unranked_freshmen: int = 0  # staff in their first year without a rank (noted under section 四's table)
