"""Re-checking the whole current master as of the filing date, and exporting it."""
from __future__ import annotations

import logging
from pathlib import Path

from sureform.issues import Issue
from sureform.pipeline import Consolidation, RunOptions
from sureform.intake.readers.roster import FIELDS as ROSTER_FIELDS
from sureform.store import Store

ROSTER_COLUMNS = [("_unit", "报送单位")] + [
    (f.key if f.key != "rank" else "rank_text", f.label) for f in ROSTER_FIELDS if f.key != "major_size"
] + [("rank_ratio", "排名比例"), ("_file", "来源文件"), ("_row", "行号")]

# kind -> (sheet title, columns) for 汇总.xlsx; other kinds register here
MASTER_SHEETS: dict[str, tuple[str, list[tuple[str, str]]]] = {"roster": ("工作人员名单", ROSTER_COLUMNS)}
from sureform.outputs.workbook_sheets import (CANDIDATE_COLUMNS, INSTITUTION_COLUMNS, RESULT_COLUMNS, SCORE_COLUMNS,  # noqa: E402
                            institution_rows, result_rows)
MASTER_SHEETS.update(candidate=("主席团候选人", CANDIDATE_COLUMNS), score=("述职评议评分", SCORE_COLUMNS))
# sheets computed from the master: (title, columns, fn(store, opts) -> rows)
DERIVED_SHEETS: list = [("机构信息", INSTITUTION_COLUMNS, institution_rows), ("述职评议结果", RESULT_COLUMNS, result_rows)]

# hooks run after the roster re-check: each takes (store, opts, consolidation) and fills it further
CONSOLIDATORS: list = []
from sureform.rules.decide import consolidate_verdicts  # noqa: E402  (items 1–15 and section 四)
CONSOLIDATORS.append(consolidate_verdicts)
# hooks that write documents: each takes (consolidation, opts) and returns {output name: path}
DOCUMENT_WRITERS: list = []


def _write_documents(consolidation, opts):
    from sureform.outputs.documents.inputs import write_documents_hook

    return write_documents_hook(consolidation, opts)


DOCUMENT_WRITERS.append(_write_documents)


def consolidate_master(opts: RunOptions) -> Consolidation:
    from sureform.checks.roster import check_rosters, cross_unit_duplicates
    from sureform.rules.library import tag_issues

    catalogue = opts.catalogue()
    with Store(opts.db_path) as store:
        roster = store.current_records("roster")
        findings: list[tuple[str | None, Issue]] = []
        by_pos = check_rosters([(r["_file"], r) for r in roster], opts.as_of, catalogue)
        dups = cross_unit_duplicates([(r["_unit"], r["_file"], r) for r in roster], [])
        for pos, rec in enumerate(roster):
            for issue in by_pos.get(pos, []) + dups.get(pos, []):
                if issue.severity != "error":
                    findings.append((rec["_unit"], issue))
        findings = list(zip([u for u, _ in findings], tag_issues([i for _, i in findings], catalogue)))
        result = Consolidation(master=store.counts(), findings=findings)
        for hook in CONSOLIDATORS:
            hook(store, opts, result)
    return result


def export_master(consolidation: Consolidation, opts: RunOptions) -> Path:
    from sureform.outputs.workbook import write_master_workbook
    from sureform.intake.kinds import KINDS

    labels = {k.name: k.label for k in KINDS}
    with Store(opts.db_path) as store:
        sheets = [(title, columns, store.current_records(kind)) for kind, (title, columns) in MASTER_SHEETS.items()]
        sheets += [(title, columns, rows(store, opts)) for title, columns, rows in DERIVED_SHEETS]
        submissions = [dict(r) | {"kind_label": labels.get(r["kind"], r["kind"])} for r in store.current_submissions()]
    texts = {it.id: (f"{it.group} " if it.group else "") + it.text for it in opts.catalogue().items}
    verdicts = [dict(v, text=texts.get(v["id"], "")) for v in consolidation.items] or None
    return write_master_workbook(opts.outbox / "汇总.xlsx", sheets, consolidation.findings, submissions, verdicts)


def write_documents_for(consolidation: Consolidation, opts: RunOptions) -> dict[str, Path]:
    out: dict[str, Path] = {}
    for writer in DOCUMENT_WRITERS:
        try:
            out.update(writer(consolidation, opts))
        except Exception:  # the master and the feedback still go out; the previous documents stay in place
            logging.getLogger("sureform").exception("writing documents failed")
    return out
