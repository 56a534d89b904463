"""An edition read from the official blank form (Word) that the provincial league sends each year.

Pure functions, nothing written or printed here (`sureform editions import` does that):
- `recognise(text)`: an item's official text → (rule kind, params taken from the text) or None (人工判定);
- `read_form(path)`: the form's item tables as the shared reader finds them (`sureform.intake.form_tables`:
  body, nested tables, text boxes; `1★.`/`★1.`/`（1）`/full-width numbering, wrapped rows, merged groups such
  as 2020's 3. 机构和人员规模 → 3a/3b/3c; .doc/.wps through LibreOffice);
- `note_pattern(cell)`: the 备注 pattern of a blank's cell (实有人 · 实有N人 · 召开日期为：) or of a filled one's
  (实有38人 → 实有{n}人);
- `verdict_words(form)`: 是/否 or 达标/未达标, from the cells, the column heading or the layout (said when guessed);
- `form_findings(form)`: what the import must say before it writes (odd numbering, guesses, a filled form);
- `edition_from_form(form, name)`: an edition dict as an edition file holds it (`base = "2020"`);
- `edition_toml(edition)`: its TOML text, commented for review.

May import: the foundation (`sureform.editions`), the intake's form reader and this package's rule library.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

from sureform.editions import DEFAULT_EDITION, available_editions, load_catalogue
from sureform.intake.form_tables import FormDocument, narrow, read_form_tables, split_number
from sureform.intake.grid import ReadLimits
from sureform.rules.library import RULE_KINDS

BASE_EDITION = DEFAULT_EDITION
MARKS = ("★", "▲")

# ---- recognising an item's rule from its text ------------------------------------------------------------
_CN_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
NUM = r"(\d+|[零一二两三四五六七八九十]+)"

# the parameters the 2020 edition gives its roster items (posts, political status, grades)
POSTS_PARAMS = {"codes": ["post-not-allowed"], "reason": "{n}人的职务不在允许范围内"}
POLITICAL_PARAMS = {"codes": ["political-status-not-allowed"], "reason": "{n}人的政治面貌不符合要求"}
GRADES_PARAMS = {"codes": ["rank-above-limit", "failed-course"], "reason": "{n}人的学习成绩不符合要求",
                 "pending_codes": ["rank-missing"], "pending_reason": "{n}名非新生工作人员的成绩排名",
                 "related_codes": ["discipline-record"]}
CONGRESS_BODIES = ["学生代表大会", "研究生代表大会", "学代会", "研代会"]
ASSEMBLY_BODIES = ["全体学生大会", "全体研究生大会"]
DEFAULT_PUBLICITY_DAYS = 5  # the seed's 选举办法: 公示不少于五个工作日
DEFAULT_DELEGATE_SHARE = 0.01
DEFAULT_STUDENT_SHARE = 0.5
DEFAULT_WINDOW_MONTHS = 12
DEFAULT_ACADEMIC_YEARS = 2  # 按期规范召开: this academic year or the one before


def number(text: str) -> int:
    """`40` or a Chinese numeral up to 99 (`五`, `四十`, `十五`)."""
    if text.isdigit():
        return int(text) if len(text) <= 12 else 10 ** 12  # beyond any limit: refused by the bounds, not by int()
    if "十" in text:
        tens, _, ones = text.partition("十")
        return (_CN_DIGITS.get(tens, 1) if tens else 1) * 10 + (_CN_DIGITS.get(ones, 0) if ones else 0)
    return int("".join(str(_CN_DIGITS[c]) for c in text))


def _search(pattern: str, text: str) -> int | None:
    m = re.search(pattern, text)
    return number(m.group(1)) if m else None


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _staff(t: str) -> dict | None:
    limit = _search(r"工作人员(?:总数|人数)?(?:原则上)?不(?:超过|多于)" + NUM + "人", t)
    if limit is None:
        return None
    params = {"limit": limit}
    large = _search(r"(?:较多|分校区)[^。；;]*?不(?:超过|多于)" + NUM + "人", t)
    if large is not None:
        params["large_school_limit"] = large
    return params


def _presidium(t: str) -> dict | None:
    limit = _search(r"主席团成员(?:总数|人数)?(?:原则上)?不(?:超过|多于)" + NUM + "人", t)
    return None if limit is None else {"limit": limit}


def _departments(t: str) -> dict | None:
    limit = _search(r"工作部门(?:总数|数量|数)?(?:原则上)?不(?:超过|多于)" + NUM + "个", t)
    return None if limit is None else {"limit": limit}


def _administrative(t: str) -> dict | None:
    return {} if "行政职能" in t or ("宿舍管理" in t and "纠察" in t) else None


def _structure(t: str) -> dict | None:
    return {} if re.search(r"主席团[+＋]工作部门", t) or "常设层级" in t else None


def _posts(t: str) -> dict | None:
    return dict(POSTS_PARAMS) if re.search(r"其他(?:任何)?职务", t) else None


def _political(t: str) -> dict | None:
    return dict(POLITICAL_PARAMS) if re.search(r"(?:共产党员|党员)或(?:共青团员|团员)", t) else None


def _grades(t: str) -> dict | None:
    m = re.search(r"前" + NUM + r"[%％]", t)
    if not m or not re.search(r"排名|成绩", t):
        return None
    return {**GRADES_PARAMS, "_rank_percent": number(m.group(1))}


def _candidates(t: str) -> dict | None:
    if "候选人" not in t or not re.search(r"推荐|审查|确定", t):
        return None
    days = _search(NUM + r"个工作日", t)
    return {"publicity_working_days": DEFAULT_PUBLICITY_DAYS if days is None else days}


def _delegates(t: str) -> dict | None:
    if not re.search(r"代表大会(?:（[^）]*）)?代表", t) or "推荐" not in t:
        return None
    share = re.search(r"(\d+(?:\.\d+)?)[%％]", t)
    return {"delegate_share": float(share.group(1)) / 100 if share else DEFAULT_DELEGATE_SHARE}


def _elected(t: str) -> dict | None:
    if "主席团" not in t or "选举产生" not in t:
        return None
    if re.search(r"全体学生(?:（研究生）)?大会", t):
        return {"bodies": CONGRESS_BODIES + ASSEMBLY_BODIES}
    return {}


def _held_since(t: str) -> dict | None:
    m = re.search(r"(\d{4})年(\d{1,2})月(?:(\d{1,2})日)?以来", t)
    if not m or "召开" not in t:
        return None
    return {"since": f"{int(m.group(1)):04d}-{int(m.group(2)):02d}-{int(m.group(3) or 1):02d}"}


def _on_schedule(t: str) -> dict | None:
    return {"academic_years": DEFAULT_ACADEMIC_YEARS} if re.search(r"按期(?:规范)?召开", t) else None


def _training(t: str) -> dict | None:
    if "培训" not in t:
        return None
    seasons = [s + "季" for s in ("春", "秋") if re.search(s + r"(?:季|、|和|及)", t)]
    if not seasons:
        return None
    months = _search(NUM + r"个月", t)
    return {"seasons": seasons, "window_months": DEFAULT_WINDOW_MONTHS if months is None else months}


def _study(t: str) -> dict | None:
    return {} if "学习贯彻" in t and re.search(r"精神|学联", t) else None


def _council(t: str) -> dict | None:
    return {"student_share": DEFAULT_STUDENT_SHARE} if "评议会" in t and "述职" in t else None


def _nominations(t: str) -> dict | None:
    return {} if "择优提名" in t or ("评奖评优" in t and "评议结果" in t) else None


def _party(t: str) -> dict | None:
    if not re.search(r"听取[^。；]*汇报", t):
        return None
    months = _search(NUM + r"个月", t)
    params = {"window_months": DEFAULT_WINDOW_MONTHS if months is None else months}
    if not ("党建" in t and "规划" in t):
        params["plan"] = False
    return params


def _guide(t: str) -> dict | None:
    if "秘书长" not in t or "指导" not in t:
        return None
    m = re.search(r"明确(?:\d+|[一两])?名(.+?)指导", t)
    lead = m.group(1) if m else ""
    if not lead or "专职" in lead:
        return {}  # the 2020 reading: a full-time 团委 deputy secretary, the 机构信息 categories
    return {"lead_category": lead, "secretary_category": "秘书长", "lead_full_time": False}


# in this order: the first that matches decides (counts before the wider wordings that mention the same bodies)
RECOGNISERS = (
    ("presidium-at-most", _presidium),
    ("staff-at-most", _staff),
    ("departments-at-most", _departments),
    ("no-administrative-duties", _administrative),
    ("presidium-and-departments-only", _structure),
    ("no-roster-findings", _posts),
    ("no-roster-findings", _political),
    ("no-roster-findings", _grades),
    ("candidates-vetted", _candidates),
    ("delegates-recommended-and-elected", _delegates),
    ("elected-by-congress", _elected),
    ("congress-held-since", _held_since),
    ("congress-on-schedule", _on_schedule),
    ("all-staff-training", _training),
    ("study-measures-recorded", _study),
    ("council-and-reports", _council),
    ("nominations-follow-results", _nominations),
    ("party-plan-and-hearings", _party),
    ("guide-and-secretary", _guide),
)
assert all(name in RULE_KINDS for name, _ in RECOGNISERS)


def recognise(text: str) -> tuple[str, dict] | None:
    """The rule kind deciding an item and its parameters, read from the item's text; None: decided by hand.

    A `_rank_percent` key (grades: 前N%) is not a parameter of the rule: the edition's `limits.rank_ratio`."""
    t = _compact(text)
    for name, match in RECOGNISERS:
        params = match(t)
        if params is not None:
            return name, params
    return None


def note_pattern(cell: str) -> str | None:
    """The 备注 pattern of a form's 备注 cell: 实有人 → `实有人 {n}`, 实有N人 → `实有{n}人`, 实有 N 个 →
    `实有 {n} 个`, 召开日期为： → `召开日期为：{date}`; a filled form's values stand for the figure or date
    (`实有38人` → `实有{n}人`, `召开日期为：2021年4月10日` → `召开日期为：{date}`); None when the cell gives none."""
    text = narrow(cell).strip() if cell else ""
    if not text:
        return None
    m = re.search(r"(召开(?:日期|时间)为?[：:])", cell)
    if m:
        return m.group(1) + "{date}"
    m = re.fullmatch(r"实有(人|个)\s*[0-9]{1,7}\s*[。.]?", text)
    if m:
        return f"实有{m.group(1)} {{n}}"  # 2020 filled: the label, then the figure
    m = re.fullmatch(r"实有(\s*)([0-9]{1,7}|N|n|X|x|_+|＿+)?(\s*)(人|个)?\s*[。.]?", text)
    if not m:
        return None
    before, placeholder, after, unit = m.groups()
    unit = unit or ""
    if placeholder is None and not before and unit:
        return f"实有{unit} {{n}}"  # 2020: the label, then the figure
    if placeholder is None:
        return f"实有{{n}}{unit}"
    return f"实有{' ' if before else ''}{{n}}{' ' if after and unit else ''}{unit}"


def filled_note(cell: str) -> bool:
    """The 备注 cell holds a filled value (a figure or a date), not a blank's placeholder."""
    return bool(re.search(r"[0-9]", narrow(cell or "")))


# ---- reading the blank form (the shared form-table reader) --------------------------------------------------
BlankForm = FormDocument
_split_number = split_number
SECOND_LEVEL = re.compile(r"^[（(]二[）)]|二级")
EDITION_HEADER_KEYS = ("units", "reviewed", "link")  # 组织名称 is the college's own, not the edition's
MAX_ITEMS_PER_TABLE = 200
MAX_NAME = 64


def read_form(path: Path, limits: ReadLimits | None = None) -> FormDocument:
    """The form's title, legend, header fields and item tables, in document order (FormUnreadable: Chinese)."""
    return read_form_tables(Path(path), limits)


# ---- the edition ---------------------------------------------------------------------------------------
def verdict_words(form: BlankForm) -> tuple[list[str], str | None, bool]:
    """The verdict words the form uses, how they were found when not printed in its 结论 cells (Chinese, or
    None), and whether they are a guess: 达标/未达标 or 是/否 from the cells or the column heading; else from
    the layout (a 改革自评表, 指标 · 结论 · 备注, a ★ legend, 评估结论/符合标准情况: 是/否; 验收结论:
    达标/未达标); else the base edition's words, guessed."""
    offered = {w for t in form.tables for r in t.rows for w in r.offered}
    headings = "".join(t.columns[1] for t in form.tables)
    offered |= set(re.findall(r"未达标|达标|是|否", re.sub(r"是否", "", headings)))
    if offered & {"达标", "未达标"}:
        return ["达标", "未达标"], None, False
    if {"是", "否"} <= offered:
        return ["是", "否"], None, False
    titles = form.title + "".join(t.title for t in form.tables)
    columns = {tuple(_compact(c) for c in t.columns) for t in form.tables}
    if "验收结论" in headings:
        return ["达标", "未达标"], "结论栏为空，按“验收结论”表式取用 达标/未达标", False
    if "自评" in titles or ("指标", "结论", "备注") in columns or "★" in form.legend or \
            re.search(r"评估结论|符合标准情况", headings):
        why = ("改革自评表" if "自评" in titles else "“指标 · 结论 · 备注”表式" if ("指标", "结论", "备注") in columns
               else "★ 图例" if "★" in form.legend else "“评估结论/符合标准情况”栏")
        return ["是", "否"], f"结论栏为空，按{why}取用 是/否", False
    base = list(load_catalogue(BASE_EDITION).verdict_labels)
    return base, f"无法从表中看出结论用语，暂用 {'/'.join(base)}，请核对", True


def labels_of(form: BlankForm) -> list[str]:
    """The verdict labels the blank form uses: 达标/未达标, or 是/否."""
    return verdict_words(form)[0]


def form_findings(form: BlankForm) -> tuple[list[str], list[str]]:
    """(warnings, notes) of a form read as a blank: warnings name what was not understood or is odd in the
    numbering (the import stops on them unless --force), and what was guessed; notes say what was inferred."""
    warnings, notes = form.all_warnings(), form.all_notes()
    for t in form.tables:
        if t.where != "正文":
            notes.append(f"“{t.title or '项目表'}”在{'文本框' if t.where == '文本框' else '外框表格'}中找到")
    for t in form.tables:
        if len(t.rows) > MAX_ITEMS_PER_TABLE:
            warnings.append(f"“{t.title or '项目表'}”有 {len(t.rows)} 项，超过每表 {MAX_ITEMS_PER_TABLE} 项的上限")
    _, how, guessed = verdict_words(form)
    if how:
        (warnings if guessed else notes).append(how)
    ticks = any(r.ticked for t in form.tables for r in t.rows)
    values = [r for t in form.tables for r in t.rows if filled_note(r.note_cell)]
    if ticks or values:
        notes.append("这是一份已填写的表格，按空白表读取：勾选的结论不计" + ("，备注中的数值和日期已改为占位（如 实有{n}人）"
                                                        if values else ""))
    return warnings, notes


def table_id(title: str, index: int, taken: set[str]) -> str:
    wanted = "二级" if SECOND_LEVEL.search(_compact(title)) else "校级"
    return wanted if wanted not in taken else f"表{index + 1}"


def edition_from_form(form: BlankForm, name: str) -> dict:
    """The edition the blank form describes, as an edition file holds it, with `base = "2020"`."""
    base = load_catalogue(BASE_EDITION)
    legend = form.legend
    edition: dict = {"edition": name, "base": BASE_EDITION, "source": form.source,
                     "title": form.title or Path(form.source).stem,
                     "disclosure_title_suffix": base.raw.get("disclosure_title_suffix", "学生会组织改革情况")}
    if form.tables:
        edition["columns"] = list(form.tables[0].columns)
    edition["verdict_labels"] = verdict_words(form)[0]
    if legend:
        edition["legend"] = legend
        if re.search(r"暂不|不作硬性要求", legend):
            edition["observation_binding"] = False
    gaps, tables, items = [], [], []
    rank_percent = None
    taken: set[str] = set()
    for index, table in enumerate(form.tables):
        tid = table_id(table.title, index, taken)
        taken.add(tid)
        entry = {"id": tid, "title": table.title, "columns": list(table.columns)}
        if tid == "二级":
            entry["per_unit"] = True
        tables.append(entry)
        if not table.rows:
            gaps.append(f"空白表中的“{table.title or tid}”没有项目行，本版本不含该表的项目")
        for row in table.rows:
            item: dict = {}
            if tid != "校级":
                item["table"] = tid
            item["id"] = row.number
            if row.mark:
                item["mark"] = row.mark
            if row.group:
                item["group"] = row.group
            item["text"] = row.text
            found = recognise(row.text)
            if found:
                rule, params = found
                params = dict(params)
                percent = params.pop("_rank_percent", None)
                if percent is not None:
                    rank_percent = percent if rank_percent is None else min(rank_percent, percent)
                item["rule"] = rule
                if params:
                    item["params"] = params
            note = note_pattern(row.note_cell)
            if note:
                item["note"] = note
            items.append(item)
    if gaps:
        edition["gaps"] = gaps
    fields = [h for h in form.header_fields if h.key in EDITION_HEADER_KEYS]
    if fields:
        edition["header_fields"] = [{"key": h.key, "label": h.label} for h in fields]
    edition["tables"] = tables
    if rank_percent is not None and abs(rank_percent / 100 - base.limits.get("rank_ratio", 0.30)) > 1e-9:
        edition["limits"] = {**base.limits, "rank_ratio": rank_percent / 100}
    edition["items"] = items
    return edition


def name_problem(name: str) -> str | None:
    """Why `name` cannot name a local edition (Chinese), or None."""
    if len(name) > MAX_NAME:
        return f"版本名称最多 {MAX_NAME} 个字符（现在有 {len(name)} 个），请用 --name 取一个短一些的名称"
    if not name or name.strip() != name or any(ord(c) < 32 or ord(c) == 127 for c in name) or re.search(r"[\\/:*?\"<>|]", name) or name.startswith("."):
        return "版本名称不能为空，也不能含有 / \\ : * ? \" < > | 等字符"
    if name.endswith(".toml"):
        return "版本名称不要带 .toml"
    if name in available_editions():
        return f"“{name}”是内置版本的名称，请换一个名称（--name）"
    return None


# ---- TOML ------------------------------------------------------------------------------------------------
def _key(k: str) -> str:
    return k if re.fullmatch(r"[A-Za-z0-9_-]+", k) else json.dumps(k, ensure_ascii=False)


def _value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{_key(k)} = {_value(x)}" for k, x in v.items()) + " }" if v else "{}"
    raise TypeError(f"cannot write {type(v).__name__} to TOML")


def edition_toml(edition: dict) -> str:
    """The edition as an edition file, with comments for the reviewer."""
    lines = [f"# 由 sureform editions import 从空白表 {edition.get('source', '')} 导入，请逐项核对后使用。",
             "# 每项的 rule（规则类型）和 params（参数）由项目原文识别；没有 rule 的项目为“人工判定”，",
             "# 由校团委在机构信息的“自评补充”表中填写结论。限值、词表、评分表等共用内容取自 base 版本。", ""]
    arrays = ("header_fields", "tables", "items")
    for k, v in edition.items():
        if k in arrays or isinstance(v, dict):
            continue
        lines.append(f"{_key(k)} = {_value(v)}")
    for k, v in edition.items():
        if isinstance(v, dict):
            lines += ["", f"[{_key(k)}]"] + [f"{_key(kk)} = {_value(vv)}" for kk, vv in v.items()]
    for k in arrays:
        for entry in edition.get(k, []):
            lines.append("")
            if k == "items" and "rule" not in entry:
                lines.append("# 人工判定：未从原文识别出规则")
            lines.append(f"[[{k}]]")
            lines += [f"{_key(kk)} = {_value(vv)}" for kk, vv in entry.items()]
    return "\n".join(lines) + "\n"
