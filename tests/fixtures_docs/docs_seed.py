"""DocumentInputs mirroring the seed disclosure (天津石油职业技术学院, 2020), and small Word fixtures."""
from __future__ import annotations

from datetime import date
from pathlib import Path

from docx import Document

from sureform.model import DocumentInputs, ItemVerdict, OrgChart, PartyMeeting, ResponsiblePerson

SCHOOL = "天津石油职业技术学院"
DEPARTMENTS = [("办公室", 9), ("组织部", 9), ("宣传部", 8), ("学习部", 9), ("文体部", 10), ("生活纪安部", 9)]
DISCLOSURE = {
    "工作人员人数": "58",
    "共青团员人数": "58",
    "入党积极分子": "58",
    "最近1学年综合排名进入专业前5%人数": "8",
    "最近1学年综合排名进入专业前30%的比例": "91.38%",
    "是否存在课业不及格情况": "否",
    "是否存在违纪行为": "否",
}
ITEM1_NOTE = "生活纪安部：负责教室、宿舍卫生检查工作，负责楼层管理、监督、值班的检查等工作。"
PENDING_ITEM = "13"
PENDING_NOTE = "待补充：评奖评优提名名单未提交"
PARTY_GUIDANCE = "学院党委把学生会建设纳入学院党建工作整体格局、学院“三全育人”工作大局中，定期听取学生会工作汇报，研究决定重大事项。"
MEETING_TITLE = "院党委分管学生工作院长助理主持召开“不忘初心 牢记使命 砥砺前行 不负韶华”学生会专题调研座谈会"
MEETING_CONTENT = "会议对学生会长期以来坚持石油传统、创新发展所取得的成绩给予了充分的肯定，并提出三点要求。"

CHARTER_HEADING = "第一章 总则"
CHARTER_BOLD = "天津石油职业技术学院学生会是在院党委领导下的全院学生的群众组织。"
ELECTION_TEXT = "候选人预备人选须经所在班级团支部、系团总支、系党支部同意。"
EVALUATION_TEXT = "述职评议时间一般在每学期的最后一个月。"

ITEM_IDS = ["1", "2", "3a", "3b", "3c", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15"]


def seed_verdicts() -> list[ItemVerdict]:
    verdicts = []
    for item_id in ITEM_IDS:
        verdicts.append(ItemVerdict(id=item_id, verdict="达标"))
    by_id = {v.id: v for v in verdicts}
    by_id["1"].verdict, by_id["1"].note = "未达标", ITEM1_NOTE
    by_id["3a"].actual, by_id["3a"].note = 58, "实有人 58"
    by_id["3b"].actual, by_id["3b"].note = 4, "实有人 4"
    by_id["3c"].actual, by_id["3c"].note = 6, "实有个 6"
    by_id["9"].actual, by_id["9"].note = "2020年10月15日", "召开日期为：2020年10月15日"
    by_id[PENDING_ITEM].verdict, by_id[PENDING_ITEM].note = "待补充", PENDING_NOTE
    return verdicts


def expected_verdicts() -> dict[str, str]:
    return {v.id: v.verdict for v in seed_verdicts()}


def write_charter(path: Path) -> Path:
    doc = Document()
    doc.add_heading(CHARTER_HEADING, level=1)
    para = doc.add_paragraph("第一条 ")
    para.add_run(CHARTER_BOLD).bold = True
    doc.add_paragraph("第二条 学生会的宗旨：坚持正确的政治方向，服务同学，锻炼自我。")
    doc.save(path)
    return path


def write_method(path: Path, heading: str, text: str) -> Path:
    doc = Document()
    doc.add_heading(heading, level=1)
    para = doc.add_paragraph()
    para.add_run(text).bold = True
    doc.save(path)
    return path


def seed_inputs(folder: Path | None = None) -> DocumentInputs:
    """The seed's facts; with a folder, the charter and method documents are written there too."""
    inputs = DocumentInputs(
        school_name=SCHOOL,
        org_type="学生会",
        verdicts=seed_verdicts(),
        disclosure=dict(DISCLOSURE),
        org_chart=OrgChart(presidium=4, departments=list(DEPARTMENTS)),
        party_guidance=PARTY_GUIDANCE,
        party_meetings=[PartyMeeting(date=date(2020, 10, 15), title=MEETING_TITLE, content=MEETING_CONTENT)],
        responsible=[
            ResponsiblePerson(category="分管学生会组织的校团委责任人", name="张福成", full_time=True),
            ResponsiblePerson(category="秘书长", name="李明远", full_time=True, remark="校团委干部"),
        ],
    )
    if folder is not None:
        inputs.charter_docx = write_charter(folder / "章程.docx")
        inputs.election_method_docx = write_method(folder / "选举办法.docx", "选举办法", ELECTION_TEXT)
        inputs.evaluation_method_docx = write_method(folder / "述职评议办法.docx", "述职评议办法", EVALUATION_TEXT)
    return inputs
