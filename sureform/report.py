"""The report of one run: what happened to each file, the master's counts, the verdicts and the outputs.

A `RunReport` renders itself to JSON (`to_dict`, `to_json`: what `sureform run --json` prints and what the
flows' summaries read) and to the terminal (`print`).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from typing import Iterable

from sureform.intake.inbox import SkippedFile
from sureform.intake.kinds import kind_label
from sureform.intake.readers.base import FileRead
from sureform.issues import Issue
from sureform.model import Consolidation

STILL_CHANGING = "文件在处理过程中有变化，稍后再处理"


@dataclass
class FileOutcome:
    """One inbox file: accepted, rejected, duplicate, or skipped (left in the inbox, with the reason)."""
    path: str
    status: str
    kind: str | None = None
    unit: str | None = None
    rows: int = 0
    issues: list[Issue] = field(default_factory=list)
    reason: str | None = None  # why a skipped file waits
    parts: dict[str, int] = field(default_factory=dict)  # 机构信息: records per table (`departments`: 6 …)

    def to_dict(self) -> dict:
        d = {"path": self.path, "status": self.status, "kind": self.kind, "unit": self.unit, "rows": self.rows,
             "issues": [i.to_dict() for i in self.issues]}
        if (label := kind_label(self.kind)) is not None:
            d["kind_label"] = label  # what the file was read as, in the league office's words
        if self.reason is not None:
            d["reason"] = self.reason
        if self.parts:
            d["parts"] = self.parts
        return d


@dataclass
class RunReport:
    as_of: date
    files: list[FileOutcome] = field(default_factory=list)
    master: dict[str, int] = field(default_factory=dict)
    items: list[dict] = field(default_factory=list)
    disclosure: dict | None = None
    outputs: dict = field(default_factory=dict)
    open_findings: int = 0  # findings open on the whole master (listed in 汇总.xlsx; the nightly summary counts them)
    header: dict = field(default_factory=dict)  # the edition's header fields (2021 on)
    units_missing: list[str] = field(default_factory=list)  # 院系 that sent no 二级 data (editions with a 二级 table)
    master_parts: dict[str, int] = field(default_factory=dict)  # the master's 机构信息 records per table
    edition: dict = field(default_factory=dict)  # the edition's name, title, table titles and what it lacks
    warnings: list[str] = field(default_factory=list)  # said before the run and at its end (an incomplete edition)
    documents_waiting: list[str] = field(default_factory=list)  # files still arriving: documents not rewritten

    @classmethod
    def from_run(cls, as_of: date, reads: Iterable[FileRead], skipped: Iterable[SkippedFile],
                 consolidation: Consolidation | None, outputs: dict) -> "RunReport":
        reads = list(reads)
        files = [FileOutcome(fr.rel, fr.status, fr.kind, fr.unit, fr.row_count, list(fr.issues),
                             parts=fr.parts if fr.kind == "institution" else {})
                 for fr in reads if fr.status != "arriving"]
        files += [FileOutcome(fr.rel, "skipped", None, fr.unit, 0, [],
                              fr.issues[0].message if fr.issues else STILL_CHANGING)
                  for fr in reads if fr.status == "arriving"]
        files += [FileOutcome(s.rel, "skipped", reason=s.reason) for s in skipped]
        c = consolidation or Consolidation(master={}, findings=[])
        return cls(as_of, files, c.master, c.items, c.disclosure, outputs, len(c.findings), c.header, c.units_missing,
                   c.master_parts)

    def to_dict(self) -> dict:
        d = {"as_of": self.as_of.isoformat(), "files": [f.to_dict() for f in self.files], "master": self.master,
             "items": self.items, "outputs": self.outputs}
        if self.disclosure is not None:
            d["disclosure"] = self.disclosure
        if self.header:
            d["header"] = self.header
        if self.units_missing:
            d["units_missing"] = self.units_missing
        if self.master_parts:
            d["master_parts"] = self.master_parts
        if self.edition:
            d["edition"] = self.edition
        if self.warnings:
            d["warnings"] = self.warnings
        if self.documents_waiting:
            d["documents_waiting"] = self.documents_waiting
        return d

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2, default=str)

    def print(self, console=None) -> None:
        from sureform.outputs.terminal import print_report  # rich: not needed by a run that prints JSON

        print_report(self.to_dict(), console)
