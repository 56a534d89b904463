"""`outbox/进度.html`: who has sent what, what came back, what is missing, how many days are left.

One self-contained HTML page (inline CSS, no script, no network: it opens by double-clicking it on the share,
on a phone too) for the league office and every secretary, plus one page per unit in that unit's feedback
folder (`feedback.feedback_folder`) with its own files, problems and what it still owes.

Two steps, so that a run with nothing new can refresh the countdown without consolidating again:

- `collect(store, consolidation, catalogue, inbox, outbox)` → the round's facts as plain JSON-able data: the
  units (every 系 known from 机构信息, the inbox's subfolders and past submissions, plus the league office) with
  the state of each kind of material the edition needs from them, their files, the form's items. Everything in
  it is already free of personal data: counts, states and reasons only (`Scrub`: no 学号, no student's name, no
  rank, no grade; an issue is shown by its kind's reason, never by its message, which quotes the cell).
- `pages(facts, outbox, now, deadline)` → {path: html} of the main page and each unit's page, and
  `write_pages` writes those whose content changed (the update time aside) atomically.

The colours are the workbooks' (`cells.STATE_FILL`, `cells.SEVERITY_FILL`): one colour language.

The provincial review (`sureform review`, issue 22, not built yet) will show colleges the same way (received /
通过 / 需整改 / 待核实 / not yet sent): its page belongs beside these, built from its own facts by a
`review_pages(facts, outbox, now, deadline)` reusing `_document`, `_state_cell` and the CSS here. Nothing of it
exists yet.
"""
from __future__ import annotations

import hashlib
import html
import os
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time as dtime
from pathlib import Path
from urllib.parse import quote

from sureform.atomic import atomic_path, unit_name_problem
from sureform.issues import ERROR, FINDING, ISSUE_TYPES, SEVERITY_LABEL, WARNING
from sureform.outputs.cells import SEVERITY_FILL, STATE_FILL
from sureform.outputs.feedback import feedback_folder

PROGRESS_NAME = "进度.html"
OFFICE = "校团委"  # the league office: its own materials (机构信息, score sheets, documents)
UPDATED = "\x00updated\x00"  # the update time, filled in after the page's digest is taken
FACTS_VERSION = 1

# the state of one kind of material from one unit → (words shown, fill of cells.STATE_FILL or None)
STATES = {
    "missing": ("未提交", "missing"),
    "accepted": ("已接收", "good"),
    "problems": ("已接收有问题", "open"),
    "returned": ("已退回待修改", "bad"),
    "replaced": ("已被替换", None),
    "none": ("无需提交", None),
    "waiting": ("待名单", "missing"),  # how many are needed follows from the roster, not yet accepted
}
VERDICT_FILL = {True: "good", False: "bad", None: "missing"}  # 待补充 grey, as in 汇总.xlsx
SEVERITY_NAMES = {ERROR: "错误", FINDING: "问题", WARNING: "提示"}

ROLE_LABELS = {"charter": "学生会章程", "election_method": "主席团成员候选人产生办法及选举办法",
               "evaluation_method": "工作人员述职评议办法"}
SCORE_RULES = {"council-and-reports", "nominations-follow-results"}
CANDIDATE_RULES = {"candidates-vetted"}

# an issue on the page is its kind's reason, never its message (which quotes the cell: a 学号, a name, a rank)
REASONS = {
    "rank-above-limit": "成绩排名超出本专业规定比例",
    "rank-missing": "非一年级新生未填写成绩排名",
    "failed-course": "有课业不及格",
    "discipline-record": "有违纪记录",
    "person-on-two-rosters": "同一人同时出现在两个系的名单中",
    "political-status-not-allowed": "政治面貌不符合要求",
    "post-not-allowed": "职务不是学生会可设置的职务",
    "student-id-invalid": "学号不是有效学号",
    "student-id-duplicated": "同一学号在文件中重复出现",
    "student-id-precision-lost": "学号以数字格式保存，末尾几位已丢失",
    "student-id-leading-zero-lost": "学号开头的 0 可能已丢失",
    "candidate-form-missing": "主席团成员没有候选人预备人选推荐表",
    "report-missing": "主席团成员或部门负责人没有述职评议记录",
    "nominee-without-result": "被提名人没有述职评议结果",
    "nominee-below-peer": "被提名人的评议结果低于未被提名者",
    "delegate-not-recommended": "代表未填写推荐团支部",
    "delegate-not-elected": "代表未填写选举单位",
}


def issue_reason(code: str) -> str:
    """One short line on what kind of problem it is, without a value from any cell."""
    if code in REASONS:
        return REASONS[code]
    kind = ISSUE_TYPES.get(code)
    if kind is None:
        return "其他问题"
    text = re.sub(r"[“（(][^“”（）()]*\{[^}]*\}[^“”（）()]*[”）)]", "", kind.template)  # quoted/bracketed values
    text = re.sub(r"\{[^}]*\}", "", text)
    text = re.split(r"[。：；]", text, maxsplit=1)[0].strip("，、 ")
    return text or "其他问题"


class Scrub:
    """Text with every 学号 and every name the master knows replaced: what a page may show of a cell."""

    LONGEST = 12  # characters of a name looked for

    def __init__(self, names: set[str], ids: set[str]):
        self.names = {n for n in names if len(n) >= 2}
        self.ids = {i for i in ids if i}

    def __call__(self, text) -> str:
        text = "" if text is None else str(text)
        # a 学号 the master knows, and anything shaped like one (8 letters or digits and more)
        text = re.sub(r"[0-9A-Za-z]{4,}", lambda m: "＊" if len(m.group(0)) >= 8 or m.group(0) in self.ids
                      else m.group(0), text)
        out, i = [], 0
        while i < len(text):
            for n in range(min(self.LONGEST, len(text) - i), 1, -1):
                if text[i:i + n] in self.names:
                    out.append("某同学")
                    i += n
                    break
            else:
                out.append(text[i])
                i += 1
        text = "".join(out)
        text = re.sub(r"某同学(?:、某同学)+", lambda m: f"{m.group(0).count('某同学')}名同学", text)
        return text


def _personal(store, roster: list[tuple]) -> Scrub:
    """Every name and 学号 the master knows: `roster` is `store.current_people("roster")`, read once."""
    names = {str(n).strip() for _, _, n, _ in roster if n}
    ids = {str(i).strip() for _, i, _, _ in roster if i}
    for kind, name_keys, id_keys in (("unit_roster", ("name",), ("student_id",)),
                                     ("candidate", ("name",), ("student_id",)),
                                     ("score", ("person_name", "rater_name"), ("person_id",))):
        for rec in store.current_fields(kind, name_keys + id_keys):
            names |= {str(rec[k]).strip() for k in name_keys if rec.get(k)}
            ids |= {str(rec[k]).strip() for k in id_keys if rec.get(k)}
    for rec in store.current_fields("institution", ("name", "student_id", "_table", "category")):  # people, not
        table, category = rec.get("_table"), str(rec.get("category") or "")  # departments or meetings
        if table in PEOPLE_TABLES or (table == "unit_facts" and any(w in category for w in PEOPLE_FACTS)):
            names |= {str(rec["name"]).strip()} if rec.get("name") else set()
            ids |= {str(rec["student_id"]).strip()} if rec.get("student_id") else set()
    return Scrub(names, ids)


PEOPLE_TABLES = {"council", "responsible", "delegates", "nominations"}  # 机构信息 tables whose names are people's
PEOPLE_FACTS = ("秘书长", "负责人", "指导", "提名", "评优")  # 二级组织信息 categories naming a person


# ---- the facts -----------------------------------------------------------------------------------------------
def _time(text) -> str:
    """`2020-11-20T14:03:05+08:00` → `11-20 14:03`."""
    s = str(text or "")
    return s[5:16].replace("T", " ") if len(s) >= 16 else s


def _materials(catalogue) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(what each 系 sends, what the league office sends) under this edition: (key, label)."""
    rules = {it.rule for it in catalogue.items}
    unit = [("roster", "工作人员名单")]
    if rules & CANDIDATE_RULES:
        unit.append(("candidate", "主席团候选人推荐表"))
    if any(t.per_unit for t in catalogue.tables):
        unit += [("unit_roster", "院系学生会工作人员名单"), ("unit_facts", "二级组织信息")]
    office = [("institution", "机构信息")]
    if rules & SCORE_RULES:
        office.append(("score", "述职评议评分表"))
    office += [(f"document:{role}", label) for role, label in ROLE_LABELS.items()]
    return unit, office


def _inbox_units(inbox: Path) -> set[str]:
    """The inbox's first-level folders: one per unit given a place to drop its files."""
    from sureform.intake.inbox import is_ignored

    try:
        return {p.name for p in Path(inbox).iterdir() if p.is_dir() and not p.is_symlink() and not is_ignored(p.name)}
    except OSError:
        return set()


def _usable(unit: str) -> bool:
    return bool(unit) and unit not in (OFFICE, "未知单位") and unit_name_problem(unit) is None


def _known_units(store, inbox: Path) -> list[str]:
    units = set(store.units_with_submissions()) | _inbox_units(inbox)
    for rec in store.current_fields("institution", ("unit", "electing_unit", "_table")):
        if rec.get("_table") in ("unit_facts", "delegates"):
            units |= {str(rec[k]).strip() for k in ("unit", "electing_unit") if rec.get(k)}
    return sorted(u for u in units if _usable(u))


def _count(key: str, rows: int) -> str:
    if key in ("roster", "unit_roster"):
        return f"，{rows} 人"
    return "" if key.startswith("document") else f"，{rows} 条"


def _first_reason(issues) -> str:
    worst = [i for i in issues if i.severity == ERROR] or [i for i in issues if i.severity == FINDING] or issues
    if not worst:
        return ""
    i = worst[0]
    where = "、".join(x for x in (i.sheet and f"工作表“{i.sheet}”", i.cell or (f"第{i.row}行" if i.row else "")) if x)
    return issue_reason(i.code) + (f"（{where}）" if where else "")


def _reason_counts(issues) -> list[dict]:
    """Problems grouped by kind: [{severity, reason, n}], worst first."""
    order = {ERROR: 0, FINDING: 1, WARNING: 2}
    groups: dict[tuple[str, str], int] = defaultdict(int)
    for i in issues:
        groups[(i.severity, issue_reason(i.code))] += 1
    return [{"severity": s, "reason": r, "n": n}
            for (s, r), n in sorted(groups.items(), key=lambda kv: (order.get(kv[0][0], 3), -kv[1]))]


def collect(store, consolidation, catalogue, inbox: Path, outbox: Path, as_of: date | None = None) -> dict:
    """The round's facts, free of personal data (see the module's docstring)."""
    from sureform.intake.kinds import KINDS
    from sureform.outputs.workbook import open_issues

    roster = store.current_people("roster")
    scrub = _personal(store, roster)
    labels = {k.name: k.label for k in KINDS}
    unit_needs, office_needs = _materials(catalogue)
    current = {r["id"] for r in store.current_submissions()}
    open_by_file: dict[str, list] = defaultdict(list)
    for _, issue in open_issues(store, consolidation.findings):
        open_by_file[issue.file or ""].append(issue)

    subs = sorted(store.all_submissions(), key=lambda r: (r["received_at"], r["id"]))
    kept = store.issues_by_submission()
    issues = {r["id"]: kept.get(r["id"], []) for r in subs}

    def key_of(r) -> str | None:
        kind = r["kind"]
        if kind == "document":
            return r["supersede_key"]  # document:<role> (a refused document has none)
        return kind

    by_owner: dict[tuple[str, str], list] = defaultdict(list)
    for r in subs:
        owner = r["unit"] or OFFICE
        by_owner[(owner, key_of(r) or ("roster" if r["unit"] else "unknown"))].append(r)

    def problems_of(r) -> list:
        if r["id"] in current:
            return [i for i in open_by_file.get(r["rel_path"], []) if i.severity in (ERROR, FINDING)]
        return [i for i in issues[r["id"]] if i.severity in (ERROR, FINDING)]

    def single(owner: str, key: str, label: str) -> dict:
        mine = by_owner.get((owner, key), [])
        live = next((r for r in reversed(mine) if r["id"] in current), None)
        last = mine[-1] if mine else None
        m = {"key": key, "label": label, "state": "missing", "detail": "", "problems": 0}
        if last is None:
            return m
        if last["status"] == "rejected" and (live is None or last["id"] > live["id"]):
            m["state"] = "returned"
            m["detail"] = f"{_time(last['received_at'])} 退回：{_first_reason(issues[last['id']])}"
            if live is not None:
                m["detail"] += f"；现行仍为 {_time(live['received_at'])} 接收的文件"
            return m
        if live is None:
            return m
        found = [i for i in problems_of(live) if i.severity == FINDING]
        m["problems"] = len(found)
        m["state"] = "problems" if found else "accepted"
        m["detail"] = _time(live["received_at"]) + _count(key, live["rows"]) + (f"，{len(found)} 个问题" if found else "")
        return m

    candidates = store.current_records("candidate") if any(k == "candidate" for k, _ in unit_needs) else []
    presidium_posts = set(catalogue.vocabulary.get("presidium_posts", []))
    presidium: dict[str, list[dict]] = defaultdict(list)
    seen_people: set = set()
    for unit, sid, name, post in roster:
        key = sid or name
        if post in presidium_posts and key not in seen_people:
            seen_people.add(key)
            presidium[unit].append({"student_id": sid, "name": name, "post": post})

    form_ids = {str(c["student_id"]) for c in candidates if c.get("student_id")}
    form_names = {c.get("name") for c in candidates if c.get("name")}
    form_names_only = {c.get("name") for c in candidates if c.get("name") and not c.get("student_id")}

    def has_form(member: dict) -> bool:
        """A form of this presidium member (as `rules.people.same_person`: by 学号 when both have one, else by name)."""
        sid, name = member.get("student_id"), member.get("name")
        if sid:
            return str(sid) in form_ids or name in form_names_only
        return name in form_names

    def candidate_state(unit: str, roster_state: str) -> dict:
        m = {"key": "candidate", "label": "主席团候选人推荐表", "state": "missing", "detail": "", "problems": 0}
        members = presidium.get(unit, [])
        mine = by_owner.get((unit, "candidate"), [])
        forms = [r for r in mine if r["id"] in current]
        returned = [r for r in mine if r["status"] == "rejected" and not any(f["id"] > r["id"] for f in forms)]
        have = sum(1 for p in members if has_form(p))
        if returned:
            m["state"] = "returned"
            m["detail"] = f"{_time(returned[-1]['received_at'])} 退回：{_first_reason(issues[returned[-1]['id']])}"
        elif roster_state in ("missing", "returned") and not forms:
            m["state"], m["detail"] = "waiting", "名单接收后核对需要几份"
        elif not members:
            m["state"], m["detail"] = ("none", "本系没有主席团成员") if not forms else ("accepted", f"{len(forms)} 份")
        elif have < len(members):
            m["detail"] = f"已收 {have}/{len(members)} 份，缺 {len(members) - have} 份"
            m["missing"] = len(members) - have
        else:
            found = [i for r in forms for i in problems_of(r) if i.severity == FINDING]
            m["problems"] = len(found)
            m["state"] = "problems" if found else "accepted"
            m["detail"] = f"{have}/{len(members)} 份" + (f"，{len(found)} 个问题" if found else "")
        return m

    facts_count: dict[str, int] = defaultdict(int)
    for r in store.current_fields("institution", ("unit", "_table")):
        if r.get("_table") == "unit_facts" and r.get("unit"):
            facts_count[str(r["unit"]).strip()] += 1

    owned: dict[str, list] = defaultdict(list)  # every submission of one unit (the league office's: OFFICE)
    for (owner, _), rs in by_owner.items():
        owned[owner].extend(rs)
    arrivals: dict[str, list] = defaultdict(list)
    for a in store.all_arrivals():
        arrivals[a["unit"] or OFFICE].append(a)

    def files_of(owner: str) -> list[dict]:
        out = []
        for r in sorted(owned.get(owner, []), key=lambda r: (r["received_at"], r["id"]), reverse=True):
            if r["status"] == "rejected":
                state, shown = "returned", "退回"
            elif r["id"] in current:
                state = "problems" if any(i.severity == FINDING for i in problems_of(r)) else "accepted"
                shown = "已接收（现行）" if state == "accepted" else "已接收有问题（现行）"
            else:
                state, shown = "replaced", "已被新文件替换"
            listed = open_by_file.get(r["rel_path"], []) if r["id"] in current else issues[r["id"]]
            out.append({"name": scrub(r["original_name"]), "kind": labels.get(r["kind"], r["kind"] or "未识别"),
                        "state": state, "shown": shown, "received": _time(r["received_at"]), "rows": r["rows"],
                        "reasons": _reason_counts(listed), "order": r["received_at"]})
        for a in arrivals.get(owner, []):
            out.append({"name": scrub(a["original_name"]), "kind": labels.get(a["kind"], a["kind"] or "未识别"),
                        "state": "replaced" if not a["reinstated"] else "accepted",
                        "shown": "重新提交旧版本，已恢复为现行" if a["reinstated"] else "与已收到的文件相同，未重复计入",
                        "received": _time(a["received_at"]), "rows": a["rows"], "reasons": [],
                        "order": a["received_at"]})
        out.sort(key=lambda f: f.pop("order"), reverse=True)
        return out

    units = []
    for unit in _known_units(store, inbox):
        materials = []
        for key, label in unit_needs:
            if key == "candidate":
                materials.append(candidate_state(unit, materials[0]["state"]))
            elif key == "unit_facts":
                n = facts_count.get(unit) or next((c for u, c in facts_count.items() if unit in u or u in unit), 0)
                materials.append({"key": key, "label": label, "state": "accepted" if n else "missing",
                                  "detail": f"{n} 条（校团委机构信息中）" if n else "校团委机构信息中没有本系的记录",
                                  "problems": 0, "by": OFFICE})
            else:
                materials.append(single(unit, key, label))
        units.append({"name": unit, "office": False, "materials": materials, "files": files_of(unit)})
    office = {"name": OFFICE, "office": True, "materials": [single(OFFICE, k, lab) for k, lab in office_needs],
              "files": files_of(OFFICE)}
    for u in [*units, office]:
        u["owes"] = [m["label"] for m in u["materials"] if m["state"] in ("missing", "returned") and not m.get("by")]
        u["complete"] = not u["owes"]
        u["folder"] = _rel(feedback_folder(outbox, u["name"]), outbox)

    texts = {(it.table, it.id): it.text for it in catalogue.items}
    marks = {(it.table, it.id): it.mark for it in catalogue.items}
    items = []
    missing_roster = [u["name"] for u in units if u["materials"][0]["state"] != "accepted"
                      and u["materials"][0]["state"] != "problems"]
    for v in consolidation.items:
        table = v.get("table") or "校级"
        note = scrub(v.get("note") or "")
        entry = {"table": table, "unit": v.get("unit"), "id": str(v["id"]), "mark": marks.get((table, str(v["id"])), ""),
                 "text": re.sub(r"^\s*\d+[a-z]?\s*[.、．]\s*", "", texts.get((table, str(v["id"])), "")), "verdict": v.get("verdict") or "",
                 "passed": v.get("passed"), "reason": note, "who": ""}
        if v.get("passed") is None and note.startswith("待补充："):
            entry["reason"] = note[len("待补充："):]
            entry["who"] = _who(entry["reason"], v.get("unit"), units, missing_roster)
        items.append(entry)

    basic = {r.get("item"): r.get("value") for r in store.current_fields("institution", ("item", "value", "_table"))
             if r.get("_table") == "basic"}
    school = str(basic.get("学校名称") or "").strip() or "（学校名称待补充：机构信息“基本信息”）"
    return {"version": FACTS_VERSION, "school": scrub(school), "edition": catalogue.edition, "title": catalogue.title,
            "as_of": as_of.isoformat() if as_of else "", "units": units, "office": office, "items": items,
            "unit_needs": [{"key": k, "label": lab} for k, lab in unit_needs]}


def with_new_folders(facts: dict, inbox: Path, outbox: Path) -> dict:
    """`facts` with a row for each unit given an inbox folder since they were collected (nothing sent yet): a run
    with nothing new shows it without consolidating again."""
    known = {u["name"] for u in facts["units"]}
    new = sorted(u for u in _inbox_units(inbox) if u not in known and _usable(u))
    if not new:
        return facts
    units = list(facts["units"])
    for name in new:
        materials = []
        for need in facts["unit_needs"]:
            m = {"key": need["key"], "label": need["label"], "state": "missing", "detail": "", "problems": 0}
            if need["key"] == "candidate":
                m["state"], m["detail"] = "waiting", "名单接收后核对需要几份"
            elif need["key"] == "unit_facts":
                m.update(detail="校团委机构信息中没有本系的记录", by=OFFICE)
            materials.append(m)
        owes = [m["label"] for m in materials if m["state"] == "missing" and not m.get("by")]
        units.append({"name": name, "office": False, "materials": materials, "files": [], "owes": owes,
                      "complete": not owes, "folder": _rel(feedback_folder(outbox, name), outbox)})
    return dict(facts, units=sorted(units, key=lambda u: u["name"]))


def _who(what: str, unit: str | None, units: list[dict], missing_roster: list[str]) -> str:
    """Who is to send what an undecided item lacks."""
    if unit:  # a 二级 item: its union's own roster comes from the 系, its facts from 机构信息 (the league office)
        return unit if re.search(r"(?<!提名)(?<!代表)名单", what) and "工作人员" in what else OFFICE
    if "推荐表" in what:
        owing = [u["name"] for u in units for m in u["materials"] if m["key"] == "candidate"
                 and m["state"] in ("missing", "returned")]
        return "、".join(owing) or "主席团成员所在系"
    if "院系学生会工作人员名单" in what:
        return "各系"
    if "工作人员名单" in what and "机构信息" not in what:
        return "、".join(missing_roster) if missing_roster else "各系"
    if "述职评议评分表" in what:
        return "评议会（经校团委）"
    return OFFICE


def _rel(path: Path, outbox: Path) -> str:
    return Path(os.path.relpath(path, outbox)).as_posix()


# ---- the countdown ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Countdown:
    deadline: datetime
    now: datetime

    @property
    def days(self) -> int:
        return (self.deadline.date() - self.now.date()).days

    @property
    def passed(self) -> bool:
        return self.now > self.deadline

    def words(self) -> str:
        if self.passed:
            late = -self.days
            return f"已过截止时间{f' {late} 天' if late > 0 else ''}"
        if self.days == 0:
            return f"今天 {self.deadline:%H:%M} 截止"
        return f"还有 {self.days} 天"

    def sentence(self) -> str:
        if self.passed:
            late = -self.days
            return f"已超过截止时间{f'{late}天' if late > 0 else ''}，请尽快报送。"
        if self.days == 0:
            return f"今天{self.deadline:%H:%M}截止。"
        return f"距截止还有{self.days}天。"


def deadline_moment(deadline) -> datetime | None:
    """The deadline as a Beijing time: a date alone means the end of that day (23:59)."""
    if deadline is None:
        return None
    if isinstance(deadline, datetime):
        return deadline.replace(tzinfo=None)
    if isinstance(deadline, date):
        return datetime.combine(deadline, dtime(23, 59))
    return None


def _month_day(moment: datetime) -> str:
    return f"{moment.month}月{moment.day}日"


# ---- the pages ---------------------------------------------------------------------------------------------------
def _argb(fill: str | None) -> str:
    return f"#{fill[2:]}" if fill else "#ffffff"


CSS = """
*{box-sizing:border-box}
body{margin:0;padding:12px;font:15px/1.5 "Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;color:#222;
background:#fafafa;overflow-wrap:anywhere;word-break:break-word}
main{max-width:1200px;margin:0 auto}
h1{font-size:1.35em;margin:.2em 0 .4em}h2{font-size:1.15em;margin:1.4em 0 .5em;border-bottom:2px solid #ddd}
h3{font-size:1em;margin:1em 0 .3em}
.meta{display:flex;flex-wrap:wrap;gap:4px 16px;margin:0 0 8px;padding:0;list-style:none;color:#444}
.countdown{font-weight:bold;padding:2px 8px;border-radius:4px}
.links{display:flex;flex-wrap:wrap;gap:6px 14px;margin:6px 0}
a{color:#0563c1}
.tally{display:flex;flex-wrap:wrap;gap:8px;margin:8px 0}
.tally span{padding:4px 10px;border-radius:4px;border:1px solid #ccc}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{border:1px solid #ccc;padding:6px 8px;text-align:left;vertical-align:top}
th{background:#f0f0f0}
td.s{white-space:normal}
td.id,td.verdict,th.nw{white-space:nowrap;overflow-wrap:normal;word-break:keep-all}
.state{font-weight:bold;display:block}
.detail{font-size:.85em;color:#444;display:block}
.legend{display:flex;flex-wrap:wrap;gap:6px;margin:6px 0;padding:0;list-style:none;font-size:.9em}
.legend li{padding:2px 8px;border:1px solid #ccc;border-radius:4px}
.text{font-size:.9em}
.note{color:#555;font-size:.9em}
@media (max-width:700px){
 body{padding:8px;font-size:14px}
 table.cards,table.cards tbody,table.cards tr,table.cards td{display:block;width:100%}
 table.cards thead{display:none}
 table.cards tr{margin:0 0 10px;border:1px solid #bbb;border-radius:6px;overflow:hidden}
 table.cards td{border:none;border-top:1px solid #e3e3e3}
 table.cards td:first-child{border-top:none;background:#f0f0f0;font-weight:bold}
 table.cards td[data-label]::before{content:attr(data-label);display:block;font-size:.8em;color:#666}
 table.items tr{display:grid;grid-template-columns:auto 1fr}
 table.items td.id{border-right:1px solid #e3e3e3}
 table.items td.verdict{border-top:none}
 table.items td.verdict{order:1}table.items td.text{order:2}table.items td.reason{order:3}
 table.items td.text,table.items td.reason{grid-column:1/-1}
 table.items td.empty{display:none}
}
.remind{background:#fff;border:1px solid #bbb;border-radius:4px;padding:8px;user-select:all;-webkit-user-select:all}
"""


def _e(text) -> str:
    return html.escape("" if text is None else str(text), quote=True)


def _href(path: str) -> str:
    return quote(path, safe="/.")


def _state_cell(m: dict, label: str | None = None) -> str:
    words, fill = STATES[m["state"]]
    attrs = f' data-label="{_e(label)}"' if label else ""
    return (f'<td class="s"{attrs} data-kind="{_e(m["key"])}" data-state="{m["state"]}" style="background:{_argb(STATE_FILL.get(fill) if fill else None)}">'
            f'<span class="state">{words}</span><span class="detail">{_e(m.get("detail"))}</span></td>')


def _legend() -> str:
    return '<ul class="legend">' + "".join(
        f'<li style="background:{_argb(STATE_FILL.get(fill) if fill else None)}">{words}</li>'
        for key, (words, fill) in STATES.items() if key not in ("none", "waiting")) + "</ul>"


def _document(title: str, body: str) -> str:
    return ("<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
            "<meta name=\"robots\" content=\"noindex\">"
            f"<title>{_e(title)}</title><style>{CSS}</style></head><body><main>{body}</main></body></html>\n")


def _header(facts: dict, countdown: Countdown | None, what: str) -> str:
    meta = [f"备案表：{_e(facts['title'])}（{_e(facts['edition'])} 版）"]
    if facts.get("as_of"):
        meta.append(f"填报日期 {_e(facts['as_of'])}")
    if countdown is not None:
        fill = STATE_FILL["bad"] if countdown.passed else STATE_FILL["open"] if countdown.days <= 3 else STATE_FILL["good"]
        meta.append(f"截止 {countdown.deadline.year}年{_month_day(countdown.deadline)} {countdown.deadline:%H:%M}"
                    f' <span class="countdown" id="countdown" data-days="{countdown.days}" '
                    f'data-passed="{str(countdown.passed).lower()}" style="background:{_argb(fill)}">{countdown.words()}</span>')
    else:
        meta.append("未设置截止时间")
    meta.append(f"最后更新 {UPDATED}（北京时间）")
    return (f"<h1>{_e(facts['school'])} · {_e(what)}</h1><ul class=\"meta\">"
            + "".join(f"<li>{m}</li>" for m in meta) + "</ul>")


def remind_text(facts: dict, now_words: str, countdown: Countdown | None) -> str:
    """The 催报 text for a group chat: who has not sent what, whose material came back, the days left."""
    parts = []
    for need in facts["unit_needs"]:
        owing = [u["name"] for u in facts["units"] for m in u["materials"]
                 if m["key"] == need["key"] and m["state"] == "missing" and not m.get("by")]
        if owing:
            parts.append(f"以下单位尚未提交{need['label']}：{'、'.join(owing)}")
    returned = []
    for u in facts["units"]:
        labels = [m["label"] for m in u["materials"] if m["state"] == "returned"]
        if labels:
            returned.append(f"{u['name']}（{'、'.join(labels)}）")
    if returned:
        parts.append(f"以下单位的材料被退回待修改：{'、'.join(returned)}")
    if not parts:
        parts.append("各单位材料均已报齐")
    text = f"截至{now_words}：" + "；".join(parts) + "。"
    if countdown is not None:
        text = text[:-1] + "；" + countdown.sentence()
    return text


def _units_table(units: list[dict], needs: list[dict], outbox_prefix: str, with_pages: bool) -> str:
    head = "".join(f"<th>{_e(n['label'])}</th>" for n in needs)
    rows = []
    for u in units:
        page = f"{u['folder']}/{PROGRESS_NAME}"
        name = f'<a href="{_href(outbox_prefix + page)}">{_e(u["name"])}</a>' if with_pages else _e(u["name"])
        badge = "已报齐" if u["complete"] else f"尚缺 {len(u['owes'])} 项"
        cells = "".join(_state_cell(m, m["label"]) for m in u["materials"])
        rows.append(f'<tr class="unit" data-unit="{_e(u["name"])}" data-complete="{str(u["complete"]).lower()}">'
                    f'<td>{name}<span class="detail">{badge}</span></td>{cells}</tr>')
    return (f'<table class="cards units"><thead><tr><th>单位</th>{head}</tr></thead><tbody>'
            + "".join(rows) + "</tbody></table>")


def _items_table(items: list[dict]) -> str:
    out = []
    groups: dict[tuple, list] = {}
    for it in items:
        groups.setdefault((it["table"], it.get("unit") or ""), []).append(it)
    for (table, unit), rows in groups.items():
        title = f"{table}表" + (f"：{unit}" if unit else "")
        body = []
        for it in rows:
            fill = STATE_FILL[VERDICT_FILL[it["passed"]]]
            reason = _e(it["reason"]) or ("—" if it["passed"] else "见汇总.xlsx“评估结论”")
            quiet = " empty" if reason == "—" and not it["who"] else ""
            who = f'<span class="detail">由 {_e(it["who"])} 报送</span>' if it["who"] else ""
            body.append(f'<tr class="item" data-item="{_e(it["id"])}" data-table="{_e(table)}" data-verdict="{_e(it["verdict"])}">'
                        f'<td class="id">{_e(it["mark"])}{_e(it["id"])}</td><td class="text">{_e(it["text"])}</td>'
                        f'<td class="verdict" style="background:{_argb(fill)}"><span class="state">{_e(it["verdict"])}</span></td>'
                        f'<td class="reason{quiet}">{reason}{who}</td></tr>')
        out.append(f"<h3>{_e(title)}</h3><table class=\"cards items\"><thead><tr><th class=\"nw\">项</th><th>项目</th><th class=\"nw\">结论</th>"
                   f"<th>依据或缺少的材料</th></tr></thead><tbody>{''.join(body)}</tbody></table>")
    return "".join(out)


def _files_table(files: list[dict]) -> str:
    if not files:
        return "<p>还没有收到本单位的文件。</p>"
    rows = []
    for f in files:
        words, fill = STATES[f["state"]]
        reasons = "".join(
            f'<span class="detail" style="background:{_argb(SEVERITY_FILL.get(SEVERITY_NAMES.get(r["severity"])))}">'
            f'{SEVERITY_LABEL.get(r["severity"], "")} {r["n"]} 处：{_e(r["reason"])}</span>' for r in f["reasons"])
        rows.append(f'<tr class="file" data-state="{f["state"]}"><td>{_e(f["name"])}</td>'
                    f'<td data-label="材料">{_e(f["kind"])}</td><td data-label="接收时间">{_e(f["received"])}</td>'
                    f'<td data-label="状态" style="background:{_argb(STATE_FILL.get(fill) if fill else None)}">'
                    f'<span class="state">{_e(f["shown"])}</span>{reasons}</td></tr>')
    return ('<table class="cards files"><thead><tr><th>文件</th><th>材料</th><th>接收时间</th><th>状态与问题</th></tr>'
            "</thead><tbody>" + "".join(rows) + "</tbody></table>")


def _now_words(now: datetime) -> str:
    return f"{_month_day(now)}{now:%H:%M}"


def main_page(facts: dict, links: dict[str, str], countdown: Countdown | None) -> str:
    units, office = facts["units"], facts["office"]
    done = sum(1 for u in units if u["complete"])
    tally = (f'<div class="tally"><span>各系 {len(units)} 个</span>'
             f'<span style="background:{_argb(STATE_FILL["good"])}">已报齐 {done}</span>'
             f'<span style="background:{_argb(STATE_FILL["missing"])}">未报齐 {len(units) - done}</span></div>')
    nav = '<div class="links">' + "".join(f'<a href="{_href(href)}">{_e(label)}</a>' for label, href in links.items()) + "</div>"
    body = _header(facts, countdown, "报送进度") + nav + tally
    body += ('<h2 id="remind">催报</h2><p class="note">点一下（手机上长按）即选中全文，可直接复制到工作群：</p>'
             f'<div class="remind" id="remind-text">{_e(remind_text(facts, UPDATED, countdown))}</div>')
    body += "<h2 id=\"units\">各系报送情况</h2>" + _legend()
    body += _units_table(units, facts["unit_needs"], "", True) if units else "<p>还没有已知的系（收件文件夹中没有系名子文件夹，也没有收到过材料）。</p>"
    body += "<h3>校团委</h3>" + _units_table([office], [{"label": m["label"]} for m in office["materials"]], "", True)
    body += "<h2 id=\"items\">备案表各项</h2>" + (_items_table(facts["items"]) or "<p>还没有评估结论。</p>")
    body += ('<p class="note">本页只含各单位的报送状态、数量和原因，不含学号、姓名、成绩或排名；'
             "各项依据的具体单元格见汇总.xlsx“评估结论”“待整改问题”。点击单位名称查看该单位的文件和问题。</p>")
    return _document(f"{facts['school']} 报送进度", body)


def unit_page(facts: dict, unit: dict, back: str, countdown: Countdown | None, mine: list[dict]) -> str:
    """`mine`: the form's items that bear on this unit (its own 二级 table, or it is to send what they lack)."""
    needs = [{"label": m["label"]} for m in unit["materials"]]
    owes = ("<p>还需报送：" + "、".join(_e(o) for o in unit["owes"]) + "</p>") if unit["owes"] else "<p>本单位的材料已报齐。</p>"
    body = _header(facts, countdown, f"{unit['name']} 报送进度")
    body += f'<div class="links"><a href="{_href(back)}">全部单位的进度</a><a href="./">本单位的标注文件（本文件夹）</a></div>'
    body += owes + _legend() + _units_table([unit], needs, "", False)
    body += "<h2>本单位的文件</h2>" + _files_table(unit["files"])
    if mine:
        body += "<h2>与本单位有关的备案表项目</h2>" + _items_table(mine)
    body += ('<p class="note">问题的具体位置和修改方法见本文件夹中的“…_错误标注.xlsx”。'
             "本页不含学号、姓名、成绩或排名。</p>")
    return _document(f"{unit['name']} 报送进度", body)


def _links(outbox: Path) -> dict[str, str]:
    return {name: name for name in ("汇总.xlsx", "备案表.docx", "改革情况公开.docx") if (Path(outbox) / name).exists()}


def _countdown(now: datetime, deadline) -> Countdown | None:
    moment = deadline_moment(deadline)
    return Countdown(moment, now.replace(tzinfo=None)) if moment else None


def shows(facts_digest: str, outbox: Path, now: datetime, deadline=None) -> str:
    """What the pages show, in one digest: the facts, the countdown as shown (its days, whether it has passed),
    the deadline, the documents linked. Equal digests: the same pages (the update time aside)."""
    c = _countdown(now, deadline)
    key = [facts_digest, str(c.deadline) if c else None, c.days if c else None, c.passed if c else None,
           sorted(_links(outbox))]
    return digest(repr(key))


def pages(facts: dict, outbox: Path, now: datetime, deadline=None) -> dict[Path, str]:
    """{path: html} of every page, the update time left as a placeholder (`finish`)."""
    countdown = _countdown(now, deadline)
    outbox = Path(outbox)
    out = {outbox / PROGRESS_NAME: main_page(facts, _links(outbox), countdown)}
    related: dict[str, list[dict]] = defaultdict(list)
    for it in facts["items"]:
        for name in dict.fromkeys(([it["unit"]] if it.get("unit") else []) + (it["who"].split("、") if it["who"] else [])):
            related[name].append(it)
    for unit in [*facts["units"], facts["office"]]:
        folder = outbox / unit["folder"]
        back = Path(os.path.relpath(outbox / PROGRESS_NAME, folder)).as_posix()
        out[folder / PROGRESS_NAME] = unit_page(facts, unit, back, countdown, related.get(unit["name"], []))
    return out


def untouched(record: dict) -> bool:
    """Every page of `record` ({path: [digest, size, mtime_ns]}) is still as it was written."""
    pages_ = record.get("pages") or {}
    return bool(pages_) and all(_stamp(Path(p)) == v[1:] for p, v in pages_.items())


def finish(page: str, now: datetime) -> str:
    """The page with its update time (Beijing time) filled in."""
    return page.replace(UPDATED, _e(_now_words(now)))


def digest(page: str) -> str:
    return hashlib.sha256(page.encode("utf-8")).hexdigest()


WRITERS = 4  # pages written at once: each write waits on its fsync (2,000 units' pages on a fresh outbox)


def write_pages(rendered: dict[Path, str], now: datetime, previous: dict[str, list]) -> tuple[list[Path], dict]:
    """Write each page whose content changed since `previous` ({path: [digest, size, mtime_ns]}) or whose file is
    not as it was left, a few at once; returns (written, the record of every page)."""
    from concurrent.futures import ThreadPoolExecutor

    record, todo = {}, []
    for path, page in rendered.items():
        d = digest(page)
        old = previous.get(str(path))
        if old and old[0] == d and _stamp(path) == old[1:]:
            record[str(path)] = old
        else:
            todo.append((path, page, d))

    def write(job: tuple[Path, str, str]) -> None:
        path, page, d = job
        with atomic_path(path) as tmp:
            tmp.write_text(finish(page, now), encoding="utf-8")
        record[str(path)] = [d, *(_stamp(path) or [])]

    if len(todo) < 2:
        for job in todo:
            write(job)
    else:
        with ThreadPoolExecutor(WRITERS) as pool:
            list(pool.map(write, todo))  # the first failure is raised here
    return [path for path, _, _ in todo], record


def _stamp(path: Path) -> list | None:
    try:
        st = Path(path).stat()
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns]


def overdue_units(facts: dict, now: datetime, deadline) -> list[dict]:
    """After the deadline: the units (league office included) that still owe something, with what."""
    moment = deadline_moment(deadline)
    if moment is None or not now.replace(tzinfo=None) > moment:
        return []
    return [{"unit": u["name"], "owes": u["owes"]} for u in [*facts["units"], facts["office"]] if u["owes"]]


def complete_units(facts: dict | None) -> set[str]:
    if not facts:
        return set()
    return {u["name"] for u in [*facts["units"], facts["office"]] if u["complete"]}
