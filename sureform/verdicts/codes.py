"""Issue types the verdicts raise on the master as a whole (registered beside the readers' ones).

Findings break an item; warnings say what is missing or uncertain. Templates are Chinese, for the
league office; `{value}` is the cell's value.
"""
from __future__ import annotations

from ..issues import FINDING, WARNING, register

# item 1
register("duty-administrative", FINDING, "学生会不得承担宿舍管理、校园文明纠察、安全保卫等行政职能，{department}的职责却含“{keywords}”：请调整部门职责，或由校团委填写复核说明。职责原文：“{value}”", item="1")
register("duty-reviewed", WARNING, "{department}的职责含“{keywords}”，校团委复核说明：{note}", item="1")
# item 2
register("department-level-forbidden", FINDING, "部门“{value}”设置了“{keyword}”层级。工作机构应为“主席团+工作部门”，不得设置“中心”“项目办公室”等常设层级。", item="2")
register("department-sub-level", FINDING, "部门“{value}”是“{parent}”之下的层级。工作部门之下不得再设常设层级。", item="2")
# item 7
register("candidate-form-missing", WARNING, "主席团成员{name}（{post}）没有主席团候选人预备人选推荐表，无法核实其产生程序。请所在系提交推荐表。", item="7")
register("candidate-step-missing", FINDING, "推荐表未填写“{step}”的{what}：审核程序不完整。", item="7")
register("candidate-step-refused", FINDING, "“{step}”的结果为“{value}”，未获通过。", item="7")
register("candidate-steps-out-of-order", FINDING, "“{step}”的日期 {value} 早于前一步“{previous}”的日期 {previous_date}，程序顺序不对。", item="7")
register("candidate-step-during-publicity", FINDING, "“{step}”的日期 {value} 不在公示期满（{end}）之后：须公示无异议后再进行。", item="7")
register("publicity-too-short", FINDING, "公示自 {start} 至 {end} 仅 {days} 个工作日，须不少于 {minimum} 个工作日。", item="7")
register("publicity-objection", FINDING, "公示结果为“{value}”，须为“无异议”。", item="7")
register("workdays-uncertain", WARNING, "{value}", item="7")
# item 8
register("presidium-not-elected-by-congress", FINDING, "主席团由“{value}”选举产生。须由学生代表大会本身选举产生，不得由其委员会、常务委员会、常任代表会议等选举。", item="8")
# item 9
register("congress-too-old", FINDING, "最近一次校级学生代表大会召开于 {value}，早于 {since}。", item="9")
register("congress-missing", FINDING, "机构信息中没有校级学生代表大会的记录。", item="9")
# item 10
register("delegate-not-recommended", FINDING, "代表{name}未填写推荐团支部：代表须经班级团支部推荐。", item="10")
register("delegate-not-elected", FINDING, "代表{name}未填写选举单位：代表须由学院（系）组织选举产生。", item="10")
register("delegates-too-few", FINDING, "学代会代表 {value} 人，少于全校学生人数 {students} 的 {share}（{minimum} 人）。", item="10")
register("unit-without-delegate", FINDING, "“{value}”没有学代会代表。", item="10")
# item 11
register("study-measure-missing", FINDING, "机构信息中没有注明日期的学习贯彻全国学联二十七大精神的举措。", item="11")
# item 12
register("council-students-not-majority", FINDING, "评议会 {value} 人中学生代表 {students} 人，未超过半数。", item="12")
register("report-missing", FINDING, "{name}（{post}）在{semester}没有述职评议记录。主席团成员和工作部门负责人每学期须向评议会述职。", item="12")
# item 13
register("nominee-without-result", FINDING, "{name}被提名“{category}”，但没有述职评议结果：提名须依据评议结果。", item="13")
register("nominee-below-peer", FINDING, "{name}被提名“{category}”（评议结果 {value}），低于未被提名的{peer}（{peer_result}）。", item="13")
# item 14
register("party-plan-missing", FINDING, "未记录学生会组织建设纳入学校党建工作整体规划。", item="14")
register("party-report-missing", FINDING, "{since}以来没有学校党委听取学生会组织工作汇报的记录。", item="14")
# item 15
register("responsible-missing", FINDING, "未明确{category}。", item="15")
register("responsible-not-full-time", FINDING, "{category}{value}不是专职团干。", item="15")
