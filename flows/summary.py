"""What an unattended run tells the league office: which files were accepted or sent back, which verdicts of
the 备案表 changed since the previous run, which units have sent nothing this term. Plain Python.

"This term" starts on the latest semester start on or before today. The default starts are 1 September
(第一学期, autumn) and 1 February (第二学期, spring): Chinese universities open the spring semester in
late February, so 1 March would count the first teaching week's files in the previous term, and a file
sent during the winter break is meant for the coming term. The starts are the `term_starts` setting.
"""
from __future__ import annotations

import json
import logging
from datetime import date, datetime
from pathlib import Path

from sureform.atomic import atomic_path, undecodable
from sureform.config import show_deadline
from sureform.intake.inbox import is_ignored
from sureform.store import Store

log = logging.getLogger("sureform.serve")

VERDICTS_FILE = "last_verdicts.json"
STATUS_LABEL = {"accepted": "已接收", "rejected": "退回", "duplicate": "重复（未重复计入）", "reinstated": "重新生效", "skipped": "暂缓"}


# ---- units that have sent nothing this term ------------------------------------------------------------

def term_start(today: date, starts: tuple[tuple[int, int], ...] = ((2, 1), (9, 1))) -> date:
    """The latest semester start on or before `today`."""
    candidates = [date(year, m, d) for year in (today.year, today.year - 1) for m, d in starts]
    return max(c for c in candidates if c <= today)


def _submission_units(db_path: Path, since: date | None = None) -> set[str]:
    if not Path(db_path).exists():
        return set()
    with Store(db_path) as store:
        return store.units_with_submissions(since.isoformat() if since else None)


def inbox_units(inbox: Path) -> set[str]:
    """The inbox's first-level subfolders: one per unit that was given a place to drop its files."""
    try:
        return {p.name for p in Path(inbox).iterdir() if p.is_dir() and not is_ignored(p.name)
                and not undecodable(p.name)}
    except OSError:
        return set()


def silent_units(db_path: Path, inbox: Path, today: date, starts: tuple[tuple[int, int], ...]) -> dict:
    """Units known from the submissions history or the inbox subfolders with no submission (accepted or not)
    received since the start of the current term."""
    since = term_start(today, starts)
    known = _submission_units(db_path) | inbox_units(inbox)
    heard = _submission_units(db_path, since)
    return {"term_start": since.isoformat(), "known": sorted(known), "heard_from": sorted(heard & known),
            "silent": sorted(known - heard)}


def overdue_units(opts) -> dict | None:
    """Once the round's deadline has passed: {"deadline", "units": [{unit, owes}]}, the units (the league office
    too) that still owe material, as 进度.html shows them; None without a deadline or before it."""
    from sureform.outputs.progress import deadline_moment, overdue_units as owing
    from sureform.pipeline import TZ, progress_record

    moment = deadline_moment(opts.deadline)
    now = datetime.now(TZ).replace(tzinfo=None)
    if moment is None or now <= moment:
        return None
    facts = progress_record(opts).get("facts")
    return {"deadline": show_deadline(moment), "units": owing(facts, now, opts.deadline) if facts else []}


# ---- verdicts changed since the previous run -------------------------------------------------------------

def load_verdicts(state: Path) -> dict | None:
    try:
        return json.loads((Path(state) / VERDICTS_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        log.warning("上次的评估结论文件无法读取（%s），本次不比较", exc)
        return None


def save_verdicts(state: Path, as_of: str, items: list[dict], flow: str) -> None:

    data = {"saved_at": datetime.now().astimezone().isoformat(timespec="seconds"), "as_of": as_of, "by": flow,
            "items": [{"id": str(it.get("id")), "verdict": it.get("verdict"), "note": it.get("note")} for it in items]}
    with atomic_path(Path(state) / VERDICTS_FILE) as tmp:
        tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")


def verdict_changes(previous: list[dict] | None, current: list[dict]) -> list[dict]:
    """[{id, before, after}] for every item whose verdict differs (None: the item was not there)."""
    if previous is None:
        return []
    before = {str(it.get("id")): it.get("verdict") for it in previous}
    after = {str(it.get("id")): it.get("verdict") for it in current}
    order = list(after) + [k for k in before if k not in after]
    return [{"id": k, "before": before.get(k), "after": after.get(k)} for k in order if before.get(k) != after.get(k)]


def record_verdicts(state: Path, report: dict, flow: str) -> tuple[list[dict], dict | None]:
    """Compare this run's verdicts with the previous run's, then keep this run's for the next comparison.
    Returns (changes, previous record). A run without verdicts (none computed yet) changes nothing."""
    items = report.get("items") or []
    previous = load_verdicts(state)
    if not items:
        return [], previous
    changes = verdict_changes(previous["items"] if previous else None, items)
    save_verdicts(state, report.get("as_of", ""), items, flow)
    return changes, previous


# ---- markdown -----------------------------------------------------------------------------------------

def _cell(value) -> str:
    return str("" if value is None else value).replace("|", "\\|").replace("\n", " ")


def _files_table(files: list[dict]) -> list[str]:
    lines = ["| 文件 | 单位 | 类型 | 结果 | 行数 | 错误 | 问题 | 提示 |", "|---|---|---|---|---|---|---|---|"]
    for f in files:
        n = {s: sum(1 for i in f.get("issues", []) if i.get("severity") == s) for s in ("error", "finding", "warning")}
        status = STATUS_LABEL.get(f["status"], f["status"])
        if f["status"] == "skipped" and f.get("reason"):
            status += f"：{f['reason']}"
        lines.append(f"| {_cell(f['path'])} | {_cell(f.get('unit'))} | {_cell(f.get('kind_label'))} | "
                     f"{_cell(status)} | {f.get('rows', 0)} | {n['error']} | {n['finding']} | {n['warning']} |")
    return lines


def _changes_lines(changes: list[dict], previous: dict | None, has_items: bool) -> list[str]:
    lines = ["", "## 评估结论的变化"]
    if not has_items:
        return lines + ["", "本次没有计算评估结论。"]
    if previous is None:
        return lines + ["", "这是第一次记录评估结论，下次运行起与本次比较。"]
    since = f"（与 {previous.get('saved_at', '上次')} 的结果相比）"
    if not changes:
        return lines + ["", f"没有变化{since}。"]
    lines += ["", since, "", "| 项目 | 上次 | 本次 |", "|---|---|---|"]
    lines += [f"| {_cell(c['id'])} | {_cell(c['before'] or '（无）')} | {_cell(c['after'] or '（无）')} |" for c in changes]
    return lines


def _master_lines(report: dict) -> list[str]:
    master = "，".join(f"{k} {v} 行" for k, v in (report.get("master") or {}).items()) or "（空）"
    lines = ["", "## 汇总数据", "", f"- 当前汇总：{master}"]
    outputs = report.get("outputs") or {}
    for key, label in (("progress", "报送进度"), ("master", "汇总表"), ("filing", "备案表"), ("disclosure", "公开文档")):
        if outputs.get(key):
            lines.append(f"- {label}：`{outputs[key]}`")
    if outputs.get("feedback"):
        lines.append(f"- 标注文件 {len(outputs['feedback'])} 个（每个有错误、问题或提示的文件一个）：" + "、".join(f"`{p}`" for p in outputs["feedback"]))
    return lines


def intake_markdown(report: dict, changes: list[dict], previous: dict | None) -> str:
    files = report.get("files") or []
    counts = {s: sum(1 for f in files if f["status"] == s) for s in STATUS_LABEL}
    lines = [f"# 收件处理（填报日期 {report.get('as_of')}）", ""]
    if report.get("skipped_reason"):
        lines += [f"**本次跳过：{report['skipped_reason']}**", "", "文件仍在收件文件夹中，稍后会再处理。"]
        return "\n".join(lines)
    lines.append("接收 {accepted} 个，退回 {rejected} 个，重复 {duplicate} 个，暂缓 {skipped} 个。".format(**counts))
    if report.get("documents_waiting"):  # files still being written: the documents wait for them
        lines += ["", f"备案表和公开文档暂不更新：{len(report['documents_waiting'])} 个文件可能仍在写入，读取后再生成。"]
    if files:
        lines += ["", "## 文件", ""] + _files_table(files)
    lines += _changes_lines(changes, previous, bool(report.get("items")))
    lines += _master_lines(report)
    return "\n".join(lines) + "\n"


def nightly_markdown(report: dict, changes: list[dict], previous: dict | None, silent: dict,
                     overdue: dict | None = None) -> str:
    lines = [f"# 夜间汇总（填报日期 {report.get('as_of')}）", ""]
    if report.get("skipped_reason"):
        lines += [f"**本次跳过：{report['skipped_reason']}**"]
        return "\n".join(lines) + "\n"
    lines += ["已按今天的日期重新检查全部汇总数据，并重新生成输出。", "",
              f"## 本学期（{silent['term_start']} 起）未报送的单位", ""]
    if not silent["known"]:
        lines.append("还没有任何已知单位（汇总数据中没有提交记录，收件文件夹中也没有单位子文件夹）。")
    elif silent["silent"]:
        lines.append(f"{len(silent['silent'])} 个（共 {len(silent['known'])} 个已知单位）：")
        lines += [""] + [f"- {_cell(u)}" for u in silent["silent"]]
    else:
        lines.append(f"没有：{len(silent['known'])} 个已知单位本学期都已报送。")
    if overdue is not None:
        lines += ["", f"## 已过截止时间（{overdue['deadline']}）仍未报齐的单位", ""]
        if overdue["units"]:
            lines += [f"- {_cell(u['unit'])}：缺{_cell('、'.join(u['owes']))}" for u in overdue["units"]]
        else:
            lines.append("没有：各单位的材料都已报齐。")
    lines += _changes_lines(changes, previous, bool(report.get("items")))
    findings = report.get("findings")
    if findings is not None:
        lines += ["", f"待整改问题：{findings} 条（见汇总表“待整改问题”）"]
    lines += _master_lines(report)
    return "\n".join(lines) + "\n"
