"""Word documents the league office supplies (章程, 主席团候选人产生办法, 述职评议办法), recognised by their text."""
from __future__ import annotations

from sureform.issues import Location, make_issue
from sureform.intake.readers.base import FileRead

KIND = "document"
# role -> words of its title; the first role whose words appear in the opening paragraphs wins
ROLES = {
    "evaluation_method": ("述职评议",),
    "election_method": ("产生办法", "选举办法", "候选人"),
    "charter": ("章程",),
}
ROLE_LABELS = {"charter": "学生会章程", "election_method": "主席团成员候选人产生办法及选举办法",
               "evaluation_method": "工作人员述职评议办法"}


def document_role(texts: list[str]) -> str | None:
    head = "\n".join(t for t in texts if t.strip())[:400]
    for role, words in ROLES.items():
        if any(w in head for w in words):
            return role
    return None


def read_supplied_document(fr: FileRead) -> None:
    import docx

    try:
        doc = docx.Document(str(fr.path))
    except Exception:
        fr.issues.append(make_issue("file-unreadable", Location(fr.rel), reason="Word 文件已损坏或不是 .docx 格式"))
        return
    texts = [p.text for p in doc.paragraphs[:12]]
    role = document_role(texts)
    if role is None:
        fr.issues.append(make_issue("document-role-unknown", Location(fr.rel)))
        return
    fr.kind = KIND
    title = next((t.strip() for t in texts if t.strip()), fr.path.stem)
    fr.records = [{"role": role, "title": title, "_sheet": None, "_row": None, "_cols": {}}]
