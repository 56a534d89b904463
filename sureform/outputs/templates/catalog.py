"""Which blank templates `sureform templates` writes: (file name, writer)."""
from __future__ import annotations

from pathlib import Path

from sureform.outputs.templates.candidate import write_candidate_template
from sureform.outputs.templates.institution import write_institution_template
from sureform.outputs.templates.roster import write_roster_template, write_unit_roster_template
from sureform.outputs.templates.score import write_score_template

TEMPLATES = [
    ("工作人员名单模板.xlsx", write_roster_template),
    ("院系学生会工作人员名单模板.xlsx", write_unit_roster_template),
    ("主席团候选人预备人选推荐表模板.xlsx", write_candidate_template),
    ("述职评议评分表模板.xlsx", write_score_template),
    ("机构信息模板.xlsx", write_institution_template),
]


def write_templates(out: Path) -> list[Path]:
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    return [writer(out / name) for name, writer in TEMPLATES]
