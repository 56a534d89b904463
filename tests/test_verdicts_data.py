"""Plain-dict master records for the verdict tests (no files): the seed college and small variations."""
from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "examples"))
from seed_people import DEPARTMENTS, PEOPLE  # noqa: E402

from sureform.rules.view import build_view  # noqa: E402

AS_OF = date(2020, 11, 24)
ROSTER_COLS = {"name": "A", "student_id": "B", "unit": "C", "year": "D", "political": "E", "activist": "F",
               "post": "G", "department": "H", "rank": "I", "major_size": "J", "failed_courses": "K",
               "discipline": "L", "recommender": "M", "review_date": "N"}

# the seed charter's duties (4.3.4–4.3.9), as the league office would copy them into 部门设置
SEED_DUTIES = {
    "办公室": "负责学生会办公室的日常工作，负责会议、通知的准备和传达，学生会各类计划与总结材料编写工作，文件、档案的规整工作。负责各系学生会的协调工作。",
    "组织部": "负责学生干部考核、纪律督查工作。负责党、团校相关协调工作、学生干部培训及评优工作，组织团课、主题团日活动。负责素质拓展认证工作。",
    "宣传部": "组织学习习近平新时代中国特色社会主义思想。协助做好团员青年政治思想的日常宣传教育工作，办好宣传橱窗等。",
    "学习部": "调查了解学生学习情况和思想动态，组织开展各种学习经验交流活动，举办各学习竞赛活动。负责指导各班开展各类学习竞赛，推广学习经验。",
    "文体部": "组织、策划有益的群众性文化娱乐活动，丰富课余生活。组织篮球、足球、排球、乒乓球等阳光体育活动。",
    "生活纪安部": ("4.3.8.1  负责教室、宿舍卫生检查工作，负责楼层管理、监督、值班的检查等工作。\n"
                "4.3.8.2  协助保卫处做好安保工作，参与学生公寓和校园治安管理。参与大型活动秩序维护和管理。\n"
                "4.3.8.3  组织开展优化学生生活环境的各项活动，如承办宿舍文化节、文明寝室的评比等。"),
}
SEED_ITEM1_CLAUSE = "负责教室、宿舍卫生检查工作，负责楼层管理、监督、值班的检查等工作。"


def member(name="张三", sid="2019010101", post="干事", dept="宣传部", year=2019, political="共青团员",
           rank_ratio=0.1, failed=0, discipline=None, activist=True, level="专科", unit="石油工程系", row=2,
           recommender="石油工程系团总支", review_date="2020-09-20", file=None) -> dict:
    return {
        "name": name, "student_id": sid, "unit": unit, "major": "石油工程技术", "class_name": "石工1901",
        "year": year, "level": level, "political": political, "activist": activist, "post": post,
        "department": dept, "rank": None, "major_size": None, "rank_ratio": rank_ratio,
        "rank_text": None if rank_ratio is None else f"{rank_ratio:.1%}", "rank_basis": "最近1学年",
        "failed_courses": failed, "discipline": discipline, "recommender": recommender,
        "review_date": review_date, "_unit": unit, "_file": file or f"{unit}/工作人员名单.xlsx",
        "_sheet": "Sheet1", "_row": row, "_cols": dict(ROSTER_COLS),
    }


def seed_roster() -> list[dict]:
    """The sample college's 58 staff (examples/seed_people.py) as master roster records."""
    rows = {}
    out = []
    for p in PEOPLE:
        rows[p.unit] = rows.get(p.unit, 1) + 1
        out.append(member(p.name, p.student_id, p.post, p.department, p.year,
                          rank_ratio=None if p.rank is None else p.rank / p.major_size, unit=p.unit,
                          row=rows[p.unit]))
    return out


def institution(table: str, row: int = 2, sheet: str | None = None, **values) -> dict:
    sheets = {"basic": "基本信息", "departments": "部门设置", "congress": "学代会", "council": "评议会成员",
              "party_reports": "党委听取汇报", "party_plan": "党建规划", "study_measures": "学习贯彻举措",
              "responsible": "指导责任人", "delegates": "学代会代表名单", "nominations": "评奖评优提名"}
    letters = "ABCDEFGH"
    cells = {k: f"{letters[i]}{row}" for i, k in enumerate(values)}
    return {"_table": table, **values, "_file": "机构信息.xlsx", "_sheet": sheet or sheets[table], "_row": row,
            "_cols": {}, "_cells": cells}


def basic(item: str, value, row: int = 2) -> dict:
    rec = institution("basic", row, item=item, value=value)
    rec["_cells"] = {"item": f"A{row}", "value": f"B{row}"}
    return rec


def department(name: str, duties: str | None = None, review_note: str | None = None, row: int = 2) -> dict:
    return institution("departments", row, name=name, duties=duties if duties is not None else f"{name}的日常工作。",
                       review_note=review_note)


def seed_departments() -> list[dict]:
    return [department(name, SEED_DUTIES[name], row=i) for i, name in enumerate(DEPARTMENTS, start=2)]


def candidate(of: dict, **changes) -> dict:
    """A complete, ordered candidate form for a roster member; `changes` override values."""
    rec = {
        "name": of["name"], "student_id": of["student_id"], "unit": of["unit"], "class_name": of["class_name"],
        "political": of["political"], "rank_text": "1/40", "rank_ratio": 0.025,
        "branch_review_result": "同意", "branch_review_date": "2020-09-01",
        "league_recommend_result": "同意推荐", "league_recommend_date": "2020-09-02",
        "party_consent_result": "同意", "party_consent_date": "2020-09-03",
        "publicity_start": "2020-09-04", "publicity_end": "2020-09-10", "publicity_result": "无异议",
        "qualification_result": "合格", "qualification_date": "2020-09-14",
        "joint_review_result": "通过", "joint_review_date": "2020-09-15",
        "party_decision_result": "同意", "party_decision_date": "2020-09-20",
        "_file": f"{of['unit']}/推荐表.xlsx", "_sheet": of["name"], "_row": 3, "_cols": {}, "_unit": of["unit"],
    }
    keys = [k for k in rec if not k.startswith("_")]
    rec["_cells"] = {k: f"C{i}" for i, k in enumerate(keys, start=3)}
    rec.update(changes)
    return rec


def score(person: dict, rater: str = "学生甲", category: str = "学生代表", semester="2020-2021学年第一学期",
          review_date="2020-11-20", each: float = 8, summary: float = 45, report: float = 45) -> dict:
    subs = ["政治态度1", "政治态度2", "道德品行1", "道德品行2", "学习情况1", "学习情况2", "工作成效1", "工作成效2",
            "纪律作风1", "纪律作风2"]
    return {"semester": semester, "review_date": review_date, "person_name": person["name"],
            "person_id": person["student_id"], "person_post": person["post"], "rater_name": rater,
            "rater_category": category, **dict.fromkeys(subs, each), "总结材料": summary, "述职汇报": report,
            "_file": "述职评议评分表.xlsx", "_sheet": "评分", "_row": 2, "_cols": {"person_name": "C"}}


def view(roster=(), candidates=(), scores=(), institution=(), as_of: date = AS_OF, **kw):
    return build_view(roster, candidates, scores, institution, as_of=as_of, **kw)


def verdict_of(item_id: str, v):
    from sureform.rules.library import decide_item

    return decide_item(v.catalogue.item(item_id), v)
