"""述职评议 results: 0.5 × 日常考评 + 0.5 × 集中考评, each averaged over a person's raters."""
from __future__ import annotations

from collections import defaultdict

from sureform.editions import Catalogue


def score_results(records: list[dict], catalogue: Catalogue) -> list[dict]:
    """One result per (semester, person), the person known by 学号 or else by name.

    daily = mean over raters of the sum of the 日常考评 sub-scores; central = mean over raters of
    总结材料 + 述职汇报; result = daily_weight × daily + central_weight × central (catalogue weights).
    Rounded to two decimals; `raters` counts the score rows, `rater_categories` them by 类别.
    """
    s = catalogue.scores
    daily_names = [d["name"] for d in s["daily"]]
    central_names = [d["name"] for d in s["central"]]
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for rec in records:
        groups[(rec.get("semester"), rec.get("person_id") or rec.get("person_name"))].append(rec)
    out = []
    for (semester, _), recs in groups.items():
        daily = sum(sum(float(r.get(n) or 0) for n in daily_names) for r in recs) / len(recs)
        central = sum(sum(float(r.get(n) or 0) for n in central_names) for r in recs) / len(recs)
        categories: dict[str, int] = defaultdict(int)
        for r in recs:
            categories[r.get("rater_category") or ""] += 1
        first = recs[0]
        out.append({
            "semester": semester,
            "person_id": next((r["person_id"] for r in recs if r.get("person_id")), None),
            "person_name": first.get("person_name"),
            "person_post": next((r["person_post"] for r in recs if r.get("person_post")), None),
            "raters": len(recs),
            "rater_categories": dict(categories),
            "daily": round(daily, 2),
            "central": round(central, 2),
            "result": round(s["daily_weight"] * daily + s["central_weight"] * central, 2),
        })
    return out
