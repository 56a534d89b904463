"""Property-based: workbooks and CSVs with random cells and names, beside a good roster.

Whatever the cells (control characters, formulas, long strings, odd Unicode) and whatever the file and folder
names, a run exits normally, every file ends archived, rejected or still in the inbox, nothing is written outside
outbox/ and state/, and no output workbook holds a live formula.
"""
from __future__ import annotations

import re
import shutil
import tempfile
import zipfile
from pathlib import Path

from conftest import AS_OF, HEADER, person, settle, write_csv, write_xlsx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

NASTY = ["=HYPERLINK(\"http://x\",\"click\")", "=cmd|' /C calc'!A0", "+1", "-1+2", "@SUM(A1)", "\t=1", "\r=1",
         "\x00", "\x1a", "\x7f", "\u202e", "\ufeff", "\ud7ff", "../../x", "/etc/passwd", "‥/‥/x", "A" * 300]

cell = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=20),
    st.integers(-10**16, 10**16),
    st.floats(allow_nan=False, allow_infinity=False),
    st.none(),
)
row = st.lists(cell, min_size=1, max_size=len(HEADER))
name = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"], exclude_characters="/\x00"),
               min_size=1, max_size=60).filter(lambda s: s not in (".", "..") and len(s.encode()) < 200)
folder = st.one_of(st.none(), st.sampled_from(["石油工程系", "机电工程系", "...", "‥", " "]), name)


def formulas(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as z:
        return [m for n in z.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml")
                for m in re.findall(r"<f[ >/]", z.read(n).decode("utf-8"))]


def writable(v):
    """What openpyxl itself accepts in a cell (the file is the sender's; the point is what sureform does)."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v


@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@given(rows=st.lists(row, max_size=6), header=st.booleans(), as_csv=st.booleans(), file_name=name, where=folder)
def test_any_cells_any_names(rows, header, as_csv, file_name, where):
    from sureform.pipeline import RunOptions, run_pipeline

    root = Path(tempfile.mkdtemp(prefix="sureform-prop-"))
    try:
        inbox, outbox, state = root / "inbox", root / "outbox", root / "state"
        write_xlsx(inbox / "石油工程系" / "名单.xlsx", [HEADER, person()])
        folder_path = inbox / where if where and where.strip() else inbox
        body = ([HEADER] if header else []) + rows
        target = folder_path / (file_name + (".csv" if as_csv else ".xlsx"))
        try:
            if as_csv:
                write_csv(target, body)
            else:
                write_xlsx(target, [[writable(v) for v in r] for r in body])
        except OSError:
            return  # a name this file system refuses: no file to test
        settle(target)
        report = run_pipeline(RunOptions(inbox, outbox, state, AS_OF, "2020", 0))

        statuses = {f["path"]: f["status"] for f in report["files"]}
        assert statuses["石油工程系/名单.xlsx"] == "accepted"
        rel = target.relative_to(inbox).as_posix()
        left = {p.relative_to(inbox).as_posix() for p in inbox.rglob("*") if p.is_file()}
        # every file: accepted/rejected/duplicate (left the inbox, a copy kept), or still there and said why
        for path, status in statuses.items():
            if status in ("accepted", "rejected", "duplicate"):
                assert path not in left, (path, status)
            else:
                assert status == "skipped"
        from sureform.intake.inbox import is_ignored

        ignored = any(is_ignored(part) for part in Path(rel).parts)  # lock, hidden, temporary: never ours, by design
        assert rel in statuses or ignored or any(p.endswith("/") and rel.startswith(p) for p in statuses), \
            (rel, statuses)
        # nothing outside outbox/ and state/
        assert {p.name for p in root.iterdir()} <= {"inbox", "outbox", "state"}
        # no live formula in any output workbook
        for book in outbox.rglob("*.xlsx"):
            assert formulas(book) == [], book
    finally:
        shutil.rmtree(root, ignore_errors=True)
