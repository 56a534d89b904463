"""The 工作人员名单 schema: row-level reform rules (items 4, 5, 6) and data-integrity checks.

Check names are issue codes (see sureform/issues.py). Limits and vocabularies come from the rule
catalogue: `roster_schema(catalogue)` returns the model bound to one edition.
"""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from sureform.editions import Catalogue, load_catalogue

GRADUATE_WORDS = ("研究生", "硕士", "博士")


class RosterSchema(pa.DataFrameModel):
    """One row a person; `file`, `sheet`, `row` carry the origin of every row."""

    file: Series[str]
    row: Series[int]
    student_id: Series[str] = pa.Field(nullable=False)
    name: Series[str] = pa.Field(nullable=False)
    post: Series[str] = pa.Field(nullable=False)
    department: Series[str] = pa.Field(nullable=False)
    political: Series[str] = pa.Field(nullable=False)
    is_freshman: Series[bool]
    is_graduate: Series[bool]
    rank_ratio: Series[float] = pa.Field(nullable=True)
    failed_courses: Series[float] = pa.Field(nullable=True)

    class Config:
        strict = False
        coerce = False

    @pa.check("post", name="post-not-allowed")
    def post_allowed(cls, s: Series[str]) -> Series[bool]:
        return s.isna() | s.isin(active_catalogue().posts)

    @pa.check("political", name="political-status-not-allowed")
    def political_allowed(cls, s: Series[str]) -> Series[bool]:
        return s.isna() | s.isin(active_catalogue().political_status)

    @pa.check("failed_courses", name="failed-course")
    def no_failed_course(cls, s: Series[float]) -> Series[bool]:
        return s.isna() | (s == 0)

    @pa.dataframe_check(name="rank-above-limit")
    def rank_within_limit(cls, df: pd.DataFrame) -> Series[bool]:
        limit = active_catalogue().limits["rank_ratio"]
        return df["is_freshman"] | df["is_graduate"] | df["rank_ratio"].isna() | (df["rank_ratio"] <= limit + 1e-9)

    @pa.dataframe_check(name="rank-missing")
    def rank_present(cls, df: pd.DataFrame) -> Series[bool]:
        return df["is_freshman"] | df["is_graduate"] | df["rank_ratio"].notna() | df["rank_unparsed"]

    @pa.dataframe_check(name="discipline-record")
    def no_discipline_record(cls, df: pd.DataFrame) -> Series[bool]:
        return df["discipline"].isna()

    @pa.dataframe_check(name="student-id-duplicated")
    def one_row_per_person(cls, df: pd.DataFrame) -> Series[bool]:
        return df["student_id"].isna() | ~df.duplicated(["file", "student_id"], keep="first")


# the column each dataframe-level check points at, for the cell
CHECK_COLUMNS = {
    "rank-above-limit": "rank",
    "rank-missing": "rank",
    "discipline-record": "discipline",
    "student-id-duplicated": "student_id",
}


_ACTIVE: ContextVar[Catalogue | None] = ContextVar("roster_catalogue", default=None)


def active_catalogue() -> Catalogue:
    """The edition the checks compare against: the one bound by `using_catalogue`, else the default."""
    return _ACTIVE.get() or load_catalogue()


@contextmanager
def using_catalogue(catalogue: Catalogue):
    token = _ACTIVE.set(catalogue)
    try:
        yield
    finally:
        _ACTIVE.reset(token)
