"""Rule kinds about what the departments do, how the union is built and how big it is (2020: items 1, 2, 3a–3c)."""
from __future__ import annotations

import re

from sureform.intake.values import parse_yes_no
from sureform.rules.evidence import fact, fact_of, finding, source
from sureform.rules.outcome import Outcome, pending
from sureform.rules.people import presidium, staff, work_departments
from sureform.editions import CatalogueItem
from sureform.rules.view import MasterView

NOTE_KEYWORDS = 3  # administrative words named in the form's 备注
_CLAUSE_END = re.compile(r"(?<=[。；;\n])")
_NUMBERING = re.compile(r"^\s*(?:\d+(?:\.\d+)*[.、．]?|[（(]\s*\d+\s*[)）]|[①-⑳])\s*")


def duty_clauses(duties: str, keywords: list[str]) -> list[tuple[str, list[str]]]:
    """The sentences of a duty text that name an administrative function, each with the words found."""
    out = []
    for part in _CLAUSE_END.split(str(duties)):
        clause = _NUMBERING.sub("", part).strip()
        found = [k for k in keywords if k in clause]
        if found:
            out.append((clause, found))
    return out


def _note_words(found: list[str], keywords: list[str]) -> list[str]:
    """The words the form's 备注 names: in the vocabulary's order, none inside another, NOTE_KEYWORDS at most."""
    shown: list[str] = []
    for word in sorted(found, key=keywords.index):
        if not any(word in other or other in word for other in shown):
            shown.append(word)
    return shown[:NOTE_KEYWORDS]


def declared_departments(view: MasterView) -> list[dict]:
    """部门设置 records naming a work department (the presidium is not one)."""
    presidium_unit = view.catalogue.vocabulary["presidium_unit"]
    return [r for r in view.table("departments") if r.get("name") and r.get("name") != presidium_unit]


def no_administrative_functions(view: MasterView, item: CatalogueItem):
    """No department's duties name an administrative function (宿舍管理, 纠察, 安保 …), unless reviewed."""
    departments = view.table("departments")
    if not departments:
        return pending(item.id, "机构信息“部门设置”（各部门职责）")
    keywords = list(view.catalogue.vocabulary["administrative_keywords"])
    out = Outcome(item.id)
    reviewed: list[str] = []
    for rec in departments:
        name, duties = rec.get("name") or "（未命名部门）", rec.get("duties")
        if not duties or not str(duties).strip():
            out.lack(f"{name}的部门职责")
            continue
        clauses = duty_clauses(duties, keywords)
        if not clauses:
            out.show(fact_of(rec, "duties", "部门职责", f"{name}：{duties}"))
            continue
        quoted = "".join(c for c, _ in clauses)
        found_words = list(dict.fromkeys(w for _, found in clauses for w in found))
        words = "、".join(found_words)
        out.show(fact_of(rec, "duties", "部门职责", f"{name}：{quoted}"))
        note = str(rec.get("review_note") or "").strip()
        if note:
            out.show([finding("duty-reviewed", rec, "duties", "职责", quoted, department=name, keywords=words, note=note),
                      fact_of(rec, "review_note", "复核说明", f"{name}：{note}")])
            reviewed.append(f"{name}复核说明：{note}")
        else:
            out.breach(finding("duty-administrative", rec, "duties", "职责", quoted, department=name, keywords=words),
                       f"{name}职责含{'、'.join(_note_words(found_words, keywords))}等行政职能")
            # one line on the form: the first words only; every word and the quote go to the evidence
    return out.result(note="；".join(reviewed))


def presidium_and_departments_only(view: MasterView, item: CatalogueItem):
    """主席团 + 工作部门 only: no 中心/项目办公室 level, no level under a department, no undeclared department."""
    declared = declared_departments(view)
    members = staff(view)
    if not declared and not members:
        return pending(item.id, "机构信息“部门设置”和工作人员名单")
    vocab = view.catalogue.vocabulary
    out = Outcome(item.id)
    names = [r["name"] for r in declared]
    # every department name, with the record (and key) it comes from
    named: dict[str, tuple[dict, str]] = {r["name"]: (r, "name") for r in declared}
    for rec in members:
        dept = rec.get("department")
        if dept and dept != vocab["presidium_unit"]:
            named.setdefault(dept, (rec, "department"))
    for name, (rec, key) in named.items():
        label = "部门名称" if key == "name" else "所在部门"
        for word in vocab["forbidden_level_keywords"]:
            if word in name:
                out.breach(finding("department-level-forbidden", rec, key, label, name, keyword=word), f"设有“{name}”")
                break
        parent = _parent_of(name, names, vocab.get("sub_level_separators", []))
        if parent:
            out.breach(finding("department-sub-level", rec, key, label, name, parent=parent), f"“{name}”为下设层级")
    if declared:
        out.show(fact("部门设置", "、".join(names), source(declared[0], "name")))
        _undeclared(view, members, set(names), out)
    else:
        out.lack("机构信息“部门设置”（核对工作人员所在部门）")
    return out.result()


def _parent_of(name: str, declared: list[str], separators: list[str]) -> str | None:
    for sep in separators:
        if sep in name:
            head = name.split(sep, 1)[0].strip()
            return head or name
    longer_of = [d for d in declared if d != name and name.startswith(d)]
    return max(longer_of, key=len) if longer_of else None


def _undeclared(view: MasterView, members: list[dict], declared: set[str], out: Outcome) -> None:
    """Roster rows whose 所在部门 is neither declared nor the presidium (reusing open findings if any)."""
    known = [(unit, i) for unit, i in view.findings if i.code == "department-not-declared"]
    for _, issue in known:
        out.breach(issue.to_dict(with_file=True), f"“{issue.value}”未在部门设置中")
    covered = {(i.file, i.row) for _, i in known}
    presidium_unit = view.catalogue.vocabulary["presidium_unit"]
    for rec in members:
        dept = rec.get("department")
        if dept and dept != presidium_unit and dept not in declared and (rec.get("_file"), rec.get("_row")) not in covered:
            out.breach(finding("department-not-declared", rec, "department", "所在部门", dept,
                               declared="、".join(sorted(declared))), f"“{dept}”未在部门设置中")


def staff_size(view: MasterView, item: CatalogueItem):
    """Staff at most `limit`, or `large_school_limit` where the college says it is a large one."""
    members = staff(view)
    if not members:
        return pending(item.id, "工作人员名单")
    limits = {"staff": item.params["limit"],
              "staff_large_school": item.params.get("large_school_limit", item.params["limit"])}
    n = len(members)
    out = Outcome(item.id)
    for file, count in _count_by_file(members).items():
        out.show(fact("工作人员人数", count, file))
    flag_rec = view.basic("large_school")
    large, _ = parse_yes_no(flag_rec.get("value")) if flag_rec else (None, None)
    if flag_rec:
        out.show(fact_of(flag_rec, "value", "学生人数较多或分校区较多"))
    limit = limits["staff_large_school"] if large or n > limits["staff_large_school"] else limits["staff"]
    if n > limit and (large is not None or limit == limits["staff_large_school"]):
        out.breach(fact("工作人员人数上限", limit), f"超过{limit}人")
    elif n > limit:
        out.lack(f"是否为学生人数较多、分校区较多的高校（实有人 {n}，超过{limits['staff']}人）")
    return out.result(actual=n, note=_actual_note(item, n))


def presidium_size(view: MasterView, item: CatalogueItem):
    """Presidium members at most `limit`."""
    if not staff(view):
        return pending(item.id, "工作人员名单")
    members = presidium(view)
    n, limit = len(members), item.params["limit"]
    out = Outcome(item.id)
    out.show([fact_of(r, "post", "主席团成员", f"{r.get('name')}（{r.get('post')}）") for r in members])
    if n > limit:
        out.breach(fact("主席团人数上限", limit), f"超过{limit}人")
    return out.result(actual=n, note=_actual_note(item, n))


def department_count(view: MasterView, item: CatalogueItem):
    """Work departments at most `limit` (as declared in 机构信息, else as named on the roster)."""
    declared = declared_departments(view)
    if declared:
        names = list(dict.fromkeys(r["name"] for r in declared))
        evidence = [fact_of(r, "name", "工作部门") for r in declared]
    else:
        names = work_departments(view)
        first = {d: next(r for r in staff(view) if r.get("department") == d) for d in names}
        evidence = [fact_of(first[d], "department", "工作部门（据工作人员名单）") for d in names]
    if not names:
        return pending(item.id, "机构信息“部门设置”或工作人员名单")
    n, limit = len(names), item.params["limit"]
    out = Outcome(item.id)
    out.show(evidence)
    if n > limit:
        out.breach(fact("工作部门数上限", limit), f"超过{limit}个")
    return out.result(actual=n, note=_actual_note(item, n))


def _actual_note(item: CatalogueItem, n: int) -> str:
    return item.note.format(n=n) if item.note else str(n)


def _count_by_file(members: list[dict]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for rec in members:
        key = rec.get("_file") or rec.get("_unit") or "工作人员名单"
        counts[key] = counts.get(key, 0) + 1
    return counts
