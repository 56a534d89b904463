"""Outputs: what people get.

`feedback` (a sender's own workbook with the bad cells marked), `workbook` and `workbook_sheets` (汇总.xlsx
for the league office), `documents/` (the 备案表 and the 改革情况公开 in Word), `templates/` (blank forms for the
departments), `terminal` (progress and the summary at a terminal), `edition_files` (`sureform editions
list|show|import`: the editions, and a blank form written as a local edition file).

May import: the foundation, `sureform.intake`, `sureform.checks`, `sureform.rules`. Never pipeline or flows.
"""
