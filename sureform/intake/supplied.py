"""Word documents the league office supplies (章程, 主席团候选人产生办法, 述职评议办法), recognised by their text."""
from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

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


_DECLARATION = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.I)
_EXTERNAL_REL = re.compile(rb"<Relationship\b[^>]*>", re.S)
_DOCX_PART_LIMIT = 200 << 20  # bytes, uncompressed, per part
_DOCX_TOTAL_LIMIT = 500 << 20


def docx_problem(source: Path | bytes) -> str | None:
    """Why a .docx must not be parsed or published (None when it may): a part that declares a DOCTYPE or an
    entity (XXE), a relationship that makes Word fetch something from outside (a linked template, a linked
    picture or frame; hyperlinks are fine), an absurd size. Every part is read as a stream, at most its size."""
    try:
        with zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source) as z:
            infos = z.infolist()
            if sum(i.file_size for i in infos) > _DOCX_TOTAL_LIMIT or any(i.file_size > _DOCX_PART_LIMIT for i in infos):
                return "文件解压后过大"
            for info in infos:
                if not info.filename.lower().endswith((".xml", ".rels")):
                    continue
                tail = b""
                with z.open(info) as f:
                    while chunk := f.read(1 << 20):
                        if _DECLARATION.search(tail + chunk):
                            return f"{info.filename} 含有 DOCTYPE 或实体声明"
                        if info.filename.endswith(".rels"):
                            for rel in _EXTERNAL_REL.findall(tail + chunk):
                                if b'TargetMode="External"' in rel and b"/hyperlink" not in rel:
                                    return f"{info.filename} 引用了外部内容"
                        tail = chunk[-512:]
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError):
        return "不是有效的 .docx 文件"
    return None


def read_supplied_document(fr: FileRead) -> None:
    import docx

    if (problem := docx_problem(fr.path)) is not None:
        if problem == "不是有效的 .docx 文件":
            fr.issues.append(make_issue("file-unreadable", Location(fr.rel), reason="Word 文件已损坏或不是 .docx 格式"))
        else:
            fr.issues.append(make_issue("document-unsafe", Location(fr.rel), reason=problem))
        return
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
