"""pandera's failure_cases as (issue code, row position, column) triples.

Check names in `schemas/` are issue codes; pandera's own `not_nullable` becomes `value-missing`.
A dataframe-level check names no single column, so `check_columns` says which column it points at.
A failure of the frame itself (a dtype, a missing column) is a bug in the code that built the frame.
"""
from __future__ import annotations


def failed_checks(schema, df, check_columns: dict[str, str] | None = None) -> list[tuple[str, int, str]]:
    """Lazily validate `df` against `schema`; each (code, position in df, column) once, in failure order."""
    import pandas as pd
    import pandera.pandas as pa

    try:
        schema.validate(df, lazy=True)
        return []
    except pa.errors.SchemaErrors as exc:
        failures = exc.failure_cases
    check_columns = check_columns or {}
    out: list[tuple[str, int, str]] = []
    seen: set[tuple[str, int, str]] = set()
    for fc in failures.itertuples(index=False):
        check = str(fc.check)
        if fc.index is None or pd.isna(fc.index) or check.startswith("dtype") or check == "column_in_dataframe":
            raise RuntimeError(f"{getattr(schema, '__name__', schema)}: the frame is malformed ({check} on {fc.column})")
        code = "value-missing" if check == "not_nullable" else check
        triple = (code, int(fc.index), check_columns.get(code, str(fc.column)))
        if triple not in seen:
            seen.add(triple)
            out.append(triple)
    return out
