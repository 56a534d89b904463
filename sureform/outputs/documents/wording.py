"""The fixed Chinese wording of the two documents, as in the seed disclosure (item texts live in the catalogue)."""
from __future__ import annotations

import re
from datetime import date

from sureform.intake.values import chinese_date  # noqa: F401  (the documents' date format)

CHECKED, UNCHECKED = "\u2611", "\u25a1"  # ☑ □

OPENING = (
    "为落实共青团中央、教育部、全国学联联合下发的《关于推动高校学生会（研究生会）深化改革的若干意见》，"
    "以及《高校学生会组织深化改革评估工作方案》要求，接受广大师生监督，现将我校{org_type}改革情况公开如下。"
)

ORG_NAME_LABEL = "组织名称："

# The edition's header fields (2021 on) and its tables: one (二) table per 二级 organisation.
HEADER_LINE = "{label}：{value}"
YES_NO = ("是", "否")  # the boxes of 是否已由省级团委、学联核查（复评）
UNIT_TABLE_TITLE = "{title}（{unit}{org_type}）"
UNITS_NONE = "（尚未收到二级学生会组织的材料）"
UNITS_MISSING = "未报送二级学生会组织材料的院系：{units}。"
# A form printed from an incomplete edition is a draft: said in every page's header, never in the body (what the
# edition lacks and where it was looked for is said by `sureform run`, `editions show` and 汇总.xlsx).
DRAFT_MARK = "草稿"
DRAFT_NOTE = "项目不全，导入省级团委下发的空白表后重新生成定稿，请勿报送或公开"

# Section headings of the disclosure, in the seed's order; {school} and {org_type} are filled in.
SECTIONS = {
    "form": "一、改革自评表",
    "charter": "二、《{school}{org_type}章程》",
    "org_chart": "三、校级组织工作机构组织架构图",
    "staff": "四、校级组织工作人员名单",
    "election": "五、校级组织主席团成员候选人产生办法及选举办法",
    "evaluation": "六、校级组织工作人员述职评议办法（或其他有关制度文件）",
    "party": "七、学校党委指导学生会组织工作情况",
    "responsible": "八、校团委指导学生会主要责任人",
}

# Section 四: exactly the seed's columns, and the keys of DocumentInputs.disclosure.
STAFF_COLUMNS = (
    "工作人员人数",
    "共青团员人数",
    "入党积极分子",
    "最近1学年综合排名进入专业前5%人数",
    "最近1学年综合排名进入专业前30%的比例",
    "是否存在课业不及格情况",
    "是否存在违纪行为",
)

RESPONSIBLE_COLUMNS = ("序号", "类别", "姓名", "是否为专职团干", "备注")

# under section 四: the share of staff in the top 30% counts every staff member, freshmen (no rank yet) included
UNRANKED_FRESHMEN_NOTE = "注：比例按全部工作人员 {staff} 人计算，其中一年级新生 {n} 人尚无综合排名。"

MISSING_FILE = "（待补充：{what}文件未提交）"
MISSING_FIGURE = "待补充"
MISSING_VERDICT_NOTE = "待补充：未评估"
MISSING_PARTY_GUIDANCE = "（待补充：学校党委指导学生会组织工作情况）"
MISSING_RESPONSIBLE = "（待补充：校团委指导学生会主要责任人）"

ORG_CHART_PRESIDIUM = "主席团"
ORG_CHART_HEADCOUNT = "（{n}人）"
ORG_CHART_ALT = "校级学生会组织工作机构组织架构图：{presidium}下设{departments}。"


def yes_no(value: bool | None) -> str:
    return "" if value is None else ("是" if value else "否")


_CLAUSE = re.compile(r"召开|主持|听取|举行|举办")  # a meeting name that already says who did what
_QUOTED = re.compile(r"[“\"「『][^”\"」』]*[”\"」』]")
_QUOTED_PREFIX = re.compile(r"^\s*[“\"「『][^”\"」』]*[”\"」』]\s*")


def meeting_sentence(when: str, title: str, content: str, party: str = "学校党委") -> str:
    """One meeting of the party committee as whole sentences, its name said once:
    content that already tells the meeting (`…主持召开学生会专题调研座谈会，…`) gets the full name in place;
    otherwise `{date}，学校党委召开{name}，{content}。`"""
    title = title.strip().rstrip("。")
    content = content.strip()
    if not title:
        return _full_stop(f"{when}，{content}" if content else f"{when}，{party}听取学生会组织工作汇报")
    core = _QUOTED_PREFIX.sub("", title) or title
    if _CLAUSE.search(_QUOTED.sub("", title)):
        # the name is itself a clause (`院党委…主持召开“…”座谈会`): it opens the sentence
        sentence = f"{when}，{title}。{content}".rstrip()
    elif title in content:
        sentence = f"{when}，{content}"
    elif core in content:
        sentence = f"{when}，{content.replace(core, title, 1)}"
    elif content:
        sentence = f"{when}，{party}召开{title}，{content.lstrip('，,。')}"
    else:
        sentence = f"{when}，{party}召开{title}，听取学生会组织工作汇报"
    return _full_stop(sentence)


def _full_stop(sentence: str) -> str:
    return sentence if sentence.endswith(("。", "！", "？", "”", "）")) else sentence + "。"
