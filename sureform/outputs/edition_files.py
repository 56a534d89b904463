"""`sureform editions list|show|import`: the editions a run can use, one edition's items, and a blank form
imported as a local edition file (`editions/NAME.toml` beside the settings file) for review.

The recognition itself is `sureform.rules.form_import`; here the file is written and the tables printed.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from rich import box
from rich.console import Console
from rich.table import Table

from sureform.atomic import atomic_path
from sureform.config import find_config_file
from sureform.editions import (EDITIONS_DIR, LOCAL_DIR, Catalogue, available_editions, edition_path, load_catalogue,
                               local_editions)
from sureform.intake.form_tables import FormUnreadable
from sureform.intake.grid import ReadLimits
from sureform.rules.form_import import (MAX_ITEMS_PER_TABLE, MAX_NAME, edition_from_form, edition_toml, form_findings,
                                        name_problem, read_form)
from sureform.rules.library import EditionError, check_edition

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


def rule_text(rule: str | None, params: dict) -> str:
    """`staff-at-most（limit=40, large_school_limit=60）`, or 人工判定 (bold)."""
    if not rule:
        return f"[bold]{MANUAL}[/bold]"
    shown = []
    for k, v in params.items():
        if "reason" in k:
            continue  # the 备注 wording of a finding, not a limit
        if isinstance(v, list):
            v = "、".join(str(x) for x in v)
        elif isinstance(v, bool):
            v = "是" if v else "否"
        shown.append(f"{k}={v if isinstance(params[k], list) else short(str(v), 16)}")
    return rule + (f"（{', '.join(shown)}）" if shown else "")


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
    console = console or Console()
    table = Table(title=f"从空白表导入的版本 {edition['edition']}：{edition['title']}", box=box.SIMPLE_HEAD)
    for col in ("表", "编号", "项目（摘要）", "识别的规则和参数"):
        table.add_column(col)
    for it in edition["items"]:
        table.add_row(it.get("table", "校级"), it.get("mark", "") + it["id"], short(it["text"]),
                      rule_text(it.get("rule"), it.get("params", {})))
    console.print(table)
    manual = sum(1 for it in edition["items"] if not it.get("rule"))
    console.print(f"结论用语：{'/'.join(edition['verdict_labels'])}"
                  + (f"；图例：{edition['legend']}" if edition.get("legend") else "")
                  + ("（▲ 项暂不作硬性要求）" if edition.get("observation_binding") is False else ""))
    for gap in edition.get("gaps", []):
        console.print(f"缺少：{gap}")
    for note in notes:
        console.print(f"说明：{note}")
    for warning in warnings:
        console.print(f"[bold red]注意：{warning}[/bold red]")
    console.print(f"共 {len(edition['items'])} 项，其中 {manual} 项{MANUAL}（由校团委在“自评补充”中填写结论）。")
    if written:
        console.print(f"已写入 {dest}，请核对后使用：sureform run --edition {edition['edition']}")
    else:
        console.print(f"[bold red]未写入 {dest}：请核对上面标出的问题；确认空白表无误后，加 --force 导入。[/bold red]")


def _counts(cat: Catalogue) -> str:
    parts = [f"{t.id} {len(cat.items_of(t.id))} 项" for t in cat.tables]
    manual = sum(1 for it in cat.items if not it.rule)
    return "，".join(parts) + (f"（{MANUAL} {manual} 项）" if manual else "")


def print_list(folder: Path, console: Console | None = None) -> None:
    console = console or Console()
    table = Table(title="备案表版本", box=box.SIMPLE_HEAD)
    for col in ("版本", "来源", "标题", "项目数", "文件"):
        table.add_column(col)
    entries = [(n, "内置", EDITIONS_DIR / f"{n}.toml") for n in available_editions()]
    entries += [(n, "本地", p) for n, p in local_editions(folder).items()]
    for name, origin, path in entries:
        try:
            cat = load_catalogue(str(path) if origin == "本地" else name)
            title, counts = cat.title, _counts(cat)
        except ValueError as exc:
            title, counts = f"[red]无法读取：{short(str(exc), 40)}[/red]", ""
        table.add_row(name, origin, title, counts, str(path) if origin == "本地" else "")
    console.print(table)
    console.print(f"本地版本放在 {folder / LOCAL_DIR}；用 sureform editions show 版本 查看项目。")


def print_show(name: str, folder: Path, console: Console | None = None) -> None:
    console = console or Console()
    path = resolve(name, folder)
    cat = load_catalogue(str(path) if path.parent != EDITIONS_DIR else name)
    console.print(f"[bold]版本 {cat.edition}[/bold]：{cat.title}（{path}）")
    console.print(f"结论用语：{'/'.join(cat.verdict_labels)}" + (f"；图例：{cat.legend}" if cat.legend else "")
                  + ("（▲ 项暂不作硬性要求）" if not cat.observation_binding else ""))
    for t in cat.tables:
        items = cat.items_of(t.id)
        title = f"{t.id}：{t.title or cat.title}（{' | '.join(t.columns)}）" + ("，每个二级组织一张" if t.per_unit else "")
        table = Table(title=title, box=box.SIMPLE_HEAD)
        for col in ("编号", "标记", "项目（摘要）", "规则和参数", "备注"):
            table.add_column(col)
        for it in items:
            table.add_row(it.id, it.mark, short(it.text), rule_text(it.rule, it.params), it.note or "")
        console.print(table)
        if not items:
            console.print(f"（{t.id}表没有项目）")
    try:
        check_edition(cat)
    except EditionError as exc:
        console.print(f"[red]此版本无法使用：{exc}[/red]")
    if cat.gaps:
        console.print("此版本缺少：")
        for gap in cat.gaps:
            console.print(f"  - {gap}")
    else:
        console.print("此版本缺少：无")
