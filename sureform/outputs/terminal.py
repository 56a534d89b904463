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
                "reinstated": "[green]重新生效[/]", "skipped": "[dim]暂缓[/]"}
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
        t = Table(title=f"本次处理的文件（填报日期 {report['as_of']}）", show_lines=False, expand=False,
                  caption="错/问/提：错误、问题、提示各几处")
        t.add_column("文件", overflow="fold", ratio=1, min_width=16)
        for col in ("类型", "结果", "数量"):  # 数量 of a 机构信息 file: one line per sheet
            t.add_column(col, no_wrap=True)
        t.add_column("错/问/提", no_wrap=True, justify="center")
        for f in files:
            counts = {s: sum(1 for i in f["issues"] if i["severity"] == s) for s in ("error", "finding", "warning")}
            kind = f.get("kind")
            t.add_row(escape(_shown_path(f)), SHORT_KIND.get(kind, kind or ""), STATUS_LABEL.get(f["status"], f["status"]),
                      count_words(kind, f["rows"], f.get("parts"), sep="\n") if f["status"] == "accepted" else "",
                      "/".join((_n(counts["error"], "red"), _n(counts["finding"], "yellow"), _n(counts["warning"], "dim"))))
        console.print(t)
        for f in files:
            if f["status"] == "skipped" and f.get("reason"):
                console.print(f"  [dim]{escape(f['path'])}：{escape(f['reason'])}[/]")
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
    master = "，".join(count_words(k, v, report.get("master_parts")) if k == "institution"
                      else f"{labels.get(k, k)} {count_words(k, v)}" for k, v in report["master"].items()) or "（空）"
    console.print(f"汇总数据：{master}")
    outputs = report.get("outputs", {})
    for key, label in (("progress", "报送进度"), ("master", "汇总表"), ("filing", "备案表"), ("disclosure", "公开文档")):
        if outputs.get(key):
            console.print(f"{label}：{outputs[key]}")
    if (waiting := documents_line(report)) is not None:
        console.print(f"[yellow]{escape(waiting)}[/]")
    if outputs.get("feedback"):
        console.print(f"标注文件（{len(outputs['feedback'])} 个，每个有错误、问题或提示的文件一个）：")
        for p in outputs["feedback"]:
            console.print(f"  {p}")
    for warning in report.get("warnings", []):
        console.print(f"[bold yellow]注意：{escape(warning)}[/]")


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
    edition = report.get("edition") or {}
    titles = edition.get("tables") or {}
    for (table, unit), items in groups.items():
        # the edition's own words: its table's title (（一）校级学生会组织改革自评表), else the form's title
        named = titles.get(table) or (edition.get("title") if table == "校级" else "") or f"{table}学生会组织"
        title = f"{named}（{unit}）" if unit else named
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


# short kind names for an 80-column table, and what one record of each kind is called
SHORT_KIND = {"roster": "校级名单", "unit_roster": "院系名单", "candidate": "推荐表", "score": "评分表",
              "institution": "机构信息", "document": "制度文件"}
COUNT_UNIT = {"roster": "人", "unit_roster": "人", "candidate": "人", "score": "条评分", "institution": "项",
              "document": "份"}


# a 机构信息 workbook counted by what its sheets hold: `部门设置 6 个、评议会成员 11 人`
PART_WORDS = {"basic": ("基本信息", "项"), "departments": ("部门设置", "个"), "congress": ("学代会", "次"),
              "council": ("评议会成员", "人"), "party_reports": ("党委听取汇报", "次"), "party_plan": ("党建规划", "项"),
              "study_measures": ("学习贯彻举措", "项"), "responsible": ("指导责任人", "人"),
              "delegates": ("学代会代表", "人"), "nominations": ("评奖评优提名", "人"),
              "unit_facts": ("二级组织信息", "项"), "self_assessment": ("自评补充", "项")}


def count_words(kind: str | None, n: int, parts: dict[str, int] | None = None, sep: str = "、") -> str:
    """`12 人`, `3 条评分`, `部门设置 6 个、评议会成员 11 人`: a number in the words people use for that kind."""
    if parts:
        words = {t: PART_WORDS.get(t, (t, "项")) for t in parts}
        return sep.join(f"{words[t][0]} {k} {words[t][1]}" for t, k in parts.items())
    return f"{n} {COUNT_UNIT.get(kind or '', '条')}"


def _shown_path(f: dict) -> str:
    """The path as the sender knows it; `系/文件` already says the unit, else the unit is put in front."""
    path, unit = f["path"], f.get("unit")
    return path if not unit or path.startswith(f"{unit}/") else f"{path}（{unit}）"


def _header_value(v) -> str:
    if isinstance(v, bool):
        return "是" if v else "否"
    return "待补充" if v in (None, "") else str(v)


def _n(n: int, style: str) -> str:
    return f"[{style}]{n}[/]" if n else "0"


def documents_line(report: dict) -> str | None:
    """Why the documents were not rewritten: files still being written, to be read by a later run."""
    waiting = report.get("documents_waiting") or []
    if not waiting:
        return None
    return f"备案表和公开文档暂不更新：{len(waiting)} 个文件可能仍在写入，读取后再生成。"


PLAIN_STATUS = {"accepted": "已接收", "rejected": "退回（未接收）", "duplicate": "重复（未重复计入）",
                "reinstated": "重新生效（以最后收到的为准）", "skipped": "跳过", "arriving": "尚未写完，稍后再处理"}


def file_lines(report: dict) -> list[str]:
    """One Chinese line per file for a log (`sureform serve`): what happened to it and where its marks are.
    `石油工程系/工作人员名单.xlsx：已接收，12 人；退回标注：outbox/退回/…`"""
    feedback = report.get("outputs", {}).get("feedback", [])
    lines = []
    for f in report.get("files", []):
        parts = [PLAIN_STATUS.get(f["status"], f["status"])]
        if f["status"] == "accepted":
            parts[0] += f"，{count_words(f.get('kind'), f.get('rows', 0), f.get('parts'))}"
        counts = [(label, sum(1 for i in f.get("issues", []) if i["severity"] == sev))
                  for sev, label in (("error", "错误"), ("finding", "问题"), ("warning", "提示"))]
        said = "、".join(f"{label} {n} 处" for label, n in counts if n and not (label == "提示" and f["status"] in ("duplicate", "reinstated")))
        if said:
            parts.append(said)
        if f["status"] == "skipped" and f.get("reason"):
            parts.append(f["reason"])
        if f.get("kind_label"):
            parts.append(f"按“{f['kind_label']}”读取")
        name = f["path"].rsplit("/", 1)[-1]
        folder = f.get("unit") or (f["path"].split("/", 1)[0] if "/" in f["path"] else "")
        marks = [p for p in feedback if f"/{folder}/{name}_错误标注" in p] or \
                [p for p in feedback if not folder and f"/{name}_错误标注" in p]
        line = f"{f['path']}：{'，'.join(parts)}"
        if marks:
            line += f"；{'退回标注' if f['status'] == 'rejected' else '标注'}：{marks[0]}"
        lines.append(line)
    return lines
