"""Evidence a reviewer can follow to a cell: issue records, and facts quoted with their source."""
from __future__ import annotations

from sureform.issues import Issue, Location, make_issue
from sureform.intake.readers.base import record_cell as cell_of




def location(rec: dict, key: str | None = None, label: str | None = None) -> Location:
    return Location(rec.get("_file"), rec.get("_sheet"), rec.get("_row"), label,
                    cell_of(rec, key) if key else None)


def source(rec: dict, key: str | None = None) -> str:
    """`机构信息.xlsx 部门设置!B7`, or the row when the cell is not known."""
    file = rec.get("_file") or ""
    sheet = rec.get("_sheet")
    cell = cell_of(rec, key) if key else None
    if sheet and cell:
        where = f"{sheet}!{cell}"
    elif sheet and rec.get("_row"):
        where = f"{sheet} 第{rec['_row']}行"
    else:
        where = sheet or ""
    return " ".join(x for x in (file, where) if x)


def fact(name: str, value, src: str | None = None) -> dict:
    d = {"fact": name, "value": value}
    if src:
        d["source"] = src
    return d


def fact_of(rec: dict, key: str, name: str, value=None) -> dict:
    """A fact read from one record's cell."""
    return fact(name, rec.get(key) if value is None else value, source(rec, key) or None)


def issue_record(issue: Issue) -> dict:
    return issue.to_dict(with_file=True)


def finding(code: str, rec: dict | None = None, key: str | None = None, label: str | None = None,
            value=None, **params) -> dict:
    """A registered issue at a record's cell, as an evidence record."""
    loc = location(rec, key, label) if rec is not None else Location()
    if value is None and rec is not None and key:
        value = rec.get(key)
    return issue_record(make_issue(code, loc, value, **params))

