"""`sureform editions list|show|import`: the editions a run can use, one edition's items, and a blank form
imported as a local edition file (`editions/NAME.toml` beside the settings file) for review.

The recognition itself is `sureform.rules.form_import`; here the file is written and the tables printed.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from rich.cells import cell_len
from rich.console import Console
from rich.text import Text

from sureform.atomic import atomic_path, printable
from sureform.config import find_config_file
from sureform.editions import (EDITIONS_DIR, LOCAL_DIR, Catalogue, available_editions, edition_path, load_catalogue,
                               local_editions)
from sureform.intake.form_tables import FormUnreadable
from sureform.intake.grid import ReadLimits
from sureform.intake.values import chinese_date
from sureform.issues import ISSUE_TYPES
from sureform.outputs.terminal import break_text, print_wrapped, terminal, wrap_path
from sureform.rules.form_import import (MAX_ITEMS_PER_TABLE, MAX_NAME, edition_from_form, edition_toml, form_findings,
                                        name_problem, read_form)
from sureform.rules.library import RULE_KINDS, RULE_LABELS, EditionError, check_edition

MANUAL = "人工判定"
SHORT = 28


def settings_folder(config: Path | None = None, cwd: Path | None = None) -> Path:
    """The folder of the settings file (sureform.toml, --config or SUREFORM_CONFIG), else the current folder."""
    cwd = Path.cwd() if cwd is None else Path(cwd)
    file = find_config_file(config, os.environ, cwd)
    return file.parent if file is not None else cwd


def short(text: str, width: int = SHORT) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def issue_words(code: str) -> str:
    """A problem named as its message starts, without the code: `post-not-allowed` → `职务“…”不是学生会可设置的
    职务（…）`: the template's first clause (outside brackets and quotes), each blank as `…`."""
    issue = ISSUE_TYPES.get(code)
    if issue is None:
        return "其他问题"
    text = re.sub(r"\{[^{}]*\}", "…", issue.template)
    depth = 0
    for i, ch in enumerate(text):
        depth += ch in "（(“「" and 1 or (-1 if ch in "）)”」" else 0)
        if depth <= 0 and ch in "。；：，":
            return text[:i].strip()
    return text.strip()


def param_words(rule: str | None, name: str, value) -> str | None:
    """One parameter in words: `上限（含）：40`, `公示的最少工作日数：5`, `使本项不达标的问题：职务“…”不是…`;
    None for the wording of a 备注 (`reason`), which is not a limit."""
    if "reason" in name:
        return None
    kind = RULE_KINDS.get(rule or "")
    param = kind.param(name) if kind else None
    label = param.doc.replace("问题代码", "问题") if param else name
    kind_of = param.type if param else ""
    if kind_of == "codes" or (isinstance(value, list) and name.endswith("codes")):
        shown = "；".join(issue_words(str(c)) for c in value)
    elif isinstance(value, list):
        shown = "、".join(str(x) for x in value)
    elif isinstance(value, bool):
        shown = "是" if value else "否"
    elif kind_of == "ratio" and isinstance(value, (int, float)):
        shown = f"{value * 100:g}%"
    elif kind_of == "date":
        try:
            shown = chinese_date(date.fromisoformat(str(value)))
        except ValueError:
            shown = str(value)
    else:
        shown = str(value)
    return f"{label}：{shown}"


def rule_text(rule: str | None, params: dict) -> str:
    """`工作人员人数不超过上限（上限（含）：40；…）` in words, or 人工判定: never the rule kind's code."""
    if not rule:
        return f"{MANUAL}（由校团委在“自评补充”中填写结论）"
    shown = [w for k, v in params.items() if (w := param_words(rule, k, v))]
    return RULE_LABELS.get(rule, RULE_KINDS[rule].doc if rule in RULE_KINDS else "未知的规则") + \
        (f"（{'；'.join(shown)}）" if shown else "")


def note_example(note: str | None, params: dict) -> str | None:
    """A 备注 pattern as it will read: `实有{n}人` → `实有40人` (the limit, or 12), `召开日期为：{date}` →
    `召开日期为：2020年11月16日`."""
    if not note:
        return None
    n = params.get("limit") if isinstance(params.get("limit"), int) else 12
    try:
        return note.format(n=n, date=chinese_date(date(2020, 11, 16)))
    except (KeyError, IndexError, ValueError):
        return note


def print_items(console: Console, items: list[tuple[str, str, str, str | None, dict, str | None]]) -> None:
    """Each item as a block that reads at 80 columns: number and text, then its rule with the parameters in
    words, then its 备注 as an example."""
    if not items:
        return
    width = max(cell_len(printable(mark + number)) for mark, number, *_ in items)
    indent = width + 2
    for mark, number, text, rule, params, note in items:
        label = printable(mark + number)
        head = label + " " * (indent - cell_len(label))
        pad = " " * indent
        lines = break_text(head + printable(" ".join(text.split())), console.width, indent)
        rule_line = RULE_LABELS.get(rule or "", RULE_KINDS[rule].doc if rule in RULE_KINDS else "") if rule else \
            f"{MANUAL}（由校团委在“自评补充”中填写结论）"
        lines += break_text(f"{pad}规则：{printable(rule_line)}", console.width, indent + 3)
        for words in (w for k, v in (params or {}).items() if rule and (w := param_words(rule, k, v))):
            lines += break_text(f"{pad}  {printable(words)}", console.width, indent + 4)
        example = note_example(note, params or {})
        if example:
            lines += break_text(f"{pad}备注：如“{printable(example)}”", console.width, indent + 3)
        for line in lines:
            console.print(Text(line, style="bold" if not rule and MANUAL in line else ""), no_wrap=True,
                          overflow="ignore", crop=False)


def resolve(name: str, folder: Path) -> Path:
    """The file of a built-in or local edition, or an edition file's path (EditionError when there is none)."""
    path = edition_path(name, local=folder)
    if not path.is_file():
        known = available_editions() + list(local_editions(folder))
        raise EditionError(f"没有备案表版本“{name}”；可用的版本：{'、'.join(known)}（本地版本在 {folder / LOCAL_DIR}）")
    return path


@dataclass
class ImportPlan:
    """A blank form read and turned into an edition, not yet written: what `editions import` shows first."""

    form: Path
    dest: Path
    edition: dict
    warnings: list[str] = field(default_factory=list)  # odd numbering, rows not understood: stop unless --force
    notes: list[str] = field(default_factory=list)  # what was inferred (wrapped rows, words from the layout…)


def import_limits(config: Path | None = None) -> ReadLimits:
    """The inbox's limits (zip member size and ratio) from the settings, for the form too."""
    from sureform.config import load_settings

    return ReadLimits(**load_settings(config_path=config).read_limits())


def plan_import(form: Path, folder: Path, name: str | None = None, force: bool = False,
                limits: ReadLimits | None = None) -> ImportPlan:
    """Read the blank form and make its edition (EditionError, Chinese, when it cannot be imported at all)."""
    form = Path(form)
    if not form.is_file():
        raise EditionError(f"找不到空白表文件 {form}")
    name = name or form.stem[:MAX_NAME]
    problem = name_problem(name)
    if problem:
        raise EditionError(problem)
    dest = folder / LOCAL_DIR / f"{name}.toml"
    if dest.exists() and not force:
        raise EditionError(f"{dest} 已经存在；核对后如需重新导入覆盖它，请加 --force")
    try:
        blank = read_form(form, limits)
    except FormUnreadable as exc:
        raise EditionError(f"无法读取空白表 {form.name}：{exc.reason}") from None
    if not any(t.rows for t in blank.tables):
        where = "（已查找正文、表格内的表格和文本框）"
        raise EditionError(f"在 {form.name} 中没有找到项目表{where}：表头应有“项目”或“指标”列和“结论”列")
    for table in blank.tables:
        if len(table.rows) > MAX_ITEMS_PER_TABLE:
            raise EditionError(f"{form.name} 的“{table.title or '项目表'}”有 {len(table.rows)} 项，超过每表 "
                               f"{MAX_ITEMS_PER_TABLE} 项的上限，不像是一份备案表或自评表")
    warnings, notes = form_findings(blank)
    return ImportPlan(form, dest, edition_from_form(blank, name), warnings, notes)


def write_import(plan: ImportPlan) -> Path:
    """Write the planned edition file, checked as a run checks it (never a file a run would refuse)."""
    with atomic_path(plan.dest) as tmp:
        tmp.write_text(edition_toml(plan.edition), encoding="utf-8")
        check_edition(load_catalogue(str(tmp)))
    load_catalogue(str(plan.dest))  # the name now resolves to this file in this process
    return plan.dest


def import_form(form: Path, folder: Path, name: str | None = None, force: bool = False,
                limits: ReadLimits | None = None) -> tuple[Path, dict]:
    """Read the blank form, write `editions/NAME.toml` in `folder`; the written file and the edition dict.
    A form whose numbering is odd is refused (EditionError naming what) unless `force`."""
    plan = plan_import(form, folder, name, force, limits)
    if plan.warnings and not force:
        raise EditionError(f"{Path(form).name} 读取时发现问题：{'；'.join(plan.warnings)}（核对后如确认无误，请加 --force）")
    return write_import(plan), plan.edition


def print_import(dest: Path, edition: dict, console: Console | None = None, warnings: list[str] = (),
                 notes: list[str] = (), written: bool = True) -> None:
    console = console or terminal()
    print_wrapped(console, f"从空白表导入的版本 {edition['edition']}：{edition['title']}", indent=2)
    tables = [t.get("id", "校级") for t in edition.get("tables", [])] or ["校级"]
    for table in tables + sorted({it.get("table", "校级") for it in edition["items"]} - set(tables)):
        items = [it for it in edition["items"] if it.get("table", "校级") == table]
        if not items:
            continue
        console.print()
        console.print(Text(f"{printable(table)}表", style="bold"))
        print_items(console, [(it.get("mark", ""), it["id"], it["text"], it.get("rule"), it.get("params", {}),
                               it.get("note")) for it in items])
    manual = sum(1 for it in edition["items"] if not it.get("rule"))
    console.print()
    print_wrapped(console, f"结论用语：{'/'.join(edition['verdict_labels'])}"
                  + (f"；图例：{edition['legend']}" if edition.get("legend") else "")
                  + ("（▲ 项暂不作硬性要求）" if edition.get("observation_binding") is False else ""))
    for gap in edition.get("gaps", []):
        print_wrapped(console, f"缺少：{gap}", indent=4)
    for note in notes:
        print_wrapped(console, f"说明：{note}", indent=4)
    for warning in warnings:
        print_wrapped(console, f"注意：{warning}", style="bold red", indent=4)
    print_wrapped(console, f"共 {len(edition['items'])} 项，其中 {manual} 项{MANUAL}（由校团委在“自评补充”中填写结论）。")
    if written:
        print_wrapped(console, f"已写入 {dest}", path=True)
        print_wrapped(console, f"请核对后使用：sureform run --edition {edition['edition']}")
    else:
        print_wrapped(console, f"未写入 {dest}：请核对上面标出的问题；确认空白表无误后，加 --force 导入。", style="bold red")


def _counts(cat: Catalogue) -> str:
    parts = [f"{t.id} {len(cat.items_of(t.id))} 项" for t in cat.tables]
    manual = sum(1 for it in cat.items if not it.rule)
    return "，".join(parts) + (f"（{MANUAL} {manual} 项）" if manual else "")


def print_list(folder: Path, console: Console | None = None) -> None:
    """Each edition in a block that reads at 80 columns: name, where it comes from, its whole title, its items
    (and a local edition's file)."""
    console = console or terminal()
    entries = [(n, "内置", EDITIONS_DIR / f"{n}.toml") for n in available_editions()]
    entries += [(n, "本地", p) for n, p in local_editions(folder).items()]
    console.print(Text("备案表版本", style="bold"))
    width = max([cell_len(printable(n)) for n, _, _ in entries] + [4])
    for name, origin, path in entries:
        try:
            cat = load_catalogue(str(path) if origin == "本地" else name)
            title, counts, style = cat.title, _counts(cat), ""
        except ValueError as exc:
            title, counts, style = f"无法读取：{exc}", "", "red"
        shown = printable(name)
        head = f"{shown}{' ' * (width - cell_len(shown))}  {origin}  "
        indent = cell_len(head)
        lines = break_text(head + printable(title), console.width, indent)
        if counts:
            lines += break_text(" " * indent + printable(counts), console.width, indent)
        if origin == "本地":
            lines += wrap_path(" " * indent + "文件：" + printable(path), console.width, indent)
        for i, line in enumerate(lines):
            console.print(Text(line, style=style if i == 0 else ""), no_wrap=True, overflow="ignore", crop=False)
    print_wrapped(console, f"本地版本放在 {folder / LOCAL_DIR}；用 sureform editions show 版本 查看项目。")


def print_show(name: str, folder: Path, console: Console | None = None) -> None:
    console = console or terminal()
    path = resolve(name, folder)
    cat = load_catalogue(str(path) if path.parent != EDITIONS_DIR else name)
    console.print(Text(printable(f"版本 {cat.edition}：{cat.title}"), style="bold"))
    print_wrapped(console, f"文件：{path}", path=True)
    print_wrapped(console, f"结论用语：{'/'.join(cat.verdict_labels)}" + (f"；图例：{cat.legend}" if cat.legend else "")
                  + ("（▲ 项暂不作硬性要求）" if not cat.observation_binding else ""))
    for t in cat.tables:
        items = cat.items_of(t.id)
        console.print()
        title = f"{t.id}：{t.title or cat.title}" + ("，每个二级组织一张" if t.per_unit else "")
        for line in break_text(printable(title), console.width, 2):
            console.print(Text(line, style="bold"), no_wrap=True, overflow="ignore", crop=False)
        print_wrapped(console, f"  各列：{'、'.join(t.columns)}", indent=4)
        print_items(console, [(it.mark, it.id, it.text, it.rule, it.params, it.note) for it in items])
        if not items:
            console.print(f"（{printable(t.id)}表没有项目）")
    console.print()
    try:
        check_edition(cat)
    except EditionError as exc:
        print_wrapped(console, f"此版本无法使用：{exc}", style="red")
    if cat.gaps:
        console.print("此版本缺少：")
        for gap in cat.gaps:
            print_wrapped(console, f"  - {gap}", indent=4)
    else:
        console.print("此版本缺少：无")
