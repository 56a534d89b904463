"""Write the league office's sample inputs into examples/inbox/: 机构信息, candidate forms, the score sheet.

Run: .venv/bin/python examples/make_samples_inputs.py
Faithful to the seed (天津石油职业技术学院, 2020): the six departments of its charter with their
duties copied from sections 4.3.4–4.3.9, the 2020-10-15 学生会专题调研座谈会, 张福成 as the 团委
person in charge. The four presidium candidates' forms are each laid out differently, as four
系 secretaries would; the score sheet covers the presidium and the six 部长 of examples/seed_people.py.
"""
from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from make_samples_units import unit_fact_rows  # noqa: E402
from seed_people import COLLEGE, DEPARTMENT_HEADS, DEPARTMENTS, PRESIDIUM_MEMBERS, UNITS, Person  # noqa: E402

INBOX = HERE / "inbox"

# the seed charter, 4.3.4–4.3.9, clause by clause
DUTIES = {
    "办公室": [
        "负责学生会办公室的日常工作，负责会议、通知的准备和传达，学生会各类计划与总结材料编写工作，文件、档案的规整工作，办公室资产与财务管理，学生三自实践工作，并协助主席团协调各部门之间的工作。",
        "负责各系学生会的协调工作。",
    ],
    "宣传部": [
        "组织学习习近平新时代中国特色社会主义思想、习近平总书记系列重要讲话精神等重要思想理论和党、团知识。",
        "协助做好团员青年政治思想的日常宣传教育工作，针对团员、青年的思想情况，积极开展各种形式的宣传教育活动，配合有关部门搞好宣传工作，办好宣传橱窗等。",
    ],
    "学习部": [
        "调查了解学生学习情况和思想动态，组织开展各种学习经验交流活动，举办各学习竞赛活动。",
        "负责指导各班开展各类学习竞赛，推广学习经验；协助学院维护教学、学习秩序；协助抓好学风建设。",
    ],
    "文体部": [
        "组织、策划有益的群众性文化娱乐活动，丰富课余生活，提高艺术修养，发现和培养文艺骨干。",
        "负责学院礼仪队选拔、管理工作，协助指导、管理文艺类社团，配合院团委组织开展各种文艺演出、晚会。",
        "组织篮球、足球、排球、乒乓球等阳光体育活动，引导广大同学积极参加体育锻炼，发现和培养体育骨干。",
        "负责早操等活动的检查与评比；协助指导、管理体育类社团。",
    ],
    "生活纪安部": [
        "负责教室、宿舍卫生检查工作，负责楼层管理、监督、值班的检查等工作。",
        "协助保卫处做好安保工作，参与学生公寓和校园治安管理。参与大型活动秩序维护和管理。",
        "组织开展优化学生生活环境的各项活动，如承办宿舍文化节、文明寝室的评比等。",
        "积极参与学院伙食管理，定期召开伙委会，反应实际问题。",
        "定期召开楼长、宿舍长会议，总结工作，听取同学意见，反映实际问题；协助完成学生“奖、助、勤、贷、免”各项工作，协助完成贫困生建档、助学贷款、勤工助学、医疗保险等各项工作。",
    ],
    "组织部": [
        "负责学生干部考核、纪律督查工作。",
        "负责党、团校相关协调工作、学生干部培训及评优工作及学生维权等相关工作，组织团课、主题团日活动。",
        "负责素质拓展认证工作。",
    ],
}

# The seed ticked item 9 未达标 with an empty 召开日期: its last congress predates October 2019.
CONGRESS_DATE = date(2018, 11, 16)
REPORT_MEETING = "“不忘初心 牢记使命 砥砺前行 不负韶华”学生会专题调研座谈会"
REPORT_CONTENT = ("院党委分管学生工作院长助理主持召开学生会专题调研座谈会，充分肯定学生会坚持石油传统、创新发展所取得的成绩，"
                  "提出三点要求：遵循和贯彻党的教育方针，坚持立德树人；着力理顺管理体制机制，将学生会建设纳入学院“三全育人”"
                  "工作大局；加强管理和指导，确保学生会依法依章程开展工作。")
COUNCIL = [  # (姓名, 类别, 单位): students the majority
    ("韩雨萱", "学生代表", "石油工程系"), ("曹俊熙", "学生代表", "机电工程系"), ("邹梓涵", "学生代表", "化学工程系"),
    ("熊一鸣", "学生代表", "信息工程系"), ("秦雨彤", "学生代表", "经济管理系"), ("尹浩宇", "学生代表", "石油工程系"),
    ("严佳怡", "学生代表", "机电工程系"),
    ("孔德明", "学工部", "学生工作部"), ("白秀兰", "学工部", "学生工作部"),
    ("张福成", "团委", "校团委"), ("赵立新", "团委", "校团委"),
]
RATERS = [COUNCIL[0], COUNCIL[1], COUNCIL[2], COUNCIL[7], COUNCIL[9]]  # 3 学生代表 + 学工部 + 团委
SEMESTER = "2020-2021学年第一学期"
# The demo files as of 2020-11-24 (the seed's date) and counts only 述职 records held by then, while
# the semester's last month (12-15 … 01-31) lies after it: the evaluation date below therefore comes
# with a review-date-outside-last-month warning. Set it to date(2020, 12, 28) to see it inside the window.
REVIEW_DATE = date(2020, 11, 20)

# the approval chain of every presidium candidate. The seed's presidium is in office and its last congress was
# held on 2018-11-16 (item 9 未达标): the presidium was confirmed before that congress, which elected it. The
# 公示 2018-09-25 … 09-29 has five working days on 2018's calendar: 09-24 was the 中秋节 holiday and
# Saturday 09-29 a make-up working day (counted Monday–Friday it would be four).
CHAIN = {
    "branch_review": ("同意", date(2018, 9, 17)),
    "league_recommend": ("同意推荐", date(2018, 9, 19)),
    "party_consent": ("同意", date(2018, 9, 21)),
    "publicity": ("无异议", (date(2018, 9, 25), date(2018, 9, 29))),
    "qualification": ("合格", date(2018, 10, 10)),
    "joint_review": ("通过", date(2018, 10, 19)),
    "party_decision": ("同意", date(2018, 10, 26)),
}


def _cn(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _save(wb, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


# ---- 机构信息 --------------------------------------------------------------------------------------
def _delegates() -> list[tuple[str, str, str, str, str]]:
    """100 delegates (≥ 1% of 9126 students), 20 from each 系, recommended by their class 团支部."""
    surnames = "金陆郝孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
    given = ("晨阳", "雅琪", "子墨", "思彤", "皓轩")
    out = []
    for u, (unit, (code, _, prefix)) in enumerate(UNITS.items()):
        for i in range(20):
            name = surnames[i] + given[(i + u) % len(given)]
            year = 2019 + i % 2
            klass = f"{prefix}{year % 100:02d}{1 + i % 2:02d}"
            out.append((name, f"{year}{code}{3 + i % 2:02d}{50 + i:02d}", unit, f"{klass}团支部", unit))
    return out


def write_institution(path: Path) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "基本信息"
    for row in (["项目", "内容"], ["学校名称", COLLEGE], ["组织类型", "学生会"], ["学生人数较多或分校区较多", "是"],
                ["全校学生人数", 9126]):
        ws.append(row)
    ws.column_dimensions["A"].width, ws.column_dimensions["B"].width = 28, 30

    def sheet(title: str, header: list, rows: list, date_cols=()):
        s = wb.create_sheet(title)
        s.append(header)
        for r in rows:
            s.append(list(r))
            for c in date_cols:
                s.cell(s.max_row, c).number_format = "yyyy-mm-dd"
        return s

    sheet("部门设置", ["部门名称", "部门职责", "复核说明"],
          [(d, "\n".join(DUTIES[d]), None) for d in DEPARTMENTS])
    sheet("学代会", ["届次", "召开日期", "代表人数", "选举机构", "是否选举主席团"],
          [(f"{COLLEGE}第五次学生代表大会", CONGRESS_DATE, 100, "学生代表大会", "是")], date_cols=(2,))
    sheet("评议会成员", ["姓名", "类别", "单位"], COUNCIL)
    sheet("党委听取汇报", ["日期", "会议名称", "内容"], [(date(2020, 10, 15), REPORT_MEETING, REPORT_CONTENT)], date_cols=(1,))
    sheet("党建规划", ["是否纳入", "文件名称"], [("是", "学院党建工作整体格局及“三全育人”工作大局")])
    sheet("学习贯彻举措", ["日期", "举措"], [
        (date(2020, 10, 20), "学生会全体工作人员专题学习全国学联二十七大会议精神，学习习近平总书记贺信和党中央致词精神，"
                             "学习全国学联大会报告和章程修正案，并开展知识测试。"),
        (date(2020, 11, 6), "主席团成员深入各系宣讲全国学联二十七大精神及团中央、教育部关于学生会深化改革的工作要求。"),
    ], date_cols=(1,))
    sheet("指导责任人", ["类别", "姓名", "是否为专职团干", "备注"], [
        ("分管学生会组织的校团委责任人", "张福成", "是", None),
        ("秘书长", "赵立新", "是", "校团委干部担任校级学生会组织秘书长"),
    ])
    sheet("学代会代表名单", ["姓名", "学号", "院系", "推荐团支部", "选举单位"], _delegates())
    sheet("评奖评优提名", ["姓名", "学号", "类别"], _nominations())
    sheet("二级组织信息", ["院系", "组织名称", "类别", "日期", "名称/姓名", "说明", "是否"], unit_fact_rows(), date_cols=(4,))
    for s in wb.worksheets[1:]:
        for col, width in zip("ABCDE", (24, 60, 16, 20, 14)):
            s.column_dimensions[col].width = width
    return _save(wb, path)


# ---- candidate forms, four layouts -------------------------------------------------------------
def _rank(p: Person) -> str:
    return f"{p.rank}/{p.major_size}"


def form_like_template(path: Path, p: Person) -> Path:
    """石油工程系: labels in A and C, values in B and D, dates as date cells."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "推荐表"
    ws["A1"] = "学生会主席团候选人预备人选推荐表"
    rows = [
        ("姓名", p.name, "学号", p.student_id), ("院系", p.unit, "班级", p.class_name),
        ("政治面貌", "共青团员", "成绩排名", _rank(p)),
        ("班级团支部审核意见", CHAIN["branch_review"][0], "班级团支部审核日期", CHAIN["branch_review"][1]),
        ("系团总支推荐意见", CHAIN["league_recommend"][0], "系团总支推荐日期", CHAIN["league_recommend"][1]),
        ("系党组织意见", CHAIN["party_consent"][0], "系党组织同意日期", CHAIN["party_consent"][1]),
        ("公示开始日期", CHAIN["publicity"][1][0], "公示结束日期", CHAIN["publicity"][1][1]),
        ("公示结果", CHAIN["publicity"][0], None, None),
        ("校团委资格审查意见", CHAIN["qualification"][0], "校团委资格审查日期", CHAIN["qualification"][1]),
        ("学工部与团委联合审查意见", CHAIN["joint_review"][0], "学工部与团委联合审查日期", CHAIN["joint_review"][1]),
        ("校党委确定意见", CHAIN["party_decision"][0], "校党委确定日期", CHAIN["party_decision"][1]),
    ]
    for r, row in enumerate(rows, 3):
        for c, v in enumerate(row, 1):
            ws.cell(r, c, v)
            if isinstance(v, date):
                ws.cell(r, c).number_format = "yyyy-mm-dd"
    for col, width in zip("ABCD", (26, 20, 26, 16)):
        ws.column_dimensions[col].width = width
    return _save(wb, path)


def form_shifted_fullwidth(path: Path, p: Person) -> Path:
    """机电工程系: a two-line title, labels in B and E (full-width spaces, bracket notes), merged value
    cells, dates typed as 2018年9月17日, the 公示 as one 公示期间 range."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = p.name
    ws["B1"] = f"{COLLEGE}学生会"
    ws["B2"] = "主席团候选人预备人选推荐表"
    ws["B3"] = f"推荐单位：{p.unit}"
    rows = [
        ("姓　　名", p.name, "学　　号", p.student_id),
        ("院　　系", p.unit, "班　　级", p.class_name),
        ("政治面貌（请选择）", "团员", "成绩排名（名次/专业人数）", _rank(p)),
        ("班级团支部审核意见", "同意，经团支部委员会审核。", "日　　期", _cn(CHAIN["branch_review"][1])),
        ("系团总支推荐意见", "同意推荐", "日　　期", _cn(CHAIN["league_recommend"][1])),
        ("系党组织意见", "同意", "日　　期", _cn(CHAIN["party_consent"][1])),
        ("公示期间", f"{_cn(CHAIN['publicity'][1][0])}至{_cn(CHAIN['publicity'][1][1])}", "公示结果", "无异议"),
        ("校团委资格审查意见", "资格审查合格", "日　　期", _cn(CHAIN["qualification"][1])),
        ("学工部与团委联合审查意见", "联合面试通过", "日　　期", _cn(CHAIN["joint_review"][1])),
        ("校党委确定意见", "同意确定为主席团候选人", "日　　期", _cn(CHAIN["party_decision"][1])),
    ]
    for r, (l1, v1, l2, v2) in enumerate(rows, 5):
        ws.cell(r, 2, l1)
        ws.cell(r, 3, v1)
        ws.merge_cells(start_row=r, start_column=3, end_row=r, end_column=4)
        ws.cell(r, 5, l2)
        ws.cell(r, 6, v2)
    for col, width in zip("BCDEF", (26, 18, 14, 24, 24)):
        ws.column_dimensions[col].width = width
    return _save(wb, path)


def form_labels_over_values(path: Path, p: Person) -> Path:
    """化学工程系: identity as a row of labels over a row of values; each step's opinion with an inline
    `日期：2018.9.21` cell beside it; the 公示 dates as start and end in their own cells."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws["A1"] = "主席团候选人预备人选推荐表"
    ws.append([])
    ws.append(["姓名", "学号", "院系", "班级", "政治面貌", "综合素质排名"])
    ws.append([p.name, p.student_id, p.unit, p.class_name, "共青团员", _rank(p)])
    ws.append([])

    def dotted(d: date) -> str:
        return f"{d.year}.{d.month}.{d.day}"

    for label, key in (("班级团支部意见", "branch_review"), ("系团总支意见", "league_recommend"),
                       ("系党组织意见", "party_consent")):
        ws.append([label, CHAIN[key][0], None, f"日期：{dotted(CHAIN[key][1])}"])
    start, end = CHAIN["publicity"][1]
    ws.append(["公示开始时间", dotted(start), "公示结束时间", dotted(end)])
    ws.append(["公示情况", "公示期满无异议"])
    for label, key in (("资格审查意见", "qualification"), ("联合审查意见", "joint_review"), ("校党委意见", "party_decision")):
        ws.append([label, CHAIN[key][0], None, f"日期：{dotted(CHAIN[key][1])}"])
    for col in "ABCDEF":
        ws.column_dimensions[col].width = 18
    return _save(wb, path)


def form_inline_labels(path: Path, p: Person) -> Path:
    """信息工程系: `标签：值` written in one cell for the identity, 学号 typed as a number, dates as
    Excel date cells and 2018/9/19 text, the date of each step in the opinion cell itself."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "候选人推荐表"
    ws["C2"] = "学生会主席团候选人预备人选推荐表"
    ws["B4"] = f"姓名：{p.name}"
    ws["D4"] = "学号"
    ws["E4"] = int(p.student_id)
    ws["B5"] = f"院系：{p.unit}"
    ws["D5"] = f"班级：{p.class_name}"
    ws["B6"] = "政治面貌：共青团员"
    ws["D6"] = "成绩排名"
    ws["E6"] = p.rank
    ws["F6"] = "专业人数"
    ws["G6"] = p.major_size

    def slash(d: date) -> str:
        return f"{d.year}/{d.month}/{d.day}"

    steps = [
        ("班级团支部审核意见", f"同意 {slash(CHAIN['branch_review'][1])}"),
        ("系团总支推荐意见", f"同意推荐 {slash(CHAIN['league_recommend'][1])}"),
        ("系党组织意见", f"同意 {slash(CHAIN['party_consent'][1])}"),
    ]
    r = 8
    for label, text in steps:
        ws.cell(r, 2, label)
        ws.cell(r, 3, text)
        r += 1
    ws.cell(r, 2, "公示开始日期")
    ws.cell(r, 3, CHAIN["publicity"][1][0]).number_format = "yyyy/m/d"
    ws.cell(r, 4, "公示结束日期")
    ws.cell(r, 5, CHAIN["publicity"][1][1]).number_format = "yyyy/m/d"
    ws.cell(r + 1, 2, "公示结果")
    ws.cell(r + 1, 3, "无异议")
    r += 2
    for label, key, text in (("校团委资格审查意见", "qualification", "合格"), ("学工部与团委联合审查意见", "joint_review", "通过"),
                             ("校党委确定意见", "party_decision", "同意")):
        ws.cell(r, 2, label)
        ws.cell(r, 3, text)
        ws.cell(r, 4, "审核日期")
        ws.cell(r, 5, CHAIN[key][1]).number_format = "yyyy/m/d"
        r += 1
    for col, width in zip("BCDEFG", (26, 24, 14, 14, 10, 8)):
        ws.column_dimensions[col].width = width
    return _save(wb, path)


LAYOUTS = [form_like_template, form_shifted_fullwidth, form_labels_over_values, form_inline_labels]


# ---- the score sheet ---------------------------------------------------------------------------
DAILY = [("政治态度（一）", 10), ("政治态度（二）", 10), ("道德品行（一）", 10), ("道德品行（二）", 10),
         ("学习情况（一）", 10), ("学习情况（二）", 5), ("工作成效（一）", 20), ("工作成效（二）", 10),
         ("纪律作风（一）", 10), ("纪律作风（二）", 5)]
CENTRAL = [("总结材料", 50), ("述职汇报", 50)]


def _scores(i: int, j: int) -> list[float]:
    """Deterministic scores of person i by rater j: 1–3 points below each maximum."""
    out = []
    for k, (_, maximum) in enumerate(DAILY + CENTRAL):
        drop = (i + 2 * j + k) % 3 + (0 if maximum <= 10 else (i + j) % 4)
        out.append(float(maximum - min(drop, maximum // 2)))
    return out


def _nominations() -> list[tuple[str, str, str]]:
    """优秀学生干部 nominees: the three best 述职评议 results, as item 13 asks (results, not posts)."""
    people = PRESIDIUM_MEMBERS + DEPARTMENT_HEADS
    n_daily = len(DAILY)

    def result(i: int) -> float:
        rows = [_scores(i, j) for j in range(len(RATERS))]
        daily = sum(sum(r[:n_daily]) for r in rows) / len(rows)
        central = sum(sum(r[n_daily:]) for r in rows) / len(rows)
        return 0.5 * daily + 0.5 * central

    best = sorted(range(len(people)), key=lambda i: -result(i))[:3]
    return [(people[i].name, people[i].student_id, "优秀学生干部") for i in sorted(best)]


def write_scores(path: Path) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "评分汇总"
    ws["A1"] = f"{COLLEGE}学生会工作人员述职评议评分表"
    ws["A2"] = f"学期：{SEMESTER}"
    ws["F2"] = "评议日期"
    ws["G2"] = REVIEW_DATE
    ws["G2"].number_format = "yyyy-mm-dd"
    ws.append([])
    ws.append(["被评议人", None, None, "评议人", None] + ["日常考评"] * len(DAILY) + ["集中考评"] * len(CENTRAL))
    ws.append(["姓名", "学号", "职务", "姓名", "类别"] + [f"{n}\n{m}分" for n, m in DAILY] + [f"{n}\n{m}分" for n, m in CENTRAL])
    for (start, end) in (("A4", "C4"), ("D4", "E4"), ("F4", "O4"), ("P4", "Q4")):
        ws.merge_cells(f"{start}:{end}")
    for i, p in enumerate(PRESIDIUM_MEMBERS + DEPARTMENT_HEADS):
        for j, (rater, category, _) in enumerate(RATERS):
            ws.append([p.name, p.student_id, p.post, rater, category, *_scores(i, j)])
    for col in "ABCDE":
        ws.column_dimensions[col].width = 14
    return _save(wb, path)


def main() -> None:
    written = [write_institution(INBOX / "机构信息.xlsx"), write_scores(INBOX / "述职评议评分表.xlsx")]
    for p, layout in zip(PRESIDIUM_MEMBERS, LAYOUTS):
        written.append(layout(INBOX / p.unit / f"主席团候选人推荐表_{p.name}.xlsx", p))
    for path in written:
        print(path.relative_to(HERE))


if __name__ == "__main__":
    main()
