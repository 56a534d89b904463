"""The one issue record that flows from the readers to the JSON, the feedback workbook and the evidence.

Each kind of problem is an `IssueType` (a stable kebab-case code, a severity and a Chinese message
template), all of them registered below, in this one file: `ISSUE_TYPES` is the whole catalogue. Which item
of the form an issue bears on is not a property of its code: the edition says it (an issue's `item` is set by
`sureform.verdicts.library.tag_issues`, from the rule kinds the edition's items use). Code builds issues with
`make_issue(code, location, value, **params)`; tests assert on codes and locations, never on wording.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any

ERROR, FINDING, WARNING = "error", "finding", "warning"
SEVERITIES = (ERROR, FINDING, WARNING)
SEVERITY_LABEL = {ERROR: "错误", FINDING: "问题", WARNING: "提示"}


@dataclass(frozen=True)
class IssueType:
    code: str
    severity: str
    template: str


@dataclass(frozen=True)
class Location:
    file: str | None = None
    sheet: str | None = None
    row: int | None = None
    column: str | None = None  # the field's Chinese label, e.g. 学号
    cell: str | None = None  # e.g. B7

    def with_cell(self, column_letter: str | None, row: int | None = None) -> "Location":
        row = self.row if row is None else row
        cell = f"{column_letter}{row}" if column_letter and row else None
        return replace(self, row=row, cell=cell)


@dataclass(frozen=True)
class Issue:
    code: str
    severity: str
    message: str
    file: str | None = None
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    cell: str | None = None
    value: str | None = None
    item: str | None = None

    def to_dict(self, with_file: bool = False) -> dict[str, Any]:
        d = asdict(self)
        if not with_file:
            d.pop("file")
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Issue":
        return cls(**{k: d.get(k) for k in cls.__dataclass_fields__})


ISSUE_TYPES: dict[str, IssueType] = {}


def register(code: str, severity: str, template: str) -> IssueType:
    if severity not in SEVERITIES:
        raise ValueError(severity)
    t = IssueType(code, severity, template)
    ISSUE_TYPES[code] = t
    return t


def _display(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    s = str(value)
    return s


def date_examples(year: int) -> str:
    """How to write a date, with an example of `year` (the filing year: a filer in 2026 is not shown 2020)."""
    return f"{year}-10-15、{year}年10月15日 或 {year}/10/15"


# the examples of how to write a date, a period or a semester, for a filing year: a reader need not give them (it
# does not know the filing date: the current year's are put in, then `with_filing_year` puts the filing year's)
YEAR_EXAMPLES: dict[str, Any] = {
    "date-invalid": lambda year: {"example": date_examples(year)},
    "publicity-period-invalid": lambda year: {"example": f"{year}年9月7日至{year}年9月11日"},
    "semester-invalid": lambda year: {"example": f"{year}-{year + 1}学年第一学期"},
}


def this_year() -> int:
    """The year in Beijing now (examples in messages and templates are of the year they are read in)."""
    from datetime import datetime, timedelta, timezone

    return datetime.now(timezone(timedelta(hours=8))).year


def with_filing_year(issue: Issue, year: int) -> Issue:
    """The issue with its example taken from the filing year (the readers do not know the filing date); these
    templates take the value, the column and the example alone."""
    if issue.code not in YEAR_EXAMPLES:
        return issue
    t = ISSUE_TYPES[issue.code]
    shown = issue.value if issue.value not in (None, "") else "（空）"
    return replace(issue, message=t.template.format(value=shown, column=issue.column or "",
                                                    **YEAR_EXAMPLES[issue.code](year)))


def make_issue(code: str, location: Location | None = None, value: Any = None, **params: Any) -> Issue:
    """Build an issue of a registered type; the template is filled with value and params."""
    t = ISSUE_TYPES[code]
    loc = location or Location()
    shown = _display(value)
    if code in YEAR_EXAMPLES:
        params = {**YEAR_EXAMPLES[code](this_year()), **params}
    message = t.template.format(value=shown if shown not in (None, "") else "（空）", column=loc.column or "", **params)
    return Issue(
        code=code,
        severity=t.severity,
        message=message,
        file=loc.file,
        sheet=loc.sheet,
        row=loc.row,
        column=loc.column,
        cell=loc.cell,
        value=shown,
    )


def has_errors(issues) -> bool:
    return any(i.severity == ERROR for i in issues)


# ---- the registry: every code the program can emit -------------------------------------------
# reading
register("file-unreadable", ERROR, "文件无法打开：{reason}。请用 Excel 或 WPS 另存为 .xlsx 后重新提交。")
register("file-abnormal", ERROR, "文件结构异常或过大，无法读取：{reason}。请检查后重新提交；各系名单一般只有几十行，如确需提交更大的文件请联系校团委。")
register("text-control-removed", WARNING, "该单元格含有不可见的控制字符，已删除，按“{value}”读取。请核实内容。")
register("unit-name-invalid", ERROR, "“{value}”不能作为系名（{reason}）。请检查“院系”一列，或把文件放入 inbox/<系名>/ 子文件夹后重新提交。")
register("unit-not-known", ERROR, "文件直接放在收件文件夹中，表中“院系”为“{value}”，但还没有这个系的子文件夹，也没有收到过这个系的材料。请把文件放入 inbox/{value}/ 子文件夹后重新提交（如系名有误，请先改正“院系”一列）。")
register("document-unsafe", ERROR, "Word 文件中含有文档类型定义（DOCTYPE）或外部引用（{reason}），为安全起见不予读取。请在 Word 或 WPS 中打开后另存为新的 .docx 文件再提交。")
register("file-arriving", WARNING, "文件可能还没有复制完（无法打开或正在变化，且最近 {minutes} 分钟内有改动），留在收件文件夹中，稍后自动再处理。")
register("sheet-hidden-skipped", WARNING, "工作表“{sheet}”是隐藏的，没有读取，其中的内容不计入。如需报送其中的内容，请取消隐藏后重新提交；不需要的工作表可以删除。")
register("name-space-removed", WARNING, "姓名“{value}”的汉字之间有空格，已去掉空格读取。请核实姓名，姓名中间不要加空格。")
register("roster-org-not-union", WARNING, "“组织名称”一列{found}，本文件按“校级学生会工作人员名单”读取。如这是本系学生会（研究生会）自己的工作人员名单，请在“组织名称”一列填写“学生会”或“研究生会”后重新提交。")
register("file-empty", ERROR, "文件中没有任何数据。请确认填写在第一个工作表并保存后重新提交。")
register("kind-unknown", ERROR, "无法识别这是哪一种材料（未找到“学号”“职务”等表头或推荐表栏目）。请使用 sureform 模板填写后重新提交。")
register("header-not-found", ERROR, "未找到表头行。请确认表头包含：{expected}。")
register("column-missing", ERROR, "缺少必填列“{column}”。请在表头中加上“{column}”一列（可用名称：{synonyms}）。")
register("column-duplicated", WARNING, "表头“{column}”出现了不止一次，已使用第一列 {first}，忽略 {cell}。")
register("unit-unknown", ERROR, "无法确定所属系：文件不在系名子文件夹中，表中也没有“院系”列。请把文件放入 inbox/<系名>/ 子文件夹，或加上“院系”列。")
register("unit-mismatch", ERROR, "本行院系“{value}”与本文件所属单位“{unit}”不一致，整个文件未被接收。各单位只能报送本单位的材料：请改正“院系”一列，或请该单位自己报送。")
register("value-missing", ERROR, "“{column}”不能为空。请填写后重新提交。")
register("student-id-invalid", ERROR, "学号“{value}”不是有效学号：学号应为 6–20 位数字（可含字母）。请核对后重新填写。")
register("student-id-precision-lost", ERROR, "学号“{value}”是以数字格式保存的，超过 15 位后末尾几位已丢失。请把该列设置为“文本”格式后重新输入完整学号。")
register("student-id-leading-zero-lost", FINDING, "学号“{value}”是以数字格式保存的，比本表其他学号（{usual} 位）少 {missing} 位，开头的 0 可能已丢失。请把该列设置为“文本”格式后重新输入完整学号。")
register("student-id-length-unusual", FINDING, "学号“{value}”为 {length} 位，本表其他学号为 {usual} 位：{guess}。请核对后改正。")
register("student-id-pattern-unusual", FINDING, "本系名单的学号多为 {length} 位，其他系报送的学号多为 {usual} 位：{guess}。请核对整列学号。")
register("post-department-split", WARNING, "职务“{value}”含有部门名称，已按所在部门“{department}”、职务“{post}”读取。请以后分两列填写。")
register("student-id-duplicated", ERROR, "学号“{value}”在本文件中重复出现（另见第 {other_row} 行）。同一人只能填写一行，请删除重复行。")
register("date-invalid", ERROR, "“{value}”不是有效日期。请写成 {example}。")
register("year-invalid", ERROR, "入学年份“{value}”无法识别。请写成 2024 或 2024级。")
register("rank-invalid", ERROR, "成绩排名“{value}”无法识别。请写成 3/45、6.7%、0.067 或 前10%。")
register("rank-exceeds-size", ERROR, "排名 {rank} 大于专业人数 {size}。请核对排名和专业人数。")
register("number-out-of-range", ERROR, "“{value}”超出了“{column}”可能的范围。请填写实际的数字。")
register("date-out-of-range", ERROR, "日期“{value}”不在 1950 年至 2100 年之间。请核对年份后重新填写。")
register("number-invalid", ERROR, "“{value}”不是有效数字。请填写整数，例如 0。")
register("yes-no-invalid", ERROR, "“{value}”无法识别为是/否。请填写“是”或“否”（也可用 √、✓、Y、N）。")
register("choice-invalid", ERROR, "“{value}”不是可选值。可选：{allowed}。")
register("formula-no-value", ERROR, "该单元格是公式，但文件中没有保存计算结果。请在 Excel/WPS 中打开、重新计算并保存后再提交。")
register("formula-cached-zero", WARNING, "该单元格是公式，文件中保存的结果为 0。若文件未在 Excel/WPS 中重新计算，这个 0 可能不是真实结果，请核实。")
# roster: reform findings
register("post-not-allowed", FINDING, "职务“{value}”不是学生会可设置的职务（{allowed}）。请改为其中之一{hint}。")
register("political-status-not-allowed", FINDING, "政治面貌“{value}”不符合要求：学生会工作人员须为中共党员、中共预备党员或共青团员。")
register("rank-above-limit", FINDING, "成绩排名{value}（{percent}）超出本专业前{limit}，非一年级新生的工作人员须在本专业前{limit}以内。")
register("rank-missing", FINDING, "非一年级新生（入学年份：{year}）未填写成绩排名，无法核实是否在本专业前{limit}以内。请补填“成绩排名”和“专业人数”。")
register("failed-course", FINDING, "有 {value} 门课业不及格。学生会工作人员不得有课业不及格情况。")
register("discipline-record", FINDING, "违纪情况为“{value}”。请核实；存在违纪行为的学生不宜担任学生会工作人员。")
register("department-not-declared", FINDING, "所在部门“{value}”不在机构信息“部门设置”中（已设置：{declared}）。")
register("recommendation-missing", FINDING, "未填写“{missing}”。工作部门成员须由院系团组织推荐并经审核，请补填。")
# to the unit: nothing of the other unit (its name, its file, the person's name there); the league office's 汇总.xlsx
# gets the detail
register("person-on-two-rosters", FINDING, "该学号已出现在其他单位的名单中，请与校团委核实。同一人只能由一个单位报送。")
register("person-on-two-rosters-detail", FINDING, "学号 {value}（{name}）同时出现在“{other_unit}”的名单中（{other_file}）。同一人只能由一个系报送，请与该系核对后删除其中一行。")
register("roster-implausible", ERROR, "名单共有 {value} 人，上限为 {limit} 人：人数远超上限，是否误交了全体学生名单？整个文件未被接收，请只填写学生会组织工作人员后重新提交。")
# intake
# the notes a re-sent file carries: said in the run's report and 提交记录, never a problem of the file itself
ARRIVAL_CODES = frozenset({"file-duplicate", "file-reinstated"})
register("file-duplicate", WARNING, "与 {received} 已收到的文件内容完全相同，未重复计入。")
register("file-reinstated", WARNING, "与 {received} 已收到的文件内容完全相同。该版本曾被 {newer_received} 收到的“{newer_name}”取代；以最后收到的为准，现重新作为现行版本。")
# senders: a sender is a place (sureform.intake.senders)
register("sender-not-office", ERROR, "“{kind}”是全校性的材料，该类材料由校团委报送，请交给校团委或放在 inbox/校团委/。本文件未被接收。")
register("file-owner-not-sender", ERROR, "本文件的所有者（{owner}）不是“{unit}”登记的报送账号，未被接收。请用本单位的账号放入文件；账号有变动时请联系校团委。")
register("file-of-another-unit", ERROR, "与其他单位报送的文件内容完全相同，不能作为本单位的材料计入，未被接收。请报送本单位自己的文件；如有疑问请与校团委核实。")
register("supersede-not-own", ERROR, "这份{label}对应的材料已由其他单位报送，只能由该单位或校团委更换，本文件未被接收。请与校团委核实。")
register("office-not-replacing-own", ERROR, "“{unit}”已在本单位的文件夹中报送了{label}，放在收件文件夹顶层（或 inbox/校团委/）的文件不会替换它，本文件未被接收。如需更换，请把文件放入 inbox/{unit}/，或请该单位重新报送。")
register("unit-name-folded", WARNING, "单位名称“{value}”中含有看不见的字符或形近字，已按“{unit}”计入。请以后使用规范写法。")
register("unit-lookalike-unknown", ERROR, "单位名称“{value}”中含有看不见的字符或形近字（规范写法为“{folded}”），但没有这个单位，本文件未被接收。请用正确的单位名称命名文件夹（或填写“院系”一列）后重新提交。")
register("file-unsupported", WARNING, "不支持的文件类型“{value}”，已忽略。请提交 .xlsx、.xls、.xlsm 或 .csv 文件。")
register("document-role-unknown", ERROR, "无法判断这份 Word 文件是哪一种材料。标题中应含“章程”“候选人产生办法/选举办法”或“述职评议办法”。")
# candidate forms, score sheets, institution facts
register("publicity-period-invalid", ERROR, "公示期间“{value}”无法识别。请分别填写“公示开始日期”和“公示结束日期”，或写成 {example}。")
register("score-invalid", ERROR, "“{value}”不是有效分数。请填写 0 到满分之间的数字。")
register("score-above-maximum", ERROR, "“{column}”得分 {value} 超过该项满分 {maximum} 分。请核对后重新填写。")
register("score-negative", ERROR, "“{column}”得分 {value} 小于 0。请核对后重新填写。")
register("score-row-duplicated", ERROR, "评议人“{rater}”对“{person}”的评分在本文件中重复出现（另见第 {other_row} 行）。每位评议人对每人只能评一次，请删除重复行。")
register("rater-category-invalid", ERROR, "评议人类别“{value}”不是可选值。可选：{allowed}。")
register("review-date-outside-last-month", WARNING, "评议日期 {value} 不在{semester}期末的述职评议时段（{window}，即学期最后一个月至期末考试结束）。述职评议一般在每学期的最后一个月进行，请核实。")
register("units-too-many", ERROR, "“{sheet}”中列出了 {value} 个院系（二级学生会组织），超过 {maximum} 个，没有哪所高校有这么多。请核对是否误粘贴了其他表格（如全体学生名单），改正后重新提交。")
register("sheet-missing", ERROR, "缺少必需的工作表“{sheet}”（应含表头：{expected}）。请使用机构信息模板填写后重新提交。")
register("semester-invalid", ERROR, "学期“{value}”无法识别。请写成 {example}。")
# the master as a whole: the rule kinds' findings (sureform.verdicts.library declares which kind emits which)
register("duty-administrative", FINDING, "学生会不得承担宿舍管理、校园文明纠察、安全保卫等行政职能，{department}的职责却含“{keywords}”：请调整部门职责，或由校团委填写复核说明。职责原文：“{value}”")
register("duty-reviewed", WARNING, "{department}的职责含“{keywords}”，校团委复核说明：{note}")
register("department-level-forbidden", FINDING, "部门“{value}”设置了“{keyword}”层级。工作机构应为“主席团+工作部门”，不得设置“中心”“项目办公室”等常设层级。")
register("department-sub-level", FINDING, "部门“{value}”是“{parent}”之下的层级。工作部门之下不得再设常设层级。")
register("candidate-form-missing", WARNING, "主席团成员{name}（{post}）没有主席团候选人预备人选推荐表，无法核实其产生程序。请所在系提交推荐表。")
register("candidate-step-missing", FINDING, "推荐表未填写“{step}”的{what}：审核程序不完整。")
register("candidate-step-refused", FINDING, "“{step}”的结果为“{value}”，未获通过。")
register("candidate-steps-out-of-order", FINDING, "“{step}”的日期 {value} 早于前一步“{previous}”的日期 {previous_date}，程序顺序不对。")
register("candidate-step-during-publicity", FINDING, "“{step}”的日期 {value} 不在公示期满（{end}）之后：须公示无异议后再进行。")
register("publicity-too-short", FINDING, "公示自 {start} 至 {end} 仅 {days} 个工作日，须不少于 {minimum} 个工作日。")
register("publicity-objection", FINDING, "公示结果为“{value}”，须为“无异议”。")
register("workdays-uncertain", WARNING, "{value}")
register("presidium-not-elected-by-congress", FINDING, "主席团由“{value}”选举产生。须由学生代表大会本身选举产生，不得由其委员会、常务委员会、常任代表会议等选举。")
register("presidium-confirmed-after-congress", FINDING, "主席团成员{name}经校党委确定的日期为 {value}，晚于最近一次学生代表大会（{congress}）：现任主席团不可能由这次大会选举产生。如之后召开过学生代表大会，请在机构信息“学代会”中补充记录。")
register("congress-too-old", FINDING, "最近一次校级学生代表大会召开于 {value}，早于 {since}。")
register("congress-missing", FINDING, "机构信息中没有校级学生代表大会的记录。")
register("delegate-not-recommended", FINDING, "代表{name}未填写推荐团支部：代表须经班级团支部推荐。")
register("delegate-not-elected", FINDING, "代表{name}未填写选举单位：代表须由学院（系）组织选举产生。")
register("delegates-too-few", WARNING, "学代会代表 {value} 人，少于全校学生人数 {students} 的 {share}（{minimum} 人）。建议增加代表名额（不影响本项结论）。")
register("unit-without-delegate", WARNING, "“{value}”没有学代会代表。建议各系均有代表（不影响本项结论）。")
register("training-missing", FINDING, "{since} 以来没有{season}学生会组织工作人员全员培训的记录。")
register("study-measure-missing", FINDING, "机构信息中没有注明日期的学习贯彻全国学联二十七大精神的举措。")
register("council-students-not-majority", FINDING, "评议会 {value} 人中学生代表 {students} 人，未超过半数。")
register("report-missing", FINDING, "{name}（{post}）在{semester}没有述职评议记录。主席团成员和工作部门负责人每学期须向评议会述职。")
register("nominee-without-result", FINDING, "{name}被提名“{category}”，但没有述职评议结果：提名须依据评议结果。")
register("nominee-below-peer", FINDING, "{name}被提名“{category}”（评议结果 {value}），低于未被提名的{peer}（{peer_result}）。")
register("party-plan-missing", FINDING, "未记录学生会组织建设纳入学校党建工作整体规划。")
register("party-report-missing", FINDING, "{since}以来没有学校党委听取学生会组织工作汇报的记录。")
register("responsible-missing", FINDING, "未明确{category}。")
register("responsible-not-full-time", FINDING, "{category}{value}不是专职团干。")

# the provincial review of colleges' declarations (`sureform review`)
register("review-file-unreadable", ERROR, "材料“{value}”无法读取：{reason}")
register("review-numbering", WARNING, "表格编号异常：{value}，请核对是否有漏填或多出的项目。")
register("review-declared-no", FINDING, "第{item}项申报为“{value}”：未达到要求，需整改。")
register("review-verdict-missing", FINDING, "第{item}项没有勾选结论，需核实。")
register("review-verdict-ambiguous", FINDING, "第{item}项同时勾选了两个结论，需核实。")
register("review-over-limit", FINDING, "第{item}项勾选“{declared}”，但备注中{what}实有 {value} {unit}，超过“不超过 {limit} {unit}”的要求。")
register("review-no-but-within", FINDING, "第{item}项申报为“{declared}”，但备注中{what}实有 {value} {unit}，未超过 {limit} {unit}，结论与数字不符，请核对。")
register("review-large-school", FINDING, "第{item}项工作人员实有 {value} 人，超过 {limit} 人、未超过“学生人数较多、分校区较多的高校” {large} 人的限额；表中未说明本校属于这类高校，需核实。")
register("review-count-missing", FINDING, "第{item}项勾选“{declared}”，但备注中没有填写{what}的实有数，需核实。")
register("review-unit-slip", WARNING, "第{item}项是工作部门的个数，备注写作“{value}”（单位为“人”），请核对是否填错。")
register("review-staff-mismatch", FINDING, "第{item}项备注实有 {value} 人，与“四、校级组织工作人员名单”中的工作人员人数 {staff} 人不一致，需核实。")
register("review-date-missing", FINDING, "第{item}项勾选“{declared}”，但没有填写召开日期，需核实。")
register("review-date-no-year", FINDING, "第{item}项的召开日期“{value}”没有年份，无法确认是否按期召开，需核实。")
register("review-date-before", FINDING, "第{item}项勾选“{declared}”，但召开日期 {value} 早于 {since}。")
register("review-date-off-schedule", FINDING, "第{item}项勾选“{declared}”，但召开日期 {value} 早于 {earliest}，不在本学年或上一学年内（复评日期 {as_of}）。")
register("review-date-future", FINDING, "第{item}项的召开日期 {value} 晚于复评日期 {as_of}，与勾选的“{declared}”不符。")
register("review-political-short", FINDING, "第{item}项勾选“{declared}”，但“四”中工作人员 {staff} 人，共青团员与党员合计只有 {value} 人。")
register("review-ratio-below", FINDING, "第{item}项勾选“{declared}”，但“四”中综合排名进入专业前30%的比例为 {value}，未到100%：须其余工作人员都是一年级新生，需核实。")
register("review-units-mismatch", FINDING, "申报二级学生会组织 {value} 个，收到的二级组织自评表为 {found} 份，需核实。")
register("review-org-mismatch", FINDING, "表中的组织名称为“{value}”，与报送材料所在的文件夹“{folder}”不一致，需核实是否为本校的材料。")
register("review-item-missing", FINDING, "表中缺少第{value}项（按 {edition} 版），需核实。")
register("review-not-binding", WARNING, "第{item}项为观测指标（▲），本学年暂不作硬性要求，不计入复评结论。")
