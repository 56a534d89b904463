"""What a person at a terminal sees: progress while the run works, a readable summary at the end (rich), fitted
to the terminal's width (80 columns and less): paths broken at their `/`, counts with their units, 备注 wrapped
as Chinese is; and every name or value from outside shown through `plain`/`shown` (control characters escaped,
no markup read)."""
from __future__ import annotations

import re
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table
from rich.text import Text

from sureform.atomic import printable
from sureform.intake.kinds import KINDS
from sureform.outputs.feedback import feedback_path

PLAIN_LABEL = {"accepted": "已接收", "rejected": "退回", "duplicate": "重复", "reinstated": "重新生效", "skipped": "暂缓"}
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
            bar.update(task, description=STAGE_LABEL.get(stage, "处理中"), completed=done, total=max(total, 1))

        yield progress


def terminal() -> Console:
    """The console a command prints to: no emoji codes (`:warning:` in a file name stays as it is)."""
    return Console(emoji=False)


# ---- text from outside, and lines that break where a reader expects ----------------------------------------
def plain(text: object, style: str = "") -> Text:
    """Text from outside (a name, a value, a message quoting one) for a rich cell or line: control characters
    escaped (`sureform.atomic.printable`), never read as markup (`[red]` in a file name prints as it is)."""
    return Text(printable(text), style=style)


def shown(text: object) -> str:
    """The same, for a string that rich reads as markup."""
    return escape(printable(text))


_OPENING = "（(“‘「『《【〔["
_CLOSING = "，。、；：！？）」』”’》】〕%…,.;:!?)]"
# one unbreakable piece of a line: opening punctuation with what follows; an ASCII word (`.xlsx`, `--edition`), a
# number with the one unit after it (`58人`, `4 项`, `2018年`); any other character; closing punctuation with what
# precedes
_ATOM = re.compile(rf"""[{re.escape(_OPENING)}]*
    (?:[-0-9A-Za-z_\\][0-9A-Za-z_.:/%+\\-]*(?:(?<=[0-9])\s?[^\x00-\x7f\s{re.escape(_OPENING + _CLOSING)}])? | \S)
    [{re.escape(_CLOSING)}]*\s*""", re.X)


def _fold(piece: str, width: int) -> list[str]:
    """A piece wider than the line, cut by cells (only when nothing else fits)."""
    lines, line = [], ""
    for ch in piece:
        if line and cell_len(line + ch) > width:
            lines.append(line)
            line = ""
        line += ch
    return lines + [line] if line else lines


def _pack(pieces: list[str], width: int, indent: int = 0) -> list[str]:
    lines: list[str] = []
    line = ""
    for piece in pieces:
        limit = width - (indent if lines else 0)
        if line and cell_len((line + piece).rstrip()) > limit:
            lines.append(line.rstrip())
            line = ""
            limit = width - indent
        if not line and cell_len(piece.rstrip()) > limit:
            folded = _fold(piece.rstrip(), limit)
            lines += folded[:-1]
            piece = folded[-1] if folded else ""
        line += piece
    if line.strip() or not lines:
        lines.append(line.rstrip())
    return [(" " * indent if i else "") + x for i, x in enumerate(lines)]


def break_text(text: str, width: int, indent: int = 0) -> list[str]:
    """Chinese prose in lines of at most `width` cells (later lines indented by `indent`): a break between two
    characters, never inside a number with its unit (`4 项`, `58人`), a word or an escape, never before closing
    or after opening punctuation."""
    lead = text[: len(text) - len(text.lstrip())]  # a line's own indentation stays
    return _pack(([lead] if lead else []) + (_ATOM.findall(text) or [text]), max(width, indent + 4), indent)


_EXTENSION = re.compile(r"\.[0-9A-Za-z]{1,5}$")


def wrap_path(path: str, width: int, indent: int = 0) -> list[str]:
    """A file's path in lines of at most `width` cells (later lines indented by `indent`), broken after a `/`
    (or before the `（系）` after it), else after a `_`, `-` or space in a name; only a name still wider than the
    line is cut, and then with its extension kept whole (`…名单.xlsx`, never `…名单.|xlsx`)."""
    limit = max(width - indent, 8)
    pieces: list[str] = []
    for part in (p for p in re.split(r"(?<=/)|(?=（)", path) if p):
        if cell_len(part) <= limit:
            pieces.append(part)
            continue
        for sub in (p for p in re.split(r"(?<=[_\- ])", part) if p):
            if cell_len(sub) <= limit:
                pieces.append(sub)
                continue
            folded = _fold(sub, limit)
            ext = _EXTENSION.search(sub)
            if ext and len(folded) > 1 and len(folded[-1]) < len(ext.group()) + 1:
                need = len(ext.group()) + 1 - len(folded[-1])
                folded[-2], folded[-1] = folded[-2][:-need], folded[-2][-need:] + folded[-1]
            pieces += [f + "\n" for f in folded[:-1]] + folded[-1:]  # a cut: the next piece starts a line
    lines: list[str] = []
    for piece in pieces:
        room = width - (indent if lines else 0)
        if lines and not lines[-1].endswith("\n") and cell_len(lines[-1] + piece) <= room:
            lines[-1] += piece
        else:
            lines.append(piece)
    return [(" " * indent if i else "") + x.rstrip("\n") for i, x in enumerate(lines)]


def print_pieces(console: Console, head: str, pieces: list[str], sep: str, indent: int = 2) -> None:
    """`head` then `pieces` joined by `sep`, broken between pieces (a piece wider than a line as prose)."""
    parts = [printable(p) + (sep if i < len(pieces) - 1 else "") for i, p in enumerate(pieces)]
    parts[:1] = [printable(head) + (parts[0] if parts else "")]
    out: list[str] = []
    for part in parts:
        out += [p for p in break_text(part, console.width - indent)] if cell_len(part) > console.width - indent \
            else [part]
    for line in _pack(out, console.width, indent):
        console.print(Text(line), no_wrap=True, overflow="ignore", crop=False)


def print_wrapped(console: Console, text: str, style: str = "", indent: int = 2, path: bool = False) -> None:
    """One logical line (text from outside already in it) broken to the console's width."""
    lines = (wrap_path if path else break_text)(printable(text), console.width, indent)
    for line in lines:
        console.print(Text(line, style=style), no_wrap=True, overflow="ignore", crop=False)


# cells between two columns of a table (the padding right of a cell, the divider): tables have no outer edge
GAP = 2


def _table(title: str, caption: str | None = None) -> Table:
    return Table(title=title, caption=caption, box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, expand=False,
                 padding=(0, 1, 0, 0))


def print_report(report: dict, console: Console | None = None) -> None:
    console = console or terminal()
    files = report["files"]
    if files:
        console.print(files_table(report, console.width))
        for f in files:
            if f["status"] == "skipped" and f.get("reason"):
                segments = re.split(r"(?<=/)", printable(f["path"]))  # the name whole, the reason as prose
                segments[-1] += "："
                for line in _pack(["  ", *segments, *_ATOM.findall(printable(f["reason"]))], console.width, 4):
                    console.print(Text(line, style="dim"), no_wrap=True, overflow="ignore", crop=False)
    else:
        console.print("收件箱中没有新文件。")
    if report.get("items"):
        print_items(report, console)
    if report.get("disclosure"):
        t = _table("四、工作人员汇总（公开文档中的数字）")
        t.add_column("项目")
        t.add_column("数值", justify="right")
        for k, v in report["disclosure"].items():
            t.add_row(plain(k), plain("待补充" if v is None else str(v)))
        console.print(t)
    labels = {k.name: k.label for k in KINDS}
    master = [count_words(k, v, report.get("master_parts"), sep="、\n") if k == "institution"
              else f"{labels.get(k, k)} {count_words(k, v)}" for k, v in report["master"].items()] or ["（空）"]
    print_pieces(console, "汇总数据：", "，\n".join(master).split("\n"), "")
    outputs = report.get("outputs", {})
    for key, label in (("progress", "报送进度"), ("master", "汇总表"), ("filing", "备案表"), ("disclosure", "公开文档")):
        if outputs.get(key):
            print_wrapped(console, f"{label}：{outputs[key]}", path=True)
    if (waiting := documents_line(report)) is not None:
        print_wrapped(console, waiting, style="yellow")
    if outputs.get("feedback"):
        console.print(f"标注文件（{len(outputs['feedback'])} 个，每个有错误、问题或提示的文件一个）：")
        for p in outputs["feedback"]:
            print_wrapped(console, f"  {p}", path=True, indent=4)
    for warning in report.get("warnings", []):
        print_wrapped(console, f"注意：{warning}", style="bold yellow")


def files_table(report: dict, width: int) -> Table:
    """本次处理的文件, fitted to `width`: the other columns as wide as their words, the file column the rest;
    a path broken at its `/`, a count never apart from its unit."""
    rows = []
    for f in report["files"]:
        counts = {s: sum(1 for i in f["issues"] if i["severity"] == s) for s in ("error", "finding", "warning")}
        kind = f.get("kind")
        amounts = count_words(kind, f["rows"], f.get("parts"), sep="\n").split("\n") if f["status"] == "accepted" else []
        rows.append((printable(_shown_path(f)), SHORT_KIND.get(kind, kind or ""), f["status"], amounts, counts))
    kind_w = max([cell_len("类型")] + [cell_len(r[1]) for r in rows])
    status_w = max([cell_len("结果")] + [cell_len(PLAIN_LABEL.get(r[2], r[2])) for r in rows])
    amount_w = max([cell_len("数量")] + [cell_len(a) for r in rows for a in r[3]])
    counts_w = cell_len("错/问/提")
    path_need = max(cell_len(r[0]) for r in rows)
    path_w = width - 4 * GAP - kind_w - status_w - amount_w - counts_w
    if path_w < min(path_need, 28):  # a narrow terminal: a count may go under its label (`二级组织信息` / `18 项`)
        least = max([cell_len("数量")] + [cell_len(p) for r in rows for a in r[3] for p in _label_and_count(a)])
        amount_w = max(least, amount_w - (min(path_need, 28) - path_w))
        path_w = width - 4 * GAP - kind_w - status_w - amount_w - counts_w
    path_w = max(min(path_w, path_need), 12)
    t = _table(f"本次处理的文件（填报日期 {report['as_of']}）", caption="错/问/提：错误、问题、提示各几处")
    t.add_column("文件", width=path_w, no_wrap=True)
    t.add_column("类型", width=kind_w, no_wrap=True)
    t.add_column("结果", width=status_w, no_wrap=True)
    t.add_column("数量", width=amount_w, no_wrap=True)
    t.add_column("错/问/提", width=counts_w, no_wrap=True, justify="center")
    for path, kind, status, amounts, counts in rows:
        amount_lines = [line for a in amounts
                        for line in ([a] if cell_len(a) <= amount_w else _label_and_count(a))]
        t.add_row(Text("\n".join(wrap_path(path, path_w))), plain(kind), STATUS_LABEL.get(status, shown(status)),
                  Text("\n".join(amount_lines)),
                  "/".join((_n(counts["error"], "red"), _n(counts["finding"], "yellow"), _n(counts["warning"], "dim"))))
    return t


def _label_and_count(amount: str) -> list[str]:
    """`二级组织信息 18 项` → [`二级组织信息`, `18 项`]: where a count may go under its label, never apart from its unit."""
    m = re.match(r"(.*\S)\s+(\d.*)$", amount)
    return [m.group(1), m.group(2)] if m else [amount]


def print_items(report: dict, console: Console) -> None:
    """The verdicts as the edition numbers and words them: the 校级 table, then one table per 院系 union; the
    header fields and the 院系 that sent nothing."""
    header = report.get("header") or {}
    if header:
        for k, v in header.items():
            print_wrapped(console, f"{HEADER_LABEL.get(k, k)}：{_header_value(v)}", path=k == "link")
    groups: dict[tuple[str, str | None], list[dict]] = {}
    for it in report["items"]:
        groups.setdefault((it.get("table") or "校级", it.get("unit")), []).append(it)
    edition = report.get("edition") or {}
    titles = edition.get("tables") or {}
    for (table, unit), items in groups.items():
        # the edition's own words: its table's title (（一）校级学生会组织改革自评表), else the form's title
        named = titles.get(table) or (edition.get("title") if table == "校级" else "") or f"{table}学生会组织"
        title = f"{named}（{unit}）" if unit else named
        ids = [f"{it.get('mark') or ''}{it['id']}" for it in items]
        id_w = max([cell_len("项目")] + [cell_len(printable(i)) for i in ids])
        verdict_w = max([cell_len("结论")] + [cell_len(printable(it["verdict"])) for it in items])
        note_w = max(console.width - 2 * GAP - id_w - verdict_w, 12)
        t = _table(printable(title))
        t.add_column("项目", width=id_w, no_wrap=True)
        t.add_column("结论", width=verdict_w, no_wrap=True)
        t.add_column("备注", width=note_w, no_wrap=True)
        for shown_id, it in zip(ids, items):
            passed = it.get("passed", {"达标": True, "未达标": False}.get(it["verdict"]))
            style = "dim" if passed is False and it.get("binding") is False else VERDICT_STYLE[passed]
            note = "\n".join(break_text(printable(it.get("note") or ""), note_w))
            t.add_row(plain(shown_id), plain(it["verdict"], style), Text(note))
        console.print(t)
    if report.get("units_missing"):
        print_pieces(console, "未报送二级学生会组织材料的院系：", report["units_missing"], "、")


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
    `石油工程系/工作人员名单.xlsx：已接收，12 人；退回标注：outbox/反馈/…`"""
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
        mark = feedback_path(Path("."), folder or "校团委", name).name  # the name as written (made safe)
        marks = [p for p in feedback if p.endswith(f"/{folder}/{mark}")] or \
                [p for p in feedback if not folder and p.endswith(f"/{mark}")]
        line = f"{f['path']}：{'，'.join(parts)}"
        if marks:
            line += f"；{'退回标注' if f['status'] == 'rejected' else '标注'}：{marks[0]}"
        lines.append(line)
    return lines


RUN_COUNTS = (("accepted", "已接收"), ("reinstated", "重新生效"), ("rejected", "退回"), ("duplicate", "重复"),
              ("skipped", "暂缓"))


def run_line(report: dict) -> str:
    """The one line a run ends with in serve's log: `本次收件处理完成：16 个文件，已接收 15 个、退回 1 个；
    待整改问题 3 处`."""
    files = report.get("files", [])
    said = "、".join(f"{label} {n} 个" for status, label in RUN_COUNTS
                    if (n := sum(1 for f in files if f["status"] == status)))
    line = f"本次收件处理完成：{len(files)} 个文件" + (f"，{said}" if said else "")
    if report.get("outputs", {}).get("master"):
        line += f"；汇总表：{report['outputs']['master']}"
    return line
