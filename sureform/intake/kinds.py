"""The kinds of input, recognised from their content (sheet names, header words, form labels).

A kind is data: how to recognise it, how to read it, what a new submission of it supersedes.
Detectors are tried in order; the first that recognises a file decides its kind.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from sureform.editions import Catalogue
from sureform.intake.grid import Grid
from sureform.issues import Issue
from sureform.intake.readers import candidate, institution, roster, score

Reader = Callable[[list[Grid], str, Catalogue], tuple[list[dict], list[Issue]]]


@dataclass(frozen=True)
class Kind:
    name: str  # stable identifier used in JSON and the master store
    label: str  # what the league office calls it
    detect: Callable[[list[Grid]], bool]
    read: Reader
    supersede_key: Callable[[str | None, list[dict]], str]  # (unit, records) -> key
    needs_unit: bool = True  # each 系 sends its own; else the league office's single file


# supplied Word documents are read by sureform.intake.supplied, never detected from grids
DOCUMENT_KIND = Kind("document", "学校制度文件", lambda grids: False, lambda grids, rel, cat: ([], []),
                     lambda unit, records: f"document:{records[0]['role']}", needs_unit=False)

# Every kind of input, in the order their detectors are tried: the whole registry, in one table.
KINDS: tuple[Kind, ...] = (
    # before roster: a score sheet's or a candidate form's 姓名/学号/职务/政治面貌 would match its detector
    Kind("institution", "机构信息", institution.looks_like_institution, institution.read_institution,
         institution.supersede_key, needs_unit=False),
    Kind("score", "述职评议评分表", score.looks_like_score, score.read_scores, score.supersede_key, needs_unit=False),
    Kind("candidate", "主席团候选人预备人选推荐表", candidate.looks_like_candidate, candidate.read_candidates,
         candidate.supersede_key),
    # before roster: a 院系 union's roster is a roster whose 组织名称 column names a 院系 union
    Kind("unit_roster", "院系学生会工作人员名单", roster.looks_like_unit_roster, roster.read_roster,
         lambda unit, records: f"unit_roster:{unit}"),
    Kind("roster", "校级学生会工作人员名单", roster.looks_like_roster, roster.read_roster,
         lambda unit, records: f"roster:{unit}"),
    DOCUMENT_KIND,
)


def kind_label(name: str | None) -> str | None:
    """What the league office calls a kind (`校级学生会工作人员名单`); None when not known."""
    return next((k.label for k in KINDS if k.name == name), None) if name else None


def kind_named(name: str) -> Kind:
    for k in KINDS:
        if k.name == name:
            return k
    raise KeyError(name)


def detect_kind(grids: list[Grid]) -> Kind | None:
    for kind in KINDS:
        if kind.detect(grids):
            return kind
    return None
