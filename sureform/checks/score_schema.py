"""The 述职评议评分表 schema: data-integrity checks on score rows and on each sub-score.

Check names are issue codes (see sureform/issues.py). Two models: `ScoreRowSchema` has one row per
(rater, person) pair; `SubScoreSchema` has one row per (pair, sub-score) with the sub-score's
maximum from the catalogue, so the checks do not depend on an edition's sub-score names.
"""
from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from sureform.checks.roster_schema import active_catalogue


class ScoreRowSchema(pa.DataFrameModel):
    """`file`, `row` carry the origin; `outside_last_month` is computed from 学期 and 评议日期."""

    file: Series[str]
    row: Series[int]
    semester: Series[str] = pa.Field(nullable=False)
    person_name: Series[str] = pa.Field(nullable=False)
    rater_name: Series[str] = pa.Field(nullable=False)
    rater_category: Series[str] = pa.Field(nullable=False)
    outside_last_month: Series[bool]

    class Config:
        strict = False
        coerce = False

    @pa.check("rater_category", name="rater-category-invalid")
    def rater_category_allowed(cls, s: Series[str]) -> Series[bool]:
        return s.isna() | s.isin(active_catalogue().scores["rater_categories"])

    @pa.dataframe_check(name="score-row-duplicated")
    def one_score_per_rater_and_person(cls, df: pd.DataFrame) -> Series[bool]:
        keys = ["file", "semester", "person_key", "rater_name"]
        return df[keys].isna().any(axis=1) | ~df.duplicated(keys, keep="first")

    @pa.dataframe_check(name="review-date-outside-last-month")
    def reviewed_in_last_month(cls, df: pd.DataFrame) -> Series[bool]:
        return ~df["outside_last_month"]


class SubScoreSchema(pa.DataFrameModel):
    """`pos` is the row's position in ScoreRowSchema's frame; `name` the sub-score."""

    pos: Series[int]
    name: Series[str]
    score: Series[float] = pa.Field(nullable=False)
    maximum: Series[float]

    class Config:
        strict = False
        coerce = False

    @pa.check("score", name="score-negative")
    def not_negative(cls, s: Series[float]) -> Series[bool]:
        return s.isna() | (s >= 0)

    @pa.dataframe_check(name="score-above-maximum")
    def within_maximum(cls, df: pd.DataFrame) -> Series[bool]:
        return df["score"].isna() | (df["score"] <= df["maximum"] + 1e-9)


# the column each dataframe-level check points at, for the cell
CHECK_COLUMNS = {
    "score-row-duplicated": "rater_name",
    "review-date-outside-last-month": "review_date",
    "score-above-maximum": "score",
}
