"""Word documents the league office drops into the inbox: recognised by their text, kept, superseded."""
from conftest import codes, file_report, settle


def write_doc(path, *paragraphs):
    import docx

    path.parent.mkdir(parents=True, exist_ok=True)
    d = docx.Document()
    for p in paragraphs:
        d.add_paragraph(p)
    d.save(path)
    settle(path)
    return path


def test_documents_are_recognised_by_their_title(env):
    write_doc(env.inbox / "a.docx", "某某学院学生会章程", "第一章 总则")
    write_doc(env.inbox / "b.docx", "学生会工作人员述职评议办法（试行）", "第一条")
    write_doc(env.inbox / "c.docx", "主席团成员候选人产生办法", "1. 推荐")
    report = env.run()
    assert [file_report(report, n)["status"] for n in ("a.docx", "b.docx", "c.docx")] == ["accepted"] * 3
    assert {f["kind"] for f in report["files"]} == {"document"}
    assert report["master"] == {"document": 3}


def test_newer_charter_supersedes(env):
    write_doc(env.inbox / "章程.docx", "学生会章程（旧）")
    env.run()
    write_doc(env.inbox / "章程2.docx", "学生会章程（修订）")
    assert env.run()["master"] == {"document": 1}


def test_unknown_document_is_rejected(env):
    write_doc(env.inbox / "通知.docx", "关于召开会议的通知")
    f = file_report(env.run(), "通知.docx")
    assert f["status"] == "rejected" and codes(f) == ["document-role-unknown"]
    assert (env.outbox / "反馈" / "未知单位").exists() or (env.outbox / "反馈").exists()


def test_broken_docx_is_rejected_not_crashing(env):
    p = env.inbox / "坏.docx"
    p.write_bytes(b"not a zip")
    settle(p)
    f = file_report(env.run(), "坏.docx")
    assert f["status"] == "rejected" and codes(f) == ["file-unreadable"]
