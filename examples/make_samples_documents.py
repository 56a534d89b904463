"""Write the college's own documents (章程, 候选人产生办法, 述职评议办法) as .docx into examples/inbox/.

Their text is the seed disclosure's sections 二, 五 and 六, verbatim. Run:
    .venv/bin/python examples/make_samples_documents.py [path/to/seed.txt]
(default seed: ../shared/seed/000_c8c55c4a3599e9ce.txt beside the project).
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_SEED = HERE.parent.parent / "shared" / "seed" / "000_c8c55c4a3599e9ce.txt"
SCHOOL = "天津石油职业技术学院"
HEADING = re.compile(r"^(第.{1,3}章|\d+(\.\d+)?\s|\d+\s{2}|第.{1,3}条)")


def between(text: str, start: str, end: str) -> list[str]:
    body = text[text.index(start):text.index(end)]
    lines = [ln.strip() for ln in body.splitlines()]
    return [re.sub(r"\[bookmark: [^\]]*\]", "", ln) for ln in lines if ln and not ln.startswith("[image")]


def write_docx(path: Path, title: str, lines: list[str]) -> None:
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt

    doc = docx.Document()
    normal = doc.styles["Normal"]
    normal.font.name = "仿宋_GB2312"
    normal.font.size = Pt(14)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), "仿宋_GB2312")
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = p.add_run(title)
    run.bold = True
    run.font.size = Pt(18)
    for line in lines:
        if line == title:
            continue
        para = doc.add_paragraph()
        r = para.add_run(line)
        if HEADING.match(line) and len(line) < 30:
            r.bold = True
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(path)


def main(seed: Path) -> None:
    text = seed.read_text(encoding="utf-8")
    charter = between(text, "中国石油华北油田公司", "三、校级组织工作机构组织架构图")
    election = between(text, "1,候选人预备人选", "六、校级组织工作人员述职评议办法")
    evaluation = between(text, f"{SCHOOL}学生会工作人员述职评议办法（试行）", "七、学校党委指导学生会组织工作情况")
    out = HERE / "inbox"
    write_docx(out / "学生会章程.docx", f"{SCHOOL}学生会章程", charter)
    write_docx(out / "主席团成员候选人产生办法及选举办法.docx", f"{SCHOOL}学生会主席团成员候选人产生办法及选举办法", election)
    write_docx(out / "工作人员述职评议办法.docx", evaluation[0], evaluation[1:])
    for name in ("学生会章程.docx", "主席团成员候选人产生办法及选举办法.docx", "工作人员述职评议办法.docx"):
        print(f"inbox/{name}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_SEED)
