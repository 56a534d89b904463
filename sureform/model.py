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

    def to_dict(self) -> dict:
        return {"id": self.id, "verdict": self.verdict, "actual": self.actual, "note": self.note, "evidence": self.evidence}


@dataclass
class Consolidation:
    """The current master re-checked as of the filing date: what 汇总.xlsx and the documents show."""

    master: dict[str, int]  # records per kind
    findings: list  # (unit, Issue): open roster findings on the current master
    items: list[dict] = field(default_factory=list)  # ItemVerdict.to_dict() of every item, in edition order
    disclosure: dict | None = None  # the section 四 figures


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
