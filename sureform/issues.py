"""The one issue record that flows from the readers to the JSON, the feedback workbook and the evidence.

Each kind of problem is an `IssueType` (a stable kebab-case code, a severity, a Chinese message
template and the reform item it bears on), registered in `ISSUE_TYPES`. Code builds issues with
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
    item: str | None = None


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


def register(code: str, severity: str, template: str, item: str | None = None) -> IssueType:
    if severity not in SEVERITIES:
        raise ValueError(severity)
    t = IssueType(code, severity, template, item)
    ISSUE_TYPES[code] = t
    return t


def _display(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    s = str(value)
    return s


def make_issue(code: str, location: Location | None = None, value: Any = None, **params: Any) -> Issue:
    """Build an issue of a registered type; the template is filled with value and params."""
    t = ISSUE_TYPES[code]
    loc = location or Location()
    shown = _display(value)
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
        item=t.item,
    )


def has_errors(issues) -> bool:
    return any(i.severity == ERROR for i in issues)


# ---- the registry: every code the program can emit -------------------------------------------
# reading
register("file-unreadable", ERROR, "文件无法打开：{reason}。请用 Excel 或 WPS 另存为 .xlsx 后重新提交。")
register("file-arriving", WARNING, "文件可能还没有复制完（无法打开或正在变化，且最近 {minutes} 分钟内有改动），留在收件文件夹中，稍后自动再处理。")
register("file-empty", ERROR, "文件中没有任何数据。请确认填写在第一个工作表并保存后重新提交。")
register("kind-unknown", ERROR, "无法识别这是哪一种材料（未找到“学号”“职务”等表头或推荐表栏目）。请使用 sureform 模板填写后重新提交。")
register("header-not-found", ERROR, "未找到表头行。请确认表头包含：{expected}。")
register("column-missing", ERROR, "缺少必填列“{column}”。请在表头中加上“{column}”一列（可用名称：{synonyms}）。")
register("column-duplicated", WARNING, "表头“{column}”出现了不止一次，已使用第一列 {first}，忽略 {cell}。")
register("unit-unknown", ERROR, "无法确定所属系：文件不在系名子文件夹中，表中也没有“院系”列。请把文件放入 inbox/<系名>/ 子文件夹，或加上“院系”列。")
register("unit-mismatch", WARNING, "本行院系“{value}”与文件所在文件夹“{unit}”不一致，已按文件夹“{unit}”计入。")
register("value-missing", ERROR, "“{column}”不能为空。请填写后重新提交。")
register("student-id-invalid", ERROR, "学号“{value}”不是有效学号：学号应为 6–20 位数字（可含字母）。请核对后重新填写。")
register("student-id-precision-lost", ERROR, "学号“{value}”是以数字格式保存的，超过 15 位后末尾几位已丢失。请把该列设置为“文本”格式后重新输入完整学号。")
register("student-id-leading-zero-lost", WARNING, "学号“{value}”是以数字格式保存的，比本表其他学号（{usual} 位）短，开头的 0 可能已丢失。请把该列设置为“文本”格式后重新输入完整学号。")
register("student-id-duplicated", ERROR, "学号“{value}”在本文件中重复出现（另见第 {other_row} 行）。同一人只能填写一行，请删除重复行。")
register("date-invalid", ERROR, "“{value}”不是有效日期。请写成 2020-10-15、2020年10月15日 或 2020/10/15。")
register("year-invalid", ERROR, "入学年份“{value}”无法识别。请写成 2024 或 2024级。")
register("rank-invalid", ERROR, "成绩排名“{value}”无法识别。请写成 3/45、6.7%、0.067 或 前10%。")
register("rank-exceeds-size", ERROR, "排名 {rank} 大于专业人数 {size}。请核对排名和专业人数。")
register("number-invalid", ERROR, "“{value}”不是有效数字。请填写整数，例如 0。")
register("yes-no-invalid", ERROR, "“{value}”无法识别为是/否。请填写“是”或“否”（也可用 √、✓、Y、N）。")
register("choice-invalid", ERROR, "“{value}”不是可选值。可选：{allowed}。")
register("formula-no-value", ERROR, "该单元格是公式，但文件中没有保存计算结果。请在 Excel/WPS 中打开、重新计算并保存后再提交。")
register("formula-cached-zero", WARNING, "该单元格是公式，文件中保存的结果为 0。若文件未在 Excel/WPS 中重新计算，这个 0 可能不是真实结果，请核实。")
# roster: reform findings
register("post-not-allowed", FINDING, "职务“{value}”不在允许的职务之中（{allowed}）。学生会不得设置其他职务：请改为其中之一，或将此人移出工作人员名单。", item="4")
register("political-status-not-allowed", FINDING, "政治面貌“{value}”不符合要求：学生会工作人员须为中共党员、中共预备党员或共青团员。", item="5")
register("rank-above-limit", FINDING, "成绩排名{value}（{percent}）超出本专业前30%，非一年级新生的工作人员须在本专业前30%以内。", item="6")
register("rank-missing", FINDING, "非一年级新生（入学年份：{year}）未填写成绩排名，无法核实是否在本专业前30%以内。请补填“成绩排名”和“专业人数”。", item="6")
register("failed-course", FINDING, "有 {value} 门课业不及格。学生会工作人员不得有课业不及格情况。", item="6")
register("discipline-record", FINDING, "违纪情况为“{value}”。请核实；存在违纪行为的学生不宜担任学生会工作人员。", item="6")
register("department-not-declared", FINDING, "所在部门“{value}”不在机构信息“部门设置”中（已设置：{declared}）。", item="2")
register("recommendation-missing", FINDING, "未填写“{missing}”。工作部门成员须由院系团组织推荐并经审核，请补填。", item="7")
register("person-on-two-rosters", FINDING, "学号 {value}（{name}）同时出现在“{other_unit}”的名单中（{other_file}）。同一人只能由一个系报送，请与该系核对后删除其中一行。")
# intake
register("file-duplicate", WARNING, "与 {received} 已收到的文件内容完全相同，未重复计入。")
register("file-unsupported", WARNING, "不支持的文件类型“{value}”，已忽略。请提交 .xlsx、.xls、.xlsm 或 .csv 文件。")
register("document-role-unknown", ERROR, "无法判断这份 Word 文件是哪一种材料。标题中应含“章程”“候选人产生办法/选举办法”或“述职评议办法”。")
# candidate forms, score sheets, institution facts
register("publicity-period-invalid", ERROR, "公示期间“{value}”无法识别。请分别填写“公示开始日期”和“公示结束日期”，或写成 2020年9月7日至2020年9月11日。")
register("score-invalid", ERROR, "“{value}”不是有效分数。请填写 0 到满分之间的数字。")
register("score-above-maximum", ERROR, "“{column}”得分 {value} 超过该项满分 {maximum} 分。请核对后重新填写。")
register("score-negative", ERROR, "“{column}”得分 {value} 小于 0。请核对后重新填写。")
register("score-row-duplicated", ERROR, "评议人“{rater}”对“{person}”的评分在本文件中重复出现（另见第 {other_row} 行）。每位评议人对每人只能评一次，请删除重复行。")
register("rater-category-invalid", ERROR, "评议人类别“{value}”不是可选值。可选：{allowed}。")
register("review-date-outside-last-month", WARNING, "评议日期 {value} 不在{semester}的最后一个月（{window}）。述职评议一般在每学期的最后一个月进行，请核实。", item="12")
register("sheet-missing", ERROR, "缺少必需的工作表“{sheet}”（应含表头：{expected}）。请使用机构信息模板填写后重新提交。")
register("semester-invalid", ERROR, "学期“{value}”无法识别。请写成 2020-2021学年第一学期。")
