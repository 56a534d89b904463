"""Which blank templates `sureform templates` writes: (file name, writer)."""
from __future__ import annotations

from pathlib import Path

from .roster import write_roster_template

TEMPLATES = [
    ("工作人员名单模板.xlsx", write_roster_template),
]


def write_templates(out: Path) -> list[Path]:
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    return [writer(out / name) for name, writer in TEMPLATES]
