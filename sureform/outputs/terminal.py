"""What a person at a terminal sees: progress while the run works, a readable summary at the end (rich)."""
from __future__ import annotations

from contextlib import contextmanager
from typing import Callable, Iterator

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from sureform.intake.kinds import KINDS

STATUS_LABEL = {"accepted": "[green]已接收[/]", "rejected": "[red]退回[/]", "duplicate": "[yellow]重复[/]",
                "skipped": "[dim]暂缓[/]"}
VERDICT_STYLE = {True: "green", False: "red", None: "yellow"}  # by `passed`; a ▲ not yet binding: dim
HEADER_LABEL = {"units": "二级学生会组织数量", "reviewed": "是否已由省级团委、学联核查（复评）", "link": "自评公开链接"}
STAGE_LABEL = {"scan": "扫描收件箱", "read": "读取文件", "validate": "校验", "commit": "写入汇总数据",
               "feedback": "生成退回标注", "consolidate": "汇总与评估", "outputs": "生成文档"}


@contextmanager
def progress_bar() -> Iterator[Callable[[str, int, int], None]]:
    """A progress bar on stderr while the block runs; yields the `progress(stage, done, total)` to call."""
    console = Console(stderr=True)
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=console,
                  transient=True) as bar:
        task = bar.add_task("开始", total=1)

        def progress(stage: str, done: int, total: int) -> None:
            bar.update(task, description=STAGE_LABEL.get(stage, stage), completed=done, total=max(total, 1))

        yield progress


def print_report(report: dict, console: Console | None = None) -> None:
    console = console or Console()
    files = report["files"]
    if files:
        t = Table(title=f"本次处理的文件（填报日期 {report['as_of']}）", show_lines=False)
        kind_label = {k.name: k.label for k in KINDS}
        t.add_column("文件", overflow="fold")
        for col in ("单位", "类型", "结果", "行数", "错误", "问题", "提示"):
            t.add_column(col)
        for f in files:
            counts = {s: sum(1 for i in f["issues"] if i["severity"] == s) for s in ("error", "finding", "warning")}
            t.add_row(f["path"], f.get("unit") or "", kind_label.get(f.get("kind"), f.get("kind") or ""), STATUS_LABEL.get(f["status"], f["status"]),
                      str(f["rows"]), _n(counts["error"], "red"), _n(counts["finding"], "yellow"), _n(counts["warning"], "dim"))
        console.print(t)
        for f in files:
            if f["status"] == "skipped" and f.get("reason"):
                console.print(f"  [dim]{f['path']}：{f['reason']}[/]")
    else:
        console.print("收件箱中没有新文件。")
    if report.get("items"):
        print_items(report, console)
    if report.get("disclosure"):
        t = Table(title="四、工作人员汇总（公开文档中的数字）")
        t.add_column("项目")
        t.add_column("数值", justify="right")
        for k, v in report["disclosure"].items():
            t.add_row(k, "待补充" if v is None else str(v))
        console.print(t)
    labels = {k.name: k.label for k in KINDS}
    master = "，".join(f"{labels.get(k, k)} {v} 行" for k, v in report["master"].items()) or "（空）"
    console.print(f"汇总数据：{master}")
    outputs = report.get("outputs", {})
    for key, label in (("master", "汇总表"), ("filing", "备案表"), ("disclosure", "公开文档")):
        if outputs.get(key):
            console.print(f"{label}：{outputs[key]}")
    if outputs.get("feedback"):
        console.print(f"退回标注文件（{len(outputs['feedback'])} 个）：")
        for p in outputs["feedback"]:
            console.print(f"  {p}")


def print_items(report: dict, console: Console) -> None:
    """The verdicts as the edition numbers and words them: the 校级 table, then one table per 院系 union; the
    header fields and the 院系 that sent nothing."""
    header = report.get("header") or {}
    if header:
        for k, v in header.items():
            console.print(f"{HEADER_LABEL.get(k, k)}：{_header_value(v)}")
    groups: dict[tuple[str, str | None], list[dict]] = {}
    for it in report["items"]:
        groups.setdefault((it.get("table") or "校级", it.get("unit")), []).append(it)
    for (table, unit), items in groups.items():
        title = "评估备案表（自动判定）" if (table, unit) == ("校级", None) and len(groups) == 1 \
            else f"{table}学生会组织：{unit}（自动判定）" if unit else f"{table}学生会组织（自动判定）"
        t = Table(title=title)
        t.add_column("项目")
        t.add_column("结论")
        t.add_column("备注")
        for it in items:
            passed = it.get("passed", {"达标": True, "未达标": False}.get(it["verdict"]))
            style = "dim" if passed is False and it.get("binding") is False else VERDICT_STYLE[passed]
            t.add_row(f"{it.get('mark') or ''}{it['id']}", f"[{style}]{escape(str(it['verdict']))}[/]",
                      escape(it.get("note") or ""))
        console.print(t)
    if report.get("units_missing"):
        console.print(f"未报送二级学生会组织材料的院系：{'、'.join(report['units_missing'])}")


def _header_value(v) -> str:
    if isinstance(v, bool):
        return "是" if v else "否"
    return "待补充" if v in (None, "") else str(v)


def _n(n: int, style: str) -> str:
    return f"[{style}]{n}[/]" if n else "0"
