"""Who is who on the roster: staff (one per person), the presidium, department heads; matching people."""
from __future__ import annotations

from sureform.rules.view import MasterView


def person_key(student_id, name) -> str:
    return f"id:{student_id}" if student_id else f"name:{name}"


def staff(view: MasterView) -> list[dict]:
    """Roster rows, one per person (学号, else 姓名): a person on two rosters counts once. Computed once a view
    (a dozen rule kinds ask for it; the view's roster does not change once built)."""
    if "staff" not in view.derived:
        view.derived["staff"] = _one_per_person(view.roster)
    return view.derived["staff"]


def _one_per_person(roster: list[dict]) -> list[dict]:
    seen: set[str] = set()
    out = []
    for rec in roster:
        key = person_key(rec.get("student_id"), rec.get("name"))
        if key not in seen:
            seen.add(key)
            out.append(rec)
    return out


def presidium(view: MasterView) -> list[dict]:
    posts = set(view.catalogue.vocabulary["presidium_posts"])
    return [rec for rec in staff(view) if rec.get("post") in posts]


def work_departments(view: MasterView) -> list[str]:
    """Department names on the roster other than the presidium, in order of appearance."""
    presidium_unit = view.catalogue.vocabulary["presidium_unit"]
    out: list[str] = []
    for rec in staff(view):
        dept = rec.get("department")
        if dept and dept != presidium_unit and dept not in out:
            out.append(dept)
    return out


def department_heads(view: MasterView) -> list[dict]:
    """Each work department's 部长; its 副部长 where it has no 部长."""
    vocab = view.catalogue.vocabulary
    heads, fallback = set(vocab["head_posts"]), set(vocab.get("head_fallback_posts", []))
    out = []
    members = staff(view)
    for dept in work_departments(view):
        in_dept = [r for r in members if r.get("department") == dept]
        chosen = [r for r in in_dept if r.get("post") in heads] or [r for r in in_dept if r.get("post") in fallback]
        out.extend(chosen)
    return out


def same_person(a_id, a_name, b_id, b_name) -> bool:
    """By 学号 when both have one, else by 姓名."""
    if a_id and b_id:
        return str(a_id) == str(b_id)
    return bool(a_name) and a_name == b_name


def describe(rec: dict) -> str:
    return f"{rec.get('name') or '（无名）'}（{rec.get('post') or '无职务'}）"
